package scan

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/inventory"
	"github.com/sshdoctor/sshdoctor/report"
)

func targets(n int) []inventory.Target {
	ts := make([]inventory.Target, n)
	for i := range ts {
		h := "h" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		ts[i] = inventory.Target{Name: h, Host: h}
	}
	return ts
}

// rep builds the report a check run ends with: a verdict, a diagnosis
// code and the evidence the scan reads.
func rep(result, code string, ev map[string]string) *report.Report {
	r := &report.Report{Result: result, Diagnosis: report.Diagnosis{Code: code, Title: code + " title"},
		Stats: &report.Stats{Connections: 1}}
	r.Checks = []report.Check{{Name: "hostkey", Findings: []report.Finding{{Code: ev["code"], Evidence: ev}}}}
	return r
}

func TestRunBoundsConcurrency(t *testing.T) {
	var inFlight, peak atomic.Int64
	probe := func(ctx context.Context, tg inventory.Target) (*report.Report, error) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		return rep("ok", "ok", nil), nil
	}
	res := Run(context.Background(), targets(40), probe, Options{Parallel: 4, Rate: -1})
	if p := peak.Load(); p > 4 || p < 2 {
		t.Fatalf("peak concurrency %d, want 2..4", p)
	}
	for i, r := range res {
		if r.Report == nil || r.Target.Name != targets(40)[i].Name {
			t.Fatalf("result %d out of order or missing: %+v", i, r)
		}
	}
	if ExitCode(res, false) != 0 {
		t.Fatal("all ok must exit 0")
	}
}

func TestRunRate(t *testing.T) {
	probe := func(ctx context.Context, tg inventory.Target) (*report.Report, error) {
		return rep("ok", "ok", nil), nil
	}
	start := time.Now()
	Run(context.Background(), targets(11), probe, Options{Parallel: 50, Rate: 50})
	// 11 starts at 50/s: the last starts 200 ms after the first.
	if d := time.Since(start); d < 190*time.Millisecond || d > 2*time.Second {
		t.Fatalf("11 hosts at 50/s took %s", d)
	}
}

