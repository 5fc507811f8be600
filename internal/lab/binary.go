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

	"github.com/sshdoctor/sshdoctor/internal/reportschema"
	"github.com/sshdoctor/sshdoctor/report"
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
		// Readable by all, so tests can run it as a lab user (runuser).
		if err := os.Chmod(dir, 0o755); err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "sshdoctor")
		cmd := exec.Command("go", "build", "-o", buildPath, "github.com/sshdoctor/sshdoctor/cmd/sshdoctor")
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
//
// Every scenario is run twice, in English and then with --lang ja: the
// Japanese run must reach the same diagnosis and exit code, and every
// human-readable text in it must be Japanese (no untranslated catalog
// text). The English report is returned.
func (n *NS) RunDoctorEnv(t testing.TB, env []string, args ...string) Doctor {
	t.Helper()
	d := n.runDoctor(t, env, append([]string{"--lang", "en"}, args...))
	ja := n.runDoctor(t, env, append([]string{"--lang", "ja"}, args...))
	if ja.Report.Diagnosis.Code != d.Report.Diagnosis.Code || ja.ExitCode != d.ExitCode {
		t.Errorf("--lang ja: diagnosis %q exit %d, English %q exit %d", ja.Report.Diagnosis.Code, ja.ExitCode,
			d.Report.Diagnosis.Code, d.ExitCode)
	}
	for _, u := range Untranslated(&ja.Report) {
		t.Errorf("--lang ja: untranslated text: %s", u)
	}
	return d
}

func (n *NS) runDoctor(t testing.TB, env []string, args []string) Doctor {
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

// Untranslated lists the human-readable fields of a Japanese report that
// hold no Japanese at all.
func Untranslated(r *report.Report) []string {
	var out []string
	chk := func(where, s string) {
		if s != "" && !HasJapanese(s) {
			out = append(out, where+": "+s)
		}
	}
	chk("diagnosis.title", r.Diagnosis.Title)
	chk("diagnosis.explanation", r.Diagnosis.Explanation)
	for _, f := range r.Diagnosis.Fixes {
		chk("diagnosis.fix", f.Description)
	}
	for _, c := range r.Checks {
		chk("check "+c.Name+" label", c.Label)
		for _, f := range c.Findings {
			chk(f.Code+" title", f.Title)
			chk(f.Code+" explanation", f.Explanation)
			for _, x := range f.Fixes {
				chk(f.Code+" fix", x.Description)
			}
		}
	}
	return out
}

// HasJapanese reports whether s holds a kana or kanji character.
func HasJapanese(s string) bool {
	for _, r := range s {
		if (r >= 0x3040 && r <= 0x30ff) || (r >= 0x4e00 && r <= 0x9fff) || (r >= 0xff66 && r <= 0xff9f) {
			return true
		}
	}
	return false
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

// checkJSONReport validates, against docs/report.schema.json, the stdout of
// every lab command that runs the sshdoctor binary with --json (directly,
// through runuser, or inside a shell command line), so that every scenario
// of every package holds to the published contract. A run that printed
// nothing (a usage error) has no report to check. Benchmarks are not slowed
// by it.
func checkJSONReport(t testing.TB, name string, args []string, r Result) {
	t.Helper()
	if _, bench := t.(*testing.B); bench || strings.TrimSpace(r.Stdout) == "" {
		return
	}
	var runsDoctor, hasJSON, fixes, lines, metrics bool
	for _, a := range append([]string{name}, args...) {
		runsDoctor = runsDoctor || strings.HasSuffix(a, "/sshdoctor") || strings.Contains(a, "/sshdoctor ")
		hasJSON = hasJSON || a == "--json" || strings.Contains(a, " --json ")
		fixes = fixes || a == "fix" || a == "--fix"
		lines = lines || a == "scan"
		metrics = metrics || a == "exporter"
	}
	switch {
	case !runsDoctor || !hasJSON || metrics:
		// the exporter serves metrics, not this document
	case lines:
		// scan writes JSON Lines: one a host, holding that host's report,
		// then the summary. Each host's report holds to the schema.
		for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
			var host struct {
				Kind   string          `json:"kind"`
				Report json.RawMessage `json:"report"`
			}
			if err := json.Unmarshal([]byte(line), &host); err != nil {
				t.Errorf("scan --json: a line is not JSON: %v\n%s", err, line)
				return
			}
			if host.Kind == "host" && len(host.Report) > 0 && string(host.Report) != "null" {
				reportschema.Check(t, host.Report)
			}
		}
	case fixes:
		// --fix and fix print the plan and its outcome around the reports
		// before and after: those two hold to the schema.
		var res struct {
			Before json.RawMessage `json:"before"`
			After  json.RawMessage `json:"after"`
		}
		if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil {
			t.Errorf("--fix --json output is not JSON: %v\n%s", err, r.Stdout)
			return
		}
		for _, doc := range []json.RawMessage{res.Before, res.After} {
			if len(doc) > 0 && string(doc) != "null" {
				reportschema.Check(t, doc)
			}
		}
	default:
		reportschema.Check(t, []byte(r.Stdout))
	}
}
