//go:build linux

package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// githubReply is what GitHub prints to `ssh -T git@github.com` (stderr,
// exit status 1), as its documentation shows it.
const githubReply = "Hi alice! You've successfully authenticated, but GitHub does not provide shell access."

// forgeCommand makes a real sshd behave as a git service: every login as
// git gets the service's reply and exit status 1.
func forgeCommand(reply string) string {
	return "Match User git\n  ForceCommand echo \"" + reply + "\" >&2; exit 1\n"
}

// A git service stand-in reached under its real name, which the lab's own
// DNS maps to the lab server (nothing leaves the namespaces). The account
// "git" exists once per run, so the cases run in sequence.
func TestLabForge(t *testing.T) {
	lab.Require(t, "dnsmasq")
	s := newScenario(t)
	git := lab.AddUser(t, lab.UserOptions{Name: "git"})
	other := lab.AddUser(t, lab.UserOptions{})
	priv, pub := lab.NewKey(t, s.dir, "ed25519")
	stranger, strangerPub := lab.NewKey(t, s.dir, "ed25519")
	git.AuthorizeKey(t, pub)
	other.AuthorizeKey(t, strangerPub) // a service never lets another name in
	sshd := s.lab.StartSSHD(t, lab.SSHDOptions{Match: forgeCommand(githubReply)})
	s.lab.Server.StartDNS(t, map[string]string{"github.com": lab.ServerAddr, "ssh.github.com": lab.ServerAddr})
	s.lab.Client.SetResolver(t, lab.ServerAddr)
	hk := sshd.HostKeyPub(t)
	if err := os.WriteFile(filepath.Join(s.dir, "known_hosts"), []byte("github.com "+hk+"\n"+lab.ServerAddr+" "+hk+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) lab.Doctor {
		return s.lab.Client.RunDoctorEnv(t, []string{"SSH_AUTH_SOCK=", "HOME=" + s.dir},
			append([]string{"check", "-F", s.cfgFile, "--timeout", "3s"}, args...)...)
	}

	t.Run("authenticated-no-shell", func(t *testing.T) {
		d := run("-i", priv, "git@github.com")
		expect(t, d, "ok", 0)
		f := d.Finding("session.forge_no_shell")
		if f == nil || !strings.Contains(f.Evidence["stderr"], "does not provide shell access") || f.Evidence["exit_status"] != "1" {
			t.Fatalf("forge finding: %+v\n%s", f, d.Stdout)
		}
		mustContain(t, "title", f.Title, "GitHub")
		r := s.realSSH(t, "-T", "-i", priv, "git@github.com")
		if r.ExitCode != 1 || !strings.Contains(r.Stderr, githubReply) {
			t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
		}
	})
	t.Run("by-reply", func(t *testing.T) {
		// An address, no forge name: the reply alone says it is one.
		d := run("-i", priv, "git@"+lab.ServerAddr)
		expect(t, d, "ok", 0)
		if d.Finding("session.forge_no_shell") == nil {
			t.Fatalf("not recognised by its reply:\n%s", d.Stdout)
		}
	})
	t.Run("wrong-user", func(t *testing.T) {
		d := run("-i", priv, other.Name+"@github.com")
		expect(t, d, "auth.forge_user", 1)
		fixHas(t, d, "ssh -T git@github.com")
		fixHas(t, d, "User git")
		if r := s.realSSH(t, "-T", "-i", priv, other.Name+"@github.com"); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Permission denied (publickey)") {
			t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
		}
	})
	t.Run("narrowed-ciphers", func(t *testing.T) {
		// An old habit in the person's own config: only CBC ciphers. The
		// service is not theirs to change, so no server-side fix.
		cfg, err := os.ReadFile(s.cfgFile)
		if err != nil {
			t.Fatal(err)
		}
		narrow := filepath.Join(s.dir, "narrow_config")
		if err := os.WriteFile(narrow, append(cfg, "  Ciphers aes128-cbc\n"...), 0o600); err != nil {
			t.Fatal(err)
		}
		d := s.lab.Client.RunDoctorEnv(t, []string{"SSH_AUTH_SOCK=", "HOME=" + s.dir},
			"check", "-F", narrow, "--timeout", "3s", "-i", priv, "git@github.com")
		expect(t, d, "kex.no_cipher", 1)
		fixHas(t, d, "ssh -G -F "+narrow)
		for _, f := range d.Report.Diagnosis.Fixes {
			if strings.Contains(f.Command, "sudo") || strings.HasPrefix(f.Description, "On the server") || strings.HasPrefix(f.Description, "Upgrade the server") {
				t.Fatalf("a server-side fix for a service the user does not run: %+v", f)
			}
		}
		r := s.lab.Client.RunEnv(t, []string{"SSH_AUTH_SOCK=", "HOME=" + s.dir}, "ssh", "-F", narrow, "-o", "ConnectTimeout=3", "-T", "-i", priv, "git@github.com")
		if r.ExitCode != 255 || !strings.Contains(r.Stderr, "no matching cipher found") {
			t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
		}
	})
	t.Run("key-not-on-account", func(t *testing.T) {
		d := run("-i", stranger, "git@github.com")
		expect(t, d, "auth.forge_key_unknown", 1)
		mustContain(t, "keys", evidence(t, d, "auth.forge_key_unknown", "keys"), fingerprint(t, strangerPub))
		mustContain(t, "where", evidence(t, d, "auth.forge_key_unknown", "add_keys_at"), "https://github.com/settings/keys")
		fixHas(t, d, "cat "+stranger+".pub")
		for _, f := range d.Report.Diagnosis.Fixes {
			if strings.Contains(f.Command, "sudo") {
				t.Fatalf("a server-side fix for a service the user does not run: %+v", f)
			}
		}
		if r := s.realSSH(t, "-T", "-i", stranger, "git@github.com"); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Permission denied (publickey)") {
			t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
		}
	})
}

