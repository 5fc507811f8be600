// Package winsshd knows the OpenSSH Server of Windows: where it keeps its
// files, and the default "Match Group administrators" block that sends the
// keys of every administrator to one shared file. Plain Go over text (the
// sshd log, sshd_config), so it is tested anywhere.
package winsshd

import (
	"bufio"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"github.com/sshdoctor/sshdoctor/internal/winacl"
)

// Paths of the OpenSSH Server of Windows (%ProgramData% is C:\ProgramData
// unless moved).
const (
	SSHDConfig      = `C:\ProgramData\ssh\sshd_config`
	AdminKeys       = `C:\ProgramData\ssh\administrators_authorized_keys`
	LogFile         = `C:\ProgramData\ssh\logs\sshd.log`
	adminKeysSuffix = "/ssh/administrators_authorized_keys"
)

var (
	tryingRE = lazyre.New(`trying public key file (\S+)`)
	openRE   = lazyre.New(`Failed to open file:(\S*)`)
	matchRE  = lazyre.New(`(?i)^\s*Match\s+Group\s+administrators\s*$`)
)

// maxLines bounds what is read of a log.
const maxLines = 200000

// FromText finds, in an sshd log of Windows, sshd reading the shared
// administrators' key file: the account is an administrator, and its own
// ~/.ssh/authorized_keys is not read at all. When sshd could not open the
// file, that is the failure; otherwise it is said as a warning.
func FromText(text string) []*diag.Finding {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var trying string
	failed := ""
	n := 0
	for sc.Scan() {
		if n++; n > maxLines {
			break
		}
		l := sc.Text()
		if m := tryingRE.FindStringSubmatch(l); m != nil {
			p := strings.ReplaceAll(m[1], `\`, "/")
			if strings.HasSuffix(strings.ToLower(p), adminKeysSuffix) {
				trying = strings.TrimSpace(l)
				failed = ""
			} else {
				trying = ""
			}
			continue
		}
		if trying != "" && failed == "" {
			if m := openRE.FindStringSubmatch(l); m != nil {
				failed = strings.TrimSpace(l)
			}
		}
	}
	if trying == "" {
		return nil
	}
	f := diag.NewFinding("server.windows_admin_keys").Arg("file", AdminKeys).Ev("sshd_log", trying)
	if failed != "" {
		f.Ev("sshd_log", failed)
	} else {
		f.Sev(diag.SevWarning)
	}
	cmds := append([]string{`Get-Content "$HOME\.ssh\authorized_keys" | Add-Content "` + AdminKeys + `"`}, winacl.AdminKeysFix(AdminKeys)...)
	f.Fix("fix.windows_admin_keys", strings.Join(cmds, "\n"))
	f.Fix("fix.windows_admin_keys_match", `Select-String -Path "`+SSHDConfig+`" -Pattern 'Match Group administrators' -Context 0,1`)
	return []*diag.Finding{f}
}

// AdminMatchActive says whether an sshd_config holds the (uncommented)
// "Match Group administrators" block.
func AdminMatchActive(config string) bool {
	for _, l := range strings.Split(config, "\n") {
		if matchRE.MatchString(strings.TrimRight(l, "\r")) {
			return true
		}
	}
	return false
}
