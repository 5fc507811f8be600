package sshwire

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// serve runs one behaviour on a loopback listener and returns its address.
func serve(t *testing.T, f func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); f(c) }()
		}
	}()
	return ln.Addr().String()
}

func exchange(t *testing.T, addr string, timeout time.Duration) Ident {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return Exchange(c, timeout, 0)
}

func TestExchangeOutcomes(t *testing.T) {
	cases := []struct {
		name     string
		srv      func(c net.Conn)
		outcome  Outcome
		protocol string
	}{
		{"openssh", func(c net.Conn) {
			io.WriteString(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n")
			time.Sleep(time.Second)
		}, OutcomeOK, ""},
		{"prebanner", func(c net.Conn) { io.WriteString(c, "hello\r\nSSH-1.99-Cisco-1.25\r\n"); time.Sleep(time.Second) }, OutcomeOK, ""},
		{"close", func(c net.Conn) { readLine(c) }, OutcomeClosed, ""},
		{"close-unread", func(c net.Conn) { time.Sleep(50 * time.Millisecond) }, OutcomeReset, ""},
		{"reset", func(c net.Conn) { readLine(c); c.(*net.TCPConn).SetLinger(0) }, OutcomeReset, ""},
		{"http", func(c net.Conn) { io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n") }, OutcomeNotSSH, "HTTP"},
		{"tls", func(c net.Conn) { c.Write([]byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46}) }, OutcomeNotSSH, "TLS"},
		{"smtp", func(c net.Conn) {
			io.WriteString(c, "220 mail.example.test ESMTP Postfix\r\n")
			time.Sleep(time.Second)
		}, OutcomeNotSSH, "SMTP"},
		{"ssh1", func(c net.Conn) { io.WriteString(c, "SSH-1.5-OpenSSH_3.9p1\n"); time.Sleep(time.Second) }, OutcomeProtocol1, ""},
		{"maxstartups", func(c net.Conn) { io.WriteString(c, "Exceeded MaxStartups\r\n") }, OutcomeThrottled, ""},
		{"penalty", func(c net.Conn) { io.WriteString(c, "Not allowed at this time\r\n") }, OutcomeThrottled, ""},
		{"garbage", func(c net.Conn) { io.WriteString(c, "SSH-garbage\r\n") }, OutcomeInvalid, ""},
		{"silent", func(c net.Conn) { time.Sleep(2 * time.Second) }, OutcomeTimeout, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			id := exchange(t, serve(t, c.srv), 500*time.Millisecond)
			if id.Outcome != c.outcome || id.Protocol != c.protocol {
				t.Fatalf("outcome %s protocol %q (err %v, first %q), want %s %q", id.Outcome, id.Protocol, id.Err, id.First, c.outcome, c.protocol)
			}
		})
	}
}

func TestExchangeParsesSoftware(t *testing.T) {
	id := exchange(t, serve(t, func(c net.Conn) {
		io.WriteString(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n")
		time.Sleep(time.Second)
	}), time.Second)
	if id.Software != "OpenSSH_9.2p1" || id.Comments != "Debian-2+deb12u10" || id.Proto != "2.0" {
		t.Fatalf("%+v", id)
	}
}

// endlessh dribbles lines forever: the exchange must end at the deadline.
func TestExchangeEndlesshIsBounded(t *testing.T) {
	addr := serve(t, func(c net.Conn) {
		for i := 0; i < 1000; i++ {
			if _, err := io.WriteString(c, "x tarpit\r\n"); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	start := time.Now()
	id := exchange(t, addr, 400*time.Millisecond)
	if id.Outcome != OutcomeTimeout || id.PreCount == 0 {
		t.Fatalf("%+v", id)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("took %s", el)
	}
}

// A megabyte of text without newlines must not balloon: capped.
func TestExchangeByteCap(t *testing.T) {
	addr := serve(t, func(c net.Conn) {
		c.Write([]byte(strings.Repeat("a", 1<<20)))
	})
	id := exchange(t, addr, 2*time.Second)
	if id.Outcome != OutcomeNotSSH || id.Bytes > DefaultMaxBytes+4096 {
		t.Fatalf("outcome %s bytes %d", id.Outcome, id.Bytes)
	}
}

// readLine reads the client's identification, so that closing afterwards
// sends FIN, not RST (unread data at close makes the kernel reset).
func readLine(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(time.Second))
	b := make([]byte, 1)
	for {
		if _, err := c.Read(b); err != nil || b[0] == '\n' {
			return
		}
	}
}

type fakeConn struct {
	net.Conn
	r io.Reader
}

func (f fakeConn) Read(b []byte) (int, error)         { return f.r.Read(b) }
func (f fakeConn) Write(b []byte) (int, error)        { return len(b), nil }
func (f fakeConn) SetDeadline(time.Time) error        { return nil }
func (f fakeConn) SetReadDeadline(time.Time) error    { return nil }
func (f fakeConn) SetWriteDeadline(t time.Time) error { return nil }

func FuzzExchange(f *testing.F) {
	for _, s := range []string{"SSH-2.0-OpenSSH_9.2p1\r\n", "Exceeded MaxStartups\r\n", "HTTP/1.1 200 OK\r\n", "SSH-1.5-x\n", "\x16\x03\x01", "a\nb\nSSH-2.0-x y z\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id := Exchange(fakeConn{r: strings.NewReader(string(b))}, time.Second, 4096)
		if id.Outcome == "" {
			t.Fatal("no outcome")
		}
		if len(id.PreLines) > keptPreLines || len(id.First) > firstBytesKept {
			t.Fatal("kept too much")
		}
	})
}

func BenchmarkExchange(b *testing.B) {
	banner := "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"
	for i := 0; i < b.N; i++ {
		Exchange(fakeConn{r: strings.NewReader(banner)}, time.Second, 0)
	}
}
