package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readKeyFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestParseKeyLine(t *testing.T) {
	ed := readKeyFixture(t, "id_ed25519.pub")
	rsa := readKeyFixture(t, "id_rsa.pub")
	cert := readKeyFixture(t, "id_ed25519-cert.pub")
	edType, edB64 := strings.Fields(ed)[0], strings.Fields(ed)[1]
	cases := []struct {
		name, line string
		skip       bool
		err        string // substring; "" = valid
		check      func(t *testing.T, k KeyLine)
	}{
		{name: "blank", line: "   ", skip: true},
		{name: "comment", line: "# ssh-ed25519 AAAA", skip: true},
		{name: "plain", line: ed, check: func(t *testing.T, k KeyLine) {
			if k.Type != "ssh-ed25519" || k.Comment != "test-ed25519" || !strings.HasPrefix(k.Fingerprint(), "SHA256:") {
				t.Errorf("%+v", k)
			}
		}},
		{name: "rsa", line: rsa},
		{name: "certificate", line: cert},
		{name: "leading space and CR", line: "  " + ed + "\r"},
		{name: "options", line: `from="10.0.0.0/8,!10.0.0.9",command="echo \"hi\"",no-pty,restrict,expiry-time="20300101Z" ` + ed,
			check: func(t *testing.T, k KeyLine) {
				if k.From != "10.0.0.0/8,!10.0.0.9" || k.Command != `echo "hi"` || !k.Restrict {
					t.Errorf("options: %+v", k)
				}
				if k.Expiry.Year() != 2030 || k.Expiry.Location() != time.UTC {
					t.Errorf("expiry %v", k.Expiry)
				}
			}},
		{name: "option case", line: `NO-PTY,Restrict ` + ed},
		{name: "space inside quoted option", line: `command="a b c",environment="X=1 2" ` + ed},
		{name: "cert-authority", line: `cert-authority,principals="alice" ` + readKeyFixture(t, "ca.pub"),
			check: func(t *testing.T, k KeyLine) {
				if !k.CertAuthority {
					t.Error("cert-authority not set")
				}
			}},
		{name: "two expiry times keep the earliest", line: `expiry-time="20400101",expiry-time="20350101" ` + ed,
			check: func(t *testing.T, k KeyLine) {
				if k.Expiry.Year() != 2035 {
					t.Errorf("expiry %v", k.Expiry)
				}
			}},
		{name: "unknown option", line: `no-such-option ` + ed, err: "unsupported option"},
		{name: "negated non-negatable", line: `no-restrict ` + ed, err: "unsupported option"},
		{name: "two commands", line: `command="a",command="b" ` + ed, err: "multiple"},
		{name: "unterminated quote", line: `command="a ` + ed, err: "unterminated"},
		{name: "trailing comma", line: `no-pty, ` + ed, err: "end-of-options"},
		{name: "bad expiry", line: `expiry-time="2030" ` + ed, err: "expiry"},
		{name: "truncated base64", line: edType + " " + edB64[:30], err: "base64"},
		{name: "split key second half", line: edB64[30:] + " test", err: "does not start with a key type"},
		{name: "wrong type word", line: "ssh-rsa " + edB64, err: "mismatch"},
		{name: "private key pasted", line: "-----BEGIN OPENSSH PRIVATE KEY-----", err: "private key"},
		{name: "type only", line: "ssh-ed25519", err: "without key data"},
		{name: "garbage", line: "hello world", err: "bad key syntax"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, ok := ParseKeyLine(c.line, time.UTC)
			if c.skip {
				if ok {
					t.Fatalf("not skipped: %+v", k)
				}
				return
			}
			if !ok {
				t.Fatal("skipped")
			}
			if c.err == "" && k.Err != "" {
				t.Fatalf("unexpected error %q", k.Err)
			}
			if c.err != "" && !strings.Contains(k.Err, c.err) {
				t.Fatalf("error %q, want %q", k.Err, c.err)
			}
			if c.check != nil {
				c.check(t, k)
			}
		})
	}
}

