//go:build linux

package client_test

import (
	"context"
	"testing"
	"time"

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
