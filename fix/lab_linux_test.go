//go:build linux

package fix_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/fix"
	"github.com/sshdoctor/sshdoctor/internal/lab"
	"github.com/sshdoctor/sshdoctor/sshconfig"
)

func TestMain(m *testing.M) {
	code := m.Run()
	lab.Cleanup()
	os.Exit(code)
}

// fixLab is a real sshd with one account and one authorized key, and a
// client side in its own directory (HOME, ssh config, known_hosts).
type fixLab struct {
	lab  *lab.Lab
	sshd *lab.SSHD
	user *lab.User
	dir  string
	cfg  string
	kh   string
	priv string
	pub  string
	env  []string
	port int
}

func newFixLab(t *testing.T, o lab.SSHDOptions) *fixLab {
	t.Helper()
	lab.Require(t)
	l := lab.New(t)
	dir := t.TempDir()
	f := &fixLab{lab: l, dir: dir, cfg: filepath.Join(dir, "ssh_config"), kh: filepath.Join(dir, "known_hosts"),
		env: []string{"SSH_AUTH_SOCK=", "HOME=" + dir}, port: 22}
	if o.Port != 0 {
		f.port = o.Port
	}
	write(t, f.cfg, "Host *\n  UserKnownHostsFile "+f.kh+"\n  IdentitiesOnly yes\n  BatchMode yes\n", 0o600)
	f.sshd = l.StartSSHD(t, o)
	f.user = lab.AddUser(t, lab.UserOptions{})
	f.priv, f.pub = lab.NewKey(t, dir, "ed25519")
	f.user.AuthorizeKey(t, f.pub)
	write(t, f.kh, f.khName()+" "+f.sshd.HostKeyPub(t)+"\n", 0o600)
	return f
}

func (f *fixLab) khName() string {
	if f.port != 22 {
		return "[" + lab.ServerAddr + "]:" + strconv.Itoa(f.port)
	}
	return lab.ServerAddr
}

func (f *fixLab) dest() string {
	d := f.user.Name + "@" + lab.ServerAddr
	if f.port != 22 {
		d += ":" + strconv.Itoa(f.port)
	}
	return d
}

func write(t *testing.T, path, s string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// ssh runs the real ssh client with the lab's config, running `true`.
func (f *fixLab) ssh(t *testing.T, args ...string) lab.Result {
	t.Helper()
	a := []string{"-F", f.cfg, "-o", "ConnectTimeout=3"}
	if f.port != 22 {
		a = append(a, "-p", strconv.Itoa(f.port))
	}
	a = append(a, args...)
	a = append(a, f.user.Name+"@"+lab.ServerAddr, "true")
	return f.lab.Client.RunEnv(t, f.env, "ssh", a...)
}

// fixRun is one `sshdoctor check --fix …` run.
type fixRun struct {
	lab.Result
	Res fix.Result
}

// doctorFix runs sshdoctor check --fix with --json (decoding the result)
// in lang.
func (f *fixLab) doctorFix(t *testing.T, lang string, args ...string) fixRun {
	t.Helper()
	a := append([]string{"--json", "--lang", lang, "check", "-F", f.cfg, "--timeout", "3s", "--fix"}, args...)
	a = append(a, f.dest())
	r := f.lab.Client.RunEnv(t, f.env, lab.Binary(t), a...)
	fr := fixRun{Result: r}
	if err := json.Unmarshal([]byte(r.Stdout), &fr.Res); err != nil {
		t.Fatalf("sshdoctor %s: stdout is not one JSON object (%v)\nexit %d\nstdout: %s\nstderr: %s",
			strings.Join(a, " "), err, r.ExitCode, r.Stdout, r.Stderr)
	}
	return fr
}

// text runs sshdoctor check --fix for its text output.
func (f *fixLab) text(t *testing.T, lang string, args ...string) lab.Result {
	t.Helper()
	a := append([]string{"--lang", lang, "check", "-F", f.cfg, "--timeout", "3s", "--fix"}, args...)
	return f.lab.Client.RunEnv(t, f.env, lab.Binary(t), append(a, f.dest())...)
}

func (f *fixLab) undo(t *testing.T, id string) lab.Result {
	t.Helper()
	return f.lab.Client.RunEnv(t, f.env, lab.Binary(t), "fix", "--undo", id)
}

// snapshot is every file of the client directory with its mode, to prove
// that a run changed nothing.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	_ = filepath.Walk(dir, func(p string, st os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		data := []byte{}
		if st.Mode().IsRegular() {
			data, _ = os.ReadFile(p)
		}
		b.WriteString(p + " " + st.Mode().String() + " " + strconv.Itoa(len(data)) + " " + string(data) + "\n")
		return nil
	})
	return b.String()
}

