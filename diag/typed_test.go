package diag

import (
	"context"
	"testing"
)

type addr struct{ Host string }

var (
	defConfig = &Def[*addr]{Name: "config", Doc: "reads the config",
		Run: func(ctx context.Context, p *Pass) (*addr, bool, Result) {
			return &addr{Host: "h"}, true, Conclude(nil)
		}}
	defEmpty = &Def[*addr]{Name: "empty", Doc: "warns without a result",
		Run: func(ctx context.Context, p *Pass) (*addr, bool, Result) {
			return nil, false, Conclude(nil, NewFinding("internal.check_timeout").Sev(SevWarning))
		}}
	defDial = &Def[int]{Name: "dial", Doc: "uses config", Requires: []Node{defConfig},
		Run: func(ctx context.Context, p *Pass) (int, bool, Result) {
			return len(ResultOf(p, defConfig).Host), true, Conclude(nil)
		}}
	defAfterEmpty = &Def[int]{Name: "after-empty", Doc: "would read nil", Requires: []Node{defEmpty},
		Run: func(ctx context.Context, p *Pass) (int, bool, Result) {
			return len(ResultOf(p, defEmpty).Host), true, Conclude(nil) // nil dereference if run
		}}
	defLast = &Def[string]{Name: "last", Doc: "reads two types", Requires: []Node{defConfig, defDial},
		Run: func(ctx context.Context, p *Pass) (string, bool, Result) {
			if ResultOf(p, defDial) != 1 || ResultOf(p, defConfig).Host != "h" {
				return "", false, Inconclusive()
			}
			return "ok", true, Conclude(nil)
		}}
)

func TestTypedChecks(t *testing.T) {
	// An old-shape check runs beside the typed ones.
	old := &Check{Name: "old", Requires: []string{"config"}, Run: func(ctx context.Context, p *Pass) Result {
		if a, _ := p.Value("config").(*addr); a == nil || a.Host != "h" {
			return Inconclusive()
		}
		return Conclude(nil)
	}}
	checks := append(Untyped(defConfig, defEmpty, defDial, defAfterEmpty, defLast), old)
	o, err := Execute(context.Background(), checks)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Status{"config": StatusPass, "empty": StatusWarn, "dial": StatusPass,
		"after-empty": StatusSkip, "last": StatusPass, "old": StatusPass}
	for _, r := range o.Runs {
		if r.Result.Status != want[r.Check.Name] {
			t.Errorf("%s: %s, want %s (%+v)", r.Check.Name, r.Result.Status, want[r.Check.Name], r.Result)
		}
	}
	if r := o.Runs[3].Result; r.SkippedFor != "empty" {
		t.Errorf("after-empty skipped for %q", r.SkippedFor)
	}
	if defDial.Untyped() != checks[2] {
		t.Error("Untyped must return the same check each time")
	}
}
