package vm

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
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

// labForwardFromLAN starts the lab with sshd on the server's loopback and
// a running VirtualBox VM whose NAT forward (host port 2222, all
// addresses) is a real listener in the server namespace; env puts the
// stand-in VBoxManage (f) first on PATH.
func labForwardFromLAN(t *testing.T) (*lab.Lab, *fakeVBox, []string) {
	t.Helper()
	l := lab.New(t)
	l.StartSSHD(t, lab.SSHDOptions{Port: 22, ListenAddress: "127.0.0.1"})
	f := runningVMWithForward(t, "ssh,tcp,,2222,,22")
	env := []string{"PATH=" + f.dir + ":" + os.Getenv("PATH")}
	fwd := l.Server.Start(t, standinLink(t, t.TempDir(), "VBoxHeadless"),
		"--startvm", uuid01, "--listen", "0.0.0.0:2222", "--to", "127.0.0.1:22")
	lab.WaitListening(t, fwd.Pid(), 2222, 10*time.Second)
	t.Cleanup(fwd.Stop)
	return l, f, env
}

// The host side of a VirtualBox forward reached from the LAN, with real
// nftables and iptables rules in the host's namespace: sshdoctor names the
// rule that drops or rejects the port, the client namespace's connection
// fails exactly that way, and the printed fix, applied as is, lets it in.
func TestLabHostFirewallBlocksForwardFromLAN(t *testing.T) {
	lab.Require(t, "nft", "iptables", "iptables-save")
	l, f, env := labForwardFromLAN(t)

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

// privateUFW is the shell prologue that swaps ufw's files for the test's
// copies in a private mount namespace: the real ufw reads and writes the
// test's rules, and the machine's own ufw setup is never touched.
const privateUFW = `mount --make-rprivate / && mount --bind "$1/etc-ufw" /etc/ufw && mount --bind "$1/default-ufw" /etc/default/ufw && shift && exec "$@"`

// runDoctorPrivateUFW runs sshdoctor --json in the namespace with the
// test's ufw files.
func runDoctorPrivateUFW(t *testing.T, ns *lab.NS, dir string, env []string, args ...string) lab.Doctor {
	t.Helper()
	r := ns.RunEnv(t, env, "unshare", append([]string{"-m", "sh", "-c", privateUFW, "sh", dir, lab.Binary(t), "--json"}, args...)...)
	d := lab.Doctor{Result: r}
	if err := json.Unmarshal([]byte(r.Stdout), &d.Report); err != nil {
		t.Fatalf("sshdoctor: not a JSON report (%v)\n%s%s", err, r.Stdout, r.Stderr)
	}
	return d
}

// ufwIn runs the real ufw with the test's files.
func ufwIn(t *testing.T, ns *lab.NS, dir string, args ...string) {
	t.Helper()
	r := ns.Run(t, "unshare", append([]string{"-m", "sh", "-c", privateUFW, "sh", dir, "ufw"}, args...)...)
	if r.ExitCode != 0 {
		t.Fatalf("ufw %s: exit %d\n%s%s", strings.Join(args, " "), r.ExitCode, r.Stdout, r.Stderr)
	}
}

// The real ufw on the host side: its default policy, then its own deny
// rule, block the forward from the LAN; sshdoctor names ufw and prints a
// ufw command, which applied as printed lets the client in.
func TestLabUFWBlocksForwardFromLAN(t *testing.T) {
	lab.Require(t, "ufw", "iptables-save", "unshare")
	l, _, env := labForwardFromLAN(t)

	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", "/etc/ufw", dir+"/etc-ufw").CombinedOutput(); err != nil {
		t.Fatalf("copy /etc/ufw: %v %s", err, out)
	}
	if out, err := exec.Command("cp", "/etc/default/ufw", dir+"/default-ufw").CombinedOutput(); err != nil {
		t.Fatalf("copy /etc/default/ufw: %v %s", err, out)
	}
	ufwIn(t, l.Server, dir, "--force", "enable")
	ufwIn(t, l.Server, dir, "allow", "22/tcp")

	// Default deny (incoming), nothing for 2222.
	d := runDoctorPrivateUFW(t, l.Server, dir, env, "vm", "go-virtualbox", "--from", "lan")
	fd := d.Finding("vm.host_firewall_blocks")
	if fd == nil {
		t.Fatalf("ufw default deny: no finding\n%s", d.Stdout)
	}
	if !strings.Contains(fd.Title, "(ufw)") || len(fd.Fixes) != 1 || fd.Fixes[0].Command != "sudo ufw allow 2222/tcp" {
		t.Errorf("ufw default deny: %s %+v %v", fd.Title, fd.Fixes, fd.Evidence)
	}
	if got := dialFromLAN(t, l, "2222"); got != "timeout" {
		t.Errorf("ufw's default deny should make the LAN connection time out, got %s", got)
	}

	// ufw's own deny rule for the port: ufw refuses to insert an allow for
	// the same port ahead of it ("Skipping inserting existing rule"), but
	// allowing the port updates that rule in place.
	ufwIn(t, l.Server, dir, "deny", "2222/tcp")
	d = runDoctorPrivateUFW(t, l.Server, dir, env, "vm", "go-virtualbox", "--from", "lan")
	fd = d.Finding("vm.host_firewall_blocks")
	if fd == nil || !strings.Contains(fd.Evidence["rule"], "ufw-user-input") || !strings.Contains(fd.Evidence["rule"], "--dport 2222") {
		t.Fatalf("ufw deny rule: %+v\n%s", fd, d.Stdout)
	}
	if fd.Evidence["ufw_rule"] != "2222/tcp                   DENY IN     Anywhere" {
		t.Errorf("ufw rule behind the kernel's: %q", fd.Evidence["ufw_rule"])
	}
	if len(fd.Fixes) != 1 || fd.Fixes[0].Command != "sudo ufw allow 2222/tcp" {
		t.Fatalf("ufw deny fix: %+v", fd.Fixes)
	}
	ufwIn(t, l.Server, dir, strings.Fields(strings.TrimPrefix(fd.Fixes[0].Command, "sudo ufw "))...)
	if got := dialFromLAN(t, l, "2222"); got != "ok" {
		t.Errorf("after the printed ufw fix: %s", got)
	}
	d = runDoctorPrivateUFW(t, l.Server, dir, env, "vm", "go-virtualbox", "--from", "lan")
	if d.Finding("vm.host_firewall_blocks") != nil || d.Report.Diagnosis.Code != "ok" {
		t.Errorf("after the ufw fix: %s\n%s", d.Report.Diagnosis.Code, d.Stdout)
	}
}

