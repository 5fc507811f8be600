package cli

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// cobra's own argument errors are usage errors (exit 2); an I/O error that
// happens to say "invalid argument" (EINVAL) is not.
func TestCobraUsageByPrefix(t *testing.T) {
	for msg, want := range map[string]bool{
		`unknown command "chek" for "sshdoctor"`:       true,
		"accepts 1 arg(s), received 2":                 true,
		`invalid argument "x" for "--port" flag`:       true,
		"read /proc/self/clear_refs: invalid argument": false,
		"reading input: unknown flag in the file":      false,
	} {
		if got := isCobraUsage(errors.New(msg)); got != want {
			t.Errorf("%q: usage %v, want %v", msg, got, want)
		}
	}
	if _, err := os.Stat("/proc/self/clear_refs"); err != nil {
		return // a Linux file: reading it fails with EINVAL
	}
	s, _, errOut := TestIO(nil)
	if code := Main([]string{"explain", "/proc/self/clear_refs"}, s); code == ExitUsage || code == ExitOK {
		t.Fatalf("explain of a file that cannot be read: exit %d: %s", code, errOut)
	}
	if strings.Count(strings.TrimSpace(errOut.String()), "\n") != 0 {
		t.Fatalf("not one line: %q", errOut)
	}
}
