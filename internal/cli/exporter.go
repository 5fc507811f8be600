package cli

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/exporter"
	"github.com/sshdoctor/sshdoctor/inventory"
	"github.com/sshdoctor/sshdoctor/report"
	"github.com/sshdoctor/sshdoctor/sshconfig"
)

// ExporterOptions is filled from `sshdoctor exporter` flags.
type ExporterOptions struct {
	Listen        string
	ConfigFile    string
	MaxConcurrent int
}

// Deadlines of the exporter's HTTP server: a probe answers within its
// module's probe_timeout (under Prometheus's scrape timeout), so the
// write deadline leaves room for the slowest configured probe; headers
// come at once or not at all.
const (
	exporterReadHeaderTimeout = 5 * time.Second
	exporterWriteSlack        = 5 * time.Second
	exporterIdleTimeout       = 2 * time.Minute
	exporterShutdownTimeout   = 10 * time.Second
)

// NewCmdExporter builds `sshdoctor exporter`. runF replaces the run in tests.
func NewCmdExporter(s *IO, g *Globals, runF func(*ExporterOptions) error) *cobra.Command {
	opts := &ExporterOptions{}
	cmd := &cobra.Command{
		Use:   "exporter [flags]",
		Short: "Serve check's layers as Prometheus metrics (multi-target exporter)",
		Long: `Serve check's layers to Prometheus, as blackbox_exporter does for HTTP:
Prometheus scrapes /probe?target=host:port&module=NAME, and the exporter
diagnoses that target once and answers with per-layer metrics
(sshdoctor_layer_success, sshdoctor_layer_duration_seconds,
sshdoctor_probe_success, the failing code, the server's version and host
key). /metrics is the exporter's own health.

Modules come from --config (YAML: modules: NAME: user, identity_files,
ssh_config, options, timeout, probe_timeout, no_login, ip_protocol); without
it there is one module, "ssh", with check's defaults and no login. Anyone who
can reach the listening address can make the exporter probe any target:
listen where only Prometheus can reach it.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usagef("exporter takes no arguments (got %q)", strings.Join(args, " "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runExporter(cmd.Context(), s, g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:9807", "address to serve on")
	f.StringVar(&opts.ConfigFile, "config", "", "modules file (YAML)")
	f.IntVar(&opts.MaxConcurrent, "max-concurrent", exporter.DefaultMaxConcurrent(), "probes in flight at once")
	return cmd
}

func (o *ExporterOptions) config() (*exporter.Config, error) {
	if o.MaxConcurrent < 1 {
		return nil, usagef("--max-concurrent %d: must be at least 1", o.MaxConcurrent)
	}
	if _, _, err := net.SplitHostPort(o.Listen); err != nil {
		return nil, usagef("--listen %q: expected host:port", o.Listen)
	}
	if o.ConfigFile == "" {
		return exporter.DefaultConfig(), nil
	}
	f, err := os.Open(o.ConfigFile)
	if err != nil {
		return nil, usagef("cannot read %s: %s", o.ConfigFile, unwrapPathError(err).Error())
	}
	defer f.Close()
	c, err := exporter.ParseConfig(f, o.ConfigFile)
	if err != nil {
		return nil, usagef("modules file: %s", err.Error())
	}
	return c, nil
}

// checkOptionsForModule is what `sshdoctor check` would be given for a
// target probed with module m.
func checkOptionsForModule(t inventory.Target, m exporter.Module) *CheckOptions {
	co := &CheckOptions{Dest: t.Dest(), Identities: m.Identities, ConfigFile: m.SSHConfig,
		Options: m.SortedOptions(), Timeout: m.Timeout, NoLogin: *m.NoLogin,
		IPv4: m.IPProtocol == "ip4", IPv6: m.IPProtocol == "ip6"}
	if t.User == "" {
		co.User = m.User
	}
	return co
}

// maxProbeTimeout is the longest probe_timeout of the modules.
func maxProbeTimeout(c *exporter.Config) time.Duration {
	longest := exporter.DefaultProbeTimeout
	for _, m := range c.Modules {
		if d := m.Fill().ProbeTimeout; d > longest {
			longest = d
		}
	}
	return longest
}

func runExporter(ctx context.Context, s *IO, g *Globals, opts *ExporterOptions) error {
	lang, err := language(g.Lang, s.Getenv)
	if err != nil {
		return err
	}
	cfg, err := opts.config()
	if err != nil {
		return err
	}
	configs := sshconfig.NewShared()
	e := exporter.New(cfg, func(ctx context.Context, t inventory.Target, m exporter.Module) (*report.Report, error) {
		co := checkOptionsForModule(t, m)
		co.Configs = configs
		return diagnose(ctx, lang, co)
	}, exporter.Options{MaxConcurrent: opts.MaxConcurrent})
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return usagef("--listen %s: %s", opts.Listen, err.Error())
	}
	srv := &http.Server{Handler: e.Handler(), ReadHeaderTimeout: exporterReadHeaderTimeout,
		WriteTimeout: maxProbeTimeout(cfg) + exporterWriteSlack, IdleTimeout: exporterIdleTimeout,
		MaxHeaderBytes: 64 << 10}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), exporterShutdownTimeout)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return nil
	}
}
