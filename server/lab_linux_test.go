//go:build linux

package server_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lab"
	"github.com/sshdoctor/sshdoctor/report"
)

func TestMain(m *testing.M) {
	code := m.Run()
	lab.Cleanup()
	os.Exit(code)
}

// scenario is one lab setup: a user with a key, an sshd, and the fault.
type scenario struct {
	t    *testing.T
	l    *lab.Lab
	u    *lab.User
	priv string
	pub  string
	sshd *lab.SSHD
}

func newScenario(t *testing.T, uo lab.UserOptions) *scenario {
	t.Helper()
	lab.Require(t, "iptables", "iptables-save", "nft")
	t.Parallel()
	s := &scenario{t: t, l: lab.New(t)}
	s.u = lab.AddUser(t, uo)
	s.priv, s.pub = lab.NewKey(t, t.TempDir(), "ed25519")
	s.u.AuthorizeKey(t, s.pub)
	return s
}

func (s *scenario) start(o lab.SSHDOptions) {
	s.t.Helper()
	s.sshd = s.l.StartSSHD(s.t, o)
}

// ssh logs in from the client namespace with the user's key and runs cmd.
func (s *scenario) ssh(user string, cmd ...string) lab.Result {
	s.t.Helper()
	port := 22
	if s.sshd != nil {
		port = s.sshd.Port
	}
	args := []string{"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-i", s.priv, "-o", "ConnectTimeout=4", "-p", strconv.Itoa(port), user + "@" + lab.ServerAddr}
	return s.l.Client.Run(s.t, "ssh", append(args, cmd...)...)
}

// doctor runs `sshdoctor server` in the server namespace against the lab's
// sshd.
func (s *scenario) doctor(user string, extra ...string) lab.Doctor {
	s.t.Helper()
	args := []string{"server", "--user", user, "--from", lab.ClientAddr, "--sshd-config", s.sshd.Config, "--log", s.sshd.LogFile}
	return s.l.Server.RunDoctor(s.t, append(args, extra...)...)
}

// expect asserts the diagnosis code and exit code, printing the report on
// failure.
func expect(t *testing.T, d lab.Doctor, code string, exit int) {
	t.Helper()
	for _, u := range unfilled(&d.Report) {
		t.Errorf("placeholder left unfilled: %s", u)
	}
	if d.Report.Diagnosis.Code != code || d.ExitCode != exit {
		t.Fatalf("diagnosis %q exit %d, want %q exit %d\n%s\nstderr: %s", d.Report.Diagnosis.Code, d.ExitCode, code, exit, summarize(&d.Report), d.Stderr)
	}
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// unfilled lists rendered texts that still show a {placeholder}: a finding
// missing an argument its catalog text needs.
func unfilled(r *report.Report) []string {
	var out []string
	chk := func(s string) {
		if placeholder.MatchString(s) {
			out = append(out, s)
		}
	}
	chk(r.Diagnosis.Title)
	chk(r.Diagnosis.Explanation)
	for _, c := range r.Checks {
		for _, f := range c.Findings {
			chk(f.Title)
			chk(f.Explanation)
			for _, x := range f.Fixes {
				chk(x.Description)
			}
		}
	}
	return out
}

func summarize(r *report.Report) string {
	var b strings.Builder
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "%-26s %s %s\n", c.Name, c.Status, c.SkippedFor)
		for _, f := range c.Findings {
			fmt.Fprintf(&b, "    %s [%s] %s\n", f.Code, f.Severity, f.Title)
			for k, v := range f.Evidence {
				fmt.Fprintf(&b, "        %s: %s\n", k, v)
			}
			for _, x := range f.Fixes {
				fmt.Fprintf(&b, "        fix: %s: %s\n", x.Description, x.Command)
			}
		}
	}
	return b.String()
}

// fixCommand returns the command of the diagnosis' first fix.
func fixCommand(d lab.Doctor) string {
	if len(d.Report.Diagnosis.Fixes) == 0 {
		return ""
	}
	return d.Report.Diagnosis.Fixes[0].Command
}

