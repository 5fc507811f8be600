//go:build linux

package lab

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sshdStartTimeout bounds how long sshd may take to listen: it loads host
// keys and the config, which takes well under a second even on a busy
// machine; the margin is for CI under load.
const sshdStartTimeout = 10 * time.Second

// SSHDOptions describes a scenario's sshd.
type SSHDOptions struct {
	// Port defaults to 22.
	Port int
	// ListenAddress, when set, restricts sshd to it (e.g. "127.0.0.1").
	ListenAddress string
	// Config holds extra sshd_config lines. They come first, so they win
	// over the lab's defaults (sshd takes the first value it reads).
	Config string
	// Match holds Match blocks, appended at the end.
	Match string
	// HostKeyTypes defaults to ed25519.
	HostKeyTypes []string
	// NoWait starts sshd without waiting for it to listen (for configs
	// that make it exit).
	NoWait bool
}

// SSHD is a running sshd in the server namespace.
type SSHD struct {
	Dir      string
	Config   string
	LogFile  string
	Port     int
	HostKeys []string // private key paths
	NS       *NS
	Proc     *Process
}

// Debian's sshd refuses to start without its privilege separation directory.
func ensurePrivsepDir() error {
	return os.MkdirAll("/run/sshd", 0o755)
}

// WriteSSHDConfig writes a complete sshd_config and host keys into dir and
// returns the config path. Used by StartSSHD, and by tests that only need a
// config file (sshd -T, sshd -t).
func WriteSSHDConfig(t testing.TB, dir string, o SSHDOptions) (config string, hostKeys []string) {
	t.Helper()
	if o.Port == 0 {
		o.Port = 22
	}
	if len(o.HostKeyTypes) == 0 {
		o.HostKeyTypes = []string{"ed25519"}
	}
	var b strings.Builder
	b.WriteString(o.Config)
	if o.Config != "" && !strings.HasSuffix(o.Config, "\n") {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Port %d\n", o.Port)
	if o.ListenAddress != "" {
		fmt.Fprintf(&b, "ListenAddress %s\n", o.ListenAddress)
	}
	for _, typ := range o.HostKeyTypes {
		k := filepath.Join(dir, "ssh_host_"+typ+"_key")
		args := []string{"-q", "-N", "", "-t", typ, "-f", k, "-C", "lab-host"}
		if typ == "rsa" {
			args = append(args, "-b", "2048")
		}
		if out, err := exec.Command(Tool(t, "ssh-keygen"), args...).CombinedOutput(); err != nil {
			t.Fatalf("lab: ssh-keygen host key: %v: %s", err, out)
		}
		hostKeys = append(hostKeys, k)
		fmt.Fprintf(&b, "HostKey %s\n", k)
	}
	fmt.Fprintf(&b, "PidFile %s\n", filepath.Join(dir, "sshd.pid"))
	b.WriteString("UsePAM yes\nKbdInteractiveAuthentication no\nPasswordAuthentication no\n")
	b.WriteString("AuthorizedKeysFile .ssh/authorized_keys\nSubsystem sftp internal-sftp\n")
	b.WriteString("PrintMotd no\n")
	if o.Match != "" {
		b.WriteString(o.Match)
		if !strings.HasSuffix(o.Match, "\n") {
			b.WriteString("\n")
		}
	}
	config = filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(config, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return config, hostKeys
}

// StartSSHD starts Debian's real sshd (-D -e) in the server namespace with
// its own config and host keys; it is stopped when the test ends.
func (l *Lab) StartSSHD(t testing.TB, o SSHDOptions) *SSHD {
	t.Helper()
	return StartSSHDIn(t, l.Server, o)
}

// StartSSHDIn starts a real sshd in any lab namespace (the target behind
// a jump host, for one).
func StartSSHDIn(t testing.TB, ns *NS, o SSHDOptions) *SSHD {
	t.Helper()
	if err := ensurePrivsepDir(); err != nil {
		t.Fatal(err)
	}
	if o.Port == 0 {
		o.Port = 22
	}
	dir := t.TempDir()
	// sshd's StrictModes-like checks on host keys want a private directory.
	_ = os.Chmod(dir, 0o755)
	cfg, keys := WriteSSHDConfig(t, dir, o)
	s := &SSHD{Dir: dir, Config: cfg, Port: o.Port, HostKeys: keys, NS: ns,
		LogFile: filepath.Join(dir, "sshd.log")}
	s.start(t, o.NoWait)
	return s
}

func (s *SSHD) start(t testing.TB, noWait bool) {
	t.Helper()
	s.Proc = s.NS.Start(t, Tool(t, "sshd"), "-D", "-e", "-f", s.Config)
	s.LogFile = s.Proc.Log
	if noWait {
		return
	}
	deadline := time.Now().Add(sshdStartTimeout)
	for time.Now().Before(deadline) {
		if s.Proc.Exited() {
			t.Fatalf("lab: sshd exited: %s", s.Proc.Output())
		}
		if listening(s.Proc.Pid(), s.Port) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("lab: sshd not listening on %d after %s: %s", s.Port, sshdStartTimeout, s.Proc.Output())
}

// Stop stops sshd (the test can then check what a stopped sshd looks like).
func (s *SSHD) Stop() { s.Proc.Stop() }

// Log returns what sshd logged so far.
func (s *SSHD) Log() string { return s.Proc.Output() }

// HostKeyPub returns the public line of the first host key.
func (s *SSHD) HostKeyPub(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(s.HostKeys[0] + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func listening(pid, port int) bool {
	want := fmt.Sprintf(":%04X", port)
	for _, f := range []string{"tcp", "tcp6"} {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, f))
		for _, line := range strings.Split(string(b), "\n") {
			fields := strings.Fields(line)
			if len(fields) > 3 && fields[3] == "0A" && strings.HasSuffix(fields[1], want) {
				return true
			}
		}
	}
	return false
}
