// Package scan runs one diagnosis per target of an inventory, with bounded
// concurrency, a start rate, a deadline per host and one for the whole
// scan, and sums the reports up by root cause. It does not know how a
// single host is diagnosed: the caller hands it a Probe (the check
// command's own layers), and it reads only the finished report.Report.
package scan

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/sshdoctor/sshdoctor/inventory"
	"github.com/sshdoctor/sshdoctor/report"
)

// Probe diagnoses one target. It returns an error only when the target
// cannot be diagnosed at all (a destination ssh would refuse); everything
// the network says is in the report.
type Probe func(ctx context.Context, t inventory.Target) (*report.Report, error)

// DefaultRate is how many hosts the scan starts per second unless told
// otherwise. A no-login scan costs each host one or two connections, so a
// host's own fail2ban or PerSourcePenalties never sees more than that from
// the scan; the rate keeps the scan's total traffic through shared
// firewalls, NAT gateways and intrusion detection modest: 100 new TCP
// connections a second is ordinary for a single admin machine, and scans
// 1,000 hosts in about ten seconds.
const DefaultRate = 100

// DefaultHostTimeout bounds one host when the caller names no deadline:
// every layer of check has its own deadline; this is the ceiling for a
// host whose layers each take their whole allowance.
const DefaultHostTimeout = 60 * time.Second

// DefaultParallel sizes concurrency to the machine. A host being scanned
// mostly waits on the network (a connect into a DROP waits the whole
// timeout), but each also runs ssh -G and a key exchange: with too many at
// once on a small machine, the CPU queue itself outlasts the network
// deadlines and healthy hosts read as timeouts — a wrong cause, worse
// than a slower scan. Eight per core keeps the CPU ahead of the network.
func DefaultParallel() int {
	n := 8 * runtime.NumCPU()
	if n < 8 {
		n = 8
	}
	if n > 128 {
		n = 128
	}
	return n
}

// Options bound a scan.
type Options struct {
	Parallel    int           // hosts in flight at once; 0 = DefaultParallel()
	Rate        float64       // hosts started per second; 0 = DefaultRate; <0 = unlimited
	HostTimeout time.Duration // per host; 0 = DefaultHostTimeout
	// Progress, when set, is called after each host finishes (from one
	// goroutine at a time).
	Progress func(done, total int, last *Result)
}

// Result is one target's outcome.
type Result struct {
	Target inventory.Target
	// Report is nil when the target was not diagnosed (Err or NotRun).
	Report   *report.Report
	Err      error
	NotRun   bool // the scan's deadline passed, or it was interrupted, before this host started
	Duration time.Duration
}

// Codes for targets that produced no report.
const (
	CodeBadTarget = "scan.bad_target"
	CodeNotRun    = "scan.not_run"
)

// Code is the root cause: the report's diagnosis code, or a scan code.
func (r *Result) Code() string {
	switch {
	case r.Err != nil:
		return CodeBadTarget
	case r.Report == nil:
		return CodeNotRun
	}
	return r.Report.Diagnosis.Code
}

// Verdict is ok, problem or inconclusive (a target that was not
// diagnosed is inconclusive: nothing is known about it).
func (r *Result) Verdict() string {
	if r.Report == nil {
		return "inconclusive"
	}
	return r.Report.Result
}

// Connections is how many TCP connections the diagnosis opened.
func (r *Result) Connections() int {
	if r.Report == nil || r.Report.Stats == nil {
		return 0
	}
	return r.Report.Stats.Connections
}

// Run diagnoses every target and returns the results in target order.
// Cancelling ctx (Ctrl-C, or the global deadline) stops new hosts from
// starting and cuts the running ones short; those never started are
// marked NotRun.
func Run(ctx context.Context, targets []inventory.Target, probe Probe, o Options) []Result {
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel()
	}
	if o.Rate == 0 {
		o.Rate = DefaultRate
	}
	if o.HostTimeout <= 0 {
		o.HostTimeout = DefaultHostTimeout
	}
	results := make([]Result, len(targets))
	for i, t := range targets {
		results[i] = Result{Target: t, NotRun: true}
	}
	var interval time.Duration
	if o.Rate > 0 {
		interval = time.Duration(float64(time.Second) / o.Rate)
	}
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	next := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
dispatch:
	for i := range targets {
		if interval > 0 {
			if d := time.Until(next); d > 0 {
				timer.Reset(d)
				select {
				case <-timer.C:
				case <-ctx.Done():
					break dispatch
				}
			}
			next = next.Add(interval)
			if now := time.Now(); next.Before(now.Add(-interval)) {
				next = now // do not burst to catch up after a stall
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break dispatch
		}
		if ctx.Err() != nil {
			<-sem
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			r := runOne(ctx, targets[i], probe, o.HostTimeout)
			mu.Lock()
			results[i] = r
			done++
			if o.Progress != nil {
				o.Progress(done, len(targets), &results[i])
			}
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return results
}

func runOne(parent context.Context, t inventory.Target, probe Probe, timeout time.Duration) (r Result) {
	r.Target = t
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	start := time.Now()
	defer func() {
		r.Duration = time.Since(start)
		if p := recover(); p != nil {
			r.Report, r.Err = nil, errors.New("internal error while diagnosing this host")
		}
	}()
	rep, err := probe(ctx, t)
	if err != nil {
		r.Err = err
		return r
	}
	r.Report = rep
	return r
}

// ExitCode is the worst result across the scan, in the documented codes:
// 1 when any host has a problem, else 130 when the scan was interrupted,
// 3 when any host is inconclusive (or was not diagnosed), 0 when all are ok.
func ExitCode(results []Result, interrupted bool) int {
	worst := 0
	for i := range results {
		switch results[i].Verdict() {
		case "problem":
			return 1
		case "ok":
		default:
			worst = 3
		}
	}
	if interrupted {
		return 130
	}
	return worst
}
