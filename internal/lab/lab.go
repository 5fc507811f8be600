//go:build linux

// Package lab runs real OpenSSH in Linux network namespaces for tests: a
// client namespace and a server namespace joined by a veth pair with
// addresses in 198.18.0.0/15 (the benchmarking range), a real sshd with a
// scenario's config, real throw-away accounts, and small stand-in servers
// for the misbehaviours sshd cannot be made to show.
//
// No traffic leaves the namespaces a test creates: the client's only route
// is the veth link, so any other address is unreachable by construction.
//
// Lab tests call Require first. Without root or the tools they skip, except
// under CI=true, where a skip is a failure.
package lab

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Addresses inside every lab.
const (
	ClientAddr = "198.18.0.1"
	ServerAddr = "198.18.0.2"
	// Unroutable is inside 198.18.0.0/15 but outside the lab link: the
	// client has no route to it (ENETUNREACH), so nothing is ever sent.
	Unroutable = "198.19.255.1"
	// JumpAddr and TargetAddr are the second link (AddTarget): the
	// server namespace, acting as a jump host, and a third namespace
	// behind it that the client has no route to.
	JumpAddr   = "198.18.1.1"
	TargetAddr = "198.18.1.2"
	prefixLen  = "30"
)

// commandTimeout bounds every command the lab runs for a test: generous
// for ssh-keygen of an RSA key on a loaded two-core machine, yet short
// enough that a hung command fails the test instead of the whole run.
const commandTimeout = 60 * time.Second

// Require skips (or, under CI=true, fails) the test unless it runs as root
// with ip, sshd, ssh and ssh-keygen plus any extra tools named.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	for _, tool := range append([]string{"ip", "sshd", "ssh", "ssh-keygen"}, tools...) {
		if _, err := lookTool(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "lab: needs " + strings.Join(missing, ", ") + " (run `make test-deps` as root)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI=true forbids skipping")
	}
	t.Skip(msg)
}

// lookTool finds a tool on PATH or in the sbin directories, which a
// non-login root shell may not have on PATH.
func lookTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

// Tool returns the path of a tool, failing the test when it is missing.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := lookTool(name)
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	return p
}

// uniq returns a short random suffix for names that must not collide with
// other tests running at the same time.
func uniq() string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// The main goroutine keeps the main thread for itself, so that a goroutine
// of inNS can never switch the main thread into a lab namespace: the
// process's /proc/self/net follows the main thread, and code under test
// reads it.
func init() { runtime.LockOSThread() }

// NS is one network namespace.
type NS struct {
	Name string
	Addr string
	// Iface is the veth end inside this namespace.
	Iface string
}

// Lab is a client and a server namespace joined by veth, and optionally
// a target namespace behind the server (AddTarget).
type Lab struct {
	Client *NS
	Server *NS
	Target *NS
	id     string
}

// New creates the two namespaces and the link, removed when the test ends.
func New(t testing.TB) *Lab {
	t.Helper()
	id := uniq()
	l := &Lab{
		Client: &NS{Name: "sdlab-" + id + "-c", Addr: ClientAddr, Iface: "sd" + id + "c"},
		Server: &NS{Name: "sdlab-" + id + "-s", Addr: ServerAddr, Iface: "sd" + id + "s"},
		id:     id,
	}
	ip := Tool(t, "ip")
	t.Cleanup(func() {
		for _, ns := range []*NS{l.Client, l.Server} {
			_ = exec.Command(ip, "netns", "del", ns.Name).Run()
			_ = os.RemoveAll(filepath.Join("/etc/netns", ns.Name))
		}
	})
	steps := [][]string{
		{"netns", "add", l.Client.Name},
		{"netns", "add", l.Server.Name},
		{"link", "add", l.Client.Iface, "netns", l.Client.Name, "type", "veth", "peer", "name", l.Server.Iface, "netns", l.Server.Name},
	}
	for _, ns := range []*NS{l.Client, l.Server} {
		steps = append(steps,
			[]string{"-n", ns.Name, "link", "set", "lo", "up"},
			[]string{"-n", ns.Name, "addr", "add", ns.Addr + "/" + prefixLen, "dev", ns.Iface},
			[]string{"-n", ns.Name, "link", "set", ns.Iface, "up"},
		)
	}
	for _, s := range steps {
		if out, err := exec.Command(ip, s...).CombinedOutput(); err != nil {
			t.Fatalf("lab: ip %s: %v: %s", strings.Join(s, " "), err, out)
		}
	}
	return l
}

// AddTarget creates a third namespace linked to the server namespace only
// (client → server → target, as client → jump host → destination): the
// server side of the link is JumpAddr, the target TargetAddr. The client
// has no route to it, so only a connection made by the server namespace
// (a jump host's forwarding) reaches it.
func (l *Lab) AddTarget(t testing.TB) *NS {
	t.Helper()
	ip := Tool(t, "ip")
	tgt := &NS{Name: "sdlab-" + l.id + "-t", Addr: TargetAddr, Iface: "sd" + l.id + "t"}
	peer := "sd" + l.id + "j"
	t.Cleanup(func() {
		_ = exec.Command(ip, "netns", "del", tgt.Name).Run()
		_ = os.RemoveAll(filepath.Join("/etc/netns", tgt.Name))
	})
	steps := [][]string{
		{"netns", "add", tgt.Name},
		{"link", "add", tgt.Iface, "netns", tgt.Name, "type", "veth", "peer", "name", peer, "netns", l.Server.Name},
		{"-n", tgt.Name, "link", "set", "lo", "up"},
		{"-n", tgt.Name, "addr", "add", TargetAddr + "/" + prefixLen, "dev", tgt.Iface},
		{"-n", tgt.Name, "link", "set", tgt.Iface, "up"},
		{"-n", l.Server.Name, "addr", "add", JumpAddr + "/" + prefixLen, "dev", peer},
		{"-n", l.Server.Name, "link", "set", peer, "up"},
	}
	for _, s := range steps {
		if out, err := exec.Command(ip, s...).CombinedOutput(); err != nil {
			t.Fatalf("lab: ip %s: %v: %s", strings.Join(s, " "), err, out)
		}
	}
	l.Target = tgt
	return tgt
}

