package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// Free text that is not a finding — command help, flag descriptions,
// usage-error formats — is translated by looking up its English text.
// The English stays in the code where it is used; the translations are
// data registered here with RegisterTranslations.

var translations = map[string]string{}

// RegisterTranslations adds English → Japanese pairs for free text.
func RegisterTranslations(m map[string]string) {
	mu.Lock()
	defer mu.Unlock()
	for en, ja := range m {
		if _, dup := translations[en]; dup {
			duplicates = append(duplicates, "translation "+en)
			continue
		}
		translations[en] = ja
	}
}

// Translate returns en in lang (English when there is no translation).
func Translate(lang Lang, en string) string {
	if lang != JA {
		return en
	}
	mu.RLock()
	defer mu.RUnlock()
	if ja, ok := translations[en]; ok && ja != "" {
		return ja
	}
	return en
}

// HasTranslation reports whether en has a Japanese translation.
func HasTranslation(en string) bool {
	mu.RLock()
	defer mu.RUnlock()
	_, ok := translations[en]
	return ok
}

var verbRE = lazyre.New(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs returns the printf verbs of s, normalised to explicit argument
// indexes so that a translation may reorder them.
func verbs(s string) []string {
	var out []string
	next := 1
	for _, m := range verbRE.FindAllString(s, -1) {
		if m == "%%" {
			continue
		}
		idx := next
		if i := strings.Index(m, "["); i >= 0 {
			if n, err := fmt.Sscanf(m[i:], "[%d]", &idx); n != 1 || err != nil {
				idx = next
			}
		}
		next = idx + 1
		out = append(out, fmt.Sprintf("%d:%c", idx, m[len(m)-1]))
	}
	sort.Strings(out)
	return out
}

func translationProblems() []string {
	var out []string
	for en, ja := range translations {
		if strings.TrimSpace(ja) == "" {
			out = append(out, fmt.Sprintf("translation of %q is empty", en))
			continue
		}
		if a, b := strings.Join(verbs(en), " "), strings.Join(verbs(ja), " "); a != b {
			out = append(out, fmt.Sprintf("translation of %q: verbs differ (%s vs %s)", en, a, b))
		}
		if a, b := strings.Join(Placeholders(en), ","), strings.Join(Placeholders(ja), ","); a != b {
			out = append(out, fmt.Sprintf("translation of %q: placeholders differ", en))
		}
	}
	return out
}
