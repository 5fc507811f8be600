package diag

import (
	"context"
	"runtime/debug"
	"sync"
	"time"
)

// Run is one executed check.
type Run struct {
	Check    *Check
	Result   Result
	Duration time.Duration
}

// Outcome is every check's run, in the order the checks were given, and
// whether the run was interrupted.
type Outcome struct {
	Runs        []Run
	Interrupted bool
}

// Execute runs the checks: each starts as soon as all its prerequisites are
// done, independent checks run concurrently, a check whose prerequisite
// failed, errored or was skipped is skipped, and a failing check never stops
// the others. Cancelling ctx (Ctrl-C) ends the run promptly.
func Execute(ctx context.Context, checks []*Check) (*Outcome, error) {
	if err := Validate(checks); err != nil {
		return nil, err
	}
	n := len(checks)
	index := make(map[string]int, n)
	for i, c := range checks {
		index[c.Name] = i
	}
	runs := make([]Run, n)
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	var mu sync.Mutex
	values := map[string]any{}
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func(i int, c *Check) {
			defer wg.Done()
			defer close(done[i])
			for _, r := range c.Requires {
				j := index[r]
				<-done[j] // a prerequisite always finishes: it is bounded too
				if st := runs[j].Result.Status; st != StatusPass && st != StatusWarn {
					runs[i] = Run{Check: c, Result: Result{Status: StatusSkip, SkippedFor: r}}
					return
				}
			}
			if ctx.Err() != nil {
				runs[i] = Run{Check: c, Result: Result{Status: StatusSkip, SkippedFor: "interrupted"}}
				return
			}
			mu.Lock()
			p := &Pass{values: make(map[string]any, len(c.Requires))}
			for _, r := range c.Requires {
				p.values[r] = values[r]
			}
			mu.Unlock()
			start := time.Now()
			res := runOne(ctx, c, p)
			runs[i] = Run{Check: c, Result: res, Duration: time.Since(start)}
			mu.Lock()
			values[c.Name] = res.Value
			mu.Unlock()
		}(i, c)
	}
	wg.Wait()
	return &Outcome{Runs: runs, Interrupted: ctx.Err() == context.Canceled}, nil
}

// runOne runs one check under its deadline. A result that comes back after
// the run was interrupted (Ctrl-C) is dropped: cancelling closes the
// check's connections, and what the check then saw (a closed connection)
// is sshdoctor's own doing, not the server's.
func runOne(parent context.Context, c *Check, p *Pass) Result {
	r := runOneRaw(parent, c, p)
	if parent.Err() != nil {
		return Result{Status: StatusSkip, SkippedFor: "interrupted"}
	}
	return r
}

func runOneRaw(parent context.Context, c *Check, p *Pass) Result {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	ch := make(chan Result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- Inconclusive(Crashed(c.Name, r, debug.Stack()))
			}
		}()
		ch <- c.Run(ctx, p)
	}()
	select {
	case r := <-ch:
		if r.Status == "" {
			r = Conclude(r.Value, r.Findings...)
		}
		return r
	case <-ctx.Done():
	}
	select {
	case r := <-ch:
		return r
	case <-time.After(graceAfterDeadline):
		if parent.Err() != nil {
			return Result{Status: StatusSkip, SkippedFor: "interrupted"}
		}
		return Inconclusive(NewFinding("internal.check_timeout").
			Arg("check", c.Name).Arg("timeout", timeout.String()))
	}
}

// DropStacks removes the Go stack of crashed checks from their findings:
// a crash is reported in one line, and the stack (machine paths, frames)
// only when the user asks for detail.
func (o *Outcome) DropStacks() {
	for i := range o.Runs {
		for _, f := range o.Runs[i].Result.Findings {
			if f.Code != "internal.check_failed" {
				continue
			}
			ev := f.Evidence[:0]
			for _, e := range f.Evidence {
				if e.Key != "stack" {
					ev = append(ev, e)
				}
			}
			f.Evidence = ev
		}
	}
}

func firstFrames(stack []byte) string {
	const max = 2000
	if len(stack) > max {
		stack = stack[:max]
	}
	return string(stack)
}

// Diagnosis picks the root cause: the first error finding in check order,
// else nil.
func (o *Outcome) Diagnosis() *Finding {
	for _, r := range o.Runs {
		for _, f := range r.Result.Findings {
			if f.Severity == SevError {
				return f
			}
		}
	}
	return nil
}

// Verdict is the overall result of a run.
type Verdict string

const (
	VerdictOK           Verdict = "ok"
	VerdictProblem      Verdict = "problem"
	VerdictInconclusive Verdict = "inconclusive"
)

// Verdict is problem when any check found an error, inconclusive when a
// check could not decide (or the run was interrupted), ok otherwise.
func (o *Outcome) Verdict() Verdict {
	if o.Diagnosis() != nil {
		return VerdictProblem
	}
	if o.Interrupted {
		return VerdictInconclusive
	}
	for _, r := range o.Runs {
		if r.Result.Status == StatusError || r.Result.Status == StatusFail {
			return VerdictInconclusive
		}
	}
	return VerdictOK
}
