//go:build windows

package client

import (
	"errors"
	"syscall"
)

// Winsock error numbers.
const (
	wsaeconnrefused = syscall.Errno(10061)
	wsaetimedout    = syscall.Errno(10060)
	wsaehostunreach = syscall.Errno(10065)
	wsaenetunreach  = syscall.Errno(10051)
)

func errnoKind(err error) tcpKind {
	switch {
	case errors.Is(err, wsaeconnrefused):
		return kindRefused
	case errors.Is(err, wsaehostunreach):
		return kindNoRoute
	case errors.Is(err, wsaenetunreach):
		return kindUnreachable
	case errors.Is(err, wsaetimedout):
		return kindTimeout
	}
	return ""
}

func isConnReset(err error) bool { return errors.Is(err, syscall.Errno(10054)) }
