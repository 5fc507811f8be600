package gcp

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Metadata keys and their semantics as the guest agent applies them
// (GoogleCloudPlatform/guest-agent: metadata/metadata.go,
// non_windows_accounts.go, oslogin.go, utils/ssh.go).

// MetadataValueLimit is the largest value one metadata entry may hold.
const MetadataValueLimit = 256 << 10

// metadataNearFraction: a value this full leaves no room for the next key
// gcloud adds (an RSA key line is ~400 bytes, but teams add them by the
// hundred); warn from 90 %.
const metadataNearFraction = 0.9

// maxKeyFileBytes caps reading a local .pub file.
const maxKeyFileBytes = 64 << 10

// knownKeyTypes are the public key algorithms OpenSSH writes in
// authorized_keys lines.
var knownKeyTypes = map[string]bool{
	"ssh-rsa": true, "ssh-dss": true, "ssh-ed25519": true,
	"ecdsa-sha2-nistp256": true, "ecdsa-sha2-nistp384": true, "ecdsa-sha2-nistp521": true,
	"sk-ecdsa-sha2-nistp256@openssh.com": true, "sk-ssh-ed25519@openssh.com": true,
	"ssh-rsa-cert-v01@openssh.com": true, "ssh-dss-cert-v01@openssh.com": true,
	"ssh-ed25519-cert-v01@openssh.com": true, "ecdsa-sha2-nistp256-cert-v01@openssh.com": true,
	"ecdsa-sha2-nistp384-cert-v01@openssh.com": true, "ecdsa-sha2-nistp521-cert-v01@openssh.com": true,
	"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": true, "sk-ssh-ed25519-cert-v01@openssh.com": true,
}

// PublicKey is a parsed authorized_keys-style key.
type PublicKey struct {
	Type    string
	Blob    []byte
	Comment string
}

// Fingerprint is the SHA256 fingerprint as ssh-keygen -l prints it.
func (k PublicKey) Fingerprint() string {
	sum := sha256.Sum256(k.Blob)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// SecurityKey says whether the key lives on a FIDO security key.
func (k PublicKey) SecurityKey() bool { return strings.HasPrefix(k.Type, "sk-") }

// Same says whether two keys are the same key.
func (k PublicKey) Same(o PublicKey) bool { return string(k.Blob) == string(o.Blob) && len(k.Blob) > 0 }

// ParsePublicKey parses "[options] type base64 [comment]". The blob must
// decode and name the same type, as OpenSSH requires.
func ParsePublicKey(line string) (PublicKey, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return PublicKey{}, errors.New("empty key")
	}
	typ, rest := nextField(line)
	if !knownKeyTypes[typ] {
		// options come first: skip them (quoted strings may hold spaces)
		rest = skipOptions(line)
		typ, rest = nextField(rest)
		if !knownKeyTypes[typ] {
			return PublicKey{}, fmt.Errorf("unknown key type %s", strconvQuote(typ))
		}
	}
	b64, comment := nextField(rest)
	if b64 == "" {
		return PublicKey{}, errors.New("key data missing")
	}
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return PublicKey{}, errors.New("key data is not valid base64")
	}
	if len(blob) < 4 {
		return PublicKey{}, errors.New("key data too short")
	}
	n := binary.BigEndian.Uint32(blob)
	if uint64(n) > uint64(len(blob)-4) || string(blob[4:4+n]) != typ {
		return PublicKey{}, fmt.Errorf("key data does not hold a %s key", typ)
	}
	return PublicKey{Type: typ, Blob: blob, Comment: strings.TrimSpace(comment)}, nil
}

func nextField(s string) (string, string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// skipOptions returns what follows an authorized_keys options field.
func skipOptions(s string) string {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted && i+1 < len(s):
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ' ' || c == '\t'):
			return s[i:]
		}
	}
	return ""
}

// MetadataKey is one line of an ssh-keys (or legacy sshKeys) value.
type MetadataKey struct {
	Source string // e.g. "instance ssh-keys"
	Line   int    // 1-based line in the value
	Raw    string
	User   string
	Key    PublicKey
	// Err says why the guest agent would skip the line (nil: it is used).
	Err error
	// ExpireOn is set for gcloud's google-ssh {"expireOn":…} keys.
	ExpireOn time.Time
	Expired  bool
}

// Valid says the agent would install the key.
func (m MetadataKey) Valid() bool { return m.Err == nil && !m.Expired }

var (
	errNoUser   = errors.New("no user name before ':'")
	errUserWS   = errors.New("user name contains white space")
	errNoColon  = errors.New("not user:key")
	errNoKey    = errors.New("no key after ':'")
	errBadExpir = errors.New("google-ssh comment without a valid expireOn")
)

