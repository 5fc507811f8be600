//go:build linux

package fix_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sshdoctor/sshdoctor/fix"
	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// ~/.ssh/config writable by others: ssh refuses every connection ("Bad
// owner or permissions"). As a real user (ssh reads the config of the
// password database's home, so the test cannot use a -F file), the fix
// makes the real ssh work, and undo brings ssh's refusal back.
func TestLabFixSSHConfigMode(t *testing.T) {
	c := newConfigLab(t, 0o666, false)
	c.modeCase(t)
}

// ~/.ssh/config owned by another account (a home copied from another
// machine): only root can give it back, so the step is printed with sudo,
// never attempted; the printed command makes the real ssh work and the
// printed undo brings the refusal back.
func TestLabFixSSHConfigOwner(t *testing.T) {
	c := newConfigLab(t, 0o644, true)
	c.ownerCase(t)
}

type configLab struct {
	l      *lab.Lab
	u      *lab.User
	cfg    string
	other  *lab.User
	as     func(args ...string) lab.Result
	ssh    func() lab.Result
	doctor func(lang string, extra ...string) fixRun
	mode   func() os.FileMode
}

func newConfigLab(t *testing.T, cfgMode os.FileMode, otherOwner bool) *configLab {
	lab.Require(t, "runuser")
	t.Parallel()
	l := lab.New(t)
	sshd := l.StartSSHD(t, lab.SSHDOptions{})
	u := lab.AddUser(t, lab.UserOptions{})
	dir := filepath.Join(u.Home, ".ssh")
	priv, pub := lab.NewKey(t, t.TempDir(), "ed25519")
	u.AuthorizeKey(t, pub)
	key := filepath.Join(dir, "id_ed25519")
	b, err := os.ReadFile(priv)
	if err != nil {
		t.Fatal(err)
	}
	write(t, key, string(b), 0o600)
	write(t, filepath.Join(dir, "known_hosts"), lab.ServerAddr+" "+sshd.HostKeyPub(t)+"\n", 0o600)
	cfg := filepath.Join(dir, "config")
	write(t, cfg, "Host *\n  IdentityFile "+key+"\n  IdentitiesOnly yes\n  BatchMode yes\n  ConnectTimeout 3\n", cfgMode)
	for _, p := range []string{key, filepath.Join(dir, "known_hosts"), cfg} {
		if err := os.Chown(p, u.UID, u.GID); err != nil {
			t.Fatal(err)
		}
	}
	var other *lab.User
	if otherOwner {
		other = lab.AddUser(t, lab.UserOptions{})
		if err := os.Chown(cfg, other.UID, other.GID); err != nil {
			t.Fatal(err)
		}
	}
	as := func(args ...string) lab.Result {
		return l.Client.RunEnv(t, []string{"SSH_AUTH_SOCK="}, "runuser", append([]string{"-u", u.Name, "--"}, args...)...)
	}
	ssh := func() lab.Result { return as("ssh", u.Name+"@"+lab.ServerAddr, "true") }
	doctor := func(lang string, extra ...string) fixRun {
		a := append([]string{lab.Binary(t), "--json", "--lang", lang, "check", "--timeout", "3s", "--fix"}, extra...)
		r := as(append(a, u.Name+"@"+lab.ServerAddr)...)
		fr := fixRun{Result: r}
		if err := json.Unmarshal([]byte(r.Stdout), &fr.Res); err != nil {
			t.Fatalf("check --fix: not JSON (%v)\nexit %d\n%s\n%s", err, r.ExitCode, r.Stdout, r.Stderr)
		}
		return fr
	}
	mode := func() os.FileMode {
		st, err := os.Stat(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	return &configLab{l: l, u: u, cfg: cfg, other: other, as: as, ssh: ssh, doctor: doctor, mode: mode}
}

func (c *configLab) modeCase(t *testing.T) {
	cfg, ssh, doctor, mode, as := c.cfg, c.ssh, c.doctor, c.mode, c.as
	if r := ssh(); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Bad owner or permissions on "+cfg) {
		t.Fatalf("real ssh before: exit %d %s", r.ExitCode, r.Stderr)
	}
	dry := doctor("en", "--dry-run")
	if dry.ExitCode != 1 || dry.Res.Consent != fix.ConsentDryRun || dry.Res.Plan.Empty() || mode() != 0o666 {
		t.Fatalf("dry run: exit %d plan %s\n%s", dry.ExitCode, planJSON(dry.Res.Plan), dry.Stderr)
	}
	if st := dry.Res.Plan.Steps[0]; st.Code != "perm.ssh_config" || st.Command != "chmod 0644 "+cfg || st.Undo != "chmod 0666 "+cfg {
		t.Fatalf("step %+v", st)
	}
	nt := doctor("ja")
	if nt.ExitCode != 5 || nt.Res.Consent != fix.ConsentNoTTY || !lab.HasJapanese(nt.Res.Plan.Steps[0].Why) || mode() != 0o666 {
		t.Fatalf("no terminal: exit %d consent %q why %q", nt.ExitCode, nt.Res.Consent, nt.Res.Plan.Steps[0].Why)
	}
	r := doctor("ja", "--yes")
	applied(t, r)
	if mode() != 0o644 {
		t.Fatalf("mode after the fix %v", mode())
	}
	if r := ssh(); r.ExitCode != 0 {
		t.Fatalf("real ssh after the fix: %s", r.Stderr)
	}
	if u := as(lab.Binary(t), "fix", "--undo", undoID(r)); u.ExitCode != 0 {
		t.Fatalf("undo: exit %d %s %s", u.ExitCode, u.Stdout, u.Stderr)
	}
	if mode() != 0o666 {
		t.Fatalf("mode after undo %v", mode())
	}
	if r := ssh(); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Bad owner or permissions") {
		t.Fatalf("real ssh after undo: exit %d %s", r.ExitCode, r.Stderr)
	}
}

