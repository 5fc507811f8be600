package cli

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/reportschema"
)

func TestExplainFlags(t *testing.T) {
	s, _, _ := TestIO(nil)
	var got *ExplainOptions
	run := func(args ...string) error {
		got = nil
		c := NewCmdExplain(s, &Globals{}, func(o *ExplainOptions) error { got = o; return nil })
		c.SetArgs(args)
		c.SilenceErrors, c.SilenceUsage = true, true
		return c.Execute()
	}
	if err := run("a.log", "b.log", "--user", "alice", "--from", "192.0.2.1"); err != nil ||
		strings.Join(got.Files, ",") != "a.log,b.log" || got.User != "alice" || got.From != "192.0.2.1" || got.Run {
		t.Fatalf("%v %+v", err, got)
	}
	if err := run("--run", "--timeout", "5s", "--", "ssh", "-p", "2222", "alice@host"); err != nil ||
		!got.Run || strings.Join(got.Command, " ") != "ssh -p 2222 alice@host" || got.Timeout != 5*time.Second {
		t.Fatalf("%v %+v", err, got)
	}
	for _, bad := range [][]string{{"--run"}, {"--run", "--", "bash", "-c", "id"}, {"--run", "--timeout", "0s", "--", "ssh", "h"}} {
		if err := run(bad...); err == nil {
			t.Errorf("%v accepted", bad)
		} else if _, ok := err.(*UsageError); !ok {
			t.Errorf("%v: %v is not a usage error", bad, err)
		}
	}
}

func explainJSON(t *testing.T, stdin string, args ...string) (report map[string]any, code int, stderr string) {
	t.Helper()
	s, out, errOut := TestIO(nil)
	s.In = strings.NewReader(stdin)
	code = Main(append([]string{"explain", "--json"}, args...), s)
	if out.Len() > 0 {
		reportschema.Check(t, out.Bytes())
		if err := json.Unmarshal(out.Bytes(), &report); err != nil {
			t.Fatalf("not one JSON object: %v\n%s", err, out)
		}
	}
	return report, code, errOut.String()
}

func diagCode(r map[string]any) string {
	d, _ := r["diagnosis"].(map[string]any)
	c, _ := d["code"].(string)
	return c
}

func TestExplainFileAndStdin(t *testing.T) {
	r, code, _ := explainJSON(t, "", filepath.Join("testdata", "out_changed.stderr"))
	if code != 1 || diagCode(r) != "hostkey.changed" {
		t.Fatalf("exit %d, diagnosis %q", code, diagCode(r))
	}
	fixes := r["diagnosis"].(map[string]any)["fixes"].([]any)
	if len(fixes) != 2 || !strings.Contains(fixes[1].(map[string]any)["command"].(string), "ssh-keygen -R '[127.0.0.1]:2299' -f /home/alice/lab/client/known_hosts") {
		t.Fatalf("fixes %v", fixes)
	}
	srv, err := os.ReadFile(filepath.Join("testdata", "out_sshdir_777.server"))
	if err != nil {
		t.Fatal(err)
	}
	r, code, _ = explainJSON(t, string(srv), "-")
	if code != 1 || diagCode(r) != "server.strictmodes" {
		t.Fatalf("stdin: exit %d, diagnosis %q", code, diagCode(r))
	}
	checks := r["checks"].([]any)
	if len(checks) != 2 || checks[1].(map[string]any)["name"] != "explain-logins" {
		t.Fatalf("checks %v", checks)
	}
	r, code, _ = explainJSON(t, "good morning\n")
	if code != 3 || diagCode(r) != "inconclusive" || !strings.Contains(string(mustJSON(t, r)), "explain.unrecognized") {
		t.Fatalf("unrecognised: exit %d %v", code, r)
	}
	r, code, _ = explainJSON(t, "Warning: Permanently added '[127.0.0.1]:2299' (ED25519) to the list of known hosts.\n")
	if code != 0 || diagCode(r) != "ok" {
		t.Fatalf("no failure: exit %d %q", code, diagCode(r))
	}
	_, code, errText := explainJSON(t, "", "/nonexistent/auth.log")
	if code != 2 || strings.Count(errText, "\n") != 1 {
		t.Fatalf("missing file: exit %d %q", code, errText)
	}
	_, code, _ = explainJSON(t, "", "testdata")
	if code != 2 {
		t.Fatalf("directory: exit %d", code)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExplainJapanese(t *testing.T) {
	s, out, _ := TestIO(map[string]string{"LANG": "ja_JP.UTF-8"})
	code := Main([]string{"explain", "--no-color", filepath.Join("testdata", "out_changed.stderr")}, s)
	if code != 1 || !strings.Contains(out.String(), "ホスト鍵が変わっています") || !strings.Contains(out.String(), "診断") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// TestExplainRunRefused runs the real ssh against a loopback port where
// nothing listens: the diagnosis is tcp.refused, and the options that keep
// ssh from prompting come first on its command line.
func TestExplainRunRefused(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ssh is not installed; CI=true forbids skipping")
		}
		t.Skip("ssh is not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	home := t.TempDir()
	r, code, _ := explainJSON(t, "", "--run", "--timeout", "20s", "--", "ssh", "-F", "/dev/null",
		"-o", "UserKnownHostsFile="+filepath.Join(home, "kh"), "-p", strings.TrimSpace(itoa(port)), "nobody@127.0.0.1", "true")
	if code != 1 || diagCode(r) != "tcp.refused" {
		t.Fatalf("exit %d, diagnosis %q: %v", code, diagCode(r), r)
	}
	sub := r["subject"].(map[string]any)
	if !strings.HasPrefix(sub["command"].(string), "ssh -v -T -o BatchMode=yes -o StrictHostKeyChecking=yes -o UpdateHostKeys=no -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no ") ||
		sub["exit_status"] != "255" {
		t.Fatalf("subject %v", sub)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// A port a person redacted from a pasted log is not put back as a noun
// into the title: the title is worded without it, in both languages.
func TestExplainRedactedPortTitle(t *testing.T) {
	log := "Dec  3 10:00:00 host sshd[123]: error: Bind to port xxxx on 0.0.0.0 failed: Address already in use.\n" +
		"Dec  3 10:00:00 host sshd[123]: fatal: Cannot bind any address.\n"
	for _, lang := range []string{"en", "ja"} {
		r, _, _ := explainJSON(t, log, "--lang", lang)
		d, _ := r["diagnosis"].(map[string]any)
		title, _ := d["title"].(string)
		if diagCode(r) != "server.bind_failed" || strings.Contains(title, "SSH port") || strings.Contains(title, "SSH ポート") || title == "" {
			t.Errorf("%s: %s %q", lang, diagCode(r), title)
		}
	}
}