// ParseSSHKeys splits a metadata value into key lines as the guest agent
// does: split on "\n", trim spaces, "user:key", the user without white
// space, the key parseable, google-ssh expiry in the future (at now).
func ParseSSHKeys(value, source string, now time.Time) []MetadataKey {
	var out []MetadataKey
	for i, raw := range strings.Split(value, "\n") {
		line := strings.Trim(raw, " ")
		if line == "" {
			continue
		}
		mk := MetadataKey{Source: source, Line: i + 1, Raw: line}
		user, key, found := strings.Cut(line, ":")
		if found {
			mk.User = user
		}
		switch {
		case !found:
			mk.Err = errNoColon
		case user == "":
			mk.Err = errNoUser
		case key == "":
			mk.Err = errNoKey
		case strings.IndexFunc(user, unicode.IsSpace) >= 0:
			mk.Err = errUserWS
		}
		if mk.Err == nil {
			pk, err := ParsePublicKey(key)
			if err != nil {
				mk.Err = err
			} else {
				mk.Key = pk
				mk.ExpireOn, mk.Expired, mk.Err = googleSSHExpiry(pk.Comment, now)
			}
		}
		out = append(out, mk)
	}
	return out
}

// googleSSHExpiry reads gcloud's expiring-key comment:
// google-ssh {"userName":"…","expireOn":"2025-01-02T03:04:05+0000"}.
func googleSSHExpiry(comment string, now time.Time) (time.Time, bool, error) {
	if !strings.HasPrefix(comment, "google-ssh") {
		return time.Time{}, false, nil
	}
	_, js, ok := strings.Cut(comment, " ")
	if !ok {
		return time.Time{}, false, errBadExpir
	}
	var v struct {
		ExpireOn string `json:"expireOn"`
	}
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		return time.Time{}, false, errBadExpir
	}
	t, err := time.Parse(time.RFC3339, v.ExpireOn)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05-0700", v.ExpireOn)
		if err != nil {
			// the agent skips a key whose expiry it cannot read
			return time.Time{}, false, errBadExpir
		}
	}
	return t, t.Before(now), nil
}

// parseBool is strconv.ParseBool; an unparsable value is "not set".
func parseBool(s string) (bool, bool) {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	return b, err == nil
}

// KeyConfig is what instance and project metadata say about SSH access.
type KeyConfig struct {
	OSLogin     bool
	OSLoginFrom string // "instance", "project" or "" (default off)
	TwoFactor   bool
	SecurityKey bool

	BlockProjectKeys bool
	BlockFrom        string // "block-project-ssh-keys" or "sshKeys"
	LegacyInstance   bool   // instance has legacy sshKeys
	LegacyProject    bool   // project has legacy sshKeys

	WindowsSSH     bool
	WindowsSSHFrom string

	Instance []MetadataKey
	Project  []MetadataKey
	// ProjectKnown is false when project metadata could not be read.
	ProjectKnown bool
	// Large lists metadata values near or over the size limit.
	Large []LargeValue
}

// LargeValue is a metadata value close to the 256 KB limit.
type LargeValue struct {
	Where string // "instance" or "project"
	Key   string
	Bytes int
}

// boolSetting reads a boolean with the instance value overriding the
// project's, as the agent does for enable-oslogin and its friends.
func boolSetting(inst, proj Metadata, key string) (bool, string) {
	val, from := false, ""
	if v, ok := proj.Get(key); ok {
		if b, ok := parseBool(v); ok {
			val, from = b, "project"
		}
	}
	if v, ok := inst.Get(key); ok {
		if b, ok := parseBool(v); ok {
			val, from = b, "instance"
		}
	}
	return val, from
}

// AnalyzeMetadata derives the key configuration. proj is nil when the
// project could not be read.
func AnalyzeMetadata(inst Metadata, proj *Metadata, now time.Time) KeyConfig {
	var p Metadata
	kc := KeyConfig{ProjectKnown: proj != nil}
	if proj != nil {
		p = *proj
	}
	kc.OSLogin, kc.OSLoginFrom = boolSetting(inst, p, "enable-oslogin")
	kc.TwoFactor, _ = boolSetting(inst, p, "enable-oslogin-2fa")
	kc.SecurityKey, _ = boolSetting(inst, p, "enable-oslogin-sk")
	kc.WindowsSSH, kc.WindowsSSHFrom = boolSetting(inst, p, "enable-windows-ssh")
	if v, ok := inst.Get("block-project-ssh-keys"); ok {
		if b, ok := parseBool(v); ok && b {
			kc.BlockProjectKeys, kc.BlockFrom = true, "block-project-ssh-keys"
		}
	}
	if v, ok := inst.Get("ssh-keys"); ok {
		kc.Instance = append(kc.Instance, ParseSSHKeys(v, "instance ssh-keys", now)...)
	}
	if v, ok := inst.Get("sshKeys"); ok && v != "" {
		// legacy instance keys are still read, and they block project keys
		kc.LegacyInstance = true
		kc.Instance = append(kc.Instance, ParseSSHKeys(v, "instance sshKeys", now)...)
		if !kc.BlockProjectKeys {
			kc.BlockProjectKeys, kc.BlockFrom = true, "sshKeys"
		}
	}
	if v, ok := p.Get("ssh-keys"); ok {
		kc.Project = append(kc.Project, ParseSSHKeys(v, "project ssh-keys", now)...)
	}
	if v, ok := p.Get("sshKeys"); ok && v != "" {
		kc.LegacyProject = true
		kc.Project = append(kc.Project, ParseSSHKeys(v, "project sshKeys", now)...)
	}
	for _, src := range []struct {
		where string
		md    Metadata
	}{{"instance", inst}, {"project", p}} {
		for _, it := range src.md.Items {
			if it.Value != nil && float64(len(*it.Value)) >= metadataNearFraction*MetadataValueLimit {
				kc.Large = append(kc.Large, LargeValue{Where: src.where, Key: it.Key, Bytes: len(*it.Value)})
			}
		}
	}
	return kc
}

