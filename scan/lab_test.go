//go:build linux

package scan_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/internal/lab"
	"github.com/sshdoctor/sshdoctor/scan"
)

func TestMain(m *testing.M) {
	code := m.Run()
	lab.Cleanup()
	os.Exit(code)
}

// fleet is n addresses in 198.19.0.0/22 on the lab server's one interface,
// one real sshd listening on all of them, and a tenth of them made to fail
// in five ways, a fifth of that tenth each.
type fleet struct {
	lab    *lab.Lab
	dir    string
	cfg    string // ssh client config for the scan (-F)
	list   string // one address a line
	addrs  []string
	expect map[string]string // address → the diagnosis code it must get
}

// The five failures and the root cause each must be named as.
var failures = []struct{ name, code string }{
	{"drop", "tcp.timeout"},            // iptables DROP: SYNs vanish
	{"reject", "tcp.no_route"},         // iptables REJECT --reject-with icmp-host-prohibited
	{"no-sshd", "tcp.refused"},         // redirected to a port where nothing listens
	{"wrong-key", "hostkey.changed"},   // another sshd, whose host key is not the one known
	{"rsa-only", "kex.no_hostkey_alg"}, // an sshd offering only ssh-rsa signatures
}

func addr(i int) string { return fmt.Sprintf("198.19.%d.%d", i/256, i%256) }

