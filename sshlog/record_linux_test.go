//go:build linux

package sshlog

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// record re-creates testdata/corpus from the real OpenSSH installed here:
//
//	go test ./sshlog -run TestRecordCorpus -record
//
// Each scenario starts a throw-away sshd on 127.0.0.1 (a free high port, its
// own config and host keys in a temporary directory, real accounts made and
// removed by the lab package), runs the real ssh twice (plain, then -v) and
// saves client stderr, stdout, the -v output and sshd's log beside a label
// file naming the codes a person would expect.
var record = flag.Bool("record", false, "re-record testdata/corpus with the real ssh and sshd")

// recordCommandTimeout bounds one ssh run: every scenario ends in well under
// a second on loopback; ConnectTimeout in the client config covers a hang.
const recordCommandTimeout = 20 * time.Second

type scenario struct {
	name string
	// label lines: client=, verbose=, server= codes (comma-separated).
	label string
	// sshd_config lines that come first (first value wins).
	sshd string
	// noSSHD: nothing listens on the port.
	noSSHD bool
	// user options.
	shell  string
	locked bool
	// setup runs before the client; it may change the user's files.
	setup func(t *testing.T, e *env)
	// client -o options and destination; defaults to "target".
	opts []string
	// keys replace the default "-i KEY" (placeholders as in opts).
	keys []string
	dest string
	// stdin-free remote command.
	command string
}

type env struct {
	dir, home, user, key, otherKey, knownHosts, config string
	port, badPort                                      int
	hostKeyPub                                         string
	sshdCfg                                            string
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestRecordCorpus re-records the corpus with the real OpenSSH when run
// with -record. Without it, it checks that every scenario the recorder
// knows has been recorded, with the label that the classifier tests read.
func TestRecordCorpus(t *testing.T) {
	if !*record {
		for _, sc := range scenarios() {
			dir := filepath.Join("testdata", "corpus", sc.name)
			label, err := os.ReadFile(filepath.Join(dir, "label"))
			if err != nil {
				t.Errorf("scenario %s is not recorded (go test ./sshlog -run TestRecordCorpus -record): %v", sc.name, err)
				continue
			}
			// The recorder keeps the label lines of the outputs it saved.
			want := map[string]bool{}
			for _, l := range strings.Split(sc.label, "\n") {
				want[strings.TrimSpace(l)] = true
			}
			for _, l := range strings.Split(strings.TrimSpace(string(label)), "\n") {
				if !want[strings.TrimSpace(l)] {
					t.Errorf("scenario %s: recorded label line %q is not what the recorder says (%q): re-record", sc.name, l, sc.label)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "sshd.log")); err != nil && !strings.Contains(sc.label, "client=tcp.refused") {
				t.Errorf("scenario %s: %v", sc.name, err)
			}
		}
		return
	}
	lab.Require(t, "useradd", "chage")
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) { recordOne(t, sc) })
	}
}