// Port 22 to the service is closed; its SSH endpoint on port 443 answers.
// The diagnosis gives the config block, and the real ssh with that block
// reaches the service.
func TestLabForgePort22Blocked(t *testing.T) {
	lab.Require(t, "dnsmasq")
	t.Parallel()
	s := newScenario(t)
	sshd := s.lab.StartSSHD(t, lab.SSHDOptions{Port: 443})
	s.lab.Server.StartDNS(t, map[string]string{"github.com": lab.ServerAddr, "ssh.github.com": lab.ServerAddr})
	s.lab.Client.SetResolver(t, lab.ServerAddr)
	d := s.doctor(t, "git@github.com")
	expect(t, d, "tcp.refused", 1)
	mustContain(t, "443", evidence(t, d, "tcp.refused", "ssh_over_443"), "ssh.github.com:443: SSH-2.0-OpenSSH")
	block := "Host github.com\n  HostName ssh.github.com\n  Port 443\n  User git"
	fixHas(t, d, block)
	for _, f := range d.Report.Diagnosis.Fixes {
		if strings.Contains(f.Command, "sudo") {
			t.Fatalf("server-side fix for a forge: %+v", f)
		}
	}
	if r := s.realSSH(t, "git@github.com", "true"); !strings.Contains(r.Stderr, "Connection refused") {
		t.Fatalf("real ssh on port 22: %q", r.Stderr)
	}
	// The block works for the real ssh (it reaches the server's sshd on 443).
	cfg, _ := os.ReadFile(s.cfgFile)
	if err := os.WriteFile(s.cfgFile, append([]byte(block+"\n"), cfg...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "known_hosts"), []byte("[ssh.github.com]:443 "+sshd.HostKeyPub(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := s.realSSH(t, "github.com", "true"); !strings.Contains(r.Stderr, "Permission denied (publickey)") {
		t.Fatalf("real ssh through the 443 block should reach sshd: %q", r.Stderr)
	}
}
