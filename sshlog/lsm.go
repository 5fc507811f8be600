package sshlog

import (
	"path"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
)

// Denials by the kernel's security modules (SELinux, AppArmor) of sshd's
// own processes, as pasted from audit.log, `ausearch`, `journalctl -k` or
// dmesg. sshd itself logs nothing but a missing file: the denial is the
// only trace of why a key file with correct modes is not read. Only
// enforced denials count: SELinux's permissive=1 and AppArmor's
// ALLOWED (complain mode) let the access through.
func lsmRules() []rule {
	def := []ruleDef{
		// avc:  denied  { read } for  pid=… comm="sshd" name="authorized_keys" … tcontext=u:r:admin_home_t:s0 tclass=file permissive=0
		// (ausearch -i prints the same fields unquoted).
		{"lsm_selinux", `avc:\s+denied\s+\{ ([^}]+) \} for .*?\bcomm="?(sshd(?:-session|-auth)?)"?\s.*?\b(?:name|path)="?([^"\s]+)"?.*?\btcontext=[^:\s]+:[^:\s]+:([^:\s]+)(.*)$`},
		// apparmor="DENIED" operation="open" … profile="sshd" name="/home/u/.ssh/authorized_keys" … comm="sshd-session"
		{"lsm_apparmor", `apparmor="DENIED" operation="([^"]+)".*?\bprofile="([^"]*)".*?\bname="([^"]+)".*?\bcomm="?(sshd(?:-session|-auth)?)"?`},
	}
	return compileRules(def)
}

// loginFile tells the paths whose denial breaks a login: the key files
// and the directories sshd walks to reach them.
func loginFile(p string) bool {
	return strings.Contains(p, "authorized_keys") || strings.Contains(p, "/.ssh") || p == ".ssh" ||
		strings.Contains(p, "authorized_principals")
}

// lsmFindings explains the denials: the first one of a login file, or
// else the first one of any file.
func lsmFindings(c *clientFacts, loc locator) []*diag.Finding {
	var pick *hit
	var lsm string
	for _, name := range []string{"lsm_selinux", "lsm_apparmor"} {
		for _, i := range c.byRule[name] {
			h := &c.hits[i]
			if name == "lsm_selinux" && strings.Contains(h.m[5], "permissive=1") {
				continue
			}
			if pick == nil || loginFile(h.m[3]) && !loginFile(pick.m[3]) || loginFile(h.m[3]) == loginFile(pick.m[3]) && h.n < pick.n {
				pick, lsm = h, name
			}
		}
	}
	if pick == nil {
		return nil
	}
	f := diag.NewFinding("server.lsm_denied").Arg("path", quoteText(pick.m[3]))
	if lsm == "lsm_selinux" {
		f.Arg("lsm", "SELinux").Arg("program", pick.m[2])
		lineEv(f, loc, pick.n, pick.text)
		f.Ev("label", pick.m[4])
		if dir := path.Dir(pick.m[3]); strings.HasPrefix(pick.m[3], "/") && loginFile(pick.m[3]) {
			f.Fix("fix.lsm_restorecon", cmd("sudo restorecon -Rv %s", dir))
		} else {
			f.Fix("fix.lsm_restorecon_home", "")
		}
		f.Fix("fix.lsm_selinux_log", "sudo ausearch -m AVC -c sshd -ts recent")
		return []*diag.Finding{f}
	}
	f.Arg("lsm", "AppArmor").Arg("program", pick.m[4])
	lineEv(f, loc, pick.n, pick.text)
	f.Ev("profile", pick.m[2])
	f.Fix("fix.lsm_apparmor_profile", cmd("sudo grep -rn %s /etc/apparmor.d/", path.Base(pick.m[3])))
	return []*diag.Finding{f}
}
