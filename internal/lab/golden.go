package lab

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// UpdateGolden is set by SSHDOCTOR_UPDATE_GOLDEN=1: golden files are
// rewritten instead of compared.
var UpdateGolden = os.Getenv("SSHDOCTOR_UPDATE_GOLDEN") == "1"

var (
	// A check's own duration is printed only when it is not 0 ms.
	checkTime  = regexp.MustCompile(` \(\d+ ms\)`)
	durationRE = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s)\b`)
	ephemeral  = regexp.MustCompile(`\bport \d{5}\b`)
	// Keys are made anew for every test run.
	fingerprint = regexp.MustCompile(`SHA256:[A-Za-z0-9+/]{43}`)
)

// Normalize makes text output comparable across runs: each replacements
// key (a random user name, a temporary directory) becomes its value, and
// durations become "T".
func Normalize(s string, replacements map[string]string) string {
	keys := make([]string, 0, len(replacements))
	for k := range replacements {
		keys = append(keys, k)
	}
	// Longest first, so a directory is replaced before a name inside it.
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if len(keys[j]) > len(keys[i]) {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	for _, k := range keys {
		if k != "" {
			s = strings.ReplaceAll(s, k, replacements[k])
		}
	}
	// Fingerprints first: base64 can hold what looks like a duration ("35s").
	s = fingerprint.ReplaceAllString(s, "SHA256:FINGERPRINT")
	s = checkTime.ReplaceAllString(s, "")
	s = durationRE.ReplaceAllString(s, "T")
	return ephemeral.ReplaceAllString(s, "port EPHEMERAL")
}

// Golden compares got with the file, or rewrites it when UpdateGolden.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if UpdateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with SSHDOCTOR_UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (SSHDOCTOR_UPDATE_GOLDEN=1 to accept):\n%s", path, got)
	}
}
