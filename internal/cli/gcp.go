package cli

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/client"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/gcp"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"github.com/sshdoctor/sshdoctor/report"
)

// GCPOptions is filled from `sshdoctor gcp` flags.
type GCPOptions struct {
	Instance   string // as typed: [USER@]INSTANCE
	Project    string
	Zone       string
	Account    string
	Port       int
	IAP        bool
	IAPURL     string
	Browser    bool
	SourceIP   string
	User       string
	Keys       []string
	Probe      bool
	Fix        FixFlags
	NoIPLookup bool
	Timeout    time.Duration
}

// lookupPublicIP finds the caller's public address; tests replace it so
// that no test ever sends a DNS query to the internet.
var lookupPublicIP = gcp.LookupPublicIP

// gcpADC and gcloudCommand are the last two credential sources; tests
// replace them so that no test looks for real credentials.
var (
	gcpADC        func(context.Context) (string, string, error) // nil: the real lookup
	gcloudCommand = "gcloud"
)

// NewCmdGCP builds `sshdoctor gcp`. runF replaces the run in tests.
func NewCmdGCP(s *IO, g *Globals, runF func(*GCPOptions) error) *cobra.Command {
	opts := &GCPOptions{}
	cmd := &cobra.Command{
		Use:   "gcp [flags] [USER@]INSTANCE",
		Short: "Find why ssh to a Compute Engine VM fails, from Google's APIs (read-only)",
		Long: `Diagnose SSH to a Compute Engine VM from Google's APIs, read-only: the VM's
state, its last boot on the serial console, the network path (external
address, effective firewall rules and policies, the route back), your IAM
permissions, OS Login and metadata SSH keys.

Project, zone and account default like gcloud: the flag, then
CLOUDSDK_CORE_PROJECT, CLOUDSDK_COMPUTE_ZONE, CLOUDSDK_CORE_ACCOUNT, then the
active gcloud configuration. Without a zone the instance is looked up in
every zone. Credentials: CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, else Application
Default Credentials, else "gcloud auth print-access-token".

Without --source-ip (or --iap), your public address is found the way gcloud
finds it: a DNS TXT query for o-o.myaddr.l.google.com sent to ns1.google.com
(--no-ip-lookup skips it). API endpoints follow
CLOUDSDK_API_ENDPOINT_OVERRIDES_{COMPUTE,OSLOGIN,CLOUDRESOURCEMANAGER,IAM,IAP}.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("expected one instance name ([USER@]INSTANCE), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Instance = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runGCP(cmd, s, g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Project, "project", "", "project ID (default: CLOUDSDK_CORE_PROJECT, then gcloud's configuration)")
	f.StringVar(&opts.Zone, "zone", "", "zone of the instance (default: CLOUDSDK_COMPUTE_ZONE, gcloud's configuration, else every zone)")
	f.StringVar(&opts.Account, "account", "", "Google account to act as (default: CLOUDSDK_CORE_ACCOUNT, then gcloud's configuration)")
	f.IntVar(&opts.Port, "port", 22, "TCP port sshd listens on")
	f.BoolVar(&opts.IAP, "iap", false, "connect through Identity-Aware Proxy (source 35.235.240.0/20)")
	f.BoolVar(&opts.Browser, "browser", false, "you connect with SSH-in-browser (the Console's SSH button): judge the path and permissions it uses")
	f.StringVar(&opts.IAPURL, "iap-tunnel-url-override", "", "the IAP relay to tunnel through, wss://HOST[:PORT] (as gcloud's flag; TLS only, a private CA through CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE)")
	f.StringVar(&opts.SourceIP, "source-ip", "", "the public address you connect from (default: found by DNS, as gcloud does)")
	f.StringVar(&opts.User, "user", "", "user name on the VM (default: your local user name; with OS Login, your POSIX name)")
	f.StringArrayVar(&opts.Keys, "key", nil, "public key file to look for (default: ~/.ssh/google_compute_engine.pub, else ssh's default keys); repeatable")
	f.BoolVar(&opts.Probe, "probe", false, "also run the live connection checks against the VM's external address, beside the model")
	addFixFlags(f, &opts.Fix)
	f.BoolVar(&opts.NoIPLookup, "no-ip-lookup", false, "do not look up your public address; judge the firewall for any internet address")
	f.DurationVar(&opts.Timeout, "timeout", gcp.DefaultCallTimeout, "deadline for each API call")
	return cmd
}

var (
	instanceNameRE = lazyre.New(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	projectIDRE    = lazyre.New(`^([a-z0-9][-a-z0-9.]*:)?[a-z][-a-z0-9]{2,61}[a-z0-9]$`)
	zoneRE         = lazyre.New(`^[a-z]+(-[a-z]+)*[0-9]+-[a-z]$`)
)

// gcpOptions validates the flags and builds the run's options.
func (o *GCPOptions) gcpOptions(s *IO) (gcp.Options, error) {
	var out gcp.Options
	name := o.Instance
	if i := strings.LastIndex(name, "@"); i >= 0 {
		u := name[:i]
		name = name[i+1:]
		if u == "" {
			return out, usagef("%q: empty user name before @", o.Instance)
		}
		if o.User != "" && o.User != u {
			return out, usagef("user %q in %q differs from --user %q", u, o.Instance, o.User)
		}
		out.User = u
	}
	if o.User != "" {
		out.User = o.User
	}
	if strings.ContainsAny(out.User, " \t\r\n:") {
		return out, usagef("user %q: a user name cannot contain white space or ':'", out.User)
	}
	if !instanceNameRE.MatchString(name) {
		return out, usagef("instance %q: not a Compute Engine instance name (lower-case letters, digits and '-', starting with a letter)", name)
	}
	out.Instance = name
	if o.Browser {
		switch {
		case o.Probe:
			return out, usagef("--browser cannot be probed: sshdoctor cannot open the browser's session")
		case o.SourceIP != "":
			return out, usagef("--browser and --source-ip cannot be used together: SSH-in-browser connects from 35.235.240.0/20")
		case len(o.Keys) > 0:
			return out, usagef("--browser and --key cannot be used together: SSH-in-browser makes its own key")
		}
		out.Browser = true
		o.IAP = true // the browser reaches the VM as IAP does
	}
	if o.IAPURL != "" {
		if !o.IAP {
			return out, usagef("--iap-tunnel-url-override needs --iap")
		}
		if _, err := gcp.ParseIAPURL(o.IAPURL); err != nil {
			return out, usagef("--iap-tunnel-url-override: %v", err)
		}
		out.IAPURL = o.IAPURL
	}
	if o.Port < 1 || o.Port > 65535 {
		return out, usagef("--port %d: port must be from 1 to 65535", o.Port)
	}
	out.Port = o.Port
	if o.Timeout <= 0 {
		return out, usagef("--timeout %s: must be positive", o.Timeout)
	}
	out.CallTimeout = o.Timeout
	if o.IAP && o.SourceIP != "" {
		return out, usagef("--iap and --source-ip cannot be used together: through IAP the source is 35.235.240.0/20")
	}
	out.IAP = o.IAP
	if o.SourceIP != "" {
		a, err := netip.ParseAddr(o.SourceIP)
		if err != nil || a.Zone() != "" {
			return out, usagef("--source-ip %q: not an IP address", o.SourceIP)
		}
		out.SourceIP = a.Unmap()
	}
	out.NoIPLookup = o.NoIPLookup
	out.LookupPublicIP = lookupPublicIP
	out.ADC, out.Gcloud = gcpADC, gcloudCommand

	home := homeDir(s)
	out.Home = home
	out.Getenv = s.Getenv
	d := gcp.ResolveDefaults(o.Project, o.Zone, o.Account, s.Getenv, home)
	if d.Project.Value == "" {
		return out, usagef("no project: pass --project, set CLOUDSDK_CORE_PROJECT, or run `gcloud config set project PROJECT_ID`")
	}
	if !projectIDRE.MatchString(d.Project.Value) {
		return out, usagef("project %q (from %s): not a project ID", d.Project.Value, d.Project.Source)
	}
	if d.Zone.Value != "" && !zoneRE.MatchString(d.Zone.Value) {
		return out, usagef("zone %q (from %s): not a zone name such as us-central1-a", d.Zone.Value, d.Zone.Source)
	}
	out.Project, out.Zone, out.Account = d.Project, d.Zone, d.Account

	ep, err := gcp.EndpointsFromEnv(s.Getenv)
	if err != nil {
		return out, usagef("API endpoint: %v", err)
	}
	out.Endpoints = ep
	out.CAFile = gcp.CustomCAFile(s.Getenv, home)

	for _, k := range o.Keys {
		path, err := publicKeyPath(k)
		if err != nil {
			return out, usagef("--key %s: %v", k, err)
		}
		out.KeyFiles = append(out.KeyFiles, path)
	}
	out.LocalUser = localUserName(s)
	return out, nil
}

// publicKeyPath accepts a .pub file, or a private key whose .pub sits
// beside it (as ssh -i takes).
func publicKeyPath(p string) (string, error) {
	_, err := gcp.ReadPublicKeyFile(p)
	if err == nil {
		return p, nil
	}
	if !strings.HasSuffix(p, ".pub") {
		if _, err2 := gcp.ReadPublicKeyFile(p + ".pub"); err2 == nil {
			return p + ".pub", nil
		}
	}
	return "", unwrapPathError(err)
}

func homeDir(s *IO) string {
	if h := s.Getenv("HOME"); h != "" {
		return h
	}
	if h := s.Getenv("USERPROFILE"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

// localUserName is the name gcloud would use on the VM: the local user
// name, lower-cased, without a Windows domain.
func localUserName(s *IO) string {
	n := s.Getenv("USER")
	if n == "" {
		n = s.Getenv("USERNAME")
	}
	if n == "" {
		if u, err := user.Current(); err == nil {
			n = u.Username
		}
	}
	if i := strings.LastIndexAny(n, `\/`); i >= 0 {
		n = n[i+1:]
	}
	return strings.ToLower(n)
}

func runGCP(cmd *cobra.Command, s *IO, g *Globals, opts *GCPOptions) error {
	o, err := opts.gcpOptions(s)
	if err != nil {
		return err
	}
	run := gcp.New(o)
	zone := o.Zone.Value
	if zone == "" {
		zone = "any"
	}
	spec := RunSpec{
		Command: "gcp",
		Checks:  run.Checks(),
		Header:  "sshdoctor gcp " + o.Instance + " (project " + o.Project.Value + ", zone " + zone + ")",
		Subject: run.Subject(),
		Finish:  func(r *report.Report) { r.Subject = run.Subject() },
	}
	if err := opts.Fix.validate(); err != nil {
		return err
	}
	if opts.Fix.Fix {
		if opts.Probe {
			return usagef("--fix and --probe cannot be used together")
		}
		build := func() RunSpec {
			run := gcp.New(o)
			return RunSpec{Command: "gcp", Checks: run.Checks(), Header: spec.Header, Subject: run.Subject(),
				Finish: func(r *report.Report) { r.Subject = run.Subject() }}
		}
		in := fixInputs(s, "", "")
		in.Cloud = run.Writer()
		in.Account = o.Account.Value
		if len(o.KeyFiles) > 0 {
			in.KeyFile = o.KeyFiles[0]
		}
		return runFix(cmd.Context(), s, g, &opts.Fix, in, build)
	}
	if !opts.Probe {
		return runAndEmit(cmd.Context(), s, g, spec)
	}
	if o.IAP {
		return runGCPIAPProbe(cmd.Context(), s, g, run, spec)
	}
	return runGCPProbe(cmd.Context(), s, g, o, run, spec)
}

// probeTimeout is each network step of the live probe: ssh's own layers
// with check's default deadline.
const probeTimeout = 5 * time.Second

// runGCPProbe runs the model, then the client layers against the external
// address the model found, and sets the two side by side: the comparison
// comes before the probe's own layers, so that "allowed by the model but
// timing out" is the diagnosis rather than the bare timeout.
func runGCPProbe(ctx context.Context, s *IO, g *Globals, o gcp.Options, run *gcp.Run, spec RunSpec) error {
	lang, err := language(g.Lang, s.Getenv)
	if err != nil {
		return err
	}
	model, err := diag.Execute(ctx, spec.Checks)
	if err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	sub := run.Subject()
	ip := sub["external_ip"]
	if ip == "" || model.Interrupted {
		model.Runs = append(model.Runs, run.ProbeRun(model, nil))
		return emit(s, g, lang, spec, model)
	}
	user := o.User
	if user == "" {
		user = sub["login_user"]
	}
	dest := ip
	if user != "" {
		dest = user + "@" + ip
	}
	crun := client.New(client.Options{Destination: dest, User: user, Host: ip, Port: o.Port,
		Identities: run.ProbeIdentities(), Timeout: probeTimeout})
	probe, err := diag.Execute(ctx, crun.Checks())
	if err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	out := &diag.Outcome{Interrupted: model.Interrupted || probe.Interrupted}
	out.Runs = append(append(append(out.Runs, model.Runs...), run.ProbeRun(model, probe)), probe.Runs...)
	spec.Target = crun.Target()
	spec.Stats = crun.Stats
	return emit(s, g, lang, spec, out)
}

// runGCPIAPProbe runs the model, then opens a real tunnel through IAP's
// relay and reads the SSH banner through it.
func runGCPIAPProbe(ctx context.Context, s *IO, g *Globals, run *gcp.Run, spec RunSpec) error {
	lang, err := language(g.Lang, s.Getenv)
	if err != nil {
		return err
	}
	model, err := diag.Execute(ctx, spec.Checks)
	if err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	if !model.Interrupted {
		model.Runs = append(model.Runs, run.IAPProbeRun(ctx, model))
	}
	return emit(s, g, lang, spec, model)
}
