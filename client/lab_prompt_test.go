//go:build linux

package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// askpass is a program ssh runs instead of prompting at a terminal: it
// records the prompt and gives no answer, so a test sees that ssh would
// prompt, and what for, without any password being typed or sent.
func askpass(t *testing.T, dir string) (env []string, prompts string) {
	t.Helper()
	prompts = filepath.Join(dir, "prompts")
	script := filepath.Join(dir, "askpass")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$*\" >> "+prompts+"\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{"SSH_ASKPASS=" + script, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0"}, prompts
}

// Servers that accept no key, only a prompt. With BatchMode (the lab's
// config) ssh fails and that is the diagnosis; without it ssh would prompt,
// which is a warning, the login is not tested, and nothing crashes. The
// real ssh shows both: Permission denied in batch mode, and a prompt
// (answered by nobody) without it.
func TestLabAuthPromptOnly(t *testing.T) {
	cases := []struct {
		name, config, code, methods, prompt string
	}{
		{"password", "PubkeyAuthentication no\nPasswordAuthentication yes\nUsePAM no\n", "auth.password_only", "password", "password:"},
		// No PAM: sshd's own keyboard-interactive devices (none on Linux)
		// still advertise the method; the prompt comes from PAM when it is on.
		{"kbdint-pam", "PubkeyAuthentication no\nKbdInteractiveAuthentication yes\n", "auth.kbdint_only", "keyboard-interactive", "Password"},
		{"both", "PubkeyAuthentication no\nPasswordAuthentication yes\nKbdInteractiveAuthentication yes\n", "auth.password_or_kbdint_only", "", "assword"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := newAuthLab(t, lab.SSHDOptions{Config: c.config}, lab.UserOptions{})
			// A password, so that PAM asks for it (no one will type it).
			if out, err := lab.Chpasswd(a.user.Name, "lab-"+a.user.Name); err != nil {
				t.Fatalf("chpasswd: %v %s", err, out)
			}
			d := a.run(t, "-i", a.priv, a.dest())
			expect(t, d, c.code, 1)
			methods := evidence(t, d, c.code, "server_methods")
			if c.methods != "" && methods != c.methods {
				t.Fatalf("server methods %q, want %q", methods, c.methods)
			}
			if strings.Contains(methods, "publickey") {
				t.Fatalf("methods %q", methods)
			}
			if strings.Contains(methods, "keyboard-interactive") {
				mustContain(t, "prompt", evidence(t, d, c.code, "server_asks"), "Password")
			}
			mustContain(t, "key if publickey", evidence(t, d, c.code, "key_if_publickey_enabled"), fingerprint(t, a.pub))
			fixHas(t, d, "PubkeyAuthentication yes")
			fixHas(t, d, "ssh-copy-id -i "+a.priv+".pub")
			// The sshd -T spec names this connection, not a placeholder.
			fixHas(t, d, "addr="+lab.ClientAddr+",laddr="+lab.ServerAddr+",lport=22")
			// "none", and keyboard-interactive opened and never answered.
			want := 1
			if strings.Contains(methods, "keyboard-interactive") {
				want = 2
			}
			if st := d.Report.Stats; st.AuthAttempts != want {
				t.Fatalf("auth attempts %+v, want %d", st, want)
			}
			r := a.ssh(t, "-i", a.priv, a.dest())
			if r.ExitCode != 255 || !strings.Contains(r.Stderr, "Permission denied ("+methods+")") {
				t.Fatalf("real ssh in batch mode: exit %d %q", r.ExitCode, r.Stderr)
			}

			// Without BatchMode: a warning, no crash, login not tested.
			d = a.run(t, "-o", "BatchMode=no", "-i", a.priv, a.dest())
			if d.ExitCode != 0 || d.Report.Result != "ok" {
				t.Fatalf("without BatchMode: exit %d result %s\n%s\n%s", d.ExitCode, d.Report.Result, d.Stdout, d.Stderr)
			}
			if f := d.Finding(c.code); f == nil || f.Severity != "warning" {
				t.Fatalf("want a %s warning: %+v", c.code, f)
			}
			if d.Finding("internal.check_failed") != nil || d.Finding("session.password_not_sent") == nil {
				t.Fatalf("login check:\n%s", d.Stdout)
			}
			env, prompts := askpass(t, a.dir)
			r = a.lab.Client.RunEnv(t, append(env, a.env...), "ssh", "-F", a.cfgFile, "-o", "BatchMode=no",
				"-o", "NumberOfPasswordPrompts=1", "-i", a.priv, a.dest(), "true")
			got, _ := os.ReadFile(prompts)
			if r.ExitCode == 0 || !strings.Contains(string(got), c.prompt) {
				t.Fatalf("real ssh without BatchMode should prompt %q: exit %d prompts %q stderr %q", c.prompt, r.ExitCode, got, r.Stderr)
			}
		})
	}
}

// keyboard-interactive without PAM: sshd lists the method but has nothing
// to ask, so ssh fails even with a person at the keyboard. sshdoctor opens
// keyboard-interactive, sees the failure without a prompt, and says so.
func TestLabAuthKbdInteractiveWithoutPAM(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{Config: "PubkeyAuthentication no\nKbdInteractiveAuthentication yes\nUsePAM no\n"}, lab.UserOptions{})
	for _, batch := range []string{"yes", "no"} {
		d := a.run(t, "-o", "BatchMode="+batch, "-i", a.priv, a.dest())
		expect(t, d, "auth.kbdint_no_prompt", 1)
		if got := evidence(t, d, "auth.kbdint_no_prompt", "server_methods"); got != "keyboard-interactive" {
			t.Fatalf("methods %q", got)
		}
		fixHas(t, d, "usepam")
	}
	env, prompts := askpass(t, a.dir)
	r := a.lab.Client.RunEnv(t, append(env, a.env...), "ssh", "-F", a.cfgFile, "-o", "BatchMode=no",
		"-i", a.priv, a.dest(), "true")
	got, _ := os.ReadFile(prompts)
	if r.ExitCode != 255 || len(got) != 0 || !strings.Contains(r.Stderr, "Permission denied (keyboard-interactive)") {
		t.Fatalf("real ssh: exit %d prompts %q stderr %q", r.ExitCode, got, r.Stderr)
	}
}
