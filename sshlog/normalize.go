package sshlog

import (
	"bytes"
	"unicode/utf8"
)

// The normaliser turns a line as people paste it into the lines ssh, sshd
// or a tool actually printed. What it removes is presentation, never
// content: indentation and trailing blanks, Markdown quote markers, code
// fences, emphasis and backticks around a line, ANSI colour, carriage
// returns inside a line (progress output), UTF-16 zero bytes, and the
// prefixes tools put before what they relay — time stamps (CI systems,
// VS Code's Remote-SSH log, Go's log package, Windows OpenSSH's sshd.log,
// dmesg), Packer's "==> name: " and the markers VS Code puts after its
// stamp ("stderr> ", "> "). Ansible's JSON results carry ssh's output as
// one escaped string; it is unescaped back into its lines. Prefixes ending
// in ": " (Vagrant's "    default: ", borg's "Remote: ", a wrapper's
// "Failed to connect to the host via ssh: ") are left for the classifier,
// which tries the text after them when the whole line matches nothing.
//
// Lines keep the number of the line they came from, so evidence points
// at the user's own text. Lines that cannot be text (binary junk: NUL
// bytes, many control bytes, mostly invalid UTF-8) are dropped before any
// pattern runs, so junk costs no more than text.

// maxPeel bounds how many prefixes one line may lose.
const maxPeel = 8

type normalizer struct {
	buf   []byte   // scratch: ANSI-stripped or UTF-16-compacted line
	jbuf  []byte   // scratch: unescaped JSON string
	out   [][]byte // result of the last clean call
	junk  int      // lines dropped as binary
	fence bool     // inside a Markdown code fence (informational)
	tc    timeCache
}

// clean returns the lines line stands for (none, one, or several for an
// escaped JSON string). The slices are valid until the next call.
func (z *normalizer) clean(line []byte) [][]byte {
	z.tc.shapeOnly = true
	z.out = z.out[:0]
	z.jbuf = z.jbuf[:0]
	line = trimBlank(line)
	if len(line) == 0 {
		return nil
	}
	// Fast path: a syslog or journal line is what it should be.
	if z.logLine(line) {
		z.out = append(z.out, line)
		return z.out
	}
	junk, esc, cr := inspect(line)
	if junk {
		if l, ok := z.utf16(line); ok {
			line = l
			esc, cr = bytes.IndexByte(line, 0x1b) >= 0, bytes.IndexByte(line, '\r') >= 0
		} else {
			z.junk++
			return nil
		}
	}
	if esc {
		line = z.stripANSI(line)
	}
	if !cr {
		z.one(line)
		return z.out
	}
	// Progress output overwrites itself with CR: each part is a line.
	for len(line) > 0 {
		part := line
		if i := bytes.IndexByte(line, '\r'); i >= 0 {
			part, line = line[:i], line[i+1:]
		} else {
			line = nil
		}
		z.one(part)
	}
	return z.out
}

func (z *normalizer) one(line []byte) {
	line = trimBlank(line)
	if len(line) == 0 {
		return
	}
	// A syslog or journal line is already what it should be.
	if z.logLine(line) {
		z.out = append(z.out, line)
		return
	}
	line = z.peel(line)
	if len(line) == 0 {
		return
	}
	if isFence(line) {
		z.fence = !z.fence
		return
	}
	if z.json(line) {
		return
	}
	z.out = append(z.out, line)
	z.spans(line)
}

// minSpan is the shortest inline code span worth reading on its own.
const minSpan = 12

// spans adds the inline code spans of a line of prose ("I get
// `Permission denied (publickey).` when …") as lines of their own: people
// quote the message they saw that way.
func (z *normalizer) spans(line []byte) {
	rest := line
	for k := 0; k < 4; k++ {
		i := bytes.IndexByte(rest, '`')
		if i < 0 {
			return
		}
		j := bytes.IndexByte(rest[i+1:], '`')
		if j < 0 {
			return
		}
		span := trimBlank(rest[i+1 : i+1+j])
		if len(span) >= minSpan && len(span) < len(line) {
			z.out = append(z.out, span)
		}
		rest = rest[i+1+j+1:]
	}
}

