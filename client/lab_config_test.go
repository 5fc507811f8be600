//go:build linux

package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// A config written for other OpenSSH builds: an option of Apple's ssh, one
// of a newer ssh, an algorithm this ssh lacks and an unset variable. ssh
// names every line before it stops, and so must the diagnosis; the printed
// fixes, applied, make the real ssh accept the file.
func TestLabConfigFromOtherOpenSSH(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	kh := filepath.Join(s.dir, "known_hosts")
	lines := []string{
		"Host *",
		"  UseKeychain yes",
		"  UserKnownHostsFile " + kh,
		"  KexAlgorithms mlkem768x25519-sha256,curve25519-sha256",
		"  Tag work",
		"  IdentityAgent ${SSHDOCTOR_UNSET_VAR}/agent.sock",
		"  BatchMode yes",
	}
	if err := os.WriteFile(s.cfgFile, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	real := s.realSSH(t, lab.ServerAddr, "true")
	for _, want := range []string{"line 2: Bad configuration option: usekeychain", "line 4: Bad SSH2 KexAlgorithms",
		"line 5: Bad configuration option: tag", "SSHDOCTOR_UNSET_VAR"} {
		if real.ExitCode != 255 || !strings.Contains(real.Stderr, want) {
			t.Fatalf("real ssh: exit %d, %q lacks %q", real.ExitCode, real.Stderr, want)
		}
	}
	d := s.doctor(t, lab.ServerAddr)
	expect(t, d, "config.unknown_option", 1)
	var ignore, kex string
	count := map[string]int{}
	for _, c := range d.Report.Checks {
		for _, f := range c.Findings {
			count[f.Code]++
			switch f.Code {
			case "config.unknown_option":
				ignore = f.Fixes[len(f.Fixes)-1].Command
				if strings.Contains(f.Title, "UseKeychain") && !strings.Contains(f.Evidence["known_by"], "Apple") {
					t.Errorf("UseKeychain: known_by %q", f.Evidence["known_by"])
				}
			case "config.unknown_algorithm":
				kex = f.Fixes[0].Command
				if f.Evidence["unknown_algorithm"] != "mlkem768x25519-sha256" || f.Evidence["location"] != s.cfgFile+":4" {
					t.Errorf("algorithm finding: %+v", f)
				}
			case "config.unset_variable":
				if !strings.Contains(f.Title, "${SSHDOCTOR_UNSET_VAR} is not set") || f.Evidence["location"] != s.cfgFile+":6" {
					t.Errorf("variable finding: %+v", f)
				}
			}
		}
	}
	if count["config.unknown_option"] != 2 || count["config.unknown_algorithm"] != 1 || count["config.unset_variable"] != 1 {
		t.Fatalf("findings %v\n%s", count, d.Stdout)
	}
	if ignore != "IgnoreUnknown UseKeychain,Tag" || kex != "KexAlgorithms curve25519-sha256" {
		t.Fatalf("fix commands %q, %q", ignore, kex)
	}
	// Apply the fixes as printed: the IgnoreUnknown line at the top, the
	// algorithm line replaced, the variable set.
	lines[3] = "  " + kex
	fixed := ignore + "\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(s.cfgFile, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	g := s.lab.Client.RunEnv(t, []string{"SSHDOCTOR_UNSET_VAR=" + s.dir, "HOME=" + s.dir}, "ssh", "-G", "-F", s.cfgFile, lab.ServerAddr)
	if g.ExitCode != 0 {
		t.Fatalf("ssh still rejects the fixed file: %s", g.Stderr)
	}
}

// UserKnownHostsFile with a quoted path holding a space, under
// StrictHostKeyChecking yes: the host key is found where ssh finds it.
func TestLabKnownHostsPathWithSpaces(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	sshd := s.lab.StartSSHD(t, lab.SSHDOptions{})
	u := lab.AddUser(t, lab.UserOptions{})
	priv, pub := lab.NewKey(t, s.dir, "ed25519")
	u.AuthorizeKey(t, pub)
	spaced := filepath.Join(s.dir, "my hosts", "known_hosts")
	if err := os.MkdirAll(filepath.Dir(spaced), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spaced, []byte(lab.ServerAddr+" "+sshd.HostKeyPub(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.cfgFile, []byte("Host *\n  UserKnownHostsFile \""+spaced+"\" # shared hosts\n"+
		"  StrictHostKeyChecking yes\n  IdentitiesOnly yes\n  BatchMode yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := s.realSSH(t, "-i", priv, u.Name+"@"+lab.ServerAddr, "true"); r.ExitCode != 0 {
		t.Fatalf("real ssh: %s", r.Stderr)
	}
	d := s.doctor(t, "-i", priv, u.Name+"@"+lab.ServerAddr)
	expect(t, d, "ok", 0)
}

// ${VAR} in ControlPath is expanded after the files are read: ssh names
// the variable but no line, and so does the finding, with a command that
// finds the lines.
func TestLabUnsetVariableInControlPath(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	if err := os.WriteFile(s.cfgFile, []byte("Host *\n  ControlMaster auto\n  ControlPath ${SSHDOCTOR_UNSET_RUNTIME}/ssh-%C\n  BatchMode yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	real := s.realSSH(t, lab.ServerAddr, "true")
	if real.ExitCode != 255 || !strings.Contains(real.Stderr, "${SSHDOCTOR_UNSET_RUNTIME} has no value") {
		t.Fatalf("real ssh: exit %d %q", real.ExitCode, real.Stderr)
	}
	d := s.doctor(t, lab.ServerAddr)
	expect(t, d, "config.unset_variable_unplaced", 1)
	fixHas(t, d, "grep -n -F '${SSHDOCTOR_UNSET_RUNTIME}' "+s.cfgFile)
}
