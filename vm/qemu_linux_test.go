package vm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// qemuTestLifetime bounds every QEMU a test starts: the tests need a few
// seconds; the process is killed at cleanup, and this is the backstop.
const qemuTestLifetime = 2 * time.Minute

func requireQEMU(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("qemu-system-x86_64 is not installed, and CI=true forbids skipping (make test-deps installs it)")
		}
		t.Skip("qemu-system-x86_64 is not installed")
	}
	return p
}

func uniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// qemuArgs is a guest with no disk, paused before its first instruction
// (-S): QEMU's user-mode network still accepts on the host side of its
// forwards, but nothing in the guest ever answers.
func qemuArgs(name string, net ...string) []string {
	return append([]string{"-name", name, "-display", "none", "-nodefaults", "-no-user-config", "-S", "-m", "32"}, net...)
}

// startQEMU runs QEMU on this host and waits until it listens on port
// (when port > 0) or has started.
func startQEMU(t testing.TB, bin string, port int, args ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), qemuTestLifetime)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cmd.ProcessState != nil {
			break
		}
		if port == 0 {
			if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "cmdline")); err == nil {
				time.Sleep(300 * time.Millisecond)
				return cmd
			}
		} else if ls, ok, _ := HostListeners(map[int]bool{}); ok && len(ListenersOn(ls, port, "")) > 0 {
			return cmd
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("QEMU did not start listening on %d: %s", port, out.String())
	return nil
}

func qemuEnv(t testing.TB) Env {
	return Env{
		Getenv:       func(string) string { return "" },
		Locations:    []string{},
		NetworksConf: filepath.Join(t.TempDir(), "networks.conf"),
		GOOS:         "linux",
	}
}

func TestQEMULoopbackOnlyAndNoAnswer(t *testing.T) {
	bin := requireQEMU(t)
	name := uniqueName("sdvm-")
	p := freePort(t)
	q := startQEMU(t, bin, p, qemuArgs(name, "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:"+strconv.Itoa(p)+"-:22",
		"-device", "e1000,netdev=n0")...)
	ps := strconv.Itoa(p)

	o := runScenario(t, Options{Name: name, From: FromLAN, Env: qemuEnv(t)})
	wantDiag(t, o, "qemu.hostfwd_loopback_only", "problem", 1)
	fd := o.finding(t, "qemu.hostfwd_loopback_only")
	if fd.Evidence["pid"] != strconv.Itoa(q.Process.Pid) || fd.Evidence["hostfwd"] != "tcp:127.0.0.1:"+ps+"-:22" {
		t.Errorf("evidence %v", fd.Evidence)
	}
	cmds := commands(fd)
	wantContains(t, "fixes", cmds,
		bin+" -name "+name+" -display none -nodefaults -no-user-config -S -m 32 -netdev user,id=n0,hostfwd=tcp::"+ps+"-:22 -device e1000,netdev=n0",
		"hostfwd_remove n0 tcp:127.0.0.1:"+ps+"\nhostfwd_add n0 tcp::"+ps+"-:22")
	o.finding(t, "qemu.vm_found")

	// From the host: QEMU accepts for the paused guest, which never answers.
	start := time.Now()
	o = runScenario(t, Options{Name: name, From: FromHost, Timeout: 2 * time.Second, Env: qemuEnv(t)})
	wantDiag(t, o, "qemu.hostfwd_no_answer", "problem", 1)
	if oc := o.finding(t, "qemu.hostfwd_no_answer").Evidence["outcome"]; oc != "silent" && oc != "closed" {
		t.Errorf("outcome %q", oc)
	}
	if o.has("qemu.host_port_in_use") {
		t.Error("the QEMU process itself holds its forward's port")
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("took %s with a 2s banner deadline", d)
	}

	// sshdoctor check's entry point says the same for this port.
	codes := map[string]bool{}
	for _, f := range findingsForLocalPort(context.Background(), p, "lan", qemuEnv(t)) {
		codes[f.Code] = true
	}
	if !codes["qemu.hostfwd_loopback_only"] {
		t.Errorf("FindingsForLocalPort: %v", codes)
	}
	if fs := FindingsForLocalPort(context.Background(), freePort(t), "lan"); fs != nil {
		t.Errorf("a port no VM forwards: %v", fs)
	}
}

