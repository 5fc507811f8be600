package scan

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/report"
)

// SchemaVersion of the scan's JSON Lines. Each host line is
// {"kind":"host", …, "report": <check's JSON schema v1 report>}; the last
// line is {"kind":"summary", …}. Fields are only ever added.
const SchemaVersion = 1

// hostLine is one JSON Lines record per host.
type hostLine struct {
	SchemaVersion int            `json:"schema_version"`
	Kind          string         `json:"kind"`
	Name          string         `json:"name"`
	Destination   string         `json:"destination"`
	Groups        []string       `json:"groups,omitempty"`
	Source        string         `json:"source,omitempty"`
	Result        string         `json:"result"`
	Code          string         `json:"code"`
	Error         string         `json:"error,omitempty"`
	DurationMS    int64          `json:"duration_ms"`
	Software      string         `json:"server_software,omitempty"`
	HostKey       string         `json:"host_key,omitempty"`
	Report        *report.Report `json:"report,omitempty"`
}

type summaryLine struct {
	SchemaVersion int    `json:"schema_version"`
	Kind          string `json:"kind"`
	*Summary
}

// WriteJSONLines writes one line per host, then the summary.
func WriteJSONLines(w io.Writer, results []Result, s *Summary) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range results {
		r := &results[i]
		f := FactsOf(r.Report)
		l := hostLine{SchemaVersion: SchemaVersion, Kind: "host", Name: r.Target.Name, Destination: r.Target.Dest(),
			Groups: r.Target.Groups, Source: r.Target.Source, Result: r.Verdict(), Code: r.Code(),
			DurationMS: r.Duration.Milliseconds(), Software: f.Software, HostKey: f.HostKey, Report: r.Report}
		if r.Err != nil {
			l.Error = r.Err.Error()
		}
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return enc.Encode(summaryLine{SchemaVersion: SchemaVersion, Kind: "summary", Summary: s})
}

// CSVHeader names the CSV columns (a contract, like the JSON fields).
var CSVHeader = []string{"name", "destination", "groups", "result", "code", "title", "connections",
	"duration_ms", "server_software", "host_key", "address", "deprecated_only", "error"}

// WriteCSV writes one row per host, with a header.
func WriteCSV(w io.Writer, results []Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i := range results {
		r := &results[i]
		f := FactsOf(r.Report)
		title, errText := "", ""
		if r.Report != nil {
			title = r.Report.Diagnosis.Title
		}
		if r.Err != nil {
			errText = r.Err.Error()
		}
		row := []string{r.Target.Name, r.Target.Dest(), strings.Join(r.Target.Groups, " "), r.Verdict(), r.Code(),
			title, strconv.Itoa(r.Connections()), strconv.FormatInt(r.Duration.Milliseconds(), 10),
			f.Software, f.HostKey, f.Address, strings.Join(f.DeprecatedOnly(), " "), errText}
		for j := range row {
			row[j] = csvSafe(row[j])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet
// (server-supplied text lands in these cells).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// TextOptions shape the text output.
type TextOptions struct {
	Lang catalog.Lang
	// MaxHostsPerGroup caps the names listed under a group (0 = 8).
	MaxHostsPerGroup int
	// HostTable prints the per-host table before the summary.
	HostTable bool
}

// WriteText writes the per-host table and the summary grouped by cause.
func WriteText(w io.Writer, results []Result, s *Summary, o TextOptions) error {
	if o.MaxHostsPerGroup <= 0 {
		o.MaxHostsPerGroup = 8
	}
	say := func(key string, args map[string]string) string { return catalog.Say(o.Lang, key, args) }
	ew := &errWriter{w: w}
	if o.HostTable {
		width := len(say("ui.scan_host", nil))
		for i := range results {
			if n := len(HostLabel(results[i].Target)); n > width {
				width = n
			}
		}
		if width > 60 {
			width = 60
		}
		ew.printf("%-*s  %-12s  %-28s  %4s  %7s\n", width, say("ui.scan_host", nil), say("ui.scan_result", nil),
			say("ui.scan_cause", nil), say("ui.scan_conns", nil), say("ui.scan_time", nil))
		for i := range results {
			r := &results[i]
			ew.printf("%-*s  %-12s  %-28s  %4d  %7s\n", width, HostLabel(r.Target), say("ui.result."+r.Verdict(), nil),
				r.Code(), r.Connections(), r.Duration.Round(10*time.Millisecond))
		}
		ew.printf("\n")
	}
	counts := map[string]string{"hosts": strconv.Itoa(s.Hosts), "ok": strconv.Itoa(s.Results["ok"]),
		"problem": strconv.Itoa(s.Results["problem"]), "inconclusive": strconv.Itoa(s.Results["inconclusive"]),
		"connections": strconv.Itoa(s.Connections),
		"duration":    (time.Duration(s.DurationMS) * time.Millisecond).Round(100 * time.Millisecond).String()}
	ew.printf("%s\n", say("ui.scan_summary", counts))
	for _, g := range s.Groups {
		title := g.Title
		if g.Count > 1 && g.Result != "ok" && title != "" {
			// The title names the first host; the group shares the cause.
			title = say("ui.scan_example", map[string]string{"title": title})
		}
		ew.printf("  %-6d %-28s %s\n", g.Count, g.Code, title)
		ew.printf("         %s\n", listHosts(g.Hosts, o.MaxHostsPerGroup, o.Lang))
		if g.Example != "" && g.Result == "problem" {
			ew.printf("         %s: %s\n", say("ui.fix", nil), g.Example)
		}
	}
	for reason, n := range s.NotScanned {
		ew.printf("  %s\n", say("ui.scan_not_scanned."+reason, map[string]string{"count": strconv.Itoa(n)}))
	}
	if len(s.Fleet) > 0 {
		ew.printf("\n%s\n", say("ui.scan_fleet", nil))
		for _, f := range s.Fleet {
			title := f.Code
			if e, ok := catalog.Lookup(f.Code); ok {
				title = catalog.Fill(e.Title.In(o.Lang), map[string]string{"count": strconv.Itoa(len(f.Hosts)), "detail": f.Detail})
			}
			ew.printf("  %-28s %s\n", f.Code, title)
			ew.printf("         %s\n", listHosts(f.Hosts, o.MaxHostsPerGroup, o.Lang))
		}
	}
	if s.Interrupted {
		ew.printf("%s\n", say("ui.interrupted", nil))
	}
	return ew.err
}

func listHosts(hosts []string, max int, lang catalog.Lang) string {
	if len(hosts) <= max {
		return strings.Join(hosts, ", ")
	}
	return strings.Join(hosts[:max], ", ") + " " + catalog.Say(lang, "ui.scan_more", map[string]string{"count": strconv.Itoa(len(hosts) - max)})
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
