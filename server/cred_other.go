//go:build !unix

package server

import "context"

func runAs(ctx context.Context, uid, gid uint32, groups []uint32, name string, args ...string) CmdResult {
	return CmdResult{ExitCode: -1, Err: errNotLinux}
}
