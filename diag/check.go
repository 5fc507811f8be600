package diag

import (
	"context"
	"fmt"
	"time"
)

// Status of one check.
type Status string

const (
	StatusPass  Status = "pass"
	StatusFail  Status = "fail"
	StatusWarn  Status = "warn"
	StatusSkip  Status = "skip"
	StatusError Status = "error" // the check could not reach a conclusion
)

// Check is one unit of diagnosis. Name is kebab-case and stable; Requires
// names checks that must pass (or warn) before this one runs; they must
// appear earlier in the list given to Run, which makes the order a
// topological one and rules out cycles.
type Check struct {
	Name     string
	Requires []string
	// Timeout bounds Run; zero means DefaultCheckTimeout.
	Timeout time.Duration
	Run     func(ctx context.Context, p *Pass) Result
}

// DefaultCheckTimeout bounds a check that does not name its own deadline:
// long enough for a DNS lookup plus a TCP connect on a slow link, short
// enough that a person waiting at a terminal does not give up.
const DefaultCheckTimeout = 15 * time.Second

// graceAfterDeadline is how long the runner waits for a check that ignores
// its context before abandoning it and reporting it as timed out.
const graceAfterDeadline = 500 * time.Millisecond

// Result is what a check returns. Value is passed to dependents through
// Pass.Value; it never reaches the report.
type Result struct {
	Status   Status
	Findings []*Finding
	Value    any
	// SkippedFor names the prerequisite that did not pass (status skip).
	SkippedFor string
}

// Conclude derives the status from the findings: fail on any error, warn on
// any warning, pass otherwise.
func Conclude(value any, findings ...*Finding) Result {
	st := StatusPass
	for _, f := range findings {
		switch f.Severity {
		case SevError:
			st = StatusFail
		case SevWarning:
			if st == StatusPass {
				st = StatusWarn
			}
		}
	}
	return Result{Status: st, Findings: findings, Value: value}
}

// Inconclusive is a result for a check that could not decide; its findings
// explain why.
func Inconclusive(findings ...*Finding) Result {
	return Result{Status: StatusError, Findings: findings}
}

// Skip is a result for a check that does not apply; the findings (usually
// info) say why.
func Skip(findings ...*Finding) Result {
	return Result{Status: StatusSkip, Findings: findings}
}

// Pass gives a running check the values of its prerequisites.
type Pass struct {
	values map[string]any
}

// Value returns the Value of a finished check, or nil.
func (p *Pass) Value(name string) any { return p.values[name] }

// Validate checks names are unique and non-empty, Run is set, and every
// prerequisite is known and earlier in the list.
func Validate(checks []*Check) error {
	seen := map[string]bool{}
	for _, c := range checks {
		if c.Name == "" {
			return fmt.Errorf("a check has no name")
		}
		if seen[c.Name] {
			return fmt.Errorf("check %q appears twice", c.Name)
		}
		if c.Run == nil {
			return fmt.Errorf("check %q has no Run", c.Name)
		}
		for _, r := range c.Requires {
			if !seen[r] {
				return fmt.Errorf("check %q requires %q, which is not an earlier check", c.Name, r)
			}
		}
		seen[c.Name] = true
	}
	return nil
}