// peel removes presentation prefixes and suffixes; it stops as soon as the
// rest is a syslog line.
func (z *normalizer) peel(line []byte) []byte {
	for i := 0; i < maxPeel && len(line) > 0; i++ {
		before := len(line)
		line = trimBlank(line)
		if n := eventRow(line); n > 0 {
			line = line[n:]
		}
		switch c := line[0]; {
		case c == '>' && !bytes.HasPrefix(line, []byte(">>")):
			line = line[1:]
		case c == '`':
			line = bytes.TrimLeft(line, "`")
		case c == '*' && bytes.HasPrefix(line, []byte("**")):
			line = line[2:]
		case c == '#' && len(line) > 1 && (line[1] == ' ' || line[1] == '#'):
			line = bytes.TrimLeft(line, "#")
		case c == '=' && bytes.HasPrefix(line, []byte("==> ")):
			line = line[4:]
			if n := wordColon(line); n > 0 {
				line = line[n:]
			}
		case c == '[':
			if n := bracketStamp(line); n > 0 {
				line = line[n:]
				if n := markerArrow(line); n > 0 {
					line = line[n:]
				}
			}
		case c >= '0' && c <= '9':
			if n := stampPrefix(line); n > 0 {
				line = line[n:]
			}
		}
		line = trimEnd(line)
		if len(line) == before {
			break
		}
		if z.logLine(line) {
			break
		}
	}
	return line
}

// logLine reports a syslog or journal line: a header with a host, or one
// naming sshd or systemd. A time stamp before "ssh: …" or "user@host: …"
// (CI logs) is not a header: the stamp is peeled instead.
func (z *normalizer) logLine(line []byte) bool {
	h, _ := parseHeader(line, &z.tc)
	return h.present && (len(h.host) > 0 || isSSHDIdent(h.ident) || string(h.ident) == "systemd")
}

// trimEnd removes trailing blanks, backticks and emphasis.
func trimEnd(line []byte) []byte {
	for {
		n := len(line)
		line = trimBlank(line)
		line = bytes.TrimRight(line, "`")
		if bytes.HasSuffix(line, []byte("**")) {
			line = line[:len(line)-2]
		}
		if len(line) == n {
			return line
		}
	}
}

func trimBlank(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	for j > i && (b[j-1] == ' ' || b[j-1] == '\t' || b[j-1] == '\r' || b[j-1] == '\n') {
		j--
	}
	return b[i:j]
}

func isFence(line []byte) bool {
	return bytes.HasPrefix(line, []byte("```")) || bytes.HasPrefix(line, []byte("~~~"))
}

// wordColon measures "name: " (one token ending in a colon and a space).
func wordColon(b []byte) int {
	for i := 0; i < len(b) && i < 64; i++ {
		switch b[i] {
		case ' ', '\t':
			return 0
		case ':':
			if i > 0 && i+1 < len(b) && b[i+1] == ' ' {
				return i + 2
			}
			return 0
		}
	}
	return 0
}

// bracketStamp measures "[16:25:29.721] " (VS Code) and dmesg's
// "[ 1234.567890] ".
func bracketStamp(b []byte) int {
	end := bytes.IndexByte(b[:min(len(b), 40)], ']')
	if end < 2 || end+1 >= len(b) || b[end+1] != ' ' {
		return 0
	}
	digitsSeen := false
	for _, c := range b[1:end] {
		switch {
		case c >= '0' && c <= '9':
			digitsSeen = true
		case c == ':' || c == '.' || c == ' ' || c == ',' || c == '-' || c == 'T' || c == 'Z':
		default:
			return 0
		}
	}
	if !digitsSeen {
		return 0
	}
	return end + 2
}

// markerArrow measures VS Code's "stderr> ", "> ", "local-server> ".
func markerArrow(b []byte) int {
	for i := 0; i < len(b) && i < 24; i++ {
		c := b[i]
		switch {
		case c == '>':
			if i+1 < len(b) && b[i+1] == ' ' {
				return i + 2
			}
			if i+1 == len(b) {
				return i + 1
			}
			return 0
		case c >= 'a' && c <= 'z' || c == '-':
		default:
			return 0
		}
	}
	return 0
}

