//go:build linux

package server_test

import (
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// A ChrootDirectory that the user owns (their home, as sshd_config
// examples for sftp-only users often write it) lets authentication pass
// and then ends every session: server names the component, and after the
// printed fix sftp works while a shell is refused (ForceCommand
// internal-sftp), as the findings say.
func TestLabChrootOwnedByUser(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{Match: "Match User " + s.u.Name + "\n  ChrootDirectory %h\n  ForceCommand internal-sftp\n"})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh with a bad chroot: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.chroot", 1)
	f := d.Finding("server.chroot")
	if f.Evidence["component"] != s.u.Home || f.Evidence["chroot_path"] != s.u.Home {
		t.Fatalf("chroot evidence %v", f.Evidence)
	}
	fix := fixCommand(d)
	if !strings.Contains(fix, "chown root:root "+s.u.Home) {
		t.Fatalf("fix %q", fix)
	}
	mustRun(t, "sh", "-c", strings.ReplaceAll(fix, "sudo ", ""))
	d = s.doctor(s.u.Name)
	expect(t, d, "ok", 0)
	if d.Finding("server.chroot_ok") == nil || d.Finding("server.sftp_only") == nil {
		t.Fatalf("after the fix:\n%s", summarize(&d.Report))
	}
	r := s.ssh(s.u.Name, "true")
	if r.ExitCode == 0 || !strings.Contains(r.Stdout+r.Stderr, "This service allows sftp connections only") {
		t.Fatalf("ssh to an sftp-only user: exit %d %q %q", r.ExitCode, r.Stdout, r.Stderr)
	}
	sftp := s.l.Client.Run(t, "sh", "-c", "echo pwd | sftp -b - -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -i "+s.priv+" "+s.u.Name+"@"+lab.ServerAddr)
	if sftp.ExitCode != 0 || !strings.Contains(sftp.Stdout, "Remote working directory: /") {
		t.Fatalf("sftp after the fix: exit %d %q %q", sftp.ExitCode, sftp.Stdout, sftp.Stderr)
	}
}

// sshd -t accepts a file with removed options and a missing host key, with
// exit status 0 and warnings: each becomes a warning with file and line,
// and logins still work.
func TestLabSSHDTestWarnings(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{Config: "UsePrivilegeSeparation sandbox\nRSAAuthentication yes\nHostKey /etc/ssh/sshdoctor_missing_host_key"})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	if d.ExitCode != 0 {
		t.Fatalf("exit %d\n%s", d.ExitCode, summarize(&d.Report))
	}
	lines := map[string]bool{}
	for _, c := range d.Report.Checks {
		for _, f := range c.Findings {
			if f.Code == "server.config_deprecated" {
				lines[f.Evidence["sshd_said"]] = true
			}
		}
	}
	if len(lines) != 2 || !lines[s.sshd.Config+" line 1: Deprecated option UsePrivilegeSeparation"] {
		t.Fatalf("deprecated findings %v\n%s", lines, summarize(&d.Report))
	}
	if f := d.Finding("server.hostkey_unloadable"); f == nil || f.Severity != "warning" ||
		!strings.Contains(f.Title, "/etc/ssh/sshdoctor_missing_host_key") {
		t.Fatalf("host key warning: %+v", f)
	}
}

// Old names of options still set them: "DSAAuthentication no" turns off
// every public key, and ChallengeResponseAuthentication is
// KbdInteractiveAuthentication (first value wins across both names).
func TestLabOptionAliases(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{Config: "ChallengeResponseAuthentication no\nKbdInteractiveAuthentication yes\nDSAAuthentication no"})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Permission denied") {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.pubkey_auth_disabled", 1)
	if got := d.Finding("server.pubkey_auth_disabled").Evidence["set_in"]; got != s.sshd.Config+":3" {
		t.Errorf("PubkeyAuthentication set_in %q, want line 3 (DSAAuthentication)", got)
	}
	ov := d.Finding("server.config_override")
	if ov == nil || !strings.Contains(ov.Evidence["in_force"], s.sshd.Config+":1") || !strings.Contains(ov.Evidence["ignored"], ":2") {
		t.Fatalf("override finding: %+v\n%s", ov, summarize(&d.Report))
	}
}
