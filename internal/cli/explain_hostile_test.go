//go:build unix

package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func needSSH(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ssh is not installed; CI=true forbids skipping")
		}
		t.Skip("ssh is not installed")
	}
}

func TestSSHArgsWithoutCommand(t *testing.T) {
	cases := map[string]string{
		"alice@host":                    "alice@host",
		"-p 2222 alice@host rm -rf /":   "-p 2222 alice@host",
		"-vT -p2222 -o Port=22 host id": "-vT -p2222 -o Port=22 host",
		"-fN -L 8080:localhost:80 host": "-L 8080:localhost:80 host",
		"-W localhost:22 -i key host":   "-i key host",
		"-vfp 22 host cmd":              "-v -p 22 host",
		"-o ProxyCommand=nc -- host x":  "-o ProxyCommand=nc -- host",
	}
	for in, want := range cases {
		if got := strings.Join(sshArgsWithoutCommand(strings.Fields(in)), " "); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// hostKeyServer is a loopback SSH server (golang.org/x/crypto/ssh) that
// completes the key exchange and refuses every login: enough for ssh to
// learn its host key.
func hostKeyServer(t *testing.T) int {
	port, _ := sshServer(t, false)
	return port
}

// sshServer starts a loopback SSH server. With hang, it lets anyone in
// ("none" authentication) and then never answers the session request: a
// login that hangs. It returns the port and a known_hosts line.
func sshServer(t *testing.T, hang bool) (int, string) {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) {
		return nil, os.ErrPermission
	}}
	cfg.NoClientAuth = hang
	cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				c.SetDeadline(time.Now().Add(20 * time.Second))
				_, chans, reqs, err := ssh.NewServerConn(c, cfg)
				if err == nil && hang {
					go ssh.DiscardRequests(reqs)
					for range chans { // never accepted, never refused
					}
				}
				c.Close()
			}()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	return port, "[127.0.0.1]:" + itoa(port) + " " + string(ssh.MarshalAuthorizedKey(signer.PublicKey()))
}

// explain --run never lets the user's ssh write known_hosts, even when the
// user asks for StrictHostKeyChecking=accept-new: the host key is
// reported as unknown instead.
func TestExplainRunWritesNothing(t *testing.T) {
	needSSH(t)
	port := hostKeyServer(t)
	dir := t.TempDir()
	kh := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(kh, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r, code, _ := explainJSON(t, "", "--run", "--timeout", "20s", "--", "ssh", "-F", "/dev/null",
		"-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile="+kh, "-p", itoa(port),
		"nobody@127.0.0.1", "touch", filepath.Join(dir, "ran"))
	if b, _ := os.ReadFile(kh); len(b) != 0 {
		t.Fatalf("known_hosts was written: %q", b)
	}
	if code == 0 {
		t.Fatalf("exit 0 for an unknown host key: %v", r)
	}
	cmd := r["subject"].(map[string]any)["command"].(string)
	if !strings.HasSuffix(cmd, " nobody@127.0.0.1 true") || strings.Contains(cmd, "touch") {
		t.Fatalf("the remote command was not replaced by true: %s", cmd)
	}
}

// An ssh that hangs (the login never completes) is killed at --timeout,
// and the exit code says nothing was concluded (3), never 0.
func TestExplainRunHungIsNotOK(t *testing.T) {
	needSSH(t)
	port, khLine := sshServer(t, true)
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, []byte(khLine), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r, code, _ := explainJSON(t, "", "--run", "--timeout", "3s", "--", "ssh", "-F", "/dev/null",
		"-o", "UserKnownHostsFile="+kh, "-p", itoa(port), "nobody@127.0.0.1")
	if el := time.Since(start); el > 15*time.Second {
		t.Fatalf("took %v", el)
	}
	if code != 3 {
		t.Fatalf("exit %d after ssh was killed: %v", code, r)
	}
	if !strings.Contains(string(mustJSON(t, r)), "explain.run_timeout") {
		t.Fatalf("no run_timeout finding: %v", r)
	}
}

// Not a regular file: refused with one line, at once; UTF-16 input is
// read as text.
func TestExplainInputFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{fifo, "/dev/zero"} {
		done := make(chan int, 1)
		var errText string
		go func() {
			_, code, e := explainJSON(t, "", name)
			errText = e
			done <- code
		}()
		select {
		case code := <-done:
			if code != ExitUsage || strings.Count(errText, "\n") != 1 || !strings.Contains(errText, "not a regular file") {
				t.Errorf("%s: exit %d %q", name, code, errText)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: explain hung", name)
		}
	}
	plain, err := os.ReadFile(filepath.Join("testdata", "out_changed.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	u16 := []byte{0xff, 0xfe}
	for _, r := range string(plain) {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	p := filepath.Join(dir, "ps.txt")
	if err := os.WriteFile(p, u16, 0o600); err != nil {
		t.Fatal(err)
	}
	r, code, _ := explainJSON(t, "", p)
	if code != 1 || diagCode(r) != "hostkey.changed" {
		t.Fatalf("UTF-16 file: exit %d %q", code, diagCode(r))
	}
	r, code, _ = explainJSON(t, string(u16), "-")
	if code != 1 || diagCode(r) != "hostkey.changed" {
		t.Fatalf("UTF-16 stdin: exit %d %q", code, diagCode(r))
	}
}
