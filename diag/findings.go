package diag

import "context"

// FindingsOnly adapts a check that reports findings and hands no result
// on to a Def[struct{}]'s Run: it always has its (empty) result, so a
// dependent that needs only its pass or warning runs after it.
func FindingsOnly(run func(ctx context.Context, p *Pass) Result) func(context.Context, *Pass) (struct{}, bool, Result) {
	return func(ctx context.Context, p *Pass) (struct{}, bool, Result) {
		return struct{}{}, true, run(ctx, p)
	}
}
