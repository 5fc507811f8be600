package client

import (
	"os"
	"path/filepath"
	"testing"
)

func TestConfigMayName(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".ssh", "conf.d"), 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(rel, text string) string {
		p := filepath.Join(home, rel)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const kw = "hostkeyalgorithms"
	plain := write("plain", "Host *\n  User alice\n  IdentityFile ~/.ssh/id_ed25519\n")
	named := write("named", "Host old\n  hostKeyAlgorithms=+ssh-rsa\n")
	write(".ssh/conf.d/a.conf", "Host x\n  Port 2222\n")
	write(".ssh/conf.d/b.conf", "Host y\n  HostKeyAlgorithms ssh-ed25519\n")
	incClean := write("inc-clean", "Include conf.d/a.conf\nInclude conf.d/missing-*.conf\n")
	incNamed := write("inc-named", "Include=conf.d/*.conf\n")
	incAbs := write("inc-abs", "Include "+filepath.Join(home, ".ssh", "conf.d", "b.conf")+"\n")
	incTilde := write("inc-tilde", "include ~/.ssh/conf.d/b.conf\n")
	incToken := write("inc-token", "Include ~/.ssh/%h.conf\n")
	loop := write("loop", "Include "+filepath.Join(home, "loop")+"\n")
	for _, c := range []struct {
		file string
		want bool
	}{
		{plain, false},
		{named, true},
		{incClean, false},
		{incNamed, true},
		{incAbs, true},
		{incTilde, true},
		{incToken, true}, // not followed: counts as naming it
		{loop, true},     // deeper than ssh goes: doubt
		{filepath.Join(home, "absent"), false},
		{"none", false},
	} {
		if got := configMayName(c.file, home, kw); got != c.want {
			t.Errorf("%s: %v, want %v", filepath.Base(c.file), got, c.want)
		}
	}
	// Without -F: ~/.ssh/config (and the system file) are read.
	write(".ssh/config", "Include conf.d/b.conf\n")
	if !configMayName("", home, kw) {
		t.Error("~/.ssh/config including a file that names it")
	}
	if configMayName("", "", kw) != true {
		t.Error("no home: doubt")
	}
}
