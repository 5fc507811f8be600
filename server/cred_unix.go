//go:build unix

package server

import (
	"context"
	"github.com/sshdoctor/sshdoctor/internal/capped"
	"os/exec"
	"syscall"
	"time"
)

// runAs runs a command with another user's identity (root only), the way
// sshd runs AuthorizedKeysCommand as AuthorizedKeysCommandUser.
func runAs(ctx context.Context, uid, gid uint32, groups []uint32, name string, args ...string) CmdResult {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL=C", "LANG=C"}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: groups}}
	out := capped.New(1 << 20)
	errb := capped.New(64 << 10)
	cmd.Stdout, cmd.Stderr = out, errb
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	r := CmdResult{Stdout: out.Bytes(), Stderr: errb.Bytes(), Truncated: out.Truncated}
	if ee, ok := err.(*exec.ExitError); ok && ctx.Err() == nil {
		r.ExitCode = ee.ExitCode()
	} else if err != nil {
		r.ExitCode, r.Err = -1, err
		if ctx.Err() != nil {
			r.Err = context.DeadlineExceeded
		}
	}
	return r
}
