package diag

import (
	"context"
	"time"
)

// Node is any typed check (a *Def[T] of any T), so that a check can name
// prerequisites of different result types in one Requires list.
type Node interface {
	// Untyped is the check in the runner's shape.
	Untyped() *Check
}

// Def is a check with a declared result type, in the shape of
// golang.org/x/tools/go/analysis: a value with a Name, a Doc, the checks
// it needs as values, its deadline, and Run returning its result next to
// its findings. A dependent reads a prerequisite's result with ResultOf,
// typed by the compiler; the runner starts a dependent only when every
// prerequisite passed (or warned) with a result, so the read is never
// empty.
//
// Every check of every command is a Def; the runner works on its untyped
// shape (Check), which Untyped builds.
type Def[T any] struct {
	Name     string
	Doc      string
	Requires []Node
	// Timeout bounds Run; zero means DefaultCheckTimeout.
	Timeout time.Duration
	// Run returns the result (meaningful when ok) and the findings. A
	// check that passes or warns without a result (ok false) makes its
	// dependents skip instead of reading an empty value.
	Run func(ctx context.Context, p *Pass) (result T, ok bool, findings Result)

	untyped *Check
}

// noResult marks a check that passed without a result: its dependents are
// skipped (see Untyped).
type noResult struct{}

// Untyped returns the check in the runner's shape (built once).
func (d *Def[T]) Untyped() *Check {
	if d.untyped != nil {
		return d.untyped
	}
	req := make([]string, len(d.Requires))
	for i, r := range d.Requires {
		req[i] = r.Untyped().Name
	}
	d.untyped = &Check{Name: d.Name, Requires: req, Timeout: d.Timeout,
		Run: func(ctx context.Context, p *Pass) Result {
			for _, r := range d.Requires {
				if _, empty := p.Value(r.Untyped().Name).(noResult); empty {
					return Result{Status: StatusSkip, SkippedFor: r.Untyped().Name}
				}
			}
			v, ok, res := d.Run(ctx, p)
			if res.Status == "" {
				res = Conclude(nil, res.Findings...)
			}
			if ok {
				res.Value = v
			} else {
				res.Value = noResult{}
			}
			return res
		}}
	return d.untyped
}

// ResultOf is the result of prerequisite c, typed. Called from a Def's Run
// with c in its Requires, it always holds the prerequisite's result (the
// runner skips the dependent otherwise); for a check not required, it is
// the zero value.
func ResultOf[T any](p *Pass, c *Def[T]) T {
	v, _ := p.Value(c.Name).(T)
	return v
}

// Untyped lists checks in the runner's shape, in order.
func Untyped(nodes ...Node) []*Check {
	out := make([]*Check, len(nodes))
	for i, n := range nodes {
		out[i] = n.Untyped()
	}
	return out
}