// noChange runs the dry-run and the no-terminal runs and asserts they
// print the plan, change nothing, and exit as documented.
func noChange(t *testing.T, f *fixLab, code string, extra ...string) fixRun {
	t.Helper()
	before := snapshot(t, f.dir)
	dry := f.doctorFix(t, "en", append([]string{"--dry-run"}, extra...)...)
	if dry.ExitCode != 1 || dry.Res.Consent != fix.ConsentDryRun || len(dry.Res.Applied) != 0 || dry.Res.Plan.Empty() ||
		dry.Res.Plan.Steps[0].Code != code {
		t.Fatalf("dry run: exit %d consent %q plan %+v\n%s", dry.ExitCode, dry.Res.Consent, dry.Res.Plan, dry.Stderr)
	}
	if got := snapshot(t, f.dir); got != before {
		t.Fatalf("--dry-run changed files:\nbefore %s\nafter %s", before, got)
	}
	nt := f.doctorFix(t, "ja", extra...)
	if nt.ExitCode != 5 || nt.Res.Consent != fix.ConsentNoTTY || len(nt.Res.Applied) != 0 {
		t.Fatalf("no terminal: exit %d consent %q", nt.ExitCode, nt.Res.Consent)
	}
	if !lab.HasJapanese(nt.Res.Plan.Steps[0].Why) {
		t.Fatalf("--lang ja plan: %q", nt.Res.Plan.Steps[0].Why)
	}
	if got := snapshot(t, f.dir); got != before {
		t.Fatalf("a run without a terminal or --yes changed files")
	}
	return dry
}

// applied asserts a --yes run applied every step and re-checked ok.
func applied(t *testing.T, r fixRun) {
	t.Helper()
	if r.ExitCode != 0 || r.Res.Consent != fix.ConsentYes || len(r.Res.Applied) == 0 || r.Res.After == nil ||
		r.Res.After.Result != "ok" || r.Res.Before.Result != "problem" || !strings.HasPrefix(r.Res.Undo, "sshdoctor fix --undo ") {
		t.Fatalf("--yes: exit %d %+v\nplan %+v\nstdout %s\nstderr %s", r.ExitCode, r.Res, planJSON(r.Res.Plan), r.Stdout, r.Stderr)
	}
	if len(r.Res.Transitions) == 0 {
		t.Fatal("no before → after transitions")
	}
}

func undoID(r fixRun) string { return strings.TrimPrefix(r.Res.Undo, "sshdoctor fix --undo ") }

// A private key readable by others: ssh ignores it. chmod 600 makes the
// real ssh work; undo puts the old mode back and ssh fails again.
func TestLabFixKeyMode(t *testing.T) {
	t.Parallel()
	f := newFixLab(t, lab.SSHDOptions{})
	if err := os.Chmod(f.priv, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := f.ssh(t, "-i", f.priv); r.ExitCode == 0 || !strings.Contains(r.Stderr, "UNPROTECTED PRIVATE KEY FILE") {
		t.Fatalf("real ssh before: exit %d %s", r.ExitCode, r.Stderr)
	}
	dry := noChange(t, f, "perm.private_key_too_open", "-i", f.priv)
	if s := dry.Res.Plan.Steps[0]; s.Command != "chmod 0600 "+f.priv || s.Undo != "chmod 0644 "+f.priv {
		t.Fatalf("step %+v", s)
	}
	r := f.doctorFix(t, "en", "--yes", "-i", f.priv)
	applied(t, r)
	if st, _ := os.Stat(f.priv); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode after fix %v", st.Mode())
	}
	if r := f.ssh(t, "-i", f.priv); r.ExitCode != 0 {
		t.Fatalf("real ssh after fix: %s", r.Stderr)
	}
	if u := f.undo(t, undoID(r)); u.ExitCode != 0 {
		t.Fatalf("undo: exit %d %s %s", u.ExitCode, u.Stdout, u.Stderr)
	}
	if st, _ := os.Stat(f.priv); st.Mode().Perm() != 0o644 {
		t.Fatalf("mode after undo %v", st.Mode())
	}
	if r := f.ssh(t, "-i", f.priv); r.ExitCode == 0 {
		t.Fatal("real ssh works after undo")
	}
	// A second undo of the same backup is refused.
	if u := f.undo(t, undoID(r)); u.ExitCode != 6 || !strings.Contains(u.Stderr, "already undone") {
		t.Fatalf("second undo: exit %d %s", u.ExitCode, u.Stderr)
	}
}

