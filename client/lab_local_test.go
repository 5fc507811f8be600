//go:build linux

package client_test

import (
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// The destination is this machine (run inside the server namespace, to its
// own address) and the port refuses: the server command's service and
// listener checks join the report, seen from the same network namespace.
func TestLabLocalTargetRefused(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	s.lab.StartSSHD(t, lab.SSHDOptions{}) // listens on 22, not on 2222
	d := s.lab.Server.RunDoctorEnv(t, []string{"SSH_AUTH_SOCK=", "HOME=" + s.dir},
		"check", "-F", s.cfgFile, "--timeout", "2s", "-p", "2222", "alice@"+lab.ServerAddr)
	expect(t, d, "tcp.refused", 1)
	for _, name := range []string{"server-sshd", "server-listeners"} {
		c := d.Check(name)
		if c == nil || c.Status == "" {
			t.Fatalf("%s not in the report:\n%s", name, d.Stdout)
		}
	}
	// The listeners check reads this namespace: sshd on 22, nothing on 2222.
	l := d.Check("server-listeners")
	var text strings.Builder
	for _, f := range l.Findings {
		text.WriteString(f.Title + " " + f.Explanation)
		for _, v := range f.Evidence {
			text.WriteString(" " + v)
		}
	}
	if !strings.Contains(text.String(), "2222") {
		t.Fatalf("listeners say nothing of port 2222: %s", text.String())
	}
	if r := s.lab.Server.Run(t, "ssh", "-F", s.cfgFile, "-p", "2222", "alice@"+lab.ServerAddr, "true"); !strings.Contains(r.Stderr, "Connection refused") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
	// A remote destination that refuses gets no server checks.
	d = s.doctor(t, "-p", "2222", "alice@"+lab.ServerAddr)
	if d.Check("server-sshd") != nil {
		t.Fatal("server checks for a remote destination")
	}
}
