package cli

import (
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/internal/inputfile"
	"github.com/sshdoctor/sshdoctor/server"
)

// ServerOptions is filled from `sshdoctor server` flags.
type ServerOptions struct {
	User       string
	KeyFile    string
	From       string
	Port       int
	SSHDConfig string
	Logs       []string
	Since      time.Duration
	// PortSet is true when --port was given (so --port 0 is an error).
	PortSet bool
	Fix     FixFlags
	// Captured is a directory of saved outputs of Windows' commands.
	Captured string
}

// NewCmdServer builds `sshdoctor server`. runF replaces the run in tests.
func NewCmdServer(s *IO, g *Globals, runF func(*ServerOptions) error) *cobra.Command {
	opts := &ServerOptions{}
	cmd := &cobra.Command{
		Use:   "server [flags]",
		Short: "Run on the target: find why its sshd refuses logins",
		Long: `Run on the machine you cannot log in to (through a console, another account,
a cloud serial console…) and find why its sshd refuses: the service, its
configuration, what it listens on, the account, authorized_keys and
StrictModes, disk space, the firewall, bans, and sshd's own logs.

Read-only: it changes nothing. As root it checks everything; as another user
it checks what it can and names what it could not.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usagef("server takes no arguments (got %q); use --user, --from, --key", strings.Join(args, " "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.PortSet = cmd.Flags().Changed("port")
			if runF != nil {
				return runF(opts)
			}
			so, err := opts.serverOptions()
			if err != nil {
				return err
			}
			return runServer(cmd, s, g, opts, so)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.User, "user", "", "login name to check (account, authorized_keys, Allow/Deny rules)")
	f.StringVar(&opts.KeyFile, "key", "", "public key file (FILE.pub) to look for in the user's authorized keys")
	f.StringVar(&opts.From, "from", "", "client IP address, to evaluate Match blocks, from=, firewall rules and bans")
	f.IntVar(&opts.Port, "port", 0, "sshd port to check (default: from the sshd configuration)")
	f.StringVar(&opts.SSHDConfig, "sshd-config", "", "sshd configuration file (default: the running sshd's -f, else /etc/ssh/sshd_config)")
	f.StringArrayVar(&opts.Logs, "log", nil, "sshd log file to read instead of journald and /var/log; repeatable")
	f.DurationVar(&opts.Since, "since", server.DefaultSince, "how far back to read the logs")
	f.StringVar(&opts.Captured, "captured", "", "judge a Windows OpenSSH Server from sc, reg and Get-WinEvent outputs saved in this directory (see docs/platforms.md)")
	addFixFlags(f, &opts.Fix)
	return cmd
}

// serverOptions validates the flags.
func (o *ServerOptions) serverOptions() (server.Options, error) {
	so := server.Options{User: o.User, Port: o.Port, Logs: o.Logs, Since: o.Since}
	if o.User != "" {
		if strings.ContainsAny(o.User, " \t\r\n:/\x00") || strings.HasPrefix(o.User, "-") {
			return so, usagef("--user %q is not a valid login name", o.User)
		}
	}
	if (o.PortSet || o.Port != 0) && (o.Port < 1 || o.Port > 65535) {
		return so, usagef("--port %d: port must be from 1 to 65535", o.Port)
	}
	if o.Since <= 0 {
		return so, usagef("--since %s: must be positive (e.g. 30m, 2h, 24h)", o.Since)
	}
	if o.From != "" {
		a, err := netip.ParseAddr(o.From)
		if err != nil || a.Zone() != "" {
			return so, usagef("--from %q is not an IP address", o.From)
		}
		so.From = a.Unmap()
	}
	if o.KeyFile != "" {
		k, err := server.ReadPublicKey(o.KeyFile)
		if err != nil {
			return so, usagef("--key: %v", err)
		}
		so.Key, so.KeyFile = k, o.KeyFile
	}
	if o.SSHDConfig != "" {
		// sshd -t reads it: /dev/zero would grow it without end.
		if err := inputfile.Check(o.SSHDConfig); err != nil {
			return so, fileUsage("--sshd-config", o.SSHDConfig, err)
		}
		so.SSHDConfig = o.SSHDConfig
	}
	if o.Captured != "" {
		st, err := os.Stat(o.Captured)
		if err != nil {
			return so, usagef("--captured %v", err)
		}
		if !st.IsDir() {
			return so, usagef("--captured %s: not a directory", o.Captured)
		}
		so.Captured = o.Captured
	}
	for _, l := range o.Logs {
		if err := inputfile.Check(l); err != nil {
			return so, fileUsage("--log", l, err)
		}
	}
	return so, nil
}

func runServer(cmd *cobra.Command, s *IO, g *Globals, opts *ServerOptions, so server.Options) error {
	host, _ := os.Hostname()
	header := "sshdoctor server"
	subject := map[string]string{"host": host}
	if host != "" {
		header += ": " + host
	}
	if so.User != "" {
		header += ", user " + so.User
		subject["user"] = so.User
	}
	if so.From.IsValid() {
		header += ", from " + so.From.String()
		subject["from"] = so.From.String()
	}
	if so.KeyFile != "" {
		subject["key"] = so.Key.Type + " " + so.Key.Fingerprint()
	}
	if err := opts.Fix.validate(); err != nil {
		return err
	}
	build := func() RunSpec {
		return RunSpec{Command: "server", Checks: server.Checks(so), Header: header, Subject: subject}
	}
	if opts.Fix.Fix {
		// The re-check reads only the logs written since the first run.
		tails := newLogTails(so.Logs)
		start := time.Now()
		build = func() RunSpec {
			o := so
			if tails.first() {
				o.Since = time.Since(start) + time.Second
				o.Logs = tails.since(cmd.Context())
			}
			return RunSpec{Command: "server", Checks: server.Checks(o), Header: header, Subject: subject}
		}
		in := fixInputs(s, "", "")
		in.SSHDConfig, in.KeyFile = opts.SSHDConfig, opts.KeyFile
		return runFix(cmd.Context(), s, g, &opts.Fix, in, build)
	}
	return runAndEmit(cmd.Context(), s, g, build())
}
