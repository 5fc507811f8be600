package fix

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/report"
)

// The nft fix records the handle nft printed; undo deletes that handle
// only while it still holds the rule inserted, and a rule already gone
// is not an error.
func TestNftHandleRecordedAndChecked(t *testing.T) {
	in := testInputs(t)
	r := &report.Report{Checks: []report.Check{{Findings: []report.Finding{{Code: "server.firewall_blocks", Severity: "error",
		Fixes: []report.Fix{{Command: "sudo nft insert rule inet filter input ip saddr 198.18.0.1 tcp dport 22 accept"}}}}}}}
	for _, c := range []struct {
		name, listed string
		deleted      bool
		fail         bool
	}{
		{"same rule", "\t\tip saddr 198.18.0.1 tcp dport 22 accept # handle 7\n\t\ttcp dport 22 drop # handle 2", true, false},
		{"handle reused", "\t\ttcp dport 80 accept # handle 7", false, true},
		{"already gone", "\t\ttcp dport 22 drop # handle 2", false, false},
	} {
		p := Build(context.Background(), r, in)
		if len(p.Steps) != 1 || p.Steps[0].Command != "nft --echo --handle insert rule inet filter input ip saddr 198.18.0.1 tcp dport 22 accept" {
			t.Fatalf("plan %s", planText(p))
		}
		var ran []string
		run := func(_ context.Context, argv []string) (string, error) {
			ran = append(ran, strings.Join(argv, " "))
			switch argv[1] {
			case "--echo":
				return "insert rule inet filter input ip saddr 198.18.0.1 tcp dport 22 accept # handle 7\n# new generation 9 by process 1 (nft)", nil
			case "-a":
				return "table inet filter {\n\tchain input {\n" + c.listed + "\n\t}\n}", nil
			}
			return "", nil
		}
		b, _ := NewBackup(in.Home, time.Now(), "server")
		if _, err := Apply(context.Background(), &Env{Backup: b, Run: run}, p, p.Applicable()); err != nil {
			t.Fatal(err)
		}
		ran = nil
		_, err := Undo(context.Background(), &Env{Run: run}, b.Dir)
		del := len(ran) > 0 && ran[len(ran)-1] == "nft delete rule inet filter input handle 7"
		if del != c.deleted || (err != nil) != c.fail {
			t.Fatalf("%s: undo ran %q err %v", c.name, ran, err)
		}
	}
}

func planText(p *Plan) string {
	var b strings.Builder
	for _, s := range p.Steps {
		b.WriteString(s.Command + " | " + s.Undo + "\n")
	}
	return b.String()
}
