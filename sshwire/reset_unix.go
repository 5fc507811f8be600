//go:build !windows

package sshwire

func isReset(err error) bool { return false }
