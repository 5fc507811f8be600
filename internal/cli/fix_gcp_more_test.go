package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/fix"
	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

// gcpFixKey runs sshdoctor gcp --fix with the key of seed, in lang.
func gcpFixKey(t *testing.T, s *gcptest.Server, env map[string]string, seed byte, lang string, extra ...string) (fix.Result, int) {
	t.Helper()
	io, out, errOut := TestIO(env)
	args := append([]string{"gcp", "--json", "--lang", lang, gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone,
		"--source-ip", myIP, "--key", s.WriteKey(seed), "--fix"}, extra...)
	code := Main(args, io)
	var r fix.Result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("exit %d: not JSON (%v)\n%s\n%s", code, err, out, errOut)
	}
	if v := s.Violations(); len(v) > 0 {
		t.Fatalf("requests outside the fix: %v", v)
	}
	return r, code
}

func undoGCP(t *testing.T, env map[string]string, r fix.Result) {
	t.Helper()
	io, out, errOut := TestIO(env)
	if code := Main([]string{"fix", "--undo", strings.TrimPrefix(r.Undo, "sshdoctor fix --undo ")}, io); code != 0 {
		t.Fatalf("undo: exit %d %s %s", code, out, errOut)
	}
}

// Keys managed in project metadata (the instance has none of its own and
// does not block project keys): the key goes into the project's ssh-keys
// with the metadata fingerprint; undo removes exactly that line and keeps
// a key someone added since.
func TestGCPFixProjectKey(t *testing.T) {
	noRealCredentials(t)
	s := gcptest.New(t)
	metadataMode(s)
	s.AllowWrites = true
	env := s.Env()
	env["HOME"] = t.TempDir()
	before, _ := s.ProjectMetadata("ssh-keys")

	dry, code := gcpFixKey(t, s, env, 2, "ja", "--dry-run", "--user", "alice")
	if code != 1 || dry.Before.Diagnosis.Code != "gcp.metadata_key_missing" || dry.Plan.Empty() ||
		!strings.Contains(dry.Plan.Steps[0].Command, "/setCommonInstanceMetadata") || !hasJapanese(dry.Plan.Steps[0].Why) ||
		len(s.Writes()) != 0 {
		t.Fatalf("dry run: exit %d %s plan %+v writes %v", code, dry.Before.Diagnosis.Code, dry.Plan, s.Writes())
	}
	r, code := gcpFixKey(t, s, env, 2, "en", "--yes", "--user", "alice")
	if code != 0 || r.After == nil || r.After.Result != "ok" {
		t.Fatalf("--yes: exit %d after %+v plan %+v err %s", code, r.After, r.Plan, r.Error)
	}
	if w := strings.Join(s.Writes(), "|"); w != "projects.setCommonInstanceMetadata "+gcptest.Project {
		t.Fatalf("writes %s", w)
	}
	added := "alice:" + gcptest.PublicKeyLine(2, "alice@laptop")
	if v, _ := s.ProjectMetadata("ssh-keys"); v != strings.TrimRight(before, "\n")+"\n"+added {
		t.Fatalf("project ssh-keys after the fix:\n%s", v)
	}
	other := "bob:" + gcptest.PublicKeyLine(3, "bob")
	v, _ := s.ProjectMetadata("ssh-keys")
	s.SetProjectMetadata("ssh-keys", v+"\n"+other)
	undoGCP(t, env, r)
	if v, _ := s.ProjectMetadata("ssh-keys"); strings.Contains(v, added) || !strings.Contains(v, other) ||
		!strings.HasPrefix(v, strings.TrimRight(before, "\n")) {
		t.Fatalf("project ssh-keys after undo:\n%s", v)
	}
	again, _ := gcpFixKey(t, s, env, 2, "en", "--dry-run", "--user", "alice")
	if again.Before.Diagnosis.Code != "gcp.metadata_key_missing" {
		t.Fatalf("after undo: %s", again.Before.Diagnosis.Code)
	}
}

// OS Login: the key is imported into the caller's profile; undo deletes
// exactly the fingerprint OS Login returned, and the key already there
// stays.
func TestGCPFixOSLoginKey(t *testing.T) {
	noRealCredentials(t)
	s := gcptest.New(t)
	s.AllowWrites = true
	env := s.Env()
	env["HOME"] = t.TempDir()
	r, code := gcpFixKey(t, s, env, 2, "ja", "--yes")
	if code != 0 || r.Before.Diagnosis.Code != "gcp.oslogin_key_missing" || r.After == nil || r.After.Result != "ok" ||
		!hasJapanese(r.Plan.Steps[0].Why) || !strings.Contains(r.Plan.Steps[0].Command, "users/"+gcptest.Account+":importSshPublicKey") {
		t.Fatalf("--yes: exit %d before %s after %+v plan %+v err %s", code, r.Before.Diagnosis.Code, r.After, r.Plan, r.Error)
	}
	w := s.Writes()
	if len(w) != 1 || !strings.HasPrefix(w[0], "users.importSshPublicKey ") {
		t.Fatalf("writes %v", w)
	}
	fp := strings.TrimPrefix(w[0], "users.importSshPublicKey ")
	if u := r.Plan.Steps[0].Undo; u != "DELETE oslogin/v1/users/"+gcptest.Account+"/sshPublicKeys/"+fp {
		t.Fatalf("step undo %q", u)
	}
	undoGCP(t, env, r)
	if w := s.Writes(); len(w) != 2 || w[1] != "users.sshPublicKeys.delete "+fp {
		t.Fatalf("undo writes %v", w)
	}
	keys := s.OSLoginKeys()
	if len(keys) != 1 || keys[0] != gcptest.PublicKeyLine(1, "") {
		t.Fatalf("profile keys after undo %v", keys)
	}
	again, _ := gcpFixKey(t, s, env, 2, "en", "--dry-run")
	if again.Before.Diagnosis.Code != "gcp.oslogin_key_missing" {
		t.Fatalf("after undo: %s", again.Before.Diagnosis.Code)
	}
}

