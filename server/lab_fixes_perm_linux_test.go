//go:build linux

package server_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
	"github.com/sshdoctor/sshdoctor/report"
)

func fixCommands(fs []report.Fix) []string {
	var out []string
	for _, f := range fs {
		if f.Command != "" {
			out = append(out, f.Command)
		}
	}
	return out
}

// applyChowns runs, as root, the chown fixes among cmds (without sudo).
func applyChowns(t *testing.T, cmds []string) int {
	t.Helper()
	n := 0
	for _, c := range cmds {
		if !strings.HasPrefix(c, "sudo chown ") {
			continue
		}
		n++
		if out, err := exec.Command("sh", "-c", strings.ReplaceAll(c, "sudo ", "")).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", c, err, out)
		}
	}
	return n
}

// The check and explain give the same fixes for a refused ~/.ssh: every
// command the check gives, explain gives too, and explain's own commands,
// run as they are, make ssh work.
func TestLabStrictModesFixesInExplain(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	dir := filepath.Join(s.u.Home, ".ssh")
	mustRun(t, "chmod", "0777", dir)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh with ~/.ssh 0777: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.strictmodes", 1)
	e := s.explainLog()
	if e.Report.Diagnosis.Code != "server.strictmodes" || e.ExitCode != 1 {
		t.Fatalf("explain: diagnosis %q exit %d\n%s", e.Report.Diagnosis.Code, e.ExitCode, e.Stdout)
	}
	got := fixCommands(e.Report.Diagnosis.Fixes)
	for _, c := range fixCommands(d.Report.Diagnosis.Fixes) {
		if !contains(got, c) {
			t.Errorf("the check gives %q, explain does not: %q", c, got)
		}
	}
	for _, c := range got {
		if out, err := exec.Command("sh", "-c", strings.ReplaceAll(c, "sudo ", "")).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", c, err, out)
		}
	}
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
		t.Fatalf("after explain's fixes %q: exit %d %s", got, r.ExitCode, r.Stderr)
	}
}

// authorized_keys that the user cannot open: the check gives the chown of
// the file, explain (which sees only the path) the chown of ~/.ssh; both
// are the same fix, and explain's makes ssh work.
func TestLabAuthKeysUnreadableFixesInExplain(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	other := lab.AddUser(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	ak := filepath.Join(s.u.Home, ".ssh", "authorized_keys")
	mustRun(t, "chown", other.Name, ak)
	mustRun(t, "chmod", "0600", ak)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.authkeys_unreadable", 1)
	if c := fixCommand(d); c != "sudo chown "+s.u.Name+": "+ak {
		t.Fatalf("check: fix %q", c)
	}
	e := s.explainLog()
	if e.Report.Diagnosis.Code != "server.authkeys_unreadable" || e.ExitCode != 1 {
		t.Fatalf("explain: diagnosis %q exit %d\n%s", e.Report.Diagnosis.Code, e.ExitCode, e.Stdout)
	}
	if d.Report.Diagnosis.Fixes[0].Description != e.Report.Diagnosis.Fixes[0].Description {
		t.Errorf("check %q, explain %q", d.Report.Diagnosis.Fixes[0].Description, e.Report.Diagnosis.Fixes[0].Description)
	}
	got := fixCommands(e.Report.Diagnosis.Fixes)
	if applyChowns(t, got) != 1 {
		t.Fatalf("explain's fixes %q: want one chown", got)
	}
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
		t.Fatalf("after explain's fixes %q: exit %d %s", got, r.ExitCode, r.Stderr)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// authorized_keys that is a directory: sshd refuses it before StrictModes
// looks ("is not a regular file"); the check names the same cause as
// explain does from that log line, with the same fix.
func TestLabAuthKeysNotRegularFile(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	ak := filepath.Join(s.u.Home, ".ssh", "authorized_keys")
	mustRun(t, "rm", ak)
	mustRun(t, "mkdir", "-m", "0700", ak)
	mustRun(t, "chown", s.u.Name, ak)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.authkeys_unreadable", 1)
	f := d.Finding("server.authkeys_unreadable")
	e := s.explainLog()
	if e.Report.Diagnosis.Code != "server.authkeys_unreadable" || e.ExitCode != 1 {
		t.Fatalf("explain: diagnosis %q exit %d\n%s", e.Report.Diagnosis.Code, e.ExitCode, e.Stdout)
	}
	if !strings.Contains(e.Stdout, f.Evidence["sshd_log"]) {
		t.Errorf("the check quotes %q, which sshd did not log:\n%s", f.Evidence["sshd_log"], e.Stdout)
	}
	if len(f.Fixes) != 1 || len(e.Report.Diagnosis.Fixes) != 1 || f.Fixes[0] != e.Report.Diagnosis.Fixes[0] || !strings.Contains(f.Fixes[0].Description, "regular file") {
		t.Fatalf("check %+v, explain %+v", f.Fixes, e.Report.Diagnosis.Fixes)
	}
}