func mustRun(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
}

func TestLabHealthy(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	if r := s.ssh(s.u.Name, "echo", "hello"); r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "hello" {
		t.Fatalf("healthy ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name, "--key", s.priv+".pub")
	expect(t, d, "ok", 0)
	if f := d.Finding("server.key_authorized"); f == nil || !strings.HasSuffix(f.Title, "line 1") {
		t.Errorf("key_authorized finding: %+v", f)
	}
	if f := d.Finding("server.listening"); f == nil || !strings.Contains(f.Title, lab.ServerAddr+":22") && !strings.Contains(f.Title, "0.0.0.0:22") {
		t.Errorf("listening finding: %+v", f)
	}
	if f := d.Finding("server.log_summary"); f == nil || !strings.Contains(f.Title, "1 accepted") {
		t.Errorf("log summary: %+v", f)
	}
}

func TestLabSSHDir777(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	dir := filepath.Join(s.u.Home, ".ssh")
	mustRun(t, "chmod", "0777", dir)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Permission denied") {
		t.Fatalf("ssh with ~/.ssh 0777: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.strictmodes", 1)
	f := d.Finding("server.strictmodes")
	if !strings.Contains(f.Title, dir) || fixCommand(d) != "sudo chmod go-w "+dir {
		t.Fatalf("strictmodes finding %q fix %q", f.Title, fixCommand(d))
	}
	// The fix is exact: applying it makes ssh work.
	mustRun(t, "chmod", "go-w", dir)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
		t.Fatalf("after the fix: exit %d %s", r.ExitCode, r.Stderr)
	}
}

func TestLabHomeWorldWritable(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	mustRun(t, "chmod", "o+w", s.u.Home)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh with world-writable home: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.strictmodes", 1)
	if f := d.Finding("server.strictmodes"); !strings.HasSuffix(f.Title, s.u.Home) {
		t.Fatalf("strictmodes names %q, want the home %s", f.Title, s.u.Home)
	}
}

// Debian's sshd accepts a group-writable home when the group is the
// user's private group; the check must agree with the real sshd.
func TestLabHomeGroupWritableDebian(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	mustRun(t, "chmod", "g+w", s.u.Home)
	r := s.ssh(s.u.Name, "true")
	d := s.doctor(s.u.Name)
	if b, _ := os.ReadFile(lab.Tool(t, "sshd")); strings.Contains(string(b), " Debian-") && r.ExitCode != 0 {
		t.Fatalf("Debian's sshd refused a group-writable home of a private group: %s", r.Stderr)
	}
	if r.ExitCode == 0 {
		expect(t, d, "ok", 0)
	} else {
		expect(t, d, "server.strictmodes", 1)
	}
}

func TestLabAuthorizedKeysOtherOwner(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	other := lab.AddUser(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	ak := filepath.Join(s.u.Home, ".ssh", "authorized_keys")
	mustRun(t, "chown", other.Name, ak)
	mustRun(t, "chmod", "0644", ak)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.strictmodes", 1)
	if fixCommand(d) != "sudo chown "+s.u.Name+": "+ak {
		t.Fatalf("fix %q", fixCommand(d))
	}
	// Mode 0600 owned by someone else: sshd cannot even open it as the user.
	mustRun(t, "chmod", "0600", ak)
	d = s.doctor(s.u.Name)
	expect(t, d, "server.authkeys_unreadable", 1)
}

func TestLabMalformedKeyLine(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	// The key split across two lines, as a careless paste leaves it.
	f := strings.Fields(s.pub)
	s.u.AuthorizeKey(t, f[0]+" "+f[1][:30], f[1][30:]+" "+f[2])
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.authorized_keys_invalid", 1)
	if got := d.Finding("server.authorized_keys_invalid").Title; !strings.Contains(got, "line 1") {
		t.Fatalf("title %q", got)
	}
}

func TestLabAllowUsers(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{Config: "AllowUsers nobody-else"})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.allowusers", 1)
	want := fmt.Sprintf("sudo sed -i '1s/$/ %s/' %s", s.u.Name, s.sshd.Config)
	if !strings.HasPrefix(fixCommand(d), want) {
		t.Fatalf("fix %q, want prefix %q", fixCommand(d), want)
	}
}

func TestLabDenyUsers(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{Config: "DenyUsers " + "sdu*"})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	expect(t, s.doctor(s.u.Name), "server.denyusers", 1)
}

