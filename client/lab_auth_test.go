//go:build linux

package client_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lab"
	"github.com/sshdoctor/sshdoctor/sshconfig"
)

// authLab is a healthy server with one account and one authorized key,
// whose host key the client's known_hosts already holds.
type authLab struct {
	*scenario
	sshd *lab.SSHD
	user *lab.User
	priv string
	pub  string
	env  []string
}

func newAuthLab(t *testing.T, o lab.SSHDOptions, uo lab.UserOptions) *authLab {
	t.Helper()
	s := newScenario(t)
	a := &authLab{scenario: s, env: []string{"SSH_AUTH_SOCK=", "HOME=" + s.dir}}
	a.sshd = s.lab.StartSSHD(t, o)
	a.user = lab.AddUser(t, uo)
	a.priv, a.pub = lab.NewKey(t, s.dir, "ed25519")
	a.user.AuthorizeKey(t, a.pub)
	name := lab.ServerAddr
	if o.Port != 0 && o.Port != 22 {
		name = "[" + lab.ServerAddr + "]:" + strconv.Itoa(o.Port)
	}
	a.knownHosts(t, name+" "+a.sshd.HostKeyPub(t))
	return a
}

func (a *authLab) knownHosts(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(a.dir, "known_hosts")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (a *authLab) dest() string { return a.user.Name + "@" + lab.ServerAddr }

// run runs sshdoctor check with the lab's environment.
func (a *authLab) run(t *testing.T, args ...string) lab.Doctor {
	t.Helper()
	return a.lab.Client.RunDoctorEnv(t, a.env, append([]string{"check", "-F", a.cfgFile, "--timeout", "3s"}, args...)...)
}

// ssh runs the real ssh client the same way (BatchMode comes from the
// scenario's config), running `true`.
func (a *authLab) ssh(t *testing.T, args ...string) lab.Result {
	t.Helper()
	return a.lab.Client.RunEnv(t, a.env, "ssh", append([]string{"-F", a.cfgFile, "-o", "ConnectTimeout=3"}, append(args, "true")...)...)
}

func evidence(t *testing.T, d lab.Doctor, code, key string) string {
	t.Helper()
	f := d.Finding(code)
	if f == nil {
		t.Fatalf("no %s finding:\n%s", code, d.Stdout)
	}
	return f.Evidence[key]
}

func mustContain(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("%s: %q does not contain %q", what, got, want)
	}
}

func fingerprint(t *testing.T, pubLine string) string {
	t.Helper()
	f := strings.Fields(pubLine)
	blob, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		t.Fatal(err)
	}
	return sshconfig.KeyFingerprint(blob)
}

func TestLabAuthHealthyKey(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "ok", 0)
	mustContain(t, "accepted key", evidence(t, d, "auth.accepted", "accepted_key"), fingerprint(t, a.pub))
	if d.Finding("session.ok") == nil || d.Finding("hostkey.known") == nil || d.Finding("kex.offer") == nil {
		t.Fatalf("missing info findings:\n%s", d.Stdout)
	}
	// One connection and the three requests ssh itself makes: none, the
	// query, the signed request.
	if st := d.Report.Stats; st == nil || st.Connections != 1 || st.AuthAttempts != 3 {
		t.Fatalf("stats %+v", d.Report.Stats)
	}
	if r := a.ssh(t, "-i", a.priv, a.dest()); r.ExitCode != 0 {
		t.Fatalf("real ssh: exit %d %s", r.ExitCode, r.Stderr)
	}
	// --no-login stops after authentication.
	d = a.run(t, "--no-login", "-i", a.priv, a.dest())
	expect(t, d, "ok", 0)
	if c := d.Check("login"); c == nil || c.Status != "skip" || d.Finding("session.not_tested") == nil {
		t.Fatalf("login with --no-login: %+v", c)
	}
	if st := d.Report.Stats; st.AuthAttempts != 2 {
		t.Fatalf("--no-login stats %+v", st)
	}
}

