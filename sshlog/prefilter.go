package sshlog

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// A prefilter keeps the client rules' regular expressions off lines that
// cannot match them. Every rule needs one of a few literal strings (taken
// from the pattern itself); one pass over the line, with a table of the
// literals' first two bytes, tells which literals occur, and only rules
// with one of them present are run. Most lines of a large log, and every
// line of binary junk, cost one pass and no regular expression.

// minLiteral is the shortest literal worth indexing; a rule whose
// pattern has no required literal that long is always run.
const minLiteral = 3

type prefilter struct {
	first  [1 << 16]bool    // first two bytes of some literal
	byKey  map[uint32][]int // first three bytes → literal indexes
	lits   []string
	rules  [][]int // literal index → rules needing it
	always []int   // rules without a required literal
	n      int     // rules
}

func newPrefilter(res []string) *prefilter {
	p := &prefilter{byKey: map[uint32][]int{}, n: len(res)}
	index := map[string]int{}
	for ri, re := range res {
		lits := requiredLiterals(re)
		if len(lits) == 0 {
			p.always = append(p.always, ri)
			continue
		}
		for _, l := range lits {
			li, ok := index[l]
			if !ok {
				li = len(p.lits)
				index[l] = li
				p.lits = append(p.lits, l)
				p.rules = append(p.rules, nil)
				p.first[int(l[0])<<8|int(l[1])] = true
				k := uint32(l[0])<<16 | uint32(l[1])<<8 | uint32(l[2])
				p.byKey[k] = append(p.byKey[k], li)
			}
			p.rules[li] = append(p.rules[li], ri)
		}
	}
	return p
}

// candidates marks in set (len ≥ n) the rules that may match s; it
// reports whether any may.
func (p *prefilter) candidates(s string, set []bool) bool {
	for i := range set {
		set[i] = false
	}
	any := false
	for _, r := range p.always {
		set[r] = true
		any = true
	}
	for i := 0; i+minLiteral <= len(s); i++ {
		if !p.first[int(s[i])<<8|int(s[i+1])] {
			continue
		}
		k := uint32(s[i])<<16 | uint32(s[i+1])<<8 | uint32(s[i+2])
		for _, li := range p.byKey[k] {
			if strings.HasPrefix(s[i:], p.lits[li]) {
				for _, r := range p.rules[li] {
					set[r] = true
				}
				any = true
			}
		}
	}
	return any
}

// requiredLiterals returns literals one of which every match of re
// contains (nil when there is no such set of useful length).
func requiredLiterals(re string) []string {
	t, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return nil
	}
	return req(t.Simplify())
}

func req(t *syntax.Regexp) []string {
	switch t.Op {
	case syntax.OpLiteral:
		if t.Flags&syntax.FoldCase != 0 {
			return nil
		}
		if s := string(t.Rune); len(s) >= minLiteral {
			return []string{s}
		}
		return nil
	case syntax.OpCapture, syntax.OpPlus:
		return req(t.Sub[0])
	case syntax.OpRepeat:
		if t.Min >= 1 {
			return req(t.Sub[0])
		}
		return nil
	case syntax.OpAlternate:
		var out []string
		for _, s := range t.Sub {
			r := req(s)
			if r == nil {
				return nil
			}
			out = append(out, r...)
		}
		return out
	case syntax.OpConcat:
		// Adjacent literals join into one longer literal.
		var best []string
		bestLen := 0
		consider := func(c []string) {
			if len(c) == 0 {
				return
			}
			m := len(c[0])
			for _, s := range c {
				m = min(m, len(s))
			}
			if m > bestLen || (m == bestLen && len(c) < len(best)) {
				best, bestLen = c, m
			}
		}
		var run []rune
		flush := func() {
			if s := string(run); len(s) >= minLiteral && utf8.ValidString(s) {
				consider([]string{s})
			}
			run = run[:0]
		}
		for _, s := range t.Sub {
			if s.Op == syntax.OpLiteral && s.Flags&syntax.FoldCase == 0 {
				run = append(run, s.Rune...)
				continue
			}
			flush()
			consider(req(s))
		}
		flush()
		return best
	}
	return nil
}
