package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/reportschema"
	"github.com/sshdoctor/sshdoctor/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

func init() {
	catalog.Register(
		catalog.Entry{Code: "test.info", Severity: "info",
			Title:       catalog.Text{En: "Resolved {name}", Ja: "{name} を解決しました"},
			Explanation: catalog.Text{En: "Fine.", Ja: "問題ありません。"}},
		catalog.Entry{Code: "test.broken", Severity: "error",
			Title:       catalog.Text{En: "Port {port} is closed", Ja: "ポート {port} は閉じています"},
			Explanation: catalog.Text{En: "Nothing listens on port {port}.", Ja: "ポート {port} で待ち受けているものがありません。"}},
	)
	catalog.RegisterPhrases(map[string]catalog.Text{
		"fix.test_start":  {En: "Start the service on port {port}", Ja: "ポート {port} のサービスを起動してください"},
		"check.test-dns":  {En: "name resolution", Ja: "名前解決"},
		"check.test-tcp":  {En: "TCP connection", Ja: "TCP 接続"},
		"check.test-next": {En: "next layer", Ja: "次の段階"},
	})
}

func outcome(t *testing.T) *diag.Outcome {
	checks := []*diag.Check{
		{Name: "test-dns", Run: func(ctx context.Context, p *diag.Pass) diag.Result {
			return diag.Conclude(nil, diag.NewFinding("test.info").Arg("name", "web1").Ev("addresses", "198.18.0.2"))
		}},
		{Name: "test-tcp", Requires: []string{"test-dns"}, Run: func(ctx context.Context, p *diag.Pass) diag.Result {
			return diag.Conclude(nil, diag.NewFinding("test.broken").Arg("port", "22").
				Ev("address", "198.18.0.2:22").Ev("received", diag.Quote([]byte("\x1b[2Jevil"), 50)).
				Fix("fix.test_start", "sudo systemctl start ssh"))
		}},
		{Name: "test-next", Requires: []string{"test-tcp"}, Run: func(ctx context.Context, p *diag.Pass) diag.Result {
			return diag.Conclude(nil)
		}},
	}
	o, err := diag.Execute(context.Background(), checks)
	if err != nil {
		t.Fatal(err)
	}
	for i := range o.Runs {
		o.Runs[i].Duration = 0 // golden files must not depend on timing
	}
	return o
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", name, got)
	}
}

func TestTextGolden(t *testing.T) {
	for _, lang := range catalog.Langs {
		r := report.Build("check", lang, outcome(t))
		var b bytes.Buffer
		if err := r.WriteText(&b, report.TextOptions{Header: "sshdoctor web1"}); err != nil {
			t.Fatal(err)
		}
		golden(t, "text_"+string(lang)+".golden", b.Bytes())
		if strings.Contains(b.String(), "\x1b[2J") {
			t.Fatal("an escape sequence from the server reached the terminal")
		}
	}
}

func TestJSONContract(t *testing.T) {
	r := report.Build("check", catalog.JA, outcome(t))
	r.Target = &report.Target{Destination: "web1", Host: "web1", Hostname: "web1", Port: 22, Addresses: []string{"198.18.0.2"}}
	r.Version = "VERSION" // the golden file must not depend on the build
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	reportschema.Check(t, b.Bytes())
	golden(t, "json_ja.golden", b.Bytes())
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema_version", "target", "result", "diagnosis", "checks"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q", k)
		}
	}
	d := m["diagnosis"].(map[string]any)
	if d["code"] != "test.broken" || d["title"] != "ポート 22 は閉じています" {
		t.Fatalf("diagnosis %v", d)
	}
	checks := m["checks"].([]any)
	last := checks[2].(map[string]any)
	if last["status"] != "skip" || last["skipped_for"] != "test-tcp" {
		t.Fatalf("skip %v", last)
	}
	f := checks[1].(map[string]any)["findings"].([]any)[0].(map[string]any)
	if f["evidence"].(map[string]any)["address"] != "198.18.0.2:22" {
		t.Fatalf("evidence %v", f)
	}
	if r.ExitCode() != 1 {
		t.Fatalf("exit %d", r.ExitCode())
	}
}

func BenchmarkRenderText(b *testing.B) {
	t := &testing.T{}
	o := outcome(t)
	var buf bytes.Buffer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := report.Build("check", catalog.EN, o).WriteText(&buf, report.TextOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
