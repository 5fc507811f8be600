package sshwire

import (
	"errors"
	"net"
	"sync"
	"syscall"
)

// replayConn lets x/crypto start its handshake on a connection whose
// identification exchange is already done: reads first return the bytes
// already consumed from the server (its identification line and whatever
// followed it), and our identification, already sent, is swallowed from
// the first write. Everything the server sends after its identification
// is also fed to a sniffer until the server's KEXINIT is parsed.
type replayConn struct {
	net.Conn
	mu      sync.Mutex
	prefix  []byte
	swallow []byte
	sniff   *sniffer
	rerr    error // the first read error (the server closed, a deadline)
}

// readErr returns the first error a read from the server returned.
func (c *replayConn) readErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rerr
}

func newReplayConn(c net.Conn, prefix, swallow, rest []byte) *replayConn {
	rc := &replayConn{Conn: c, prefix: prefix, swallow: append([]byte(nil), swallow...), sniff: newSniffer()}
	rc.sniff.feed(rest)
	return rc
}

func (c *replayConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	if len(c.prefix) > 0 {
		n := copy(b, c.prefix)
		c.prefix = c.prefix[n:]
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.sniff.feed(b[:n])
	}
	if err != nil {
		c.sniff.fail(err)
		c.mu.Lock()
		if c.rerr == nil {
			c.rerr = err
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *replayConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	if len(c.swallow) > 0 {
		i := 0
		for i < len(b) && i < len(c.swallow) && b[i] == c.swallow[i] {
			i++
		}
		if i > 0 {
			c.swallow = c.swallow[i:]
			c.mu.Unlock()
			if i == len(b) {
				return len(b), nil
			}
			n, err := c.Conn.Write(b[i:])
			return i + n, err
		}
		// Not our identification: stop swallowing.
		c.swallow = nil
	}
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// Limits of the sniffer: the KEXINIT must arrive within this many bytes.
const maxSniff = MaxPacket + 4096

// sniffer parses the server's first packets.
type sniffer struct {
	mu    sync.Mutex
	buf   []byte
	total int
	first []byte
	kex   *KexInit
	err   error
	ready chan struct{}
	done  bool
}

func newSniffer() *sniffer { return &sniffer{ready: make(chan struct{})} }

func (s *sniffer) feed(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(b) == 0 {
		return
	}
	s.total += len(b)
	if len(s.first) < firstBytesKept {
		s.first = append(s.first, b[:min(len(b), firstBytesKept-len(s.first))]...)
	}
	if s.done {
		return
	}
	s.buf = append(s.buf, b...)
	k, err := KexInitFromStream(s.buf)
	switch {
	case err != nil:
		s.finish(nil, err)
	case k != nil:
		s.finish(k, nil)
	case len(s.buf) > maxSniff:
		s.finish(nil, errors.New("no KEXINIT within the size cap"))
	}
}

func (s *sniffer) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		if errors.Is(err, syscall.ECONNRESET) {
			err = errReset
		}
		s.finish(nil, err)
	}
}

var errReset = errors.New("connection reset by the server")

func (s *sniffer) finish(k *KexInit, err error) {
	s.kex, s.err, s.done = k, err, true
	s.buf = nil
	close(s.ready)
}

func (s *sniffer) finished() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

func (s *sniffer) result() (*KexInit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kex, s.err
}

func (s *sniffer) received() (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total, append([]byte(nil), s.first...)
}