func TestLabPubkeyAlgorithmRejected(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{Config: "PubkeyAcceptedAlgorithms rsa-sha2-512,rsa-sha2-256"})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.pubkey_alg_rejected", 1)
	if !strings.Contains(d.Report.Diagnosis.Title, "ssh-ed25519") {
		t.Fatalf("title %q", d.Report.Diagnosis.Title)
	}
}

func TestLabNologinShell(t *testing.T) {
	s := newScenario(t, lab.UserOptions{Shell: "/usr/sbin/nologin"})
	s.start(lab.SSHDOptions{})
	r := s.ssh(s.u.Name, "true")
	if r.ExitCode != 1 || !strings.Contains(r.Stdout+r.Stderr, "This account is currently not available") {
		t.Fatalf("ssh: exit %d %s %s", r.ExitCode, r.Stdout, r.Stderr)
	}
	expect(t, s.doctor(s.u.Name), "server.nologin_shell", 1)
}

func TestLabLockedAccountNoPAM(t *testing.T) {
	s := newScenario(t, lab.UserOptions{Locked: true})
	s.start(lab.SSHDOptions{Config: "UsePAM no"})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.account_locked", 1)
	if fixCommand(d) != "sudo usermod -p '*' "+s.u.Name {
		t.Fatalf("fix %q", fixCommand(d))
	}
	mustRun(t, "usermod", "-p", "*", s.u.Name)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
		t.Fatalf("after the fix: exit %d %s", r.ExitCode, r.Stderr)
	}
}

func TestLabExpiredAccount(t *testing.T) {
	lab.Require(t, "chage")
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	mustRun(t, "chage", "-E", "2001-01-01", s.u.Name)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	expect(t, s.doctor(s.u.Name), "server.account_expired", 1)
}

func TestLabUnknownUser(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	ghost := s.u.Name + "x"
	if r := s.ssh(ghost, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(ghost)
	expect(t, d, "server.invalid_user", 1)
	if got := d.Finding("server.invalid_user").Evidence["similar_accounts"]; !strings.Contains(got, s.u.Name) {
		t.Fatalf("similar accounts %q, want %s", got, s.u.Name)
	}
}

func TestLabListenLoopbackOnly(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{ListenAddress: "127.0.0.1"})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Connection refused") {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	expect(t, s.doctor(s.u.Name), "server.listen_loopback_only", 1)
}

func TestLabSSHDStopped(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	s.sshd.Stop()
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Connection refused") {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.sshd_not_running", 1)
	if !strings.Contains(fixCommand(d), "-f "+s.sshd.Config) {
		t.Fatalf("start command %q does not use the lab config", fixCommand(d))
	}
}

func TestLabBadConfigLine(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{Config: "PermitRootLogin no\nFrobnicate yes", NoWait: true})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.config_error", 1)
	if !strings.Contains(d.Report.Diagnosis.Explanation, s.sshd.Config+" line 2") {
		t.Fatalf("explanation %q does not name line 2", d.Report.Diagnosis.Explanation)
	}
}

func TestLabPortHeldByAnotherProcess(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.l.Server.Listen(t, "0.0.0.0:22")
	s.start(lab.SSHDOptions{NoWait: true})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.port_in_use", 1)
	if f := d.Finding("server.port_in_use"); !strings.Contains(f.Title, "server.test") && !strings.Contains(f.Title, filepath.Base(os.Args[0])) {
		t.Fatalf("title %q does not name this test process", f.Title)
	}
}