// The three look alike from the client: the key is refused. The evidence
// says which key was offered and refused, for which login name (and where
// that name came from), and that only the server can tell the causes apart.
func TestLabAuthPublickeyDenied(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, a *authLab) (dest string)
	}{
		{"key-not-authorized", func(t *testing.T, a *authLab) string {
			_, other := lab.NewKey(t, a.dir, "ed25519")
			a.user.AuthorizeKey(t, other)
			return a.dest()
		}},
		{"authorized-keys-0666", func(t *testing.T, a *authLab) string {
			if err := os.Chmod(filepath.Join(a.user.Home, ".ssh", "authorized_keys"), 0o666); err != nil {
				t.Fatal(err)
			}
			return a.dest()
		}},
		{"no-such-user", func(t *testing.T, a *authLab) string {
			return "nosuchuser" + a.user.Name[3:] + "@" + lab.ServerAddr
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
			dest := c.setup(t, a)
			d := a.run(t, "-i", a.priv, dest)
			expect(t, d, "auth.publickey_denied", 1)
			keys := evidence(t, d, "auth.publickey_denied", "keys")
			mustContain(t, "keys", keys, fingerprint(t, a.pub))
			mustContain(t, "keys", keys, "rejected")
			login := strings.Split(dest, "@")[0]
			mustContain(t, "login name", evidence(t, d, "auth.publickey_denied", "login_name"), login+" (given on the command line)")
			mustContain(t, "client_cannot_tell", evidence(t, d, "auth.publickey_denied", "client_cannot_tell"), "StrictModes")
			fixHas(t, d, "sshdoctor server --user "+login+" --key "+a.priv+".pub")
			fixHas(t, d, "ssh-copy-id -i "+a.priv+".pub")
			if r := a.ssh(t, "-i", a.priv, dest); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Permission denied (publickey)") {
				t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
			}
		})
	}
}

// A changed host key, recorded hashed under [host]:port as Debian's
// HashKnownHosts writes it.
func TestLabHostKeyChanged(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{Port: 2222}, lab.UserOptions{})
	_, oldKey := lab.NewKey(t, a.dir, "ed25519")
	salt := make([]byte, 20)
	rand.Read(salt)
	name := "[" + lab.ServerAddr + "]:2222"
	f := strings.Fields(oldKey)
	kh := a.knownHosts(t, "# an old entry", sshconfig.HashName(name, salt)+" "+f[0]+" "+f[1])
	d := a.run(t, "-i", a.priv, a.dest()+":2222")
	expect(t, d, "hostkey.changed", 1)
	if got := evidence(t, d, "hostkey.changed", "known_hosts"); got != kh+":2" {
		t.Fatalf("known_hosts evidence %q", got)
	}
	if got := evidence(t, d, "hostkey.changed", "old_fingerprint"); got != fingerprint(t, oldKey) {
		t.Fatalf("old fingerprint %q", got)
	}
	if got := evidence(t, d, "hostkey.changed", "new_fingerprint"); got != fingerprint(t, a.sshd.HostKeyPub(t)) {
		t.Fatalf("new fingerprint %q", got)
	}
	fixHas(t, d, "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub")
	fixHas(t, d, "ssh-keygen -R '"+name+"' -f "+kh)
	// Nothing past the host key is tried, and known_hosts is untouched.
	if c := d.Check("auth"); c == nil || c.Status != "skip" {
		t.Fatalf("auth after a changed key: %+v", c)
	}
	if b, _ := os.ReadFile(kh); !strings.Contains(string(b), "# an old entry") || strings.Count(string(b), "\n") != 2 {
		t.Fatalf("known_hosts was modified: %q", b)
	}
	r := a.ssh(t, "-p", "2222", "-i", a.priv, a.dest())
	if r.ExitCode != 255 || !strings.Contains(r.Stderr, "REMOTE HOST IDENTIFICATION HAS CHANGED") || !strings.Contains(r.Stderr, kh+":2") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
}

