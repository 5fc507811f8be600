package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

// complete runs cobra's hidden __complete command in process, as a shell's
// completion script does, and returns the offered words and the directive.
func complete(t *testing.T, env map[string]string, args ...string) ([]string, string) {
	t.Helper()
	s, out, errOut := TestIO(env)
	if code := Main(append([]string{"__complete"}, args...), s); code != ExitOK {
		t.Fatalf("__complete %v: exit %d: %s", args, code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

func writeSSHConfig(t *testing.T) (home, cfg string) {
	t.Helper()
	home = t.TempDir()
	cfg = filepath.Join(home, ".ssh", "config")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("Host web1 web2 *.lan\n  HostName 198.18.0.2\nHost build-box\n  Port 2222\nHost !nope wx?\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return home, cfg
}

func TestCompleteHostAliases(t *testing.T) {
	home, cfg := writeSSHConfig(t)
	env := map[string]string{"HOME": home}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "-F", cfg, "w"}, "web1 web2"},
		{[]string{"check", "-F", cfg, ""}, "build-box web1 web2"},
		{[]string{"check", "-F", cfg, "deploy@b"}, "deploy@build-box"},
		{[]string{"-F", cfg, "web"}, "web1 web2"}, // `sshdoctor DEST` is `sshdoctor check DEST`
		{[]string{"check", "-F", cfg, "web1", ""}, ""},
		{[]string{"check", "-F", filepath.Join(home, "missing"), "w"}, ""},
	} {
		got, directive := complete(t, env, tc.args...)
		if strings.Join(got, " ") != tc.want || directive != ":4" { // 4: ShellCompDirectiveNoFileComp
			t.Errorf("%v: got %q %s, want %q :4", tc.args, got, directive, tc.want)
		}
	}
	// Without -F the user's own ~/.ssh/config is read (the system config
	// may add names of its own).
	got, _ := complete(t, env, "check", "web")
	if !strings.Contains(" "+strings.Join(got, " ")+" ", " web1 web2 ") {
		t.Errorf("from ~/.ssh/config: %q", got)
	}
}

// VM names come from `VBoxManage list vms`; a VBoxManage that hangs costs
// the shell at most the completion deadline and offers nothing.
func TestCompleteVMNames(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in VBoxManage is a shell script")
	}
	listing, err := filepath.Abs(filepath.Join("..", "..", "vm", "testdata", "list-gov-vboxmanage-list-vms-1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := "#!/bin/sh\n[ \"$1 $2\" = \"list vms\" ] && exec cat '" + listing + "'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "VBoxManage"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	got, directive := complete(t, map[string]string{"PATH": dir}, "vm", "")
	want, _ := os.ReadFile(listing)
	lines := strings.Split(strings.TrimSpace(string(want)), "\n")
	if len(got) != len(lines) || directive != ":4" {
		t.Fatalf("got %q %s from\n%s", got, directive, want)
	}
	for i, name := range got {
		if !strings.HasPrefix(lines[i], `"`+name+`" {`) {
			t.Errorf("name %d: %q from %q", i, name, lines[i])
		}
	}

	hang := t.TempDir()
	if err := os.WriteFile(filepath.Join(hang, "VBoxManage"), []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got, _ = complete(t, map[string]string{"PATH": hang}, "vm", "")
	if len(got) != 0 || time.Since(start) > vmCompletionTimeout+2*time.Second {
		t.Fatalf("hung VBoxManage: %q after %s", got, time.Since(start))
	}
}

// The completion scripts cobra generates are there for every shell the
// README names.
func TestCompletionScripts(t *testing.T) {
	for shell, marker := range map[string]string{"bash": "__start_sshdoctor", "zsh": "#compdef sshdoctor",
		"fish": "complete -c sshdoctor", "powershell": "Register-ArgumentCompleter"} {
		s, out, errOut := TestIO(nil)
		if code := Main([]string{"completion", shell}, s); code != ExitOK || !strings.Contains(out.String(), marker) {
			t.Errorf("completion %s: exit %d, %q missing: %s", shell, code, marker, errOut)
		}
	}
}

// Instance names come from the Compute API with the same defaults and
// credentials as a gcp run; without credentials the completion is empty,
// quickly, and nothing is printed in the user's command line.
func TestCompleteGCPInstances(t *testing.T) {
	noRealCredentials(t)
	s := gcptest.New(t)
	var all []string
	for _, in := range s.Instances {
		all = append(all, in["name"].(string))
	}
	sort.Strings(all)
	if len(all) < 2 {
		t.Fatalf("the recorded project should hold several instances: %v", all)
	}
	var valid []string
	for _, n := range all {
		if strings.HasPrefix(n, "valid") {
			valid = append(valid, "alice@"+n)
		}
	}
	env := s.Env()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"gcp", "--project", gcptest.Project, ""}, all},
		{[]string{"gcp", "--project", gcptest.Project, "--zone", gcptest.Zone, ""}, all},
		{[]string{"gcp", "--project", gcptest.Project, "alice@valid"}, valid},
		{[]string{"gcp", "--project", gcptest.Project, "--zone", "us-east1-b", ""}, nil},
		{[]string{"gcp", "--project", "another-project", ""}, nil},
		{[]string{"gcp", "--project", gcptest.Project, gcptest.VM, ""}, nil},
	} {
		got, directive := complete(t, env, tc.args...)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") || directive != ":4" {
			t.Errorf("%v: got %q %s, want %q :4", tc.args, got, directive, tc.want)
		}
	}
	if v := s.Violations(); len(v) > 0 {
		t.Errorf("completion sent requests that could change resources: %v", v)
	}

	delete(env, "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE")
	start := time.Now()
	got, directive := complete(t, env, "gcp", "--project", gcptest.Project, "")
	if len(got) != 0 || directive != ":4" || time.Since(start) > gcpCompletionTimeout {
		t.Errorf("without credentials: %q %s after %v", got, directive, time.Since(start))
	}
}
