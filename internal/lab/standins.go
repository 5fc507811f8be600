//go:build linux

package lab

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Behaviour is how a stand-in server treats each accepted connection.
type Behaviour func(c net.Conn)

// Serve accepts connections on ln in the background and hands each to b;
// it stops when the test ends.
func Serve(t testing.TB, ln net.Listener, b Behaviour) {
	t.Helper()
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Every stand-in connection ends by itself, or when the test does.
				go func() { <-done; c.Close() }()
				b(c)
			}()
		}
	}()
}

// CloseAtOnce reads the client's identification and closes (FIN): what TCP
// wrappers or a port forward with nothing behind it look like. (Closing
// without reading makes the kernel send RST instead: see Reset.)
func CloseAtOnce(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, _ = bufio.NewReader(c).ReadString('\n')
	c.Close()
}

// Reset accepts and resets the connection (SO_LINGER 0 then close).
func Reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

// Silent accepts and never says anything, reading until the client leaves
// or a minute passes.
func Silent(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	_, _ = io.Copy(io.Discard, c)
}

// HTTP answers like a web server that gets a non-HTTP request.
func HTTP(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	_, _ = br.ReadString('\n')
	body := "<html><body><h1>400 Bad Request</h1></body></html>\n"
	fmt.Fprintf(c, "HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
}

// Endlessh dribbles random pre-banner lines forever, one every interval,
// like the endlessh tarpit.
func Endlessh(interval time.Duration) Behaviour {
	return func(c net.Conn) {
		defer c.Close()
		for i := 0; i < 100000; i++ {
			_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := fmt.Fprintf(c, "%x tarpit line %d\r\n", time.Now().UnixNano(), i); err != nil {
				return
			}
			time.Sleep(interval)
		}
	}
}

// SSH1 greets as an SSH-1.5-only server and closes when the client answers.
func SSH1(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(c, "SSH-1.5-OpenSSH_3.9p1\n")
	_, _ = bufio.NewReader(c).ReadString('\n')
}

// MaxStartups says what OpenSSH 9.8+ says when it drops a connection for
// MaxStartups or PerSourcePenalties, then closes.
func MaxStartups(text string) Behaviour {
	return func(c net.Conn) {
		defer c.Close()
		_, _ = io.WriteString(c, text+"\r\n")
	}
}

// Forwarder accepts and tries to connect to target, closing the client's
// connection when that fails: a port forward with nothing behind it.
func Forwarder(dial func() (net.Conn, error)) Behaviour {
	return func(c net.Conn) {
		defer c.Close()
		up, err := dial()
		if err != nil {
			// Like CloseAtOnce: read what the client sent first, so the
			// close is a FIN every time (closing with unread data resets).
			CloseAtOnce(c)
			return
		}
		defer up.Close()
		done := make(chan struct{}, 2)
		go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
		go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
		<-done
	}
}

// StartDNS runs dnsmasq in the namespace as the authority for the zone
// "lab.test": names listed in hosts resolve, every other name under
// lab.test gets NXDOMAIN, and nothing is forwarded anywhere.
func (n *NS) StartDNS(t testing.TB, hosts map[string]string) *Process {
	t.Helper()
	dir := t.TempDir()
	hf := filepath.Join(dir, "hosts")
	var b strings.Builder
	for name, addr := range hosts {
		fmt.Fprintf(&b, "%s %s\n", addr, name)
	}
	if err := os.WriteFile(hf, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	p := n.Start(t, Tool(t, "dnsmasq"), "--keep-in-foreground", "--no-resolv", "--no-hosts",
		"--addn-hosts="+hf, "--local=/lab.test/", "--listen-address="+n.Addr, "--bind-interfaces",
		"--port=53", "--pid-file=", "--user=root", "--conf-file=/dev/null", "--log-facility=-")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if p.Exited() {
			t.Fatalf("lab: dnsmasq exited: %s", p.Output())
		}
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/udp", p.Pid())); strings.Contains(string(b), ":0035 ") {
			return p
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("lab: dnsmasq did not listen: %s", p.Output())
	return p
}