// A changed host key recorded hashed under [host]:port: without
// --expect-fingerprint only that line goes (ssh then asks, so BatchMode
// still fails); with it, the new key is added hashed and ssh works.
func TestLabFixHostKeyChanged(t *testing.T) {
	t.Parallel()
	f := newFixLab(t, lab.SSHDOptions{Port: 2222})
	_, oldKey := lab.NewKey(t, f.dir, "ed25519")
	other := lab.ServerAddr + "-other " + f.sshd.HostKeyPub(t)
	salt := make([]byte, 20)
	rand.Read(salt)
	k := strings.Fields(oldKey)
	write(t, f.kh, "# kept\n"+sshconfig.HashName(f.khName(), salt)+" "+k[0]+" "+k[1]+"\n"+other+"\n", 0o600)
	orig, _ := os.ReadFile(f.kh)
	if r := f.ssh(t, "-i", f.priv); !strings.Contains(r.Stderr, "REMOTE HOST IDENTIFICATION HAS CHANGED") {
		t.Fatalf("real ssh before: %s", r.Stderr)
	}
	dry := noChange(t, f, "hostkey.changed", "-i", f.priv)
	st := dry.Res.Plan.Steps[0]
	newFP := fingerprint(t, f.sshd.HostKeyPub(t))
	if !strings.Contains(st.Warning, newFP) || !strings.Contains(st.Warning, fingerprint(t, oldKey)) ||
		!strings.Contains(st.Diff, "-|1|") || strings.Contains(st.Diff, "+|1|") {
		t.Fatalf("step %+v", st)
	}
	// An expected fingerprint the server does not show: nothing planned.
	bad := f.doctorFix(t, "en", "--yes", "--expect-fingerprint", fingerprint(t, oldKey), "-i", f.priv)
	if !bad.Res.Plan.Empty() || len(bad.Res.Plan.Notes) == 0 || !strings.Contains(bad.Res.Plan.Notes[0], "attack") {
		t.Fatalf("mismatching fingerprint: %+v", bad.Res.Plan)
	}
	if b, _ := os.ReadFile(f.kh); string(b) != string(orig) {
		t.Fatal("known_hosts changed with a mismatching fingerprint")
	}

	r := f.doctorFix(t, "en", "--yes", "--expect-fingerprint", newFP, "-i", f.priv)
	applied(t, r)
	got, _ := os.ReadFile(f.kh)
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(lines) != 3 || lines[0] != "# kept" || lines[1] != other || !strings.HasPrefix(lines[2], "|1|") ||
		!strings.Contains(lines[2], strings.Fields(f.sshd.HostKeyPub(t))[1]) {
		t.Fatalf("known_hosts after fix:\n%s\nplan %s", got, planJSON(r.Res.Plan))
	}
	if r := f.ssh(t, "-i", f.priv); r.ExitCode != 0 {
		t.Fatalf("real ssh after fix: %s", r.Stderr)
	}
	if u := f.undo(t, undoID(r)); u.ExitCode != 0 {
		t.Fatalf("undo: %s", u.Stderr)
	}
	if b, _ := os.ReadFile(f.kh); string(b) != string(orig) {
		t.Fatalf("known_hosts after undo:\n%s", b)
	}
	if r := f.ssh(t, "-i", f.priv); !strings.Contains(r.Stderr, "REMOTE HOST IDENTIFICATION HAS CHANGED") {
		t.Fatalf("real ssh after undo: %s", r.Stderr)
	}
	// Without --expect-fingerprint: the old line goes, nothing is added.
	r = f.doctorFix(t, "en", "--yes", "-i", f.priv)
	if len(r.Res.Applied) != 1 || r.Res.After == nil || r.Res.After.Diagnosis.Code != "hostkey.unknown" || r.ExitCode != 1 {
		t.Fatalf("remove only: exit %d after %+v", r.ExitCode, r.Res.After)
	}
	if b, _ := os.ReadFile(f.kh); string(b) != "# kept\n"+other+"\n" {
		t.Fatalf("known_hosts after removal:\n%s", b)
	}
}