// A kernel panic: the fix enables the serial console (serial-port-enable
// only); undo puts back that key's absence and leaves a key set since.
func TestGCPFixSerialConsole(t *testing.T) {
	noRealCredentials(t)
	s := gcptest.New(t)
	s.AllowWrites = true
	s.Serial[gcptest.VM] = gcptest.BootLog("Run /init as init process",
		"[    0.972001] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00007f00")
	env := s.Env()
	env["HOME"] = t.TempDir()
	keys := func() map[string]string {
		out := map[string]string{}
		s.Lock(func() {
			for _, it := range s.VMDoc()["metadata"].(gcptest.JSON)["items"].([]any) {
				m := it.(gcptest.JSON)
				v, _ := m["value"].(string)
				out[m["key"].(string)] = v
			}
		})
		return out
	}
	before := keys()
	r, code := gcpFixKey(t, s, env, 1, "en", "--yes")
	if r.Before.Diagnosis.Code != "gcp.boot_kernel_panic" || len(r.Applied) != 1 || r.Error != "" || code != 1 {
		t.Fatalf("--yes: exit %d %s plan %+v err %s", code, r.Before.Diagnosis.Code, r.Plan, r.Error)
	}
	if got := keys(); got["serial-port-enable"] != "TRUE" || len(got) != len(before)+1 {
		t.Fatalf("metadata after the fix: %v", got)
	}
	s.SetInstanceMetadata("added-since", "x")
	undoGCP(t, env, r)
	before["added-since"] = "x"
	if got := keys(); !reflect.DeepEqual(got, before) {
		t.Fatalf("metadata after undo: %v\nwant %v", got, before)
	}
	if w := s.Writes(); len(w) != 2 || w[0] != "instances.setMetadata "+gcptest.VM || w[1] != w[0] {
		t.Fatalf("writes %v", w)
	}
}

func hasJapanese(s string) bool {
	for _, r := range s {
		if r >= 0x3040 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// gcloud itself, pointed at the stand-in, makes the same three writes:
// the stand-in's strict bodies are the shapes Google's own client sends,
// so sshdoctor passing them is sending those shapes too.
func TestGCPFixShapesMatchGcloud(t *testing.T) {
	t.Parallel() // gcloud starts slowly; it touches no global of this package
	g, err := exec.LookPath("gcloud")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("gcloud is not installed (scripts/test-deps.sh installs it)")
		}
		t.Skip("gcloud is not installed")
	}
	s := gcptest.New(t)
	s.AllowWrites = true
	var env []string
	for k, v := range s.Env() {
		env = append(env, k+"="+v)
	}
	env = append(env, "PATH="+os.Getenv("PATH"), "CLOUDSDK_CORE_DISABLE_PROMPTS=1", "CLOUDSDK_CORE_PROJECT="+gcptest.Project)
	run := func(args ...string) {
		cmd := exec.Command(g, args...)
		cmd.Env = env
		out, _ := cmd.CombinedOutput() // gcloud may complain about the stand-in's short operations; the writes are what count
		t.Logf("gcloud %s:\n%s", strings.Join(args, " "), firstN(string(out), 400))
	}
	run("compute", "os-login", "ssh-keys", "add", "--key-file="+s.WriteKey(2))
	run("compute", "project-info", "add-metadata", "--metadata=ssh-keys=alice:"+gcptest.PublicKeyLine(2, "alice@laptop"))
	run("compute", "instances", "add-metadata", gcptest.VM, "--zone="+gcptest.Zone, "--metadata=serial-port-enable=TRUE")
	// (gcloud's ssh-keys remove reads the profile without projectId, which
	// this stand-in refuses so that sshdoctor's reads are held to sending
	// it; its DELETE path, captured, is the one the stand-in serves.)
	w := s.Writes()
	var fp string
	if len(w) > 0 {
		fp = strings.TrimPrefix(w[0], "users.importSshPublicKey ")
	}
	want := []string{"users.importSshPublicKey " + fp, "projects.setCommonInstanceMetadata " + gcptest.Project,
		"instances.setMetadata " + gcptest.VM}
	if fp == "" || strings.Join(w, "|") != strings.Join(want, "|") {
		t.Fatalf("the stand-in accepted %q from gcloud, want %q", w, want)
	}
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
