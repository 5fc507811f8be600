package sshwire

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Key is a public key (or certificate) described without x/crypto types.
type Key struct {
	Type        string // "ssh-ed25519", "ssh-rsa", "ssh-ed25519-cert-v01@openssh.com"…
	Blob        []byte // wire encoding
	Fingerprint string // SHA256:…
	Comment     string
	Bits        int // RSA modulus size, 0 for other types
	Cert        *CertInfo
	pub         ssh.PublicKey
}

// CertInfo is what matters of an OpenSSH certificate.
type CertInfo struct {
	Host        bool // a host certificate (else a user certificate)
	Principals  []string
	ValidAfter  time.Time
	ValidBefore time.Time // zero: forever
	CAType      string
	CABlob      []byte
	CAFinger    string
	KeyBlob     []byte // the certified key
	KeyID       string
}

// ValidAt reports whether the certificate's validity period covers t.
func (c *CertInfo) ValidAt(t time.Time) bool {
	if t.Before(c.ValidAfter) {
		return false
	}
	return c.ValidBefore.IsZero() || t.Before(c.ValidBefore)
}

// Base64 is the key's blob as it appears in authorized_keys lines.
func (k *Key) Base64() string { return base64.StdEncoding.EncodeToString(k.Blob) }

// Fingerprint returns OpenSSH's SHA256 fingerprint of a key blob.
func Fingerprint(blob []byte) string {
	sum := sha256.Sum256(blob)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

func newKey(pub ssh.PublicKey, comment string) *Key {
	blob := pub.Marshal()
	k := &Key{Type: pub.Type(), Blob: blob, Fingerprint: Fingerprint(blob), Comment: comment, pub: pub}
	if cert, ok := pub.(*ssh.Certificate); ok {
		ci := &CertInfo{Host: cert.CertType == ssh.HostCert, Principals: append([]string(nil), cert.ValidPrincipals...),
			CAType: cert.SignatureKey.Type(), CABlob: cert.SignatureKey.Marshal(), KeyBlob: cert.Key.Marshal(), KeyID: cert.KeyId}
		ci.CAFinger = Fingerprint(ci.CABlob)
		if cert.ValidAfter != 0 {
			ci.ValidAfter = time.Unix(int64(min(cert.ValidAfter, 1<<62)), 0)
		}
		if cert.ValidBefore != ssh.CertTimeInfinity {
			ci.ValidBefore = time.Unix(int64(min(cert.ValidBefore, 1<<62)), 0)
		}
		k.Cert = ci
		k.Bits = rsaBits(cert.Key)
	} else {
		k.Bits = rsaBits(pub)
	}
	return k
}

func rsaBits(pub ssh.PublicKey) int {
	cp, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return 0
	}
	if r, ok := cp.CryptoPublicKey().(*rsa.PublicKey); ok {
		return r.N.BitLen()
	}
	return 0
}

// ParseKeyBlob parses a wire-format public key or certificate.
func ParseKeyBlob(blob []byte) (*Key, error) {
	pub, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return nil, err
	}
	return newKey(pub, ""), nil
}

// ParseAuthorizedKey parses one public key line ("type base64 comment").
func ParseAuthorizedKey(line []byte) (*Key, error) {
	pub, comment, _, _, err := ssh.ParseAuthorizedKey(line)
	if err != nil {
		return nil, err
	}
	return newKey(pub, comment), nil
}

// PrivateState is how a private key file looks to ssh.
type PrivateState string

