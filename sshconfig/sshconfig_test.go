package sshconfig

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRealSSHG(t *testing.T) {
	f, err := os.Open("testdata/ssh_G.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := Parse(f, "ssh -G")
	if err != nil {
		t.Fatal(err)
	}
	if c.Get("hostname") != "127.0.0.1" || c.Port() != 2299 || c.Get("user") != "sshlab" {
		t.Fatalf("hostname %q port %d user %q", c.Get("hostname"), c.Port(), c.Get("user"))
	}
	if !c.Yes("batchmode") || !c.Yes("identitiesonly") {
		t.Fatal("flags not read")
	}
	if len(c.Fields("userknownhostsfile")) == 0 {
		t.Fatal("userknownhostsfile missing")
	}
}

func TestClassifyStderr(t *testing.T) {
	cases := []struct {
		in       string
		file     string
		line     int
		badPerms bool
	}{
		{"/home/a/.ssh/config: line 2: Bad configuration option: foo\n/home/a/.ssh/config: terminating, 1 bad configuration options\n", "/home/a/.ssh/config", 2, false},
		{"command-line: line 0: Bad configuration option: bogus\n", "command-line", 0, false},
		{"Bad owner or permissions on /home/sshlab/.ssh/config\n", "/home/sshlab/.ssh/config", 0, true},
		{"/etc/ssh/ssh_config line 12: Bad port 'x'.\n", "/etc/ssh/ssh_config", 12, false},
	}
	for _, c := range cases {
		e := classifyStderr(c.in)
		if e.File != c.file || e.Line != c.line || e.BadPerms != c.badPerms {
			t.Errorf("%q → file %q line %d perms %v", c.in, e.File, e.Line, e.BadPerms)
		}
	}
}

func TestFallbackHostBlocksFirstValueWins(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".ssh", "conf.d"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "conf.d", "x.conf"), []byte("Host inc\n  HostName 198.18.0.9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := "Include conf.d/*.conf\nHost web !web-old\n  HostName %h.example.test\n  Port 2222\n  User deploy\nHost *\n  Port 22\n  ConnectTimeout 7\n"
	if err := os.WriteFile(filepath.Join(home, ".ssh", "config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Fallback(Request{Host: "web"}, home)
	if err != nil {
		t.Fatal(err)
	}
	if c.Get("hostname") != "web.example.test" || c.Port() != 2222 || c.Get("user") != "deploy" || c.ConnectTimeout().Seconds() != 7 {
		t.Fatalf("got hostname %q port %d user %q ct %v", c.Get("hostname"), c.Port(), c.Get("user"), c.ConnectTimeout())
	}
	c, _, _ = Fallback(Request{Host: "inc", Port: 2200}, home)
	if c.Get("hostname") != "198.18.0.9" || c.Port() != 2200 {
		t.Fatalf("include: hostname %q port %d", c.Get("hostname"), c.Port())
	}
	c, _, _ = Fallback(Request{Host: "web-old"}, home)
	if c.Get("hostname") != "web-old" || c.Port() != 22 {
		t.Fatalf("negation: %q %d", c.Get("hostname"), c.Port())
	}
}

// The real ssh -G and the fallback parser agree on the basics.
func TestFromSSHAgreesWithFallback(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ssh not installed")
		}
		t.Skip("ssh not installed")
	}
	dir := t.TempDir()
	cf := filepath.Join(dir, "cfg")
	if err := os.WriteFile(cf, []byte("Host alias\n  HostName 198.18.0.2\n  Port 2022\n  User bob\n  IdentityFile ~/.ssh/lab_key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	req := Request{Host: "alias", ConfigFile: cf}
	c, err := FromSSH(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := Fallback(req, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"hostname", "port", "user"} {
		if c.Get(k) != f.Get(k) {
			t.Errorf("%s: ssh -G %q, fallback %q", k, c.Get(k), f.Get(k))
		}
	}
	if !strings.HasSuffix(c.Get("identityfile"), "lab_key") {
		t.Errorf("identityfile %q", c.Get("identityfile"))
	}
	if err := os.WriteFile(cf, []byte("Host *\n  Bogusoption yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = FromSSH(context.Background(), req, nil)
	var ce *ClientError
	if !errors.As(err, &ce) || ce.Line != 2 || ce.File != cf {
		t.Fatalf("bad option: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	b, _ := os.ReadFile("testdata/ssh_G.txt")
	f.Add(string(b))
	f.Add("host x\nport 22\n")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(strings.NewReader(s), "fuzz")
		if err == nil {
			_ = c.Port()
			_ = c.ConnectTimeout()
		}
	})
}

func FuzzFallback(f *testing.F) {
	f.Add("Host a b !c\n HostName x\nInclude none\nMatch all\n Port 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		p := &parser{c: New("fuzz"), host: "a", home: t.TempDir()}
		_ = p.parse(strings.NewReader(s), "fuzz", 0)
	})
}