func TestRunDeadlineAndErrors(t *testing.T) {
	probe := func(ctx context.Context, tg inventory.Target) (*report.Report, error) {
		if tg.Name == "ha" {
			return nil, errors.New("bad destination")
		}
		select {
		case <-ctx.Done():
			return rep("inconclusive", "inconclusive", nil), nil
		case <-time.After(time.Second):
			return rep("ok", "ok", nil), nil
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := Run(ctx, targets(30), probe, Options{Parallel: 2, Rate: -1, HostTimeout: 100 * time.Millisecond})
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Fatalf("deadline not honoured: %s", d)
	}
	if res[0].Code() != CodeBadTarget || res[29].Code() != CodeNotRun || res[29].Verdict() != "inconclusive" {
		t.Fatalf("codes %s %s", res[0].Code(), res[29].Code())
	}
	if res[1].Code() != "inconclusive" {
		t.Fatalf("per-host deadline: %s", res[1].Code())
	}
	if ExitCode(res, false) != 3 || ExitCode(res, true) != 130 {
		t.Fatalf("exit codes %d %d", ExitCode(res, false), ExitCode(res, true))
	}
}

func TestSummarizeGroupsAndFleet(t *testing.T) {
	key1 := "ssh-ed25519 SHA256:AAAA"
	ts := targets(7)
	res := []Result{
		{Target: ts[0], Report: rep("ok", "ok", map[string]string{"host_key": key1, "address": "10.0.0.1:22"})},
		{Target: ts[1], Report: rep("ok", "ok", map[string]string{"host_key": key1, "address": "10.0.0.2:22"})},
		// the same machine under a second name: not a shared key
		{Target: ts[2], Report: rep("ok", "ok", map[string]string{"host_key": key1, "address": "10.0.0.2:22"})},
		{Target: ts[3], Report: rep("problem", "hostkey.changed", map[string]string{"code": "hostkey.changed", "host_key": "ssh-ed25519 SHA256:BBBB", "address": "10.0.0.4:22"})},
		{Target: ts[4], Report: rep("problem", "kex.no_hostkey_alg", map[string]string{"code": "kex.no_hostkey_alg", "their_offer": "ssh-rsa,ssh-dss"})},
		{Target: ts[5], Report: rep("problem", "tcp.timeout", nil)},
		{Target: ts[6], Report: rep("problem", "tcp.timeout", nil)},
	}
	s := Summarize(res, nil)
	if s.Groups[0].Code != "tcp.timeout" || s.Groups[0].Count != 2 || s.Groups[len(s.Groups)-1].Code != "ok" {
		t.Fatalf("groups %+v", s.Groups)
	}
	codes := map[string]FleetFinding{}
	for _, f := range s.Fleet {
		codes[f.Code] = f
	}
	if f := codes[FleetSharedHostKey]; len(f.Hosts) != 2 || f.Detail != key1 {
		t.Errorf("shared key %+v", f)
	}
	if f := codes[FleetHostKeyChanged]; len(f.Hosts) != 1 || f.Hosts[0] != ts[3].Name {
		t.Errorf("changed %+v", f)
	}
	if f := codes[FleetDeprecatedOnly]; len(f.Hosts) != 1 || f.Detail != "hostkey" {
		t.Errorf("deprecated %+v", f)
	}
	if ExitCode(res, false) != 1 {
		t.Error("a problem must exit 1")
	}

	var text, js, cs bytes.Buffer
	if err := WriteText(&text, res, s, TextOptions{Lang: catalog.EN, HostTable: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "tcp.timeout") || !strings.Contains(text.String(), "fleet.shared_host_key") {
		t.Errorf("text:\n%s", text.String())
	}
	if err := WriteJSONLines(&js, res, s); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(js.String()), "\n")
	if len(lines) != len(res)+1 {
		t.Fatalf("%d JSON lines", len(lines))
	}
	var last struct {
		Kind   string
		Groups []Group
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Kind != "summary" || len(last.Groups) != len(s.Groups) {
		t.Fatalf("summary line %q: %v", lines[len(lines)-1], err)
	}
	if err := WriteCSV(&cs, res); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&cs).ReadAll()
	if err != nil || len(rows) != len(res)+1 || len(rows[0]) != len(CSVHeader) {
		t.Fatalf("csv %v %v", rows, err)
	}
}

func TestSoftwareAndCSVSafety(t *testing.T) {
	if s := softwareOf("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13"); s != "OpenSSH_9.6p1" {
		t.Errorf("software %q", s)
	}
	if csvSafe("=cmd|' /C calc'!A0") != "'=cmd|' /C calc'!A0" || csvSafe("ok") != "ok" {
		t.Error("csvSafe")
	}
}

// TestSummarizeNamesGroupsNotHosts: a group of several hosts is titled for
// the group, not after its first host, and its fix is one every host of
// the group was given (a command naming one host is not the group's fix).
func TestSummarizeNamesGroupsNotHosts(t *testing.T) {
	ts := []inventory.Target{{Name: "a", Host: "a"}, {Name: "b", Host: "b"}, {Name: "c", Host: "c"}}
	withFixes := func(host string, fixes ...string) *report.Report {
		r := rep("problem", "tcp.no_route", nil)
		r.Diagnosis.Title = "No route to host " + host
		for _, f := range fixes {
			r.Diagnosis.Fixes = append(r.Diagnosis.Fixes, report.Fix{Command: f})
		}
		return r
	}
	res := []Result{
		{Target: ts[0], Report: withFixes("a", "ping -c 3 a", "sudo iptables -S")},
		{Target: ts[1], Report: withFixes("b", "ping -c 3 b", "sudo iptables -S")},
		{Target: ts[2], Report: rep("problem", "tcp.timeout", nil)},
	}
	titles := map[string]string{"tcp.no_route": "No route to the server"}
	s := Summarize(res, func(code string) string { return titles[code] })
	byCode := map[string]Group{}
	for _, g := range s.Groups {
		byCode[g.Code] = g
	}
	if g := byCode["tcp.no_route"]; g.Title != "No route to the server" || g.Example != "sudo iptables -S" || g.Count != 2 {
		t.Errorf("group %+v: want the group's title and the fix common to both hosts", g)
	}
	// No wording for the group: the first host's title stands.
	if g := byCode["tcp.timeout"]; g.Title != "tcp.timeout title" || g.Example != "" {
		t.Errorf("group %+v", g)
	}
}
