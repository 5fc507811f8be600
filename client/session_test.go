package client

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
)

// closed reports whether the far end of a pipe sees its peer closed.
func closed(t *testing.T, far net.Conn) bool {
	t.Helper()
	_ = far.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	_, err := far.Read(make([]byte, 1))
	return err != nil && !errors.Is(err, context.DeadlineExceeded) && !isTimeout(err)
}

func TestSessionClosesOnce(t *testing.T) {
	near, far := net.Pipe()
	s := &session{}
	s.setConn(near)
	if s.Conn() != near {
		t.Fatal("no connection")
	}
	s.Close()
	s.Close() // a second close is harmless
	if !closed(t, far) {
		t.Fatal("the connection stayed open")
	}
	// A connection given to a closed session is closed at once.
	near2, far2 := net.Pipe()
	s.setConn(near2)
	if !closed(t, far2) {
		t.Fatal("a late connection stayed open")
	}
}

// A layer on the path that hands on no result, or does not pass, ends the
// path: the session is closed. One that passes with a result keeps it.
func TestOnPathClosesWhenThePathEnds(t *testing.T) {
	for _, c := range []struct {
		name  string
		res   diag.Result
		close bool
	}{
		{"passes with a result", diag.Conclude(&Banner{}), false},
		{"passes without a result", diag.Conclude(nil), true},
		{"fails", diag.Conclude(&Banner{}, diag.NewFinding("banner.closed")), true},
		{"inconclusive", diag.Inconclusive(), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			near, far := net.Pipe()
			s := &session{}
			s.setConn(near)
			run := onPath[*Banner](s, func(context.Context, *diag.Pass) diag.Result { return c.res })
			v, ok, _ := run(context.Background(), nil)
			if ok != (v != nil) {
				t.Fatalf("ok %v with %v", ok, v)
			}
			if got := closed(t, far); got != c.close {
				t.Fatalf("closed %v, want %v", got, c.close)
			}
			s.Close()
		})
	}
	// A crash in the layer closes it too.
	near, far := net.Pipe()
	s := &session{}
	s.setConn(near)
	func() {
		defer func() { _ = recover() }()
		onPath[*Banner](s, func(context.Context, *diag.Pass) diag.Result { panic("boom") })(context.Background(), nil)
	}()
	if !closed(t, far) {
		t.Fatal("a crashed layer left the connection open")
	}
}

// A layer that returns a value of another type is a programming error:
// it crashes (the runner reports internal.check_failed), never hands on
// a wrong value.
func TestTypedRejectsAnotherType(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no crash")
		}
	}()
	typed[*Banner](func(context.Context, *diag.Pass) diag.Result { return diag.Conclude(&Connected{}) })(context.Background(), nil)
}
