package fix

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/report"
)

// SchemaVersion of the --fix JSON object.
const SchemaVersion = 1

// Transition is one check's status before and after the fix.
type Transition struct {
	Check  string `json:"check"`
	Label  string `json:"label"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Result is what --fix prints with --json: the plan, what was applied,
// where the backup is, and the diagnosis before and after.
type Result struct {
	SchemaVersion int            `json:"schema_version"`
	Command       string         `json:"command"`
	Language      string         `json:"language"`
	Consent       Consent        `json:"consent"`
	Plan          *Plan          `json:"plan"`
	Applied       []int          `json:"applied"`
	Error         string         `json:"error,omitempty"`
	Backup        string         `json:"backup,omitempty"`
	Undo          string         `json:"undo,omitempty"`
	Before        *report.Report `json:"before"`
	After         *report.Report `json:"after,omitempty"`
	Transitions   []Transition   `json:"transitions,omitempty"`
}

// Compare fills Transitions from Before and After.
func (res *Result) Compare() {
	res.Transitions = nil
	if res.Before == nil || res.After == nil {
		return
	}
	after := map[string]report.Check{}
	for _, c := range res.After.Checks {
		after[c.Name] = c
	}
	for _, c := range res.Before.Checks {
		a, ok := after[c.Name]
		if !ok || a.Status == c.Status {
			continue
		}
		res.Transitions = append(res.Transitions, Transition{Check: c.Name, Label: c.Label, Before: c.Status, After: a.Status})
	}
}

// WriteJSON prints the result as one JSON object.
func (res *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}

// WritePlan prints the plan for a person.
func WritePlan(w io.Writer, lang catalog.Lang, p *Plan) {
	var b strings.Builder
	if p.Empty() {
		b.WriteString(catalog.Say(lang, "fix.ui.nothing", nil) + "\n")
	} else {
		b.WriteString(catalog.Say(lang, "fix.ui.plan", map[string]string{"n": fmt.Sprint(len(p.Steps))}) + "\n")
	}
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "\n  %d. %s  [%s]\n", s.ID, s.Why, s.Code)
		if s.Warning != "" {
			for _, l := range strings.Split(s.Warning, "\n") {
				b.WriteString("     ! " + l + "\n")
			}
		}
		if s.Kind == KindManual {
			b.WriteString("     " + catalog.Say(lang, "fix.ui.manual", nil) + "\n")
		}
		if s.Command != "" {
			b.WriteString("     " + catalog.Say(lang, "fix.ui.change", nil) + ":\n")
			for _, l := range strings.Split(s.Command, "\n") {
				b.WriteString("       " + l + "\n")
			}
		}
		if s.Diff != "" {
			for _, l := range strings.Split(strings.TrimSuffix(s.Diff, "\n"), "\n") {
				b.WriteString("       " + l + "\n")
			}
		}
		if s.Undo != "" {
			b.WriteString("     " + catalog.Say(lang, "fix.ui.undo", nil) + ":\n")
			for _, l := range strings.Split(s.Undo, "\n") {
				b.WriteString("       " + l + "\n")
			}
		}
	}
	for _, n := range p.Notes {
		b.WriteString("\n  - " + n + "\n")
	}
	_, _ = io.WriteString(w, b.String()) // the terminal: nobody left to tell
}

// WriteOutcome prints what was applied and the re-check for a person.
func (res *Result) WriteOutcome(w io.Writer, lang catalog.Lang) {
	var b strings.Builder
	b.WriteString("\n")
	switch res.Consent {
	case ConsentDryRun:
		b.WriteString(catalog.Say(lang, "fix.ui.dry_run", nil) + "\n")
	case ConsentNoTTY:
		b.WriteString(catalog.Say(lang, "fix.ui.no_tty", nil) + "\n")
	case ConsentDeclined:
		b.WriteString(catalog.Say(lang, "fix.ui.declined", nil) + "\n")
	}
	if len(res.Applied) > 0 {
		ids := make([]string, len(res.Applied))
		for i, id := range res.Applied {
			ids[i] = fmt.Sprint(id)
		}
		b.WriteString(catalog.Say(lang, "fix.ui.applied", map[string]string{"steps": strings.Join(ids, ", ")}) + "\n")
	}
	if res.Error != "" {
		b.WriteString(catalog.Say(lang, "fix.ui.failed", map[string]string{"error": res.Error}) + "\n")
	}
	if res.Backup != "" {
		b.WriteString(catalog.Say(lang, "fix.ui.backup", map[string]string{"dir": res.Backup}) + "\n")
	}
	if res.After != nil {
		b.WriteString("\n" + catalog.Say(lang, "fix.ui.recheck", nil) + "\n")
		for _, t := range res.Transitions {
			fmt.Fprintf(&b, "  %s: %s → %s\n", t.Label, catalog.Say(lang, "ui.status."+t.Before, nil), catalog.Say(lang, "ui.status."+t.After, nil))
		}
		fmt.Fprintf(&b, "  %s: [%s] → [%s] %s\n", catalog.Say(lang, "ui.diagnosis", nil), res.Before.Diagnosis.Code,
			res.After.Diagnosis.Code, res.After.Diagnosis.Title)
		if res.After.Result == "ok" {
			b.WriteString(catalog.Say(lang, "fix.ui.fixed", nil) + "\n")
		} else if res.Undo != "" {
			b.WriteString(catalog.Say(lang, "fix.ui.still_failing", nil) + "\n")
		}
	}
	if res.Undo != "" {
		b.WriteString(catalog.Say(lang, "fix.ui.undo_with", nil) + "\n  " + res.Undo + "\n")
	}
	_, _ = io.WriteString(w, b.String()) // the terminal: nobody left to tell
}
