//go:build unix

package cli

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
)

// An error line never carries NUL bytes or escape sequences from an
// argument or a file name, and stays one bounded line.
func TestErrorLineEscaped(t *testing.T) {
	s, _, errOut := TestIO(nil)
	code := Main([]string{"--lang", strings.Repeat("\x00", 40) + "\x1b[2J"}, s)
	line := errOut.String()
	if code != ExitUsage || strings.Count(line, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, line)
	}
	for _, r := range strings.TrimSuffix(line, "\n") {
		if diag.Hidden(r) {
			t.Fatalf("stderr holds %U: %q", r, line)
		}
	}
	if !strings.Contains(line, `\x00`) {
		t.Fatalf("the NUL bytes are not shown as escapes: %q", line)
	}
	if got := oneLine(strings.Repeat("x", 100000)); len(got) > maxErrorLine+4 {
		t.Fatalf("error line of %d bytes", len(got))
	}
}

// A named pipe with no writer or a device given as a file is refused at
// once with one line, by every command that takes a file.
func TestFileArgumentsOnlyRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{fifo, "/dev/zero"} {
		for _, args := range [][]string{
			{"check", "-F", bad, "198.18.0.2"},
			{"vm", "--file", bad},
			{"server", "--key", bad},
			{"server", "--sshd-config", bad},
			{"server", "--log", bad},
			{"explain", bad},
		} {
			s, _, errOut := TestIO(nil)
			done := make(chan int, 1)
			go func() { done <- Main(args, s) }()
			select {
			case code := <-done:
				line := errOut.String()
				if code != ExitUsage || strings.Count(line, "\n") != 1 || !strings.Contains(line, "not a regular file") {
					t.Errorf("%v: exit %d, stderr %q", args, code, line)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%v hung", args)
			}
		}
	}
}

// Ctrl-C while check waits for the server's key exchange (the server sent
// its banner and went silent): exit 130 and no diagnosis, not "the server
// closed the connection" (the close was sshdoctor's own).
func TestCtrlCDuringKexIsNotADiagnosis(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("SSH-2.0-OpenSSH_9.2p1\r\n"))
			accepted <- struct{}{}
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-accepted
		time.Sleep(300 * time.Millisecond)
		cancel()
	}()
	s, out, _ := TestIO(nil)
	g := &Globals{JSON: true}
	root := NewRootCmd(ctx, s, g)
	root.SetArgs([]string{"check", "--json", "-F", "/dev/null", "--timeout", "10s",
		"-p", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), "127.0.0.1"})
	start := time.Now()
	code := exitCode(root.ExecuteContext(ctx), s, g)
	if code != ExitInterrupted || time.Since(start) > 5*time.Second {
		t.Fatalf("exit %d after %v\n%s", code, time.Since(start), out)
	}
	var r map[string]any
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if d := diagCode(r); d == "kex.closed" || r["result"] == "problem" {
		t.Fatalf("invented diagnosis %q", d)
	}
}

// A log line whose host name carries a right-to-left override or an
// escape: the fix built from it is withheld (what is pasted would differ
// from what is read), the finding itself still stands.
func TestFixFromHostileLogWithheld(t *testing.T) {
	plain, err := os.ReadFile(filepath.Join("testdata", "out_changed.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	for _, evil := range []string{"[127.0.0.1]:2299\u202e", "[127.0.0.1]:2299\x1b[8m"} {
		log := strings.ReplaceAll(string(plain), "[127.0.0.1]:2299", evil)
		r, code, _ := explainJSON(t, log, "-")
		if code != 1 || diagCode(r) != "hostkey.changed" {
			t.Fatalf("exit %d %q", code, diagCode(r))
		}
		withheld, removal := false, false
		for _, fx := range r["diagnosis"].(map[string]any)["fixes"].([]any) {
			m := fx.(map[string]any)
			cmd, _ := m["command"].(string)
			if !diag.CommandSafe(cmd) {
				t.Fatalf("fix command carries a hidden character: %q", cmd)
			}
			if m["command_withheld"] == true {
				withheld = true
			}
			removal = removal || strings.Contains(cmd, "-R")
		}
		// The removal command is withheld, or left out by the log reader
		// itself when the value could only be shown escaped. A terminal
		// colour sequence is taken off by the normaliser before the line is
		// read, so a removal built from what remains names exactly what the
		// person saw (and CommandSafe held above).
		if strings.Contains(evil, "\u202e") && (removal || !withheld) {
			t.Fatalf("no fix was withheld for %q: %v", evil, r["diagnosis"])
		}
		s, out, _ := TestIO(nil)
		s.In = strings.NewReader(log)
		Main([]string{"explain", "-"}, s)
		for _, c := range out.String() {
			if c != '\n' && diag.Hidden(c) {
				t.Fatalf("text output holds %U", c)
			}
		}
	}
}

// Ctrl-C ends explain with 130 whatever it reads: an endless stream
// (explain < /dev/zero) or a standard input that never sends anything.
func TestExplainCtrlC(t *testing.T) {
	never, w := io.Pipe()
	defer w.Close()
	for name, in := range map[string]io.Reader{"zeros": zeroReader{}, "silent stdin": never} {
		ctx, cancel := context.WithCancel(context.Background())
		s, _, _ := TestIO(nil)
		s.In = in
		g := &Globals{}
		root := NewRootCmd(ctx, s, g)
		root.SetArgs([]string{"explain", "-"})
		time.AfterFunc(300*time.Millisecond, cancel)
		done := make(chan int, 1)
		go func() { done <- exitCode(root.ExecuteContext(ctx), s, g) }()
		select {
		case code := <-done:
			if code != ExitInterrupted {
				t.Errorf("%s: exit %d, want 130", name, code)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: explain did not end on Ctrl-C", name)
		}
		cancel()
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
