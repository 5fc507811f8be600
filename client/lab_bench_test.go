//go:build linux

package client_test

import (
	"context"
	"os"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/sshdoctor/sshdoctor/client"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lab"
)

func runInProcess(b *testing.B, l *lab.Lab, o client.Options) *diag.Outcome {
	o.Dial = l.Client.DialContext
	o.ConfigFile = "/dev/null"
	o.NoLogin = true
	r := client.New(o)
	out, err := diag.Execute(context.Background(), r.Checks())
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkLabHealthyNoLogin: every layer up to authentication (config →
// dns → tcp → banner → kex → hostkey → auth) against a real sshd across the
// lab link, in process; the user is unknown, so auth reports a denial.
func BenchmarkLabHealthyNoLogin(b *testing.B) {
	lab.Require(b)
	l := lab.New(b)
	l.StartSSHD(b, lab.SSHDOptions{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := runInProcess(b, l, client.Options{Destination: lab.ServerAddr, Host: lab.ServerAddr, User: "nobody", Timeout: 2 * time.Second})
		if out.Runs[3].Check.Name != "banner" || out.Runs[3].Result.Status != diag.StatusPass {
			b.Fatalf("banner: %+v", out.Runs[3].Result)
		}
	}
}

// BenchmarkLabHealthyBinary: the whole sshdoctor process, as a person runs it.
func BenchmarkLabHealthyBinary(b *testing.B) {
	lab.Require(b)
	l := lab.New(b)
	l.StartSSHD(b, lab.SSHDOptions{})
	bin := lab.Binary(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := l.Client.Run(b, bin, "--json", "check", "-F", "/dev/null", "--no-login", "--timeout", "2s", "nobody@"+lab.ServerAddr)
		if r.Stdout == "" {
			b.Fatal(r.Stderr)
		}
	}
}

// BenchmarkLabDropTarget: a firewall DROP ends at the timeout (1s here),
// not after ssh's two minutes.
func BenchmarkLabDropTarget(b *testing.B) {
	lab.Require(b)
	l := lab.New(b)
	l.Server.MustRun(b, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := runInProcess(b, l, client.Options{Destination: lab.ServerAddr, Host: lab.ServerAddr, User: "nobody", Timeout: time.Second})
		if d := out.Diagnosis(); d == nil || d.Code != "tcp.timeout" {
			b.Fatalf("diagnosis %+v", d)
		}
	}
}

// minOf runs f n times and returns the shortest wall time (the least
// disturbed by other load on the machine).
func minOf(n int, f func() time.Duration) time.Duration {
	best := time.Duration(1<<63 - 1)
	for i := 0; i < n; i++ {
		if d := f(); d < best {
			best = d
		}
	}
	return best
}

// BenchmarkLabDropTargetBinary: the whole process against a DROP, with
// --timeout 1s; the metric is the time beyond the timeout (minimum of 5).
func BenchmarkLabDropTargetBinary(b *testing.B) {
	lab.Require(b)
	l := lab.New(b)
	l.Server.MustRun(b, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP")
	bin := lab.Binary(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := minOf(5, func() time.Duration {
			r := l.Client.Run(b, bin, "--json", "check", "-F", "/dev/null", "--timeout", "1s", "nobody@"+lab.ServerAddr)
			if r.ExitCode != 1 {
				b.Fatalf("exit %d: %s %s", r.ExitCode, r.Stdout, r.Stderr)
			}
			return r.Duration
		})
		b.ReportMetric(float64(d.Milliseconds()), "ms")
		b.ReportMetric(float64((d - time.Second).Milliseconds()), "ms-over-timeout")
	}
}

// interleavedMin runs the functions in turn, n rounds, and returns each
// one's shortest wall time.
func interleavedMin(n int, fs ...func() time.Duration) []time.Duration {
	best := make([]time.Duration, len(fs))
	for j := range best {
		best[j] = 1<<63 - 1
	}
	for i := 0; i < n; i++ {
		for j, f := range fs {
			if t := f(); t < best[j] {
				best[j] = t
			}
		}
	}
	return best
}

// bareLogin is the least any client can do for `ssh host true`, in process
// (no program to start, no configuration to read): connect, exchange
// keys, sign in with the key and run the command. What it takes is the
// server's share, which no client can go below.
func bareLogin(b *testing.B, l *lab.Lab, addr, user, priv string) func() time.Duration {
	pem, err := os.ReadFile(priv)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		b.Fatal(err)
	}
	cfg := &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second} //nolint:gosec // the lab's own server; the floor has no host key check to do
	return func() time.Duration {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		conn, err := l.Client.DialContext(ctx, "tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
		if err != nil {
			b.Fatal(err)
		}
		cl := ssh.NewClient(c, chans, reqs)
		defer cl.Close()
		sess, err := cl.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if err := sess.Run("true"); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
}

// BenchmarkLabSpeedVsSSH compares whole processes, minimum of 11 runs
// each: a full healthy check (down to the login) against
// `ssh -o BatchMode=yes host true`, and the same through a jump host
// against `ssh -J`. Run with -benchtime=1x; the ratios are reported as
// metrics (check/ssh).
func BenchmarkLabSpeedVsSSH(b *testing.B) {
	lab.Require(b, "dnsmasq")
	l := lab.New(b)
	l.AddTarget(b)
	l.Server.StartDNS(b, map[string]string{"target.lab.test": lab.TargetAddr})
	l.Server.SetResolver(b, lab.ServerAddr)
	jsshd := l.StartSSHD(b, lab.SSHDOptions{})
	tsshd := lab.StartSSHDIn(b, l.Target, lab.SSHDOptions{})
	u := lab.AddUser(b, lab.UserOptions{})
	dir := b.TempDir()
	priv, pub := lab.NewKey(b, dir, "ed25519")
	u.AuthorizeKey(b, pub)
	kh := dir + "/known_hosts"
	if err := os.WriteFile(kh, []byte(lab.ServerAddr+" "+jsshd.HostKeyPub(b)+"\ntarget.lab.test "+tsshd.HostKeyPub(b)+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg := dir + "/ssh_config"
	if err := os.WriteFile(cfg, []byte("Host *\n  UserKnownHostsFile "+kh+"\n  IdentitiesOnly yes\n  BatchMode yes\n  IdentityFile "+priv+"\n  User "+u.Name+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	bin := lab.Binary(b)
	env := []string{"SSH_AUTH_SOCK=", "HOME=" + dir}
	timed := func(ok int, name string, args ...string) func() time.Duration {
		return func() time.Duration {
			r := l.Client.RunEnv(b, env, name, args...)
			if r.ExitCode != ok {
				b.Fatalf("%s %v: exit %d %s %s", name, args, r.ExitCode, r.Stdout, r.Stderr)
			}
			return r.Duration
		}
	}
	for i := 0; i < b.N; i++ {
		// Interleaved, so that load from elsewhere on the machine falls
		// on both sides alike.
		m := interleavedMin(11,
			timed(0, bin, "--json", "check", "-F", cfg, lab.ServerAddr),
			timed(0, "ssh", "-F", cfg, "-o", "BatchMode=yes", lab.ServerAddr, "true"),
			timed(0, bin, "--json", "check", "-F", cfg, "-J", lab.ServerAddr, "target.lab.test"),
			timed(0, "ssh", "-F", cfg, "-J", lab.ServerAddr, "target.lab.test", "true"),
			bareLogin(b, l, lab.ServerAddr+":22", u.Name, priv),
			timed(0, "true"))
		doc, plain, jdoc, jssh, floor, start := m[0], m[1], m[2], m[3], m[4], m[5]
		b.ReportMetric(float64(doc.Milliseconds()), "check-ms")
		b.ReportMetric(float64(plain.Milliseconds()), "ssh-ms")
		b.ReportMetric(float64(doc)/float64(plain), "check/ssh")
		// The floor: a bare in-process login, plus starting a program in
		// the lab's namespace (`true`), which both commands pay.
		b.ReportMetric(float64((floor + start).Milliseconds()), "floor-ms")
		b.ReportMetric(float64(floor+start)/float64(plain), "floor/ssh")
		b.ReportMetric(float64(jdoc.Milliseconds()), "jump-check-ms")
		b.ReportMetric(float64(jssh.Milliseconds()), "ssh-J-ms")
		b.ReportMetric(float64(jdoc)/float64(jssh), "jump-check/ssh-J")
	}
}
