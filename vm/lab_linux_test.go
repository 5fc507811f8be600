package vm

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

func init() { testMainHooks = append(testMainHooks, lab.Cleanup) }

// realSSH runs the real ssh client in ns against the server's port, in
// batch mode (no prompt, no password), and returns its exit code and
// stderr.
func realSSH(t *testing.T, ns *lab.NS, port int) (int, string) {
	t.Helper()
	r := ns.Run(t, "ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "ConnectTimeout=5", "-p", strconv.Itoa(port), "nobody@"+lab.ServerAddr, "true")
	return r.ExitCode, r.Stderr
}

// A VirtualBox NAT forward in front of the lab's real sshd: a VBoxHeadless
// stand-in listens in the server namespace and relays to sshd on the
// namespace's loopback, and sshdoctor runs there as it would on the host.
func TestLabVBoxForwardToRealSSHD(t *testing.T) {
	lab.Require(t)
	l := lab.New(t)
	l.StartSSHD(t, lab.SSHDOptions{Port: 22, ListenAddress: "127.0.0.1"})

	run := func(rule, listen string) (*fakeVBox, []string, *lab.Process) {
		f := runningVMWithForward(t, rule)
		fwd := l.Server.Start(t, standinLink(t, t.TempDir(), "VBoxHeadless"),
			"--startvm", uuid01, "--listen", listen, "--to", "127.0.0.1:22")
		lab.WaitListening(t, fwd.Pid(), 2222, 10*time.Second)
		t.Cleanup(fwd.Stop)
		return f, []string{"PATH=" + f.dir + ":" + os.Getenv("PATH")}, fwd
	}

	// All interfaces (blank host IP): reachable from the host and the LAN.
	f, env, fwd := run("ssh,tcp,,2222,,22", "0.0.0.0:2222")
	d := l.Server.RunDoctorEnv(t, env, "vm", "go-virtualbox", "--from", "host", "--timeout", "3s")
	if d.Report.Diagnosis.Code != "ok" || d.ExitCode != 0 {
		t.Fatalf("from host: %s exit %d\n%s%s", d.Report.Diagnosis.Code, d.ExitCode, d.Stdout, d.Stderr)
	}
	ok := d.Finding("vbox.forward_ok")
	if ok == nil || !strings.HasPrefix(ok.Evidence["banner"], "SSH-2.0-OpenSSH_") {
		t.Fatalf("no SSH banner through the forward: %+v", ok)
	}
	d = l.Server.RunDoctorEnv(t, env, "vm", "go-virtualbox", "--from", "lan")
	if d.Report.Diagnosis.Code != "ok" {
		t.Errorf("from lan with a blank host IP: %s", d.Report.Diagnosis.Code)
	}
	// The real ssh from the other namespace reaches sshd (and is denied a
	// login: it offers no key), as the model says.
	if code, stderr := realSSH(t, l.Client, 2222); code != 255 || !strings.Contains(stderr, "Permission denied") {
		t.Errorf("real ssh through the forward: exit %d %s", code, stderr)
	}
	f.assertReadOnly()
	fwd.Stop()

	// Loopback only: fine from the host, refused from the LAN.
	_, env, _ = run("ssh,tcp,127.0.0.1,2222,,22", "127.0.0.1:2222")
	d = l.Server.RunDoctorEnv(t, env, "vm", "go-virtualbox", "--from", "lan")
	if d.Report.Diagnosis.Code != "vbox.natpf_loopback_only" || d.ExitCode != 1 {
		t.Fatalf("from lan: %s exit %d\n%s", d.Report.Diagnosis.Code, d.ExitCode, d.Stdout)
	}
	if len(d.Report.Diagnosis.Fixes) == 0 || !strings.Contains(d.Report.Diagnosis.Fixes[0].Command, `natpf1 "ssh,tcp,,2222,,22"`) {
		t.Errorf("fix %+v", d.Report.Diagnosis.Fixes)
	}
	if code, stderr := realSSH(t, l.Client, 2222); code != 255 || !strings.Contains(stderr, "Connection refused") {
		t.Errorf("real ssh from the LAN side to a loopback-only forward: exit %d %s", code, stderr)
	}
	d = l.Server.RunDoctorEnv(t, env, "vm", "go-virtualbox", "--from", "host", "--timeout", "3s")
	if d.Report.Diagnosis.Code != "ok" || d.Finding("vbox.forward_ok") == nil {
		t.Errorf("from host: %s", d.Report.Diagnosis.Code)
	}
}

// QEMU in the server namespace with a forward bound to 127.0.0.1: the
// client namespace is refused, exactly as sshdoctor predicts, while a
// forward on every address accepts.
func TestLabQEMULoopbackRefusedFromLAN(t *testing.T) {
	lab.Require(t, "qemu-system-x86_64")
	bin := lab.Tool(t, "qemu-system-x86_64")
	l := lab.New(t)
	name, name2 := uniqueName("sdlabvm-"), uniqueName("sdlabvm-")
	q := l.Server.Start(t, bin, qemuArgs(name, "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22", "-device", "e1000,netdev=n0")...)
	lab.WaitListening(t, q.Pid(), 2222, 20*time.Second)
	q2 := l.Server.Start(t, bin, qemuArgs(name2, "-netdev", "user,id=n0,hostfwd=tcp::2223-:22", "-device", "e1000,netdev=n0")...)
	lab.WaitListening(t, q2.Pid(), 2223, 20*time.Second)

	d := l.Server.RunDoctor(t, "vm", name, "--from", "lan")
	if d.Report.Diagnosis.Code != "qemu.hostfwd_loopback_only" || d.ExitCode != 1 {
		t.Fatalf("from lan: %s exit %d\n%s", d.Report.Diagnosis.Code, d.ExitCode, d.Stdout)
	}
	if code, stderr := realSSH(t, l.Client, 2222); code != 255 || !strings.Contains(stderr, "Connection refused") {
		t.Errorf("real ssh to the loopback-only forward from the client namespace: exit %d %s", code, stderr)
	}
	// The fix's form (empty host address) is reachable from the client.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := l.Client.DialContext(ctx, "tcp", lab.ServerAddr+":2223")
	if err != nil {
		t.Errorf("a forward on every address should accept from the LAN: %v", err)
	} else {
		c.Close()
	}
	if d := l.Server.RunDoctor(t, "vm", name2, "--from", "lan"); d.Report.Diagnosis.Code != "ok" {
		t.Errorf("%s with hostfwd=tcp::2223-:22 from lan: %s", name2, d.Report.Diagnosis.Code)
	}

	// From inside the server namespace (the host), the forward accepts but
	// the paused guest never answers.
	d = l.Server.RunDoctor(t, "vm", name, "--from", "host", "--timeout", "2s")
	if d.Report.Diagnosis.Code != "qemu.hostfwd_no_answer" {
		t.Errorf("from host: %s\n%s", d.Report.Diagnosis.Code, d.Stdout)
	}
}
