//go:build linux

package client_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

func TestMain(m *testing.M) {
	code := m.Run()
	lab.Cleanup()
	os.Exit(code)
}

// scenario is one lab setup for `sshdoctor check`.
type scenario struct {
	lab     *lab.Lab
	cfgFile string // ssh client config given with -F
	dir     string
}

func newScenario(t *testing.T) *scenario {
	t.Helper()
	lab.Require(t)
	l := lab.New(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ssh_config")
	if err := os.WriteFile(cfg, []byte("Host *\n  UserKnownHostsFile "+filepath.Join(dir, "known_hosts")+"\n  IdentitiesOnly yes\n  BatchMode yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &scenario{lab: l, cfgFile: cfg, dir: dir}
}

// doctor runs sshdoctor in the client namespace with an isolated config
// and no agent.
func (s *scenario) doctor(t *testing.T, args ...string) lab.Doctor {
	t.Helper()
	return s.lab.Client.RunDoctorEnv(t, []string{"SSH_AUTH_SOCK=", "HOME=" + s.dir},
		append([]string{"check", "-F", s.cfgFile, "--timeout", "2s"}, args...)...)
}

// realSSH runs the real ssh client the same way, for cross-checking.
func (s *scenario) realSSH(t *testing.T, args ...string) lab.Result {
	t.Helper()
	return s.lab.Client.RunEnv(t, []string{"SSH_AUTH_SOCK=", "HOME=" + s.dir}, "ssh",
		append([]string{"-F", s.cfgFile, "-o", "ConnectTimeout=2"}, args...)...)
}

func expect(t *testing.T, d lab.Doctor, code string, exit int) {
	t.Helper()
	if d.Report.Diagnosis.Code != code || d.ExitCode != exit {
		t.Fatalf("diagnosis %q exit %d, want %q exit %d\nstdout: %s\nstderr: %s",
			d.Report.Diagnosis.Code, d.ExitCode, code, exit, d.Stdout, d.Stderr)
	}
	if code != "ok" && (d.Report.Diagnosis.Title == "" || d.Report.Diagnosis.Explanation == "") {
		t.Fatalf("diagnosis without texts: %+v", d.Report.Diagnosis)
	}
}

// fixHas asserts some fix command of the diagnosis contains want.
func fixHas(t *testing.T, d lab.Doctor, want string) {
	t.Helper()
	for _, f := range d.Report.Diagnosis.Fixes {
		if strings.Contains(f.Command, want) {
			return
		}
	}
	t.Fatalf("no fix command contains %q: %+v", want, d.Report.Diagnosis.Fixes)
}

func TestLabHealthyServer(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	sshd := s.lab.StartSSHD(t, lab.SSHDOptions{})
	u := lab.AddUser(t, lab.UserOptions{})
	priv, pub := lab.NewKey(t, s.dir, "ed25519")
	u.AuthorizeKey(t, pub)
	if err := os.WriteFile(filepath.Join(s.dir, "known_hosts"), []byte(lab.ServerAddr+" "+sshd.HostKeyPub(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := s.doctor(t, "-i", priv, u.Name+"@"+lab.ServerAddr)
	expect(t, d, "ok", 0)
	if d.Report.Target.Hostname != lab.ServerAddr || d.Report.Target.Port != 22 || d.Report.Target.User != u.Name ||
		len(d.Report.Target.Addresses) != 1 {
		t.Fatalf("target %+v", d.Report.Target)
	}
	if f := d.Finding("banner.server"); f == nil || !strings.Contains(f.Evidence["identification"], "OpenSSH_") {
		t.Fatalf("banner finding: %+v", f)
	}
	if r := s.realSSH(t, "-i", priv, u.Name+"@"+lab.ServerAddr, "true"); r.ExitCode != 0 {
		t.Fatalf("real ssh failed on the healthy server: %s", r.Stderr)
	}
}

func TestLabNothingListening(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	d := s.doctor(t, "-p", "2222", "alice@"+lab.ServerAddr)
	expect(t, d, "tcp.refused", 1)
	fixHas(t, d, "sshdoctor server --port 2222")
	fixHas(t, d, "sshdoctor vm --from lan --port 2222") // a LAN address and not port 22
	if c := d.Check("banner"); c == nil || c.Status != "skip" || c.SkippedFor != "tcp" {
		t.Fatalf("banner should be skipped for tcp: %+v", c)
	}
	if r := s.realSSH(t, "-p", "2222", "alice@"+lab.ServerAddr); !strings.Contains(r.Stderr, "Connection refused") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
}

func TestLabSSHDOnLoopbackOnly(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	s.lab.StartSSHD(t, lab.SSHDOptions{ListenAddress: "127.0.0.1"})
	d := s.doctor(t, "alice@"+lab.ServerAddr)
	expect(t, d, "tcp.refused", 1)
	fixHas(t, d, "ss -ltnp")
}

func TestLabFirewallDrop(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	s.lab.StartSSHD(t, lab.SSHDOptions{})
	s.lab.Server.MustRun(t, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP")
	d := s.doctor(t, "alice@"+lab.ServerAddr)
	expect(t, d, "tcp.timeout", 1)
	// The run ends within the timeout (2s) plus 2s, not ssh's two minutes.
	if d.Duration > 4*time.Second {
		t.Fatalf("took %s", d.Duration)
	}
	if r := s.realSSH(t, "alice@"+lab.ServerAddr); !strings.Contains(r.Stderr, "timed out") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
}

func TestLabRejectHostProhibited(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	s.lab.Server.MustRun(t, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "REJECT", "--reject-with", "icmp-host-prohibited")
	d := s.doctor(t, "alice@"+lab.ServerAddr)
	expect(t, d, "tcp.no_route", 1)
	if r := s.realSSH(t, "alice@"+lab.ServerAddr); !strings.Contains(r.Stderr, "No route to host") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
}

func TestLabNetworkUnreachable(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	d := s.doctor(t, "alice@"+lab.Unroutable)
	expect(t, d, "tcp.net_unreachable", 1)
	fixHas(t, d, "ip route get "+lab.Unroutable)
	if r := s.realSSH(t, "alice@"+lab.Unroutable); !strings.Contains(r.Stderr, "Network is unreachable") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
}

func TestLabNXDomain(t *testing.T) {
	t.Parallel()
	lab.Require(t, "dnsmasq")
	s := newScenario(t)
	s.lab.Server.StartDNS(t, map[string]string{"ssh.lab.test": lab.ServerAddr})
	s.lab.Client.SetResolver(t, lab.ServerAddr)
	d := s.doctor(t, "alice@nothere.lab.test")
	expect(t, d, "dns.nxdomain", 1)
	fixHas(t, d, "getent hosts nothere.lab.test")
	if r := s.realSSH(t, "alice@nothere.lab.test"); !strings.Contains(r.Stderr, "Could not resolve hostname") {
		t.Fatalf("real ssh: %q", r.Stderr)
	}
	// And the name the server knows resolves, reaching the TCP layer.
	d = s.doctor(t, "alice@ssh.lab.test")
	expect(t, d, "tcp.refused", 1)
	if got := d.Report.Target.Addresses; len(got) != 1 || got[0] != lab.ServerAddr {
		t.Fatalf("addresses %v", got)
	}
}

// standIn serves a behaviour on the server's port 22.
func (s *scenario) standIn(t *testing.T, b lab.Behaviour) {
	ln := s.lab.Server.Listen(t, lab.ServerAddr+":22")
	lab.Serve(t, ln, b)
}

func TestLabBannerStandIns(t *testing.T) {
	cases := []struct {
		name     string
		b        lab.Behaviour
		code     string
		evidence string // expected in the received evidence
		fix      string
		sshSays  string // what the real ssh prints
	}{
		{"http", lab.HTTP, "banner.not_ssh", "HTTP/1.1 400", "ss -ltnp", "Connection closed"},
		{"close", lab.CloseAtOnce, "banner.closed", "nothing", "journalctl", "Connection closed by " + lab.ServerAddr},
		{"reset", lab.Reset, "banner.reset", "nothing", "journalctl", "reset"},
		{"silent", lab.Silent, "banner.timeout", "nothing", "ss -ltnp", "timed out"},
		{"endlessh", lab.Endlessh(200 * time.Millisecond), "banner.timeout", "tarpit line", "ss -ltnp", ""},
		{"ssh1", lab.SSH1, "banner.protocol1", "SSH-1.5-", "", "Protocol major versions differ"},
		{"maxstartups-text", lab.MaxStartups("Not allowed at this time"), "banner.throttled", "Not allowed at this time", "PerSourcePenaltyExemptList", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t)
			s.standIn(t, c.b)
			d := s.doctor(t, "alice@"+lab.ServerAddr)
			expect(t, d, c.code, 1)
			if d.Duration > 4*time.Second {
				t.Fatalf("took %s", d.Duration)
			}
			var ev string
			for _, ch := range d.Report.Checks {
				for _, f := range ch.Findings {
					if f.Code == c.code {
						ev = f.Evidence["received"] + f.Evidence["first_lines"]
					}
				}
			}
			if !strings.Contains(ev, c.evidence) {
				t.Fatalf("evidence %q lacks %q", ev, c.evidence)
			}
			if c.code == "banner.not_ssh" && !strings.Contains(d.Report.Diagnosis.Title, "HTTP") {
				t.Fatalf("protocol not named: %q", d.Report.Diagnosis.Title)
			}
			if c.fix != "" {
				fixHas(t, d, c.fix)
			}
			if c.sshSays != "" {
				if r := s.realSSH(t, "alice@"+lab.ServerAddr); !strings.Contains(r.Stderr, c.sshSays) {
					t.Fatalf("real ssh said %q, want %q", r.Stderr, c.sshSays)
				}
			}
		})
	}
}

// A real sshd with MaxStartups 1 and one connection held open refuses the
// next with "Exceeded MaxStartups" (OpenSSH 9.2; 9.8+ says "Not allowed at
// this time").
func TestLabRealMaxStartups(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	s.lab.StartSSHD(t, lab.SSHDOptions{Config: "MaxStartups 1\nLoginGraceTime 30\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hold, err := s.lab.Client.DialContext(ctx, "tcp", lab.ServerAddr+":22")
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	// Make sure sshd has accepted the held connection before we probe.
	buf := make([]byte, 64)
	hold.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := hold.Read(buf); err != nil {
		t.Fatal(err)
	}
	d := s.doctor(t, "alice@"+lab.ServerAddr)
	expect(t, d, "banner.throttled", 1)
}

// A port forward with nothing behind it: accepted, then closed.
func TestLabForwarderWithNothingBehind(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	ln := s.lab.Server.Listen(t, lab.ServerAddr+":2222")
	lab.Serve(t, ln, lab.Forwarder(func() (net.Conn, error) {
		return net.DialTimeout("tcp", "127.0.0.1:1", time.Second) // nothing there
	}))
	d := s.doctor(t, "-p", "2222", "alice@"+lab.ServerAddr)
	expect(t, d, "banner.closed", 1)
	fixHas(t, d, "sshdoctor vm --port 2222")
}

// Bad input: one line on stderr, exit 2, no JSON needed.
func TestLabUsageErrors(t *testing.T) {
	lab.Require(t)
	bin := lab.Binary(t)
	l := lab.New(t)
	for _, args := range [][]string{
		{"check", "-p", "70000", "host"},
		{"check", "host:0"},
		{"check", "-F", "/nonexistent/cfg", "host"},
		{"check", "-o", "bogus", "host"},
		{"check"},
		{"--lang", "fr", "host"},
	} {
		r := l.Client.Run(t, bin, args...)
		lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
		if r.ExitCode != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "sshdoctor: ") {
			t.Errorf("%v: exit %d stderr %q", args, r.ExitCode, r.Stderr)
		}
	}
	_ = fmt.Sprint
}

// ssh refuses a per-user config that others can write: perm.ssh_config,
// from ssh -G's own verdict, run as a real user whose ~/.ssh/config is 0666.
func TestLabSSHConfigPermissions(t *testing.T) {
	t.Parallel()
	lab.Require(t, "runuser")
	l := lab.New(t)
	u := lab.AddUser(t, lab.UserOptions{})
	dir := filepath.Join(u.Home, ".ssh")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("Host *\n  ConnectTimeout 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cfg, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, u.UID, u.GID); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(cfg, u.UID, u.GID); err != nil {
		t.Fatal(err)
	}
	bin := lab.Binary(t)
	r := l.Client.Run(t, "runuser", "-u", u.Name, "--", bin, "--json", "check", "--timeout", "1s", lab.ServerAddr)
	if r.ExitCode != 1 || !strings.Contains(r.Stdout, `"code": "perm.ssh_config"`) || !strings.Contains(r.Stdout, "chmod 600 "+cfg) {
		t.Fatalf("exit %d\n%s\n%s", r.ExitCode, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stdout, `"mode": "0666"`) {
		t.Fatalf("mode evidence missing:\n%s", r.Stdout)
	}
	ssh := l.Client.Run(t, "runuser", "-u", u.Name, "--", "ssh", "-o", "BatchMode=yes", lab.ServerAddr)
	if !strings.Contains(ssh.Stderr, "Bad owner or permissions") {
		t.Fatalf("real ssh: %q", ssh.Stderr)
	}
}

// A bad line in the config: the option no OpenSSH knows, with file and line.
func TestLabSSHConfigError(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	if err := os.WriteFile(s.cfgFile, []byte("Host *\n  ConnectTimeout 3\n  Bogusoption yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := s.doctor(t, lab.ServerAddr)
	expect(t, d, "config.unknown_option", 1)
	f := d.Finding("config.unknown_option")
	if f.Evidence["location"] != s.cfgFile+":3" {
		t.Fatalf("evidence %v", f.Evidence)
	}
	fixHas(t, d, "sed -n '3p'")
}

// A name with two addresses, the first dropped by a firewall: ssh would
// hang on it before trying the second, which sshdoctor warns about while
// the rest of the path is checked through the working one.
func TestLabOneOfTwoAddressesDropped(t *testing.T) {
	t.Parallel()
	s := newScenario(t)
	s.lab.Server.MustRun(t, "ip", "addr", "add", "198.18.1.2/24", "dev", s.lab.Server.Iface)
	s.lab.Client.MustRun(t, "ip", "addr", "add", "198.18.1.1/24", "dev", s.lab.Client.Iface)
	s.lab.Server.MustRun(t, "iptables", "-A", "INPUT", "-d", "198.18.1.2", "-p", "tcp", "--dport", "22", "-j", "DROP")
	s.lab.StartSSHD(t, lab.SSHDOptions{})
	s.lab.Client.SetResolver(t, lab.ServerAddr)
	// SetResolver wrote a hosts file; name the two addresses there, in order.
	hosts := filepath.Join("/etc/netns", s.lab.Client.Name, "hosts")
	if err := os.WriteFile(hosts, []byte("198.18.1.2 multi.lab.test\n198.18.0.2 multi.lab.test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := s.doctor(t, "--no-login", "alice@multi.lab.test")
	f := d.Finding("tcp.partial")
	if f == nil {
		t.Fatalf("no tcp.partial warning:\n%s", d.Stdout)
	}
	if !strings.Contains(f.Title, "198.18.1.2") || !strings.Contains(f.Title, "198.18.0.2") {
		t.Fatalf("title %q", f.Title)
	}
	if c := d.Check("banner"); c == nil || c.Status != "pass" {
		t.Fatalf("banner through the working address: %+v", c)
	}
	if got := d.Report.Target.Addresses; len(got) != 2 || got[0] != "198.18.1.2" {
		t.Fatalf("addresses %v", got)
	}
}

// `sshdoctor check` against this machine's port that is a QEMU forward: a
// real, paused QEMU (no guest runs, so nothing answers behind the forward)
// in the client namespace, forwarding 127.0.0.1:2222 to the guest's 22.
// The vm-forward layer names the VM and its forward beside the banner
// failure the network layers see.
func TestLabCheckAddsVMForwardFindings(t *testing.T) {
	t.Parallel()
	lab.Require(t, "qemu-system-x86_64")
	s := newScenario(t)
	name := "sdchk-" + filepath.Base(s.dir)
	q := s.lab.Client.Start(t, "qemu-system-x86_64", "-name", name, "-display", "none", "-nodefaults",
		"-no-user-config", "-S", "-m", "32", "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22",
		"-device", "e1000,netdev=n0")
	deadline := time.Now().Add(20 * time.Second)
	for !listeningIn(q.Pid(), 2222) {
		if time.Now().After(deadline) || q.Exited() {
			t.Fatalf("QEMU does not listen on 2222: %s", q.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	d := s.doctor(t, "-p", "2222", "alice@127.0.0.1")
	c := d.Check("vm-forward")
	if c == nil || len(c.Findings) == 0 {
		t.Fatalf("no VM findings:\n%s", d.Stdout)
	}
	var codes []string
	found := false
	for _, f := range c.Findings {
		codes = append(codes, f.Code)
		if strings.HasPrefix(f.Code, "qemu.") && strings.Contains(f.Title+f.Explanation+fmt.Sprint(f.Evidence), name) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no qemu finding naming %s: %v\n%s", name, codes, d.Stdout)
	}
	if !strings.HasPrefix(d.Report.Diagnosis.Code, "banner.") && !strings.HasPrefix(d.Report.Diagnosis.Code, "qemu.") {
		t.Fatalf("diagnosis %s", d.Report.Diagnosis.Code)
	}
}

// listeningIn reads the TCP table of pid's network namespace.
func listeningIn(pid, port int) bool {
	want := fmt.Sprintf(":%04X", port)
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/tcp", pid))
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 3 && f[3] == "0A" && strings.HasSuffix(f[1], want) {
			return true
		}
	}
	return false
}