// Command prepares name args... to run inside the namespace.
func (n *NS) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	ip, err := lookTool("ip")
	if err != nil {
		ip = "ip"
	}
	if p, err := lookTool(name); err == nil && !strings.Contains(name, "/") {
		name = p
	}
	cmd := exec.CommandContext(ctx, ip, append([]string{"netns", "exec", n.Name, name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// Result of a finished command.
type Result struct {
	Stdout, Stderr string
	ExitCode       int
	Duration       time.Duration
}

// Run runs a command in the namespace to completion (bounded by
// commandTimeout) and returns its output and exit code. Failing to start it
// fails the test; a non-zero exit does not.
func (n *NS) Run(t testing.TB, name string, args ...string) Result {
	t.Helper()
	return n.RunEnv(t, nil, name, args...)
}

// RunEnv is Run with extra environment variables (KEY=VALUE).
func (n *NS) RunEnv(t testing.TB, env []string, name string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := n.Command(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := Result{Stdout: out.String(), Stderr: errb.String(), Duration: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.ExitCode = ee.ExitCode()
	default:
		t.Fatalf("lab: %s %s in %s: %v (stderr: %s)", name, strings.Join(args, " "), n.Name, err, errb.String())
	}
	checkJSONReport(t, name, args, r)
	return r
}

// MustRun runs a command and fails the test unless it exits 0.
func (n *NS) MustRun(t testing.TB, name string, args ...string) string {
	t.Helper()
	r := n.Run(t, name, args...)
	if r.ExitCode != 0 {
		t.Fatalf("lab: %s %s in %s: exit %d: %s%s", name, strings.Join(args, " "), n.Name, r.ExitCode, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// Start runs a command in the background; it is killed (with its process
// group) when the test ends. Output goes to the returned buffers' files.
func (n *NS) Start(t testing.TB, name string, args ...string) *Process {
	t.Helper()
	dir := t.TempDir()
	p := &Process{Log: filepath.Join(dir, "output.log")}
	f, err := os.Create(p.Log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = n.Command(context.Background(), name, args...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("lab: start %s in %s: %v", name, n.Name, err)
	}
	p.done = make(chan struct{})
	go func() { _ = p.cmd.Wait(); f.Close(); close(p.done) }()
	t.Cleanup(p.Stop)
	return p
}

// Process is a background command.
type Process struct {
	Log  string
	cmd  *exec.Cmd
	done chan struct{}
	once sync.Once
}

// Pid of the process (the command itself: ip netns exec execs it).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Stop kills the process group and waits for it.
func (p *Process) Stop() {
	p.once.Do(func() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
		}
	})
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Output returns what the process printed so far.
func (p *Process) Output() string {
	b, _ := os.ReadFile(p.Log)
	return string(b)
}

// inNS runs f on a locked OS thread switched into the namespace. Sockets
// created there stay in the namespace. The thread is never unlocked, so
// the Go runtime discards it afterwards instead of reusing a thread in the
// wrong namespace.
func (n *NS) inNS(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open(filepath.Join("/var/run/netns", n.Name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", n.Name, err)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// Listen opens a TCP listener inside the namespace, closed when the test
// ends.
func (n *NS) Listen(t testing.TB, addr string) net.Listener {
	t.Helper()
	var ln net.Listener
	err := n.inNS(func() error {
		var err error
		ln, err = net.Listen("tcp", addr)
		return err
	})
	if err != nil {
		t.Fatalf("lab: listen %s in %s: %v", addr, n.Name, err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// DialContext connects from inside the namespace; usable as a net.Dialer
// replacement for in-process clients.
func (n *NS) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := n.inNS(func() error {
		var d net.Dialer
		var err error
		c, err = d.DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// SetResolver makes programs run in this namespace (through Command) use
// the given name server, via ip-netns' per-namespace /etc/netns files.
func (n *NS) SetResolver(t testing.TB, server string) {
	t.Helper()
	dir := filepath.Join("/etc/netns", n.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := "nameserver " + server + "\noptions timeout:1 attempts:1\n"
	if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// An empty hosts file so that names resolve only through the lab's DNS.
	if err := os.WriteFile(filepath.Join(dir, "hosts"), []byte("127.0.0.1 localhost\n::1 localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// WaitListening waits until something listens on port in the namespace,
// reading the namespace's own TCP table through a process inside it.
func WaitListening(t testing.TB, pid int, port int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	want := fmt.Sprintf(":%04X ", port)
	for time.Now().Before(deadline) {
		for _, f := range []string{"tcp", "tcp6"} {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, f))
			for _, line := range strings.Split(string(b), "\n") {
				fields := strings.Fields(line)
				if len(fields) > 3 && fields[3] == "0A" && strings.Contains(fields[1]+" ", want) {
					return
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("lab: nothing listens on port %d after %s", port, timeout)
}
