package vm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
)

// DefaultProbeTimeout bounds the connect and the wait for the SSH banner
// through a forward on this host: loopback answers in microseconds, and
// sshd sends its banner at once, so a guest that has not answered within a
// few seconds is not going to (VirtualBox and QEMU accept for the guest and
// hold the connection while they try to reach it).
const DefaultProbeTimeout = 5 * time.Second

// maxBanner caps what is read while waiting for the SSH identification
// line; RFC 4253 allows 255 bytes for it plus lines before it.
const maxBanner = 4096

// ProbeOutcome classifies what a forward did with a connection.
type ProbeOutcome string

const (
	ProbeSSH     ProbeOutcome = "ssh"     // an SSH identification line arrived
	ProbeRefused ProbeOutcome = "refused" // nothing listens there
	ProbeClosed  ProbeOutcome = "closed"  // accepted, then closed or reset before any byte
	ProbeSilent  ProbeOutcome = "silent"  // accepted, then nothing within the deadline
	ProbeOther   ProbeOutcome = "other"   // something that is not SSH answered
	ProbeError   ProbeOutcome = "error"   // could not connect for another reason
)

// ProbeResult is what one probe saw.
type ProbeResult struct {
	Addr    string
	Outcome ProbeOutcome
	Banner  string // the SSH identification line, quoted
	Bytes   []byte // the first bytes received, capped
	Err     error
	Elapsed time.Duration
}

// Probe connects to addr and reads until an SSH identification line, EOF,
// the byte cap, or the deadline. It sends nothing: a client speaks only
// after the server's banner would be fine, but sending nothing keeps the
// probe invisible to the guest's sshd when the banner never comes.
func Probe(ctx context.Context, addr string, timeout time.Duration) ProbeResult {
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	start := time.Now()
	res := ProbeResult{Addr: addr}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		res.Err = err
		res.Elapsed = time.Since(start)
		if errors.Is(err, syscall.ECONNREFUSED) {
			res.Outcome = ProbeRefused
		} else {
			res.Outcome = ProbeError
		}
		return res
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 0, 512)
	tmp := make([]byte, 512)
	for len(buf) < maxBanner {
		n, err := conn.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if len(buf) > maxBanner {
			buf = buf[:maxBanner]
		}
		if line, ok := sshLine(buf); ok {
			res.Outcome, res.Banner, res.Bytes = ProbeSSH, line, buf
			res.Elapsed = time.Since(start)
			return res
		}
		if err != nil {
			res.Bytes, res.Err = buf, err
			res.Elapsed = time.Since(start)
			switch {
			case len(buf) > 0:
				res.Outcome = ProbeOther
			case errors.Is(err, os.ErrDeadlineExceeded):
				res.Outcome = ProbeSilent
			case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
				res.Outcome = ProbeClosed
			default:
				res.Outcome = ProbeClosed
			}
			return res
		}
		// Is what was read so far a prefix of "SSH-" (not the other way round)?
		notSSH := !bytes.HasPrefix([]byte("SSH-"), buf[:min(len(buf), 4)]) //nolint:gocritic // argOrder: buf is the prefix
		if notSSH && bytes.IndexByte(buf, '\n') >= 0 && !mayPrecedeBanner(buf) {
			res.Outcome, res.Bytes = ProbeOther, buf
			res.Elapsed = time.Since(start)
			return res
		}
	}
	res.Outcome, res.Bytes = ProbeOther, buf
	res.Elapsed = time.Since(start)
	return res
}

// sshLine finds a complete "SSH-" identification line at the start of a
// line in buf.
func sshLine(buf []byte) (string, bool) {
	for off := 0; off < len(buf); {
		nl := bytes.IndexByte(buf[off:], '\n')
		if nl < 0 {
			return "", false
		}
		line := bytes.TrimRight(buf[off:off+nl], "\r")
		if bytes.HasPrefix(line, []byte("SSH-")) {
			return diag.Quote(line, 255), true
		}
		off += nl + 1
	}
	return "", false
}

// mayPrecedeBanner: RFC 4253 lets a server send text lines before its
// identification; only when every complete line so far is plain text do we
// keep waiting for the SSH- line.
func mayPrecedeBanner(buf []byte) bool {
	for _, c := range buf {
		if c < 0x20 && c != '\r' && c != '\n' && c != '\t' {
			return false
		}
	}
	// HTTP and friends answer to a request, not first; a server that talks
	// first with a known greeting is not SSH.
	for _, p := range [][]byte{[]byte("HTTP/"), []byte("220 "), []byte("220-"), []byte("+OK"), []byte("* OK")} {
		if bytes.HasPrefix(buf, p) {
			return false
		}
	}
	return true
}
