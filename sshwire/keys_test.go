package sshwire

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func writeFile(t *testing.T, p string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadKeyFile(t *testing.T) {
	dir := t.TempDir()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := ssh.NewPublicKey(pub)
	fp := ssh.FingerprintSHA256(sshPub)
	blk, err := ssh.MarshalPrivateKey(priv, "me@host")
	if err != nil {
		t.Fatal(err)
	}
	openssh := pem.EncodeToMemory(blk)
	eblk, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "me@host", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	encrypted := pem.EncodeToMemory(eblk)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	pemRSA := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)})
	pubLine := ssh.MarshalAuthorizedKey(sshPub)

	cases := []struct {
		name       string
		files      map[string][]byte
		state      PrivateState
		publicFrom string
		canSign    bool
	}{
		{"openssh", map[string][]byte{"k": openssh}, PrivOK, "private", true},
		{"openssh+pub", map[string][]byte{"k": openssh, "k.pub": pubLine}, PrivOK, "pub", true},
		{"encrypted", map[string][]byte{"k": encrypted}, PrivEncrypted, "private", false},
		// PEM has no readable public half: ssh "tries" the private key.
		{"pem-rsa", map[string][]byte{"k": pemRSA}, PrivOK, "", true},
		{"public-given", map[string][]byte{"k": pubLine}, PrivPublicKey, "file", false},
		{"ppk", map[string][]byte{"k": []byte("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n")}, PrivPuTTY, "", false},
		{"crlf", map[string][]byte{"k": []byte(strings.ReplaceAll(string(openssh), "\n", "\r\n"))}, PrivCRLF, "", false},
		{"crlf+pub", map[string][]byte{"k": []byte(strings.ReplaceAll(string(openssh), "\n", "\r\n")), "k.pub": pubLine}, PrivCRLF, "pub", false},
		{"pem-rsa-crlf", map[string][]byte{"k": []byte(strings.ReplaceAll(string(pemRSA), "\n", "\r\n"))}, PrivOK, "", true},
		{"truncated", map[string][]byte{"k": openssh[:len(openssh)/2]}, PrivTruncated, "", false},
		{"garbage", map[string][]byte{"k": []byte("hello\n")}, PrivInvalid, "", false},
		{"missing", map[string][]byte{}, PrivMissing, "", false},
		{"missing+pub", map[string][]byte{"k.pub": pubLine}, PrivMissing, "pub", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := filepath.Join(dir, c.name)
			if err := os.MkdirAll(d, 0o700); err != nil {
				t.Fatal(err)
			}
			for n, b := range c.files {
				writeFile(t, filepath.Join(d, n), b)
			}
			kf := LoadKeyFile(filepath.Join(d, "k"))
			if kf.Private != c.state || kf.PublicFrom != c.publicFrom || kf.CanSign() != c.canSign {
				t.Fatalf("state %q from %q canSign %v (%s)", kf.Private, kf.PublicFrom, kf.CanSign(), kf.Detail)
			}
			if kf.Public != nil && !strings.HasPrefix(c.name, "pem-rsa") && kf.Public.Fingerprint != fp {
				t.Fatalf("fingerprint %s, want %s", kf.Public.Fingerprint, fp)
			}
			if strings.HasPrefix(c.name, "pem-rsa") {
				if k := kf.PrivatePublic(); k == nil || k.Bits != 2048 || k.Type != "ssh-rsa" {
					t.Fatalf("PEM public half %+v", k)
				}
			}
		})
	}
}

func TestLoadKeyFileCertificate(t *testing.T) {
	dir := t.TempDir()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	_, caPriv, _ := ed25519.GenerateKey(rand.Reader)
	ca, _ := ssh.NewSignerFromKey(caPriv)
	sshPub, _ := ssh.NewPublicKey(pub)
	cert := &ssh.Certificate{Key: sshPub, CertType: ssh.UserCert, KeyId: "alice", ValidPrincipals: []string{"alice"},
		ValidAfter: uint64(time.Now().Add(-time.Hour).Unix()), ValidBefore: ssh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	blk, _ := ssh.MarshalPrivateKey(priv, "")
	k := writeFile(t, filepath.Join(dir, "id"), pem.EncodeToMemory(blk))
	writeFile(t, k+"-cert.pub", ssh.MarshalAuthorizedKey(cert))
	kf := LoadKeyFile(k)
	if kf.Cert == nil || kf.Cert.Cert == nil || kf.Cert.Cert.Host || kf.Cert.Cert.KeyID != "alice" || !kf.Cert.Cert.ValidAt(time.Now()) {
		t.Fatalf("certificate %+v", kf.Cert)
	}
	if kf.Cert.Cert.CAFinger != ssh.FingerprintSHA256(ca.PublicKey()) || string(kf.Cert.Cert.KeyBlob) != string(sshPub.Marshal()) {
		t.Fatal("certificate CA or key")
	}
	id := CertIdentity(kf.Cert, FileIdentity(kf, kf.Public))
	if !id.CanSign() {
		t.Fatal("certificate identity cannot sign")
	}
}

func TestDisconnectText(t *testing.T) {
	for _, s := range []string{
		`ssh: handshake failed: ssh: disconnect, reason 2: Too many authentication failures`,
		`ssh: handshake failed: ssh: disconnect, reason 2: "Too many authentication failures"`,
	} {
		r, msg, ok := Disconnect(errString(s))
		if !ok || r != 2 || msg != "Too many authentication failures" {
			t.Errorf("%q: %d %q %v", s, r, msg, ok)
		}
	}
	if _, _, ok := Disconnect(errString("EOF")); ok {
		t.Fatal("EOF is not a disconnect")
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// FuzzClassifyPrivate: whatever a key file holds, it is classified without
// panicking, and only a state that can sign has a signer.
func FuzzClassifyPrivate(f *testing.F) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	blk, _ := ssh.MarshalPrivateKey(priv, "c")
	good := pem.EncodeToMemory(blk)
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add([]byte(strings.ReplaceAll(string(good), "\n", "\r\n")))
	f.Add([]byte("PuTTY-User-Key-File-3: ssh-ed25519\n"))
	f.Add([]byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE4tXFDe36jMZfIGwalIPb+uwohYy1yyapLvb/MM+6kQ c\n"))
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n-----END RSA PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		kf := &KeyFile{Path: "k"}
		st, _ := classifyPrivate(kf, b)
		if (st == PrivOK) != (kf.signer != nil) {
			t.Fatalf("state %s with signer %v", st, kf.signer != nil)
		}
	})
}
