package sshconfig

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestHostAliases(t *testing.T) {
	home := t.TempDir()
	ssh := filepath.Join(home, ".ssh")
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(ssh, "config"), `# hosts
Host web1 web2 !bad
  HostName 198.18.0.2
Host *.internal db? *
  User x
Host="quoted"
Include conf.d/*.conf
Match host build
  User y
Host web1
`)
	write(filepath.Join(ssh, "conf.d", "a.conf"), "Host build-box\n  Port 2222\nInclude ~/.ssh/conf.d/loop.conf\n")
	write(filepath.Join(ssh, "conf.d", "loop.conf"), "Host loop\nInclude ~/.ssh/conf.d/loop.conf\n")

	got := HostAliases(filepath.Join(ssh, "config"), home)
	if want := "build-box loop quoted web1 web2"; strings.Join(got, " ") != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := HostAliases(filepath.Join(ssh, "missing"), home); len(got) != 0 {
		t.Fatalf("missing file: %q", got)
	}
}

// A config with more Host names than a completion should ever list stops
// at the bound instead of growing without limit.
func TestHostAliasesBounded(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range maxAliases + 500 {
		b.WriteString("Host h" + strings.Repeat("x", i%7) + "-" + strconv.Itoa(i) + "\n")
	}
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if n := len(HostAliases(cfg, dir)); n != maxAliases {
		t.Fatalf("%d names", n)
	}
}
