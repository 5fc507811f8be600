//go:build !windows

package sshwire

import (
	"context"
	"net"
)

func dialAgent(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}
