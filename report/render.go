package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
)

// WriteJSON prints the report as exactly one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// TextOptions controls the text renderer.
type TextOptions struct {
	Color bool
	// Header is printed first (e.g. the target), when not empty.
	Header string
	// Verbose also prints the evidence of info findings.
	Verbose bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
)

type painter bool

func (p painter) paint(code, s string) string {
	if !p || s == "" {
		return s
	}
	return code + s + ansiReset
}

func mark(status string) (string, string) {
	switch status {
	case "pass":
		return "✓", ansiGreen
	case "fail":
		return "✗", ansiRed
	case "warn":
		return "!", ansiYellow
	case "error":
		return "?", ansiYellow
	default:
		return "–", ansiDim
	}
}

func sevColor(sev string) string {
	switch sev {
	case "error":
		return ansiRed
	case "warning":
		return ansiYellow
	}
	return ansiDim
}

// WriteText prints the report for a person: one line per check with a mark,
// its findings with evidence beneath, then a Diagnosis and Fix block that
// can be acted on without reading the rest.
func (r *Report) WriteText(w io.Writer, opt TextOptions) error {
	p := painter(opt.Color)
	var b strings.Builder
	if opt.Header != "" {
		b.WriteString(p.paint(ansiBold, Terminal(opt.Header)))
		b.WriteString("\n\n")
	}
	width := 0
	for _, c := range r.Checks {
		if n := displayWidth(c.Label); n > width {
			width = n
		}
	}
	for _, c := range r.Checks {
		m, col := mark(c.Status)
		status := catalog.Say(r.lang, "ui.status."+c.Status, nil)
		line := p.paint(col, m) + " " + padRight(c.Label, width) + "  " + status
		if c.Status == "skip" && c.SkippedFor == "" && len(c.Findings) == 0 {
			line = p.paint(col, m) + " " + padRight(c.Label, width) + "  " + catalog.Say(r.lang, "ui.not_applicable", nil)
		}
		if c.Status == "skip" && c.SkippedFor != "" {
			if c.SkippedFor == "interrupted" {
				line = p.paint(col, m) + " " + padRight(c.Label, width) + "  " + catalog.Say(r.lang, "ui.skipped_interrupt", nil)
			} else {
				line = p.paint(col, m) + " " + padRight(c.Label, width) + "  " +
					catalog.Say(r.lang, "ui.skipped_for", map[string]string{"check": catalog.CheckLabel(r.lang, c.SkippedFor)})
			}
		}
		if c.DurationMS > 0 && c.Status != "skip" {
			line += p.paint(ansiDim, fmt.Sprintf(" (%d ms)", c.DurationMS))
		}
		b.WriteString(line + "\n")
		for _, f := range c.Findings {
			b.WriteString("    " + p.paint(sevColor(f.Severity), Terminal(f.Title)) + p.paint(ansiDim, "  ["+f.Code+"]") + "\n")
			if f.Severity == "info" && !opt.Verbose {
				continue // an info finding's evidence is in --json and -v
			}
			for _, k := range f.evidenceOrder {
				v := f.Evidence[k]
				lines := strings.Split(v, "\n")
				for i, l := range lines {
					if verbatimEvidence[k] {
						lines[i] = Terminal(catalog.Translate(r.lang, l)) // a whole sentence of sshdoctor's own only
					} else {
						lines[i] = Terminal(translateEvidence(r.lang, l))
					}
				}
				label := catalog.EvidenceLabel(r.lang, k)
				b.WriteString("      " + p.paint(ansiDim, label+":") + " " + lines[0] + "\n")
				for _, l := range lines[1:] {
					b.WriteString("      " + strings.Repeat(" ", displayWidth(label)+2) + l + "\n")
				}
			}
		}
	}
	b.WriteString("\n")
	b.WriteString(p.paint(ansiBold, catalog.Say(r.lang, "ui.diagnosis", nil)+": "))
	switch r.Result {
	case "problem":
		b.WriteString(p.paint(ansiRed, Terminal(r.Diagnosis.Title)) + p.paint(ansiDim, "  ["+r.Diagnosis.Code+"]") + "\n")
		if r.Diagnosis.Explanation != "" {
			b.WriteString(wrapIndent(TerminalLines(r.Diagnosis.Explanation), "  ", 78) + "\n")
		}
		if len(r.Diagnosis.Fixes) > 0 {
			b.WriteString("\n" + p.paint(ansiBold, catalog.Say(r.lang, "ui.fix", nil)+":") + "\n")
			for i, f := range r.Diagnosis.Fixes {
				fmt.Fprintf(&b, "  %d. %s\n", i+1, Terminal(f.Description))
				for _, cl := range strings.Split(TerminalLines(f.Command), "\n") {
					if cl != "" {
						b.WriteString("     " + p.paint(ansiBold, cl) + "\n")
					}
				}
				if f.CommandWithheld {
					b.WriteString("     " + p.paint(ansiDim, catalog.Say(r.lang, "ui.command_withheld", nil)) + "\n")
				}
			}
		}
	case "ok":
		b.WriteString(p.paint(ansiGreen, Terminal(r.Diagnosis.Title)) + "\n")
	default:
		b.WriteString(p.paint(ansiYellow, Terminal(r.Diagnosis.Title)) + "\n")
	}
	if r.Stats != nil {
		b.WriteString(p.paint(ansiDim, catalog.Say(r.lang, "ui.stats", map[string]string{
			"connections":   fmt.Sprint(r.Stats.Connections),
			"auth_attempts": fmt.Sprint(r.Stats.AuthAttempts),
		})) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth counts East Asian wide characters as two columns so that
// Japanese labels line up.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
			(r >= 0xffe0 && r <= 0xffe6)) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func padRight(s string, width int) string {
	if d := width - displayWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// wrapIndent wraps text at width columns by words and indents each line.
// Text with wide (Japanese) characters is not wrapped: its words are not
// separated by spaces, so breaking at the few spaces it has (around paths
// and commands) would cut sentences in odd places; the terminal wraps it.
func wrapIndent(text, indent string, width int) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		if displayWidth(para) != len([]rune(para)) {
			out = append(out, indent+para)
			continue
		}
		words := strings.Fields(para)
		line := ""
		for _, w := range words {
			if line != "" && displayWidth(line)+1+displayWidth(w) > width-len(indent) {
				out = append(out, indent+line)
				line = w
				continue
			}
			if line == "" {
				line = w
			} else {
				line += " " + w
			}
		}
		out = append(out, indent+line)
	}
	return strings.Join(out, "\n")
}

// verbatimEvidence are the evidence keys that quote what a program or a
// server printed: they are shown as printed, in every language, unless
// the whole line is a sentence of sshdoctor's own.
var verbatimEvidence = map[string]bool{
	"ssh_would_say": true, "line": true, "stdout": true, "stderr": true, "error": true,
	"server_message": true, "server_said": true, "identification": true,
}

// translateEvidence translates the fixed sentences sshdoctor itself writes
// as evidence, whole or as a trailing "(…)" note after an observed value
// ("alice (given on the command line)"); observed text has no translation
// and stays as it was.
func translateEvidence(lang catalog.Lang, l string) string {
	if t := catalog.Translate(lang, l); t != l {
		return t
	}
	if i := strings.LastIndex(l, " ("); i > 0 && strings.HasSuffix(l, ")") {
		inner := l[i+2 : len(l)-1]
		if t := catalog.Translate(lang, inner); t != inner {
			return l[:i] + " (" + t + ")"
		}
	}
	// "FILE: 3 keys", "FILE: not present": an observed value, then a
	// fixed sentence, which may hold one count ({n} in the catalog).
	if i := strings.LastIndex(l, ": "); i > 0 {
		if t, ok := translateCounted(lang, l[i+2:]); ok {
			return l[:i+2] + t
		}
	}
	return l
}

// translateCounted translates a fixed sentence, or one with a single
// number in it, registered with {n} in its place.
func translateCounted(lang catalog.Lang, tail string) (string, bool) {
	if t := catalog.Translate(lang, tail); t != tail {
		return t, true
	}
	start := strings.IndexAny(tail, "0123456789")
	if start < 0 {
		return "", false
	}
	end := start
	for end < len(tail) && tail[end] >= '0' && tail[end] <= '9' {
		end++
	}
	if strings.ContainsAny(tail[end:], "0123456789") {
		return "", false
	}
	tmpl := tail[:start] + "{n}" + tail[end:]
	if t := catalog.Translate(lang, tmpl); t != tmpl {
		return strings.Replace(t, "{n}", tail[start:end], 1), true
	}
	return "", false
}