func TestLabIptablesDrop(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	s.l.Server.MustRun(t, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP")
	r := s.ssh(s.u.Name, "true")
	if r.ExitCode != 255 || !strings.Contains(r.Stderr, "timed out") {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.firewall_blocks", 1)
	f := d.Finding("server.firewall_blocks")
	if !strings.Contains(f.Evidence["rule"], "--dport 22 -j DROP") {
		t.Fatalf("rule %q", f.Evidence["rule"])
	}
	// Apply the printed fix in the server namespace: ssh works again.
	fix := strings.Fields(strings.TrimPrefix(fixCommand(d), "sudo "))
	s.l.Server.MustRun(t, fix[0], fix[1:]...)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
		t.Fatalf("after %v: exit %d %s", fix, r.ExitCode, r.Stderr)
	}
}

func TestLabFullHomeFilesystem(t *testing.T) {
	lab.Require(t, "mount", "umount", "dd", "cp")
	s := newScenario(t, lab.UserOptions{})
	// A 1 MiB tmpfs over the home directory, holding a copy of ~/.ssh. It
	// is mounted before sshd starts: ip netns exec gives sshd its own
	// mount namespace, which may not receive later mounts.
	keep := t.TempDir()
	mustRun(t, "cp", "-a", filepath.Join(s.u.Home, ".ssh"), keep)
	mustRun(t, "mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=1m,mode=0755,uid=%d,gid=%d", s.u.UID, s.u.GID), "sdlab-home", s.u.Home)
	t.Cleanup(func() { _ = exec.Command("umount", "-l", s.u.Home).Run() })
	mustRun(t, "cp", "-a", filepath.Join(keep, ".ssh"), s.u.Home)
	// Fill it to the last page (tmpfs allocates whole pages).
	_ = exec.Command("dd", "if=/dev/zero", "of="+filepath.Join(s.u.Home, "fill"), "bs=64k").Run()
	_ = exec.Command("dd", "if=/dev/zero", "of="+filepath.Join(s.u.Home, "fill2"), "bs=4k").Run()
	_ = exec.Command("dd", "if=/dev/zero", "of="+filepath.Join(s.u.Home, "fill3"), "bs=1").Run()
	s.start(lab.SSHDOptions{})
	// Login still authenticates, but the session cannot write to home.
	r := s.ssh(s.u.Name, "echo x > ~/probe")
	if r.ExitCode == 0 || !(strings.Contains(r.Stderr, "No space left on device") || strings.Contains(r.Stderr, "I/O error")) {
		t.Fatalf("ssh writing to a full home: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.disk_full", 1)
	if f := d.Finding("server.disk_full"); !strings.Contains(f.Title, s.u.Home) || !strings.Contains(f.Title, "100%") {
		t.Fatalf("title %q", f.Title)
	}
}

// As a plain user the command checks what it can, names what it could not
// (server.needs_root), and never claims a pass it did not verify.
func TestLabNotRoot(t *testing.T) {
	lab.Require(t, "runuser")
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	// Let the user reach the lab's config (the host keys stay root-only).
	mustRun(t, "chmod", "0755", filepath.Dir(s.sshd.Dir))
	mustRun(t, "chmod", "0644", s.sshd.Config)
	run := func() (report.Report, int) {
		r := s.l.Server.Run(t, "runuser", "-u", s.u.Name, "--", lab.Binary(t), "--json", "server",
			"--user", s.u.Name, "--from", lab.ClientAddr, "--sshd-config", s.sshd.Config)
		var rep report.Report
		if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
			t.Fatalf("not JSON (%v): %s %s", err, r.Stdout, r.Stderr)
		}
		return rep, r.ExitCode
	}
	rep, code := run()
	if code != 3 || rep.Result != "inconclusive" {
		t.Fatalf("healthy, not root: result %s exit %d\n%s", rep.Result, code, summarize(&rep))
	}
	needs := 0
	for _, c := range rep.Checks {
		for _, f := range c.Findings {
			if f.Severity == "error" {
				t.Errorf("error finding without root: %s %s", f.Code, f.Title)
			}
			if f.Code == "server.needs_root" {
				needs++
			}
		}
	}
	if needs < 2 {
		t.Errorf("only %d needs_root findings\n%s", needs, summarize(&rep))
	}
	// What a plain user can see, it still names.
	mustRun(t, "chmod", "0777", filepath.Join(s.u.Home, ".ssh"))
	rep, code = run()
	if code != 1 || rep.Diagnosis.Code != "server.strictmodes" {
		t.Fatalf("~/.ssh 0777, not root: diagnosis %s exit %d\n%s", rep.Diagnosis.Code, code, summarize(&rep))
	}
}