const (
	PrivOK          PrivateState = "ok"           // unencrypted, readable: ssh can sign with it
	PrivMissing     PrivateState = "missing"      // no such file
	PrivUnreadable  PrivateState = "unreadable"   // exists, cannot be read
	PrivEncrypted   PrivateState = "encrypted"    // needs a passphrase
	PrivPublicKey   PrivateState = "public_key"   // the file holds a public key
	PrivPuTTY       PrivateState = "putty"        // a PuTTY .ppk file
	PrivCRLF        PrivateState = "crlf"         // Windows line endings: OpenSSH cannot parse it
	PrivLayout      PrivateState = "layout"       // an OpenSSH key with text before BEGIN or no line break after END
	PrivTruncated   PrivateState = "truncated"    // BEGIN without END, or cut base64
	PrivInvalid     PrivateState = "invalid"      // anything else OpenSSH cannot parse
	PrivUnsupported PrivateState = "unsupported"  // a type sshdoctor cannot load (e.g. a hardware key)
	PrivTooLarge    PrivateState = "too_large"    // over the size cap
	PrivNotRegular  PrivateState = "not_regular"  // a directory or device
	PrivNotChecked  PrivateState = "not_checked"  // not read (not needed)
	privEncryptedPK PrivateState = "encrypted_pk" // internal: encrypted, public part readable
)

// KeyFile is an identity file as ssh loads it.
type KeyFile struct {
	Path string
	// Public is the public key ssh would offer and PublicFrom where ssh
	// finds it (sshkey_load_public's order): "file" (the path itself holds
	// a public key), "pub" (PATH.pub), "private" (the public half stored in
	// an OpenSSH-format private key, readable without the passphrase).
	Public     *Key
	PublicFrom string
	// Private is the private key's state; Detail says more (the parse
	// error, or what in the file gave it away).
	Private PrivateState
	Detail  string
	// Cert is PATH-cert.pub when it holds a user certificate.
	Cert           *Key
	signer         ssh.Signer
	pubFromPrivate *Key
}

// maxKeyFile caps what is read of a key file: private keys are a few KiB
// (16 KiB RSA keys with certificates at most).
const maxKeyFile = 256 * 1024

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errNotRegular
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeyFile {
		return nil, errTooLarge
	}
	return b, nil
}

var (
	errNotRegular = errors.New("not a regular file")
	errTooLarge   = errors.New("larger than a key file can be")
)

// LoadKeyFile loads an identity file the way ssh does, without ever
// asking for a passphrase.
func LoadKeyFile(path string) *KeyFile {
	kf := &KeyFile{Path: path}
	data, err := readCapped(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		kf.Private = PrivMissing
	case errors.Is(err, errNotRegular):
		kf.Private, kf.Detail = PrivNotRegular, err.Error()
	case errors.Is(err, errTooLarge):
		kf.Private, kf.Detail = PrivTooLarge, err.Error()
	case err != nil:
		kf.Private, kf.Detail = PrivUnreadable, err.Error()
	default:
		kf.Private, kf.Detail = classifyPrivate(kf, data)
	}
	// sshkey_load_public: the file itself, then FILE.pub, then the public
	// half of an OpenSSH-format private key.
	if kf.Private == PrivPublicKey {
		if k, err := ParseAuthorizedKey(firstLine(data)); err == nil {
			kf.Public, kf.PublicFrom = k, "file"
		}
	}
	if kf.Public == nil {
		if b, err := readCapped(path + ".pub"); err == nil {
			if k, err := ParseAuthorizedKey(firstLine(b)); err == nil {
				kf.Public, kf.PublicFrom = k, "pub"
			}
		}
	}
	if kf.Public == nil && kf.pubFromPrivate != nil {
		kf.Public, kf.PublicFrom = kf.pubFromPrivate, "private"
	}
	if kf.Private == privEncryptedPK {
		kf.Private = PrivEncrypted
	}
	if b, err := readCapped(path + "-cert.pub"); err == nil {
		if k, err := ParseAuthorizedKey(firstLine(b)); err == nil && k.Cert != nil && !k.Cert.Host {
			kf.Cert = k
		}
	}
	return kf
}

func firstLine(b []byte) []byte {
	for _, l := range bytes.Split(b, []byte("\n")) {
		l = bytes.TrimSpace(l)
		if len(l) > 0 && l[0] != '#' {
			return l
		}
	}
	return nil
}

