//go:build windows

package sshwire

import (
	"errors"
	"syscall"
)

// WSAECONNRESET is what Windows reports for a reset connection.
const wsaeconnreset = syscall.Errno(10054)

func isReset(err error) bool { return errors.Is(err, wsaeconnreset) }