// A server offering only CBC ciphers: a Host block scoped to this host
// enables just that cipher.
func TestLabFixLegacyCipher(t *testing.T) {
	t.Parallel()
	f := newFixLab(t, lab.SSHDOptions{Config: "Ciphers aes128-cbc,aes256-cbc\n"})
	orig, _ := os.ReadFile(f.cfg)
	if r := f.ssh(t, "-i", f.priv); !strings.Contains(r.Stderr, "no matching cipher found") {
		t.Fatalf("real ssh before: %s", r.Stderr)
	}
	dry := noChange(t, f, "kex.no_cipher", "-i", f.priv)
	if d := dry.Res.Plan.Steps[0].Diff; !strings.Contains(d, "+Host "+lab.ServerAddr+"\n+  Ciphers +aes") {
		t.Fatalf("diff:\n%s", d)
	}
	r := f.doctorFix(t, "en", "--yes", "-i", f.priv)
	applied(t, r)
	got, _ := os.ReadFile(f.cfg)
	if !strings.HasPrefix(string(got), "Host "+lab.ServerAddr+"\n  Ciphers +aes") || !strings.HasSuffix(string(got), string(orig)) {
		t.Fatalf("config after fix:\n%s", got)
	}
	if r := f.ssh(t, "-i", f.priv); r.ExitCode != 0 {
		t.Fatalf("real ssh after fix: %s", r.Stderr)
	}
	if u := f.undo(t, undoID(r)); u.ExitCode != 0 {
		t.Fatalf("undo: %s", u.Stderr)
	}
	if b, _ := os.ReadFile(f.cfg); string(b) != string(orig) {
		t.Fatalf("config after undo:\n%s", b)
	}
	if r := f.ssh(t, "-i", f.priv); !strings.Contains(r.Stderr, "no matching cipher found") {
		t.Fatalf("real ssh after undo: %s", r.Stderr)
	}
	// Text output in Japanese shows the plan, the diff and the re-check.
	txt := f.text(t, "ja", "--dry-run", "-i", f.priv)
	if !strings.Contains(txt.Stdout, "修正計画") || !strings.Contains(txt.Stdout, "+Host "+lab.ServerAddr) ||
		!strings.Contains(txt.Stdout, "--dry-run のため") {
		t.Fatalf("ja text:\n%s", txt.Stdout)
	}
}

// Three other keys in the agent before the accepted one and MaxAuthTries
// 3: the agent key's public half is saved and a Host block offers only it.
func TestLabFixTooManyAuthFailures(t *testing.T) {
	t.Parallel()
	f := newFixLab(t, lab.SSHDOptions{Config: "MaxAuthTries 3\n"})
	k1, _ := lab.NewKey(t, f.dir, "ed25519")
	k2, _ := lab.NewKey(t, f.dir, "ecdsa")
	k3, _ := lab.NewKey(t, f.dir, "ed25519")
	if err := os.MkdirAll(filepath.Join(f.dir, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	f.env = []string{"SSH_AUTH_SOCK=" + startAgent(t, f.dir, k1, k2, k3, f.priv), "HOME=" + f.dir}
	write(t, f.cfg, "Host *\n  UserKnownHostsFile "+f.kh+"\n  IdentityFile "+k1+"\n  BatchMode yes\n", 0o600)
	orig, _ := os.ReadFile(f.cfg)
	if r := f.ssh(t); !strings.Contains(r.Stderr, "Too many authentication failures") {
		t.Fatalf("real ssh before: %s", r.Stderr)
	}
	noChange(t, f, "auth.too_many_failures")
	r := f.doctorFix(t, "en", "--yes")
	applied(t, r)
	if r := f.ssh(t); r.ExitCode != 0 {
		t.Fatalf("real ssh after fix: %s", r.Stderr)
	}
	got, _ := os.ReadFile(f.cfg)
	if !strings.Contains(string(got), "  IdentitiesOnly yes\n  IdentityFile "+filepath.Join(f.dir, ".ssh")) {
		t.Fatalf("config after fix:\n%s", got)
	}
	if u := f.undo(t, undoID(r)); u.ExitCode != 0 {
		t.Fatalf("undo: %s", u.Stderr)
	}
	if b, _ := os.ReadFile(f.cfg); string(b) != string(orig) {
		t.Fatalf("config after undo:\n%s", b)
	}
	if r := f.ssh(t); !strings.Contains(r.Stderr, "Too many authentication failures") {
		t.Fatalf("real ssh after undo: %s", r.Stderr)
	}
}

func fingerprint(t *testing.T, pub string) string {
	t.Helper()
	cmd := exec.Command(lab.Tool(t, "ssh-keygen"), "-lf", "-")
	cmd.Stdin = strings.NewReader(pub + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ssh-keygen -lf: %v", err)
	}
	return strings.Fields(string(out))[1]
}

// startAgent runs a real ssh-agent with the keys loaded in order.
func startAgent(t *testing.T, dir string, keys ...string) string {
	t.Helper()
	sock := filepath.Join(dir, "agent.sock")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, lab.Tool(t, "ssh-agent"), "-D", "-a", sock)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ssh-agent did not create its socket")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, k := range keys {
		add := exec.Command(lab.Tool(t, "ssh-add"), k)
		add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("ssh-add %s: %v: %s", k, err, out)
		}
	}
	return sock
}

func planJSON(p *fix.Plan) string {
	b, _ := json.MarshalIndent(p, "", "  ")
	return string(b)
}