func scenarios() []scenario {
	chmod := func(rel string, mode os.FileMode) func(t *testing.T, e *env) {
		return func(t *testing.T, e *env) {
			if err := os.Chmod(filepath.Join(e.home, rel), mode); err != nil {
				t.Fatal(err)
			}
		}
	}
	return []scenario{
		{name: "success", label: "client=ok\nverbose=ok\nserver=ok"},
		{name: "refused", noSSHD: true, label: "client=tcp.refused\nverbose=tcp.refused"},
		{name: "wrong_key", keys: []string{"-i", "OTHERKEY"},
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=explain.auth_abandoned"},
		{name: "unknown_host_strict", opts: []string{"-o", "UserKnownHostsFile=/dev/null"},
			label: "client=hostkey.unknown\nverbose=hostkey.unknown\nserver=ok"},
		{name: "unknown_host_batch", opts: []string{"-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=ask"},
			label: "client=hostkey.unknown\nverbose=hostkey.unknown\nserver=ok"},
		{name: "host_key_changed", setup: func(t *testing.T, e *env) {
			_, pub := lab.NewKey(t, e.dir, "ed25519")
			f := strings.Fields(pub)
			line := fmt.Sprintf("[127.0.0.1]:%d %s %s\n", e.port, f[0], f[1])
			if err := os.WriteFile(e.knownHosts, []byte(line), 0o600); err != nil {
				t.Fatal(err)
			}
		}, label: "client=hostkey.changed\nverbose=hostkey.changed\nserver=ok"},
		{name: "kex_mismatch", opts: []string{"-o", "KexAlgorithms=diffie-hellman-group1-sha1"},
			label: "client=kex.no_kex_alg\nverbose=kex.no_kex_alg\nserver=kex.no_kex_alg"},
		{name: "cipher_mismatch", opts: []string{"-o", "Ciphers=aes128-cbc"},
			label: "client=kex.no_cipher\nverbose=kex.no_cipher\nserver=kex.no_cipher"},
		{name: "mac_mismatch", opts: []string{"-o", "Ciphers=aes128-ctr", "-o", "MACs=hmac-md5"},
			label: "client=kex.no_mac\nverbose=kex.no_mac\nserver=kex.no_mac"},
		{name: "hostkey_alg_mismatch", opts: []string{"-o", "HostKeyAlgorithms=ssh-rsa"},
			label: "client=kex.no_hostkey_alg\nverbose=kex.no_hostkey_alg\nserver=kex.no_hostkey_alg"},
		{name: "strictmodes_sshdir", setup: chmod(".ssh", 0o777),
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.strictmodes"},
		{name: "strictmodes_home", setup: chmod(".", 0o757),
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.strictmodes"},
		{name: "allowusers", sshd: "AllowUsers nobody",
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.allowusers"},
		{name: "denyusers", sshd: "DenyUsers USER",
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.denyusers"},
		{name: "allowgroups", sshd: "AllowGroups root",
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.allowgroups"},
		{name: "invalid_user", dest: "nosuchuser-sd@target",
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.invalid_user"},
		{name: "too_many_failures", sshd: "MaxAuthTries 2",
			keys:  []string{"-i", "OTHERKEY", "-i", "THIRDKEY", "-i", "KEY"},
			label: "client=auth.too_many_failures\nverbose=auth.too_many_failures\nserver=auth.too_many_failures"},
		{name: "nologin_shell", shell: "/usr/sbin/nologin",
			label: "client=session.nologin_shell\nverbose=ok\nserver=ok"},
		{name: "shell_missing", shell: "/bin/no-such-shell",
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.shell_missing"},
		{name: "account_locked", sshd: "UsePAM no", locked: true,
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.account_locked"},
		{name: "account_expired", sshd: "UsePAM no", setup: func(t *testing.T, e *env) {
			if out, err := exec.Command("chage", "-E", "1", e.user).CombinedOutput(); err != nil {
				t.Fatalf("chage: %v: %s", err, out)
			}
		}, label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.account_expired"},
		{name: "pubkey_alg_rejected", sshd: "PubkeyAcceptedAlgorithms rsa-sha2-512",
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.pubkey_alg_rejected"},
		{name: "akc_missing", sshd: "AuthorizedKeysCommand /nonexistent/akc %u\nAuthorizedKeysCommandUser nobody\nAuthorizedKeysFile none",
			label: "client=auth.publickey_denied\nverbose=auth.publickey_denied\nserver=server.akc_error"},
		{name: "private_key_too_open", setup: func(t *testing.T, e *env) {
			if err := os.Chmod(e.key, 0o644); err != nil {
				t.Fatal(err)
			}
		}, label: "client=perm.private_key_too_open\nverbose=perm.private_key_too_open\nserver=explain.auth_abandoned"},
		{name: "jump_host_refused", opts: []string{"-o", "ProxyJump=127.0.0.1:BADPORT"},
			label: "client=tcp.refused,proxy.failed\nverbose=tcp.refused,proxy.failed"},
		{name: "jump_target_refused", dest: "127.0.0.1", opts: []string{"-o", "ProxyJump=jump", "-p", "BADPORT"},
			label: "client=fwd.connect_failed,proxy.failed\nverbose=fwd.connect_failed,proxy.failed\nserver=fwd.connect_failed"},
		{name: "jump_forwarding_disabled", sshd: "DisableForwarding yes", dest: "127.0.0.1",
			opts:  []string{"-o", "ProxyJump=jump", "-p", "PORT"},
			label: "client=fwd.prohibited,proxy.failed\nverbose=fwd.prohibited,proxy.failed\nserver=fwd.prohibited"},
		{name: "maxstartups", sshd: "MaxStartups 1", setup: func(t *testing.T, e *env) {
			// Hold one unauthenticated connection so the client's is the
			// one past MaxStartups.
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", e.port))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			time.Sleep(200 * time.Millisecond)
		}, label: "client=banner.reset\nverbose=banner.throttled\nserver=server.maxstartups"},
		{name: "sshd_bad_option", sshd: "NoSuchOption yes", label: "server=server.config_error"},
		{name: "sshd_port_in_use", label: "client=banner.timeout\nverbose=banner.timeout\nserver=server.bind_failed"},
		{name: "sshd_hostkey_perms", label: "server=server.hostkey_load"},
	}
}

func writeClientConfig(t *testing.T, e *env) {
	cfg := fmt.Sprintf(`Host target
  HostName 127.0.0.1
  Port %d
  User %s
  IdentitiesOnly yes
  UserKnownHostsFile %s
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
Host jump
  HostName 127.0.0.1
  Port %d
  User %s
  IdentityFile %s
  IdentitiesOnly yes
  UserKnownHostsFile %s
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
Host *
  User %s
  IdentitiesOnly yes
  UserKnownHostsFile %s
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
`, e.port, e.user, e.knownHosts, e.port, e.user, e.key, e.knownHosts, e.user, e.knownHosts)
	e.config = filepath.Join(e.dir, "ssh_config")
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

func recordOne(t *testing.T, sc scenario) {
	dir, err := os.MkdirTemp("", "sshlog-rec-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	u := lab.AddUser(t, lab.UserOptions{Shell: sc.shell, Locked: sc.locked})
	e := &env{dir: dir, home: u.Home, user: u.Name, port: freePort(t), badPort: freePort(t)}
	var pub, otherPub string
	e.key, pub = lab.NewKey(t, dir, "ed25519")
	e.otherKey, otherPub = lab.NewKey(t, dir, "ed25519")
	third, _ := lab.NewKey(t, dir, "ed25519")
	_ = otherPub
	u.AuthorizeKey(t, pub)

	extra := strings.ReplaceAll(sc.sshd, "USER", u.Name)
	if sc.name != "sshd_bad_option" {
		extra = "LogLevel INFO\n" + extra
	}
	sshdCfg, hostKeys := lab.WriteSSHDConfig(t, dir, lab.SSHDOptions{Port: e.port, ListenAddress: "127.0.0.1", Config: extra})
	e.sshdCfg = sshdCfg
	hk, err := os.ReadFile(hostKeys[0] + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	e.hostKeyPub = strings.TrimSpace(string(hk))
	f := strings.Fields(e.hostKeyPub)
	e.knownHosts = filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(e.knownHosts, []byte(fmt.Sprintf("[127.0.0.1]:%d %s %s\n", e.port, f[0], f[1])), 0o600); err != nil {
		t.Fatal(err)
	}
	writeClientConfig(t, e)

	out := filepath.Join("testdata", "corpus", sc.name)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	// Stale files from an earlier recording must not survive.
	for _, n := range []string{"client.stderr", "client.stdout", "client_v.stderr", "sshd.log"} {
		os.Remove(filepath.Join(out, n))
	}
	if err := os.WriteFile(filepath.Join(out, "label"), []byte(sc.label+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	switch sc.name {
	case "sshd_port_in_use":
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", e.port))
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
	case "sshd_hostkey_perms":
		if err := os.Chmod(hostKeys[0], 0o644); err != nil {
			t.Fatal(err)
		}
	}

	var sshd *exec.Cmd
	logPath := filepath.Join(dir, "sshd.log")
	if !sc.noSSHD {
		logf, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		defer logf.Close()
		sshd = exec.Command("/usr/sbin/sshd", "-D", "-e", "-f", sshdCfg)
		sshd.Stdout, sshd.Stderr = logf, logf
		if err := sshd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = sshd.Wait(); close(exited) }()
		defer func() {
			_ = sshd.Process.Signal(os.Interrupt)
			select {
			case <-exited:
			case <-time.After(3 * time.Second):
				_ = sshd.Process.Kill()
				<-exited
			}
			b, _ := os.ReadFile(logPath)
			save(t, out, "sshd.log", b)
		}()
		if !waitPort(e.port, exited) {
			return // sshd refused to start: its log is the recording
		}
	}
	if sc.setup != nil {
		sc.setup(t, e)
	}
	repl := strings.NewReplacer("OTHERKEY", e.otherKey, "THIRDKEY", third, "KEY", e.key,
		"BADPORT", fmt.Sprint(e.badPort), "PORT", fmt.Sprint(e.port))
	var opts []string
	for _, o := range sc.opts {
		opts = append(opts, repl.Replace(o))
	}
	keys := sc.keys
	if keys == nil {
		keys = []string{"-i", "KEY"}
	}
	for _, k := range keys {
		opts = append(opts, repl.Replace(k))
	}
	if sc.noSSHD {
		opts = append(opts, "-p", fmt.Sprint(e.badPort))
	}
	dest := sc.dest
	if dest == "" {
		dest = "target"
	}
	cmd := sc.command
	if cmd == "" {
		cmd = "true"
	}
	stdout, stderr := runSSH(t, e, append(opts, dest, cmd)...)
	save(t, out, "client.stderr", stderr)
	save(t, out, "client.stdout", stdout)
	_, vstderr := runSSH(t, e, append(append([]string{"-v"}, opts...), dest, cmd)...)
	save(t, out, "client_v.stderr", vstderr)
	time.Sleep(300 * time.Millisecond) // let sshd write its last lines
}

func waitPort(port int, exited chan struct{}) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			time.Sleep(100 * time.Millisecond)
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func runSSH(t *testing.T, e *env, args ...string) (stdout, stderr []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), recordCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ssh", append([]string{"-F", e.config}, args...)...)
	var o, er strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &er
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("ssh: %v", err)
	}
	return []byte(o.String()), []byte(er.String())
}

func save(t *testing.T, dir, name string, b []byte) {
	if len(b) == 0 {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
