package cli

import (
	"path/filepath"
	"testing"
)

// winServerCaptures lays out a `server --captured` directory from
// server/testdata/windows (named in its SOURCES) and variants of them.
func winServerCaptures(t *testing.T, files ...wslFile) string {
	t.Helper()
	return capturedDir(t, "", files...)
}

func TestWindowsServerLiveScenarios(t *testing.T) {
	const td = "server/testdata/windows/"
	qc := wslFile{name: "sc-qc-sshd.txt", from: td + "sc-qc-sshd-beaker.txt"}
	running := wslFile{name: "sc-query-sshd.txt", from: td + "sc-query-audiosrv.txt", pairs: []string{"Audiosrv", "sshd", "Windows Audio", "OpenSSH SSH Server"}}
	for _, sc := range []platformScenario{
		{name: "sshd stopped after exit 1067", args: []string{"server", "--captured"},
			capture: winServerCaptures(t, qc, wslFile{name: "sc-query-sshd.txt", from: td + "sc-query-audiosrv.txt",
				pairs: []string{"Audiosrv", "sshd", "4  RUNNING", "1  STOPPED", "WIN32_EXIT_CODE    : 0  (0x0)", "WIN32_EXIT_CODE    : 1067  (0x42b)"}}),
			code: "server.windows_sshd_stopped", exit: 1,
			en:     []string{"The sshd service is not running (STOPPED)"},
			ja:     []string{"sshd サービスが動いていません (STOPPED)"},
			fix:    []string{"Start-Service sshd", "Set-Service -Name sshd -StartupType Automatic", `& "C:\Windows\System32\OpenSSH\sshd.exe" -d`},
			notFix: []string{"systemctl", "sudo "}},
		{name: "Authentication refused in the event log, WSL bash as default shell", args: []string{"server", "--captured"},
			capture: winServerCaptures(t, qc, running,
				wslFile{name: "defaultshell.txt", from: td + "reg-defaultshell-1028.txt"},
				wslFile{name: "openssh-events.txt", from: td + "events-1719.txt"}),
			code: "server.windows_keys_refused", exit: 1, finding: "server.windows_default_shell_wsl",
			en:     []string{`sshd refused an authorized keys file ("Authentication refused.")`, `DefaultShell is c:\Windows\System32\bash.exe`},
			ja:     []string{`sshd が authorized keys ファイルを拒否しました`, `DefaultShell が c:\Windows\System32\bash.exe ですが`},
			fix:    []string{`icacls "C:\ProgramData\ssh\administrators_authorized_keys" /inheritance:r`, `-Name DefaultShell -Value "C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"`},
			notFix: []string{"chmod", "StrictModes"}},
		{name: "administrators_authorized_keys writable by Authenticated Users", args: []string{"server", "--captured"},
			capture: winServerCaptures(t, qc, running,
				wslFile{name: "admin-keys-acl.txt", from: "internal/winacl/testdata/sddl_inherited_users.txt", pairs: []string{"(A;OICIID;0x1200a9;;;BU)", "(A;OICIID;0x1301bf;;;AU)"}},
				wslFile{name: "defaultshell.txt", from: td + "reg-defaultshell-936.txt"}),
			code: "perm.ssh_file_acl", exit: 1,
			en:     []string{`OpenSSH refuses C:\ProgramData\ssh\administrators_authorized_keys`},
			ja:     []string{`OpenSSH は C:\ProgramData\ssh\administrators_authorized_keys を拒否します`},
			fix:    []string{`/inheritance:r /grant "*S-1-5-32-544:F" /grant "*S-1-5-18:F"`},
			notFix: []string{"chmod"}},
		{name: "running, automatic, PowerShell as the shell: fine", args: []string{"server", "--captured"},
			capture: winServerCaptures(t, qc, running, wslFile{name: "defaultshell.txt", from: td + "reg-defaultshell-936.txt"},
				wslFile{name: "admin-keys-acl.txt", from: "internal/winacl/testdata/sddl_inherited_users.txt"}),
			code: "ok", exit: 0, finding: "server.windows_sshd_running",
			en: []string{"The sshd service is running", `Logins start C:\windows\System32\WindowsPowerShell\v1.0\powershell.exe`},
			ja: []string{"sshd サービスは動いています"}},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc); schemaValid(t, sc) })
	}
}

// --log on Windows: sshd's own log file (SyslogFacility LOCAL0), read as
// it is, through the same Windows rules.
func TestWindowsServerLogFile(t *testing.T) {
	dir := winServerCaptures(t, wslFile{name: "sc-qc-sshd.txt", from: "server/testdata/windows/sc-qc-sshd-beaker.txt"})
	log := filepath.Join("..", "..", "internal", "winsshd", "testdata", "sshd_admin_keys_missing.txt")
	runScenario(t, platformScenario{name: "sshd.log given with --log", args: []string{"server", "--log", log, "--captured"},
		capture: dir, code: "server.windows_admin_keys", exit: 1,
		en:     []string{`Windows' sshd reads C:\ProgramData\ssh\administrators_authorized_keys for this administrator`},
		ja:     []string{`C:\ProgramData\ssh\administrators_authorized_keys から読みます`},
		fix:    []string{`/grant "*S-1-5-18:F"`},
		notFix: []string{"chmod"}})
}