func TestLabHostKeyUnknownStrict(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
	a.knownHosts(t, "# nothing yet")
	d := a.run(t, "-o", "StrictHostKeyChecking=yes", "-i", a.priv, a.dest())
	expect(t, d, "hostkey.unknown", 1)
	f := d.Finding("hostkey.unknown")
	if f.Severity != "error" || !strings.Contains(f.Evidence["host_key"], fingerprint(t, a.sshd.HostKeyPub(t))) {
		t.Fatalf("finding %+v", f)
	}
	fixHas(t, d, "echo '"+lab.ServerAddr+" ssh-ed25519 ")
	r := a.ssh(t, "-o", "StrictHostKeyChecking=yes", "-i", a.priv, a.dest())
	if !strings.Contains(r.Stderr, "No ED25519 host key is known for "+lab.ServerAddr) {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
	// With the default (ask) but without BatchMode, it is only a warning
	// and the layers after it are checked.
	if err := os.WriteFile(a.cfgFile, []byte("Host *\n  UserKnownHostsFile "+filepath.Join(a.dir, "known_hosts")+"\n  IdentitiesOnly yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d = a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "ok", 0)
	if f := d.Finding("hostkey.unknown"); f == nil || f.Severity != "warning" || d.Finding("session.ok") == nil {
		t.Fatalf("ask without BatchMode:\n%s", d.Stdout)
	}
}

func TestLabKexMismatches(t *testing.T) {
	cases := []struct {
		name     string
		config   string
		keyTypes []string
		code     string
		fix      string
		sshSays  string
	}{
		{"rsa-host-key-sha1-only", "HostKeyAlgorithms ssh-rsa\n", []string{"rsa"}, "kex.no_hostkey_alg",
			"-o HostKeyAlgorithms=+ssh-rsa", "no matching host key type found. Their offer: ssh-rsa"},
		{"cbc-only", "Ciphers aes128-cbc,aes256-cbc\n", nil, "kex.no_cipher",
			"-o Ciphers=+aes128-cbc", "no matching cipher found. Their offer: aes128-cbc,aes256-cbc"},
		{"sha1-kex-only", "KexAlgorithms diffie-hellman-group14-sha1\n", nil, "kex.no_kex_alg",
			"-o KexAlgorithms=+diffie-hellman-group14-sha1", "no matching key exchange method found. Their offer: diffie-hellman-group14-sha1"},
		{"md5-sha1-96-macs", "Ciphers aes128-ctr\nMACs hmac-md5,hmac-sha1-96\n", nil, "kex.no_mac",
			"-o MACs=+hmac-sha1-96", "no matching MAC found. Their offer: hmac-md5,hmac-sha1-96"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := newAuthLab(t, lab.SSHDOptions{Config: c.config, HostKeyTypes: c.keyTypes}, lab.UserOptions{})
			d := a.run(t, "-i", a.priv, a.dest())
			expect(t, d, c.code, 1)
			fixHas(t, d, c.fix+" -F "+a.cfgFile+" "+a.dest())
			mustContain(t, "ssh_would_say", evidence(t, d, c.code, "ssh_would_say"), c.sshSays)
			if evidence(t, d, c.code, "security_cost") == "" {
				t.Fatal("no security cost")
			}
			r := a.ssh(t, "-i", a.priv, a.dest())
			mustContain(t, "real ssh", r.Stderr, c.sshSays)
			// The override sshdoctor gives makes the real ssh work.
			opt := strings.Fields(c.fix)
			if r := a.ssh(t, append(opt, "-i", a.priv, a.dest())...); r.ExitCode != 0 {
				t.Fatalf("real ssh with %s: exit %d %s", c.fix, r.ExitCode, r.Stderr)
			}
		})
	}
}

// A server that needs two overrides: the diagnosis gives them together,
// as one command and one ~/.ssh/config block, and that command connects.
func TestLabKexTwoOverrides(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{Config: "KexAlgorithms diffie-hellman-group14-sha1\nCiphers aes128-cbc\n"}, lab.UserOptions{})
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "kex.no_kex_alg", 1)
	if d.Finding("kex.no_cipher") == nil {
		t.Fatalf("no kex.no_cipher beside kex.no_kex_alg:\n%s", d.Stdout)
	}
	both := "ssh -o KexAlgorithms=+diffie-hellman-group14-sha1 -o Ciphers=+aes128-cbc -F " + a.cfgFile + " " + a.dest()
	fixHas(t, d, both)
	fixHas(t, d, "Host "+a.dest()[strings.LastIndexByte(a.dest(), '@')+1:]+"\n  KexAlgorithms +diffie-hellman-group14-sha1\n  Ciphers +aes128-cbc")
	for _, f := range d.Finding("kex.no_cipher").Fixes {
		if strings.HasPrefix(f.Command, "Host ") {
			t.Fatalf("a second Host block on kex.no_cipher: %q", f.Command)
		}
	}
	opt := strings.Fields(both)[1:5]
	if r := a.ssh(t, append(opt, "-i", a.priv, a.dest())...); r.ExitCode != 0 {
		t.Fatalf("real ssh with %v: exit %d %s", opt, r.ExitCode, r.Stderr)
	}
}

