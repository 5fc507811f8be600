package cli

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/fix"
	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

func TestFixFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"check", "--yes", "host"},
		{"check", "--dry-run", "host"},
		{"check", "--fix", "--yes", "--dry-run", "host"},
		{"check", "--fix", "--expect-fingerprint", "MD5:aa", "host"},
		{"fix"},
		{"fix", "--undo", "no-such-backup"},
	} {
		io, _, errOut := TestIO(map[string]string{"HOME": t.TempDir()})
		if code := Main(args, io); code != ExitUsage || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// gcpFix runs sshdoctor gcp --fix against the stand-in and decodes the result.
func gcpFix(t *testing.T, s *gcptest.Server, env map[string]string, extra ...string) (fix.Result, int) {
	t.Helper()
	io, out, errOut := TestIO(env)
	args := append([]string{"gcp", "--json", gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone,
		"--source-ip", myIP, "--key", s.WriteKey(1), "--fix"}, extra...)
	code := Main(args, io)
	var r fix.Result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("exit %d: not JSON (%v)\n%s\n%s", code, err, out, errOut)
	}
	return r, code
}

// The implied deny: the fix tags the instance and creates the narrowest
// rule through the API (recorded by the stand-in), the re-check passes,
// and undo deletes exactly that rule and puts the old tags back.
func TestGCPFixFirewall(t *testing.T) {
	noRealCredentials(t)
	s := gcptest.New(t)
	s.RemoveFirewall("default-allow-ssh")
	s.AllowWrites = true
	env := s.Env()
	env["HOME"] = t.TempDir()

	for _, extra := range [][]string{{"--dry-run"}, {}} {
		r, code := gcpFix(t, s, env, extra...)
		if r.Plan.Empty() || len(r.Applied) != 0 || (code != 1 && code != ExitNotApplied) {
			t.Fatalf("%v: exit %d applied %v plan %+v", extra, code, r.Applied, r.Plan)
		}
		if w := s.Writes(); len(w) != 0 {
			t.Fatalf("%v wrote %v", extra, w)
		}
	}
	r, code := gcpFix(t, s, env, "--yes")
	if code != 0 || r.After == nil || r.After.Result != "ok" || r.Before.Diagnosis.Code != "gcp.firewall_blocks_ssh" {
		t.Fatalf("--yes: exit %d %+v\nafter %s %s %+v", code, r, r.After.Result, r.After.Diagnosis.Code, r.After.Checks)
	}
	name := "allow-ssh-from-203-0-113-7"
	if w := strings.Join(s.Writes(), "|"); w != "instances.setTags "+gcptest.VM+"|firewalls.insert "+name {
		t.Fatalf("writes %s", w)
	}
	fw := s.Firewall(name)
	if src, _ := json.Marshal(fw["sourceRanges"]); string(src) != `["203.0.113.7/32"]` {
		t.Fatalf("rule %v", fw)
	}
	io, out, errOut := TestIO(env)
	if code := Main([]string{"fix", "--undo", strings.TrimPrefix(r.Undo, "sshdoctor fix --undo ")}, io); code != 0 {
		t.Fatalf("undo: exit %d %s %s", code, out, errOut)
	}
	if s.Firewall(name) != nil {
		t.Fatal("the rule is still there after undo")
	}
	w := s.Writes()
	if len(w) != 4 || w[2] != "firewalls.delete "+name || w[3] != "instances.setTags "+gcptest.VM {
		t.Fatalf("undo writes %v", w)
	}
	again, _ := gcpFix(t, s, env, "--dry-run")
	if again.Before.Diagnosis.Code != "gcp.firewall_blocks_ssh" {
		t.Fatalf("after undo: %s", again.Before.Diagnosis.Code)
	}
}

