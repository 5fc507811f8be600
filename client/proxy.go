package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/capped"
	"github.com/sshdoctor/sshdoctor/sshlog"
)

// maxProxyStderr caps what is kept of a ProxyCommand's stderr (an error
// from gcloud, cloudflared or nc is a few lines).
const maxProxyStderr = 16 * 1024

// proxyExitWait is how long the proxy layer waits for a command that
// closed its output to exit, so its exit status and last stderr lines
// are in the report.
const proxyExitWait = 500 * time.Millisecond

// expandProxyCommand substitutes the tokens ssh substitutes in
// ProxyCommand (ssh_config(5) TOKENS): %h the HostName, %p the port, %r
// the remote user, %n the host as typed, %u the local user, %% a percent.
func expandProxyCommand(cmd string, s *Settings, typed string) string {
	local, _, _ := localUser()
	var b strings.Builder
	for i := 0; i < len(cmd); i++ {
		if cmd[i] != '%' || i+1 == len(cmd) {
			b.WriteByte(cmd[i])
			continue
		}
		i++
		switch cmd[i] {
		case 'h':
			b.WriteString(s.Hostname)
		case 'p':
			b.WriteString(strconv.Itoa(s.Port))
		case 'r':
			b.WriteString(s.User)
		case 'n':
			b.WriteString(typed)
		case 'u':
			b.WriteString(local)
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(cmd[i])
		}
	}
	return b.String()
}

// proxyConn is a ProxyCommand's stdin/stdout as a connection with working
// deadlines (an in-memory pipe in front of the process), and what the
// process said on stderr.
type proxyConn struct {
	net.Conn
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{}
	once   sync.Once
}

// Close ends the command, as ssh does when it is done with it.
func (p *proxyConn) Close() error {
	p.once.Do(func() {
		p.Conn.Close()
		if p.cmd.Process != nil {
			_ = p.cmd.Process.Kill()
		}
	})
	return nil
}

// startProxy runs the command as ssh does: through the user's shell with
// exec, stdin and stdout as the connection, stderr kept. The process lives
// until the connection is closed or life passes.
func startProxy(command string, life time.Duration) (*proxyConn, error) {
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.Command("cmd.exe", "/c", command)
	} else {
		sh := os.Getenv("SHELL")
		if sh == "" {
			sh = "/bin/sh"
		}
		cmd = exec.Command(sh, "-c", "exec "+command)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	errb := &lockedBuffer{b: capped.New(maxProxyStderr)}
	cmd.Stderr = errb
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ours, theirs := net.Pipe()
	pc := &proxyConn{Conn: ours, cmd: cmd, stderr: errb, exited: make(chan struct{})}
	go func() {
		_, _ = io.Copy(stdin, theirs)
		stdin.Close()
	}()
	go func() {
		_, _ = io.Copy(theirs, stdout)
		theirs.Close()
	}()
	go func() {
		_ = cmd.Wait()
		close(pc.exited)
	}()
	t := time.AfterFunc(life, func() { pc.Close() })
	go func() { <-pc.exited; t.Stop() }()
	return pc, nil
}

// exitStatus is the command's exit status once it has exited, else -1.
func (p *proxyConn) exitStatus(wait time.Duration) int {
	select {
	case <-p.exited:
		if p.cmd.ProcessState != nil {
			return p.cmd.ProcessState.ExitCode()
		}
	case <-time.After(wait):
	}
	return -1
}

// proxyFailure names a ProxyCommand that ended (or said nothing) before
// the server's identification came through it. Its stderr goes through
// the classifier `sshdoctor explain` uses, so an IAP 4003/4033, a
// cloudflared or SSM error, or a proxy's refusal is named at this layer.
func (r *Run) proxyFailure(pc *proxyConn, command string, readErr error) *diag.Finding {
	status := pc.exitStatus(proxyExitWait)
	stderr := bytes.TrimSpace(pc.stderr.Bytes())
	var f *diag.Finding
	if len(stderr) > 0 {
		a, err := sshlog.Explain([]sshlog.Input{{Name: "proxy", R: bytes.NewReader(stderr)}}, sshlog.ExplainOptions{})
		if err == nil {
			for _, x := range a.Findings {
				if x.Severity == diag.SevError {
					f = x
					break
				}
			}
		}
	}
	if f == nil {
		f = diag.NewFinding("proxy.ended").Arg("command", command)
		f.Fix("fix.proxy_run_alone", command+" </dev/null")
	}
	f.Ev("proxy_command", command)
	if status >= 0 {
		f.EvInt("proxy_exit_status", status)
	} else {
		f.Ev("proxy_exit_status", "still running: it sent nothing")
	}
	if len(stderr) > 0 {
		f.Ev("proxy_stderr", diag.Quote(stderr, 1000))
	}
	if readErr != nil && !errors.Is(readErr, io.EOF) {
		f.Ev("error", readErr.Error())
	}
	return f
}

// connectProxy is the TCP layer's work when ssh would run a ProxyCommand:
// start it and wait for its first bytes (the server's identification),
// or for it to end. The bytes read are handed on with the connection.
func (r *Run) connectProxy(ctx context.Context, s *Settings) diag.Result {
	command := s.ProxyCommand
	r.connections.Add(1)
	pc, err := startProxy(command, 4*r.opts.Timeout+10*time.Second)
	if err != nil {
		program := strings.Fields(command + " ?")[0]
		return diag.Conclude(nil, diag.NewFinding("proxy.command_failed").Arg("program", program).
			Ev("proxy_command", command).Ev("error", err.Error()).
			AddFixes(catalog.Params{catalog.ParamOS: runtime.GOOS, "program": program}))
	}
	start := time.Now()
	_ = pc.SetReadDeadline(time.Now().Add(r.opts.Timeout))
	stop := context.AfterFunc(ctx, func() { pc.Close() })
	defer stop()
	buf := make([]byte, 4096)
	n, rerr := pc.Read(buf)
	_ = pc.SetReadDeadline(time.Time{})
	if n == 0 {
		pc.Close()
		return diag.Conclude(nil, r.proxyFailure(pc, command, rerr))
	}
	f := diag.NewFinding("proxy.connected").Arg("command", command).Ev("proxy_command", command).
		Ev("elapsed", time.Since(start).Round(time.Millisecond).String())
	r.sess.setConn(&prefixConn{Conn: pc, prefix: buf[:n]})
	return diag.Conclude(&Connected{Settings: s, Elapsed: time.Since(start)}, f)
}

// prefixConn replays bytes already read before reading on.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(b []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(b, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// lockedBuffer is a capped buffer the process writes while the checks may
// read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  *capped.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.b.Bytes()...)
}
