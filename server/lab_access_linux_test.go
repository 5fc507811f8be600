//go:build linux

package server_test

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lab"
	"github.com/sshdoctor/sshdoctor/report"
)

// fixesOf returns the fixes of the finding with code (failing when there
// is none).
func fixesOf(t *testing.T, d lab.Doctor, code string) []report.Fix {
	t.Helper()
	f := d.Finding(code)
	if f == nil {
		t.Fatalf("no %s finding:\n%s", code, summarize(&d.Report))
	}
	return f.Fixes
}

// fixWith returns the first fix whose command contains part, or fails.
func fixWith(t *testing.T, fixes []report.Fix, part string) report.Fix {
	t.Helper()
	for _, x := range fixes {
		if strings.Contains(x.Command, part) {
			return x
		}
	}
	t.Fatalf("no fix command with %q in %+v", part, fixes)
	return report.Fix{}
}

// runFix runs a printed fix on the server as root (the lab runs as root,
// and has no sudo).
func (s *scenario) runFix(command string) lab.Result {
	s.t.Helper()
	return s.l.Server.Run(s.t, "sh", "-c", strings.ReplaceAll(command, "sudo ", ""))
}

// sshUntil retries ssh until it succeeds (sshd takes a moment to reload).
func (s *scenario) sshUntil(d time.Duration) lab.Result {
	s.t.Helper()
	var r lab.Result
	for end := time.Now().Add(d); ; time.Sleep(200 * time.Millisecond) {
		if r = s.ssh(s.u.Name, "true"); r.ExitCode == 0 || time.Now().After(end) {
			return r
		}
	}
}

// AllowUsers without the user: the printed command that shows sshd's
// rules prints the AllowUsers line from the real sshd, and the printed
// edit (append the user, test, reload) lets the user in.
func TestLabAllowUsersFixesWork(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{Config: "AllowUsers nobody-else"})
	d := s.doctor(s.u.Name)
	expect(t, d, "server.allowusers", 1)
	fixes := fixesOf(t, d, "server.allowusers")
	show := fixWith(t, fixes, " -T -C user="+s.u.Name+",host="+lab.ClientAddr+",addr="+lab.ClientAddr)
	if r := s.runFix(show.Command); !strings.Contains(strings.ToLower(r.Stdout), "allowusers nobody-else") {
		t.Fatalf("%q printed %q %q", show.Command, r.Stdout, r.Stderr)
	}
	edit := fixWith(t, fixes, "sed -i")
	if r := s.runFix(edit.Command); r.ExitCode != 0 {
		t.Fatalf("%q: exit %d %s", edit.Command, r.ExitCode, r.Stderr)
	}
	if r := s.sshUntil(5 * time.Second); r.ExitCode != 0 {
		t.Fatalf("ssh after %q: exit %d %s", edit.Command, r.ExitCode, r.Stderr)
	}
}

// DenyUsers with the user's pattern alone on the line: the printed fix
// comments the line out, tests and reloads, and the user gets in; with
// other patterns beside it, only the matching one is removed.
func TestLabDenyUsersFixesWork(t *testing.T) {
	for _, c := range []struct{ name, line, want string }{
		{"alone", "DenyUsers USER", "s/^/#/"},
		{"among others", "DenyUsers root USER nobody", "s/[[:space:]]USER([[:space:]]|$)/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newScenario(t, lab.UserOptions{})
			s.start(lab.SSHDOptions{Config: strings.ReplaceAll(c.line, "USER", s.u.Name)})
			d := s.doctor(s.u.Name)
			expect(t, d, "server.denyusers", 1)
			edit := fixWith(t, fixesOf(t, d, "server.denyusers"), strings.ReplaceAll(c.want, "USER", s.u.Name))
			if r := s.runFix(edit.Command); r.ExitCode != 0 {
				t.Fatalf("%q: exit %d %s", edit.Command, r.ExitCode, r.Stderr)
			}
			if r := s.sshUntil(5 * time.Second); r.ExitCode != 0 {
				t.Fatalf("ssh after %q: exit %d %s", edit.Command, r.ExitCode, r.Stderr)
			}
		})
	}
}

// DenyGroups naming one of the user's supplementary groups: the printed
// gpasswd takes the user out of it and the next login works.
func TestLabDenyGroupsFixWorks(t *testing.T) {
	g := fmt.Sprintf("sdg%d", time.Now().UnixNano()%100000000)
	t.Cleanup(func() { _ = exec.Command("groupdel", g).Run() })
	s := newScenario(t, lab.UserOptions{Groups: []string{g}})
	s.start(lab.SSHDOptions{Config: "DenyGroups " + g})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.denygroups", 1)
	leave := fixWith(t, fixesOf(t, d, "server.denygroups"), "gpasswd -d "+s.u.Name+" "+g)
	if r := s.runFix(leave.Command); r.ExitCode != 0 {
		t.Fatalf("%q: exit %d %s", leave.Command, r.ExitCode, r.Stderr)
	}
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
		t.Fatalf("ssh after %q: exit %d %s", leave.Command, r.ExitCode, r.Stderr)
	}
}

// explainLog runs `sshdoctor explain` on the lab sshd's log, as a person
// would paste it.
func (s *scenario) explainLog() lab.Doctor {
	s.t.Helper()
	return s.l.Server.RunDoctor(s.t, "explain", s.sshd.LogFile)
}

