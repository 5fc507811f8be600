package exporter

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig(strings.NewReader(`
modules:
  ssh_deploy:
    user: deploy
    identity_files: [/etc/sshdoctor/id_ed25519]
    options: {ConnectTimeout: "3"}
    timeout: 2s
    probe_timeout: 8s
    no_login: false
    ip_protocol: ip4
  quick: {}
`), "m.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := c.Modules["ssh_deploy"].Fill()
	if m.User != "deploy" || m.Timeout != 2*time.Second || m.ProbeTimeout != 8*time.Second || *m.NoLogin || m.SortedOptions()[0] != "ConnectTimeout=3" {
		t.Fatalf("module %+v", m)
	}
	q := c.Modules["quick"].Fill()
	if q.Timeout != DefaultTimeout || !*q.NoLogin {
		t.Fatalf("defaults %+v", q)
	}
	for _, bad := range []string{"", "modules: {}\n", "modules:\n  a:\n    usr: x\n", "modules:\n  a:\n    ip_protocol: ip5\n",
		"modules:\n  a:\n    timeout: -1s\n", "modules:\n  'a b': {}\n", "modules:\n  a:\n    options: {'Bad Key': x}\n", "[1,2]"} {
		if _, err := ParseConfig(strings.NewReader(bad), "m.yml"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestCleanLabel(t *testing.T) {
	if got := cleanLabel("OpenSSH_9.6\x1b[31m"); got != "OpenSSH_9.6?[31m" {
		t.Errorf("%q", got)
	}
	if got := cleanLabel(strings.Repeat("é", 200)); len(got) > maxLabelValue {
		t.Errorf("%d bytes", len(got))
	}
}
