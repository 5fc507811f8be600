package client

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/winacl"
	"github.com/sshdoctor/sshdoctor/report"
	"github.com/sshdoctor/sshdoctor/sshconfig"
)

// configTimeout bounds the config layer: ssh -G (itself bounded) plus
// reading a few small files.
const configTimeout = 12 * time.Second

// Settings is what the config layer hands to the others.
type Settings struct {
	Config   *sshconfig.Config
	Hostname string // where ssh opens its TCP connection (the jump host with ProxyJump)
	Port     int
	User     string
	// Jump is the first ProxyJump hop when ssh goes through one; these
	// Settings are then that hop's own (from ssh -G for it).
	Jump string
	// Chain lists what ssh reaches through the first hop, in order: the
	// further jump hosts, then the destination (nil without ProxyJump).
	Chain []*Settings
	// ProxyCommand is the command ssh runs as its transport, its tokens
	// expanded ("" without one, or with ProxyCommand none).
	ProxyCommand string
	// Label names this node as the person wrote it (a hop of ProxyJump).
	Label string
	// ConnectTimeout is ssh's ConnectTimeout, 0 when unset.
	ConnectTimeout time.Duration
	AddressFamily  string
}

func (r *Run) request() sshconfig.Request {
	req := sshconfig.Request{Host: r.opts.Host, User: r.opts.User, Port: r.opts.Port,
		Identities: r.opts.Identities, ConfigFile: r.opts.ConfigFile, AddressFamily: r.opts.AddressFamily}
	for _, kv := range r.opts.Options {
		req.Options = append(req.Options, [2]string{kv.Key, kv.Value})
	}
	return req
}

const configDoc = "the settings ssh would use for the destination (ssh -G), its jump hosts and ProxyCommand"

func (r *Run) checkConfig() *diag.Def[*Settings] {
	return &diag.Def[*Settings]{Name: "config", Doc: configDoc, Timeout: configTimeout, Run: typed[*Settings](func(ctx context.Context, p *diag.Pass) diag.Result {
		req := r.request()
		var findings []*diag.Finding
		cfg, err := r.opts.Configs.FromSSH(ctx, req)
		if errors.Is(err, sshconfig.ErrNoSSH) {
			home, _ := os.UserHomeDir()
			var unsupported []string
			cfg, unsupported, err = sshconfig.Fallback(req, home)
			if err == nil {
				f := diag.NewFinding("config.fallback")
				for _, u := range unsupported {
					f.Ev("not_evaluated", u)
				}
				findings = append(findings, f)
				if pf := permSSHConfig(home, r.opts.ConfigFile); pf != nil {
					findings = append(findings, pf)
				}
			}
		}
		var te *sshconfig.TimeoutError
		if errors.As(err, &te) {
			return diag.Inconclusive(configTimeoutFinding(te, req))
		}
		var ce *sshconfig.ClientError
		if errors.As(err, &ce) {
			return diag.Conclude(nil, clientErrorFindings(ctx, ce, req)...)
		}
		if err != nil {
			// Not ssh rejecting a line (that is a ClientError): no file or
			// line to name, so a sentence that needs none.
			return diag.Inconclusive(diag.NewFinding("config.ssh_failed").
				Arg("message", err.Error()).Ev("error", err.Error()))
		}
		// The kex layer may need ssh's default host key algorithms (one
		// more ssh -G) when a config file may set HostKeyAlgorithms:
		// learn them while the next layers wait on the network. Started
		// only now, the ssh -V that ssh -G runs beside it is already
		// known, and the two do not compete with the first.
		if r.hkaNamed() {
			go defaultHostKeyAlgorithms(context.WithoutCancel(ctx))
		}
		s := &Settings{Config: cfg, Hostname: cfg.Get("hostname"), Port: cfg.Port(), User: cfg.Get("user"),
			ConnectTimeout: cfg.ConnectTimeout(), AddressFamily: cfg.Get("addressfamily")}
		eff := diag.NewFinding("config.effective").
			Arg("host", r.opts.Host).Arg("hostname", s.Hostname).Arg("port", strconv.Itoa(s.Port)).
			Arg("user", s.User).Arg("source", cfg.Source).
			Ev("hostname", s.Hostname).EvInt("port", s.Port).Ev("user", s.User)
		for _, id := range cfg.All("identityfile") {
			eff.Ev("identityfile", id)
		}
		if ct := cfg.Get("connecttimeout"); ct != "" {
			eff.Ev("connecttimeout", ct)
		}
		eff.Ev("addressfamily", s.AddressFamily)
		if cfg.SSHVersion != "" {
			eff.Ev("ssh_version", cfg.SSHVersion)
		}
		if cfg.SharedWith != "" {
			// ssh -G ran for another name that meets the same lines of
			// ssh_config; say so, so the source is never hidden.
			eff.Ev("ssh_g_shared_with", cfg.SharedWith)
		}
		findings = append([]*diag.Finding{eff}, findings...)
		r.setTarget(func(t *report.Target) {
			t.Hostname, t.Port, t.User = s.Hostname, s.Port, s.User
		})
		if pj := cfg.Get("proxyjump"); pj != "" && pj != "none" {
			eff.Ev("proxyjump", pj)
			s.Label = r.opts.Host
			hops, err := r.resolveJumps(ctx, pj, 0)
			if err != nil {
				return diag.Conclude(nil, append(findings, diag.NewFinding("config.jump_unresolved").
					Arg("jump", pj).Ev("proxyjump", pj).Ev("error", err.Error()))...)
			}
			jf := diag.NewFinding("config.proxy_jump").Arg("host", r.opts.Host).Arg("jump", hops[0].Label)
			for i, h := range hops {
				jf.Ev("hops", strconv.Itoa(i+1)+". "+h.Label+": "+h.User+"@"+net.JoinHostPort(h.Hostname, strconv.Itoa(h.Port)))
			}
			jf.Ev("hops", strconv.Itoa(len(hops)+1)+". "+r.opts.Host+": "+s.User+"@"+net.JoinHostPort(s.Hostname, strconv.Itoa(s.Port))+" (the destination)")
			first := hops[0]
			first.Chain = append(hops[1:], s)
			first.Jump = first.Label
			s = first
			findings = append(findings, jf)
		} else if pc := cfg.Get("proxycommand"); pc != "" && pc != "none" {
			eff.Ev("proxycommand", pc)
			s.ProxyCommand = expandProxyCommand(pc, s, r.opts.Host)
			findings = append(findings, diag.NewFinding("config.proxy_command").
				Arg("host", r.opts.Host).Arg("command", s.ProxyCommand).Ev("runs", s.ProxyCommand))
		}
		return diag.Conclude(s, findings...)
	})}
}

