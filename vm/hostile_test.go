package vm

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The reproduction: a VM with 3,000 forwards to its SSH port. A bounded
// number are probed, and the report says how many were not (it made 3,000
// connections).
func TestThousandsOfForwardsBoundedProbes(t *testing.T) {
	var extra strings.Builder
	extra.WriteString(`Forwarding(0)="ssh,tcp,127.0.0.1,2222,,22"`)
	for i := 1; i < 3000; i++ {
		fmt.Fprintf(&extra, "\nForwarding(%d)=\"f%d,tcp,127.0.0.1,%d,,22\"", i, i, 40000+i)
	}
	f := newFakeVBox(t).addVM("go-virtualbox", uuid01, variant(t, fix01, `VMState="saved"`, `VMState="running"`,
		`Forwarding(0)="ssh,tcp,127.0.0.1,2222,,22"`, extra.String()))
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Env: scenarioEnv(t, f)})
	probes := 0
	for _, r := range o.o.Runs {
		if r.Check.Name != "vm-probe" {
			continue
		}
		for _, fd := range r.Result.Findings {
			if strings.HasPrefix(fd.Code, "vbox.forward_") {
				probes++
			}
		}
	}
	if probes == 0 || probes > maxProbes {
		t.Fatalf("%d probe findings, want 1..%d", probes, maxProbes)
	}
	lf := o.finding(t, "vm.probes_limited")
	if !strings.Contains(lf.Title, fmt.Sprintf("%d of 3000", probes)) || !strings.Contains(lf.Title, fmt.Sprintf("%d were not", 3000-probes)) {
		t.Fatalf("title %q", lf.Title)
	}
}

// A VBoxManage that prints 100 MB: what is kept stays under the cap, and
// the heap does not grow with the stream (it held all 100 MB).
func TestVBoxManageFloodBounded(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "VBoxManage")
	if err := os.WriteFile(p, []byte("#!/bin/sh\nhead -c 100000000 /dev/zero | tr '\\0' 'A'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out, err := (&VBoxManage{Path: p}).Run(context.Background(), "list", "vms")
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > maxCommandOutput {
		t.Fatalf("kept %d bytes, cap %d", len(out), maxCommandOutput)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4*maxCommandOutput+(8<<20) {
		t.Fatalf("allocated %d MB for a 100 MB stream", grew>>20)
	}
}
