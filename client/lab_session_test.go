//go:build linux

package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// MaxSessions 0 for the user: the login succeeds and the session channel
// is refused, as on accounts kept for forwarding only. OpenSSH's ssh says
// "channel 0: open failed: connect failed: open failed"; sshdoctor must
// name the refused session, not a closed connection.
func TestLabSessionChannelRefused(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{Match: "Match User sdu*\n  MaxSessions 0\n"}, lab.UserOptions{})
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "session.channel_refused", 1)
	mustContain(t, "reason", d.Finding("session.channel_refused").Title, "open failed")
	t.Logf("%s", d.Finding("session.channel_refused").Title)
	fixHas(t, d, "grep -i '^maxsessions'")
	r := a.ssh(t, "-i", a.priv, a.dest())
	if r.ExitCode != 255 || !strings.Contains(r.Stderr, "channel 0: open failed: connect failed: open failed") {
		t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
	}
}

// A ~/.bashrc that exits: sshd runs the command through the user's bash,
// which reads ~/.bashrc even when not interactive, so every login ends at
// once with its status. The login itself worked.
func TestLabSessionStartupFileFails(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{Shell: "/bin/bash"})
	rc := filepath.Join(a.user.Home, ".bashrc")
	if err := os.WriteFile(rc, []byte("echo 'bashrc: missing /opt/env.sh' >&2\nexit 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(rc, a.user.UID, a.user.GID); err != nil {
		t.Fatal(err)
	}
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "session.command_failed", 1)
	f := d.Finding("session.command_failed")
	mustContain(t, "title", f.Title, "exit 3")
	mustContain(t, "stderr", evidence(t, d, "session.command_failed", "stderr"), "bashrc: missing /opt/env.sh")
	fixHas(t, d, "sudo -u "+a.user.Name+" -i sh -c")
	r := a.ssh(t, "-i", a.priv, a.dest())
	if r.ExitCode != 3 || !strings.Contains(r.Stderr, "bashrc: missing /opt/env.sh") {
		t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
	}
}
