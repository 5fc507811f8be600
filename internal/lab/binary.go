//go:build linux

package lab

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sshdoctor/report"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
	buildOut  []byte
)

// Binary builds sshdoctor once per test process and returns its path. The
// binary lives in a directory removed by Cleanup (call it from TestMain, or
// leave it to the system's temporary-file cleaning).
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sshdoctor-lab-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "sshdoctor")
		cmd := exec.Command("go", "build", "-o", buildPath, "sshdoctor/cmd/sshdoctor")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("lab: building sshdoctor: %v: %s", buildErr, buildOut)
	}
	return buildPath
}

// Cleanup removes what Binary built. Call it from TestMain after m.Run.
func Cleanup() {
	if buildPath != "" {
		_ = os.RemoveAll(filepath.Dir(buildPath))
	}
}

// Doctor is one sshdoctor run with --json.
type Doctor struct {
	Result
	Report report.Report
}

// RunDoctor runs the sshdoctor binary with --json in the namespace and
// decodes the report. A run whose stdout is not one JSON report fails the
// test (the --json contract is one object whatever the outcome).
func (n *NS) RunDoctor(t testing.TB, args ...string) Doctor {
	t.Helper()
	return n.RunDoctorEnv(t, nil, args...)
}

// RunDoctorEnv is RunDoctor with extra environment variables.
func (n *NS) RunDoctorEnv(t testing.TB, env []string, args ...string) Doctor {
	t.Helper()
	bin := Binary(t)
	r := n.RunEnv(t, env, bin, append([]string{"--json"}, args...)...)
	d := Doctor{Result: r}
	if err := json.Unmarshal([]byte(r.Stdout), &d.Report); err != nil {
		t.Fatalf("sshdoctor %s: stdout is not a JSON report (%v)\nexit %d\nstdout: %s\nstderr: %s",
			strings.Join(args, " "), err, r.ExitCode, r.Stdout, r.Stderr)
	}
	return d
}

// Finding returns the first finding with code in the report, or nil.
func (d Doctor) Finding(code string) *report.Finding {
	for i := range d.Report.Checks {
		for j := range d.Report.Checks[i].Findings {
			if d.Report.Checks[i].Findings[j].Code == code {
				return &d.Report.Checks[i].Findings[j]
			}
		}
	}
	return nil
}

// Check returns the named check of the report, or nil.
func (d Doctor) Check(name string) *report.Check {
	for i := range d.Report.Checks {
		if d.Report.Checks[i].Name == name {
			return &d.Report.Checks[i]
		}
	}
	return nil
}