// Metadata keys: the user's key is added to the instance's ssh-keys for
// the login name; undo writes back the exact metadata that was there.
func TestGCPFixMetadataKey(t *testing.T) {
	noRealCredentials(t)
	s := gcptest.New(t)
	metadataMode(s)
	s.DeleteProjectMetadata("ssh-keys")
	s.AllowWrites = true
	env := s.Env()
	env["HOME"] = t.TempDir()
	before, _ := json.Marshal(s.Instances[0]["metadata"].(gcptest.JSON)["items"])
	r, code := gcpFix(t, s, env, "--yes", "--user", "alice")
	if code != 0 || r.After == nil || r.After.Result != "ok" || r.Before.Diagnosis.Code != "gcp.metadata_key_missing" {
		t.Fatalf("--yes: exit %d before %s after %+v plan %+v", code, r.Before.Diagnosis.Code, r.After, r.Plan)
	}
	if w := strings.Join(s.Writes(), "|"); w != "instances.setMetadata "+gcptest.VM {
		t.Fatalf("writes %s", w)
	}
	io, out, errOut := TestIO(env)
	if code := Main([]string{"fix", "--undo", strings.TrimPrefix(r.Undo, "sshdoctor fix --undo ")}, io); code != 0 {
		t.Fatalf("undo: exit %d %s %s", code, out, errOut)
	}
	after, _ := json.Marshal(s.Instances[0]["metadata"].(gcptest.JSON)["items"])
	if string(after) != string(before) {
		t.Fatalf("metadata after undo:\n%s\nwant\n%s", after, before)
	}
}

// On a terminal each step is asked: "n" changes nothing (exit 5), "y"
// applies it and the re-check passes (exit 0).
func TestFixAsksOnATerminal(t *testing.T) {
	noRealCredentials(t)
	old := stdinTerminal
	stdinTerminal = func(io.Reader) bool { return true }
	t.Cleanup(func() { stdinTerminal = old })
	s := gcptest.New(t)
	s.RemoveFirewall("default-allow-ssh")
	s.AllowWrites = true
	env := s.Env()
	env["HOME"] = t.TempDir()
	for _, c := range []struct {
		answer string
		code   int
		writes int
	}{{"n\n", ExitNotApplied, 0}, {"", ExitNotApplied, 0}, {"y\n", 0, 2}} {
		io, out, errOut := TestIO(env)
		io.In = strings.NewReader(c.answer)
		code := Main([]string{"gcp", "--lang", "en", gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone,
			"--source-ip", myIP, "--key", s.WriteKey(1), "--fix"}, io)
		if code != c.code || len(s.Writes()) != c.writes || !strings.Contains(errOut.String(), "Apply step 1? [y/N/a=all/q=quit]") {
			t.Fatalf("answer %q: exit %d writes %v\n%s\n%s", c.answer, code, s.Writes(), out, errOut)
		}
		if c.code == 0 && !strings.Contains(out.String(), "Firewall: failed → ok") {
			t.Fatalf("no before → after:\n%s", out)
		}
	}
}

// fix --report: the plan comes from a report saved with --json; nothing
// is re-run, and the output says to run the command again.
func TestFixFromSavedReport(t *testing.T) {
	noRealCredentials(t)
	s := gcptest.New(t)
	s.RemoveFirewall("default-allow-ssh")
	env := s.Env()
	env["HOME"] = t.TempDir()
	io, out, _ := TestIO(env)
	if code := Main([]string{"gcp", "--json", gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone,
		"--source-ip", myIP, "--key", s.WriteKey(1)}, io); code != 1 {
		t.Fatalf("gcp: exit %d", code)
	}
	saved := env["HOME"] + "/report.json"
	if err := writeFile(saved, out.Bytes()); err != nil {
		t.Fatal(err)
	}
	s.AllowWrites = true
	io, out, errOut := TestIO(env)
	code := Main([]string{"fix", "--report", saved, "--yes"}, io)
	if code != 0 || len(s.Writes()) != 2 || !strings.Contains(out.String(), "Run the command of the report again") {
		t.Fatalf("fix --report: exit %d writes %v\n%s\n%s", code, s.Writes(), out, errOut)
	}
	io, _, errOut = TestIO(env)
	if code := Main([]string{"fix", "--report", env["HOME"]}, io); code != ExitUsage || !strings.Contains(errOut.String(), "--report") {
		t.Fatalf("a directory as report: exit %d %s", code, errOut)
	}
}
