//go:build linux

package fix_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/fix"
	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// serverLab is a real sshd with one account whose key the client holds;
// sshdoctor server runs in the server namespace with its own HOME (for
// its backups).
type serverLab struct {
	l    *lab.Lab
	sshd *lab.SSHD
	u    *lab.User
	priv string
	pub  string
	home string
}

func newServerLab(t *testing.T, o lab.SSHDOptions) *serverLab {
	t.Helper()
	lab.Require(t, "iptables", "iptables-save")
	t.Parallel()
	s := &serverLab{l: lab.New(t), home: t.TempDir()}
	s.u = lab.AddUser(t, lab.UserOptions{})
	s.priv, s.pub = lab.NewKey(t, t.TempDir(), "ed25519")
	s.u.AuthorizeKey(t, s.pub)
	s.sshd = s.l.StartSSHD(t, o)
	return s
}

func (s *serverLab) ssh(t *testing.T) lab.Result {
	t.Helper()
	return s.l.Client.Run(t, "ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-i", s.priv, "-o", "ConnectTimeout=3", "-p", strconv.Itoa(s.sshd.Port),
		s.u.Name+"@"+lab.ServerAddr, "true")
}

func (s *serverLab) doctor(t *testing.T, extra ...string) fixRun {
	t.Helper()
	return s.doctorEnv(t, nil, extra...)
}

// doctorEnv is doctor with extra environment variables.
func (s *serverLab) doctorEnv(t *testing.T, env []string, extra ...string) fixRun {
	t.Helper()
	args := append([]string{"--json", "server", "--user", s.u.Name, "--from", lab.ClientAddr, "--sshd-config", s.sshd.Config,
		"--log", s.sshd.LogFile, "--fix"}, extra...)
	r := s.l.Server.RunEnv(t, append([]string{"HOME=" + s.home, "SSH_CONNECTION="}, env...), lab.Binary(t), args...)
	fr := fixRun{Result: r}
	if err := json.Unmarshal([]byte(r.Stdout), &fr.Res); err != nil {
		t.Fatalf("server --fix: not JSON (%v)\nexit %d\n%s\n%s", err, r.ExitCode, r.Stdout, r.Stderr)
	}
	return fr
}

func (s *serverLab) undo(t *testing.T, r fixRun) {
	t.Helper()
	u := s.l.Server.RunEnv(t, []string{"HOME=" + s.home}, lab.Binary(t), "fix", "--undo", undoID(r))
	if u.ExitCode != 0 {
		t.Fatalf("undo: exit %d %s %s", u.ExitCode, u.Stdout, u.Stderr)
	}
}

// serverFixed asserts --yes applied and the re-check passed, and that the
// real ssh now logs in.
func (s *serverLab) serverFixed(t *testing.T, r fixRun, code string) {
	t.Helper()
	if r.ExitCode != 0 || r.Res.After == nil || r.Res.After.Result != "ok" || r.Res.Before.Diagnosis.Code != code ||
		len(r.Res.Applied) == 0 {
		t.Fatalf("--fix --yes: exit %d before %s after %+v\nplan %s\nstderr %s", r.ExitCode, r.Res.Before.Diagnosis.Code,
			r.Res.After, planJSON(r.Res.Plan), r.Stderr)
	}
	if res := s.ssh(t); res.ExitCode != 0 {
		t.Fatalf("real ssh after the fix: %s", res.Stderr)
	}
}

