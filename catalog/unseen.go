package catalog

import "strings"

// Unseen is the value a finding gives a placeholder whose value the input
// did not show. Rendering never prints it: the title then uses the
// entry's wording without that value (RegisterWithout), and other texts
// put a neutral noun in its place ("the server", "サーバー").
const Unseen = "?"

var (
	without = map[string]Text{} // code → title worded without its values
)

// RegisterWithout adds, per code, a title worded for when a value it
// names was not seen.
func RegisterWithout(m map[string]Text) {
	mu.Lock()
	defer mu.Unlock()
	for code, t := range m {
		if _, dup := without[code]; dup {
			duplicates = append(duplicates, "title without values "+code)
			continue
		}
		without[code] = t
	}
}

// TitleWithout returns the title of code worded without its values.
func TitleWithout(code string) (Text, bool) {
	mu.RLock()
	defer mu.RUnlock()
	t, ok := without[code]
	return t, ok
}

// FillSeen fills tmpl like Fill, but a placeholder whose value is Unseen
// gets the neutral noun registered as phrase "unseen.<name>" (or
// "unseen.value") in lang, so no sentence shows a bare "?".
func FillSeen(lang Lang, tmpl string, args map[string]string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := args[name]
		if !ok {
			return m
		}
		if v != Unseen {
			return v
		}
		if t, ok := Phrase("unseen." + name); ok {
			return t.In(lang)
		}
		if t, ok := Phrase("unseen.value"); ok {
			return t.In(lang)
		}
		return v
	})
}

// soft placeholders read well with a neutral noun in a title; a title
// missing any other value takes its other wording.
var soft = map[string]bool{"timeout": true, "lines": true, "mode": true, "uid": true, "methods": true,
	"offered": true, "reason": true, "failed": true, "accepted": true, "dropped": true, "long": true,
	"range": true, "wait": true, "said": true}

// HasUnseen reports whether tmpl names a placeholder (other than the soft
// ones) whose value is Unseen.
func HasUnseen(tmpl string, args map[string]string) bool {
	for _, p := range Placeholders(tmpl) {
		if args[p] == Unseen && !soft[p] {
			return true
		}
	}
	return false
}
