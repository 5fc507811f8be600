// Package report turns an engine outcome into the one Report every command
// prints, and renders it as text or as JSON (schema version 1).
//
// JSON schema v1 is a contract: fields are only ever added. Human-readable
// fields (title, explanation, fix descriptions) follow the chosen language;
// codes, statuses, commands and evidence do not.
package report

import (
	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/version"
)

// SchemaVersion of the JSON output.
const SchemaVersion = 1

// Target is what a check command diagnoses.
type Target struct {
	Destination string   `json:"destination"`
	User        string   `json:"user"`
	Host        string   `json:"host"`
	Hostname    string   `json:"hostname"`
	Port        int      `json:"port"`
	Addresses   []string `json:"addresses"`
}

// Fix as printed.
type Fix struct {
	Description string `json:"description"`
	Command     string `json:"command,omitempty"`
	// CommandWithheld: the fix has a command, but a value it needed held
	// control or invisible characters, so it is not given.
	CommandWithheld bool `json:"command_withheld,omitempty"`
}

// Finding as printed.
type Finding struct {
	Code        string            `json:"code"`
	Severity    string            `json:"severity"`
	Title       string            `json:"title"`
	Explanation string            `json:"explanation"`
	Evidence    map[string]string `json:"evidence"`
	Fixes       []Fix             `json:"fixes"`

	evidenceOrder []string
}

// Check as printed.
type Check struct {
	Name       string    `json:"name"`
	Label      string    `json:"label"`
	Status     string    `json:"status"`
	DurationMS int64     `json:"duration_ms"`
	SkippedFor string    `json:"skipped_for,omitempty"`
	Findings   []Finding `json:"findings"`
}

// Diagnosis is the root cause, or code "ok".
type Diagnosis struct {
	Code        string `json:"code"`
	Title       string `json:"title"`
	Explanation string `json:"explanation"`
	Fixes       []Fix  `json:"fixes"`
}

// Stats counts what the run cost the server.
type Stats struct {
	Connections  int `json:"connections"`
	AuthAttempts int `json:"auth_attempts"`
}

// Report is the single output of every command.
type Report struct {
	SchemaVersion int `json:"schema_version"`
	// Version of sshdoctor that wrote the report (added in schema v1 without
	// a bump: additive).
	Version   string            `json:"version"`
	Command   string            `json:"command"`
	Language  string            `json:"language"`
	Target    *Target           `json:"target,omitempty"`
	Subject   map[string]string `json:"subject,omitempty"`
	Result    string            `json:"result"`
	Diagnosis Diagnosis         `json:"diagnosis"`
	Checks    []Check           `json:"checks"`
	Stats     *Stats            `json:"stats,omitempty"`

	lang        catalog.Lang
	interrupted bool
	warnings    bool
}

// Build renders an outcome in lang.
func Build(command string, lang catalog.Lang, o *diag.Outcome) *Report {
	r := &Report{SchemaVersion: SchemaVersion, Version: version.Get().Version, Command: command, Language: string(lang), lang: lang,
		Result: string(o.Verdict()), interrupted: o.Interrupted, Checks: []Check{}}
	for _, run := range o.Runs {
		c := Check{Name: run.Check.Name, Label: catalog.CheckLabel(lang, run.Check.Name),
			Status: string(run.Result.Status), DurationMS: run.Duration.Milliseconds(),
			SkippedFor: run.Result.SkippedFor, Findings: []Finding{}}
		for _, f := range run.Result.Findings {
			c.Findings = append(c.Findings, RenderFinding(lang, f))
			if f.Severity == diag.SevWarning {
				r.warnings = true
			}
		}
		r.Checks = append(r.Checks, c)
	}
	if d := o.Diagnosis(); d != nil {
		rf := RenderFinding(lang, d)
		r.Diagnosis = Diagnosis{Code: rf.Code, Title: rf.Title, Explanation: rf.Explanation, Fixes: rf.Fixes}
	} else {
		r.Diagnosis = Diagnosis{Code: string(o.Verdict()), Fixes: []Fix{}}
		switch o.Verdict() {
		case diag.VerdictOK:
			r.Diagnosis.Title = catalog.Say(lang, "ui.ok", nil)
			if r.warnings {
				r.Diagnosis.Title = catalog.Say(lang, "ui.ok_with_warnings", nil)
			}
		default:
			r.Diagnosis.Title = catalog.Say(lang, "ui.inconclusive", nil)
			if o.Interrupted {
				r.Diagnosis.Title = catalog.Say(lang, "ui.interrupted", nil)
			}
		}
	}
	return r
}

// RenderFinding fills a finding's catalogued texts in lang. An uncatalogued
// code renders with the code as its title rather than disappearing.
func RenderFinding(lang catalog.Lang, f *diag.Finding) Finding {
	out := Finding{Code: f.Code, Severity: string(f.Severity), Evidence: map[string]string{}, Fixes: []Fix{}}
	if e, ok := catalog.Lookup(f.Code); ok {
		title := e.Title
		if catalog.HasUnseen(title.En, f.Args) {
			// A value the input did not show: the other wording.
			if t, ok := catalog.TitleWithout(f.Code); ok {
				title = t
			}
		}
		out.Title = catalog.FillSeen(lang, title.In(lang), f.Args)
		out.Explanation = catalog.FillSeen(lang, e.Explanation.In(lang), f.Args)
	} else {
		out.Title = f.Code
	}
	for _, ev := range f.Evidence {
		if _, dup := out.Evidence[ev.Key]; dup {
			out.Evidence[ev.Key] += "\n" + ev.Value
			continue
		}
		out.Evidence[ev.Key] = ev.Value
		out.evidenceOrder = append(out.evidenceOrder, ev.Key)
	}
	for _, fx := range f.Fixes {
		desc := fx.Key
		if t, ok := catalog.Phrase(fx.Key); ok {
			desc = catalog.FillSeen(lang, t.In(lang), f.Args)
		}
		out.Fixes = append(out.Fixes, Fix{Description: desc, Command: fx.Command, CommandWithheld: fx.Withheld})
	}
	return out
}

// ExitCode maps the result to the documented exit codes.
func (r *Report) ExitCode() int {
	if r.interrupted && r.Result != string(diag.VerdictProblem) {
		return 130
	}
	switch diag.Verdict(r.Result) {
	case diag.VerdictOK:
		return 0
	case diag.VerdictProblem:
		return 1
	default:
		return 3
	}
}
