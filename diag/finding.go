// Package diag is the engine: checks with declared prerequisites and
// deadlines, the findings they produce, and the runner that executes them.
// It knows nothing about SSH.
package diag

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sshdoctor/sshdoctor/catalog"
)

// Severity of a finding.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
	SevInfo    Severity = "info"
)

// Evidence is one observed fact: a label and what was seen.
type Evidence struct {
	Key   string
	Value string
}

// Fix is one way to repair the problem: a catalogued description (filled
// with the finding's arguments) and, when there is one, the exact command.
type Fix struct {
	Key     string
	Command string
	// Withheld is set when the command would have held a control or
	// invisible character (a value taken from a log line or a server): such
	// a command is not given, since what a person pastes would differ from
	// what they read.
	Withheld bool
}

// Finding is what a check concluded. Its texts live in the catalog under
// Code; Args fill their placeholders.
type Finding struct {
	Code     string
	Severity Severity
	Args     map[string]string
	Evidence []Evidence
	Fixes    []Fix
}

// NewFinding starts a finding with the catalog's default severity for code
// (error when the code is unknown, so a missing entry is loud).
func NewFinding(code string) *Finding {
	sev := SevError
	if e, ok := catalog.Lookup(code); ok && e.Severity != "" {
		sev = Severity(e.Severity)
	}
	return &Finding{Code: code, Severity: sev, Args: map[string]string{}}
}

// Sev overrides the severity.
func (f *Finding) Sev(s Severity) *Finding { f.Severity = s; return f }

// Arg sets a template argument.
func (f *Finding) Arg(name, value string) *Finding { f.Args[name] = value; return f }

// Ev appends a piece of evidence.
func (f *Finding) Ev(key, value string) *Finding {
	f.Evidence = append(f.Evidence, Evidence{Key: key, Value: value})
	return f
}

// EvInt appends a numeric piece of evidence.
func (f *Finding) EvInt(key string, v int) *Finding { return f.Ev(key, strconv.Itoa(v)) }

// Fix appends a fix: a catalogued description key and an exact command
// (empty when the fix is not a command).
//
// This is the one place fix commands enter a finding: a command holding a
// control character (other than the newline between commands), an
// invisible formatting or bidirectional character, or bytes that are not
// UTF-8 is withheld, never shown.
func (f *Finding) Fix(key, command string) *Finding {
	if !CommandSafe(command) {
		f.Fixes = append(f.Fixes, Fix{Key: key, Withheld: true})
		return f
	}
	f.Fixes = append(f.Fixes, Fix{Key: key, Command: command})
	return f
}

// AddFixes appends the fixes catalogued for f's code (catalog.FixSpecs),
// their commands filled from p by catalog.FixesFor: the one way every
// command gives the same fixes for the same code. A description's
// placeholder that f has no argument for takes its value from p.
func (f *Finding) AddFixes(p catalog.Params) *Finding {
	for _, fx := range catalog.FixesFor(f.Code, p) {
		if t, ok := catalog.Phrase(fx.Key); ok {
			for _, name := range catalog.Placeholders(t.En) {
				if _, set := f.Args[name]; !set && p.Known(name) {
					f.Args[name] = p[name]
				}
			}
		}
		if fx.Withheld {
			f.Fixes = append(f.Fixes, Fix{Key: fx.Key, Withheld: true})
			continue
		}
		f.Fix(fx.Key, fx.Command)
	}
	return f
}

// CommandSafe reports whether a fix command reads as it runs: valid UTF-8
// with no character that Hidden reports, newlines (between commands) aside.
func CommandSafe(command string) bool {
	for i := 0; i < len(command); {
		r, size := utf8.DecodeRuneInString(command[i:])
		if (r == utf8.RuneError && size <= 1) || (r != '\n' && Hidden(r)) {
			return false
		}
		i += size
	}
	return true
}

// Hidden reports whether r, printed on a terminal, changes its state or
// hides or reorders text instead of showing a glyph: C0 and C1 controls,
// DEL, line and paragraph separators, format characters (bidirectional
// overrides and isolates, zero-width characters, the byte order mark),
// private-use characters and the replacement character.
func Hidden(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r), r == utf8.RuneError:
		return true
	}
	return false
}

// EvidenceValue returns the first evidence value with key, or "".
func (f *Finding) EvidenceValue(key string) string {
	for _, e := range f.Evidence {
		if e.Key == key {
			return e.Value
		}
	}
	return ""
}

// Quote renders untrusted bytes (a server's banner, a log line) safely for a
// terminal: printable text is kept, everything else is escaped Go-style, and
// the result is capped at max input bytes with "…" when cut.
func Quote(b []byte, max int) string {
	cut := false
	if max > 0 && len(b) > max {
		b, cut = b[:max], true
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			sb.WriteString(`\x`)
			sb.WriteString(strconv.FormatUint(uint64(b[0])|0x100, 16)[1:])
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029:
			q := strconv.QuoteRuneToASCII(r)
			sb.WriteString(q[1 : len(q)-1])
		default:
			sb.WriteRune(r)
		}
		b = b[size:]
	}
	if cut {
		sb.WriteString("…")
	}
	return sb.String()
}
