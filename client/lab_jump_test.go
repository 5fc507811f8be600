//go:build linux

package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// jumpLab is client → jump host → target: three namespaces, a real sshd
// on the jump host and on the target, the target reachable only from the
// jump host, its name known only to the jump host's DNS.
type jumpLab struct {
	*scenario
	user   *lab.User
	priv   string
	target *lab.SSHD
}

func newJumpLab(t *testing.T, jump lab.SSHDOptions) *jumpLab {
	t.Helper()
	lab.Require(t, "dnsmasq")
	s := newScenario(t)
	s.lab.AddTarget(t)
	// The jump host resolves names through the lab's DNS only (set
	// before its sshd starts, so that sshd sees it).
	s.lab.Server.StartDNS(t, map[string]string{"target.lab.test": lab.TargetAddr})
	s.lab.Server.SetResolver(t, lab.ServerAddr)
	j := &jumpLab{scenario: s}
	jsshd := s.lab.StartSSHD(t, jump)
	j.target = lab.StartSSHDIn(t, s.lab.Target, lab.SSHDOptions{})
	j.user = lab.AddUser(t, lab.UserOptions{})
	var pub string
	j.priv, pub = lab.NewKey(t, s.dir, "ed25519")
	j.user.AuthorizeKey(t, pub)
	if err := os.WriteFile(filepath.Join(s.dir, "known_hosts"), []byte(
		"[jump.example]:"+itoa(jump.Port)+" "+jsshd.HostKeyPub(t)+"\n"+
			"target.lab.test "+j.target.HostKeyPub(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The jump host is an alias: ssh -G gives its address, port, user,
	// key and the name it is known under (HostKeyAlias).
	cfg, _ := os.ReadFile(s.cfgFile)
	alias := "Host jump\n  HostName " + lab.ServerAddr + "\n  Port " + itoa(jump.Port) + "\n  User " + j.user.Name +
		"\n  IdentityFile " + j.priv + "\n  HostKeyAlias [jump.example]:" + itoa(jump.Port) + "\n" +
		"Host tgt\n  HostName target.lab.test\n  ProxyJump jump\n  User " + j.user.Name + "\n  IdentityFile " + j.priv + "\n"
	if err := os.WriteFile(s.cfgFile, append([]byte(alias), cfg...), 0o600); err != nil {
		t.Fatal(err)
	}
	return j
}

func itoa(p int) string {
	if p == 0 {
		p = 22
	}
	return strings.TrimSpace(strings.Repeat(" ", 0) + func() string { return fmtInt(p) }())
}

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// ssh runs the real ssh through the lab, with a deadline that a loaded
// machine meets (ConnectTimeout covers the banner through the jump host,
// whose own login comes first: under load that took over ten seconds).
func (j *jumpLab) ssh(t *testing.T, args ...string) lab.Result {
	t.Helper()
	return j.lab.Client.RunEnv(t, []string{"SSH_AUTH_SOCK=", "HOME=" + j.dir}, "ssh",
		append([]string{"-F", j.cfgFile, "-o", "ConnectTimeout=30"}, args...)...)
}

func (j *jumpLab) check(t *testing.T, args ...string) lab.Doctor {
	t.Helper()
	return j.doctor(t, args...)
}

func TestLabJumpHealthy(t *testing.T) {
	t.Parallel()
	j := newJumpLab(t, lab.SSHDOptions{})
	dest := j.user.Name + "@target.lab.test"
	for _, args := range [][]string{
		{"-J", "jump", "-i", j.priv, dest}, // -J with a Host alias
		{"tgt"},                            // ProxyJump in the destination's own config
	} {
		d := j.check(t, args...)
		expect(t, d, "ok", 0)
		c := d.Check("jump")
		if c == nil || c.Status != "pass" {
			t.Fatalf("jump check %+v\n%s", c, d.Stdout)
		}
		ok := d.Finding("session.ok")
		if ok == nil || !strings.Contains(ok.Evidence["hop"], "target.lab.test") {
			t.Fatalf("no login on the target through the jump host:\n%s", d.Stdout)
		}
		if f := d.Finding("jump.hop_ok"); f == nil || !strings.Contains(f.Evidence["hop"], lab.ServerAddr+":22") {
			t.Fatalf("jump hop: %+v", f)
		}
		// Host keys were checked under the names ssh uses: the alias for
		// the jump host, the target's name for the target.
		known := 0
		for _, c := range d.Report.Checks {
			for _, f := range c.Findings {
				if f.Code == "hostkey.known" {
					known++
				}
			}
		}
		if known != 2 {
			t.Fatalf("hostkey.known %d times, want 2 (jump and target)\n%s", known, d.Stdout)
		}
	}
	if r := j.ssh(t, "-J", "jump", "-i", j.priv, dest, "true"); r.ExitCode != 0 {
		t.Fatalf("real ssh -J: exit %d %q", r.ExitCode, r.Stderr)
	}
}

// The target behind the jump host refuses: ssh says "open failed:
// connect failed: Connection refused"; sshdoctor must not say all is well.
func TestLabJumpTargetRefuses(t *testing.T) {
	t.Parallel()
	j := newJumpLab(t, lab.SSHDOptions{})
	cases := []struct{ dest, code, sshSays string }{
		{j.user.Name + "@target.lab.test -p 2222", "jump.target_refused", "open failed: connect failed: Connection refused"},
		{j.user.Name + "@nosuch.lab.test", "jump.target_unknown_name", "open failed: connect failed: Name or service not known"},
		// No route at all from the jump host: OpenSSH's sshd says only
		// "open failed", so the finding can only quote it.
		{j.user.Name + "@" + lab.Unroutable, "jump.open_failed", "open failed: connect failed: open failed"},
	}
	for _, c := range cases {
		dest := strings.Fields(c.dest)
		d := j.check(t, append([]string{"-J", "jump", "-i", j.priv}, dest...)...)
		expect(t, d, c.code, 1)
		mustContain(t, "ssh would say", evidence(t, d, c.code, "ssh_would_say"), c.sshSays)
		mustContain(t, "through", evidence(t, d, c.code, "through"), "jump")
		r := j.ssh(t, append(append([]string{"-J", "jump", "-i", j.priv}, dest...), "true")...)
		if r.ExitCode != 255 || !strings.Contains(r.Stderr, c.sshSays) {
			t.Fatalf("real ssh to %s: exit %d %q", c.dest, r.ExitCode, r.Stderr)
		}
		// What sshdoctor says ssh would print is what it printed.
		said := strings.SplitN(evidence(t, d, c.code, "ssh_would_say"), "\n", 2)[0]
		if !strings.Contains(r.Stderr, said+"\r\n") {
			t.Fatalf("sshdoctor says ssh would print %q; it printed %q", said, r.Stderr)
		}
	}
}

func TestLabJumpForwardingProhibited(t *testing.T) {
	t.Parallel()
	j := newJumpLab(t, lab.SSHDOptions{Port: 2200, Config: "AllowTcpForwarding no\n"})
	dest := j.user.Name + "@target.lab.test"
	d := j.check(t, "-J", "jump", "-i", j.priv, dest)
	expect(t, d, "jump.forward_prohibited", 1)
	fixHas(t, d, "allowtcpforwarding")
	r := j.ssh(t, "-J", "jump", "-i", j.priv, dest, "true")
	if r.ExitCode != 255 || !strings.Contains(r.Stderr, "administratively prohibited") {
		t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
	}
}

// A target that drops packets: the jump host's connect hangs; the answer
// comes within the deadline.
func TestLabJumpTargetDrops(t *testing.T) {
	lab.Require(t, "iptables")
	t.Parallel()
	j := newJumpLab(t, lab.SSHDOptions{})
	j.lab.Target.MustRun(t, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP")
	start := time.Now()
	d := j.check(t, "-J", "jump", "-i", j.priv, j.user.Name+"@target.lab.test")
	if f := d.Finding(d.Report.Diagnosis.Code); f != nil {
		t.Logf("evidence: %v", f.Evidence)
	}
	expect(t, d, "jump.target_timeout", 1)
	// The lab's timeout is 2 s: the jump host's connect is given that long.
	if c := d.Check("jump"); c == nil || c.DurationMS > 2000+1000 {
		t.Fatalf("jump check took %+v", c)
	}
	_ = start
}