func (c *configLab) ownerCase(t *testing.T) {
	if r := c.ssh(); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Bad owner or permissions on "+c.cfg) {
		t.Fatalf("real ssh before: exit %d %s", r.ExitCode, r.Stderr)
	}
	r := c.doctor("en", "--yes")
	want := fmt.Sprintf("sudo chown %d:%d %s", c.u.UID, c.u.GID, c.cfg)
	wantUndo := fmt.Sprintf("sudo chown %d:%d %s", c.other.UID, c.other.GID, c.cfg)
	if r.Res.Plan.Empty() || r.Res.Plan.Steps[0].Kind != fix.KindManual || r.Res.Plan.Steps[0].Command != want ||
		r.Res.Plan.Steps[0].Undo != wantUndo || len(r.Res.Applied) != 0 || r.ExitCode != 1 {
		t.Fatalf("--yes: exit %d applied %v plan %s\n%s", r.ExitCode, r.Res.Applied, planJSON(r.Res.Plan), r.Stderr)
	}
	if st, _ := os.Stat(c.cfg); st.Sys().(*syscall.Stat_t).Uid != uint32(c.other.UID) {
		t.Fatal("--yes changed the owner of a file only root may give away")
	}
	// The printed command, run as root, is the fix; the printed undo puts
	// the failure back.
	c.l.Client.MustRun(t, "sh", "-c", strings.TrimPrefix(want, "sudo "))
	if r := c.ssh(); r.ExitCode != 0 {
		t.Fatalf("real ssh after the printed fix: %s", r.Stderr)
	}
	c.l.Client.MustRun(t, "sh", "-c", strings.TrimPrefix(wantUndo, "sudo "))
	if r := c.ssh(); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Bad owner or permissions") {
		t.Fatalf("real ssh after the printed undo: exit %d %s", r.ExitCode, r.Stderr)
	}
}
