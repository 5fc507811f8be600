// Package cli is sshdoctor's command line: one file per command, flags into
// an options struct, and the one place where errors become exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/internal/version"
	"github.com/sshdoctor/sshdoctor/report"
)

// Exit codes: a contract documented in README.md.
const (
	ExitOK           = 0
	ExitProblem      = 1
	ExitUsage        = 2
	ExitInconclusive = 3
	ExitInternal     = 4
	ExitInterrupted  = 130
)

// UsageError is bad input from the user: one line on stderr, exit 2.
// Format is the English printf format; its translations are catalog data
// (catalog.RegisterTranslations), looked up when the error is printed.
type UsageError struct {
	Format string
	Args   []any
	Msg    string // set instead of Format for errors from cobra/pflag
}

func (e *UsageError) Error() string { return e.In(catalog.EN) }

// In renders the error in lang.
func (e *UsageError) In(lang catalog.Lang) string {
	if e.Format == "" {
		return translateCobraError(lang, e.Msg)
	}
	return fmt.Sprintf(catalog.Translate(lang, e.Format), e.Args...)
}

// usagef makes a UsageError. Keep format a literal: it is the key of its
// translation, and a test checks every literal has one.
func usagef(format string, a ...any) error {
	return &UsageError{Format: format, Args: a}
}

// exitError carries a command's decided exit code without a message.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Globals are the flags every command shares.
type Globals struct {
	JSON    bool
	NoColor bool
	Lang    string
	Verbose bool
}

// Main runs sshdoctor with args and returns the exit code.
func Main(args []string, s *IO) (code int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(s.ErrOut, "sshdoctor: internal error: %v\n", r)
			code = ExitInternal
		}
	}()
	g := &Globals{}
	root := NewRootCmd(ctx, s, g)
	if lang, err := language(preScanLang(args), s.Getenv); err == nil && lang != catalog.EN {
		localizeHelp(root, lang)
	}
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return exitCode(err, s, g)
}

func exitCode(err error, s *IO, g *Globals) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	lang, lerr := language(g.Lang, s.Getenv)
	if lerr != nil {
		lang = catalog.EN
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(s.ErrOut, "sshdoctor: %s\n", oneLine(ue.In(lang)))
		return ExitUsage
	}
	if isCobraUsage(err) {
		fmt.Fprintf(s.ErrOut, "sshdoctor: %s\n", oneLine(translateCobraError(lang, err.Error())))
		return ExitUsage
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	fmt.Fprintf(s.ErrOut, "sshdoctor: %s\n", oneLine(err.Error()))
	return ExitInternal
}

// isCobraUsage recognises cobra's own flag and argument errors, which
// begin with these words: a message that only holds them (an I/O error's
// "invalid argument") is not a usage error.
func isCobraUsage(err error) bool {
	m := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "flag needs an argument",
		"invalid argument", "unknown command", "accepts ", "requires at least", "requires at most",
		"bad flag syntax", "if any flags in the group"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

// oneLine is the first line of an error, escaped for the terminal (a file
// name or an argument can hold anything, NUL bytes and escapes included)
// and capped so that a megabyte argument does not fill the screen.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	s = report.Terminal(s)
	if len(s) > maxErrorLine {
		cut := maxErrorLine
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// maxErrorLine caps a one-line error: long enough for any path.
const maxErrorLine = 4096

// language picks the output language: --lang, else LC_ALL, LC_MESSAGES,
// LANG (the first one set decides, as for gettext), else English.
func language(flag string, getenv func(string) string) (catalog.Lang, error) {
	switch strings.ToLower(flag) {
	case "en":
		return catalog.EN, nil
	case "ja":
		return catalog.JA, nil
	case "":
	default:
		return "", usagef("--lang %q: use en or ja", flag)
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if strings.HasPrefix(strings.ToLower(v), "ja") {
			return catalog.JA, nil
		}
		return catalog.EN, nil
	}
	return catalog.EN, nil
}

// NewRootCmd builds the command tree. `sshdoctor DEST` means `sshdoctor check DEST`.
func NewRootCmd(ctx context.Context, s *IO, g *Globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "sshdoctor [flags] [user@]host[:port]",
		Short:         "Find exactly why ssh to a machine fails, and how to fix it",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	// --version prints what `sshdoctor version` prints.
	root.Version = version.Get().String()
	root.SetVersionTemplate("{{.Version}}\n")
	// Defined here rather than by cobra, which would take -v (--verbose's).
	root.Flags().Bool("version", false, "print the version and exit")
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.ErrOut)
	root.PersistentFlags().BoolVar(&g.JSON, "json", false, "print one JSON object (schema v1) instead of text")
	root.PersistentFlags().BoolVarP(&g.Verbose, "verbose", "v", false, "also print the evidence of passing checks")
	root.PersistentFlags().BoolVar(&g.NoColor, "no-color", false, "no colour (also NO_COLOR)")
	root.PersistentFlags().StringVar(&g.Lang, "lang", "", "output language: en or ja (default from LC_ALL, LC_MESSAGES, LANG)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Msg: err.Error()} })

	check := NewCmdCheck(s, g, nil)
	root.AddCommand(check)
	for _, c := range extraCommands(s, g) {
		root.AddCommand(c)
	}
	root.AddCommand(NewCmdVersion(s, g))
	addCompletions(root, s)
	// `sshdoctor DEST` is `sshdoctor check DEST`: the root shares check's flags.
	root.Flags().AddFlagSet(check.LocalFlags())
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		_, err := language(g.Lang, s.Getenv)
		return err
	}
	root.RunE = func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return cmd.Help()
		case len(args) > 1:
			return usagef("unknown command %q (or more than one destination); see sshdoctor --help", args[0])
		}
		return check.RunE(cmd, args)
	}
	return root
}
