//go:build linux

package fix_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// standInSystemctl writes a systemctl that records its argv and, for
// unit, answers MainPID with the lab sshd's PID and reloads as Debian's
// ssh.service does (ExecReload=/bin/kill -HUP $MAINPID); any other unit
// has MainPID 0. It returns the PATH to use and the record's path.
func standInSystemctl(t *testing.T, pidFile, unit string) (path, record string) {
	t.Helper()
	dir := t.TempDir()
	record = filepath.Join(dir, "argv")
	script := "#!/bin/sh\n" +
		"echo \"$*\" >> " + record + "\n" +
		"case \"$1\" in\n" +
		"show) if [ \"$4\" = \"" + unit + "\" ]; then cat " + pidFile + "; else echo 0; fi ;;\n" +
		"reload) [ \"$2\" = \"" + unit + "\" ] && exec kill -HUP \"$(cat " + pidFile + ")\"; exit 5 ;;\n" +
		"*) exit 1 ;;\n" +
		"esac\n"
	if err := os.WriteFile(filepath.Join(dir, "systemctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir + ":" + os.Getenv("PATH"), record
}

func recorded(t *testing.T, record string) string {
	t.Helper()
	b, err := os.ReadFile(record)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// sshd run by a service manager: the reload goes through it (systemctl
// reload UNIT), never a restart; undo reloads the same way. With no unit
// whose MainPID is this sshd, sshdoctor sends SIGHUP itself and never
// calls systemctl reload.
func TestLabFixServerReloadThroughServiceManager(t *testing.T) {
	for _, c := range []struct {
		unit, want string
	}{
		{"sshd.service", "show --property=MainPID --value ssh.service\nshow --property=MainPID --value sshd.service\nreload sshd.service\n"},
		{"other.service", "show --property=MainPID --value ssh.service\nshow --property=MainPID --value sshd.service\n"},
	} {
		t.Run(c.unit, func(t *testing.T) {
			s := newServerLab(t, lab.SSHDOptions{Config: "AllowUsers nobody-else"})
			path, record := standInSystemctl(t, filepath.Join(s.sshd.Dir, "sshd.pid"), c.unit)
			pid := s.sshd.Proc.Pid()
			if r := s.ssh(t); r.ExitCode != 255 {
				t.Fatalf("ssh before: %d", r.ExitCode)
			}
			r := s.doctorEnv(t, []string{"PATH=" + path}, "--yes")
			s.serverFixed(t, r, "server.allowusers")
			if got := recorded(t, record); got != c.want {
				t.Fatalf("systemctl was called with:\n%s\nwant:\n%s", got, c.want)
			}
			if s.sshd.Proc.Exited() || s.sshd.Proc.Pid() != pid {
				t.Fatal("sshd was restarted, not reloaded")
			}
			os.Remove(record)
			u := s.l.Server.RunEnv(t, []string{"HOME=" + s.home, "PATH=" + path}, lab.Binary(t), "fix", "--undo", undoID(r))
			if u.ExitCode != 0 {
				t.Fatalf("undo: exit %d %s %s", u.ExitCode, u.Stdout, u.Stderr)
			}
			if got := recorded(t, record); got != c.want {
				t.Fatalf("undo called systemctl with:\n%s\nwant:\n%s", got, c.want)
			}
			if res := s.ssh(t); res.ExitCode != 255 {
				t.Fatal("ssh works after undo")
			}
		})
	}
}

// A configuration that sshd -t rejects is never reloaded: here the host
// key is gone from disk (the running sshd still holds it in memory; a
// reload would re-execute sshd, which would exit and lock everyone out).
// The edit is put back at once, byte for byte, sshd keeps running with
// its old configuration, and the run says it failed.
func TestLabFixServerFailedValidationRestores(t *testing.T) {
	s := newServerLab(t, lab.SSHDOptions{Config: "AllowUsers nobody-else"})
	orig, _ := os.ReadFile(s.sshd.Config)
	pid := s.sshd.Proc.Pid()
	key := s.sshd.HostKeys[0]
	if err := os.Rename(key, key+".moved"); err != nil {
		t.Fatal(err)
	}
	r := s.doctor(t, "--yes")
	if r.ExitCode != 6 || len(r.Res.Applied) != 0 || !strings.Contains(r.Res.Error, "validation failed") ||
		r.Res.Plan.Empty() || r.Res.Plan.Steps[0].Code != "server.allowusers" {
		t.Fatalf("exit %d applied %v error %q plan %s\n%s", r.ExitCode, r.Res.Applied, r.Res.Error, planJSON(r.Res.Plan), r.Stderr)
	}
	if b, _ := os.ReadFile(s.sshd.Config); string(b) != string(orig) {
		t.Fatalf("config not restored:\n%s", b)
	}
	if s.sshd.Proc.Exited() || s.sshd.Proc.Pid() != pid {
		t.Fatal("sshd was reloaded or stopped")
	}
	if err := os.Rename(key+".moved", key); err != nil {
		t.Fatal(err)
	}
	if res := s.ssh(t); res.ExitCode != 255 || !strings.Contains(s.sshd.Log(), "not allowed because not listed in AllowUsers") {
		t.Fatalf("sshd no longer runs its old configuration: exit %d", res.ExitCode)
	}
}