func TestLabFixServerStrictModes(t *testing.T) {
	s := newServerLab(t, lab.SSHDOptions{})
	dir := filepath.Join(s.u.Home, ".ssh")
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if r := s.ssh(t); r.ExitCode != 255 {
		t.Fatalf("ssh before: %d", r.ExitCode)
	}
	dry := s.doctor(t, "--dry-run")
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o777 || dry.ExitCode != 1 || dry.Res.Plan.Empty() ||
		dry.Res.Plan.Steps[0].Command != "chmod 0755 "+dir {
		t.Fatalf("dry run: exit %d plan %s", dry.ExitCode, planJSON(dry.Res.Plan))
	}
	r := s.doctor(t, "--yes")
	s.serverFixed(t, r, "server.strictmodes")
	s.undo(t, r)
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o777 {
		t.Fatalf("mode after undo %v", st.Mode())
	}
	if res := s.ssh(t); res.ExitCode != 255 {
		t.Fatal("ssh works after undo")
	}
}

// AllowUsers on the config's first line: the user is added on that very
// line, sshd -t passes, the running sshd is reloaded with SIGHUP (its PID
// stays: a reload, not a restart); undo puts the line back and reloads.
func TestLabFixServerAllowUsers(t *testing.T) {
	s := newServerLab(t, lab.SSHDOptions{Config: "AllowUsers nobody-else"})
	orig, _ := os.ReadFile(s.sshd.Config)
	pid := s.sshd.Proc.Pid()
	if r := s.ssh(t); r.ExitCode != 255 {
		t.Fatalf("ssh before: %d", r.ExitCode)
	}
	r := s.doctor(t, "--yes")
	s.serverFixed(t, r, "server.allowusers")
	if st := r.Res.Plan.Steps[0]; !strings.Contains(st.Diff, "-AllowUsers nobody-else\n+AllowUsers nobody-else "+s.u.Name+"\n") {
		t.Fatalf("diff:\n%s", st.Diff)
	}
	if s.sshd.Proc.Exited() || s.sshd.Proc.Pid() != pid {
		t.Fatal("sshd was restarted, not reloaded")
	}
	s.undo(t, r)
	if b, _ := os.ReadFile(s.sshd.Config); string(b) != string(orig) {
		t.Fatalf("config after undo:\n%s", b)
	}
	if res := s.ssh(t); res.ExitCode != 255 {
		t.Fatal("ssh works after undo")
	}
}

func TestLabFixServerFirewall(t *testing.T) {
	s := newServerLab(t, lab.SSHDOptions{})
	s.l.Server.MustRun(t, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP")
	if r := s.ssh(t); r.ExitCode != 255 {
		t.Fatalf("ssh before: %d", r.ExitCode)
	}
	r := s.doctor(t, "--yes")
	s.serverFixed(t, r, "server.firewall_blocks")
	s.undo(t, r)
	if res := s.ssh(t); res.ExitCode != 255 {
		t.Fatal("ssh works after undo")
	}
	if out := s.l.Server.MustRun(t, "iptables-save"); strings.Contains(out, "-j ACCEPT") {
		t.Fatalf("undo left a rule:\n%s", out)
	}
}

func TestLabFixServerInstallKey(t *testing.T) {
	s := newServerLab(t, lab.SSHDOptions{})
	ak := filepath.Join(s.u.Home, ".ssh", "authorized_keys")
	os.RemoveAll(filepath.Dir(ak))
	if r := s.ssh(t); r.ExitCode != 255 {
		t.Fatalf("ssh before: %d", r.ExitCode)
	}
	r := s.doctor(t, "--yes", "--key", s.priv+".pub")
	s.serverFixed(t, r, "server.authorized_keys_missing")
	st, err := os.Stat(ak)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("authorized_keys: %v %v", st, err)
	}
	s.undo(t, r)
	if _, err := os.Stat(filepath.Dir(ak)); err == nil {
		t.Fatal("~/.ssh created by the fix is still there after undo")
	}
	if res := s.ssh(t); res.ExitCode != 255 {
		t.Fatal("ssh works after undo")
	}
}

var _ = fix.KindEdit

