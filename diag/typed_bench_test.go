package diag

import (
	"context"
	"testing"
)

// BenchmarkExecuteTyped is BenchmarkExecute's diamond written as Defs,
// each reading its prerequisites with ResultOf: the cost of the typed
// shape over the untyped one.
func BenchmarkExecuteTyped(b *testing.B) {
	a := &Def[int]{Name: "a", Doc: "a", Run: func(ctx context.Context, p *Pass) (int, bool, Result) {
		return 1, true, Conclude(nil)
	}}
	bb := &Def[int]{Name: "b", Doc: "b", Requires: []Node{a}, Run: func(ctx context.Context, p *Pass) (int, bool, Result) {
		return ResultOf(p, a) + 1, true, Conclude(nil)
	}}
	c := &Def[int]{Name: "c", Doc: "c", Requires: []Node{a}, Run: func(ctx context.Context, p *Pass) (int, bool, Result) {
		return ResultOf(p, a) + 2, true, Conclude(nil)
	}}
	d := &Def[int]{Name: "d", Doc: "d", Requires: []Node{bb, c}, Run: func(ctx context.Context, p *Pass) (int, bool, Result) {
		return ResultOf(p, bb) + ResultOf(p, c), true, Conclude(nil)
	}}
	checks := Untyped(a, bb, c, d)
	for b.Loop() {
		o, err := Execute(context.Background(), checks)
		if err != nil || o.Runs[3].Result.Value != 5 {
			b.Fatal(err, o.Runs[3].Result)
		}
	}
}
