package client

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// AuthResult is what the auth layer hands on: the key ssh would log in
// with (the server accepted it; the session's probe is parked on it,
// waiting for the signature), or that "none" already authenticated.
type AuthResult struct {
	HostKey       *HostKeyResult
	Offer         *offer
	Authenticated bool
	User          string
	// NoSign says why the login layer cannot log in ("" when it can).
	NoSign string
}

// maxReconnects bounds the extra connections made to test keys ssh would
// offer after the server's MaxAuthTries cut it off: each one costs the
// server a connection and the user a failed-login log line.
const maxReconnects = 3

// maxQueries bounds the publickey queries of one run (x/crypto caps one
// connection at 64 attempts; ssh itself has no cap but the server's).
const maxQueries = 48

// checkAuth: its dependents (login, jump) read its result with
// diag.ResultOf, and run only when there is one.
func (r *Run) checkAuth() *diag.Def[*AuthResult] {
	return &diag.Def[*AuthResult]{Name: "auth", Doc: "which key the server accepts for the login name, as ssh would offer them",
		Requires: []diag.Node{r.defs.hostKey},
		Timeout:  time.Duration(maxReconnects+2)*r.opts.Timeout + 2*time.Second,
		Run: func(ctx context.Context, p *diag.Pass) (*AuthResult, bool, diag.Result) {
			hk := diag.ResultOf(p, r.defs.hostKey)
			res := r.authenticate(ctx, r.sess, hk)
			ar, _ := res.Value.(*AuthResult)
			res.Value = nil
			if ar == nil || !passed(res) {
				// No key to log in with: the connection is done.
				r.sess.Close()
			}
			if ar == nil && (res.Status == diag.StatusPass || res.Status == diag.StatusWarn || res.Status == "") {
				// A way in that sshdoctor may not take (a password):
				// the login check says so.
				ar = &AuthResult{HostKey: hk, NoSign: noPassword}
			}
			return ar, ar != nil, res
		}}
}

// noPassword marks an AuthResult where only a password would log in.
const noPassword = "password"

// authState carries one connection's probe through the query loop.
type authConn struct {
	probe    *sshwire.Probe
	allowed  []string
	failures int
}

