package sshwire

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"time"

	"golang.org/x/crypto/ssh"
)

// OpenFailure is a refused channel open (RFC 4254 §5.1): the reason code
// and the server's text, e.g. 2 "Connection refused" from OpenSSH's
// connect(2), or 1 "administratively prohibited".
type OpenFailure struct {
	Reason  int
	Message string
}

func (e *OpenFailure) Error() string {
	return "open failed: " + ssh.RejectionReason(e.Reason).String() + ": " + e.Message
}

// Dial asks the logged-in server to open a TCP connection to host:port
// (a direct-tcpip channel, as `ssh -W host:port` and ProxyJump do). The
// name is resolved by the server. The returned connection has working
// deadlines (a channel has none of its own), so the layers above it are
// bounded as on a socket. A refusal is an *OpenFailure.
func (p *Probe) Dial(ctx context.Context, host string, port int) (net.Conn, error) {
	if p.client == nil {
		return nil, errors.New("not logged in")
	}
	// From now on this connection carries the next hop's traffic, whose
	// own steps are bounded on the returned connection; a step deadline
	// here would cut the chain in the middle. The caller bounds the whole
	// (and closes the probe when its context ends).
	_ = p.conn.SetDeadline(time.Time{})
	c, err := p.client.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		var oe *ssh.OpenChannelError
		if errors.As(err, &oe) {
			return nil, &OpenFailure{Reason: int(oe.Reason), Message: oe.Message}
		}
		return nil, err
	}
	return withDeadlines(c), nil
}

// LoggedIn reports whether the probe has a logged-in connection.
func (p *Probe) LoggedIn() bool { return p.client != nil }

// withDeadlines puts c behind an in-memory pipe, whose end supports
// deadlines; closing that end closes c.
func withDeadlines(c net.Conn) net.Conn {
	ours, theirs := net.Pipe()
	go func() {
		_, _ = io.Copy(c, theirs)
		c.Close()
	}()
	go func() {
		_, _ = io.Copy(theirs, c)
		theirs.Close()
	}()
	return ours
}
