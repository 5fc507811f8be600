package diag

import (
	"context"
	"fmt"
)

// FindingsOnly adapts a check that reports findings and hands no result
// on to a Def[struct{}]'s Run: it always has its (empty) result, so a
// dependent that needs only its pass or warning runs after it.
func FindingsOnly(run func(ctx context.Context, p *Pass) Result) func(context.Context, *Pass) (struct{}, bool, Result) {
	return func(ctx context.Context, p *Pass) (struct{}, bool, Result) {
		return struct{}{}, true, run(ctx, p)
	}
}

// Crashed is the finding for check name that panicked with r: the panic
// in one line, and the first frames of stack, which DropStacks removes
// unless the user asks for detail. The runner uses it for every check;
// work done for a check outside the runner (explain's reading of its
// input) reports a recovered panic with it too.
func Crashed(name string, r any, stack []byte) *Finding {
	return NewFinding("internal.check_failed").
		Arg("check", name).
		Ev("panic", Quote([]byte(fmt.Sprint(r)), 300)).
		Ev("stack", firstFrames(stack))
}