// authenticate walks the keys ssh would offer on the session's probe
// (on another connection when the server cuts one off). With a key to log
// in with, the probe stays in the session parked on it, and the result
// says which; without one, the caller closes the session.
func (r *Run) authenticate(ctx context.Context, sess *session, hk *HostKeyResult) diag.Result {
	s := hk.Kex.Banner.Settings
	probe := sess.Probe()
	cur := &authConn{probe: probe}
	stop := sess.closeOnCancel(ctx)
	defer stop()

	// Local work first (it overlaps with the server finishing the key
	// exchange in the background).
	list, agent, agentErr := r.identities(ctx, s)
	sess.setAgent(agent)
	st, err := probe.Methods(ctx)
	if err != nil {
		return diag.Conclude(nil, r.authClosed(s, hk, err, probe))
	}
	r.authAttempts.Add(1) // the "none" request
	userEv := r.userSource(s)
	if st.Authenticated {
		return diag.Conclude(&AuthResult{HostKey: hk, Authenticated: true, User: s.User},
			diag.NewFinding("auth.none_accepted").Arg("user", s.User).Ev("login_name", userEv))
	}
	cur.allowed = st.Allowed
	methods := strings.Join(st.Allowed, ",")
	batch := s.Config.Yes("batchmode")
	if !containsStr(st.Allowed, "publickey") {
		if f := r.promptOnly(ctx, probe, s, st.Allowed, list, userEv, batch); f != nil {
			return diag.Conclude(nil, f)
		}
		f := diag.NewFinding("auth.methods_mismatch").Arg("methods", methods).Arg("host", s.Hostname).
			Ev("server_methods", methods).Ev("login_name", userEv).
			Ev("ssh_would_say", s.User+"@"+s.Hostname+": Permission denied ("+methods+").").
			AddFixes(catalog.Params{"sshd_spec": r.sshdSpec(s.User)})
		return diag.Conclude(nil, f)
	}
	if v := strings.ToLower(s.Config.Get("pubkeyauthentication")); v == "no" || v == "false" {
		return diag.Conclude(nil, diag.NewFinding("auth.pubkey_disabled").Arg("host", s.Hostname).
			Ev("pubkeyauthentication", v).Ev("server_methods", methods).
			Fix("fix.auth_enable_pubkey", r.sshCommand("-o PubkeyAuthentication=yes")))
	}

	var accepted *offer // first accepted key ssh can sign with, within reach
	var beyond *offer   // first usable accepted key, after ssh was cut off
	reach := 0          // keys ssh gets to offer before MaxAuthTries (0: not cut off)
	cutMsg := ""
	reconnects, queries := 0, 0
	authedNoSig := false // a server that let us in on a query alone
	var stopped string
	for _, o := range list {
		if o.skip != "" && !(o.extra && r.opts.AllKeys) || o.id == nil {
			continue
		}
		if o.extra && (accepted != nil || beyond != nil) {
			break
		}
		if queries >= maxQueries {
			stopped = "query limit reached"
			break
		}
		if cur.probe == nil {
			if reconnects >= maxReconnects {
				stopped = "reconnection limit reached"
				break
			}
			reconnects++
			pr, st, err := r.reconnect(ctx, sess, hk)
			if err != nil {
				stopped = "reconnecting failed: " + err.Error()
				break
			}
			sess.replaceProbe(pr)
			cur = &authConn{probe: pr, allowed: st.Allowed}
		}
		res, st, err := cur.probe.Query(ctx, o.id)
		if res != sshwire.QueryNotSent && res != "" {
			queries++
			r.authAttempts.Add(1)
		}
		o.result = res
		switch res {
		case sshwire.QueryAccepted:
			usable := o.cannotSign == "" || o.cannotSign == "encrypted" && !batch
			switch {
			case o.extra || !usable:
				cur.probe.Decline() // ssh would not offer it, or cannot sign with it: it goes on
			case reach == 0:
				accepted = o
			default:
				beyond = o
			}
		case sshwire.QueryRejected:
			cur.failures++
			cur.allowed = st.Allowed
		case sshwire.QueryDisconnected:
			o.result = sshwire.QueryRejected
			if _, msg, ok := sshwire.Disconnect(err); ok {
				cutMsg = msg
			} else if err != nil {
				cutMsg = err.Error()
			}
			if reach == 0 && !o.extra {
				reach = o.n
			}
			cur.probe.Close()
			cur.probe = nil
		case sshwire.QueryAuthenticated:
			accepted, authedNoSig = o, true
		case "":
			stopped = "query failed: " + errString(err)
		}
		if stopped != "" || accepted != nil || beyond != nil {
			break
		}
	}
	evKeys := func(f *diag.Finding) *diag.Finding {
		f.Ev("login_name", userEv).Ev("server_methods", methods)
		for _, o := range list {
			res := string(o.result)
			switch {
			case o.skip != "" && !(o.extra && o.result != ""):
				res = "not offered: " + o.skip
			case res == "":
				res = "not tried"
			case res == string(sshwire.QueryNotSent):
				res = "not offered: no signature algorithm in common with the server"
			}
			prefix := "-"
			if o.n > 0 {
				prefix = strconv.Itoa(o.n) + "."
			}
			if o.extra {
				prefix = "extra (--all-keys)"
			}
			f.Ev("keys", prefix+" "+o.describe()+": "+res)
		}
		if agentErr != nil {
			f.Ev("agent", "not usable: "+agentErr.Error())
		} else if agent != nil {
			f.Ev("agent", agent.Path+": "+strconv.Itoa(len(agent.Keys))+" keys")
		}
		if reach > 0 {
			f.Ev("server_cut_off_after", strconv.Itoa(reach)+" keys: "+cutMsg)
		}
		if reconnects > 0 {
			f.EvInt("extra_connections", reconnects)
		}
		if stopped != "" {
			f.Ev("stopped", stopped)
		}
		return f
	}
	keyFindings := r.keyFileFindings(s, list, accepted != nil)
	if platformAgentFindings != nil {
		keyFindings = append(keyFindings, platformAgentFindings(ctx)...)
	}

	if accepted != nil {
		findings := append(slices.Clip(keyFindings), evKeys(diag.NewFinding("auth.accepted").Arg("user", s.User).
			Arg("key", accepted.label).Arg("position", strconv.Itoa(accepted.n)).
			Ev("accepted_key", accepted.describe())))
		res := &AuthResult{HostKey: hk, Offer: accepted, User: s.User, Authenticated: authedNoSig}
		if accepted.cannotSign == "encrypted" {
			findings = append(findings, diag.NewFinding("key.passphrase_needed").Arg("path", accepted.label).
				Ev("file", accepted.label).Fix("fix.key_add_to_agent", "ssh-add "+shellQuote(accepted.label)))
			res.NoSign = "the accepted key needs its passphrase"
			cur.probe.Decline()
		}
		return diag.Conclude(res, findings...)
	}

	var findings []*diag.Finding
	if beyond != nil {
		f := evKeys(diag.NewFinding("auth.too_many_failures").Arg("host", s.Hostname).Arg("offered", strconv.Itoa(reach)).
			Arg("key", beyond.label).Arg("position", strconv.Itoa(beyond.n)).
			Ev("accepted_key", beyond.describe()).Ev("ssh_would_say", "Received disconnect from "+hostOf(hk.Kex.Banner.Addr)+" port "+
			strconv.Itoa(s.Port)+":2: "+firstNonEmptyStr(cutMsg, "Too many authentication failures")))
		r.tooManyFixes(f, s, beyond)
		return diag.Conclude(nil, append(findings, append(keyFindings, f)...)...)
	}
	// Accepted keys ssh could not sign with: the root cause.
	for _, o := range list {
		if o.result != sshwire.QueryAccepted || o.extra || (reach > 0 && o.n > reach) {
			continue
		}
		switch o.cannotSign {
		case "perm":
			f := r.permFinding(o.kf.Path).Ev("accepted_key", o.describe()).
				Ev("why_root_cause", "the server accepts this key, but ssh refuses to read its private key file")
			return diag.Conclude(nil, append([]*diag.Finding{evKeys(f)}, withoutPath(keyFindings, o.kf.Path)...)...)
		case "encrypted":
			f := diag.NewFinding("key.passphrase_needed").Sev(diag.SevError).Arg("path", o.label).Ev("file", o.label).
				Ev("accepted_key", o.describe()).Ev("batch_mode", "yes: ssh cannot ask for the passphrase").
				Fix("fix.key_add_to_agent", "ssh-add "+shellQuote(o.label))
			return diag.Conclude(nil, append([]*diag.Finding{evKeys(f)}, keyFindings...)...)
		case "invalid", "missing", "unreadable":
			path := o.label
			if o.kf != nil {
				path = o.kf.Path
			}
			f := r.invalidKeyFinding(o.kf, path).Sev(diag.SevError).Ev("accepted_key", o.describe()).
				Ev("why_root_cause", "the server accepts this public key, but ssh cannot load the private key to sign")
			return diag.Conclude(nil, append([]*diag.Finding{evKeys(f)}, withoutPath(keyFindings, path)...)...)
		}
	}
	// Nothing accepted. Problems with key files the user named come first:
	// the key they meant is likely among them.
	for _, f := range keyFindings {
		switch f.Code {
		case "key.missing", "key.invalid_format", "perm.private_key_too_open":
			f.Sev(diag.SevError)
		}
	}
	findings = append(findings, keyFindings...)
	offered, noSig := 0, 0
	for _, o := range list {
		if o.result == sshwire.QueryRejected || o.result == sshwire.QueryAccepted {
			offered++
		}
		if o.result == sshwire.QueryNotSent && sshwire.PlainKeyType(o.key.Type) == "rsa" {
			noSig++
		}
	}
	if noSig > 0 && offered == 0 {
		f := evKeys(diag.NewFinding("auth.no_mutual_sig").Arg("host", s.Hostname)).
			Ev("ssh_would_say", "send_pubkey_test: no mutual signature algorithm").
			AddFixes(catalog.Params{"ssh_args": r.sshArgs()})
		return diag.Conclude(nil, append(findings, f)...)
	}
	if fg := r.forgeOf(s); fg != nil && (offered > 0 || stopped == "") {
		return diag.Conclude(nil, append(findings, r.forgeAuth(s, fg, list, evKeys))...)
	}
	if offered == 0 && stopped == "" {
		f := evKeys(diag.NewFinding("auth.no_keys").Arg("user", s.User).Arg("host", s.Hostname)).
			AddFixes(catalog.Params{"copy_id_args": r.copyIDArgs()})
		if batch {
			f.Ev("ssh_would_say", s.User+"@"+s.Hostname+": Permission denied ("+methods+").")
		}
		return diag.Conclude(nil, append(findings, f)...)
	}
	f := evKeys(diag.NewFinding("auth.publickey_denied").Arg("user", s.User).Arg("host", s.Hostname).Arg("methods", methods)).
		Ev("ssh_would_say", s.User+"@"+s.Hostname+": Permission denied ("+methods+").").
		Ev("client_cannot_tell", "the server answers the same for a key missing from authorized_keys, an authorized_keys file it ignores (StrictModes, owner, SELinux), and an account that does not exist or may not log in; only the server's log tells them apart")
	var firstPub string
	for _, o := range list {
		if o.result == sshwire.QueryRejected && o.kf != nil {
			firstPub = o.kf.Path
			if o.kf.PublicFrom != "file" {
				firstPub += ".pub"
			}
			break
		}
	}
	fp := catalog.Params{"user": s.User, "pub_key": firstPub, "ssh_args": r.sshArgs(), "copy_id_args": r.copyIDArgs()}
	for _, o := range list {
		if o.extra && o.result == sshwire.QueryAccepted {
			f.Ev("accepted_but_not_offered", o.describe())
			if _, set := fp["other_key_opts"]; set {
				continue
			}
			if o.kf != nil {
				fp["other_key_opts"] = "-o IdentitiesOnly=yes -i " + shellQuote(o.kf.Path)
			} else {
				fp["other_key_opts"] = "-o IdentitiesOnly=no"
			}
		}
	}
	f.Arg("hostname", s.Hostname).AddFixes(fp)
	return diag.Conclude(nil, append(findings, f)...)
}

