package sshlog

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/report"
)

var corpusReport = flag.Bool("corpus-report", false, "print every published text's reading")

// TestPublishedCorpus reads texts people published in bug trackers, forums,
// Q&A sites and vendor documentation, kept verbatim with their source and the
// cause the thread settled on (testdata/corpus/published/SOURCES.tsv), and
// checks that explain names that cause. It fails when fewer than 90 % are
// right, and on any "no failure" over a text that shows one.
func TestPublishedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "corpus", "published")
	f, err := os.Open(filepath.Join(dir, "SOURCES.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type entry struct{ file, url, want, cause string }
	var entries []entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, "\t")
		if len(p) != 4 {
			t.Fatalf("SOURCES.tsv: bad line %q", line)
		}
		entries = append(entries, entry{p[0], p[1], p[2], p[3]})
	}
	if len(entries) < 50 {
		t.Fatalf("only %d published texts", len(entries))
	}
	right, wrong, unrec := 0, 0, 0
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.file))
		if err != nil {
			t.Fatal(err)
		}
		a, err := Explain([]Input{{Name: e.file, R: strings.NewReader(string(data))}}, ExplainOptions{})
		if err != nil {
			t.Fatalf("%s: %v", e.file, err)
		}
		got := diagnosisCode(a)
		switch got {
		case e.want:
			right++
		case "explain.unrecognized", "explain.unknown_failure":
			unrec++
		default:
			wrong++
		}
		if got != e.want && *corpusReport {
			t.Logf("%-48s want %-28s got %s", e.file, e.want, got)
		}
		if got == "explain.no_failure" && e.want != "explain.no_failure" {
			t.Errorf("%s: \"no failure\" over a text that shows %s (%s)", e.file, e.want, e.url)
		}
	}
	n := len(entries)
	t.Logf("published corpus: %d texts, right %d (%.1f %%), wrong %d (%.1f %%), unrecognised %d (%.1f %%)",
		n, right, pct(right, n), wrong, pct(wrong, n), unrec, pct(unrec, n))
	if pct(right, n) < 90 {
		t.Errorf("only %.1f %% of the published texts get their cause (bar: 90 %%)", pct(right, n))
	}
}

func pct(a, n int) float64 { return 100 * float64(a) / float64(n) }

// diagnosisCode is what explain names as the cause: the first error, else
// the first finding.
func diagnosisCode(a *Analysis) string {
	for _, f := range a.Findings {
		if f.Severity == diag.SevError {
			return f.Code
		}
	}
	if len(a.Findings) > 0 {
		return a.Findings[0].Code
	}
	return "explain.no_failure"
}

// holeRE finds a value left out of a sentence: a bare "?".
var holeRE = regexp.MustCompile(`(^|[\s(「"'])\?($|[\s),.」"'])`)

// TestPublishedCorpusSentences renders every finding of every published
// text in both languages: no title, explanation or fix reads with a hole
// ("The host key of ? has changed") or a raw placeholder.
func TestPublishedCorpusSentences(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "published", "*.txt"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Explain([]Input{{Name: "t", R: strings.NewReader(string(data))}}, ExplainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range append(a.Findings, a.Logins...) {
			for _, lang := range catalog.Langs {
				r := report.RenderFinding(lang, f)
				texts := []string{r.Title, r.Explanation}
				for _, fx := range r.Fixes {
					texts = append(texts, fx.Description)
				}
				for _, s := range texts {
					if holeRE.MatchString(s) || strings.Contains(s, "{") && strings.Contains(s, "}") {
						t.Errorf("%s: %s (%s): %q", filepath.Base(file), f.Code, lang, s)
					}
				}
				// A Windows file gets a Windows fix, never chmod.
				for _, fx := range r.Fixes {
					if strings.Contains(fx.Command, "chmod") && (strings.Contains(fx.Command, `:\`) || strings.Contains(fx.Command, ":/") || strings.Contains(fx.Command, "__PROGRAMDATA__")) {
						t.Errorf("%s: %s: chmod for a Windows path: %q", filepath.Base(file), f.Code, fx.Command)
					}
				}
			}
		}
	}
}
