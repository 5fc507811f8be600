// Package capped is a buffer that keeps at most a fixed number of bytes:
// the output of a command or a server is read whole (so the writer never
// blocks) but only its first Max bytes are kept.
package capped

import "bytes"

// Buffer keeps the first Max bytes written and drops the rest, recording
// that it did. Writes never fail, so a child process is never blocked.
type Buffer struct {
	bytes.Buffer
	Max       int
	Truncated bool
}

// New returns a buffer that keeps at most max bytes.
func New(max int) *Buffer { return &Buffer{Max: max} }

func (b *Buffer) Write(p []byte) (int, error) {
	room := b.Max - b.Len()
	if room < len(p) {
		b.Truncated = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
