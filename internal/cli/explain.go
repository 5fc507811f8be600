package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/sshdoctor/sshdoctor/internal/capped"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/diag"
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

With no FILE, or when FILE is -, read standard input. With --run, run your
own ssh with -v in batch mode (never prompting, never sending a password,
standard input closed), then explain what it printed.`,
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
	if opts.Run {
		res, err := runSSH(ctx, opts.Command, opts.Timeout)
		if err != nil {
			return err
		}
		subject["command"] = strings.Join(res.argv, " ")
		subject["exit_status"] = strconv.Itoa(res.exit)
		header += ": " + subject["command"]
		inputs = append(inputs, sshlog.Input{Name: "ssh", R: bytes.NewReader(res.output)})
		if res.timedOut {
			extra = append(extra, diag.NewFinding("explain.run_timeout").Arg("timeout", opts.Timeout.String()))
		}
		if res.truncated {
			extra = append(extra, diag.NewFinding("explain.input_truncated").Arg("dropped", "?").Arg("long", "?"))
		}
	} else {
		files := opts.Files
		if len(files) == 0 {
			files = []string{"-"}
		}
		for _, name := range files {
			if name == "-" {
				inputs = append(inputs, sshlog.Input{Name: "stdin", R: s.In})
				continue
			}
			f, err := os.Open(name)
			if err != nil {
				return usagef("explain: %v", err)
			}
			defer f.Close()
			if st, err := f.Stat(); err == nil && st.IsDir() {
				return usagef("explain: %s is a directory", name)
			}
			inputs = append(inputs, sshlog.Input{Name: name, R: f})
		}
		subject["input"] = strings.Join(files, ", ")
		header += ": " + subject["input"]
	}
	inputs, heads := teeInputs(inputs)
	a, err := sshlog.Explain(inputs, sshlog.ExplainOptions{Scan: sshlog.ScanOptions{User: opts.User, Source: opts.From}})
	if err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	mergeACL(a, aclFindings(heads))
	return emit(s, g, lang, RunSpec{Command: "explain", Subject: subject, Header: header}, explainOutcome(a, extra))
}

// explainOutcome presents an analysis as engine runs: the explanation (its
// first error is the diagnosis), then the ssh -v timeline and the
// per-user/client login summaries when there are any.
func explainOutcome(a *sshlog.Analysis, extra []*diag.Finding) *diag.Outcome {
	o := &diag.Outcome{}
	findings := append(append([]*diag.Finding(nil), a.Findings...), extra...)
	res := diag.Conclude(nil, findings...)
	if a.Unrecognized {
		res = diag.Inconclusive(findings...)
	}
	o.Runs = append(o.Runs, diag.Run{Check: &diag.Check{Name: "explain"}, Result: res})
	if a.Timeline != nil {
		o.Runs = append(o.Runs, diag.Run{Check: &diag.Check{Name: "explain-timeline"}, Result: diag.Conclude(nil, a.Timeline)})
	}
	if len(a.Logins) > 0 {
		o.Runs = append(o.Runs, diag.Run{Check: &diag.Check{Name: "explain-logins"}, Result: diag.Conclude(nil, a.Logins...)})
	}
	return o
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
	args := []string{"-v", "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no",
		"-o", "KbdInteractiveAuthentication=no", "-o", "ConnectTimeout=" + strconv.Itoa(int(connect/time.Second))}
	args = append(args, command[1:]...)
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
