package vm

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// dialFromLAN connects from the client namespace to the server's port and
// says how it ended: "ok", "refused", "timeout" or the error.
func dialFromLAN(t *testing.T, l *lab.Lab, port string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := l.Client.DialContext(ctx, "tcp", lab.ServerAddr+":"+port)
	switch {
	case err == nil:
		c.Close()
		return "ok"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "i/o timeout"):
		return "timeout"
	}
	return err.Error()
}

// applyFix runs a fix command as printed (each line, without sudo: the
// tests run as root) in the namespace.
func applyFix(t *testing.T, ns *lab.NS, cmd string) {
	t.Helper()
	for _, line := range strings.Split(cmd, "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "sudo "))
		if len(f) == 0 {
			continue
		}
		ns.MustRun(t, f[0], f[1:]...)
	}
}

// The host side of a VirtualBox forward reached from the LAN, with real
// nftables and iptables rules in the host's namespace: sshdoctor names the
// rule that drops or rejects the port, the client namespace's connection
// fails exactly that way, and the printed fix, applied as is, lets it in.
func TestLabHostFirewallBlocksForwardFromLAN(t *testing.T) {
	lab.Require(t, "nft", "iptables", "iptables-save")
	l := lab.New(t)
	l.StartSSHD(t, lab.SSHDOptions{Port: 22, ListenAddress: "127.0.0.1"})
	f := runningVMWithForward(t, "ssh,tcp,,2222,,22")
	env := []string{"PATH=" + f.dir + ":" + os.Getenv("PATH")}
	fwd := l.Server.Start(t, standinLink(t, t.TempDir(), "VBoxHeadless"),
		"--startvm", uuid01, "--listen", "0.0.0.0:2222", "--to", "127.0.0.1:22")
	lab.WaitListening(t, fwd.Pid(), 2222, 10*time.Second)
	t.Cleanup(fwd.Stop)

	if got := dialFromLAN(t, l, "2222"); got != "ok" {
		t.Fatalf("before any rule the forward should accept from the LAN: %s", got)
	}

	// nftables: a drop rule for the port, on the LAN interface only (the
	// host's own connections over lo still pass).
	l.Server.MustRun(t, "nft", `add table inet sdlabfw; add chain inet sdlabfw in { type filter hook input priority 0; policy accept; }; add rule inet sdlabfw in iifname "lo" accept; add rule inet sdlabfw in tcp dport 2222 drop`)
	d := l.Server.RunDoctorEnv(t, env, "vm", "go-virtualbox", "--from", "lan")
	fd := d.Finding("vm.host_firewall_blocks")
	if fd == nil || d.ExitCode != 1 {
		t.Fatalf("nft drop: no vm.host_firewall_blocks (exit %d)\n%s%s", d.ExitCode, d.Stdout, d.Stderr)
	}
	if fd.Evidence["rule"] != "tcp dport 2222 drop" || fd.Evidence["where"] != "inet sdlabfw in" || fd.Severity != "error" {
		t.Errorf("nft drop: evidence %v severity %s", fd.Evidence, fd.Severity)
	}
	if len(fd.Fixes) != 1 || fd.Fixes[0].Command != "sudo nft insert rule inet sdlabfw in tcp dport 2222 accept" {
		t.Fatalf("nft fix: %+v", fd.Fixes)
	}
	if got := dialFromLAN(t, l, "2222"); got != "timeout" {
		t.Errorf("a drop rule should make the LAN connection time out, got %s", got)
	}
	applyFix(t, l.Server, fd.Fixes[0].Command)
	if got := dialFromLAN(t, l, "2222"); got != "ok" {
		t.Errorf("after the printed nft fix: %s", got)
	}
	if d := l.Server.RunDoctorEnv(t, env, "vm", "go-virtualbox", "--from", "lan"); d.Finding("vm.host_firewall_blocks") != nil || d.Report.Diagnosis.Code != "ok" {
		t.Errorf("after the fix: %s\n%s", d.Report.Diagnosis.Code, d.Stdout)
	}
	l.Server.MustRun(t, "nft", "delete table inet sdlabfw")

	// iptables: a reject rule; the client is refused.
	l.Server.MustRun(t, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "2222", "-j", "REJECT")
	d = l.Server.RunDoctorEnv(t, env, "vm", "go-virtualbox", "--from", "lan")
	fd = d.Finding("vm.host_firewall_blocks")
	if fd == nil {
		t.Fatalf("iptables reject: no finding\n%s", d.Stdout)
	}
	if !strings.HasPrefix(fd.Evidence["rule"], "-A INPUT -p tcp -m tcp --dport 2222 -j REJECT") || fd.Evidence["action"] != "reject" {
		t.Errorf("iptables reject: evidence %v", fd.Evidence)
	}
	if len(fd.Fixes) != 1 || fd.Fixes[0].Command != "sudo iptables -I INPUT -p tcp --dport 2222 -j ACCEPT" {
		t.Fatalf("iptables fix: %+v", fd.Fixes)
	}
	if got := dialFromLAN(t, l, "2222"); got != "refused" {
		t.Errorf("a reject rule should refuse the LAN connection, got %s", got)
	}
	applyFix(t, l.Server, fd.Fixes[0].Command)
	if got := dialFromLAN(t, l, "2222"); got != "ok" {
		t.Errorf("after the printed iptables fix: %s", got)
	}
	// From the host itself the firewall is not in the way: no finding.
	l.Server.MustRun(t, "iptables", "-F", "INPUT")
	l.Server.MustRun(t, "iptables", "-P", "INPUT", "DROP")
	d = l.Server.RunDoctorEnv(t, env, "vm", "go-virtualbox", "--from", "host", "--timeout", "3s")
	if d.Finding("vm.host_firewall_blocks") != nil {
		t.Errorf("from host: a LAN firewall finding\n%s", d.Stdout)
	}
	d = l.Server.RunDoctorEnv(t, env, "vm", "go-virtualbox", "--from", "lan", "--lang", "ja")
	fd = d.Finding("vm.host_firewall_blocks")
	if fd == nil || fd.Evidence["rule"] != ":INPUT DROP" || !lab.HasJapanese(fd.Title) {
		t.Errorf("policy drop, in Japanese: %+v\n%s", fd, d.Stdout)
	}
	if got := dialFromLAN(t, l, "2222"); got != "timeout" {
		t.Errorf("policy DROP should make the LAN connection time out, got %s", got)
	}
	f.assertReadOnly()
}
