//go:build linux

package lab

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// The lab itself: a real ssh from the client namespace logs in to a real
// sshd in the server namespace with a real account and key, and nothing
// outside the link is reachable.
func TestLabRealSSHLogin(t *testing.T) {
	Require(t)
	l := New(t)
	sshd := l.StartSSHD(t, SSHDOptions{})
	u := AddUser(t, UserOptions{})
	priv, pub := NewKey(t, t.TempDir(), "ed25519")
	u.AuthorizeKey(t, pub)
	r := l.Client.Run(t, "ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-i", priv,
		"-o", "ConnectTimeout=5", u.Name+"@"+ServerAddr, "echo", "lab-ok")
	if r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "lab-ok" {
		t.Fatalf("ssh exit %d stdout %q stderr %q\nsshd log:\n%s", r.ExitCode, r.Stdout, r.Stderr, sshd.Log())
	}
	if !strings.Contains(sshd.Log(), "Accepted publickey for "+u.Name) {
		t.Fatalf("sshd did not log the login:\n%s", sshd.Log())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := l.Client.DialContext(ctx, "tcp", Unroutable+":22"); err == nil || !strings.Contains(err.Error(), "network is unreachable") {
		t.Fatalf("dial outside the lab: %v, want network is unreachable", err)
	}
}

func TestLabStandInAcrossNamespaces(t *testing.T) {
	Require(t)
	l := New(t)
	ln := l.Server.Listen(t, ServerAddr+":2201")
	Serve(t, ln, SSH1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := l.Client.DialContext(ctx, "tcp", ServerAddr+":2201")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 64)
	n, err := io.ReadAtLeast(c, b, 8)
	if err != nil || !strings.HasPrefix(string(b[:n]), "SSH-1.5-") {
		t.Fatalf("read %q, %v", b[:n], err)
	}
}

func TestLabDNS(t *testing.T) {
	Require(t, "dnsmasq")
	l := New(t)
	l.Server.StartDNS(t, map[string]string{"ssh.lab.test": ServerAddr})
	l.Client.SetResolver(t, ServerAddr)
	r := l.Client.Run(t, "getent", "hosts", "ssh.lab.test")
	if !strings.Contains(r.Stdout, ServerAddr) {
		t.Fatalf("getent: %q %q", r.Stdout, r.Stderr)
	}
	r = l.Client.Run(t, "getent", "hosts", "nothere.lab.test")
	if r.ExitCode != 2 {
		t.Fatalf("getent nothere: exit %d, want 2 (not found)", r.ExitCode)
	}
}
