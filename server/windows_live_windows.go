//go:build windows

package server

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/sshdoctor/sshdoctor/internal/capped"
	"github.com/sshdoctor/sshdoctor/internal/inputfile"

	"golang.org/x/sys/windows"
)

func init() {
	liveWinServer = func() winSource { return liveWin{} }
}

// liveWin runs read-only commands: sc.exe query/qc, reg query, net
// localgroup, Get-WinEvent; and reads sshd_config and the access list of
// administrators_authorized_keys directly.
type liveWin struct{}

func (liveWin) ShellExists(path string) (bool, bool) {
	_, err := os.Stat(path)
	if err == nil {
		return true, true
	}
	return false, os.IsNotExist(err)
}

func programData() string {
	if p := os.Getenv("ProgramData"); p != "" {
		return p
	}
	return `C:\ProgramData`
}

func (liveWin) Output(ctx context.Context, key string) ([]byte, error) {
	var argv []string
	switch key {
	case winSCQuery:
		argv = []string{"sc.exe", "query", "sshd"}
	case winSCQC:
		argv = []string{"sc.exe", "qc", "sshd"}
	case winAdmins:
		argv = []string{"net.exe", "localgroup", "Administrators"}
	case winDefaultShel:
		argv = []string{"reg.exe", "query", `HKLM\SOFTWARE\OpenSSH`, "/v", "DefaultShell"}
	case winEvents:
		argv = []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
			"Get-WinEvent -LogName OpenSSH/Operational -MaxEvents 500 -ErrorAction SilentlyContinue | ForEach-Object { $_.Message }"}
	case winSSHDConfig, winAdminKeys:
		p := filepath.Join(programData(), "ssh", "sshd_config")
		if key == winAdminKeys {
			p = filepath.Join(programData(), "ssh", "administrators_authorized_keys")
		}
		b, _, err := inputfile.ReadFile(p, maxWinOutput)
		if os.IsNotExist(err) {
			return nil, errNoWinSource
		}
		return b, err
	case winAdminSDDL:
		// The call OpenSSH for Windows makes; SDDL is what ParseSDDL reads.
		p := filepath.Join(programData(), "ssh", "administrators_authorized_keys")
		sd, err := windows.GetNamedSecurityInfo(p, windows.SE_FILE_OBJECT,
			windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
		if err != nil {
			if _, serr := os.Stat(p); os.IsNotExist(serr) {
				return nil, errNoWinSource
			}
			return nil, err
		}
		return []byte(sd.String()), nil
	default:
		return nil, errNoWinSource
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, errNoWinSource
	}
	ctx, cancel := context.WithTimeout(ctx, winToolTimeout)
	defer cancel()
	out := capped.New(maxWinOutput)
	c := exec.CommandContext(ctx, path, argv[1:]...)
	c.Stdout = out
	c.Stderr = out // sc and reg print their failures (1060, not found) here too
	if err := c.Run(); err != nil && out.Len() == 0 {
		return nil, err
	}
	return out.Bytes(), nil
}
