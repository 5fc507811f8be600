//go:build unix

package sshconfig

import (
	"os/exec"
	"syscall"
)

// ownGroup puts the command in its own process group and makes the
// timeout kill the whole group: a Match exec command that sleeps would
// otherwise outlive ssh.
func ownGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error {
		if c.Process == nil {
			return nil
		}
		return syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
}
