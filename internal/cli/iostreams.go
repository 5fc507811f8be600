package cli

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IO is every stream a command may touch, and the environment it reads. All
// output goes through it, so tests run commands against buffers.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY says whether Out is a terminal (colour is only used then).
	OutTTY bool
	Getenv func(string) string
}

// System returns the process's real streams.
func System() *IO {
	return &IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())), Getenv: os.Getenv}
}

// TestIO returns buffers and an environment map for tests.
func TestIO(env map[string]string) (*IO, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &IO{In: &bytes.Buffer{}, Out: out, ErrOut: errOut,
		Getenv: func(k string) string { return env[k] }}, out, errOut
}

// colorEnabled decides colour once: only on a terminal, never with NO_COLOR
// or --no-color, always with CLICOLOR_FORCE.
func (s *IO) colorEnabled(noColor bool) bool {
	if noColor || s.Getenv("NO_COLOR") != "" {
		return false
	}
	if f := s.Getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		return true
	}
	return s.OutTTY && s.Getenv("TERM") != "dumb"
}
