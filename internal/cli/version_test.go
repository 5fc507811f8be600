package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/version"
)

func TestVersionCommandAndFlag(t *testing.T) {
	want := version.Get()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		s, out, errOut := TestIO(nil)
		if code := Main(args, s); code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		line := strings.TrimSpace(out.String())
		if strings.Contains(line, "\n") || !strings.HasPrefix(line, "sshdoctor "+want.Version+" (") ||
			!strings.Contains(line, want.Go) {
			t.Errorf("%v printed %q", args, out)
		}
	}
	s, out, errOut := TestIO(nil)
	if code := Main([]string{"version", "--json"}, s); code != ExitOK {
		t.Fatalf("version --json: exit %d: %s", code, errOut)
	}
	var got version.Info
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got != want {
		t.Fatalf("version --json: %v %+v, want %+v", err, got, want)
	}
}

// Every --json report names the sshdoctor that wrote it.
func TestReportCarriesVersion(t *testing.T) {
	r, _, stderr := explainJSON(t, "ssh: connect to host 198.18.0.2 port 22: Connection refused\n")
	if r == nil {
		t.Fatalf("no report: %s", stderr)
	}
	if r["version"] != version.Get().Version || r["schema_version"] != float64(1) {
		t.Fatalf("version %v schema_version %v", r["version"], r["schema_version"])
	}
}