// startAgent runs a real ssh-agent with its socket in a temporary
// directory and loads the keys, in order.
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

// An agent with three other keys before the accepted one, which no
// IdentityFile names, and MaxAuthTries 3: ssh is cut off before it.
func TestLabAuthTooManyFailures(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{Config: "MaxAuthTries 3\n"}, lab.UserOptions{})
	k1, _ := lab.NewKey(t, a.dir, "ed25519")
	k2, _ := lab.NewKey(t, a.dir, "ecdsa")
	k3, _ := lab.NewKey(t, a.dir, "ed25519")
	a.env = []string{"SSH_AUTH_SOCK=" + startAgent(t, a.dir, k1, k2, k3, a.priv), "HOME=" + a.dir}
	if err := os.WriteFile(a.cfgFile, []byte("Host *\n  UserKnownHostsFile "+filepath.Join(a.dir, "known_hosts")+
		"\n  IdentityFile "+k1+"\n  BatchMode yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := a.run(t, a.dest())
	expect(t, d, "auth.too_many_failures", 1)
	mustContain(t, "accepted key", evidence(t, d, "auth.too_many_failures", "accepted_key"), fingerprint(t, a.pub))
	mustContain(t, "cut off", evidence(t, d, "auth.too_many_failures", "server_cut_off_after"), "3 keys: Too many authentication failures")
	fixHas(t, d, "ssh-add -L | grep -F")
	fixHas(t, d, "-o IdentitiesOnly=yes -i ~/.ssh/lab-ed25519.pub")
	if st := d.Report.Stats; st.Connections != 2 {
		t.Fatalf("stats %+v (one reconnection expected)", st)
	}
	if r := a.ssh(t, a.dest()); !strings.Contains(r.Stderr, "Too many authentication failures") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
	// The fix: offering only the accepted key works.
	if r := a.ssh(t, "-o", "IdentitiesOnly=yes", "-i", a.priv+".pub", a.dest()); r.ExitCode != 0 {
		t.Fatalf("real ssh with the fix: %s", r.Stderr)
	}
}

func TestLabPrivateKeyTooOpen(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
	if err := os.Chmod(a.priv, 0o644); err != nil {
		t.Fatal(err)
	}
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "perm.private_key_too_open", 1)
	if got := evidence(t, d, "perm.private_key_too_open", "mode"); got != "0644" {
		t.Fatalf("mode %q", got)
	}
	fixHas(t, d, "chmod 600 "+a.priv)
	r := a.ssh(t, "-i", a.priv, a.dest())
	if !strings.Contains(r.Stderr, "UNPROTECTED PRIVATE KEY FILE") || !strings.Contains(r.Stderr, "Permission denied") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
}