func newFleet(t testing.TB, n int) *fleet {
	t.Helper()
	lab.Require(t, "iptables", "ssh-keyscan")
	l := lab.New(t)
	f := &fleet{lab: l, dir: t.TempDir(), expect: map[string]string{}}
	// Many simultaneous unauthenticated connections to one sshd: lift
	// MaxStartups, which a fleet of separate sshds would never meet.
	main := l.StartSSHD(t, lab.SSHDOptions{Config: "MaxStartups 4000\nMaxSessions 10\n"})
	other := l.StartSSHD(t, lab.SSHDOptions{Port: 2222, Config: "MaxStartups 4000\n"})
	rsa := l.StartSSHD(t, lab.SSHDOptions{Port: 2223, HostKeyTypes: []string{"rsa"},
		Config: "MaxStartups 4000\nHostKeyAlgorithms ssh-rsa\n"})
	_ = other
	_ = rsa

	var batch strings.Builder
	for i := 1; i <= n; i++ {
		a := addr(i)
		f.addrs = append(f.addrs, a)
		fmt.Fprintf(&batch, "addr add %s/32 dev %s\n", a, l.Server.Iface)
	}
	bf := filepath.Join(f.dir, "addrs.batch")
	must(t, os.WriteFile(bf, []byte(batch.String()), 0o600))
	l.Server.MustRun(t, "ip", "-batch", bf)
	l.Client.MustRun(t, "ip", "route", "add", "198.19.0.0/22", "via", lab.ServerAddr)
	// Every REJECT must be answered: lift the kernel's ICMP rate limit in
	// the server's namespace (one client would otherwise get 1 a second).
	l.Server.MustRun(t, "sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0")

	per := n / 10 / len(failures)
	if per < 1 {
		per = 1
	}
	for k, fl := range failures {
		first := n - (len(failures)-k)*per + 1
		last := first + per - 1
		rng := addr(first) + "-" + addr(last)
		switch fl.name {
		case "drop":
			l.Server.MustRun(t, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-m", "iprange", "--dst-range", rng, "-j", "DROP")
		case "reject":
			l.Server.MustRun(t, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-m", "iprange", "--dst-range", rng, "-j", "REJECT", "--reject-with", "icmp-host-prohibited")
		case "no-sshd":
			l.Server.MustRun(t, "iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "22", "-m", "iprange", "--dst-range", rng, "-j", "REDIRECT", "--to-ports", "9")
		case "wrong-key":
			l.Server.MustRun(t, "iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "22", "-m", "iprange", "--dst-range", rng, "-j", "REDIRECT", "--to-ports", "2222")
		case "rsa-only":
			l.Server.MustRun(t, "iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "22", "-m", "iprange", "--dst-range", rng, "-j", "REDIRECT", "--to-ports", "2223")
		}
		for i := first; i <= last; i++ {
			f.expect[addr(i)] = fl.code
		}
	}
	for _, a := range f.addrs {
		if _, ok := f.expect[a]; !ok {
			f.expect[a] = "ok"
		}
	}

	// A real account the scan authenticates as (no login: --no-login is
	// the default), and known_hosts holding the main sshd's key for every
	// address.
	u := lab.AddUser(t, lab.UserOptions{})
	priv, pub := lab.NewKey(t, f.dir, "ed25519")
	u.AuthorizeKey(t, pub)
	hostKey := main.HostKeyPub(t)
	fields := strings.Fields(hostKey)
	var kh strings.Builder
	for _, a := range f.addrs {
		fmt.Fprintf(&kh, "%s %s %s\n", a, fields[0], fields[1])
	}
	khFile := filepath.Join(f.dir, "known_hosts")
	must(t, os.WriteFile(khFile, []byte(kh.String()), 0o600))
	f.cfg = filepath.Join(f.dir, "ssh_config")
	must(t, os.WriteFile(f.cfg, []byte(fmt.Sprintf("Host *\n  User %s\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n",
		u.Name, priv, khFile)), 0o600))
	f.list = filepath.Join(f.dir, "hosts.txt")
	must(t, os.WriteFile(f.list, []byte(strings.Join(f.addrs, "\n")+"\n"), 0o600))
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// run runs a command in the client namespace with its own deadline and
// returns stdout, the exit code, the wall time and the peak RSS in bytes.
func (f *fleet) run(t testing.TB, timeout time.Duration, env []string, name string, args ...string) (string, int, time.Duration, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := f.lab.Client.Command(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out strings.Builder
	var errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	code := 0
	if err != nil {
		if cmd.ProcessState == nil {
			t.Fatalf("%s: %v", name, err)
		}
		code = cmd.ProcessState.ExitCode()
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024
	}
	if code != 0 && code != 1 && code != 3 {
		e := errb.String()
		if len(e) > 2000 {
			e = e[len(e)-2000:]
		}
		t.Fatalf("%s: %s after %s: …%s", name, cmd.ProcessState, d, e)
	}
	return out.String(), code, d, rss
}

type hostLine struct {
	Kind        string `json:"kind"`
	Destination string `json:"destination"`
	Code        string `json:"code"`
	Result      string `json:"result"`
	HostKey     string `json:"host_key"`
	Report      *struct {
		Stats  struct{ Connections int } `json:"stats"`
		Checks []struct {
			Name     string
			Status   string
			Findings []struct {
				Code     string
				Evidence map[string]string
			}
		}
	} `json:"report"`
}

type summaryLine struct {
	Kind        string              `json:"kind"`
	Hosts       int                 `json:"hosts"`
	Connections int                 `json:"connections"`
	Groups      []scan.Group        `json:"groups"`
	Fleet       []scan.FleetFinding `json:"fleet"`
	ExitCode    int                 `json:"exit_code"`
}

// scanFleet runs `sshdoctor --json scan --timeout T -f list` and checks
// every host and group against what the lab made it.
func (f *fleet) scanFleet(t testing.TB, timeout string, extra ...string) (time.Duration, int64) {
	t.Helper()
	args := append([]string{"--json", "scan", "-F", f.cfg, "--timeout", timeout, "-f", f.list}, extra...)
	out, code, d, rss := f.run(t, 10*time.Minute, []string{"SSH_AUTH_SOCK=", "HOME=" + f.dir}, lab.Binary(t), args...)
	var hosts []hostLine
	var sum summaryLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var k struct{ Kind string }
		must(t, json.Unmarshal(line, &k))
		switch k.Kind {
		case "host":
			var h hostLine
			must(t, json.Unmarshal(line, &h))
			hosts = append(hosts, h)
		case "summary":
			must(t, json.Unmarshal(line, &sum))
		}
	}
	if len(hosts) != len(f.addrs) || sum.Hosts != len(f.addrs) {
		t.Fatalf("%d host lines, summary of %d, want %d", len(hosts), sum.Hosts, len(f.addrs))
	}
	wrong := 0
	for _, h := range hosts {
		if want := f.expect[h.Destination]; h.Code != want {
			if wrong++; wrong <= 10 {
				t.Errorf("%s: %s, want %s", h.Destination, h.Code, want)
				if wrong <= 3 && h.Report != nil {
					for _, c := range h.Report.Checks {
						for _, fd := range c.Findings {
							if fd.Code == h.Code {
								t.Logf("  evidence: %v", fd.Evidence)
							}
						}
					}
				}
			}
		}
		if h.Report != nil && h.Report.Stats.Connections > 2 {
			t.Errorf("%s: %d connections, a no-login scan opens at most 2", h.Destination, h.Report.Stats.Connections)
		}
	}
	// The summary's groups are exactly the lab's groups, with their counts.
	want := map[string]int{}
	for _, c := range f.expect {
		want[c]++
	}
	got := map[string]int{}
	for _, g := range sum.Groups {
		got[g.Code] = g.Count
		if len(g.Hosts) != g.Count {
			t.Errorf("group %s: %d hosts listed for count %d", g.Code, len(g.Hosts), g.Count)
		}
	}
	if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(want)) {
		t.Errorf("groups %v, want %v", sorted(got), sorted(want))
	}
	// Each group is named for what its hosts share: the catalog's title
	// for the cause worded without any one host, and no fix that names one
	// host of the group.
	for _, g := range sum.Groups {
		if g.Code != "ok" {
			if w, ok := catalog.TitleWithout(g.Code); !ok || g.Title != w.En {
				t.Errorf("group %s titled %q, want the catalog's title for the group %q", g.Code, g.Title, w.En)
			}
		}
		for _, h := range g.Hosts {
			if strings.Contains(g.Title+" ", h+" ") || (len(g.Hosts) > 1 && strings.Contains(g.Example+" ", h+" ")) {
				t.Errorf("group %s of %d hosts named after %s: title %q, fix %q", g.Code, len(g.Hosts), h, g.Title, g.Example)
				break
			}
		}
	}
	if code != 1 || sum.ExitCode != 1 {
		t.Errorf("exit %d (summary %d), want 1", code, sum.ExitCode)
	}
	// Fleet findings: one key on every healthy address, the changed keys,
	// and the ssh-rsa-only servers.
	fleetCodes := map[string]int{}
	for _, ff := range sum.Fleet {
		if ff.Code == scan.FleetSharedHostKey && len(ff.Hosts) < 2 {
			t.Errorf("shared key on %d host", len(ff.Hosts))
		}
		if ff.Code == scan.FleetDeprecatedOnly && ff.Detail != "hostkey" {
			t.Errorf("deprecated-only detail %q, want hostkey", ff.Detail)
		}
		fleetCodes[ff.Code] += len(ff.Hosts)
	}
	if fleetCodes[scan.FleetHostKeyChanged] != want["hostkey.changed"] || fleetCodes[scan.FleetDeprecatedOnly] != want["kex.no_hostkey_alg"] ||
		fleetCodes[scan.FleetSharedHostKey] < want["ok"] {
		t.Errorf("fleet findings %v", fleetCodes)
	}
	return d, rss
}

func sorted(m map[string]int) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(out)
	return out
}

// TestLabScanFleet: 50 addresses, five of them failing five ways; every
// host and every group named right. The 1,000-address run with the
// comparison to ssh-keyscan is BenchmarkLabScan1000.
func TestLabScanFleet(t *testing.T) {
	f := newFleet(t, 50)
	// A modest --parallel: the test machine is shared, and the one sshd
	// behind all 50 addresses must not be what times out.
	d, rss := f.scanFleet(t, "3s", "--parallel", "8")
	t.Logf("50 hosts in %s, peak RSS %.1f MB", d.Round(time.Millisecond), float64(rss)/1e6)
}

// BenchmarkLabScan1000: `scan --no-login --timeout 3s` of 1,000 addresses
// against `ssh-keyscan -T 3 -t ed25519 -f` on the same list, each run three
// times, interleaved (the machine is shared and its load drifts), compared
// best against best; and the scan's peak RSS (ru_maxrss, as time -v
// reports it). Every scan run is checked host by host as in the test.
func BenchmarkLabScan1000(b *testing.B) {
	f := newFleet(b, 1000)
	// ssh-keyscan dies of SIGPIPE when it writes to a connection the
	// server already closed; an ignored signal stays ignored across exec.
	signal.Ignore(syscall.SIGPIPE)
	defer signal.Reset(syscall.SIGPIPE)
	const rounds = 3
	var keyscan, scans []time.Duration
	var rss int64
	b.ResetTimer()
	for i := 0; i < rounds; i++ {
		_, _, kd, _ := f.run(b, 10*time.Minute, nil, "ssh-keyscan", "-T", "3", "-t", "ed25519", "-f", f.list)
		d, r := f.scanFleet(b, "3s")
		keyscan, scans = append(keyscan, kd), append(scans, d)
		rss = max(rss, r)
		b.Logf("round %d: ssh-keyscan %s, scan %s (%.2f×), peak RSS %.0f MB", i+1, kd.Round(time.Millisecond),
			d.Round(time.Millisecond), float64(d)/float64(kd), float64(r)/1e6)
	}
	b.StopTimer()
	kd, sd := slices.Min(keyscan), slices.Min(scans)
	ratio := float64(sd) / float64(kd)
	b.Logf("1,000 addresses, best of %d: scan %s, ssh-keyscan %s: %.2f×; peak RSS %.0f MB", rounds,
		sd.Round(time.Millisecond), kd.Round(time.Millisecond), ratio, float64(rss)/1e6)
	b.ReportMetric(kd.Seconds(), "keyscan-s")
	b.ReportMetric(sd.Seconds(), "scan-s")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(float64(rss)/1e6, "peak-RSS-MB")
	if ratio > 0.25 {
		b.Errorf("scan took %s, %.2f× ssh-keyscan's %s (want ≤ 0.25×)", sd, ratio, kd)
	}
	if rss > 300e6 {
		b.Errorf("peak RSS %.0f MB, want ≤ 300 MB", float64(rss)/1e6)
	}
}
