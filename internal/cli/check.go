package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/client"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/inputfile"
	"github.com/sshdoctor/sshdoctor/report"
	"github.com/sshdoctor/sshdoctor/server"
	"github.com/sshdoctor/sshdoctor/sshconfig"
)

// CheckOptions is filled from `sshdoctor check` flags.
type CheckOptions struct {
	Dest       string
	User       string
	Port       int
	Identities []string
	ConfigFile string
	Options    []string
	IPv4, IPv6 bool
	Timeout    time.Duration
	NoLogin    bool
	AllKeys    bool
	Jump       string
	// PortSet says -p was given (so -p 0 is an error, not "unset").
	PortSet bool
	// Configs shares ssh -G answers across the destinations of a scan or
	// an exporter (nil: ssh -G for each).
	Configs *sshconfig.Shared
	Fix     FixFlags
}

// NewCmdCheck builds `sshdoctor check`. runF replaces the run in tests.
func NewCmdCheck(s *IO, g *Globals, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{}
	cmd := &cobra.Command{
		Use:   "check [flags] [user@]host[:port]",
		Short: "Walk the path ssh walks and stop at the layer that breaks",
		Long: `Walk the path ssh walks to a host — client config, DNS, TCP, SSH banner,
key exchange, host key, authentication, login — and stop at the first layer
that breaks, with the evidence, the reason and the exact fix.

DEST is [user@]host[:port], ssh://[user@]host[:port], or a Host alias from
your ssh config. Flags mean what they mean to ssh.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("expected one destination ([user@]host[:port]), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dest = args[0]
			opts.PortSet = cmd.Flags().Changed("port")
			if runF != nil {
				return runF(opts)
			}
			return runCheck(cmd, s, g, opts)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&opts.Port, "port", "p", 0, "port to connect to on the remote host")
	f.StringVarP(&opts.User, "login", "l", "", "user to log in as")
	f.StringArrayVarP(&opts.Identities, "identity", "i", nil, "identity (private key) file; repeatable")
	f.StringVarP(&opts.ConfigFile, "config", "F", "", "ssh client config file to use instead of ~/.ssh/config")
	f.StringArrayVarP(&opts.Options, "option", "o", nil, "ssh option as Key=Value; repeatable")
	f.BoolVarP(&opts.IPv4, "ipv4", "4", false, "use IPv4 addresses only")
	f.BoolVarP(&opts.IPv6, "ipv6", "6", false, "use IPv6 addresses only")
	f.DurationVar(&opts.Timeout, "timeout", 5*time.Second, "deadline for each network step")
	f.BoolVar(&opts.NoLogin, "no-login", false, "stop after authentication: do not log in and run a no-op command")
	f.BoolVar(&opts.AllKeys, "all-keys", false, "also test keys ssh itself would not offer")
	f.StringVarP(&opts.Jump, "jump", "J", "", "jump hosts to connect through, as ssh -J: [user@]host[:port][,...]")
	addFixFlags(f, &opts.Fix)
	return cmd
}

// Destination is a parsed DEST argument.
type Destination struct {
	User string
	Host string
	Port int // 0 when not given
}

// ParseDestination accepts [user@]host[:port], ssh://[user@]host[:port],
// [v6addr]:port, a bare IPv6 address, and Host aliases.
func ParseDestination(dest string) (Destination, error) {
	var d Destination
	raw := dest
	if strings.TrimSpace(dest) == "" {
		return d, usagef("empty destination")
	}
	if strings.ContainsAny(dest, " \t\r\n\x00") {
		return d, usagef("destination %q contains white space or control characters", raw)
	}
	if strings.HasPrefix(dest, "ssh://") {
		dest = strings.TrimSuffix(strings.TrimPrefix(dest, "ssh://"), "/")
		if strings.Contains(dest, "/") {
			return d, usagef("destination %q: an ssh:// URL takes no path", raw)
		}
	} else if strings.Contains(dest, "://") {
		return d, usagef("destination %q: only ssh:// URLs are understood", raw)
	}
	if i := strings.LastIndex(dest, "@"); i >= 0 {
		d.User, dest = dest[:i], dest[i+1:]
		if d.User == "" {
			return d, usagef("destination %q: empty user name before @", raw)
		}
	}
	hostPart, portPart := dest, ""
	switch {
	case strings.HasPrefix(dest, "["):
		end := strings.Index(dest, "]")
		if end < 0 {
			return d, usagef("destination %q: missing ] after IPv6 address", raw)
		}
		hostPart = dest[1:end]
		rest := dest[end+1:]
		if rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return d, usagef("destination %q: unexpected %q after ]", raw, rest)
			}
			portPart = rest[1:]
			if portPart == "" {
				return d, usagef("destination %q: empty port after ':'", raw)
			}
		}
	case strings.Count(dest, ":") == 1:
		i := strings.IndexByte(dest, ':')
		hostPart, portPart = dest[:i], dest[i+1:]
		if portPart == "" {
			return d, usagef("destination %q: empty port after ':'", raw)
		}
	case strings.Count(dest, ":") > 1:
		if net.ParseIP(dest) == nil {
			return d, usagef("destination %q: not an IPv6 address; write [address]:port", raw)
		}
	}
	if hostPart == "" {
		return d, usagef("destination %q: empty host name", raw)
	}
	if strings.HasPrefix(hostPart, "-") {
		return d, usagef("destination %q: a host name cannot start with '-'", raw)
	}
	d.Host = hostPart
	if portPart != "" {
		p, err := parsePort(portPart)
		if err != nil {
			return d, usagef("destination %q: port %q is not a number from 1 to 65535", raw, portPart)
		}
		d.Port = p
	}
	return d, nil
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return p, nil
}

// clientOptions validates the flags and turns them into client options.
func (o *CheckOptions) clientOptions() (client.Options, error) {
	d, err := ParseDestination(o.Dest)
	if err != nil {
		return client.Options{}, err
	}
	co := client.Options{Destination: o.Dest, User: d.User, Host: d.Host, Port: d.Port,
		Identities: o.Identities, ConfigFile: o.ConfigFile, Timeout: o.Timeout,
		NoLogin: o.NoLogin, AllKeys: o.AllKeys, Configs: o.Configs}
	if o.Port != 0 || o.PortSet {
		if o.Port < 1 || o.Port > 65535 {
			return co, usagef("-p %d: port must be from 1 to 65535", o.Port)
		}
		co.Port = o.Port
	}
	if o.User != "" {
		co.User = o.User
	}
	if o.IPv4 && o.IPv6 {
		return co, usagef("-4 and -6 cannot be used together")
	}
	switch {
	case o.IPv4:
		co.AddressFamily = "inet"
	case o.IPv6:
		co.AddressFamily = "inet6"
	}
	if o.Timeout <= 0 {
		return co, usagef("--timeout %s: must be positive", o.Timeout)
	}
	if o.ConfigFile != "" {
		// ssh reads it; a named pipe or a device would hang or flood it.
		if err := inputfile.Check(o.ConfigFile); err != nil {
			return co, fileUsage("-F", o.ConfigFile, err)
		}
	}
	if o.Jump != "" {
		// ssh -J is ProxyJump given first on the command line.
		co.Options = append(co.Options, client.KV{Key: "ProxyJump", Value: o.Jump})
	}
	for _, kv := range o.Options {
		k, v, ok := splitOption(kv)
		if !ok {
			return co, usagef("-o %q: expected Key=Value (or \"Key Value\")", kv)
		}
		co.Options = append(co.Options, client.KV{Key: k, Value: v})
	}
	return co, nil
}

// splitOption splits "Key=Value" or "Key Value" as ssh does.
func splitOption(s string) (string, string, bool) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, "= \t")
	if i <= 0 {
		return "", "", false
	}
	k := s[:i]
	v := strings.TrimLeft(s[i:], "= \t")
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", "", false
		}
	}
	if v == "" {
		return "", "", false
	}
	return k, v, true
}

// fileUsage is the usage error for a file named by flag (or a command)
// that cannot be used: missing, unreadable, or not a regular file.
func fileUsage(flag, name string, err error) error {
	var nr *inputfile.NotRegularError
	if !errors.As(err, &nr) {
		return usagef("%s %s: %v", flag, name, unwrapPathError(err))
	}
	switch nr.Kind {
	case inputfile.KindDirectory:
		return usagef("%s %s: is a directory, not a regular file", flag, name)
	case inputfile.KindNamedPipe:
		return usagef("%s %s: is a named pipe, not a regular file (reading it could wait for ever)", flag, name)
	case inputfile.KindDevice:
		return usagef("%s %s: is a device, not a regular file", flag, name)
	}
	return usagef("%s %s: is not a regular file", flag, name)
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func runCheck(cmd *cobra.Command, s *IO, g *Globals, opts *CheckOptions) error {
	co, err := opts.clientOptions()
	if err != nil {
		return err
	}
	if err := opts.Fix.validate(); err != nil {
		return err
	}
	build := func() RunSpec { return specFor(co, opts.Dest) }
	if opts.Fix.Fix {
		return runFix(cmd.Context(), s, g, &opts.Fix, fixInputs(s, "", opts.ConfigFile), build)
	}
	return runAndEmit(cmd.Context(), s, g, build())
}

// addLocalServerChecks: when the destination is this machine and its port
// refuses, the cause is here, so the server command's service and listener
// checks join the report (is sshd installed, running, listening where?).
func addLocalServerChecks(ctx context.Context, run *client.Run, outcome *diag.Outcome) {
	d := outcome.Diagnosis()
	if d == nil || d.Code != "tcp.refused" {
		return
	}
	t := run.Target()
	if !isThisMachine(t.Addresses) {
		return
	}
	so := server.Options{Port: t.Port}
	var local []*diag.Check
	for _, c := range server.Checks(so) {
		if localServerChecks[c.Name] {
			local = append(local, c)
		}
	}
	if more, err := diag.Execute(ctx, local); err == nil {
		outcome.Runs = append(outcome.Runs, more.Runs...)
		outcome.Interrupted = outcome.Interrupted || more.Interrupted
	}
}

// localServerChecks are the server command's checks that say why a port
// on this machine refuses: the program, its configuration, the service
// and what listens where. (Accounts, keys and logs are for a server that
// answers.)
var localServerChecks = map[string]bool{
	"server-sshd": true, "server-config": true, "server-effective-config": true,
	"server-service": true, "server-listeners": true,
}

// isThisMachine reports whether every address is a loopback address or
// one of this machine's own.
func isThisMachine(addrs []string) bool {
	if len(addrs) == 0 {
		return false
	}
	own := map[string]bool{}
	if ifs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range ifs {
			if ipn, ok := a.(*net.IPNet); ok {
				own[ipn.IP.String()] = true
			}
		}
	}
	for _, a := range addrs {
		ip := net.ParseIP(a)
		if ip == nil || !(ip.IsLoopback() || own[ip.String()]) {
			return false
		}
	}
	return true
}

// checkSpec is the run `check` makes for opts: the client layers and how
// the report is labelled. scan and exporter diagnose each host with it.
func checkSpec(opts *CheckOptions) (RunSpec, error) {
	co, err := opts.clientOptions()
	if err != nil {
		return RunSpec{}, err
	}
	return specFor(co, opts.Dest), nil
}

func specFor(co client.Options, dest string) RunSpec {
	run := client.New(co)
	return RunSpec{
		Command: "check",
		Checks:  run.Checks(),
		Header:  "sshdoctor " + dest,
		Target:  run.Target(),
		Stats:   run.Stats,
		Finish:  func(r *report.Report) { r.Target = run.Target() },
		After:   func(ctx context.Context, o *diag.Outcome) { addLocalServerChecks(ctx, run, o) },
	}
}
