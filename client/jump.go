package client

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshconfig"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// maxJumpDepth bounds ProxyJump nesting (a hop whose own config names a
// jump host, and so on); a config that loops would otherwise never end.
const maxJumpDepth = 8

// resolveJumps turns a ProxyJump value into the hops ssh goes through, in
// order, each with its own settings from `ssh -G` (so a Host alias gets
// its HostName, Port, User, IdentityFile and known_hosts files). ssh -J
// a,b makes b's connection go through a (ignoring b's own ProxyJump); a
// single hop with a ProxyJump of its own nests.
func (r *Run) resolveJumps(ctx context.Context, spec string, depth int) ([]*Settings, error) {
	if depth >= maxJumpDepth {
		return nil, errors.New("ProxyJump nests more than " + strconv.Itoa(maxJumpDepth) + " hops deep (a loop in the config?)")
	}
	parts := strings.Split(spec, ",")
	for i := range parts {
		parts[i] = strings.TrimPrefix(strings.TrimSpace(parts[i]), "ssh://")
		if parts[i] == "" {
			return nil, errors.New("empty hop in ProxyJump " + strconvQuote(spec))
		}
	}
	last := parts[len(parts)-1]
	user, host, port := splitJump(last)
	req := sshconfig.Request{Host: host, User: user, Port: port, ConfigFile: r.opts.ConfigFile, AddressFamily: r.opts.AddressFamily}
	cfg, err := r.opts.Configs.FromSSH(ctx, req)
	if errors.Is(err, sshconfig.ErrNoSSH) {
		home, _ := os.UserHomeDir()
		cfg, _, err = sshconfig.Fallback(req, home)
	}
	if err != nil {
		return nil, errors.New("ssh -G " + host + ": " + err.Error())
	}
	hop := &Settings{Config: cfg, Hostname: cfg.Get("hostname"), Port: cfg.Port(), User: cfg.Get("user"),
		ConnectTimeout: cfg.ConnectTimeout(), AddressFamily: cfg.Get("addressfamily"), Label: last}
	var prefix []*Settings
	if len(parts) > 1 {
		prefix, err = r.resolveJumps(ctx, strings.Join(parts[:len(parts)-1], ","), depth+1)
	} else if pj := cfg.Get("proxyjump"); pj != "" && pj != "none" {
		prefix, err = r.resolveJumps(ctx, pj, depth+1)
	}
	if err != nil {
		return nil, err
	}
	return append(prefix, hop), nil
}

func strconvQuote(s string) string { return strconv.Quote(s) }

// checkJump goes on from the first jump host, which the layers before it
// checked and authenticated to: it logs in there and, as ssh -J does,
// asks it to open a TCP connection (a direct-tcpip channel) to the next
// hop, then walks the same layers — banner, key exchange, host key under
// the name ssh uses for that hop, authentication with that hop's own
// settings — over the channel, and so on to the destination, where it
// logs in. It names the hop that breaks and how.
func (r *Run) checkJump() *diag.Def[struct{}] {
	return &diag.Def[struct{}]{Name: "jump", Doc: "each hop after the first jump host, through direct-tcpip channels as ssh -J",
		Requires: []diag.Node{r.defs.auth},
		Timeout:  4*maxJumpDepth*r.opts.Timeout + 2*time.Second,
		Run: func(ctx context.Context, p *diag.Pass) (struct{}, bool, diag.Result) {
			ar := diag.ResultOf(p, r.defs.auth)
			if ar.NoSign == noPassword || ar.HostKey.Kex.Banner.Settings.Chain == nil {
				return struct{}{}, true, diag.Skip()
			}
			return struct{}{}, true, r.walkChain(ctx, ar)
		}}
}

// hopName is how a node is named in findings: as written, with where it
// leads.
func hopName(s *Settings, n, of int) string {
	return strconv.Itoa(n) + "/" + strconv.Itoa(of) + " " + s.Label + " (" + s.User + "@" + net.JoinHostPort(s.Hostname, strconv.Itoa(s.Port)) + ")"
}