func TestParseAuthorizedKeysFile(t *testing.T) {
	ed := readKeyFixture(t, "id_ed25519.pub")
	text := "# keys\n\n" + ed + "\n" + strings.Repeat("A", maxKeyLineBytes+10) + "\nnot a key\n" + readKeyFixture(t, "id_ecdsa.pub")
	lines, truncated, err := ParseAuthorizedKeys(strings.NewReader(text), "ak", time.UTC)
	if err != nil || truncated {
		t.Fatal(err, truncated)
	}
	if len(lines) != 4 {
		t.Fatalf("%d lines", len(lines))
	}
	if lines[0].Line != 3 || lines[0].Err != "" || lines[1].Line != 4 || !strings.Contains(lines[1].Err, "64 KiB") ||
		lines[2].Err == "" || lines[3].Type != "ecdsa-sha2-nistp256" || lines[3].Line != 6 {
		t.Fatalf("%+v", lines)
	}
}

func TestAlgAccepted(t *testing.T) {
	if a, ok := algAccepted("ssh-rsa", "rsa-sha2-512,rsa-sha2-256"); !ok || a != "rsa-sha2-512" {
		t.Error("rsa via rsa-sha2")
	}
	if _, ok := algAccepted("ssh-ed25519", "rsa-sha2-512,rsa-sha2-256"); ok {
		t.Error("ed25519 not in list")
	}
	if _, ok := algAccepted("ssh-ed25519", "ssh-ed*"); !ok {
		t.Error("pattern")
	}
}

func TestExpandTokens(t *testing.T) {
	a := Account{Name: "alice", UID: 1000, Home: "/home/alice"}
	for in, want := range map[string]string{
		".ssh/authorized_keys":   "/home/alice/.ssh/authorized_keys",
		"/etc/ssh/keys/%u":       "/etc/ssh/keys/alice",
		"%h/.ssh/k_%U":           "/home/alice/.ssh/k_1000",
		"/etc/keys/100%%_%u.pub": "/etc/keys/100%_alice.pub",
	} {
		if got := expandTokens(in, a); got != want {
			t.Errorf("expandTokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadPublicKey(t *testing.T) {
	dir := t.TempDir()
	pub := filepath.Join(dir, "id.pub")
	if err := os.WriteFile(pub, []byte(readKeyFixture(t, "id_ed25519.pub")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if k, err := ReadPublicKey(pub); err != nil || k.Type != "ssh-ed25519" {
		t.Fatal(k, err)
	}
	priv := filepath.Join(dir, "id")
	if err := os.WriteFile(priv, []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n-----END OPENSSH PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if k, err := ReadPublicKey(priv); err != nil || k.Type != "ssh-ed25519" {
		t.Fatal("private key path should fall back to .pub:", err)
	}
	if err := os.WriteFile(pub, []byte("nonsense\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPublicKey(pub); err == nil {
		t.Fatal("nonsense accepted")
	}
}

func FuzzParseKeyLine(f *testing.F) {
	for _, n := range []string{"id_ed25519.pub", "id_rsa.pub", "id_ecdsa.pub", "id_ed25519-cert.pub", "ca.pub"} {
		k := readKeyFixture(f, n)
		f.Add(k)
		f.Add(`from="10.0.0.0/8",command="x \"y\"",restrict ` + k)
		f.Add(k[:len(k)/2])
	}
	f.Add(`expiry-time="20300101120000Z",environment="A=B" ssh-ed25519 AAAA`)
	f.Fuzz(func(t *testing.T, line string) {
		k, ok := ParseKeyLine(line, time.UTC)
		if !ok {
			return
		}
		if k.Err == "" && (len(k.Blob) == 0 || k.Type == "") {
			t.Fatalf("valid line without a key: %q", line)
		}
		if len(k.Text) > 310 {
			t.Fatalf("text not capped: %d", len(k.Text))
		}
	})
}
