//go:build unix

package sshconfig

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The reproduction: a Match exec command that sleeps. ssh -G is stopped at
// its deadline with what it started, the error says it timed out, and the
// line that runs the command is named.
func TestSSHGTimeoutNamesCommandLine(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ssh is not installed; CI=true forbids skipping")
		}
		t.Skip("ssh is not installed")
	}
	old := sshGTimeout
	sshGTimeout = time.Second
	defer func() { sshGTimeout = old }()
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	script := filepath.Join(dir, "hang.sh")
	if err := os.WriteFile(script, []byte("echo $$ > "+pidFile+"\nexec sleep 60\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("Host *\n  User alice\n\nMatch exec \"sh "+script+"\"\n  Port 2222\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := FromSSH(context.Background(), Request{Host: "198.18.0.2", ConfigFile: cfg}, nil)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("not a timeout: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
	if len(te.Commands) != 1 || te.Commands[0].File != cfg || te.Commands[0].Line != 4 || !strings.Contains(te.Commands[0].Text, "Match exec") {
		t.Fatalf("command lines %+v", te.Commands)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	deadline := time.Now().Add(2 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the Match exec command %d outlived ssh -G", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