// KeyMatch is where a local key stands in metadata for one user.
type KeyMatch struct {
	User string
	// Valid entries for the user holding one of the local keys, that the
	// agent installs (project entries only when not blocked).
	Usable []MetadataKey
	// Entries for the user with a local key that do not work, and why.
	Expired   []MetadataKey
	Malformed []MetadataKey // lines for the user that the agent skips
	Blocked   []MetadataKey // valid project entries ignored by block-project-ssh-keys
	// OtherUsers are valid entries with a local key for another user.
	OtherUsers []MetadataKey
}

// Match finds the local keys in metadata for user.
func (kc KeyConfig) Match(user string, local []PublicKey) KeyMatch {
	km := KeyMatch{User: user}
	has := func(k PublicKey) bool {
		for _, l := range local {
			if l.Same(k) {
				return true
			}
		}
		return false
	}
	consider := func(mk MetadataKey, project bool) {
		if mk.User != user {
			if mk.Valid() && has(mk.Key) {
				km.OtherUsers = append(km.OtherUsers, mk)
			}
			return
		}
		if mk.Err != nil && !mk.Expired {
			if len(mk.Key.Blob) == 0 || has(mk.Key) {
				km.Malformed = append(km.Malformed, mk)
			}
			return
		}
		if !has(mk.Key) {
			return
		}
		switch {
		case mk.Expired:
			km.Expired = append(km.Expired, mk)
		case project && kc.BlockProjectKeys:
			km.Blocked = append(km.Blocked, mk)
		default:
			km.Usable = append(km.Usable, mk)
		}
	}
	for _, mk := range kc.Instance {
		consider(mk, false)
	}
	for _, mk := range kc.Project {
		consider(mk, true)
	}
	return km
}

// ReadPublicKeyFile reads the first key of a .pub file (capped).
func ReadPublicKeyFile(path string) (PublicKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return PublicKey{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return PublicKey{}, err
	}
	if len(b) > maxKeyFileBytes {
		return PublicKey{}, fmt.Errorf("larger than %d bytes: not a public key file", maxKeyFileBytes)
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		return ParsePublicKey(line)
	}
	return PublicKey{}, errors.New("no key in the file")
}

// OSLoginKeyState is where a local key stands in an OS Login profile.
type OSLoginKeyState struct {
	Found   bool
	Expired bool
	Expiry  time.Time
	Count   int // keys in the profile
}

// MatchLoginProfile looks for the local keys in the profile.
func MatchLoginProfile(lp *LoginProfile, local []PublicKey, now time.Time) OSLoginKeyState {
	var st OSLoginKeyState
	if lp == nil {
		return st
	}
	st.Count = len(lp.SSHPublicKeys)
	for _, k := range lp.SSHPublicKeys {
		pk, err := ParsePublicKey(k.Key)
		if err != nil {
			continue
		}
		for _, l := range local {
			if !l.Same(pk) {
				continue
			}
			exp := time.Time{}
			if us, ok := parseInt64(k.ExpirationTimeUsec); ok && us > 0 {
				exp = time.UnixMicro(us)
			}
			if !exp.IsZero() && exp.Before(now) {
				if !st.Found {
					st.Expired, st.Expiry = true, exp
				}
				continue
			}
			st.Found, st.Expired, st.Expiry = true, false, exp
		}
	}
	return st
}

// PosixUser returns the primary POSIX user name of the profile.
func (lp *LoginProfile) PosixUser() string {
	if lp == nil {
		return ""
	}
	for _, a := range lp.PosixAccounts {
		if a.Primary {
			return a.Username
		}
	}
	for _, a := range lp.PosixAccounts {
		if a.Username != "" {
			return a.Username
		}
	}
	return ""
}
