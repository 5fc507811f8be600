package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/report"
)

func TestTerminal(t *testing.T) {
	cases := map[string]string{
		"OpenSSH_9.9":                            "OpenSSH_9.9",
		"日本語サーバ":                                 "日本語サーバ",
		"OpenSSH_9.9\x1b]0;PWNED\x07\x1b[31mRED": `OpenSSH_9.9\x1b]0;PWNED\a\x1b[31mRED`,
		"evil\u202etxt.exe":                      `evil\u202etxt.exe`,
		"a\u2066b\u2069c\u200bd":                 `a\u2066b\u2069c\u200bd`,
		"bad\xff\xfe":                            `bad\xff\xfe`,
		"c1\u009bx":                              `c1\u009bx`,
		"two\nlines\r\ttab\x00":                  `two\nlines\r\ttab\x00`,
		`already\x1b escaped stays as it is`:     `already\x1b escaped stays as it is`,
		"\ufeffbom":                              `\ufeffbom`,
	}
	for in, want := range cases {
		if got := report.Terminal(in); got != want {
			t.Errorf("Terminal(%q) = %q, want %q", in, got, want)
		}
	}
	if got := report.TerminalLines("one\x1b\ntwo"); got != "one\\x1b\ntwo" {
		t.Errorf("TerminalLines: %q", got)
	}
}

// clean fails when s holds anything a terminal would act on or hide (a
// newline aside), or bytes that are not UTF-8.
func clean(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("text output is not UTF-8: %q", s)
	}
	for _, r := range s {
		if r != '\n' && diag.Hidden(r) {
			t.Fatalf("control or invisible character %U reached the text output:\n%q", r, s)
		}
	}
}

// hostileOutcome gives every catalogued code once, with every placeholder,
// evidence value and fix command taken from v, as a hostile server or log
// could supply them.
func hostileOutcome(v string) *diag.Outcome {
	run := func(ctx context.Context, p *diag.Pass) diag.Result {
		var fs []*diag.Finding
		for _, code := range catalog.Codes() {
			e, _ := catalog.Lookup(code)
			f := diag.NewFinding(code)
			for _, ph := range catalog.Placeholders(e.Title.En + " " + e.Explanation.En) {
				f.Arg(ph, v)
			}
			f.Ev("server_message", v).Ev("software", "SSH-2.0-"+v)
			f.Fix("fix.test_start", "ssh-keygen -R "+v)
			fs = append(fs, f)
		}
		return diag.Conclude(nil, fs...)
	}
	o, _ := diag.Execute(context.Background(), []*diag.Check{{Name: "hostile", Run: run}})
	return o
}

// Strings from outside (a banner, an auth-method list, a disconnect
// message) are escaped in text, kept faithful in JSON, and a fix command
// that would carry one of them is withheld.
func TestForeignStringsEscaped(t *testing.T) {
	const evil = "OpenSSH\x1b]0;PWNED\x07\x1b[2J\u202eexe.txt"
	o := hostileOutcome(evil)
	for _, lang := range catalog.Langs {
		r := report.Build("check", lang, o)
		var b bytes.Buffer
		if err := r.WriteText(&b, report.TextOptions{Header: "sshdoctor " + evil, Verbose: true}); err != nil {
			t.Fatal(err)
		}
		clean(t, b.String())
		if !strings.Contains(b.String(), `OpenSSH\x1b]0;PWNED\a\x1b[2J\u202eexe.txt`) {
			t.Fatalf("the escaped value is not shown:\n%s", b.String())
		}
		if strings.Contains(b.String(), "ssh-keygen -R OpenSSH") {
			t.Fatal("a fix command carried the hostile value")
		}
		var j bytes.Buffer
		if err := r.WriteJSON(&j); err != nil {
			t.Fatal(err)
		}
		var back struct {
			Diagnosis struct {
				Fixes []report.Fix `json:"fixes"`
			} `json:"diagnosis"`
			Checks []struct {
				Findings []struct {
					Evidence map[string]string `json:"evidence"`
				} `json:"findings"`
			} `json:"checks"`
		}
		if err := json.Unmarshal(j.Bytes(), &back); err != nil {
			t.Fatalf("JSON not valid: %v", err)
		}
		if got := back.Checks[0].Findings[0].Evidence["server_message"]; got != evil {
			t.Fatalf("JSON not faithful: %q", got)
		}
		if len(back.Diagnosis.Fixes) == 0 || back.Diagnosis.Fixes[0].Command != "" || !back.Diagnosis.Fixes[0].CommandWithheld {
			t.Fatalf("fix not withheld in JSON: %+v", back.Diagnosis.Fixes)
		}
	}
}

// The catalog's own texts carry no control character but the newline: the
// renderer trusts them.
func TestCatalogTextsClean(t *testing.T) {
	check := func(id, s string) {
		for _, r := range s {
			if r != '\n' && diag.Hidden(r) {
				t.Errorf("%s: holds %U", id, r)
			}
		}
	}
	for _, code := range catalog.Codes() {
		e, _ := catalog.Lookup(code)
		for _, lang := range catalog.Langs {
			check(code, e.Title.In(lang)+e.Explanation.In(lang))
		}
	}
	for _, k := range catalog.PhraseKeys() {
		p, _ := catalog.Phrase(k)
		for _, lang := range catalog.Langs {
			check(k, p.In(lang))
		}
	}
}

// FuzzTextRendererHostile feeds any string a server could send through
// every catalogued finding and the text renderer: no control character
// other than newline reaches the output.
func FuzzTextRendererHostile(f *testing.F) {
	for _, s := range []string{
		"OpenSSH_9.9\x1b]0;PWNED-TITLE\x07\x1b[31mRED\x1b[2J\x1b[H",
		"publickey,\x1b[31mpassword\x1b[0m",
		"Too many authentication failures\r\n\x1b[2K",
		"administratively prohibited\x9b31m",
		"KILL\u202e",
		"日本語サーバ",
		"\xe6\x97\xa5\xff",
		"\x00\x00\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		o := hostileOutcome(v)
		for _, lang := range catalog.Langs {
			var b bytes.Buffer
			_ = report.Build("check", lang, o).WriteText(&b, report.TextOptions{Header: v, Verbose: true})
			clean(t, b.String())
			var j bytes.Buffer
			_ = report.Build("check", lang, o).WriteJSON(&j)
			if !json.Valid(j.Bytes()) {
				t.Fatal("JSON not valid")
			}
		}
	})
}
