package cli

import (
	"context"
	"fmt"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/report"
)

// RunSpec is what a command hands to emit: which checks to run and how to
// label the report.
type RunSpec struct {
	Command string
	Checks  []*diag.Check
	Target  *report.Target
	Subject map[string]string
	// Header is the first line of text output (e.g. "sshdoctor: alice@web1 port 22").
	Header string
	// Stats, when set, is called after the run to fill the report's stats.
	Stats func() *report.Stats
	// Finish, when set, may adjust the report after the run (e.g. fill
	// target addresses learnt by a check).
	Finish func(*report.Report)
	// After, when set, may add runs to the outcome once the checks are
	// done (check adds the server's own checks when this machine refuses).
	After func(context.Context, *diag.Outcome)
}

// runAndEmit executes the checks, prints the report as text or JSON, and
// returns an exitError carrying the documented exit code.
func runAndEmit(ctx context.Context, s *IO, g *Globals, spec RunSpec) error {
	lang, err := language(g.Lang, s.Getenv)
	if err != nil {
		return err
	}
	outcome, err := diag.Execute(ctx, spec.Checks)
	if err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	if spec.After != nil && ctx.Err() == nil {
		spec.After(ctx, outcome)
	}
	return emit(s, g, lang, spec, outcome)
}

// emit renders an outcome; separated so commands that build an outcome
// another way (explain) print identically.
func emit(s *IO, g *Globals, lang catalog.Lang, spec RunSpec, outcome *diag.Outcome) error {
	if !g.Verbose {
		outcome.DropStacks()
	}
	r := buildReport(lang, spec, outcome)
	if g.JSON {
		if err := r.WriteJSON(s.Out); err != nil {
			return err
		}
	} else if err := r.WriteText(s.Out, report.TextOptions{Color: s.colorEnabled(g.NoColor), Header: spec.Header, Verbose: g.Verbose}); err != nil {
		return err
	}
	return &exitError{code: r.ExitCode()}
}

// buildReport turns an outcome into the labelled report.
func buildReport(lang catalog.Lang, spec RunSpec, outcome *diag.Outcome) *report.Report {
	r := report.Build(spec.Command, lang, outcome)
	r.Target = spec.Target
	r.Subject = spec.Subject
	if spec.Stats != nil {
		r.Stats = spec.Stats()
	}
	if spec.Finish != nil {
		spec.Finish(r)
	}
	return r
}
