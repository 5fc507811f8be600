package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/capped"
	"github.com/sshdoctor/sshdoctor/internal/inputfile"
	"github.com/sshdoctor/sshdoctor/sshlog"
)

// ExplainOptions is filled from `sshdoctor explain` flags.
type ExplainOptions struct {
	// Files to read; none, or "-", means standard input.
	Files []string
	// Run runs Command (the user's ssh) instead of reading files.
	Run     bool
	Command []string
	// Timeout bounds a --run.
	Timeout time.Duration
	// User and From narrow what an sshd log is summarised for.
	User string
	From string
}

// defaultRunTimeout bounds `explain --run`: one ssh attempt with our
// ConnectTimeout (half of it) ends well within it, and a person waiting at
// a terminal should not wait longer than ssh's own give-up.
const defaultRunTimeout = 30 * time.Second

// maxRunOutput caps what --run keeps of ssh's output: an -v run is a few
// kilobytes; a remote command that prints more is cut, not buffered.
const maxRunOutput = 1 << 20

// NewCmdExplain builds `sshdoctor explain`.
func NewCmdExplain(s *IO, g *Globals, runF func(*ExplainOptions) error) *cobra.Command {
	opts := &ExplainOptions{}
	cmd := &cobra.Command{
		Use:   "explain [FILE…] | explain --run -- ssh [ssh args…]",
		Short: "Explain ssh output, an ssh -v log, sshd logs or a gcloud error",
		Long: `Read what ssh printed (plain or -v/-vvv), sshd logs (auth.log, secure,
journalctl in any format) or a Google Cloud / IAP error, and explain it with
the same findings and fixes as the live checks. No network access.

With no FILE, or when FILE is -, read standard input. A FILE must be a
regular file (not a named pipe or a device); text saved as UTF-16 (by
PowerShell's >) is read too.

With --run, run your own ssh once, then explain what it printed. It runs
  ssh -v -T -o BatchMode=yes -o StrictHostKeyChecking=yes
      -o UpdateHostKeys=no -o PasswordAuthentication=no
      -o KbdInteractiveAuthentication=no -o ClearAllForwardings=yes
      -o PermitLocalCommand=no -o ControlMaster=no -o ControlPath=none
      -o RemoteCommand=none -o ConnectTimeout=… [your arguments] true
so it never prompts, never sends a password, writes nothing to
known_hosts (an unknown host key is reported, not accepted), opens no
shell, no forwarding and no shared connection, and runs only the no-op
remote command true (a remote command you give is replaced by it; -f, -N
and -W are dropped). Standard input is closed; ssh and what it started are
killed at --timeout.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.Run && len(args) == 0 {
				return usagef("--run needs the ssh command after --, e.g. sshdoctor explain --run -- ssh user@host")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Run {
				opts.Command = args
				base := strings.ToLower(filepath.Base(args[0]))
				if base != "ssh" && base != "ssh.exe" {
					return usagef("--run runs ssh only; got %q", args[0])
				}
			} else {
				opts.Files = args
			}
			if opts.Timeout <= 0 {
				return usagef("--timeout must be positive")
			}
			if runF != nil {
				return runF(opts)
			}
			return runExplain(cmd.Context(), s, g, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Run, "run", false, "run the ssh command given after -- (with -v, in batch mode) and explain its output")
	f.DurationVar(&opts.Timeout, "timeout", defaultRunTimeout, "with --run: stop ssh after this long")
	f.StringVar(&opts.User, "user", "", "in sshd logs, only this login name")
	f.StringVar(&opts.From, "from", "", "in sshd logs, only this client address")
	return cmd
}

func runExplain(ctx context.Context, s *IO, g *Globals, opts *ExplainOptions) error {
	lang, err := language(g.Lang, s.Getenv)
	if err != nil {
		return err
	}
	var inputs []sshlog.Input
	subject := map[string]string{}
	header := "sshdoctor explain"
	var extra []*diag.Finding
	killed := false
	if opts.Run {
		res, err := runSSH(ctx, opts.Command, opts.Timeout)
		if err != nil {
			return err
		}
		killed = res.timedOut
		subject["command"] = strings.Join(res.argv, " ")
		subject["exit_status"] = strconv.Itoa(res.exit)
		header += ": " + subject["command"]
		inputs = append(inputs, sshlog.Input{Name: "ssh", R: bytes.NewReader(res.output)})
		if res.timedOut {
			extra = append(extra, diag.NewFinding("explain.run_timeout").Arg("timeout", opts.Timeout.String()))
		}
		if res.truncated {
			extra = append(extra, diag.NewFinding("explain.run_output_truncated").Arg("limit", strconv.Itoa(maxRunOutput>>20)+" MiB"))
		}
	} else {
		files := opts.Files
		if len(files) == 0 {
			files = []string{"-"}
		}
		for _, name := range files {
			if name == "-" {
				inputs = append(inputs, sshlog.Input{Name: "stdin", R: inputfile.Decode(ctxReader{ctx, s.In})})
				continue
			}
			// A named pipe with no writer would block for ever and a
			// device never end: only regular files.
			f, err := inputfile.Open(name)
			if err != nil {
				return fileUsage("explain", name, err)
			}
			defer f.Close()
			inputs = append(inputs, sshlog.Input{Name: name, R: inputfile.Decode(ctxReader{ctx, f})})
		}
		subject["input"] = strings.Join(files, ", ")
		header += ": " + subject["input"]
	}
	inputs, heads := teeInputs(inputs)
	a, err := explainCancellable(ctx, inputs, sshlog.ExplainOptions{Scan: sshlog.ScanOptions{User: opts.User, Source: opts.From}})
	if err != nil {
		if ctx.Err() != nil {
			return context.Canceled // Ctrl-C: exit 130, no report
		}
		return fmt.Errorf("reading input: %w", err)
	}
	mergeACL(a, aclFindings(heads))
	o, err := diag.Execute(ctx, explainChecks(a, extra, killed))
	if err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	if ctx.Err() != nil {
		return context.Canceled // Ctrl-C: exit 130, no report
	}
	for i := range o.Runs {
		// The time went into reading the input, before the checks: a
		// duration here would time only their presenting it.
		o.Runs[i].Duration = 0
	}
	return emit(s, g, lang, RunSpec{Command: "explain", Subject: subject, Header: header}, o)
}

// timedOutResult keeps a failure found in what ssh printed before it was
// killed; anything milder becomes inconclusive.
func timedOutResult(r diag.Result) diag.Result {
	if r.Status == diag.StatusFail {
		return r
	}
	return diag.Inconclusive(r.Findings...)
}

// explainCancellable runs the analysis so that Ctrl-C ends it at once:
// reads of regular files stop at the next block (ctxReader), and a read
// blocked on standard input is abandoned (the process is about to exit).
func explainCancellable(ctx context.Context, inputs []sshlog.Input, opts sshlog.ExplainOptions) (*sshlog.Analysis, error) {
	type result struct {
		a   *sshlog.Analysis
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			// A crash while reading is the explain check's: one line
			// (the stack with -v), never a trace that ends the process.
			if v := recover(); v != nil {
				done <- result{a: &sshlog.Analysis{Unrecognized: true,
					Findings: []*diag.Finding{diag.Crashed("explain", v, debug.Stack())}}}
			}
		}()
		a, err := sshlog.Explain(inputs, opts)
		done <- result{a, err}
	}()
	select {
	case r := <-done:
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return r.a, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ctxReader fails reads once ctx is done, so a long read loop ends on
// Ctrl-C.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// explainChecks present an analysis as checks: the explanation (its
// first error is the diagnosis), then the ssh -v timeline and the
// per-user/client login summaries when there are any. killed says ssh was
// stopped at --timeout.
func explainChecks(a *sshlog.Analysis, extra []*diag.Finding, killed bool) []*diag.Check {
	explain := &diag.Def[struct{}]{Name: "explain", Doc: "explains what ssh printed or sshd logged: the first error is the cause",
		Run: func(ctx context.Context, p *diag.Pass) (struct{}, bool, diag.Result) {
			findings := append(append([]*diag.Finding(nil), a.Findings...), extra...)
			res := diag.Conclude(nil, findings...)
			if a.Unrecognized {
				res = diag.Inconclusive(findings...)
			}
			if killed {
				// ssh was killed: unless its output already shows a problem, the
				// answer is "could not tell", never "no problem" (exit 3, not 0).
				res = timedOutResult(res)
			}
			return struct{}{}, true, res
		}}
	nodes := []diag.Node{explain}
	if a.Timeline != nil {
		nodes = append(nodes, &diag.Def[struct{}]{Name: "explain-timeline", Doc: "rebuilds the ssh -v run step by step",
			Run: func(ctx context.Context, p *diag.Pass) (struct{}, bool, diag.Result) {
				return struct{}{}, true, diag.Conclude(nil, a.Timeline)
			}})
	}
	if len(a.Logins) > 0 {
		nodes = append(nodes, &diag.Def[struct{}]{Name: "explain-logins", Doc: "sums up the logins in sshd's logs per user and client",
			Run: func(ctx context.Context, p *diag.Pass) (struct{}, bool, diag.Result) {
				return struct{}{}, true, diag.Conclude(nil, a.Logins...)
			}})
	}
	return diag.Untyped(nodes...)
}

type runResult struct {
	argv      []string
	output    []byte
	exit      int
	timedOut  bool
	truncated bool
}

// runSSH runs the user's ssh with -v in batch mode: no prompt can appear
// (BatchMode, no askpass, standard input closed), no password is ever
// sent (password and keyboard-interactive off), ssh gives up connecting
// after half the timeout and is killed with its children at the timeout.
// Our options come first because ssh keeps the first value of an option.
func runSSH(ctx context.Context, command []string, timeout time.Duration) (*runResult, error) {
	connect := timeout / 2
	if connect < time.Second {
		connect = time.Second
	}
	args := append(append([]string{"-v", "-T"}, runSSHOptions...),
		"-o", "ConnectTimeout="+strconv.Itoa(int(connect/time.Second)))
	args = append(args, sshArgsWithoutCommand(command[1:])...)
	args = append(args, "true")
	path, err := exec.LookPath(command[0])
	if err != nil {
		return nil, usagef("explain --run: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := exec.CommandContext(ctx, path, args...)
	out := capped.New(maxRunOutput)
	c.Stdout, c.Stderr = out, out
	c.Stdin = nil // /dev/null: ssh can read nothing, and asks nothing
	c.Env = batchEnv(os.Environ())
	// After the kill, give the output pipes a moment, then stop waiting.
	c.WaitDelay = 2 * time.Second
	prepareRun(c)
	res := &runResult{argv: append([]string{command[0]}, args...)}
	err = c.Run()
	res.output, res.truncated = out.Bytes(), out.Truncated
	res.timedOut = ctx.Err() == context.DeadlineExceeded
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.exit = ee.ExitCode()
	case res.timedOut:
		res.exit = -1
	case errors.Is(err, exec.ErrWaitDelay):
	default:
		return nil, fmt.Errorf("explain --run: %w", err)
	}
	if ctx.Err() == context.Canceled {
		return nil, context.Canceled
	}
	return res, nil
}

// runSSHOptions make the user's ssh harmless: ssh keeps the first value it
// is given for an option, so these win over the user's -o and config.
// StrictHostKeyChecking=yes is never weaker than the user's setting and,
// with UpdateHostKeys=no, means nothing is written to known_hosts; no
// prompt, no password, no forwarding, no local command, no connection
// sharing (a ControlPersist master would outlive the run), and no remote
// command but ours.
var runSSHOptions = []string{
	"-o", "BatchMode=yes",
	"-o", "StrictHostKeyChecking=yes",
	"-o", "UpdateHostKeys=no",
	"-o", "PasswordAuthentication=no",
	"-o", "KbdInteractiveAuthentication=no",
	"-o", "ClearAllForwardings=yes",
	"-o", "PermitLocalCommand=no",
	"-o", "ControlMaster=no",
	"-o", "ControlPath=none",
	"-o", "RemoteCommand=none",
	"-o", "RequestTTY=no",
}

// sshValueFlags are ssh's options that take a value (OpenSSH's getopt
// string): their value is not the destination.
const sshValueFlags = "bcDEeFIiJLlmOoPpQRSWw"

// sshArgsWithoutCommand returns the user's ssh arguments up to and
// including the destination, dropping a remote command after it and the
// flags that would change what runs (-f goes to the background, -N runs no
// command, -W forwards standard input).
func sshArgsWithoutCommand(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				out = append(out, a, args[i+1])
			}
			return out
		}
		if len(a) < 2 || a[0] != '-' {
			return append(out, a) // the destination; what follows is a command
		}
		// A cluster of flags: -vT, -p22, -o Key=value.
		var keep []byte
		for j := 1; j < len(a); j++ {
			c := a[j]
			if strings.IndexByte(sshValueFlags, c) >= 0 {
				value, sep := a[j+1:], ""
				if value == "" && i+1 < len(args) {
					i++
					value, sep = args[i], " "
				}
				if c == 'W' {
					break
				}
				if len(keep) > 0 {
					out = append(out, "-"+string(keep))
				}
				keep = nil
				if sep == "" {
					out = append(out, "-"+string(c)+value)
				} else {
					out = append(out, "-"+string(c), value)
				}
				break
			}
			if c != 'f' && c != 'N' {
				keep = append(keep, c)
			}
		}
		if len(keep) > 0 {
			out = append(out, "-"+string(keep))
		}
	}
	return out
}

// batchEnv removes what could make ssh ask for anything.
func batchEnv(env []string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "SSH_ASKPASS", "SSH_ASKPASS_REQUIRE", "DISPLAY", "WAYLAND_DISPLAY":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "SSH_ASKPASS_REQUIRE=never")
}