func errString(err error) string {
	if err == nil {
		return "no answer"
	}
	return err.Error()
}

func firstNonEmptyStr(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

func withoutPath(fs []*diag.Finding, path string) []*diag.Finding {
	var out []*diag.Finding
	for _, f := range fs {
		if f.Args["path"] != path {
			out = append(out, f)
		}
	}
	return out
}

// userSource says where the login name comes from: the most common cause
// of a refused key is logging in as the wrong user.
func (r *Run) userSource(s *Settings) string {
	local, _, _ := localUser()
	switch {
	case r.opts.User != "":
		return s.User + " (given on the command line)"
	case s.User == local:
		return s.User + " (your local account name: neither user@ nor a User line in ssh config)"
	default:
		return s.User + " (from your ssh config's User line)"
	}
}

// tooManyFixes: offer only the accepted key.
func (r *Run) tooManyFixes(f *diag.Finding, s *Settings, o *offer) {
	fp := catalog.Params{"ssh_args": r.sshArgs(), "config_host": r.opts.Host}
	if o.kf != nil {
		fp["key_path"], fp["config_identity"] = o.kf.Path, o.kf.Path
	} else {
		// An agent key with no file: save its public half, name it.
		pub := "~/.ssh/" + safeName(o.label) + ".pub"
		fp["agent_key"], fp["key_path"], fp["config_identity"] = o.key.Base64(), pub, pub
	}
	f.AddFixes(fp)
}

func safeName(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "agent_key"
	}
	return b.String()
}