func TestLabSessionNologinShell(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{Shell: "/usr/sbin/nologin"})
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "session.nologin_shell", 1)
	mustContain(t, "stdout", evidence(t, d, "session.nologin_shell", "stdout"), "This account is currently not available.")
	fixHas(t, d, "usermod -s /bin/bash "+a.user.Name)
	r := a.ssh(t, "-i", a.priv, a.dest())
	if r.ExitCode != 1 || !strings.Contains(r.Stdout, "This account is currently not available.") {
		t.Fatalf("real ssh: exit %d %q %q", r.ExitCode, r.Stdout, r.Stderr)
	}
}

// An expired account: PAM's account stack refuses after the signature and
// says why in a USERAUTH_BANNER.
func TestLabSessionAccountExpired(t *testing.T) {
	t.Parallel()
	lab.Require(t, "chage")
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
	if out, err := exec.Command(lab.Tool(t, "chage"), "-E", "1", a.user.Name).CombinedOutput(); err != nil {
		t.Fatalf("chage: %v %s", err, out)
	}
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "session.account_expired", 1)
	mustContain(t, "server message", evidence(t, d, "session.account_expired", "server_message"), "expired")
	r := a.ssh(t, "-i", a.priv, a.dest())
	if r.ExitCode != 255 || !strings.Contains(r.Stderr, "Your account has expired") {
		t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
	}
}

// An explicit identity file that does not exist, next to no other key.
func TestLabKeyMissing(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
	missing := filepath.Join(a.dir, "id_typo")
	d := a.run(t, "-i", missing, a.dest())
	expect(t, d, "key.missing", 1)
	fixHas(t, d, "ls -l "+a.dir)
	r := a.ssh(t, "-i", missing, a.dest())
	if !strings.Contains(r.Stderr, "Identity file "+missing+" not accessible") || !strings.Contains(r.Stderr, "Permission denied") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
}

// A public key given to -i: ssh offers it, the server accepts it, and ssh
// cannot sign with it.
func TestLabKeyPublicGivenAsPrivate(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
	if err := os.Chmod(a.priv+".pub", 0o600); err != nil {
		t.Fatal(err)
	}
	d := a.run(t, "-i", a.priv+".pub", a.dest())
	expect(t, d, "key.invalid_format", 1)
	fixHas(t, d, "-i "+a.priv+" ")
	r := a.ssh(t, "-i", a.priv+".pub", a.dest())
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "Load key") {
		t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
	}
}

// BenchmarkLabFullDiagnosisHealthy: a person's `sshdoctor check` (every
// layer, login included) against a healthy server…
func BenchmarkLabFullDiagnosisHealthy(b *testing.B) {
	lab.Require(b)
	l, cfg, priv, dest := benchLab(b)
	bin := lab.Binary(b)
	b.ResetTimer()
	var last lab.Result
	for i := 0; i < b.N; i++ {
		last = l.Client.RunEnv(b, []string{"SSH_AUTH_SOCK="}, bin, "--json", "check", "-F", cfg, "-i", priv, dest)
		if last.ExitCode != 0 {
			b.Fatalf("exit %d: %s", last.ExitCode, last.Stdout)
		}
	}
	b.StopTimer()
	if i := strings.Index(last.Stdout, `"stats"`); i >= 0 {
		b.Logf("%s", strings.Join(strings.Fields(last.Stdout[i:]), " "))
	}
}

// …and the real `ssh -o BatchMode=yes host true` against the same server.
func BenchmarkLabSSHTrueHealthy(b *testing.B) {
	lab.Require(b)
	l, cfg, priv, dest := benchLab(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := l.Client.RunEnv(b, []string{"SSH_AUTH_SOCK="}, "ssh", "-F", cfg, "-o", "BatchMode=yes", "-i", priv, dest, "true"); r.ExitCode != 0 {
			b.Fatalf("ssh: %s", r.Stderr)
		}
	}
}