func TestQEMUHostFwdMissingAndUnusedNetdev(t *testing.T) {
	bin := requireQEMU(t)
	name := uniqueName("sdvm-")
	startQEMU(t, bin, 0, qemuArgs(name, "-netdev", "user,id=n0", "-device", "e1000,netdev=n0")...)
	o := runScenario(t, Options{Name: name, From: FromHost, Env: qemuEnv(t)})
	wantDiag(t, o, "qemu.hostfwd_missing", "problem", 1)
	wantContains(t, "fixes", commands(o.finding(t, "qemu.hostfwd_missing")), "-netdev user,id=n0,hostfwd=tcp:127.0.0.1:", "-:22 -device e1000,netdev=n0", "hostfwd_add n0 tcp:127.0.0.1:")

	name2 := uniqueName("sdvm-")
	p := freePort(t)
	startQEMU(t, bin, p, qemuArgs(name2, "-netdev", "user,id=n9,hostfwd=tcp::"+strconv.Itoa(p)+"-:22")...)
	o = runScenario(t, Options{Name: name2, From: FromLAN, Env: qemuEnv(t)})
	wantDiag(t, o, "qemu.netdev_unused", "problem", 1)
	if c := commands(o.finding(t, "qemu.netdev_unused")); c != "-device e1000,netdev=n9" {
		t.Errorf("%q", c)
	}
}

// The outcomes of a QEMU forward that a paused disk-less guest cannot
// show are tested with a QEMU machine model whose forward leads to a
// stand-in.
func TestQEMUForwardOutcomes(t *testing.T) {
	pSSH, pHTTP, pNone := freePort(t), freePort(t), freePort(t)
	startStandin(t, "VBoxHeadless", "--listen", "127.0.0.1:"+strconv.Itoa(pSSH), "--greet", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u7\r\n")
	startStandin(t, "VBoxHeadless", "--listen", "127.0.0.1:"+strconv.Itoa(pHTTP), "--greet", "HTTP/1.0 200 OK\r\n\r\n")
	holder := startStandin(t, "portholder", "--listen", "127.0.0.1:"+strconv.Itoa(pNone), "--hold")
	for _, c := range []struct {
		port int
		code string
		real bool // real listeners: the port's owner is not this QEMU
	}{
		{pSSH, "qemu.hostfwd_ok", false},
		{pHTTP, "qemu.hostfwd_not_ssh", false},
		{freePort(t), "qemu.hostfwd_not_listening", false},
		{pNone, "qemu.host_port_in_use", true},
	} {
		argv := []string{"/usr/bin/qemu-system-x86_64", "-name", "model", "-netdev",
			"user,id=n0,hostfwd=tcp:127.0.0.1:" + strconv.Itoa(c.port) + "-:22", "-device", "e1000,netdev=n0"}
		m := ParseQEMUCommandLine(argv)
		m.Name, m.PID, m.Source = "model", 1, "pid 1"
		env := qemuEnv(t)
		env.QEMU = func(context.Context) ([]*Machine, bool, error) { return []*Machine{m}, true, nil }
		env.Listeners = func(map[int]bool) ([]Listener, bool, error) { return nil, true, nil }
		if c.real {
			env.Listeners = HostListeners
		}
		o := runScenario(t, Options{Name: "model", From: FromHost, Timeout: 2 * time.Second, Env: env})
		if !o.has(c.code) {
			t.Errorf("port %d: no %s (diagnosis %s)", c.port, c.code, o.diagnosis())
			continue
		}
		if c.code == "qemu.hostfwd_ok" {
			wantDiag(t, o, "ok", "ok", 0)
			if b := o.finding(t, c.code).Evidence["banner"]; b != "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u7" {
				t.Errorf("banner %q", b)
			}
		} else {
			wantDiag(t, o, c.code, "problem", 1)
		}
		if c.code == "qemu.host_port_in_use" {
			wantContains(t, "evidence", o.finding(t, c.code).Evidence["held_by"], "portholder (pid "+strconv.Itoa(holder.Process.Pid)+")")
		}
	}
}
