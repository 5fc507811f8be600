package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/fix"
	"github.com/sshdoctor/sshdoctor/gcp"
	"github.com/sshdoctor/sshdoctor/report"
)

// Exit codes of --fix beyond the common ones (documented in README.md).
const (
	// ExitNotApplied: a plan was made but nothing was changed, because
	// there was no terminal to ask on and no --yes, or the person said no.
	ExitNotApplied = 5
	// ExitFixFailed: a step failed (or its validation did) and its
	// changes were put back.
	ExitFixFailed = 6
)

// FixFlags are the --fix flags shared by check, server, vm and gcp.
type FixFlags struct {
	Fix               bool
	Yes               bool
	DryRun            bool
	ExpectFingerprint string
}

// addFixFlags registers the flags on fs.
func addFixFlags(fs *pflag.FlagSet, f *FixFlags) {
	fs.BoolVar(&f.Fix, "fix", false, "propose the mechanical fixes, ask, back up, apply and check again")
	fs.BoolVar(&f.Yes, "yes", false, "with --fix: apply every step without asking")
	fs.BoolVar(&f.DryRun, "dry-run", false, "with --fix: print the plan and change nothing")
	fs.StringVar(&f.ExpectFingerprint, "expect-fingerprint", "", "with --fix: the host key fingerprint you confirmed (SHA256:…)")
}

func (f *FixFlags) validate() error {
	if (f.Yes || f.DryRun || f.ExpectFingerprint != "") && !f.Fix {
		return usagef("--yes and --dry-run need --fix")
	}
	if f.Yes && f.DryRun {
		return usagef("--yes and --dry-run cannot be used together")
	}
	if e := f.ExpectFingerprint; e != "" && (!strings.HasPrefix(e, "SHA256:") || len(e) != len("SHA256:")+43) {
		return usagef("--expect-fingerprint %q: expected SHA256:… as ssh-keygen -l prints", e)
	}
	return nil
}

