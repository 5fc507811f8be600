package sshlog

import (
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/diag"
)

func commands(f *diag.Finding) []string {
	var out []string
	for _, x := range f.Fixes {
		if x.Command != "" {
			out = append(out, x.Command)
		}
	}
	return out
}

// The fixes explain gives for refused files and unreadable keys, filled
// from what the text shows: chmod and chown on Unix, icacls for
// PowerShell on Windows, a placeholder or advice where the text is silent.
func TestPermFixes(t *testing.T) {
	client := []struct{ text, code, want string }{
		{"Bad owner or permissions on /home/sshlab/.ssh/config\n", "perm.ssh_config",
			"chmod 600 /home/sshlab/.ssh/config\nchown \"$(id -un)\" /home/sshlab/.ssh/config"},
		{"Bad owner or permissions on C:\\Users\\al/.ssh/config\n", "perm.ssh_config",
			`icacls "C:\Users\al\.ssh\config" /inheritance:r /grant:r "${env:USERDOMAIN}\${env:USERNAME}:F" /grant:r "*S-1-5-18:F" | icacls "C:\Users\al\.ssh\config"`},
		{"Load key \"/home/u/key.ppk\": invalid format\nu@h: Permission denied (publickey).\n", "key.invalid_format",
			"puttygen /home/u/key.ppk -O private-openssh -o /home/u/key_openssh"},
		{"Load key \"C:\\Users\\u\\key.PPK\": invalid format\nu@h: Permission denied (publickey).\n", "key.invalid_format",
			`puttygen "C:\Users\u\key.PPK"`},
		{"Load key \"/home/u/id.pub\": invalid format\ndebug1: Authenticating to h:2222 as 'u'\nu@h: Permission denied (publickey).\n", "key.invalid_format",
			"ssh -i /home/u/id -p 2222 u@h"},
		{"Load key \"/home/u/id_x\": error in libcrypto\nu@h: Permission denied (publickey).\n", "key.invalid_format",
			"ssh-keygen -y -f /home/u/id_x | cp /home/u/id_x /home/u/id_x.bak && perl -0pi -e 's/\\r\\n/\\n/g; s/\\A.*?(?=-----BEGIN)//s; $_ .= \"\\n\" unless /\\n\\z/' /home/u/id_x && ssh-keygen -y -f /home/u/id_x"},
	}
	for _, c := range client {
		a := explainText(t, c.text)
		var f *diag.Finding
		for _, x := range a.Findings {
			if x.Code == c.code {
				f = x
			}
		}
		if f == nil {
			t.Errorf("%q: no %s", c.text, c.code)
			continue
		}
		if got := strings.Join(commands(f), " | "); got != c.want {
			t.Errorf("%q: fixes\n%s\nwant\n%s", c.text, got, c.want)
		}
	}
	server := []struct{ line, code, want string }{
		// ~/.ssh is the user's, but this line names no user: the chown
		// is left to the advice.
		{"Authentication refused: bad ownership or modes for directory /home/al/.ssh", "server.strictmodes", "sudo chmod go-w /home/al/.ssh"},
		// A directory above the home may rightly be root's: never
		// given to the user.
		{"Authentication refused: bad ownership or modes for directory /home", "server.strictmodes", "sudo chmod go-w /home"},
		{"Could not open user 'sshlab' authorized keys '/home/sshlab/.ssh/authorized_keys': Permission denied", "server.authkeys_unreadable",
			"sudo chown -R sshlab: /home/sshlab/.ssh | sudo restorecon -Rv /home/sshlab/.ssh"},
		// Keys kept outside the home: no chown of a system directory.
		{"Could not open user 'sshlab' authorized keys '/etc/ssh/keys/sshlab': Permission denied", "server.authkeys_unreadable", "sudo restorecon -Rv /etc/ssh/keys"},
		{"User 'sshlab' authorized keys '/etc/ssh/keys/sshlab' is not a regular file", "server.authkeys_unreadable", ""},
		// Windows: the file and the account as placeholders when the
		// log does not name them; Administrators for their own file.
		{"Authentication refused.", "server.strictmodes", `icacls FILE /inheritance:r /grant:r "USER:F" /grant:r "*S-1-5-18:F"`},
		{"debug1: Could not open authorized keys 'C:/ProgramData/ssh/administrators_authorized_keys': Permission denied", "server.authkeys_unreadable",
			`icacls "C:\ProgramData\ssh\administrators_authorized_keys" /inheritance:r /grant "*S-1-5-32-544:F" /grant "*S-1-5-18:F"`},
		{"debug1: Could not open authorized keys 'C:\\Users\\al\\.ssh\\authorized_keys': Permission denied", "server.authkeys_unreadable",
			`icacls "C:\Users\al\.ssh\authorized_keys" /inheritance:r /grant:r "USER:F" /grant:r "*S-1-5-18:F"`},
	}
	for _, c := range server {
		e, ok := ClassifyServerLine("Nov 22 10:00:01 h sshd[7]: " + c.line)
		if !ok || e.Code != c.code {
			t.Errorf("%q: classified %q, want %s", c.line, e.Code, c.code)
			continue
		}
		f := e.Finding()
		if got := strings.Join(commands(f), " | "); got != c.want {
			t.Errorf("%q: fixes\n%s\nwant\n%s", c.line, got, c.want)
		}
		if len(f.Fixes) == 0 {
			t.Errorf("%q: no fix at all", c.line)
		}
		if strings.HasPrefix(f.Fixes[0].Command, "icacls") && strings.Contains(strings.Join(commands(f), " "), "chmod") {
			t.Errorf("%q: chmod for Windows", c.line)
		}
	}
}
