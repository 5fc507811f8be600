package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/gcp"
	"github.com/sshdoctor/sshdoctor/server"
	"github.com/sshdoctor/sshdoctor/sshlog"
	"github.com/sshdoctor/sshdoctor/vm"
)

// crashing replaces a command's first check by a Def of the same name whose
// Run panics, and keeps the check after it (which requires it): the report
// must say the first crashed, in one line, and skip the second.
func crashing(t *testing.T, checks []*diag.Check) []*diag.Check {
	t.Helper()
	if len(checks) < 2 || len(checks[1].Requires) == 0 || checks[1].Requires[0] != checks[0].Name {
		t.Fatalf("the second check does not require the first: %v", checks[:2])
	}
	boom := &diag.Def[struct{}]{Name: checks[0].Name, Doc: "panics",
		Run: func(ctx context.Context, p *diag.Pass) (struct{}, bool, diag.Result) {
			panic("check exploded")
		}}
	return []*diag.Check{boom.Untyped(), checks[1]}
}

// stackSigns are what a Go stack trace shows; none may reach the report
// unless -v asked for detail.
var stackSigns = []string{"goroutine ", "runtime/debug", ".go:"}

func assertCrashReport(t *testing.T, what, out string, verbose bool, check, panicText string) {
	t.Helper()
	if !strings.Contains(out, "internal.check_failed") && !strings.Contains(out, "The "+check+" check crashed") {
		t.Errorf("%s: the crash is not reported:\n%s", what, out)
	}
	if !strings.Contains(out, panicText) {
		t.Errorf("%s: the panic value is not shown:\n%s", what, out)
	}
	hasStack := false
	for _, s := range stackSigns {
		if strings.Contains(out, s) {
			hasStack = true
		}
	}
	if hasStack != verbose {
		t.Errorf("%s: stack shown %v with -v %v:\n%s", what, hasStack, verbose, out)
	}
}

// A check that panics is reported as internal.check_failed in one line,
// with the stack only with -v: for each command's own checks, in text and
// JSON, in a plain run and in a --fix --dry-run run.
func TestCrashedCheckIsOneLine(t *testing.T) {
	commands := map[string]func() []*diag.Check{
		"server": func() []*diag.Check { return server.Checks(server.Options{}) },
		"vm": func() []*diag.Check {
			return vm.New(vm.Options{Offline: &vm.Machine{Name: "web", Hypervisor: vm.VirtualBox}}).Checks()
		},
		"gcp": func() []*diag.Check {
			return gcp.New(gcp.Options{Instance: "web", Project: gcp.Setting{Value: "p", Source: "flag"}}).Checks()
		},
	}
	for cmd, build := range commands {
		for _, verbose := range []bool{false, true} {
			for _, js := range []bool{false, true} {
				for _, fixRun := range []bool{false, true} {
					what := cmd
					if verbose {
						what += " -v"
					}
					if js {
						what += " --json"
					}
					if fixRun {
						what += " --fix --dry-run"
					}
					checks := crashing(t, build())
					s, out, _ := TestIO(nil)
					g := &Globals{JSON: js, Verbose: verbose, NoColor: true}
					spec := RunSpec{Command: cmd, Checks: checks, Header: "sshdoctor " + cmd}
					var err error
					if fixRun {
						err = runFix(context.Background(), s, g, &FixFlags{Fix: true, DryRun: true}, fixInputs(s, "", ""),
							func() RunSpec { return spec })
					} else {
						err = runAndEmit(context.Background(), s, g, spec)
					}
					var ee *exitError
					if !errors.As(err, &ee) || ee.code != ExitInconclusive {
						t.Errorf("%s: %v, want exit %d", what, err, ExitInconclusive)
					}
					assertCrashReport(t, what, out.String(), verbose, checks[0].Name, "check exploded")
					if js && !strings.Contains(out.String(), `"`+checks[1].Name+`"`) || !js && !strings.Contains(out.String(), "skipped") {
						t.Errorf("%s: the dependent check %s is not reported skipped:\n%s", what, checks[1].Name, out)
					}
				}
			}
		}
	}
}

// explain's checks present the analysis; one that panics (here on a nil
// finding) is reported the same way.
func TestCrashedExplainCheckIsOneLine(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		o, err := diag.Execute(context.Background(), explainChecks(&sshlog.Analysis{Findings: []*diag.Finding{nil}}, nil, false))
		if err != nil {
			t.Fatal(err)
		}
		s, out, _ := TestIO(nil)
		err = emit(s, &Globals{Verbose: verbose, NoColor: true}, "en", RunSpec{Command: "explain", Header: "sshdoctor explain"}, o)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != ExitInconclusive {
			t.Errorf("-v %v: %v, want exit %d", verbose, err, ExitInconclusive)
		}
		assertCrashReport(t, "explain", out.String(), verbose, "explain", "nil pointer dereference")
	}
}

// panicReader panics on its first read, as a bug in the reading code
// would.
type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("reader exploded") }

// A crash while explain reads its input (outside the runner, in its own
// goroutine) is the explain check's crash: one line, the stack with -v,
// and the process goes on to its report.
func TestExplainReadingCrashIsOneLine(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		s, out, _ := TestIO(nil)
		s.In = panicReader{}
		err := runExplain(context.Background(), s, &Globals{Verbose: verbose, NoColor: true},
			&ExplainOptions{Timeout: defaultRunTimeout})
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != ExitInconclusive {
			t.Errorf("-v %v: %v, want exit %d", verbose, err, ExitInconclusive)
		}
		assertCrashReport(t, "explain reading", out.String(), verbose, "explain", "reader exploded")
	}
}
