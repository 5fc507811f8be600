package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/reportschema"
)

func TestServerFlags(t *testing.T) {
	s, _, _ := TestIO(nil)
	var got *ServerOptions
	cmd := NewCmdServer(s, &Globals{}, func(o *ServerOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--user", "alice", "--key", "k.pub", "--from", "198.51.100.7", "--port", "2222",
		"--sshd-config", "/etc/ssh/alt", "--log", "a.log", "--log", "b.log", "--since", "3h"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.User != "alice" || got.KeyFile != "k.pub" || got.From != "198.51.100.7" || got.Port != 2222 ||
		got.SSHDConfig != "/etc/ssh/alt" || strings.Join(got.Logs, ",") != "a.log,b.log" || got.Since != 3*time.Hour {
		t.Fatalf("%+v", got)
	}
	// Defaults.
	cmd = NewCmdServer(s, &Globals{}, func(o *ServerOptions) error { got = o; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Since != time.Hour || got.Port != 0 || got.User != "" {
		t.Fatalf("defaults %+v", got)
	}
	// Validation turns the flags into server options.
	so, err := (&ServerOptions{User: "bob", From: "::ffff:10.0.0.1", KeyFile: filepath.Join("testdata", "server_key.pub"), Since: time.Hour}).serverOptions()
	if err != nil || so.From.String() != "10.0.0.1" || so.Key == nil || so.Key.Type != "ssh-ed25519" {
		t.Fatalf("%+v %v", so, err)
	}
}

func TestServerUsageErrors(t *testing.T) {
	cases := [][]string{
		{"server", "extra-arg"},
		{"server", "--port", "0"},
		{"server", "--port", "70000"},
		{"server", "--from", "not-an-ip"},
		{"server", "--from", "fe80::1%eth0"},
		{"server", "--since", "-5m"},
		{"server", "--since", "soon"},
		{"server", "--user", "a b"},
		{"server", "--user", "-oops"},
		{"server", "--key", "/nonexistent/sshdoctor/key.pub"},
		{"server", "--key", "testdata"},
		{"server", "--sshd-config", "/nonexistent/sshdoctor/sshd_config"},
		{"server", "--log", "/nonexistent/sshdoctor/auth.log"},
	}
	for _, args := range cases {
		s, out, errOut := TestIO(map[string]string{})
		code := Main(args, s)
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		if code != ExitUsage || len(lines) != 1 || !strings.HasPrefix(lines[0], "sshdoctor: ") || out.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %q", args, code, errOut.String(), out.String())
		}
	}
}

// A real run on this machine: whatever it finds, --json is one report of
// the server command with every server check, and the exit code matches
// the result.
func TestServerRunJSON(t *testing.T) {
	s, out, errOut := TestIO(map[string]string{"NO_COLOR": "1"})
	code := Main([]string{"--json", "server", "--user", "root", "--since", "10m"}, s)
	reportschema.Check(t, out.Bytes())
	var r struct {
		Command string
		Result  string
		Checks  []struct{ Name, Status string }
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s %s", err, out.String(), errOut.String())
	}
	if r.Command != "server" || len(r.Checks) != 14 || r.Checks[0].Name != "server-sshd" {
		t.Fatalf("%+v", r)
	}
	want := map[string]int{"ok": ExitOK, "problem": ExitProblem, "inconclusive": ExitInconclusive}[r.Result]
	if code != want {
		t.Fatalf("result %s exit %d", r.Result, code)
	}
}