// One of two ListenAddresses cannot be bound (the address is on no
// interface): sshd runs, clients of the missing address are refused.
func TestLabListenAddressNotBound(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{Config: "ListenAddress " + lab.ServerAddr + "\nListenAddress 198.18.0.99"})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
		t.Fatalf("ssh to the bound address: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "ok", 0)
	f := d.Finding("server.bind_failed")
	if f == nil || f.Severity != "warning" || !strings.Contains(f.Evidence["ListenAddress"], "198.18.0.99") {
		t.Fatalf("bind_failed: %+v\n%s", f, summarize(&d.Report))
	}
}

// rootDir makes a root-owned 0755 directory outside /tmp (sshd wants an
// AuthorizedKeysCommand whose every parent is root-owned and not writable
// by others, which /tmp is not).
func rootDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("/run", "sdlab-akc-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func writeScript(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestLabAuthorizedKeysCommand(t *testing.T) {
	lab.Require(t) // the scripts' directory is made in /run, as root
	// Under /tmp, which anyone may write, in a directory anyone may enter.
	open := t.TempDir()
	for _, d := range []string{filepath.Dir(open), open} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	unsafe := filepath.Join(open, "akc.sh")
	writeScript(t, unsafe, "exit 0")
	safe := rootDir(t)
	// In a directory AuthorizedKeysCommandUser may not enter.
	private := filepath.Join(safe, "private")
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	hidden := filepath.Join(private, "akc.sh")
	writeScript(t, hidden, "exit 0")
	failing := filepath.Join(safe, "fail.sh")
	writeScript(t, failing, "echo lookup failed >&2; exit 3")
	good := filepath.Join(safe, "good.sh")
	cases := []struct {
		name, cmd, want string
	}{
		{"missing", "/nonexistent/sdlab/akc %u", "Could not stat"},
		{"unsafe", unsafe + " %u", "Unsafe AuthorizedKeysCommand"},
		{"unreachable", hidden + " %u", "Permission denied"},
		{"failing", failing + " %u", "failed, status 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newScenario(t, lab.UserOptions{})
			os.Remove(filepath.Join(s.u.Home, ".ssh", "authorized_keys"))
			s.start(lab.SSHDOptions{Config: "AuthorizedKeysCommand " + c.cmd + "\nAuthorizedKeysCommandUser nobody"})
			if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
				t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
			}
			d := s.doctor(s.u.Name)
			expect(t, d, "server.akc_error", 1)
			if got := d.Finding("server.akc_error").Evidence["problem"]; !strings.Contains(got, c.want) {
				t.Fatalf("problem %q, want %q", got, c.want)
			}
			akcFixesWork(t, s, c.name, d, c.cmd)
		})
	}
	t.Run("working", func(t *testing.T) {
		s := newScenario(t, lab.UserOptions{})
		os.Remove(filepath.Join(s.u.Home, ".ssh", "authorized_keys"))
		writeScript(t, good, "echo '"+s.pub+"'")
		s.start(lab.SSHDOptions{Config: "AuthorizedKeysCommand " + good + " %u\nAuthorizedKeysCommandUser nobody"})
		if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
			t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
		}
		d := s.doctor(s.u.Name, "--key", s.priv+".pub")
		expect(t, d, "ok", 0)
		if f := d.Finding("server.key_authorized"); f == nil || !strings.Contains(f.Title, "AuthorizedKeysCommand") {
			t.Fatalf("key_authorized: %+v", f)
		}
	})
}