// stampPrefix measures a leading time stamp and what goes with it:
//
//	2025-01-07T10:11:12.1234567Z          (CI logs)
//	2020/02/16 06:09:32                    (Go's log package)
//	2020-05-19 10:32:31 |                  (a log viewer's column)
//	2024-08-01T14:55:52.537                (tracing)
//	5544 2020-02-28 15:29:01.585           (Windows OpenSSH sshd.log)
//	9560 14:30:07:662, 5816 16:06:08 238   (older Windows sshd.log)
func stampPrefix(b []byte) int {
	i := 0
	// Windows sshd.log: a process id first.
	if n := digitRun(b); n > 0 && n <= 7 && n < len(b) && b[n] == ' ' {
		if m := dateTime(b[n+1:]); m > 0 {
			i = n + 1 + m
		} else if m := clock(b[n+1:]); m > 0 {
			i = n + 1 + m
		} else {
			return 0
		}
	} else if m := dateTime(b); m > 0 {
		i = m
	} else if m := clock(b); m > 0 && m < len(b) && b[m] == ' ' {
		i = m
	} else {
		return 0
	}
	// Fractions and zones already consumed; a space, an optional "| ".
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i < len(b) && b[i] == '|' {
		i++
		for i < len(b) && b[i] == ' ' {
			i++
		}
	}
	return i
}

func digitRun(b []byte) int {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	return n
}

// dateTime measures "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±hh[:]mm]" (also with
// slashes); 0 when b does not start with one.
func dateTime(b []byte) int {
	if len(b) < 19 || digitRun(b) != 4 || (b[4] != '-' && b[4] != '/') || b[7] != b[4] ||
		digitRun(b[5:]) != 2 || digitRun(b[8:]) != 2 || (b[10] != 'T' && b[10] != ' ') {
		return 0
	}
	m := clock(b[11:])
	if m == 0 {
		return 0
	}
	i := 11 + m
	switch {
	case i < len(b) && b[i] == 'Z':
		i++
	case i+5 <= len(b) && (b[i] == '+' || b[i] == '-') && digitRun(b[i+1:]) >= 2:
		j := i + 1 + 2
		if j < len(b) && b[j] == ':' {
			j++
		}
		if digitRun(b[j:]) == 2 {
			i = j + 2
		}
	}
	return i
}

// clock measures "HH:MM:SS" with an optional fraction (".123", ",123",
// ":123" or " 123" as older Windows sshd.log writes it).
func clock(b []byte) int {
	if len(b) < 8 || digitRun(b) != 2 || b[2] != ':' || digitRun(b[3:]) != 2 || b[5] != ':' || digitRun(b[6:]) != 2 {
		return 0
	}
	i := 8
	if i+1 < len(b) && (b[i] == '.' || b[i] == ',' || b[i] == ':') {
		if n := digitRun(b[i+1:]); n > 0 {
			i += 1 + n
		}
	} else if i+4 < len(b) && b[i] == ' ' && digitRun(b[i+1:]) == 3 && b[i+4] == ' ' {
		i += 4
	}
	return i
}

// isJunk reports bytes that are not text: a NUL, more than two control
// bytes, or mostly invalid UTF-8. One pass, no allocation.
func isJunk(b []byte) bool {
	junk, _, _ := inspect(b)
	return junk
}

// inspect is isJunk's pass, which also notes ESC and CR bytes.
func inspect(b []byte) (junk, esc, cr bool) {
	ctl := 0
	high := 0
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			continue
		}
		switch {
		case c == 0:
			return true, esc, cr
		case c == 0x1b:
			esc = true
		case c == '\r':
			cr = true
		case c == '\t':
		case c < 0x20, c == 0x7f:
			ctl++
			if ctl > 2 {
				return true, esc, cr
			}
		default:
			high++
		}
	}
	if high > 0 && high*4 > len(b) && !utf8.Valid(b) {
		return true, esc, cr
	}
	return false, esc, cr
}