// walkChain owns the sessions of the chain: the run's (to the first
// hop) and one per later hop, each carried by a channel of the one
// before; it closes them all, the last hop's first.
func (r *Run) walkChain(ctx context.Context, ar *AuthResult) diag.Result {
	first := ar.HostKey.Kex.Banner.Settings
	chain := first.Chain
	total := len(chain) + 1
	sessions := []*session{r.sess}
	var mu sync.Mutex
	closeAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for i := len(sessions) - 1; i >= 0; i-- {
			sessions[i].Close()
		}
	}
	defer closeAll()
	stop := context.AfterFunc(ctx, closeAll)
	defer stop()
	var findings []*diag.Finding
	tag := func(fs []*diag.Finding, name string) []*diag.Finding {
		for _, f := range fs {
			f.Ev("hop", name)
		}
		return fs
	}
	// Log in to a jump host: the signature for the accepted key. No
	// session is opened there (ssh -J opens none).
	login := func(a *AuthResult, sess *session, name string) *diag.Finding {
		if a.NoSign != "" {
			return diag.NewFinding("jump.login_failed").Arg("hop", name).Ev("hop", name).Ev("reason", a.NoSign)
		}
		if !a.Authenticated {
			st, err := sess.Probe().Sign(ctx)
			r.authAttempts.Add(1)
			if err != nil || !st.Authenticated {
				f := diag.NewFinding("jump.login_failed").Arg("hop", name).Ev("hop", name)
				if err != nil {
					f.Ev("error", err.Error())
				} else {
					f.Ev("server_still_wants", strings.Join(st.Allowed, ","))
				}
				return f
			}
		}
		return nil
	}
	prevName := hopName(first, 1, total)
	if f := login(ar, r.sess, prevName); f != nil {
		return diag.Conclude(nil, append(findings, f)...)
	}
	findings = append(findings, diag.NewFinding("jump.hop_ok").Arg("hop", prevName).Ev("hop", prevName))
	prev, prevS := r.sess.Probe(), first
	for i, next := range chain {
		name := hopName(next, i+2, total)
		dialVia := prev
		dial := func(ctx context.Context) (net.Conn, error) {
			dctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
			defer cancel()
			r.connections.Add(1)
			return dialVia.Dial(dctx, next.Hostname, next.Port)
		}
		start := time.Now()
		conn, err := dial(ctx)
		if err != nil {
			return diag.Conclude(nil, append(findings, r.openFailed(next, name, prevS, prevName, err, time.Since(start)))...)
		}
		hp := net.JoinHostPort(next.Hostname, strconv.Itoa(next.Port))
		id := sshwire.Exchange(conn, r.opts.Timeout, sshwire.DefaultMaxBytes)
		if id.Outcome != sshwire.OutcomeOK {
			conn.Close()
			f := r.bannerFailure(next, next.Hostname, strconv.Itoa(next.Port), id)
			f.Fixes = nil // server-side fixes name this machine's view; the hop decides
			return diag.Conclude(nil, append(findings, tag([]*diag.Finding{f.Ev("through", prevName)}, name)...)...)
		}
		b := &Banner{Settings: next, Addr: hp, Ident: id}
		hs := &session{redial: dial}
		hs.setConn(conn)
		mu.Lock()
		sessions = append(sessions, hs)
		mu.Unlock()
		findings = append(findings, tag([]*diag.Finding{diag.NewFinding("banner.server").
			Arg("software", id.Software).Arg("proto", id.Proto).Arg("line", id.Line).
			Ev("identification", id.Line)}, name)...)
		kres := r.kexOn(ctx, hs, b)
		findings = append(findings, tag(kres.Findings, name)...)
		kr, _ := kres.Value.(*KexResult)
		if kr == nil || !passed(kres) {
			return diag.Result{Status: failStatus(kres), Findings: findings}
		}
		hres := r.hostKeyOn(ctx, hs, kr)
		findings = append(findings, tag(hres.Findings, name)...)
		hk, _ := hres.Value.(*HostKeyResult)
		if hk == nil || !passed(hres) {
			return diag.Result{Status: failStatus(hres), Findings: findings}
		}
		ares := r.authenticate(ctx, hs, hk)
		findings = append(findings, tag(ares.Findings, name)...)
		a, _ := ares.Value.(*AuthResult)
		if a == nil {
			if ares.Status == diag.StatusPass || ares.Status == diag.StatusWarn {
				return diag.Conclude(nil, findings...)
			}
			return diag.Result{Status: failStatus(ares), Findings: findings}
		}
		if i == len(chain)-1 {
			lres := r.loginOn(ctx, hs, a)
			findings = append(findings, tag(lres.Findings, name)...)
			st := lres.Status
			if st == diag.StatusSkip {
				return diag.Conclude(nil, findings...)
			}
			res := diag.Conclude(nil, findings...)
			if st == diag.StatusError && res.Status == diag.StatusPass {
				res.Status = diag.StatusError
			}
			return res
		}
		if f := login(a, hs, name); f != nil {
			return diag.Conclude(nil, append(findings, f)...)
		}
		findings = append(findings, diag.NewFinding("jump.hop_ok").Arg("hop", name).Ev("hop", name))
		prev, prevS, prevName = hs.Probe(), next, name
	}
	return diag.Conclude(nil, findings...)
}

