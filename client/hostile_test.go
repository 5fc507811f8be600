package client

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/report"
	"github.com/sshdoctor/sshdoctor/sshconfig"
)

// checkAgainst runs the whole check against a server that sends reply and
// then closes, and returns the text and JSON reports. The server is an
// in-memory pipe handed to the dialer: no traffic leaves the process.
func checkAgainst(t testing.TB, reply []byte) (text, js string) {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, s := net.Pipe()
		go func() {
			defer s.Close()
			go func() { // read what the client sends, as a server would
				buf := make([]byte, 4096)
				for {
					if _, err := s.Read(buf); err != nil {
						return
					}
				}
			}()
			s.SetWriteDeadline(time.Now().Add(2 * time.Second))
			s.Write(reply)
			time.Sleep(50 * time.Millisecond)
		}()
		return c, nil
	}
	r := New(Options{Destination: "198.18.0.2", Host: "198.18.0.2", Port: 22, NoLogin: true,
		Timeout: 2 * time.Second, Dial: dial})
	o, err := diag.Execute(context.Background(), r.Checks())
	if err != nil {
		t.Fatal(err)
	}
	var tb, jb bytes.Buffer
	rep := report.Build("check", catalog.EN, o)
	_ = rep.WriteText(&tb, report.TextOptions{Header: "sshdoctor 198.18.0.2", Verbose: true})
	_ = rep.WriteJSON(&jb)
	return tb.String(), jb.String()
}

func assertClean(t testing.TB, text string) {
	t.Helper()
	for _, r := range text {
		if r != '\n' && diag.Hidden(r) {
			t.Fatalf("%U reached the terminal:\n%s", r, text)
		}
	}
}

// The reproduction of a server whose identification carries terminal
// escapes (window title, colour, clear screen): shown escaped.
func TestHostileBannerEscaped(t *testing.T) {
	text, js := checkAgainst(t, []byte("SSH-2.0-OpenSSH_9.9\x1b]0;PWNED-TITLE\x07\x1b[31mRED\x1b[2J\x1b[H\r\n"))
	assertClean(t, text)
	if !strings.Contains(text, `OpenSSH_9.9\x1b]0;PWNED-TITLE\a\x1b[31mRED`) {
		t.Fatalf("the software name is not shown escaped:\n%s", text)
	}
	if !strings.Contains(js, `OpenSSH_9.9\u001b]0;PWNED-TITLE\u0007`) {
		t.Fatalf("JSON is not faithful:\n%s", js)
	}
}

// A Japanese banner is text, not \xe6\x97…
func TestJapaneseBannerIsText(t *testing.T) {
	text, _ := checkAgainst(t, []byte("SSH-2.0-日本語サーバ コメント\r\n"))
	if !strings.Contains(text, "日本語サーバ") || strings.Contains(text, `\xe6`) {
		t.Fatalf("Japanese banner not shown as text:\n%s", text)
	}
	text, _ = checkAgainst(t, []byte("ようこそ\r\nSSH-2.0-OpenSSH_9.9\r\n"))
	assertClean(t, text)
}

// FuzzCheckHostileReply: whatever a server sends, check's text report
// carries no control character but the newline.
func FuzzCheckHostileReply(f *testing.F) {
	for _, s := range []string{
		"SSH-2.0-OpenSSH_9.9\x1b]0;PWNED-TITLE\x07\x1b[31mRED\x1b[2J\x1b[H\r\n",
		"\x1b[2J\r\nSSH-2.0-x\u202e\r\n",
		"SSH-2.0-日本語サーバ\r\n",
		"SSH-1.5-\x9b1m\r\n",
		"HTTP/1.1 400 \x1b[5m\r\n\r\n",
		"SSH-2.0-OpenSSH_9.9\r\n\x00\x00\x00\x1c\x0a\x01\x00\x00\x00\x0b\x1b[2Jbye\x1b\x00\x00\x00\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, reply []byte) {
		text, js := checkAgainst(t, reply)
		assertClean(t, text)
		if !strings.HasPrefix(js, "{") {
			t.Fatalf("JSON: %s", js)
		}
	})
}

// ssh -G timing out reads as a timeout naming the line that runs a
// command, never "ssh rejects its configuration … in - at line -".
func TestConfigTimeoutFinding(t *testing.T) {
	te := &sshconfig.TimeoutError{After: 10 * time.Second, Commands: []sshconfig.Located{{File: "/home/a/.ssh/config", Line: 7, Text: `Match exec "sleep 100"`}}}
	f := configTimeoutFinding(te, sshconfig.Request{Host: "h"})
	rf := report.RenderFinding(catalog.EN, f)
	if f.Code != "config.ssh_timeout" || strings.Contains(rf.Title, " - ") || !strings.Contains(rf.Title, "10s") {
		t.Fatalf("%s: %q", f.Code, rf.Title)
	}
	if !strings.Contains(rf.Evidence["command_lines"], `/home/a/.ssh/config:7: Match exec "sleep 100"`) {
		t.Fatalf("evidence %v", rf.Evidence)
	}
}

// kexinitPacket builds an unencrypted SSH_MSG_KEXINIT packet with the
// given key-exchange name-list and ordinary lists elsewhere.
func kexinitPacket(kex string) []byte {
	lists := []string{kex, "ssh-ed25519,rsa-sha2-512", "aes128-ctr", "aes128-ctr",
		"hmac-sha2-256", "hmac-sha2-256", "none", "none", "", ""}
	p := []byte{20}
	p = append(p, make([]byte, 16)...)
	nl := func(s string) {
		p = append(p, byte(len(s)>>24), byte(len(s)>>16), byte(len(s)>>8), byte(len(s)))
		p = append(p, s...)
	}
	for _, l := range lists {
		nl(l)
	}
	p = append(p, 0, 0, 0, 0, 0)
	pad := 8 - (5+len(p))%8
	if pad < 4 {
		pad += 8
	}
	n := 1 + len(p) + pad
	out := []byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n), byte(pad)}
	out = append(out, p...)
	return append(out, make([]byte, pad)...)
}

// The reproduction (kex35k): a 35,000-byte key-exchange list with nothing
// in common. The report shortens it with a count instead of echoing it
// (72 KB of output for one list).
func TestHugeKexListsSummarised(t *testing.T) {
	var names []string
	for i := 0; len(strings.Join(names, ",")) < 35000; i++ {
		names = append(names, fmt.Sprintf("nomatch-alg-%05d@example.com", i))
	}
	list := strings.Join(names, ",")
	text, js := checkAgainst(t, append([]byte("SSH-2.0-OpenSSH_9.2p1\r\n"), kexinitPacket(list)...))
	if !strings.Contains(text, "kex.no_kex") && !strings.Contains(text, "[kex.") {
		t.Fatalf("no key-exchange finding:\n%s", text)
	}
	if len(text) > 20000 || len(js) > 40000 {
		t.Fatalf("text %d bytes, JSON %d bytes for %d-byte lists", len(text), len(js), len(list))
	}
	if !strings.Contains(text, fmt.Sprintf("more; %d names", len(names))) {
		t.Fatalf("no count of the names left out:\n%s", text)
	}
}
