// Package capped is a buffer that keeps at most a fixed number of bytes:
// the output of a command or a server is read whole (so the writer never
// blocks) but only its first Max bytes are kept.
//
// Buffer deliberately does not embed bytes.Buffer: an embedded buffer would
// promote ReadFrom and WriteString, and io.Copy (which os/exec and the SSH
// session use) would then fill it without limit. Every way in goes through
// the cap.
package capped

import (
	"errors"
	"io"
)

// Buffer keeps the first Max bytes written and drops the rest, recording
// that it did. Writes never fail, so a child process is never blocked.
type Buffer struct {
	buf       []byte
	Max       int
	Truncated bool
}

// New returns a buffer that keeps at most max bytes.
func New(max int) *Buffer { return &Buffer{Max: max} }

// Write keeps what fits under the cap and reports the whole of p as
// written.
func (b *Buffer) Write(p []byte) (int, error) {
	room := b.Max - len(b.buf)
	if room < len(p) {
		b.Truncated = true
		if room > 0 {
			b.buf = append(b.buf, p[:room]...)
		}
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// WriteString is Write for a string.
func (b *Buffer) WriteString(s string) (int, error) {
	room := b.Max - len(b.buf)
	if room < len(s) {
		b.Truncated = true
		if room > 0 {
			b.buf = append(b.buf, s[:room]...)
		}
		return len(s), nil
	}
	b.buf = append(b.buf, s...)
	return len(s), nil
}

// WriteByte is Write for one byte.
func (b *Buffer) WriteByte(c byte) error {
	if len(b.buf) >= b.Max {
		b.Truncated = true
		return nil
	}
	b.buf = append(b.buf, c)
	return nil
}

// copyChunk is the size of the scratch buffer ReadFrom reads through once
// the cap is reached: the rest of the stream is read and dropped.
const copyChunk = 32 << 10

// ReadFrom reads r to its end, keeping what fits under the cap. It is
// here so that io.Copy cannot find a way around the cap.
func (b *Buffer) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	var scratch []byte
	for {
		var p []byte
		if room := b.Max - len(b.buf); room > 0 {
			if room > copyChunk {
				room = copyChunk
			}
			if cap(b.buf)-len(b.buf) < room {
				// grow by doubling (up to the cap), as append does
				c := 2 * cap(b.buf)
				if c < len(b.buf)+room {
					c = len(b.buf) + room
				}
				if c > b.Max {
					c = b.Max
				}
				nb := make([]byte, len(b.buf), c)
				copy(nb, b.buf)
				b.buf = nb
			}
			p = b.buf[len(b.buf) : len(b.buf)+room]
		} else {
			if scratch == nil {
				scratch = make([]byte, copyChunk)
			}
			p = scratch
		}
		n, err := r.Read(p)
		if n > 0 {
			total += int64(n)
			if len(b.buf) < b.Max {
				b.buf = b.buf[:len(b.buf)+n]
			} else {
				b.Truncated = true
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return total, nil
			}
			return total, err
		}
	}
}

// Bytes returns the bytes kept (not a copy).
func (b *Buffer) Bytes() []byte { return b.buf }

// String returns the bytes kept as a string.
func (b *Buffer) String() string { return string(b.buf) }

// Len is the number of bytes kept.
func (b *Buffer) Len() int { return len(b.buf) }

// Reset empties the buffer and clears Truncated.
func (b *Buffer) Reset() {
	b.buf = b.buf[:0]
	b.Truncated = false
}