func passed(r diag.Result) bool {
	return r.Status == diag.StatusPass || r.Status == diag.StatusWarn
}

func failStatus(r diag.Result) diag.Status {
	if r.Status == diag.StatusSkip {
		return diag.StatusError
	}
	return r.Status
}

// openFailed names how a jump host failed to reach the next hop, from the
// channel open failure its sshd sent (OpenSSH puts the connect(2) or
// getaddrinfo error text in it), as ssh prints it.
func (r *Run) openFailed(next *Settings, name string, viaS *Settings, via string, err error, elapsed time.Duration) *diag.Finding {
	hp := net.JoinHostPort(next.Hostname, strconv.Itoa(next.Port))
	var of *sshwire.OpenFailure
	var f *diag.Finding
	switch {
	case errors.As(err, &of):
		msg := strings.ToLower(of.Message)
		switch {
		case of.Reason == 1:
			f = diag.NewFinding("jump.forward_prohibited")
		case strings.Contains(msg, "refused"):
			f = diag.NewFinding("jump.target_refused")
		case strings.Contains(msg, "no route") || strings.Contains(msg, "unreachable"):
			f = diag.NewFinding("jump.target_no_route")
		case strings.Contains(msg, "name") || strings.Contains(msg, "not known") || strings.Contains(msg, "resolution") || strings.Contains(msg, "nodename"):
			f = diag.NewFinding("jump.target_unknown_name")
		case strings.Contains(msg, "timed out"):
			f = diag.NewFinding("jump.target_timeout")
		default:
			f = diag.NewFinding("jump.open_failed")
		}
		what := "connect failed"
		if of.Reason == 1 {
			what = "administratively prohibited"
		}
		f.Ev("jump_said", diag.Quote([]byte(of.Message), 200)).
			Ev("ssh_would_say", "channel 0: open failed: "+what+": "+of.Message+"\nstdio forwarding failed")
	case errors.Is(err, context.DeadlineExceeded):
		f = diag.NewFinding("jump.target_timeout").Ev("ssh_would_say", "(ssh waits until the jump host's connect gives up)")
	default:
		f = diag.NewFinding("jump.open_failed").Ev("error", err.Error())
	}
	jumpHost := viaS.User + "@" + viaS.Hostname
	if viaS.Port != 22 {
		jumpHost = "-p " + strconv.Itoa(viaS.Port) + " " + shellQuote(jumpHost)
	} else {
		jumpHost = shellQuote(jumpHost)
	}
	f.Arg("hop", name).Arg("via", via).Arg("target", hp).Arg("timeout", r.opts.Timeout.String()).
		Ev("hop", name).Ev("through", via).Ev("asked_to_connect_to", hp).
		Ev("elapsed", elapsed.Round(time.Millisecond).String())
	switch f.Code {
	case "jump.target_refused":
		f.Fix("fix.jump_test_from_hop", "ssh "+jumpHost+" nc -zv "+shellQuote(next.Hostname)+" "+strconv.Itoa(next.Port)).
			Fix("fix.sshdoctor_server", "sudo sshdoctor server --port "+strconv.Itoa(next.Port))
	case "jump.forward_prohibited":
		f.Fix("fix.jump_allow_forwarding", "sudo sshd -T | grep -i -E '^(allowtcpforwarding|permitopen|disableforwarding) '")
	case "jump.target_unknown_name":
		f.Fix("fix.jump_resolve_on_hop", "ssh "+jumpHost+" getent hosts "+shellQuote(next.Hostname))
	default:
		f.Fix("fix.jump_test_from_hop", "ssh "+jumpHost+" nc -zv -w 5 "+shellQuote(next.Hostname)+" "+strconv.Itoa(next.Port))
	}
	return f
}
