//go:build windows

package sshwire

import (
	"context"
	"net"
	"strings"

	"github.com/Microsoft/go-winio"
)

// dialAgent opens the agent: a named pipe (\\.\pipe\…, what OpenSSH for
// Windows and Pageant serve) through go-winio, which honours the context
// and gives a net.Conn with deadlines; anything else as a Unix socket.
func dialAgent(ctx context.Context, path string) (net.Conn, error) {
	p := strings.ReplaceAll(path, "/", `\`)
	if strings.HasPrefix(strings.ToLower(p), `\\.\pipe\`) {
		return winio.DialPipeContext(ctx, p)
	}
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}
