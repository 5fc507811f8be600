//go:build !unix

package sshconfig

import "os/exec"

// ownGroup: on Windows the timeout kills ssh itself (exec's default).
func ownGroup(c *exec.Cmd) {}
