// Package sshwire holds the SSH protocol pieces sshdoctor needs: the
// identification exchange read by hand (so that a closed, silent, throttled
// or foreign service is told apart), and probes over golang.org/x/crypto/ssh.
package sshwire

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// Outcome of the identification exchange.
type Outcome string

const (
	OutcomeOK        Outcome = "ok"
	OutcomeClosed    Outcome = "closed"    // EOF before any identification
	OutcomeReset     Outcome = "reset"     // ECONNRESET
	OutcomeTimeout   Outcome = "timeout"   // no identification before the deadline
	OutcomeNotSSH    Outcome = "not_ssh"   // another protocol answered
	OutcomeProtocol1 Outcome = "protocol1" // SSH-1.x only
	OutcomeThrottled Outcome = "throttled" // "Exceeded MaxStartups" / "Not allowed at this time"
	OutcomeInvalid   Outcome = "invalid"   // an SSH- line that does not parse
)

// Limits OpenSSH itself applies (kex.c): a version line of at most 255
// bytes, at most 1024 lines before it. We also cap the total we read.
const (
	MaxVersionLine  = 255
	MaxPreBanner    = 1024
	DefaultMaxBytes = 64 * 1024
	keptPreLines    = 5
	firstBytesKept  = 256
)

// Ident is what the server sent before and as its identification.
type Ident struct {
	Outcome Outcome
	// Line is the identification line without CR LF, e.g.
	// "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10".
	Line     string
	Proto    string // "2.0", "1.99", "1.5"…
	Software string // "OpenSSH_9.2p1"
	Comments string // "Debian-2+deb12u10"
	// PreLines are the first lines the server sent before its
	// identification (escaped), PreCount how many there were.
	PreLines []string
	PreCount int
	// First holds the first bytes received, for evidence.
	First []byte
	// Bytes is how many bytes were read in all.
	Bytes int
	// Protocol names the foreign protocol when OutcomeNotSSH and recognised.
	Protocol string
	// Err is the read error that ended the exchange, if any.
	Err     error
	Elapsed time.Duration
	// Raw is the identification line as received (without CR LF) and
	// Rest the bytes that followed it in the same reads: what a handshake
	// continuing on the connection must see first (StartProbe).
	Raw  []byte
	Rest []byte
}

// ClientIdent is the identification we send, as OpenSSH does, right after
// connecting.
const ClientIdent = "SSH-2.0-sshdoctor\r\n"

// Exchange sends our identification and reads the server's, bounded by
// timeout (total, not per read) and maxBytes.
func Exchange(conn net.Conn, timeout time.Duration, maxBytes int) Ident {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	start := time.Now()
	deadline := start.Add(timeout)
	_ = conn.SetDeadline(deadline)
	defer func() { _ = conn.SetDeadline(time.Time{}) }()
	// A failed write is not decisive: the server may already have closed
	// after saying why, which the read below shows. But a reset seen by
	// the write is consumed by it (the read then sees EOF), so remember it.
	_, werr := io.WriteString(conn, ClientIdent)

	var id Ident
	var buf []byte
	chunk := make([]byte, 4096)
	for {
		n, err := conn.Read(chunk)
		if n > 0 {
			if len(id.First) < firstBytesKept {
				room := firstBytesKept - len(id.First)
				id.First = append(id.First, chunk[:min(n, room)]...)
			}
			id.Bytes += n
			buf = append(buf, chunk[:n]...)
			if done := id.consume(&buf); done {
				id.Elapsed = time.Since(start)
				return id
			}
			if id.Bytes >= maxBytes {
				id.Outcome = OutcomeNotSSH
				id.Protocol = guessProtocol(id.First)
				id.Elapsed = time.Since(start)
				return id
			}
		}
		if err != nil {
			id.Err = err
			id.Elapsed = time.Since(start)
			if errors.Is(err, io.EOF) && id.Bytes == 0 && werr != nil && (errors.Is(werr, syscall.ECONNRESET) || isReset(werr)) {
				err, id.Err = werr, werr
			}
			id.finish(err, buf)
			return id
		}
	}
}

// consume takes complete lines off buf; it returns true when the exchange
// is decided.
func (id *Ident) consume(buf *[]byte) bool {
	for {
		i := bytes.IndexByte(*buf, '\n')
		if i < 0 {
			// A line longer than OpenSSH accepts, or binary: decide now.
			if len(*buf) > 8192 || (len(*buf) > 0 && bytes.IndexByte(*buf, 0) >= 0 && !bytes.HasPrefix(*buf, []byte("SSH-"))) {
				id.Outcome = OutcomeNotSSH
				id.Protocol = guessProtocol(id.First)
				return true
			}
			return false
		}
		line := (*buf)[:i]
		*buf = (*buf)[i+1:]
		line = bytes.TrimSuffix(line, []byte("\r"))
		if bytes.HasPrefix(line, []byte("SSH-")) {
			id.parseVersion(line)
			id.Raw = append([]byte(nil), line...)
			id.Rest = append([]byte(nil), (*buf)...)
			return true
		}
		if bytes.IndexByte(line, 0) >= 0 {
			id.Outcome = OutcomeNotSSH
			id.Protocol = guessProtocol(id.First)
			return true
		}
		id.PreCount++
		if len(id.PreLines) < keptPreLines {
			id.PreLines = append(id.PreLines, quote(line, 200))
		}
		if id.PreCount == 1 && looksForeign(id.First) {
			id.Outcome = OutcomeNotSSH
			id.Protocol = guessProtocol(id.First)
			return true
		}
		if id.PreCount > MaxPreBanner {
			// OpenSSH gives up here ("No SSH version received in first
			// 1024 lines"): a tarpit or not an SSH server.
			id.Outcome = OutcomeTimeout
			return true
		}
	}
}

