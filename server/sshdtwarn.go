package server

import (
	"fmt"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

var (
	// servconf.c: "%s line %d: Deprecated option %s" / "Unsupported option %s".
	deprecatedRE = lazyre.New(`^(.+?):? line (\d+): (Deprecated|Unsupported) option (\S+)`)
	// sshd.c: "Unable to load host key: %s" and "Unable to load host key "%s": %s".
	hostKeyWarnRE = lazyre.New(`^Unable to load host key:? "?([^"]+?)"?(?:: (.+))?$`)
	// sshd.c: "Could not load host certificate "%s": %s".
	hostCertWarnRE = lazyre.New(`^Could not load host certificate:? "?([^"]+?)"?(?:: (.+))?$`)
)

// sshdTestWarnings reads what `sshd -t` printed although it accepted the
// configuration (exit status 0): options this sshd ignores, host keys and
// certificates it could not load. Each is a warning: sshd starts, but a
// line does nothing, or clients that expect that key or certificate fail.
func sshdTestWarnings(out string, d *discovery, root bool) []*diag.Finding {
	var findings []*diag.Finding
	seen := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || seen[line] {
			continue
		}
		seen[line] = true
		switch {
		case deprecatedRE.MatchString(line):
			m := deprecatedRE.FindStringSubmatch(line)
			f := diag.NewFinding("server.config_deprecated").Sev(diag.SevWarning).
				Arg("keyword", m[4]).Arg("file", m[1]).Arg("line", m[2]).Ev("sshd_said", line)
			f.Fix("fix.server_remove_deprecated", fmt.Sprintf("sudo sed -i '%ss/^/#/' %s && %s", m[2], shq(m[1]), d.testCommand()))
			findings = append(findings, f)
		case hostCertWarnRE.MatchString(line) && root:
			m := hostCertWarnRE.FindStringSubmatch(line)
			f := diag.NewFinding("server.hostcert_unloadable").Sev(diag.SevWarning).Arg("path", m[1]).Ev("sshd_said", line)
			f.Fix("fix.server_hostcert", "ls -l "+shq(m[1]))
			findings = append(findings, f)
		case hostKeyWarnRE.MatchString(line) && root: // as a plain user every host key is unreadable
			m := hostKeyWarnRE.FindStringSubmatch(line)
			f := diag.NewFinding("server.hostkey_unloadable").Sev(diag.SevWarning).Arg("path", m[1]).Ev("sshd_said", line)
			f.Fix("fix.server_generate_hostkeys", fmt.Sprintf("sudo ssh-keygen -q -N '' -t %s -f %s", keyTypeFromName(m[1]), shq(m[1])))
			f.Fix("fix.server_drop_hostkey_line", "grep -n "+shq(m[1])+" "+shq(d.Config))
			findings = append(findings, f)
		}
	}
	return findings
}