// utf16 turns a line of UTF-16LE (PowerShell's ">" writes it) holding
// ASCII back into bytes; ok=false when the line is not that.
func (z *normalizer) utf16(b []byte) ([]byte, bool) {
	if b[0] == 0 {
		b = b[1:] // the line ending's second byte, left from the previous line
	}
	if len(b) < 4 || len(b)%2 == 1 && b[len(b)-1] != 0 {
		if len(b)%2 == 1 {
			b = b[:len(b)-1]
		}
	}
	if len(b) < 4 {
		return nil, false
	}
	z.buf = z.buf[:0]
	for i := 0; i+1 < len(b); i += 2 {
		if b[i+1] != 0 || b[i] == 0 {
			return nil, false
		}
		z.buf = append(z.buf, b[i])
	}
	if isJunk(z.buf) {
		return nil, false
	}
	return trimBlank(z.buf), true
}

// stripANSI removes ESC sequences (CSI "ESC [ … letter", OSC "ESC ] … BEL").
func (z *normalizer) stripANSI(b []byte) []byte {
	z.buf = z.buf[:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != 0x1b {
			z.buf = append(z.buf, c)
			continue
		}
		if i+1 >= len(b) {
			break
		}
		switch b[i+1] {
		case '[':
			j := i + 2
			for j < len(b) && !(b[j] >= 0x40 && b[j] <= 0x7e) {
				j++
			}
			i = j
		case ']':
			j := i + 2
			for j < len(b) && b[j] != 0x07 && !(b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\') {
				j++
			}
			if j < len(b) && b[j] == 0x1b {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return z.buf
}

// jsonKeys are the fields of Ansible's results (and similar JSON) that
// carry a program's output.
var jsonKeys = [][]byte{[]byte(`"msg": "`), []byte(`"stderr": "`), []byte(`"stdout": "`), []byte(`"module_stderr": "`), []byte(`"msg":"`), []byte(`"stderr":"`)}

// json unescapes the output strings of a JSON object on the line into
// lines of their own (what precedes the first string is kept as a line
// too). It reports whether it did.
func (z *normalizer) json(line []byte) bool {
	if bytes.IndexByte(line, '"') < 0 || bytes.IndexByte(line, ':') < 0 {
		return false
	}
	done := false
	rest := line
	for {
		at, klen := -1, 0
		for _, k := range jsonKeys {
			if i := bytes.Index(rest, k); i >= 0 && (at < 0 || i < at) {
				at, klen = i, len(k)
			}
		}
		if at < 0 {
			break
		}
		if !done {
			if head := trimBlank(line[:len(line)-len(rest)+at]); len(head) > 0 {
				z.out = append(z.out, head)
			}
		}
		done = true
		start := len(z.jbuf)
		end := unescapeJSON(rest[at+klen:], &z.jbuf)
		rest = rest[min(len(rest), at+klen+end):]
		s := z.jbuf[start:]
		for len(s) > 0 {
			part := s
			if i := bytes.IndexAny(s, "\r\n"); i >= 0 {
				part, s = s[:i], s[i+1:]
			} else {
				s = nil
			}
			if p := z.peel(trimBlank(part)); len(p) > 0 && !isFence(p) {
				z.out = append(z.out, p)
			}
		}
	}
	return done
}

// unescapeJSON appends the JSON string starting at b (after its opening
// quote) to dst and returns how many bytes of b it used.
func unescapeJSON(b []byte, dst *[]byte) int {
	i := 0
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return i + 1
		case c == '\\' && i+1 < len(b):
			switch b[i+1] {
			case 'n':
				*dst = append(*dst, '\n')
			case 'r':
				*dst = append(*dst, '\r')
			case 't':
				*dst = append(*dst, '\t')
			case 'u':
				if i+5 < len(b) {
					var r rune
					ok := true
					for _, h := range b[i+2 : i+6] {
						r <<= 4
						switch {
						case h >= '0' && h <= '9':
							r |= rune(h - '0')
						case h >= 'a' && h <= 'f':
							r |= rune(h-'a') + 10
						case h >= 'A' && h <= 'F':
							r |= rune(h-'A') + 10
						default:
							ok = false
						}
					}
					if ok {
						*dst = utf8.AppendRune(*dst, r)
						i += 6
						continue
					}
				}
				*dst = append(*dst, 'u')
			default:
				*dst = append(*dst, b[i+1])
			}
			i += 2
		default:
			*dst = append(*dst, c)
			i++
		}
	}
	return i
}
