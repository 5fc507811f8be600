package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/inventory"
	"github.com/sshdoctor/sshdoctor/report"
	"github.com/sshdoctor/sshdoctor/scan"
	"github.com/sshdoctor/sshdoctor/sshconfig"
)

// ScanOptions is filled from `sshdoctor scan` flags.
type ScanOptions struct {
	Dests         []string
	Files         []string
	Ansible       []string
	KnownHosts    []string
	FromSSHConfig bool
	Groups        []string

	User       string
	Identities []string
	ConfigFile string
	Options    []string
	IPv4, IPv6 bool
	Timeout    time.Duration
	Login      bool

	Parallel    int
	Rate        float64
	HostTimeout time.Duration
	Deadline    time.Duration
	CSV         bool

	// configs shares ssh -G answers among the scan's hosts.
	configs *sshconfig.Shared
}

// NewCmdScan builds `sshdoctor scan`. runF replaces the run in tests.
func NewCmdScan(s *IO, g *Globals, runF func(*ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{}
	cmd := &cobra.Command{
		Use:   "scan [flags] [[user@]host[:port]...]",
		Short: "Diagnose many hosts at once and group them by root cause",
		Long: `Run check's layers on every host of an inventory — a host list (-f), your ssh
config (--from-ssh-config), known_hosts (--known-hosts) or an Ansible
inventory (--ansible) — a bounded number at a time and at a bounded rate, and
group the hosts by root cause. Fleet findings: one host key on several hosts,
keys changed since known_hosts, servers that offer only deprecated algorithms.

By default it stops before logging in (--login to go further). The exit code
is the worst host's: 1 when any host has a problem, 3 when any is
inconclusive, 0 when all are ok.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dests = args
			if runF != nil {
				return runF(opts)
			}
			return runScan(cmd.Context(), s, g, opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&opts.Files, "file", "f", nil, "file of hosts, one [user@]host[:port] a line; repeatable")
	f.StringArrayVar(&opts.Ansible, "ansible", nil, "Ansible inventory file (INI or YAML); repeatable")
	f.StringArrayVar(&opts.KnownHosts, "known-hosts", nil, "scan the plain host names of a known_hosts file; repeatable")
	f.Lookup("known-hosts").NoOptDefVal = "~/.ssh/known_hosts"
	f.BoolVar(&opts.FromSSHConfig, "from-ssh-config", false, "scan every concrete Host of your ssh config (or of -F)")
	f.StringArrayVar(&opts.Groups, "group", nil, "only the hosts of this Ansible group; repeatable")
	f.StringVarP(&opts.User, "login-name", "l", "", "user for hosts whose inventory names none")
	f.StringArrayVarP(&opts.Identities, "identity", "i", nil, "identity (private key) file; repeatable")
	f.StringVarP(&opts.ConfigFile, "config", "F", "", "ssh client config file to use instead of ~/.ssh/config")
	f.StringArrayVarP(&opts.Options, "option", "o", nil, "ssh option as Key=Value; repeatable")
	f.BoolVarP(&opts.IPv4, "ipv4", "4", false, "use IPv4 addresses only")
	f.BoolVarP(&opts.IPv6, "ipv6", "6", false, "use IPv6 addresses only")
	f.DurationVar(&opts.Timeout, "timeout", 5*time.Second, "deadline for each network step")
	f.BoolVar(&opts.Login, "login", false, "also authenticate and log in (default: stop before logging in)")
	f.IntVar(&opts.Parallel, "parallel", scan.DefaultParallel(), "hosts diagnosed at once")
	f.Float64Var(&opts.Rate, "rate", scan.DefaultRate, "hosts started per second (0: no limit)")
	f.DurationVar(&opts.HostTimeout, "host-timeout", scan.DefaultHostTimeout, "deadline for one host")
	f.DurationVar(&opts.Deadline, "deadline", 0, "deadline for the whole scan (0: none)")
	f.BoolVar(&opts.CSV, "csv", false, "print one CSV row per host")
	return cmd
}

// notScanned counts inventory entries that were read but cannot be
// scanned, by reason.
type notScanned map[string]int

// targets reads every inventory the flags name, in flag order.
func (o *ScanOptions) targets(getenv func(string) string) ([]inventory.Target, notScanned, error) {
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	expand := func(p string) string {
		if strings.HasPrefix(p, "~/") && home != "" {
			return filepath.Join(home, p[2:])
		}
		return p
	}
	skipped := notScanned{}
	var all []inventory.Target
	for _, d := range o.Dests {
		u, h, p, err := inventory.ParseDest(d)
		if err != nil {
			return nil, nil, usagef("destination %q: %s", d, err.Error())
		}
		all = append(all, inventory.Target{Name: h, User: u, Host: h, Port: p, Source: "argument"})
	}
	read := func(name string, parse func(io.Reader, string) ([]inventory.Target, error)) error {
		f, err := os.Open(expand(name))
		if err != nil {
			return usagef("cannot read %s: %s", name, unwrapPathError(err).Error())
		}
		defer f.Close()
		ts, err := parse(f, name)
		if err != nil {
			return usagef("inventory: %s", err.Error())
		}
		all = append(all, ts...)
		return nil
	}
	for _, name := range o.Files {
		if err := read(name, inventory.ParseList); err != nil {
			return nil, nil, err
		}
	}
	for _, name := range o.Ansible {
		b, err := os.ReadFile(expand(name))
		if err != nil {
			return nil, nil, usagef("cannot read %s: %s", name, unwrapPathError(err).Error())
		}
		parse := inventory.ParseAnsibleINI
		if inventory.DetectAnsible(b) == "yaml" {
			parse = inventory.ParseAnsibleYAML
		}
		ts, err := parse(strings.NewReader(string(b)), name)
		if err != nil {
			return nil, nil, usagef("inventory: %s", err.Error())
		}
		for _, t := range inventory.GroupFilter(ts, o.Groups) {
			if !t.SSH() {
				skipped["not_ssh"]++
				continue
			}
			all = append(all, t)
		}
	}
	for _, name := range o.KnownHosts {
		f, err := os.Open(expand(name))
		if err != nil {
			return nil, nil, usagef("cannot read %s: %s", name, unwrapPathError(err).Error())
		}
		res, err := inventory.ParseKnownHosts(f, name)
		f.Close()
		if err != nil {
			return nil, nil, usagef("inventory: %s", err.Error())
		}
		all = append(all, res.Targets...)
		if res.Hashed > 0 {
			skipped["hashed"] += res.Hashed
		}
		if res.Patterns > 0 {
			skipped["patterns"] += res.Patterns
		}
		if res.Bad > 0 {
			skipped["bad_lines"] += res.Bad
		}
	}
	if o.FromSSHConfig {
		cfg := o.ConfigFile
		if cfg == "" {
			cfg = filepath.Join(home, ".ssh", "config")
		}
		ts, err := inventory.SSHConfigHosts(cfg, home)
		if err != nil {
			return nil, nil, usagef("cannot read %s: %s", cfg, unwrapPathError(err).Error())
		}
		all = append(all, ts...)
	}
	if len(o.Groups) > 0 && len(o.Ansible) == 0 {
		return nil, nil, usagef("--group selects Ansible groups: give an inventory with --ansible")
	}
	all = inventory.Dedup(all)
	if len(all) == 0 {
		return nil, nil, usagef("no hosts to scan: give destinations, -f FILE, --ansible FILE, --known-hosts or --from-ssh-config")
	}
	return all, skipped, nil
}

func (o *ScanOptions) validate() error {
	if o.Timeout <= 0 {
		return usagef("--timeout %s: must be positive", o.Timeout)
	}
	if o.Parallel < 1 || o.Parallel > 4096 {
		return usagef("--parallel %d: must be from 1 to 4096", o.Parallel)
	}
	if o.Rate < 0 {
		return usagef("--rate %v: must be 0 (no limit) or positive", o.Rate)
	}
	if o.HostTimeout <= 0 {
		return usagef("--host-timeout %s: must be positive", o.HostTimeout)
	}
	if o.Deadline < 0 {
		return usagef("--deadline %s: must be positive (or 0 for none)", o.Deadline)
	}
	if o.IPv4 && o.IPv6 {
		return usagef("-4 and -6 cannot be used together")
	}
	return nil
}

// checkOptionsFor is what `sshdoctor check` would be given for t.
func (o *ScanOptions) checkOptionsFor(t inventory.Target) *CheckOptions {
	co := &CheckOptions{Dest: t.Dest(), Identities: o.Identities, ConfigFile: o.ConfigFile,
		Options: o.Options, IPv4: o.IPv4, IPv6: o.IPv6, Timeout: o.Timeout, NoLogin: !o.Login, Configs: o.configs}
	if t.User == "" {
		co.User = o.User
	}
	return co
}

// diagnose runs check's own layers on one destination and returns the
// report `sshdoctor check --json` would print.
func diagnose(ctx context.Context, lang catalog.Lang, co *CheckOptions) (*report.Report, error) {
	spec, err := checkSpec(co)
	if err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			return nil, errors.New(ue.In(lang))
		}
		return nil, err
	}
	outcome, err := diag.Execute(ctx, spec.Checks)
	if err != nil {
		return nil, fmt.Errorf("internal error: %w", err)
	}
	// A crashed check is one line here too: these reports have no -v,
	// and the exporter serves them to other machines.
	outcome.DropStacks()
	return buildReport(lang, spec, outcome), nil
}

func runScan(ctx context.Context, s *IO, g *Globals, opts *ScanOptions) error {
	lang, err := language(g.Lang, s.Getenv)
	if err != nil {
		return err
	}
	if err := opts.validate(); err != nil {
		return err
	}
	if opts.CSV && g.JSON {
		return usagef("--csv and --json cannot be used together")
	}
	if opts.ConfigFile != "" {
		if _, err := os.Stat(opts.ConfigFile); err != nil {
			return usagef("-F %s: %v", opts.ConfigFile, unwrapPathError(err))
		}
	}
	targets, skipped, err := opts.targets(s.Getenv)
	if err != nil {
		return err
	}
	runCtx := ctx
	if opts.Deadline > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, opts.Deadline)
		defer cancel()
	}
	// One ssh -G per class of hosts ssh_config cannot tell apart, not one
	// per host: starting ssh is most of the scan's own CPU.
	opts.configs = sshconfig.NewShared()
	progress := newProgress(s.ErrOut, lang, len(targets))
	start := time.Now()
	results := scan.Run(runCtx, targets, func(ctx context.Context, t inventory.Target) (*report.Report, error) {
		return diagnose(ctx, lang, opts.checkOptionsFor(t))
	}, scan.Options{Parallel: opts.Parallel, Rate: rateOption(opts.Rate), HostTimeout: opts.HostTimeout,
		Progress: progress.update})
	progress.clear()
	interrupted := ctx.Err() != nil
	sum := scan.Summarize(results, func(code string) string { return groupTitle(lang, code) })
	sum.DurationMS = time.Since(start).Milliseconds()
	sum.Interrupted = interrupted
	sum.ExitCode = scan.ExitCode(results, interrupted)
	if len(skipped) > 0 {
		sum.NotScanned = skipped
	}
	switch {
	case g.JSON:
		err = scan.WriteJSONLines(s.Out, results, sum)
	case opts.CSV:
		err = scan.WriteCSV(s.Out, results)
	default:
		err = scan.WriteText(s.Out, results, sum, scan.TextOptions{Lang: lang, HostTable: true})
	}
	if err != nil {
		return err
	}
	return &exitError{code: sum.ExitCode}
}

// rateOption maps the flag (0 = no limit) to scan.Options (negative = no limit).
func rateOption(r float64) float64 {
	if r == 0 {
		return -1
	}
	return r
}

// progress draws one line on stderr while the scan runs, and only when
// stderr is a terminal: a log file or a pipe gets no control characters.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	lang   catalog.Lang
	on     bool
	counts map[string]int
	last   time.Time
}

func newProgress(w io.Writer, lang catalog.Lang, total int) *progress {
	p := &progress{w: w, lang: lang, counts: map[string]int{}}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) && total > 1 {
		p.on = true
	}
	return p
}

func (p *progress) update(done, total int, last *scan.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[last.Verdict()]++
	if !p.on || (time.Since(p.last) < 100*time.Millisecond && done < total) {
		return
	}
	p.last = time.Now()
	line := catalog.Say(p.lang, "ui.scan_progress", map[string]string{"done": strconv.Itoa(done), "total": strconv.Itoa(total),
		"ok": strconv.Itoa(p.counts["ok"]), "problem": strconv.Itoa(p.counts["problem"]),
		"inconclusive": strconv.Itoa(p.counts["inconclusive"])})
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}

func (p *progress) clear() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// groupTitle is a code's title for a group of hosts: worded without any
// one host's values ("" when the catalog has no such wording).
func groupTitle(lang catalog.Lang, code string) string {
	if t, ok := catalog.TitleWithout(code); ok {
		return t.In(lang)
	}
	if e, ok := catalog.Lookup(code); ok && !strings.Contains(e.Title.En, "{") {
		return e.Title.In(lang)
	}
	return ""
}