func benchLab(b *testing.B) (l *lab.Lab, cfg, priv, dest string) {
	l = lab.New(b)
	sshd := l.StartSSHD(b, lab.SSHDOptions{})
	u := lab.AddUser(b, lab.UserOptions{})
	dir := b.TempDir()
	priv, pub := lab.NewKey(b, dir, "ed25519")
	u.AuthorizeKey(b, pub)
	kh := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(kh, []byte(lab.ServerAddr+" "+sshd.HostKeyPub(b)+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg = filepath.Join(dir, "ssh_config")
	if err := os.WriteFile(cfg, []byte("Host *\n  UserKnownHostsFile "+kh+"\n  IdentitiesOnly yes\n  BatchMode yes\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	return l, cfg, priv, u.Name + "@" + lab.ServerAddr
}

func TestLabHostKeyRevoked(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
	kh := a.knownHosts(t, "@revoked * "+a.sshd.HostKeyPub(t), lab.ServerAddr+" "+a.sshd.HostKeyPub(t))
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "hostkey.revoked", 1)
	if got := evidence(t, d, "hostkey.revoked", "revoked_at"); got != kh+":1" {
		t.Fatalf("revoked_at %q", got)
	}
	if r := a.ssh(t, "-i", a.priv, a.dest()); !strings.Contains(r.Stderr, "REVOKED HOST KEY DETECTED") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
}

// CheckHostIP: the name's key is right, the key recorded for its address
// is another one.
func TestLabHostKeyIPMismatch(t *testing.T) {
	t.Parallel()
	lab.Require(t, "dnsmasq")
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
	a.lab.Server.StartDNS(t, map[string]string{"ssh.lab.test": lab.ServerAddr})
	a.lab.Client.SetResolver(t, lab.ServerAddr)
	_, other := lab.NewKey(t, a.dir, "ed25519")
	kh := a.knownHosts(t, "ssh.lab.test "+a.sshd.HostKeyPub(t), lab.ServerAddr+" "+other)
	dest := a.user.Name + "@ssh.lab.test"
	d := a.run(t, "-o", "CheckHostIP=yes", "-i", a.priv, dest)
	expect(t, d, "hostkey.ip_mismatch", 1)
	if got := evidence(t, d, "hostkey.ip_mismatch", "offending_ip_entry"); got != kh+":2" {
		t.Fatalf("offending entry %q", got)
	}
	fixHas(t, d, "ssh-keygen -R '"+lab.ServerAddr+"' -f "+kh)
	mustContain(t, "ssh_would_say", evidence(t, d, "hostkey.ip_mismatch", "ssh_would_say"), "Host key verification failed.")
	// BatchMode with the default (ask): ssh cannot ask, and fails.
	r := a.ssh(t, "-o", "CheckHostIP=yes", "-i", a.priv, dest)
	if r.ExitCode != 255 || !strings.Contains(r.Stderr, "Host key verification failed.") {
		t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
	}
	// StrictHostKeyChecking=no: ssh warns and connects; so does the diagnosis.
	d = a.run(t, "-o", "CheckHostIP=yes", "-o", "StrictHostKeyChecking=no", "-i", a.priv, dest)
	expect(t, d, "ok", 0)
	if f := d.Finding("hostkey.ip_mismatch"); f == nil || f.Severity != "warning" {
		t.Fatalf("lenient ip_mismatch: %+v", f)
	}
	r = a.ssh(t, "-o", "CheckHostIP=yes", "-o", "StrictHostKeyChecking=no", "-i", a.priv, dest)
	if r.ExitCode != 0 || !strings.Contains(r.Stderr, "differs from the key for the IP address '"+lab.ServerAddr+"'") {
		t.Fatalf("real ssh, StrictHostKeyChecking=no: exit %d %q", r.ExitCode, r.Stderr)
	}
}

// ssh would connect, but sshdoctor's SSH library shares no key exchange
// with this server: the run says so (inconclusive), it does not guess.
func TestLabKexSshdoctorCannotSpeak(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{Config: "KexAlgorithms sntrup761x25519-sha512@openssh.com\n"}, lab.UserOptions{})
	d := a.run(t, "-i", a.priv, a.dest())
	if d.Report.Result != "inconclusive" || d.ExitCode != 3 {
		t.Fatalf("result %s exit %d\n%s", d.Report.Result, d.ExitCode, d.Stdout)
	}
	if c := d.Check("kex"); c == nil || c.Status != "pass" {
		t.Fatalf("kex: %+v", c)
	}
	if d.Finding("hostkey.not_checked") == nil {
		t.Fatalf("no hostkey.not_checked:\n%s", d.Stdout)
	}
	if r := a.ssh(t, "-i", a.priv, a.dest()); r.ExitCode != 0 {
		t.Fatalf("real ssh: %s", r.Stderr)
	}
}

// A user certificate next to the key (KEY-cert.pub), signed by a CA the
// server trusts, for a key authorized_keys does not list: ssh offers the
// plain key first (refused), then the certificate (accepted).
func TestLabAuthUserCertificate(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	ca, caPub := lab.NewKey(t, s.dir, "ed25519")
	caFile := filepath.Join(s.dir, "user_ca.pub")
	if err := os.WriteFile(caFile, []byte(caPub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := &authLab{scenario: s, env: []string{"SSH_AUTH_SOCK=", "HOME=" + s.dir}}
	a.sshd = s.lab.StartSSHD(t, lab.SSHDOptions{Config: "TrustedUserCAKeys " + caFile + "\n"})
	a.user = lab.AddUser(t, lab.UserOptions{})
	a.priv, a.pub = lab.NewKey(t, s.dir, "ed25519")
	_, other := lab.NewKey(t, s.dir, "ed25519")
	a.user.AuthorizeKey(t, other)
	a.knownHosts(t, lab.ServerAddr+" "+a.sshd.HostKeyPub(t))
	if out, err := exec.Command(lab.Tool(t, "ssh-keygen"), "-q", "-s", ca, "-I", "lab", "-n", a.user.Name, a.priv+".pub").CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -s: %v %s", err, out)
	}
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "ok", 0)
	f := d.Finding("auth.accepted")
	if f == nil || !strings.Contains(f.Evidence["accepted_key"], "ED25519-CERT") || !strings.Contains(f.Evidence["keys"], "1. "+fingerprint(t, a.pub)) ||
		!strings.Contains(f.Evidence["keys"], ": rejected") {
		t.Fatalf("accepted: %+v", f)
	}
	if r := a.ssh(t, "-i", a.priv, a.dest()); r.ExitCode != 0 {
		t.Fatalf("real ssh: %s", r.Stderr)
	}
}

// An encrypted key the server accepts, with no agent, in BatchMode: ssh
// cannot ask for the passphrase and fails.
func TestLabKeyPassphraseNeeded(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
	if out, err := exec.Command(lab.Tool(t, "ssh-keygen"), "-q", "-p", "-P", "", "-N", "a passphrase", "-f", a.priv).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -p: %v %s", err, out)
	}
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "key.passphrase_needed", 1)
	fixHas(t, d, "ssh-add "+a.priv)
	if r := a.ssh(t, "-i", a.priv, a.dest()); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Permission denied (publickey)") {
		t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
	}
	// Without BatchMode ssh would ask: the key is reported, the login is
	// not tried, nothing is an error.
	if err := os.WriteFile(a.cfgFile, []byte("Host *\n  UserKnownHostsFile "+filepath.Join(a.dir, "known_hosts")+"\n  IdentitiesOnly yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d = a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "ok", 0)
	if f := d.Finding("key.passphrase_needed"); f == nil || f.Severity != "info" || d.Finding("session.not_tested") == nil {
		t.Fatalf("interactive:\n%s", d.Stdout)
	}
}