func TestLabKeyFromDenied(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.u.AuthorizeKey(t, `from="10.0.0.0/8" `+s.pub)
	s.start(lab.SSHDOptions{})
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name, "--key", s.priv+".pub")
	expect(t, d, "server.key_from_denied", 1)
	// The printed fix admits the client; with it ssh works.
	fix := fixCommand(d)
	mustRun(t, "sh", "-c", strings.TrimPrefix(fix, "sudo "))
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
		t.Fatalf("after %q: exit %d %s", fix, r.ExitCode, r.Stderr)
	}
	// A key that is not there at all.
	_, other := lab.NewKey(t, t.TempDir(), "ed25519")
	otherPub := filepath.Join(t.TempDir(), "other.pub")
	if err := os.WriteFile(otherPub, []byte(other+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	expect(t, s.doctor(s.u.Name, "--key", otherPub), "server.key_not_authorized", 1)
}

func TestLabNftReject(t *testing.T) {
	s := newScenario(t, lab.UserOptions{})
	s.start(lab.SSHDOptions{})
	s.l.Server.MustRun(t, "nft", "add table inet sdlab; add chain inet sdlab in { type filter hook input priority 0; policy accept; }; add rule inet sdlab in ip saddr 198.18.0.0/30 tcp dport 22 reject")
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 || !strings.Contains(r.Stderr, "refused") {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	d := s.doctor(s.u.Name)
	expect(t, d, "server.firewall_blocks", 1)
	if f := d.Finding("server.firewall_blocks"); !strings.Contains(f.Title, "nftables") && !strings.Contains(f.Explanation, "nftables") {
		t.Fatalf("%+v", f)
	}
	fix := strings.Fields(strings.TrimPrefix(fixCommand(d), "sudo "))
	s.l.Server.MustRun(t, fix[0], fix[1:]...)
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 0 {
		t.Fatalf("after %v: exit %d %s", fix, r.ExitCode, r.Stderr)
	}
}

// Debian's sshd is linked with libwrap. hosts.deny is bound over the real
// one in private mount namespaces, for sshd and for sshdoctor alike, so
// the machine's own file is never touched.
func TestLabTCPWrappers(t *testing.T) {
	lab.Require(t, "unshare", "mount")
	s := newScenario(t, lab.UserOptions{})
	deny := filepath.Join(t.TempDir(), "hosts.deny")
	if err := os.WriteFile(deny, []byte("# lab\nsshd: "+lab.ClientAddr+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgDir := t.TempDir()
	cfg, _ := lab.WriteSSHDConfig(t, cfgDir, lab.SSHDOptions{Port: 22})
	sshd := lab.Tool(t, "sshd")
	proc := s.l.Server.Start(t, "unshare", "-m", "--propagation", "private", "sh", "-c",
		"mount --bind "+deny+" /etc/hosts.deny && exec "+sshd+" -D -e -f "+cfg)
	lab.WaitListening(t, proc.Pid(), 22, 10*time.Second)
	s.sshd = &lab.SSHD{Config: cfg, LogFile: proc.Log, Port: 22, NS: s.l.Server, Proc: proc}
	if r := s.ssh(s.u.Name, "true"); r.ExitCode != 255 {
		t.Fatalf("ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	r := s.l.Server.Run(t, "unshare", "-m", "--propagation", "private", "sh", "-c",
		"mount --bind "+deny+" /etc/hosts.deny && exec "+lab.Binary(t)+" --json server --user "+s.u.Name+
			" --from "+lab.ClientAddr+" --sshd-config "+cfg+" --log "+proc.Log)
	var rep report.Report
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
		t.Fatalf("%v: %s %s", err, r.Stdout, r.Stderr)
	}
	if rep.Diagnosis.Code != "server.tcp_wrappers" || r.ExitCode != 1 {
		t.Fatalf("diagnosis %s exit %d\n%s", rep.Diagnosis.Code, r.ExitCode, summarize(&rep))
	}
}