// commandsOf lists the fix commands of a finding.
func commandsOf(fixes []report.Fix) []string {
	var out []string
	for _, x := range fixes {
		out = append(out, x.Description+": "+x.Command)
	}
	return out
}

// A ChrootDirectory the user owns: explain, reading the line the real
// sshd logged, gives the check's fixes for the directory it names (the
// user, which that line does not name, as the placeholder USER).
func TestLabChrootSameFixesInExplain(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{Match: "Match User " + s.u.Name + "\n  ChrootDirectory %h\n  ForceCommand internal-sftp\n"})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh with a bad chroot: exit %d %s", r.ExitCode, r.Stderr)
	}
	check := commandsOf(fixesOf(t, s.doctor(s.u.Name), "server.chroot"))
	explain := commandsOf(fixesOf(t, s.explainLog(), "server.chroot"))
	// sshd logs the chroot failure from the session's own process, which
	// names no user: explain shows the placeholder where the check knows.
	same := func(c, e string) bool {
		return c == e || strings.ReplaceAll(c, "chown "+s.u.Name+": ", "chown USER: ") == e
	}
	if len(check) != 2 || len(explain) != 2 || !same(check[0], explain[0]) || !same(check[1], explain[1]) {
		t.Fatalf("check fixes\n  %s\nexplain fixes\n  %s", strings.Join(check, "\n  "), strings.Join(explain, "\n  "))
	}
}

// A ChrootDirectory that does not exist: the printed fix creates it as
// sshd wants it, and the check then finds it safe.
func TestLabChrootMissingFixWorks(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	dir := "/srv/" + s.u.Name + "-jail"
	t.Cleanup(func() { _ = exec.Command("rm", "-rf", dir).Run() })
	s.start(lab.SSHDOptions{Match: "Match User " + s.u.Name + "\n  ChrootDirectory " + dir + "\n  ForceCommand internal-sftp\n"})
	d := s.doctor(s.u.Name)
	expect(t, d, "server.chroot", 1)
	mk := fixWith(t, fixesOf(t, d, "server.chroot"), "mkdir -p "+dir)
	if r := s.runFix(mk.Command); r.ExitCode != 0 {
		t.Fatalf("%q: exit %d %s", mk.Command, r.ExitCode, r.Stderr)
	}
	if d = s.doctor(s.u.Name); d.Finding("server.chroot_ok") == nil {
		t.Fatalf("after %q:\n%s", mk.Command, summarize(&d.Report))
	}
}

// akcFixesWork checks the fixes of an AuthorizedKeysCommand sshd could not
// use, in the check and in explain reading the real sshd's log: the
// command to look at a missing program; for a program under /tmp, moving
// it (never a chmod of /tmp, which every user needs); for one its user
// cannot reach, ls as that user, which shows why; for a failing one, the
// command line as sshd ran it, which, run by hand, shows its error.
func akcFixesWork(t *testing.T, s *scenario, name string, d lab.Doctor, cmdline string) {
	t.Helper()
	prog := strings.Fields(cmdline)[0]
	check := fixesOf(t, d, "server.akc_error")
	explain := fixesOf(t, s.explainLog(), "server.akc_error")
	for _, fixes := range [][]report.Fix{check, explain} {
		for _, x := range fixes {
			if strings.Contains(x.Command, "chmod") && strings.Contains(x.Command, "/tmp ") || strings.HasSuffix(x.Command, "/tmp") {
				t.Errorf("a fix changes /tmp: %q", x.Command)
			}
		}
		fixWith(t, fixes, "-T | grep -i -E '^authorized(keys|principals)command'")
	}
	switch name {
	case "missing":
		for _, fixes := range [][]report.Fix{check, explain} {
			fixWith(t, fixes, "ls -l "+prog)
		}
	case "unsafe":
		for _, fixes := range [][]report.Fix{check, explain} {
			found := false
			for _, x := range fixes {
				found = found || x.Command == "" && strings.Contains(x.Description, "/usr/local/libexec")
			}
			if !found {
				t.Errorf("no advice to move the command: %+v", fixes)
			}
		}
	case "unreachable":
		// sshd looks the command up as AuthorizedKeysCommandUser; the
		// check names that user, explain (whose line does not) USER.
		reach := fixWith(t, check, "sudo -u nobody ls -l "+prog)
		fixWith(t, explain, "sudo -u USER ls -l "+prog)
		by := strings.Replace(reach.Command, "sudo -u nobody ", "runuser -u nobody -- ", 1)
		if r := s.l.Server.Run(t, "sh", "-c", by); r.ExitCode == 0 || !strings.Contains(r.Stderr, "Permission denied") {
			t.Errorf("%q: exit %d %q", by, r.ExitCode, r.Stderr)
		}
	case "failing":
		run := fixWith(t, check, "sudo -u nobody "+prog+" "+s.u.Name)
		by := strings.Replace(run.Command, "sudo -u nobody ", "runuser -u nobody -- ", 1)
		if r := s.l.Server.Run(t, "sh", "-c", by); r.ExitCode != 3 || !strings.Contains(r.Stderr, "lookup failed") {
			t.Errorf("%q: exit %d %q", by, r.ExitCode, r.Stderr)
		}
	}
}