// stdinTerminal says whether r is a terminal a person answers on;
// replaced in tests.
var stdinTerminal = func(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// fixInputs are the plan's inputs for this user; configFile is -F or "".
func fixInputs(s *IO, lang catalog.Lang, configFile string) fix.Inputs {
	in := fix.DefaultInputs(lang)
	in.Getenv = s.Getenv
	if h := s.Getenv("HOME"); h != "" {
		in.Home = h
	}
	in.ConfigFile = configFile
	if in.ConfigFile == "" && in.Home != "" {
		in.ConfigFile = filepath.Join(in.Home, ".ssh", "config")
	}
	return in
}

// runFix diagnoses, plans, asks, backs up, applies, and diagnoses again
// with a fresh run of the same checks (build is called twice).
func runFix(ctx context.Context, s *IO, g *Globals, ff *FixFlags, in fix.Inputs, build func() RunSpec) error {
	return runFixFrom(ctx, s, g, ff, in, nil, build)
}

// runFixFrom is runFix from a saved report when saved is set (then there
// is no re-check: the person runs the command again).
func runFixFrom(ctx context.Context, s *IO, g *Globals, ff *FixFlags, in fix.Inputs, saved *report.Report, build func() RunSpec) error {
	lang, err := language(g.Lang, s.Getenv)
	if err != nil {
		return err
	}
	in.Lang = lang
	in.ExpectFingerprint = ff.ExpectFingerprint
	var spec RunSpec
	var before *report.Report
	if saved != nil {
		// A saved report: no checks to run again.
		before, spec.Command, spec.Header = saved, saved.Command, "sshdoctor "+saved.Command
		build = nil
	} else {
		spec = build()
		outcome, err := diag.Execute(ctx, spec.Checks)
		if err != nil {
			return fmt.Errorf("internal error: %w", err)
		}
		if !g.Verbose {
			outcome.DropStacks()
		}
		before = buildReport(lang, spec, outcome)
	}
	topt := report.TextOptions{Color: s.colorEnabled(g.NoColor), Header: spec.Header, Verbose: g.Verbose}
	if !g.JSON && saved == nil {
		if err := before.WriteText(s.Out, topt); err != nil {
			return err
		}
		fmt.Fprintln(s.Out)
	}
	plan := fix.Build(ctx, before, in)
	res := &fix.Result{SchemaVersion: fix.SchemaVersion, Command: spec.Command, Language: string(lang),
		Plan: plan, Applied: []int{}, Before: before}
	if !g.JSON {
		fix.WritePlan(s.Out, lang, plan)
	}
	finish := func(code int) error {
		if g.JSON {
			if err := res.WriteJSON(s.Out); err != nil {
				return err
			}
		} else {
			res.WriteOutcome(s.Out, lang)
		}
		return &exitError{code: code}
	}
	ids := plan.Applicable()
	if len(ids) == 0 {
		return finish(before.ExitCode())
	}
	switch {
	case ff.DryRun:
		res.Consent = fix.ConsentDryRun
		return finish(before.ExitCode())
	case ff.Yes:
		res.Consent = fix.ConsentYes
	case stdinTerminal(s.In):
		res.Consent = fix.ConsentAsked
		fmt.Fprintln(s.ErrOut)
		ids = fix.Ask(s.In, s.ErrOut, lang, plan)
		if len(ids) == 0 {
			res.Consent = fix.ConsentDeclined
			return finish(ExitNotApplied)
		}
	default:
		res.Consent = fix.ConsentNoTTY
		return finish(ExitNotApplied)
	}
	b, err := fix.NewBackup(in.Home, time.Now(), spec.Command)
	if err != nil {
		res.Error = err.Error()
		return finish(ExitFixFailed)
	}
	b.Manifest.Steps = plan.Steps
	if !g.JSON {
		fmt.Fprintln(s.Out, "\n"+catalog.Say(lang, "fix.ui.backup_first", map[string]string{"dir": b.Dir, "undo": "sshdoctor fix --undo " + b.ID}))
	}
	env := &fix.Env{Backup: b, Run: fix.RunCommand, Cloud: in.Cloud}
	applied, aerr := fix.Apply(ctx, env, plan, ids)
	res.Applied = append(res.Applied, applied...)
	res.Backup = b.Dir
	if len(b.Manifest.Changes) > 0 {
		res.Undo = "sshdoctor fix --undo " + b.ID
	}
	if aerr != nil {
		res.Error = aerr.Error()
	}
	if len(applied) > 0 && build == nil {
		if !g.JSON {
			fmt.Fprintln(s.Out, catalog.Say(lang, "fix.ui.no_recheck", nil))
		}
		if aerr != nil {
			return finish(ExitFixFailed)
		}
		return finish(ExitOK)
	}
	if len(applied) > 0 {
		spec2 := build()
		o2, err := diag.Execute(ctx, spec2.Checks)
		if err != nil {
			return fmt.Errorf("internal error: %w", err)
		}
		if !g.Verbose {
			o2.DropStacks()
		}
		res.After = buildReport(lang, spec2, o2)
		res.Compare()
		if !g.JSON && res.After.Result != "ok" {
			fmt.Fprintln(s.Out)
			if err := res.After.WriteText(s.Out, topt); err != nil {
				return err
			}
		}
	}
	if aerr != nil {
		return finish(ExitFixFailed)
	}
	return finish(res.After.ExitCode())
}

// FixOptions is filled from `sshdoctor fix` flags.
type FixOptions struct {
	Undo       string
	Report     string
	ConfigFile string
	Fix        FixFlags
}

// NewCmdFix builds `sshdoctor fix --undo ID`.
func NewCmdFix(s *IO, g *Globals, runF func(*FixOptions) error) *cobra.Command {
	opts := &FixOptions{}
	cmd := &cobra.Command{
		Use:   "fix --undo <backup dir or ID> | --report FILE.json",
		Short: "Undo a fix sshdoctor applied, or fix from a saved --json report",
		Long: "Undo a fix sshdoctor applied: give the backup directory or its ID.\n" +
			"With --report, plan and apply the fixes of a report saved with --json (asking as --fix does).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (opts.Undo == "") == (opts.Report == "") {
				return usagef("give --undo (the backup directory or its ID) or --report")
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Report != "" {
				return runFixReport(cmd.Context(), s, g, opts)
			}
			return runUndo(cmd.Context(), s, g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Undo, "undo", "", "backup directory or ID to undo")
	cmd.Flags().StringVar(&opts.Report, "report", "", "a report saved with --json to fix")
	cmd.Flags().StringVarP(&opts.ConfigFile, "config", "F", "", "ssh client config file to use instead of ~/.ssh/config")
	cmd.Flags().BoolVar(&opts.Fix.Yes, "yes", false, "with --fix: apply every step without asking")
	cmd.Flags().BoolVar(&opts.Fix.DryRun, "dry-run", false, "with --fix: print the plan and change nothing")
	cmd.Flags().StringVar(&opts.Fix.ExpectFingerprint, "expect-fingerprint", "", "with --fix: the host key fingerprint you confirmed (SHA256:…)")
	return cmd
}

// UndoResult is what `fix --undo --json` prints.
type UndoResult struct {
	SchemaVersion int    `json:"schema_version"`
	Command       string `json:"command"`
	Backup        string `json:"backup"`
	Restored      int    `json:"restored"`
	Error         string `json:"error,omitempty"`
}

func runUndo(ctx context.Context, s *IO, g *Globals, opts *FixOptions) error {
	lang, err := language(g.Lang, s.Getenv)
	if err != nil {
		return err
	}
	in := fixInputs(s, lang, "")
	dir, err := fix.ResolveBackup(in.Home, opts.Undo)
	if err != nil {
		return usagef("undo: %v", err)
	}
	m, err := fix.Undo(ctx, &fix.Env{Run: fix.RunCommand, Cloud: undoCloud(s)}, dir)
	res := UndoResult{SchemaVersion: fix.SchemaVersion, Command: "fix", Backup: dir}
	if m != nil {
		res.Restored = len(m.Changes)
	}
	if err != nil {
		res.Error = err.Error()
	}
	if g.JSON {
		if err := writeJSON(s.Out, res); err != nil {
			return err
		}
	} else if err == nil {
		fmt.Fprintln(s.Out, catalog.Say(lang, "fix.ui.undone", map[string]string{"n": fmt.Sprint(res.Restored), "dir": dir}))
	}
	if err != nil {
		if !g.JSON {
			fmt.Fprintf(s.ErrOut, "sshdoctor: %s\n", oneLine(fmt.Sprintf(catalog.Translate(lang, "undo: %v"), err)))
		}
		return &exitError{code: ExitFixFailed}
	}
	return &exitError{code: ExitOK}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// logTails lets a re-check read only what log files gained since the first
// diagnosis (their size then), through copies of the new bytes.
type logTails struct {
	files []string
	sizes []int64
	calls int
}

func newLogTails(files []string) *logTails {
	t := &logTails{files: files}
	for _, f := range files {
		var n int64
		if st, err := os.Stat(f); err == nil {
			n = st.Size()
		}
		t.sizes = append(t.sizes, n)
	}
	return t
}

// first says whether a build already happened (the next is a re-check).
func (t *logTails) first() bool {
	t.calls++
	return t.calls > 1
}

// logTailCap bounds what a re-check reads of a log's new bytes.
const logTailCap = 4 << 20

// since writes each log's new bytes into a temporary file and returns
// their paths (removed when ctx ends).
func (t *logTails) since(ctx context.Context) []string {
	if len(t.files) == 0 {
		return nil
	}
	dir, err := os.MkdirTemp("", "sshdoctor-recheck-")
	if err != nil {
		return t.files
	}
	context.AfterFunc(ctx, func() { _ = os.RemoveAll(dir) }) // temporary copies
	var out []string
	for i, f := range t.files {
		p := filepath.Join(dir, fmt.Sprintf("%d-%s", i, filepath.Base(f)))
		data := []byte{}
		if fh, err := os.Open(f); err == nil {
			if _, err := fh.Seek(t.sizes[i], io.SeekStart); err == nil {
				data, _ = io.ReadAll(io.LimitReader(fh, logTailCap))
			}
			fh.Close()
		}
		if os.WriteFile(p, data, 0o600) == nil {
			out = append(out, p)
		}
	}
	return out
}

// undoCloud is a Google Cloud client with the credentials and endpoints a
// gcp run would use; only an undo of a gcp fix calls it.
func undoCloud(s *IO) fix.Cloud {
	ep, err := gcp.EndpointsFromEnv(s.Getenv)
	if err != nil {
		return nil
	}
	home := homeDir(s)
	d := gcp.ResolveDefaults("", "", "", s.Getenv, home)
	return gcp.NewWriter(gcp.Options{Getenv: s.Getenv, Endpoints: ep, ADC: gcpADC, Gcloud: gcloudCommand,
		Home: home, Account: d.Account, Project: d.Project})
}

// reportCap bounds a saved report read by fix --report.
const reportCap = 16 << 20

func runFixReport(ctx context.Context, s *IO, g *Globals, opts *FixOptions) error {
	opts.Fix.Fix = true
	if err := opts.Fix.validate(); err != nil {
		return err
	}
	f, err := os.Open(opts.Report)
	if err != nil {
		return usagef("--report %s: %v", opts.Report, unwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, reportCap+1))
	if err != nil || len(data) > reportCap {
		return usagef("--report %s: not a report saved with --json", opts.Report)
	}
	var r report.Report
	if json.Unmarshal(data, &r) != nil || r.SchemaVersion != report.SchemaVersion || r.Command == "" {
		return usagef("--report %s: not a report saved with --json", opts.Report)
	}
	in := fixInputs(s, "", opts.ConfigFile)
	in.Cloud = undoCloud(s)
	return runFixFrom(ctx, s, g, &opts.Fix, in, &r, nil)
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }
