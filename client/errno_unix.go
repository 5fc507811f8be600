//go:build !windows

package client

import (
	"errors"
	"syscall"
)

func errnoKind(err error) tcpKind {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return kindRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EHOSTDOWN):
		return kindNoRoute
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EADDRNOTAVAIL):
		return kindUnreachable
	case errors.Is(err, syscall.ETIMEDOUT):
		return kindTimeout
	}
	return ""
}

func isConnReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }
