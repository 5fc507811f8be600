//go:build linux

package fix_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
	"github.com/sshdoctor/sshdoctor/report"
)

const vboxUUID = "37f5d336-bf07-48dd-947c-37e6a56420a7"

// vboxStandIn builds the VirtualBox stand-in (vm/testdata/standin) as
// VBoxManage in its own directory, answering for the captured
// go-virtualbox VM (a NAT rule on 127.0.0.1 only) in state.
func vboxStandIn(t *testing.T, state string) (dir string) {
	t.Helper()
	dir = t.TempDir()
	exe := filepath.Join(dir, "standin")
	if out, err := exec.Command("go", "build", "-buildvcs=false", "-o", exe, "github.com/sshdoctor/sshdoctor/vm/testdata/standin").CombinedOutput(); err != nil {
		t.Fatalf("building the stand-in: %v: %s", err, out)
	}
	if err := os.Symlink(exe, filepath.Join(dir, "VBoxManage")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../vm/testdata/showvminfo-01-vbox5x-macos-nat-ssh127-saved.txt")
	if err != nil {
		t.Fatal(err)
	}
	info := strings.Replace(string(b), `VMState="saved"`, `VMState="`+state+`"`, 1)
	sc := map[string]any{"responses": map[string]any{
		"list vms": map[string]string{"out": `"go-virtualbox" {` + vboxUUID + "}\n"},
		"showvminfo go-virtualbox --machinereadable":    map[string]string{"out": info},
		"showvminfo " + vboxUUID + " --machinereadable": map[string]string{"out": info},
	}}
	data, _ := json.Marshal(sc)
	if err := os.WriteFile(filepath.Join(dir, "scenario.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// natpfCalls are the rule-changing calls the stand-in received.
func natpfCalls(t *testing.T, dir string) []string {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(dir, "calls.log"))
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if strings.HasPrefix(l, "controlvm ") || strings.HasPrefix(l, "modifyvm ") {
			out = append(out, l)
		}
	}
	return out
}

// A VirtualBox NAT rule on 127.0.0.1 only, seen from the LAN: the fix
// re-creates it with VBoxManage (controlvm for a running VM, modifyvm for
// a stopped one), the stand-in's showvminfo then shows the new rule and
// the re-check no longer finds the loopback-only forward; undo issues the
// inverse (delete the new rule, add the old one back) and the finding is
// back.
func TestLabFixVirtualBoxNATRule(t *testing.T) {
	for _, c := range []struct{ state, verb, slot string }{{"running", "controlvm", "natpf1"}, {"poweroff", "modifyvm", "--natpf1"}} {
		t.Run(c.state, func(t *testing.T) {
			dir := vboxStandIn(t, c.state)
			home := t.TempDir()
			env := append(os.Environ(), "HOME="+home, "PATH="+dir+":"+os.Getenv("PATH"))
			run := func(lang string, extra ...string) fixRun {
				cmd := exec.Command(lab.Binary(t), append([]string{"--json", "--lang", lang, "vm", "go-virtualbox", "--from", "lan", "--fix"}, extra...)...)
				cmd.Env = env
				var out, errOut strings.Builder
				cmd.Stdout, cmd.Stderr = &out, &errOut
				err := cmd.Run()
				fr := fixRun{Result: lab.Result{Stdout: out.String(), Stderr: errOut.String(), ExitCode: cmd.ProcessState.ExitCode()}}
				if jerr := json.Unmarshal([]byte(out.String()), &fr.Res); jerr != nil {
					t.Fatalf("vm --fix: not JSON (%v, %v)\n%s\n%s", jerr, err, out.String(), errOut.String())
				}
				return fr
			}
			has := func(r fixRun, code string) bool { return findingIn(r.Res.Before, code) }
			hasAfter := func(r fixRun, code string) bool { return findingIn(r.Res.After, code) }
			dry := run("ja", "--dry-run")
			if dry.Res.Plan.Empty() || dry.Res.Plan.Steps[0].Code != "vbox.natpf_loopback_only" || !lab.HasJapanese(dry.Res.Plan.Steps[0].Why) {
				t.Fatalf("dry run: %s plan %s\n%s", dry.Res.Before.Diagnosis.Code, planJSON(dry.Res.Plan), dry.Stderr)
			}
			if n := natpfCalls(t, dir); len(n) != 0 {
				t.Fatalf("--dry-run changed VirtualBox: %v", n)
			}
			st := dry.Res.Plan.Steps[0]
			lines := strings.Split(st.Command, "\n")
			pre := "VBoxManage " + c.verb + " go-virtualbox " + c.slot + " "
			if len(lines) != 2 || lines[0] != pre+"delete ssh" || !strings.HasPrefix(lines[1], pre+"ssh,tcp,") ||
				st.Undo != pre+"delete ssh\n"+pre+"ssh,tcp,127.0.0.1,2222,,22" {
				t.Fatalf("step %+v", st)
			}
			newRule := strings.TrimPrefix(lines[1], pre)

			r := run("en", "--yes")
			if len(r.Res.Applied) != 1 || r.Res.After == nil || r.Res.Error != "" {
				t.Fatalf("--yes: exit %d %+v\n%s", r.ExitCode, r.Res, r.Stderr)
			}
			want := []string{c.verb + " go-virtualbox " + c.slot + " delete ssh", c.verb + " go-virtualbox " + c.slot + " " + newRule}
			if got := natpfCalls(t, dir); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("VBoxManage calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if hasAfter(r, "vbox.natpf_loopback_only") || !has(r, "vbox.natpf_loopback_only") {
				t.Fatalf("re-check: %s %+v", r.Res.After.Diagnosis.Code, r.Res.After.Checks)
			}
			if c.state == "running" && (r.Res.After.Result != "ok" || r.ExitCode != 0) {
				t.Fatalf("re-check of the running VM: %s exit %d", r.Res.After.Diagnosis.Code, r.ExitCode)
			}
			u := exec.Command(lab.Binary(t), "fix", "--undo", undoID(r))
			u.Env = env
			if out, err := u.CombinedOutput(); err != nil {
				t.Fatalf("undo: %v %s", err, out)
			}
			want = append(want, c.verb+" go-virtualbox "+c.slot+" delete ssh", c.verb+" go-virtualbox "+c.slot+" ssh,tcp,127.0.0.1,2222,,22")
			if got := natpfCalls(t, dir); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("VBoxManage calls after undo:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			again := run("en", "--dry-run")
			if !has(again, "vbox.natpf_loopback_only") {
				t.Fatalf("after undo the loopback-only rule is not back: %s", again.Res.Before.Diagnosis.Code)
			}
		})
	}
}

func findingIn(r *report.Report, code string) bool {
	if r == nil {
		return false
	}
	for _, ch := range r.Checks {
		for _, f := range ch.Findings {
			if f.Code == code {
				return true
			}
		}
	}
	return false
}
