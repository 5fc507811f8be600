package winagent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func read(t *testing.T, n string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", n))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFromTextCaptured(t *testing.T) {
	f := FromText(read(t, "ssh_agent_1058.txt"))
	if len(f) != 1 || f[0].Code != "agent.windows_service_stopped" || f[0].Args["start"] != StartDisabled {
		t.Fatalf("1058: %+v", f)
	}
	f = FromText(read(t, "ssh_vvv_pipe_missing.txt"))
	if len(f) != 1 || f[0].Code != "agent.windows_pipe_missing" || f[0].Args["pipe"] != `\\.\pipe\ssh-pageant` {
		t.Fatalf("pipe: %+v", f)
	}
	if f := FromText("debug1: Connecting to host port 22.\n"); len(f) != 0 {
		t.Fatalf("unrelated text: %+v", f)
	}
}

func TestParseGetService(t *testing.T) {
	rows := ParseGetService(read(t, "get_service.txt"))
	if len(rows) != 2 || rows[0].Name != "ssh-agent" || rows[0].Status != "Running" || rows[1].Name != "sshd" {
		t.Fatalf("%+v", rows)
	}
	rows = ParseGetService(read(t, "get_service_agent.txt"))
	if len(rows) != 1 || rows[0].DisplayName != "OpenSSH Authentication Agent" {
		t.Fatalf("%+v", rows)
	}
}

func TestDiagnose(t *testing.T) {
	code := func(f Facts) string {
		var c []string
		for _, x := range Diagnose(f) {
			c = append(c, x.Code)
		}
		return strings.Join(c, ",")
	}
	pipes := []string{"InitShutdown", "lsass", "openssh-ssh-agent"}
	if c := code(Facts{Pipes: pipes}); c != "" {
		t.Errorf("agent there: %s", c)
	}
	// The socket another ssh-agent left (Win32-OpenSSH#1133).
	if c := code(Facts{SSHAuthSock: `C:\tmp\ssh-DEhw9URW70Jz\agent.24500`, Pipes: pipes}); c != "agent.windows_sock_not_pipe" {
		t.Errorf("sock not pipe: %s", c)
	}
	// Service installed disabled, Pageant running.
	f := Diagnose(Facts{Pipes: []string{"lsass", "pageant.alice.0123abcd"}, ServiceKnown: true, Installed: true, Start: StartDisabled})
	if len(f) != 1 || f[0].Code != "agent.windows_service_stopped" || len(f[0].Fixes) != 2 || !strings.Contains(f[0].Fixes[1].Command, "pageant --openssh-config") {
		t.Errorf("disabled + pageant: %+v", f)
	}
	if c := code(Facts{Pipes: []string{"lsass"}, ServiceKnown: true}); c != "agent.windows_service_missing" {
		t.Errorf("missing: %s", c)
	}
	// Pipes not listed: nothing is claimed.
	if c := code(Facts{}); c != "" {
		t.Errorf("nothing known: %s", c)
	}
	// git with its bundled ssh while keys are in the Windows agent.
	g := WhichGitSSH(func(string) string { return "" }, "", `C:\Program Files\Git\cmd\git.exe`)
	if g.Command != `C:\Program Files\Git\usr\bin\ssh.exe` || g.Kind != KindGitBundled {
		t.Fatalf("git default: %+v", g)
	}
	if c := code(Facts{Pipes: pipes, Git: g}); c != "agent.git_uses_other_ssh" {
		t.Errorf("git: %s", c)
	}
	g = WhichGitSSH(func(string) string { return "" }, "C:/Windows/System32/OpenSSH/ssh.exe\n", `C:\Program Files\Git\cmd\git.exe`)
	if g.Kind != KindWindowsOpenSSH || g.Source != "core.sshCommand" || code(Facts{Pipes: pipes, Git: g}) != "" {
		t.Errorf("git configured: %+v", g)
	}
	env := map[string]string{"GIT_SSH": `C:\Program Files\PuTTY\plink.exe`}
	if g := WhichGitSSH(func(k string) string { return env[k] }, "", ""); g.Kind != KindPlink || g.Source != "GIT_SSH" {
		t.Errorf("plink: %+v", g)
	}
}

func FuzzFromText(f *testing.F) {
	for _, n := range []string{"ssh_agent_1058.txt", "ssh_vvv_pipe_missing.txt", "get_service.txt"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, x := range FromText(s) {
			if x.Code == "" || len(x.Fixes) == 0 {
				t.Fatalf("finding without code or fix: %+v", x)
			}
		}
		ParseGetService(s)
	})
}
