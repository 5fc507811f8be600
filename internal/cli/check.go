package cli

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/client"
	"github.com/sshdoctor/sshdoctor/report"
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
	// PortSet says -p was given (so -p 0 is an error, not "unset").
	PortSet bool
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
		NoLogin: o.NoLogin, AllKeys: o.AllKeys}
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
		f, err := os.Open(o.ConfigFile)
		if err != nil {
			return co, usagef("-F %s: %v", o.ConfigFile, unwrapPathError(err))
		}
		f.Close()
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

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func runCheck(cmd *cobra.Command, s *IO, g *Globals, opts *CheckOptions) error {
	spec, err := checkSpec(opts)
	if err != nil {
		return err
	}
	return runAndEmit(cmd.Context(), s, g, spec)
}

// checkSpec is the run `check` makes for opts: the client layers and how
// the report is labelled. scan and exporter diagnose each host with it.
func checkSpec(opts *CheckOptions) (RunSpec, error) {
	co, err := opts.clientOptions()
	if err != nil {
		return RunSpec{}, err
	}
	run := client.New(co)
	return RunSpec{
		Command: "check",
		Checks:  run.Checks(),
		Header:  "sshdoctor " + opts.Dest,
		Target:  run.Target(),
		Stats:   run.Stats,
		Finish:  func(r *report.Report) { r.Target = run.Target() },
	}, nil
}
