package client

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// session owns the live resources of one SSH connection as ssh would open
// it: the socket (or a ProxyCommand's pipe), then the probe that runs the
// protocol on it, and the agent connection authentication uses. The checks
// along the path (tcp, banner, kex, hostkey, auth, login or jump) step it
// in turn and hand on only facts; none of them takes the connection from
// another.
//
// It is closed once: by the check at which the path ends (a layer that
// does not pass, or the last one to use it), or when a check's context
// ends (Ctrl-C, a deadline). Close is safe at any time and more than once.
type session struct {
	mu     sync.Mutex
	conn   net.Conn
	probe  *sshwire.Probe
	agent  *sshwire.Agent
	closed bool
	// redial opens another connection to the same server (through the
	// jump hosts for a later hop); nil means a TCP connection to the
	// address that answered.
	redial func(ctx context.Context) (net.Conn, error)
}

// setConn gives the session its connection (closed at once if the
// session already is).
func (s *session) setConn(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return
	}
	s.conn = c
}

// Conn is the connection, nil before the tcp layer opened one.
func (s *session) Conn() net.Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

// startProbe runs the SSH protocol on the session's connection, which
// the probe then owns.
func (s *session) startProbe(id sshwire.Ident, cfg sshwire.ProbeConfig) *sshwire.Probe {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := sshwire.StartProbe(s.conn, id, cfg)
	if s.closed {
		p.Close()
	}
	s.probe = p
	return p
}

// Probe is the running protocol, nil before the key exchange started.
func (s *session) Probe() *sshwire.Probe {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.probe
}

// replaceProbe moves the session to another connection to the same
// server (authentication goes on after the server cut the first one off).
func (s *session) replaceProbe(p *sshwire.Probe) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.probe
	s.probe = p
	if s.closed {
		p.Close()
	}
	if old != nil && old != p {
		old.Close()
	}
}

// setAgent gives the session the agent connection authentication opened.
func (s *session) setAgent(a *sshwire.Agent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		a.Close()
		return
	}
	s.agent = a
}

// Close ends the connection and the agent connection.
func (s *session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.probe != nil {
		s.probe.Close()
	} else if s.conn != nil {
		s.conn.Close()
	}
	s.agent.Close()
}

// closeOnCancel closes the session when ctx ends before stop is called:
// a cancelled step (Ctrl-C, a deadline) ends at once.
func (s *session) closeOnCancel(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, s.Close)
}

// closeUnless closes the session when a check ends without handing on a
// result: no later check will use it.
func (s *session) closeUnless(ok bool) {
	if !ok {
		s.Close()
	}
}

// typed adapts a layer written as func(ctx, pass) diag.Result, whose
// Result.Value is its result, to a Def's Run: the result goes on to the
// dependents only when there is one. A value of another type is a
// programming error, reported as the check's crash.
func typed[T any](run func(ctx context.Context, p *diag.Pass) diag.Result) func(context.Context, *diag.Pass) (T, bool, diag.Result) {
	return func(ctx context.Context, p *diag.Pass) (T, bool, diag.Result) {
		res := run(ctx, p)
		if res.Status == "" {
			res = diag.Conclude(res.Value, res.Findings...)
		}
		v, ok := res.Value.(T)
		if res.Value != nil && !ok {
			panic(fmt.Sprintf("check returned a %T, not a %T", res.Value, v))
		}
		res.Value = nil
		return v, ok, res
	}
}

// onPath is typed for a layer along the session's path: when the layer
// hands on no result, or does not pass, no later layer will use the
// connection and the session is closed.
func onPath[T any](s *session, run func(ctx context.Context, p *diag.Pass) diag.Result) func(context.Context, *diag.Pass) (T, bool, diag.Result) {
	t := typed[T](run)
	return func(ctx context.Context, p *diag.Pass) (v T, ok bool, res diag.Result) {
		defer func() { s.closeUnless(ok && passed(res)) }()
		return t(ctx, p)
	}
}