// classifyPrivate decides what ssh would make of the private key bytes.
func classifyPrivate(kf *KeyFile, data []byte) (PrivateState, string) {
	trim := bytes.TrimSpace(data)
	switch {
	case len(trim) == 0:
		return PrivInvalid, "empty file"
	case bytes.HasPrefix(trim, []byte("PuTTY-User-Key-File-")):
		return PrivPuTTY, "PuTTY private key (.ppk)"
	case bytes.HasPrefix(trim, []byte("---- BEGIN SSH2 PUBLIC KEY")):
		return PrivPublicKey, "RFC 4716 public key"
	}
	if _, err := ParseAuthorizedKey(firstLine(trim)); err == nil && !bytes.Contains(trim, []byte("PRIVATE KEY")) {
		return PrivPublicKey, "public key"
	}
	if !bytes.Contains(trim, []byte("-----BEGIN ")) {
		return PrivInvalid, "no BEGIN line"
	}
	if !bytes.Contains(trim, []byte("-----END ")) {
		return PrivTruncated, "no END line"
	}
	// OpenSSH looks for "-----BEGIN OPENSSH PRIVATE KEY-----\n" exactly and
	// hands anything else to OpenSSL, which fails on that armour with CR LF
	// ("error in libcrypto"); OpenSSL itself reads PEM keys with CR LF.
	if isOpenSSHFormat(data) && bytes.Contains(data, []byte("\r\n")) {
		return PrivCRLF, "Windows (CR LF) line endings"
	}
	// OpenSSH also wants that line at the very start (no byte-order mark,
	// blank line or indentation before it) and "-----END OPENSSH PRIVATE
	// KEY-----" followed by a line break; x/crypto's PEM reader is more
	// forgiving, so this is decided here.
	if isOpenSSHFormat(data) {
		switch {
		case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
			return PrivLayout, "a byte-order mark before the BEGIN line"
		case !bytes.HasPrefix(data, []byte(opensshBegin+"\n")):
			return PrivLayout, "text before the BEGIN line"
		case !bytes.Contains(data, []byte(opensshEnd+"\n")):
			return PrivLayout, "no line break after the END line"
		}
	}
	raw, err := ssh.ParseRawPrivateKey(data)
	var pm *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &pm):
		if pm.PublicKey != nil {
			kf.pubFromPrivate = newKey(pm.PublicKey, "")
		}
		return privEncryptedPK, "protected by a passphrase"
	case err != nil:
		msg := err.Error()
		if strings.Contains(msg, "unsupported key type") || strings.Contains(msg, "sk-") {
			return PrivUnsupported, msg
		}
		if strings.Contains(msg, "no key found") || strings.Contains(msg, "illegal base64") || strings.Contains(msg, "truncated") ||
			strings.Contains(msg, "short") || strings.Contains(msg, "EOF") {
			return PrivTruncated, msg
		}
		return PrivInvalid, msg
	}
	s, err := ssh.NewSignerFromKey(raw)
	if err != nil {
		return PrivUnsupported, err.Error()
	}
	kf.signer = s
	if isOpenSSHFormat(data) {
		kf.pubFromPrivate = newKey(s.PublicKey(), "")
	}
	return PrivOK, ""
}

// The armour of OpenSSH's own private key format.
const (
	opensshBegin = "-----BEGIN OPENSSH PRIVATE KEY-----"
	opensshEnd   = "-----END OPENSSH PRIVATE KEY-----"
)

func isOpenSSHFormat(data []byte) bool {
	return bytes.Contains(data, []byte(opensshBegin))
}

// PrivatePublic returns the public key derived from an unencrypted private
// key even when ssh would not read it that way (a PEM key without .pub:
// ssh signs with it directly, "Trying private key"; sshdoctor asks the
// server about its public half instead of signing).
func (kf *KeyFile) PrivatePublic() *Key {
	if kf.signer == nil {
		return nil
	}
	return newKey(kf.signer.PublicKey(), "")
}

// CanSign reports whether sshdoctor (and ssh in batch mode) can sign with
// the file itself.
func (kf *KeyFile) CanSign() bool { return kf.signer != nil }
