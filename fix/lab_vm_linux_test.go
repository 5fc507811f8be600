//go:build linux

package fix_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// A real QEMU in the server namespace forwards port 2222 on 127.0.0.1
// only, and has a monitor socket: the fix moves the forward to every
// address through the monitor (the guest keeps running), the client
// namespace can then connect, and undo puts the loopback-only rule back.
// The guest has no disk, so "connects" is the end-to-end proof here:
// QEMU accepts for the guest exactly when the forward admits the LAN.
func TestLabFixQEMUHostfwd(t *testing.T) {
	bin, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("qemu-system-x86_64 is not installed")
		}
		t.Skip("qemu-system-x86_64 is not installed")
	}
	lab.Require(t)
	t.Parallel()
	l := lab.New(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "monitor.sock")
	name := fmt.Sprintf("sdfix-%d", time.Now().UnixNano()%1e9)
	q := l.Server.Start(t, bin, "-name", name, "-display", "none", "-nodefaults", "-no-user-config", "-S", "-m", "32",
		"-monitor", "unix:"+sock+",server,nowait",
		"-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22", "-device", "e1000,netdev=n0")
	lab.WaitListening(t, q.Pid(), 2222, 20*time.Second)
	connects := func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		c, err := l.Client.DialContext(ctx, "tcp", lab.ServerAddr+":2222")
		if err == nil {
			c.Close()
		}
		return err == nil
	}
	if connects() {
		t.Fatal("the LAN side connects to a loopback-only forward")
	}
	run := func(extra ...string) fixRun {
		args := append([]string{"--json", "vm", name, "--from", "lan", "--timeout", "1s", "--fix"}, extra...)
		r := l.Server.RunEnv(t, []string{"HOME=" + dir}, lab.Binary(t), args...)
		fr := fixRun{Result: r}
		if err := json.Unmarshal([]byte(r.Stdout), &fr.Res); err != nil {
			t.Fatalf("vm --fix: not JSON (%v)\nexit %d\n%s\n%s", err, r.ExitCode, r.Stdout, r.Stderr)
		}
		return fr
	}
	dry := run("--dry-run")
	if dry.Res.Before.Diagnosis.Code != "qemu.hostfwd_loopback_only" || dry.Res.Plan.Empty() ||
		dry.Res.Plan.Steps[0].Command != "hostfwd_remove n0 tcp:127.0.0.1:2222\nhostfwd_add n0 tcp::2222-:22" ||
		dry.Res.Plan.Steps[0].Undo != "hostfwd_remove n0 tcp::2222\nhostfwd_add n0 tcp:127.0.0.1:2222-:22" {
		t.Fatalf("dry run: %s plan %s\n%s", dry.Res.Before.Diagnosis.Code, planJSON(dry.Res.Plan), dry.Stderr)
	}
	if connects() {
		t.Fatal("--dry-run changed the forward")
	}
	r := run("--yes")
	// The re-check reads QEMU's command line, which the monitor does not
	// change: the step says so, and the connection below is the proof.
	if len(r.Res.Applied) != 1 || r.Res.After == nil || r.Res.Error != "" || r.Res.Plan.Steps[0].Warning == "" {
		t.Fatalf("--yes: exit %d %+v after %+v\n%s", r.ExitCode, r.Res, r.Res.After, r.Stderr)
	}
	if !connects() {
		t.Fatal("the LAN side still cannot connect after the fix")
	}
	if q.Exited() {
		t.Fatal("QEMU stopped")
	}
	u := l.Server.RunEnv(t, []string{"HOME=" + dir}, lab.Binary(t), "fix", "--undo", undoID(r))
	if u.ExitCode != 0 {
		t.Fatalf("undo: %s %s", u.Stdout, u.Stderr)
	}
	if connects() {
		t.Fatal("the LAN side connects after undo")
	}
	again := run("--dry-run")
	if again.Res.Before.Diagnosis.Code != "qemu.hostfwd_loopback_only" || !strings.Contains(again.Res.Plan.Steps[0].Command, "hostfwd_add") {
		t.Fatalf("after undo: %s", again.Res.Before.Diagnosis.Code)
	}
}
