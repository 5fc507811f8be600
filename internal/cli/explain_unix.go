//go:build !windows

package cli

import (
	"os/exec"
	"syscall"
)

// prepareRun puts ssh in its own process group so that the timeout also
// ends what it started (a ProxyCommand, the inner ssh of ProxyJump).
func prepareRun(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error {
		if c.Process == nil {
			return nil
		}
		return syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
}
