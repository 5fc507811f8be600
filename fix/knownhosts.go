package fix

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"strings"

	"github.com/sshdoctor/sshdoctor/sshconfig"
)

// fingerprintOf returns OpenSSH's SHA256 fingerprint of a base64 key blob
// ("SHA256:…", unpadded), or "" when it is not base64.
func fingerprintOf(b64 string) string {
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return ""
	}
	return sshconfig.KeyFingerprint(blob)
}

// khLine is one known_hosts line split into its fields.
type khLine struct {
	marker string // @cert-authority / @revoked, or ""
	hosts  string
	typ    string
	key    string
}

func parseKH(line string) (khLine, bool) {
	f := strings.Fields(line)
	if len(f) == 0 || strings.HasPrefix(f[0], "#") {
		return khLine{}, false
	}
	var k khLine
	if strings.HasPrefix(f[0], "@") {
		k.marker, f = f[0], f[1:]
	}
	if len(f) < 3 {
		return khLine{}, false
	}
	k.hosts, k.typ, k.key = f[0], f[1], f[2]
	return k, true
}

// matchesName says whether a known_hosts host field names exactly name,
// plainly or hashed (|1|salt|hash): ssh-keygen -R's test. Wildcards and
// negations are not an exact name and do not match.
func matchesName(hosts, name string) bool {
	if strings.HasPrefix(hosts, "|1|") {
		parts := strings.Split(hosts[3:], "|")
		if len(parts) != 2 {
			return false
		}
		salt, err1 := base64.StdEncoding.DecodeString(parts[0])
		want, err2 := base64.StdEncoding.DecodeString(parts[1])
		if err1 != nil || err2 != nil {
			return false
		}
		m := hmac.New(sha1.New, salt)
		m.Write([]byte(name))
		return hmac.Equal(m.Sum(nil), want)
	}
	for _, h := range strings.Split(hosts, ",") {
		if h == name {
			return true
		}
	}
	return false
}

// hashName hashes name as HashKnownHosts does, with a fresh salt.
func hashName(name string) string {
	salt := make([]byte, sha1.Size)
	_, _ = rand.Read(salt)
	m := hmac.New(sha1.New, salt)
	m.Write([]byte(name))
	return "|1|" + base64.StdEncoding.EncodeToString(salt) + "|" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}