func (id *Ident) parseVersion(line []byte) {
	id.Line = quote(line, MaxVersionLine)
	if len(line) > MaxVersionLine {
		id.Outcome = OutcomeInvalid
		return
	}
	rest := string(line[4:])
	proto, sw, ok := strings.Cut(rest, "-")
	if !ok || proto == "" || sw == "" {
		id.Outcome = OutcomeInvalid
		return
	}
	id.Proto = proto
	id.Software, id.Comments, _ = strings.Cut(sw, " ")
	switch {
	case proto == "2.0" || proto == "1.99":
		id.Outcome = OutcomeOK
	case strings.HasPrefix(proto, "1."):
		id.Outcome = OutcomeProtocol1
	default:
		id.Outcome = OutcomeInvalid
	}
}

// finish classifies a read that ended before an identification.
func (id *Ident) finish(err error, rest []byte) {
	if len(rest) > 0 && id.PreCount < MaxPreBanner {
		// An unterminated last line still counts as text received.
		id.PreCount++
		if len(id.PreLines) < keptPreLines {
			id.PreLines = append(id.PreLines, quote(rest, 200))
		}
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNRESET) || isReset(err):
		id.Outcome = OutcomeReset
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, os.ErrDeadlineExceeded):
		id.Outcome = OutcomeTimeout
	default:
		id.Outcome = OutcomeClosed
	}
	if id.Outcome == OutcomeTimeout {
		return
	}
	for _, l := range id.PreLines {
		if throttleText(l) {
			id.Outcome = OutcomeThrottled
			return
		}
	}
	if id.Bytes > 0 {
		id.Outcome = OutcomeNotSSH
		id.Protocol = guessProtocol(id.First)
	}
}

// throttleText recognises what sshd says when it drops a connection before
// identifying: "Exceeded MaxStartups" (≤9.7) or "Not allowed at this time"
// (9.8+, MaxStartups and PerSourcePenalties).
func throttleText(s string) bool {
	return strings.Contains(s, "Exceeded MaxStartups") || strings.Contains(s, "Not allowed at this time")
}

// looksForeign reports whether the first bytes are clearly another
// protocol's greeting, so there is no need to wait for more.
func looksForeign(first []byte) bool {
	p := guessProtocol(first)
	return p != ""
}

// guessProtocol names a foreign protocol from its first bytes.
func guessProtocol(b []byte) string {
	s := string(b)
	switch {
	case len(b) >= 3 && (b[0] == 0x15 || b[0] == 0x16) && b[1] == 0x03:
		return "TLS"
	case strings.HasPrefix(s, "HTTP/"):
		return "HTTP"
	case strings.HasPrefix(s, "220") && strings.Contains(strings.ToUpper(s), "SMTP"):
		return "SMTP"
	case strings.HasPrefix(s, "220") && strings.Contains(strings.ToUpper(s), "FTP"):
		return "FTP"
	case strings.HasPrefix(s, "+OK"):
		return "POP3"
	case strings.HasPrefix(s, "* OK"):
		return "IMAP"
	case strings.HasPrefix(s, "RFB "):
		return "VNC"
	case strings.HasPrefix(s, "-ERR") || strings.HasPrefix(s, "-NOAUTH"):
		return "Redis"
	case len(b) > 5 && b[4] == 0x0a && bytes.Contains(b, []byte("mysql")):
		return "MySQL"
	case len(b) > 0 && b[0] == 0xff:
		return "Telnet"
	case len(b) >= 2 && b[0] == 0x03 && b[1] == 0x00:
		return "RDP"
	case strings.HasPrefix(s, "<!DOCTYPE") || strings.HasPrefix(strings.ToLower(s), "<html"):
		return "HTTP"
	}
	return ""
}

// quote escapes untrusted bytes for display, capped: control characters
// and bytes that are not UTF-8 are escaped (\x1b, \xff); valid text in any
// script (a Japanese banner) is kept as text.
func quote(b []byte, max int) string {
	cut := false
	if len(b) > max {
		b, cut = b[:max], true
	}
	var sb strings.Builder
	for len(b) > 0 {
		c := b[0]
		r, size := utf8.DecodeRune(b)
		switch {
		case c == '\\':
			sb.WriteString(`\\`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		case c >= 0x80 && r != utf8.RuneError && r >= 0xa0:
			sb.Write(b[:size])
			b = b[size:]
			continue
		default:
			const hex = "0123456789abcdef"
			sb.WriteString(`\x`)
			sb.WriteByte(hex[c>>4])
			sb.WriteByte(hex[c&15])
		}
		b = b[1:]
	}
	if cut {
		sb.WriteString("…")
	}
	return sb.String()
}