// reconnect opens another connection to go on testing keys after the
// server disconnected (MaxAuthTries): same address, same algorithms, and
// the same host key, or it stops.
func (r *Run) reconnect(ctx context.Context, sess *session, hk *HostKeyResult) (*sshwire.Probe, sshwire.AuthState, error) {
	kr := hk.Kex
	b := kr.Banner
	dctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	var conn net.Conn
	var err error
	if sess.redial != nil {
		conn, err = sess.redial(dctx)
	} else {
		conn, err = r.dial(dctx, b.Addr)
	}
	cancel()
	if err != nil {
		return nil, sshwire.AuthState{}, err
	}
	id := sshwire.Exchange(conn, r.opts.Timeout, sshwire.DefaultMaxBytes)
	if id.Outcome != sshwire.OutcomeOK {
		conn.Close()
		return nil, sshwire.AuthState{}, errors.New("the server did not identify itself (" + string(id.Outcome) + ")")
	}
	s := b.Settings
	probe := sshwire.StartProbe(conn, id, sshwire.ProbeConfig{User: s.User, Addr: b.Addr, Proposal: kr.Proposal, StepTimeout: r.opts.Timeout})
	key, err := probe.HostKey(ctx)
	if err != nil {
		probe.Close()
		return nil, sshwire.AuthState{}, err
	}
	if string(key.Blob) != string(hk.Key.Blob) {
		probe.Close()
		return nil, sshwire.AuthState{}, errors.New("the server presented a different host key (" + key.Fingerprint + ") on the next connection")
	}
	probe.AcceptHostKey()
	st, err := probe.Methods(ctx)
	if err != nil {
		probe.Close()
		return nil, sshwire.AuthState{}, err
	}
	r.authAttempts.Add(1)
	return probe, st, nil
}

// authClosed reports a connection that ended before authentication could
// start.
func (r *Run) authClosed(s *Settings, hk *HostKeyResult, err error, probe *sshwire.Probe) *diag.Finding {
	f := diag.NewFinding("auth.closed").Arg("host", s.Hostname).Ev("error", err.Error())
	if _, msg, ok := sshwire.Disconnect(err); ok {
		f.Ev("server_said", diag.Quote([]byte(msg), 200))
	}
	for _, b := range probe.Banners() {
		f.Ev("banner", diag.Quote([]byte(b), 400))
	}
	_, port, _ := net.SplitHostPort(hk.Kex.Banner.Addr)
	return f.Arg("hostname", s.Hostname).
		Fix("fix.sshd_logs", "sudo journalctl -u ssh -u sshd -t sshd -t sshd-session --since '-10min' --no-pager | tail -50").
		Fix("fix.sshdoctor_server", "sudo sshdoctor server --port "+port)
}
