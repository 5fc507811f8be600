//go:build windows

package winagent

import (
	"context"
	"os"
	"os/exec"
	"time"

	"golang.org/x/sys/windows"
)

// gitTimeout bounds `git config`: it reads a few small files.
const gitTimeout = 3 * time.Second

// maxPipes caps the pipe listing (a desktop has a few hundred).
const maxPipes = 4096

// Gather reads the facts: the environment, the pipe names, the ssh-agent
// service's configuration (with query rights only) and git's ssh.
func Gather(ctx context.Context) Facts {
	f := Facts{SSHAuthSock: os.Getenv("SSH_AUTH_SOCK")}
	if d, err := os.Open(`\\.\pipe\`); err == nil {
		names, _ := d.Readdirnames(maxPipes)
		d.Close()
		f.Pipes = append([]string{}, names...)
	}
	f.ServiceKnown, f.Installed, f.Start, f.Running = queryService("ssh-agent")
	git, err := exec.LookPath("git")
	if err == nil {
		ctx, cancel := context.WithTimeout(ctx, gitTimeout)
		defer cancel()
		out, _ := exec.CommandContext(ctx, git, "config", "--get", "core.sshCommand").Output()
		f.Git = WhichGitSSH(os.Getenv, string(out), git)
	}
	return f
}

func queryService(name string) (known, installed bool, start string, running bool) {
	m, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return false, false, "", false
	}
	defer windows.CloseServiceHandle(m)
	n, _ := windows.UTF16PtrFromString(name)
	s, err := windows.OpenService(m, n, windows.SERVICE_QUERY_CONFIG|windows.SERVICE_QUERY_STATUS)
	if err == windows.ERROR_SERVICE_DOES_NOT_EXIST {
		return true, false, "", false
	}
	if err != nil {
		return false, false, "", false
	}
	defer windows.CloseServiceHandle(s)
	var st windows.SERVICE_STATUS
	if windows.QueryServiceStatus(s, &st) == nil {
		running = st.CurrentState == windows.SERVICE_RUNNING
	}
	var need uint32
	_ = windows.QueryServiceConfig(s, nil, 0, &need)
	if need > 0 && need < 1<<16 {
		buf := make([]byte, need)
		cfg := (*windows.QUERY_SERVICE_CONFIG)(unsafePointer(&buf[0]))
		if windows.QueryServiceConfig(s, cfg, need, &need) == nil {
			switch cfg.StartType {
			case windows.SERVICE_AUTO_START:
				start = StartAuto
			case windows.SERVICE_DEMAND_START:
				start = StartManual
			case windows.SERVICE_DISABLED:
				start = StartDisabled
			}
		}
	}
	return true, true, start, running
}
