package cli

import (
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/diag"
)

// An error line never carries NUL bytes or escape sequences from an
// argument or a file name, and stays one bounded line.
func TestErrorLineEscaped(t *testing.T) {
	s, _, errOut := TestIO(nil)
	code := Main([]string{"--lang", strings.Repeat("\x00", 40) + "\x1b[2J"}, s)
	line := errOut.String()
	if code != ExitUsage || strings.Count(line, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, line)
	}
	for _, r := range strings.TrimSuffix(line, "\n") {
		if diag.Hidden(r) {
			t.Fatalf("stderr holds %U: %q", r, line)
		}
	}
	if !strings.Contains(line, `\x00`) {
		t.Fatalf("the NUL bytes are not shown as escapes: %q", line)
	}
	if got := oneLine(strings.Repeat("x", 100000)); len(got) > maxErrorLine+4 {
		t.Fatalf("error line of %d bytes", len(got))
	}
}
