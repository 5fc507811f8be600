package sshlog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
)

// shq quotes s for a POSIX shell so that a fix command built from text in
// a log (a user name, a path, a host) can be pasted safely. ok is false
// when s holds control characters or is empty: such a value is not put in
// a command at all.
func shq(s string) (string, bool) {
	if s == "" || len(s) > 512 {
		return "", false
	}
	safe := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", false
		}
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
			safe = false
		}
	}
	if safe && !strings.HasPrefix(s, "-") {
		return s, true
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'", true
}

// cmd builds a command line from a format whose %s verbs are filled with
// shell-quoted values; it returns "" when a value cannot be quoted.
func cmd(format string, vals ...string) string {
	args := make([]any, len(vals))
	for i, v := range vals {
		q, ok := shq(v)
		if !ok {
			return ""
		}
		args[i] = q
	}
	return sprintf(format, args...)
}

// quoteText renders text taken from the input for evidence: escaped and
// capped (the input is untrusted: a log can hold anything).
func quoteText(s string) string { return diag.Quote([]byte(s), MaxEvidence) }

// locator renders a line number for evidence, with the input's name when
// there are several inputs.
type locator func(n int) string

func plainLoc(n int) string { return strconv.Itoa(n) }

// lineEv adds the decisive line to a finding.
func lineEv(f *diag.Finding, loc locator, n int, text string) *diag.Finding {
	if loc == nil {
		loc = plainLoc
	}
	if n <= 0 {
		return f.Ev("line", quoteText(text))
	}
	return f.Ev("line", loc(n)+": "+quoteText(text))
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// complete gives every placeholder of the finding's catalogued texts and
// fix phrases a value: "?" for what the text did not say, so a template
// never shows a raw {name}.
func complete(f *diag.Finding) *diag.Finding {
	if f == nil {
		return nil
	}
	var texts []string
	if e, ok := catalog.Lookup(f.Code); ok {
		texts = append(texts, e.Title.En, e.Title.Ja, e.Explanation.En, e.Explanation.Ja)
	}
	for _, fx := range f.Fixes {
		if t, ok := catalog.Phrase(fx.Key); ok {
			texts = append(texts, t.En, t.Ja)
		}
	}
	for _, t := range texts {
		for _, p := range catalog.Placeholders(t) {
			if _, ok := f.Args[p]; !ok {
				f.Args[p] = "?"
			}
		}
	}
	return f
}