// sshd stopped: the fix starts it with its own config (checked first with
// sshd -t); undo stops it through its PidFile.
func TestLabFixServerStartSSHD(t *testing.T) {
	s := newServerLab(t, lab.SSHDOptions{})
	s.sshd.Stop()
	pidFile := filepath.Join(s.sshd.Dir, "sshd.pid")
	t.Cleanup(func() {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, _ := strconv.Atoi(strings.TrimSpace(string(b))); pid > 1 {
				syscallKill(pid)
			}
		}
	})
	if r := s.ssh(t); r.ExitCode != 255 {
		t.Fatalf("ssh before: %d", r.ExitCode)
	}
	r := s.doctor(t, "--yes")
	s.serverFixed(t, r, "server.sshd_not_running")
	s.undo(t, r)
	deadline := time.Now().Add(5 * time.Second)
	for s.ssh(t).ExitCode == 0 {
		if time.Now().After(deadline) {
			t.Fatal("ssh still works after undo")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func syscallKill(pid int) { _ = syscall.Kill(pid, syscall.SIGTERM) }

// A host firewalled with nftables only (an inet table, no iptables
// rules): the fix inserts an accept rule at the top of the chain that
// drops and records its handle; undo deletes exactly that rule and leaves
// a rule added since in place.
func TestLabFixServerNftables(t *testing.T) {
	lab.Require(t, "nft")
	s := newServerLab(t, lab.SSHDOptions{})
	s.l.Server.MustRun(t, "nft", "add", "table", "inet", "sdfilter")
	s.l.Server.MustRun(t, "nft", "add", "chain", "inet", "sdfilter", "input", "{ type filter hook input priority 0 ; policy accept ; }")
	s.l.Server.MustRun(t, "nft", "add", "rule", "inet", "sdfilter", "input", "tcp", "dport", "22", "drop")
	if r := s.ssh(t); r.ExitCode != 255 {
		t.Fatalf("ssh before: %d", r.ExitCode)
	}
	ja := s.doctor(t, "--dry-run", "--lang", "ja")
	if ja.ExitCode != 1 || ja.Res.Before.Diagnosis.Code != "server.firewall_blocks" || ja.Res.Plan.Empty() ||
		ja.Res.Plan.Steps[0].Command != "nft --echo --handle insert rule inet sdfilter input ip saddr "+lab.ClientAddr+" tcp dport 22 accept" ||
		!lab.HasJapanese(ja.Res.Plan.Steps[0].Why) {
		t.Fatalf("dry run: exit %d %s plan %s\n%s", ja.ExitCode, ja.Res.Before.Diagnosis.Code, planJSON(ja.Res.Plan), ja.Stderr)
	}
	if res := s.ssh(t); res.ExitCode != 255 {
		t.Fatal("--dry-run opened the port")
	}
	r := s.doctor(t, "--yes")
	s.serverFixed(t, r, "server.firewall_blocks")
	listed := s.l.Server.MustRun(t, "nft", "-a", "list", "chain", "inet", "sdfilter", "input")
	_, handle, _ := strings.Cut(listed, "ip saddr "+lab.ClientAddr+" tcp dport 22 accept # handle ")
	handle, _, _ = strings.Cut(handle, "\n")
	if handle == "" || r.Res.Plan.Steps[0].Undo != "nft delete rule inet sdfilter input handle "+handle {
		t.Fatalf("chain after the fix:\n%s\nstep undo %q", listed, r.Res.Plan.Steps[0].Undo)
	}
	// A rule someone adds after the fix must survive the undo.
	s.l.Server.MustRun(t, "nft", "add", "rule", "inet", "sdfilter", "input", "tcp", "dport", "2999", "accept")
	s.undo(t, r)
	after := s.l.Server.MustRun(t, "nft", "list", "chain", "inet", "sdfilter", "input")
	if strings.Contains(after, "saddr") || !strings.Contains(after, "tcp dport 2999 accept") || !strings.Contains(after, "tcp dport 22 drop") {
		t.Fatalf("chain after undo:\n%s", after)
	}
	if res := s.ssh(t); res.ExitCode != 255 {
		t.Fatal("ssh works after undo")
	}
}
