package diag

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func pass(name string, requires ...string) *Check {
	return &Check{Name: name, Requires: requires, Run: func(ctx context.Context, p *Pass) Result {
		return Conclude(name + "-value")
	}}
}

func fail(name string, requires ...string) *Check {
	return &Check{Name: name, Requires: requires, Run: func(ctx context.Context, p *Pass) Result {
		return Conclude(nil, NewFinding(name+".broken"))
	}}
}

func TestValidate(t *testing.T) {
	cases := map[string][]*Check{
		"unknown prerequisite": {pass("a", "zzz")},
		"later prerequisite":   {pass("a", "b"), pass("b")},
		"duplicate":            {pass("a"), pass("a")},
		"no run":               {{Name: "x"}},
		"no name":              {{Run: pass("a").Run}},
	}
	for name, cs := range cases {
		if err := Validate(cs); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := Validate([]*Check{pass("a"), pass("b", "a")}); err != nil {
		t.Fatal(err)
	}
}

func TestFailedPrerequisiteSkipsDependentsOnly(t *testing.T) {
	var ranC atomic.Bool
	checks := []*Check{
		pass("a"),
		fail("b", "a"),
		{Name: "c", Requires: []string{"b"}, Run: func(ctx context.Context, p *Pass) Result { ranC.Store(true); return Conclude(nil) }},
		{Name: "d", Requires: []string{"a"}, Run: func(ctx context.Context, p *Pass) Result {
			if p.Value("a") != "a-value" {
				t.Errorf("d saw a = %v", p.Value("a"))
			}
			return Conclude(nil)
		}},
	}
	o, err := Execute(context.Background(), checks)
	if err != nil {
		t.Fatal(err)
	}
	if ranC.Load() {
		t.Fatal("c ran although b failed")
	}
	got := []string{}
	for _, r := range o.Runs {
		got = append(got, r.Check.Name+":"+string(r.Result.Status)+":"+r.Result.SkippedFor)
	}
	if strings.Join(got, " ") != "a:pass: b:fail: c:skip:b d:pass:" {
		t.Fatalf("got %v", got)
	}
	if o.Verdict() != VerdictProblem || o.Diagnosis().Code != "b.broken" {
		t.Fatalf("verdict %s diagnosis %v", o.Verdict(), o.Diagnosis())
	}
}

func TestIndependentChecksRunConcurrently(t *testing.T) {
	started := make(chan struct{}, 2)
	release := make(chan struct{})
	slow := func(name string) *Check {
		return &Check{Name: name, Run: func(ctx context.Context, p *Pass) Result {
			started <- struct{}{}
			<-release
			return Conclude(nil)
		}}
	}
	done := make(chan struct{})
	go func() {
		_, _ = Execute(context.Background(), []*Check{slow("x"), slow("y")}) // only its return is awaited
		close(done)
	}()
	for i := 0; i < 2; i++ {
		select {
		case <-started:
		case <-time.After(2 * time.Second):
			t.Fatal("checks did not start concurrently")
		}
	}
	close(release)
	<-done
}

func TestDeadlineAndPanic(t *testing.T) {
	checks := []*Check{
		{Name: "stuck", Timeout: 50 * time.Millisecond, Run: func(ctx context.Context, p *Pass) Result {
			time.Sleep(5 * time.Second) // ignores ctx on purpose
			return Conclude(nil)
		}},
		{Name: "boom", Run: func(ctx context.Context, p *Pass) Result { panic("kaboom") }},
		pass("after", "boom"),
	}
	start := time.Now()
	o, err := Execute(context.Background(), checks)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("runner waited %s for a stuck check", el)
	}
	if s := o.Runs[0].Result; s.Status != StatusError || s.Findings[0].Code != "internal.check_timeout" {
		t.Fatalf("stuck: %+v", s)
	}
	if s := o.Runs[1].Result; s.Status != StatusError || s.Findings[0].Code != "internal.check_failed" {
		t.Fatalf("boom: %+v", s)
	}
	if o.Runs[2].Result.Status != StatusSkip {
		t.Fatalf("after: %+v", o.Runs[2].Result)
	}
	boom := o.Runs[1].Result.Findings[0]
	if boom.EvidenceValue("stack") == "" {
		t.Fatalf("no stack kept for -v: %+v", boom.Evidence)
	}
	o.DropStacks()
	if boom.EvidenceValue("stack") != "" || boom.EvidenceValue("panic") != "kaboom" {
		t.Fatalf("after DropStacks: %+v", boom.Evidence)
	}
	if o.Verdict() != VerdictInconclusive {
		t.Fatalf("verdict %s", o.Verdict())
	}
}

func TestInterruptSkips(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	checks := []*Check{
		{Name: "wait", Run: func(ctx context.Context, p *Pass) Result { <-ctx.Done(); return Skip() }},
		pass("next", "wait"),
	}
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	o, _ := Execute(ctx, checks)
	if !o.Interrupted || o.Verdict() != VerdictInconclusive {
		t.Fatalf("interrupted %v verdict %s", o.Interrupted, o.Verdict())
	}
}

func TestQuote(t *testing.T) {
	cases := map[string]string{
		"SSH-2.0-x\r\n":  `SSH-2.0-x\r\n`,
		"\x1b[31mred":    `\x1b[31mred`,
		"ok ホスト":         "ok ホスト",
		"\xff\xfe":       `\xff\xfe`,
		"a\\b":           `a\\b`,
		"\u2028newline?": `\u2028newline?`,
	}
	for in, want := range cases {
		if got := Quote([]byte(in), 100); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Quote([]byte("abcdef"), 3); got != "abc…" {
		t.Errorf("cap: %q", got)
	}
}

func BenchmarkExecute(b *testing.B) {
	checks := []*Check{pass("a"), pass("b", "a"), pass("c", "a"), pass("d", "b", "c")}
	for i := 0; i < b.N; i++ {
		if _, err := Execute(context.Background(), checks); err != nil {
			b.Fatal(err)
		}
	}
}

// A check that, once interrupted, reports the connection it lost (closed
// by sshdoctor itself on Ctrl-C) must not become the diagnosis.
func TestInterruptDropsLateFailure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	checks := []*Check{
		{Name: "net", Run: func(ctx context.Context, p *Pass) Result {
			<-ctx.Done()
			return Conclude(nil, NewFinding("test.closed").Sev(SevError))
		}},
	}
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	o, _ := Execute(ctx, checks)
	if !o.Interrupted || o.Diagnosis() != nil || o.Verdict() == VerdictProblem {
		t.Fatalf("interrupted %v verdict %s diagnosis %+v", o.Interrupted, o.Verdict(), o.Diagnosis())
	}
	if r := o.Runs[0].Result; r.Status != StatusSkip || r.SkippedFor != "interrupted" {
		t.Fatalf("run %+v", r)
	}
}