// A real QEMU forward on every address (user networking, hostfwd) in the
// host's namespace, behind a real nftables reject rule that only applies
// to connections from outside: sshdoctor names the rule for the QEMU
// guest, and the client namespace is refused as it says.
func TestLabQEMUHostFirewallFromLAN(t *testing.T) {
	lab.Require(t, "qemu-system-x86_64", "nft")
	bin := lab.Tool(t, "qemu-system-x86_64")
	l := lab.New(t)
	name := uniqueName("sdlabfw-")
	q := l.Server.Start(t, bin, qemuArgs(name, "-netdev", "user,id=n0,hostfwd=tcp::2224-:22", "-device", "e1000,netdev=n0")...)
	lab.WaitListening(t, q.Pid(), 2224, 20*time.Second)
	if got := dialFromLAN(t, l, "2224"); got != "ok" {
		t.Fatalf("QEMU's forward before any rule: %s", got)
	}
	l.Server.MustRun(t, "nft", `add table ip sdlabq; add chain ip sdlabq in { type filter hook input priority 10; policy accept; }; add rule ip sdlabq in iifname != "lo" tcp dport 2224 reject with tcp reset`)
	d := l.Server.RunDoctor(t, "vm", name, "--from", "lan")
	fd := d.Finding("vm.host_firewall_blocks")
	if fd == nil {
		t.Fatalf("no finding\n%s", d.Stdout)
	}
	// The rule holds for traffic not on lo, and the LAN is never lo: a
	// certain block.
	if !strings.Contains(fd.Evidence["rule"], "tcp dport 2224 reject") || fd.Evidence["where"] != "ip sdlabq in" || fd.Severity != "error" {
		t.Errorf("evidence %v", fd.Evidence)
	}
	if len(fd.Fixes) != 1 || fd.Fixes[0].Command != "sudo nft insert rule ip sdlabq in tcp dport 2224 accept" {
		t.Errorf("fix %+v", fd.Fixes)
	}
	if got := dialFromLAN(t, l, "2224"); got != "refused" {
		t.Errorf("a reject with tcp reset should refuse the LAN connection, got %s", got)
	}
}
