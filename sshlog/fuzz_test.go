package sshlog

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sshdoctor/sshdoctor/catalog"
)

func seedFiles(f *testing.F, lines bool) {
	for _, pattern := range []string{"testdata/corpus/*/*", "testdata/openssh/*"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			text := readFile(f, p)
			if !lines {
				f.Add(text)
				continue
			}
			for _, l := range strings.Split(text, "\n") {
				f.Add(l)
			}
		}
	}
	for _, form := range serverForms {
		f.Add(form.prefix("sshd-session", 42) + "Invalid user x from 192.0.2.1 port 22")
	}
	f.Add(`{"MESSAGE":"Accepted publickey for a from 192.0.2.1 port 1 ssh2","SYSLOG_IDENTIFIER":"sshd"}`)
}

// FuzzClassifyServerLine: any line, no panic, and fields are substrings of
// the line (nothing invented).
func FuzzClassifyServerLine(f *testing.F) {
	seedFiles(f, true)
	f.Fuzz(func(t *testing.T, line string) {
		e, ok := ClassifyServerLine(line)
		if !ok {
			return
		}
		if line[0] != '{' {
			for _, v := range []string{e.User, e.Source, e.Path, e.Detail} {
				if v != "" && !strings.Contains(line, v) {
					t.Fatalf("field %q not in line %q", v, line)
				}
			}
		}
		if f := e.Finding(); f != nil && !utf8.ValidString(f.EvidenceValue("line")) {
			t.Fatalf("evidence not valid text: %q", f.EvidenceValue("line"))
		}
	})
}

// FuzzScanServerLog: any stream, no panic, bounded tables.
func FuzzScanServerLog(f *testing.F) {
	seedFiles(f, false)
	f.Fuzz(func(t *testing.T, text string) {
		sum, err := ScanServerLog(strings.NewReader(text), ScanOptions{MaxKeys: 8, MaxLineBytes: 256})
		if err != nil {
			return // a truncated journal export entry
		}
		if len(sum.Keys) > 8 {
			t.Fatalf("%d keys, cap 8", len(sum.Keys))
		}
		if sum.Lines > strings.Count(text, "\n")+1 {
			t.Fatalf("%d lines from %d newlines", sum.Lines, strings.Count(text, "\n"))
		}
	})
}

// FuzzExplain: any text, no panic; the result is a diagnosis or
// explain.unrecognized, and every fix command is free of control bytes.
func FuzzExplain(f *testing.F) {
	seedFiles(f, false)
	f.Fuzz(func(t *testing.T, text string) {
		a, err := Explain([]Input{{Name: "f", R: strings.NewReader(text)}}, ExplainOptions{MaxLineBytes: 512, MaxClientLines: 200})
		if err != nil {
			return
		}
		if len(a.Findings) == 0 {
			t.Fatal("no finding at all")
		}
		for _, fd := range a.Findings {
			for _, fx := range fd.Fixes {
				if bytes.ContainsAny([]byte(fx.Command), "\x00\r\x1b") {
					t.Fatalf("fix command with control bytes: %q", fx.Command)
				}
				// A line break only where the catalog's template has
				// one (a Host block), never from the text.
				if n := strings.Count(fx.Command, "\n"); n > 0 {
					specs, _ := catalog.FixSpecs(fd.Code)
					ok := false
					for _, s := range specs {
						ok = ok || s.Key == fx.Key && strings.Count(s.Command, "\n") == n
					}
					if !ok {
						t.Fatalf("fix command with a line break the catalog does not write: %q", fx.Command)
					}
				}
			}
		}
	})
}