// splitJump parses one ProxyJump hop: [user@]host[:port], IPv6 in brackets.
func splitJump(h string) (user, host string, port int) {
	if i := strings.LastIndex(h, "@"); i >= 0 {
		user, h = h[:i], h[i+1:]
	}
	if hh, pp, err := net.SplitHostPort(h); err == nil {
		p, _ := strconv.Atoi(pp)
		return user, hh, p
	}
	return user, strings.Trim(h, "[]"), 0
}

// configTimeoutFinding: ssh -G hung, which only a command the config runs
// (Match exec) can make it do; the lines that run one are named.
func configTimeoutFinding(te *sshconfig.TimeoutError, req sshconfig.Request) *diag.Finding {
	f := diag.NewFinding("config.ssh_timeout").Arg("timeout", te.After.String())
	if len(te.Commands) == 0 {
		f.Ev("command_lines", "none found in the files ssh reads")
	}
	for _, l := range te.Commands {
		f.Ev("command_lines", l.File+":"+strconv.Itoa(l.Line)+": "+l.Text)
	}
	if len(te.Commands) > 0 {
		l := te.Commands[0]
		f.Fix("fix.check_ssh_config_line", "sed -n '"+strconv.Itoa(l.Line)+"p' "+shellQuote(l.File))
	}
	return f.Fix("fix.reproduce_config", "time ssh -G "+strings.Join(quoteAll(req.Args()), " ")+" >/dev/null")
}

func clientErrorFinding(ce *sshconfig.ClientError, req sshconfig.Request) *diag.Finding {
	line := strconv.Itoa(ce.Line)
	if ce.BadPerms && aclFinding != nil {
		if f := aclFinding(ce.File, winacl.ReadableByOthers); f != nil {
			return f.Ev("ssh_said", ce.Message)
		}
		// ssh refused it and the list could not be judged here: show it,
		// never a chmod on Windows.
		return diag.NewFinding("perm.ssh_config").Arg("file", ce.File).Arg("mode", "?").Arg("uid", "?").
			Ev("ssh_said", ce.Message).AddFixes(catalog.Params{catalog.ParamOS: catalog.OSWindows, "file": ce.File})
	}
	if ce.BadPerms {
		f := diag.NewFinding("perm.ssh_config").Arg("file", ce.File).Ev("ssh_said", ce.Message)
		mode, uid := fileModeOwner(ce.File)
		f.Arg("mode", mode).Arg("uid", uid).Ev("mode", mode).Ev("owner_uid", uid)
		return f.AddFixes(catalog.Params{catalog.ParamOS: runtime.GOOS, "file": ce.File})
	}
	f := diag.NewFinding("config.client_error").Arg("message", ce.Message).Arg("file", ce.File).Arg("line", line).
		Ev("ssh_said", strings.TrimSpace(ce.Stderr))
	fp := catalog.Params{"line": line, "ssh_g_request": strings.Join(quoteAll(req.Args()), " ")}
	if ce.File != "" && ce.File != "command-line" {
		f.Ev("location", ce.File+":"+line)
		fp["file"] = ce.File
	}
	return f.AddFixes(fp)
}

// permSSHConfig applies OpenSSH's rule to ~/.ssh/config when ssh itself
// cannot (fallback mode): owner root or the user, no group/world write.
func permSSHConfig(home, explicit string) *diag.Finding {
	if explicit != "" || home == "" {
		return nil // -F files are not checked by ssh
	}
	p := home + string(os.PathSeparator) + ".ssh" + string(os.PathSeparator) + "config"
	bad, mode, uid := configPermsBad(p)
	if !bad {
		return nil
	}
	if aclFinding != nil {
		return aclFinding(p, winacl.ReadableByOthers)
	}
	return diag.NewFinding("perm.ssh_config").Arg("file", p).Arg("mode", mode).Arg("uid", uid).
		Ev("mode", mode).Ev("owner_uid", uid).
		AddFixes(catalog.Params{catalog.ParamOS: runtime.GOOS, "file": p})
}

// shellQuote quotes s for a POSIX shell when it needs it. A leading "~/"
// stays outside the quotes, so the shell still expands it to the home
// directory.
func shellQuote(s string) string {
	if len(s) > 2 && strings.HasPrefix(s, "~/") {
		return "~/" + shellQuote(s[2:])
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_[]", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func quoteAll(a []string) []string {
	out := make([]string, len(a))
	for i, s := range a {
		out[i] = shellQuote(s)
	}
	return out
}
