// Package catalog holds every finding code sshdoctor can report, every fix
// description and every user-facing phrase, each in English and Japanese.
//
// Texts are templates with {name} placeholders filled from a finding's
// arguments, so a new language is a data change, not a code change. Each
// area of the tool registers its entries from its own file (client.go,
// server.go, vm.go, gcp.go, explain.go, ui.go) in init functions.
package catalog

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// Lang is a language the catalog speaks.
type Lang string

const (
	EN Lang = "en"
	JA Lang = "ja"
)

// Langs lists the languages every entry must carry.
var Langs = []Lang{EN, JA}

// Text is one phrase in every language.
type Text struct {
	En string
	Ja string
}

// In returns the phrase in lang, falling back to English.
func (t Text) In(lang Lang) string {
	if lang == JA && t.Ja != "" {
		return t.Ja
	}
	return t.En
}

// Entry is one finding code: a stable identifier of the form layer.reason,
// its default severity, a one-line title and an explanation.
type Entry struct {
	Code        string
	Severity    string // "error", "warning" or "info"
	Title       Text
	Explanation Text
}

var (
	mu         sync.RWMutex
	entries    = make(map[string]Entry, 512)
	phrases    = make(map[string]Text, 1024)
	duplicates []string
)

// Register adds finding entries. A code registered twice is remembered and
// reported by Problems (and so fails the catalog's tests).
func Register(es ...Entry) {
	mu.Lock()
	defer mu.Unlock()
	for _, e := range es {
		if _, dup := entries[e.Code]; dup {
			duplicates = append(duplicates, e.Code)
			continue
		}
		entries[e.Code] = e
	}
}

// RegisterPhrases adds fix descriptions and interface phrases, keyed by an
// identifier such as "fix.start_sshd" or "ui.diagnosis".
func RegisterPhrases(m map[string]Text) {
	mu.Lock()
	defer mu.Unlock()
	for k, v := range m {
		if _, dup := phrases[k]; dup {
			duplicates = append(duplicates, k)
			continue
		}
		phrases[k] = v
	}
}

// Lookup returns the entry for code.
func Lookup(code string) (Entry, bool) {
	mu.RLock()
	defer mu.RUnlock()
	e, ok := entries[code]
	return e, ok
}

// Phrase returns the phrase registered under key.
func Phrase(key string) (Text, bool) {
	mu.RLock()
	defer mu.RUnlock()
	t, ok := phrases[key]
	return t, ok
}

// Codes returns every registered code, sorted.
func Codes() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(entries))
	for c := range entries {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// PhraseKeys returns every registered phrase key, sorted.
func PhraseKeys() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(phrases))
	for k := range phrases {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var placeholderRE = lazyre.New(`\{([a-z][a-z0-9_]*)\}`)

// Placeholders returns the sorted, de-duplicated placeholder names in s.
func Placeholders(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

// Fill replaces {name} placeholders in tmpl with args[name]. A placeholder
// without a value is left visible as {name} so a missing argument shows up
// in tests instead of vanishing.
func Fill(tmpl string, args map[string]string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		if v, ok := args[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// Say renders the phrase key in lang with args; an unknown key renders as
// the key itself so that output never silently loses information.
func Say(lang Lang, key string, args map[string]string) string {
	t, ok := Phrase(key)
	if !ok {
		return key
	}
	return Fill(t.In(lang), args)
}

// Problems lists what is wrong with the catalog: duplicates, missing
// languages, placeholder sets that differ between languages, bad codes.
func Problems() []string {
	mu.RLock()
	defer mu.RUnlock()
	var out []string
	for _, d := range duplicates {
		out = append(out, fmt.Sprintf("%s: registered twice", d))
	}
	codeRE := regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*\.[a-z0-9]+(_[a-z0-9]+)*$`)
	check := func(id, field string, t Text) {
		if strings.TrimSpace(t.En) == "" {
			out = append(out, fmt.Sprintf("%s: %s has no English text", id, field))
		}
		if strings.TrimSpace(t.Ja) == "" {
			out = append(out, fmt.Sprintf("%s: %s has no Japanese text", id, field))
			return
		}
		if en, ja := strings.Join(Placeholders(t.En), ","), strings.Join(Placeholders(t.Ja), ","); en != ja {
			out = append(out, fmt.Sprintf("%s: %s placeholders differ: en {%s} ja {%s}", id, field, en, ja))
		}
	}
	for code, e := range entries {
		if !codeRE.MatchString(code) {
			out = append(out, fmt.Sprintf("%s: code is not layer.reason in lower_snake", code))
		}
		switch e.Severity {
		case "error", "warning", "info":
		default:
			out = append(out, fmt.Sprintf("%s: severity %q is not error, warning or info", code, e.Severity))
		}
		check(code, "title", e.Title)
		check(code, "explanation", e.Explanation)
	}
	for k, t := range phrases {
		check(k, "phrase", t)
	}
	out = append(out, translationProblems()...)
	out = append(out, fixProblems()...)
	sort.Strings(out)
	return out
}
