//go:build linux

package client_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// The text a person reads, in both languages, for the commonest failures:
// golden files under testdata/golden (SSHDOCTOR_UPDATE_GOLDEN=1 rewrites).
func TestGoldenText(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, s *scenario) (args []string, repl map[string]string)
	}{
		{"refused", func(t *testing.T, s *scenario) ([]string, map[string]string) {
			return []string{"-p", "2222", "alice@" + lab.ServerAddr}, nil
		}},
		{"publickey_denied", func(t *testing.T, s *scenario) ([]string, map[string]string) {
			sshd := s.lab.StartSSHD(t, lab.SSHDOptions{})
			u := lab.AddUser(t, lab.UserOptions{})
			priv, _ := lab.NewKey(t, s.dir, "ed25519")
			if err := os.WriteFile(filepath.Join(s.dir, "known_hosts"), []byte(lab.ServerAddr+" "+sshd.HostKeyPub(t)+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{"-i", priv, u.Name + "@" + lab.ServerAddr}, map[string]string{u.Name: "USER", priv: "KEY"}
		}},
		{"hostkey_changed", func(t *testing.T, s *scenario) ([]string, map[string]string) {
			s.lab.StartSSHD(t, lab.SSHDOptions{})
			_, other := lab.NewKey(t, s.dir, "ed25519")
			if err := os.WriteFile(filepath.Join(s.dir, "known_hosts"), []byte(lab.ServerAddr+" "+other+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{"alice@" + lab.ServerAddr}, nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t)
			args, repl := c.setup(t, s)
			if repl == nil {
				repl = map[string]string{}
			}
			repl[s.dir] = "DIR"
			bin := lab.Binary(t)
			for _, lang := range []string{"en", "ja"} {
				r := s.lab.Client.RunEnv(t, []string{"SSH_AUTH_SOCK=", "HOME=" + s.dir, "NO_COLOR=1"}, bin,
					append([]string{"--lang", lang, "check", "-F", s.cfgFile, "--timeout", "2s"}, args...)...)
				if r.ExitCode != 1 {
					t.Fatalf("%s: exit %d: %s %s", lang, r.ExitCode, r.Stdout, r.Stderr)
				}
				got := lab.Normalize(r.Stdout, repl)
				lab.Golden(t, filepath.Join("testdata", "golden", c.name+"."+lang+".txt"), []byte(got))
			}
		})
	}
}
