package report

import (
	"github.com/sshdoctor/sshdoctor/diag"

	"strconv"
	"strings"
	"unicode/utf8"
)

// Terminal makes s safe to print on a terminal as one line: every control
// character (C0 and C1, DEL, newline included), every invisible formatting
// or bidirectional control (right-to-left overrides, isolates, zero-width
// characters, line and paragraph separators) and every byte that is not
// valid UTF-8 is written as a visible escape (\x1b, \u202e, \xff); valid
// text in any script is kept as it is. Backslashes are kept: an escape only
// has to be visible, and text that was quoted earlier stays readable.
//
// The text renderer passes every string that did not come from sshdoctor
// itself through here; JSON is left faithful (the encoder escapes it).
func Terminal(s string) string {
	return escape(s, false)
}

// TerminalLines is Terminal for text that may span lines: newlines are kept,
// everything else is escaped as by Terminal.
func TerminalLines(s string) string {
	return escape(s, true)
}

// Unsafe reports whether s holds a character Terminal would escape (other
// than a newline when lines is true).
func Unsafe(s string, lines bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return true
		}
		if !(lines && r == '\n') && hidden(r) {
			return true
		}
		i += size
	}
	return false
}

func hidden(r rune) bool { return diag.Hidden(r) }

func escape(s string, lines bool) string {
	if !Unsafe(s, lines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			const hex = "0123456789abcdef"
			b.WriteString(`\x`)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&15])
		case lines && r == '\n':
			b.WriteByte('\n')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case hidden(r):
			q := strconv.QuoteRuneToASCII(r) // '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
