package sshlog

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
)

// clientOutcome is what a client transcript says, in causal order.
type clientOutcome struct {
	findings []*diag.Finding
	timeline *diag.Finding
	// success is true when the transcript shows a finished login.
	success bool
}

// decideClient turns the hits of one ssh (or gcloud) transcript into
// findings in causal order: the first error is the decisive one. A problem
// ssh recovered from (one address refused, a key rejected before another
// was accepted, a key file ignored before a successful login) becomes a
// warning.
func decideClient(c *clientFacts, loc locator) clientOutcome {
	var out clientOutcome
	add := func(f *diag.Finding) { out.findings = append(out.findings, f) }
	ev := func(f *diag.Finding, h *hit) *diag.Finding {
		if h != nil {
			lineEv(f, loc, h.n, h.text)
		}
		return f
	}

	success := c.has("authenticated", "exit_status", "interactive", "transferred", "vagrant_ready")
	out.success = success
	authFailed := c.has("denied", "disconnect_too_many", "no_more_methods", "auth_failed", "gc_not_propagated")
	unknown := c.last("proxy_unknown")
	// Lines before "Connection closed by UNKNOWN port 65535" came from the
	// proxy (the inner ssh of ProxyJump, or the ProxyCommand program).
	viaProxy := func(h *hit) bool { return h != nil && unknown != nil && h.n < unknown.n }
	proxyNote := func(f *diag.Finding, h *hit) {
		if viaProxy(h) {
			f.Ev("via", "ProxyJump/ProxyCommand")
		}
	}

	// 1. The client's own configuration.
	if h := c.first("config_perm"); h != nil {
		f := diag.NewFinding("perm.ssh_config").Arg("path", quoteText(h.m[1])).Arg("file", quoteText(h.m[1]))
		fp := params("file", h.m[1])
		if windowsPath(h.m[1]) || c.windowsText() {
			fp = params(catalog.ParamOS, catalog.OSWindows, "file", winPath(h.m[1]))
		}
		ev(f, h).AddFixes(fp)
		add(f)
	}
	if h := c.first("config_bad", "config_other"); h != nil {
		f := diag.NewFinding("config.client_error")
		if h.rule == "config_bad" || len(h.m) > 3 {
			f.Arg("file", quoteText(h.m[1])).Arg("line", h.m[2]).Arg("detail", quoteText(h.m[len(h.m)-1])).Arg("message", quoteText(h.m[len(h.m)-1]))
		} else {
			f.Arg("file", "?").Arg("line", "?").Arg("detail", quoteText(h.m[1])).Arg("message", quoteText(h.m[1]))
		}
		ev(f, h)
		if t := c.first("config_terminating"); t != nil {
			ev(f, t)
		}
		if h.rule == "config_bad" || len(h.m) > 3 {
			f.AddFixes(params("file", h.m[1], "line", h.m[2]))
		} else {
			f.AddFixes(nil)
		}
		add(f)
	}

	// 2. Google Cloud's tunnel and API errors come before ssh's own lines:
	// gcloud's IAP tunnel is ssh's ProxyCommand.
	gcloudFindings(c, loc, add)

	// 3. Name resolution.
	if h := c.first("dns", "dns_canon"); h != nil {
		host := h.m[1]
		code := "dns.nxdomain"
		msg := ""
		if h.rule == "dns" {
			msg = h.m[2]
			if strings.Contains(msg, "Temporary failure") || msg == "Try again" {
				code = "dns.tempfail"
			}
		}
		f := diag.NewFinding(code).Arg("host", quoteText(host)).Arg("hostname", quoteText(host)).Arg("error", quoteText(msg))
		ev(f, h)
		proxyNote(f, h)
		f.AddFixes(params(catalog.ParamOS, c.os(), "hostname", host))
		add(f)
	}

	// 4. TCP: the final "connect to host" line is fatal; per-address
	// failures followed by a connection are warnings.
	if h := c.last("connect_host"); h != nil {
		add(tcpFinding(h, h.m[1], h.m[2], h.m[3], loc, diag.SevError, viaProxy(h)))
	}
	if c.has("established") || success {
		for _, h := range c.all("connect_addr") {
			if c.after("established", h.n) != nil {
				add(tcpFinding(h, h.m[1], h.m[2], h.m[3], loc, diag.SevWarning, viaProxy(h)))
			}
		}
	}

	// 5. What a jump host reports when it cannot reach the target.
	for _, h := range c.all("channel_failed") {
		stdio := c.after("stdio_failed", h.n)
		if stdio == nil && !(h.m[1] == "0" && unknown != nil) {
			continue // a -L/-R forward: handled with the session
		}
		f := fwdFinding(h, c, loc)
		if stdio != nil {
			ev(f, stdio)
		}
		add(f)
	}
	// A ProxyCommand that could not run.
	if unknown != nil {
		if h := c.before("shell_error", unknown.n); h != nil {
			f := diag.NewFinding("proxy.command_failed").Arg("program", quoteText(h.m[1]))
			ev(f, h)
			if p := c.last("proxy_exec"); p != nil {
				f.Ev("proxy_command", quoteText(p.m[1]))
			}
			f.AddFixes(params(catalog.ParamOS, c.os(), "program", h.m[1]))
			add(f)
		}
	}

	// 6. Host key problems of the jump host (inner ssh) show up before the
	// proxy line; those of the target after the banner. Both are handled
	// by the host-key step below, in line order.

	// 7. The banner exchange.
	later := c.has("remote_version", "negotiate", "changed_banner", "changed_strict", "unknown_strict",
		"verify_failed", "denied", "disconnect_too_many", "authenticated", "nologin", "expired",
		"pam_nologin", "server_hostkey", "can_continue", "load_key", "too_open")
	bannerDone := false
	if unknown != nil {
		f := diag.NewFinding("proxy.failed")
		for _, rule := range []string{"id_closed", "id_reset"} {
			if h := c.before(rule, unknown.n); h != nil {
				ev(f, h)
			}
		}
		ev(f, unknown)
		jump := ""
		if p := c.last("proxy_jump_set"); p != nil {
			f.Ev("proxy_jump", quoteText(p.m[1]))
			fields := strings.Fields(p.m[1])
			if len(fields) > 0 {
				jump = fields[len(fields)-1]
			}
		} else if p := c.last("proxy_exec"); p != nil {
			f.Ev("proxy_command", quoteText(p.m[1]))
		}
		// Unrecognised lines printed before the end are the proxy's own words.
		for _, l := range c.lines {
			if l.n < unknown.n && !c.recognised(l.n) && strings.TrimSpace(l.text) != "" {
				f.Ev("proxy_output", loc(l.n)+": "+quoteText(l.text))
			}
		}
		if jump != "" {
			f.Fix("fix.explain_test_jump", cmd("ssh -v %s true", jump))
		} else {
			f.Fix("fix.explain_test_jump", "")
		}
		add(f)
		bannerDone = true
	}
	// A jump whose inner ssh refused its -W target, or a ProxyCommand
	// program that failed, ended the connection itself: the server said
	// nothing (proxy.stdio_spec, proxy.tool_failed).
	if !bannerDone && !proxyEndedEarly(c) {
		if f := bannerFinding(c, loc, later); f != nil {
			add(f)
		}
	}

	// 8. Key exchange.
	if h := c.first("negotiate"); h != nil {
		code := map[string]string{"key exchange method": "kex.no_kex_alg", "host key type": "kex.no_hostkey_alg",
			"cipher": "kex.no_cipher", "MAC": "kex.no_mac"}[h.m[3]]
		f := diag.NewFinding(code)
		ev(f, h)
		port, _ := strconv.Atoi(h.m[2])
		kexFinding(f, code, h.m[4], h.m[1], port, kexClient)
		add(f)
	}
	if h := c.first("bad_hostkey_len"); h != nil {
		f := diag.NewFinding("kex.bad_hostkey_len")
		ev(f, h).AddFixes(nil)
		add(f)
	}

	// 9. Host key.
	hostKeyFindings(c, loc, add, proxyNote)

	// 10. Local key files: decisive when authentication then failed.
	keySev := diag.SevWarning
	if authFailed && !success {
		keySev = diag.SevError
	}
	for _, h := range c.all("too_open") {
		add(keyPermFinding(h, h.m[2], h.m[1], c, loc, keySev))
	}
	for _, h := range c.all("too_open_win") {
		add(keyPermFinding(h, h.m[1], "", c, loc, keySev))
	}
	for _, h := range c.all("legacy_badperm") {
		add(keyPermFinding(h, h.m[1], "", c, loc, keySev))
	}
	for _, h := range c.all("load_key") {
		reason := h.m[2]
		if reason == "bad permissions" {
			continue // reported with its "too open" lines
		}
		if reason == "invalid format" || reason == "error in libcrypto" || strings.Contains(reason, "unsupported") {
			p := h.m[1]
			f := diag.NewFinding("key.invalid_format").Sev(keySev).Arg("path", quoteText(p)).Arg("reason", quoteText(reason))
			ev(f, h)
			keyFormatFix(f, p, c.windowsText(), c.destArgs())
			add(f)
		}
	}
	for _, h := range append(c.all("id_not_accessible"), c.all("no_such_identity")...) {
		f := diag.NewFinding("key.missing").Sev(keySev).Arg("path", quoteText(h.m[1]))
		ev(f, h).AddFixes(params("key_dir", dirOf(h.m[1])))
		add(f)
	}

	// 11. Authentication.
	authFindings(c, loc, add, success)

	// 12. After login.
	sessionFindings(c, loc, add)

	// 13. Other clients' and tools' words for the same causes.
	have := func(prefixes ...string) bool {
		for _, f := range out.findings {
			if f.Severity != diag.SevError {
				continue
			}
			for _, p := range prefixes {
				if strings.HasPrefix(f.Code, p) {
					return true
				}
			}
		}
		return false
	}
	for _, f := range familyFindings(c, loc, success, have) {
		out.findings = insertFinding(out.findings, f)
	}
	for _, f := range lsmFindings(c, loc) {
		out.findings = insertFinding(out.findings, f)
	}
	for _, f := range keyFallbackFindings(c, loc, success, have) {
		out.findings = insertFinding(out.findings, f)
	}
	for _, f := range heldoutFindings(c, loc, success, have) {
		out.findings = insertFinding(out.findings, f)
	}
	forgeTCPFixes(c, out.findings)

	out.timeline = timeline(c, loc)
	return out
}

// insertFinding puts f before the first finding of its causal stage or a
// later one: what breaks earlier on ssh's path explains what follows.
func insertFinding(list []*diag.Finding, f *diag.Finding) []*diag.Finding {
	st := stage(f.Code)
	for i, g := range list {
		if stage(g.Code) >= st {
			list = append(list, nil)
			copy(list[i+1:], list[i:])
			list[i] = f
			return list
		}
	}
	return append(list, f)
}

func dirOf(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i > 0 {
		return p[:i]
	}
	return "."
}

func tcpFinding(h *hit, host, port, errText string, loc locator, sev diag.Severity, proxied bool) *diag.Finding {
	code := ""
	low := strings.ToLower(errText)
	switch {
	case strings.Contains(low, "connection refused"):
		code = "tcp.refused"
	case strings.Contains(low, "timed out") || strings.Contains(low, "did not properly respond") || strings.Contains(low, "i/o timeout"):
		code = "tcp.timeout"
	case strings.Contains(low, "no route to host"):
		code = "tcp.no_route"
	case strings.Contains(low, "network is unreachable"):
		code = "tcp.net_unreachable"
	default:
		code = "tcp.refused"
	}
	f := diag.NewFinding(code).Sev(sev).Arg("host", orWords(host)).Arg("port", firstNonEmpty(port, catalog.Unseen)).Arg("address", orWords(host)).Arg("addr", orWords(host)).Arg("hostname", orWords(host))
	lineEv(f, loc, h.n, h.text)
	f.Ev("error", quoteText(errText))
	if proxied {
		f.Ev("via", "ProxyJump/ProxyCommand")
	}
	p := params("port", port, "address", host)
	if port != "" && port != "22" && host != "" {
		p["args_port_22"] = "-p 22 " + catalog.ShellQuote(host)
		if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil && (a.IsPrivate() || a.IsLinkLocalUnicast()) {
			p["lan_forward"] = "yes"
		}
	}
	if strings.Contains(host, ":") {
		p["ipv6"] = "yes"
	}
	f.AddFixes(p)
	return f
}

// sessionRefusedToo is said when "channel 0: open failed: connect failed:
// open failed" stands without a forward around it.
const sessionRefusedToo = "the server refused the session itself (sshd says the same when MaxSessions is 0 for this user, as for accounts kept for forwarding)"

func fwdFinding(h *hit, c *clientFacts, loc locator) *diag.Finding {
	code := "fwd.connect_failed"
	if h.m[2] == "administratively prohibited" {
		code = "fwd.prohibited"
	}
	target := ""
	if p := c.before("proxy_exec", h.n); p != nil {
		// exec ssh … -W '[127.0.0.1]:46521' jump
		if i := strings.Index(p.m[1], " -W "); i >= 0 {
			target = strings.Trim(strings.Fields(p.m[1][i+4:])[0], `'"`)
		}
	}
	f := diag.NewFinding(code).Arg("target", orUnknown(strings.NewReplacer("[", "", "]", "").Replace(target))).Arg("reason", quoteText(h.m[3]))
	lineEv(f, loc, h.n, h.text)
	if h.m[3] != "" {
		f.Ev("reason", quoteText(h.m[3]))
	}
	if code == "fwd.prohibited" {
		f.Fix("fix.explain_server_forwarding", "sudo sshd -T | grep -i -E '^(allowtcpforwarding|disableforwarding|permitopen)'")
		return f
	}
	if hh, pp, ok := hostPort(target); ok {
		f.Fix("fix.explain_test_target", cmd("nc -vz -w 5 %s %s", hh, pp))
	} else {
		f.Fix("fix.explain_test_target", "")
	}
	if target == "" && h.m[1] == "0" && h.m[3] == "open failed" && !c.has("stdio_failed", "proxy_exec") {
		// OpenSSH's sshd answers the same words when it refuses the
		// session channel itself (MaxSessions 0 for the user): without a
		// forward in the text, both stay possible.
		f.Ev("also_possible", sessionRefusedToo)
		f.Fix("fix.session_max_sessions", "sudo sshd -T -C user=USER,host=CLIENT_IP,addr=CLIENT_IP | grep -i '^maxsessions'")
	}
	return f
}

// identifyProtocol names a protocol from the first line a server sent.
func identifyProtocol(s string) string {
	u := strings.ToUpper(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(u, "HTTP/"), strings.HasPrefix(u, "<HTML"), strings.HasPrefix(u, "<!DOCTYPE"):
		return "HTTP"
	case strings.HasPrefix(u, "220") && strings.Contains(u, "FTP"):
		return "FTP"
	case strings.HasPrefix(u, "220") && (strings.Contains(u, "SMTP") || strings.Contains(u, "MAIL")):
		return "SMTP"
	case strings.HasPrefix(u, "+OK"):
		return "POP3"
	case strings.HasPrefix(u, "* OK"):
		return "IMAP"
	case strings.HasPrefix(u, "RFB "):
		return "VNC (RFB)"
	}
	return ""
}

func bannerFinding(c *clientFacts, loc locator, later bool) *diag.Finding {
	lineAll := func(f *diag.Finding, rules ...string) {
		for _, r := range rules {
			for _, h := range c.all(r) {
				lineEv(f, loc, h.n, h.text)
			}
		}
	}
	hostPortOf := func(rules ...string) (string, string) {
		for _, r := range rules {
			if h := c.first(r); h != nil && len(h.m) > 2 {
				return h.m[1], h.m[2]
			}
		}
		if h := c.first("connecting"); h != nil {
			return h.m[2], h.m[3]
		}
		return "?", "?"
	}
	withArgs := func(f *diag.Finding, host, port string) *diag.Finding {
		return f.Arg("host", quoteText(host)).Arg("port", port).Arg("address", quoteText(host)).Arg("addr", quoteText(host)).Arg("hostname", quoteText(host))
	}
	// Text a server sent before (instead of) its SSH banner.
	preBanner := c.all("banner_line")
	throttle := ""
	proto := ""
	for _, b := range preBanner {
		t := b.m[2]
		if strings.Contains(t, "Exceeded MaxStartups") || strings.Contains(t, "Not allowed at this time") {
			throttle = t
		} else if p := identifyProtocol(t); p != "" && proto == "" {
			proto = p
		}
	}
	switch {
	case c.has("proto_differ", "proto_read"):
		host, port := hostPortOf("proto_read")
		f := withArgs(diag.NewFinding("banner.protocol1"), host, port)
		if h := c.first("proto_differ"); h != nil {
			f.Arg("line", quoteText(h.text))
		}
		lineAll(f, "proto_differ", "proto_read")
		f.AddFixes(nil)
		return f
	case c.has("banner_timeout", "conn_timeout") && !later:
		host, port := hostPortOf("conn_timeout")
		f := withArgs(diag.NewFinding("banner.timeout"), host, port)
		lineAll(f, "banner_timeout", "conn_timeout")
		p := params("port", port)
		if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil && a.IsLoopback() {
			p["local_forward"] = "yes"
		}
		f.AddFixes(p)
		return f
	case c.has("invalid_chars", "bad_version", "invalid_format", "no_version", "too_long") || (proto != "" && !later):
		host, port := hostPortOf("invalid_format", "closed_by", "reset_by")
		if proto == "" {
			if h := c.first("bad_version"); h != nil {
				proto = identifyProtocol(h.m[1])
			}
		}
		if proto == "" {
			proto = "?"
		}
		f := withArgs(diag.NewFinding("banner.not_ssh"), host, port).Arg("protocol", proto)
		lineAll(f, "banner_line", "invalid_chars", "bad_version", "no_version", "too_long", "invalid_format", "closed_by", "reset_by")
		f.AddFixes(params("port", port, "protocol", proto))
		return f
	case later:
		return nil
	case throttle != "":
		host, port := hostPortOf("closed_by", "reset_by")
		f := withArgs(diag.NewFinding("banner.throttled"), host, port)
		lineAll(f, "banner_line", "id_closed", "id_reset", "closed_by", "reset_by")
		f.Ev("server_said", quoteText(throttle))
		f.Arg("said", quoteText(throttle))
		f.AddFixes(params("port", port))
		return f
	case c.has("id_reset", "reset_by"):
		host, port := hostPortOf("reset_by")
		f := withArgs(diag.NewFinding("banner.reset"), host, port)
		lineAll(f, "id_reset", "reset_by")
		f.AddFixes(params("port", port))
		return f
	case c.has("id_closed", "closed_by"):
		host, port := hostPortOf("closed_by")
		f := withArgs(diag.NewFinding("banner.closed"), host, port)
		lineAll(f, "id_closed", "closed_by")
		f.AddFixes(params("port", port))
		return f
	}
	return nil
}

func hostKeyFindings(c *clientFacts, loc locator, add func(*diag.Finding), proxyNote func(*diag.Finding, *hit)) {
	// Evidence lines are gathered per finding and written in line order.
	pending := map[*diag.Finding][]*hit{}
	ev := func(f *diag.Finding, h *hit) {
		if h != nil {
			pending[f] = append(pending[f], h)
		}
	}
	add0 := add
	add = func(f *diag.Finding) {
		hs := pending[f]
		sort.Slice(hs, func(i, j int) bool { return hs[i].n < hs[j].n })
		var lines []diag.Evidence
		seen := map[int]bool{}
		for _, h := range hs {
			if !seen[h.n] {
				seen[h.n] = true
				lines = append(lines, diag.Evidence{Key: "line", Value: loc(h.n) + ": " + quoteText(h.text)})
			}
		}
		f.Evidence = append(lines, f.Evidence...)
		add0(f)
	}
	switch {
	case c.has("revoked_banner", "revoked"):
		h := c.first("revoked", "revoked_banner")
		f := diag.NewFinding("hostkey.revoked")
		host := "?"
		if h.rule == "revoked" {
			host = firstNonEmpty(h.m[2], h.m[4])
		}
		f.Arg("host", quoteText(host))
		ev(f, h)
		ev(f, c.first("verify_failed"))
		f.AddFixes(nil)
		add(f)
		return
	case c.has("changed_banner", "changed_strict"):
		f := diag.NewFinding("hostkey.changed")
		ev(f, c.first("changed_banner", "changed_strict"))
		host, file, line, ktype, fp := "", "", "", "", ""
		if h := c.first("changed_strict"); h != nil {
			host, ktype = h.m[2], h.m[1]
			ev(f, h)
		}
		if h := c.first("offending"); h != nil {
			ktype, file, line = h.m[1], h.m[2], h.m[3]
			ev(f, h)
		}
		if h := c.first("fp_header"); h != nil {
			ktype = h.m[1]
			if fph := c.after("fp", h.n); fph != nil {
				fp = fph.m[1]
			}
		}
		if h := c.first("keygen_cmd"); h != nil {
			file = firstNonEmpty(h.m[1], h.m[2], h.m[3])
			host = firstNonEmpty(h.m[4], h.m[5], h.m[6])
		}
		if h := c.first("add_correct"); h != nil && file == "" {
			file = h.m[1]
		}
		ev(f, c.first("verify_failed"))
		for _, h := range c.all("mitm_disabled") {
			ev(f, h)
		}
		f.Arg("host", orUnknown(host)).Arg("file", orUnknown(file)).Arg("key_type", orUnknown(ktype))
		if file != "" && line != "" {
			f.Ev("known_hosts", quoteText(file+":"+line))
		}
		if fp != "" {
			f.Ev("new_fingerprint", quoteText(fp))
		}
		f.AddFixes(params("hostkey_type", hostKeyFileType(ktype), "host", host, "known_hosts", file))
		add(f)
	case c.has("unknown_strict", "verify_failed"):
		h := c.first("unknown_strict")
		f := diag.NewFinding("hostkey.unknown")
		host, ktype := "", ""
		if h != nil {
			ktype, host = h.m[1], h.m[2]
			ev(f, h)
		}
		vf := c.first("verify_failed")
		ev(f, vf)
		proxyNote(f, vf)
		if s := c.last("server_hostkey"); s != nil {
			f.Ev("host_key", quoteText(s.m[1]+" "+s.m[2]))
		}
		f.Arg("host", orUnknown(host)).Arg("key_type", orUnknown(ktype))
		user := ""
		if a := c.last("authenticating_to"); a != nil {
			user = a.m[2]
		}
		f.AddFixes(params("hostkey_type", hostKeyFileType(ktype), "host", host, "ssh_args", sshArgs(user, host)))
		add(f)
	}
	if h := c.first("ip_differs"); h != nil {
		f := diag.NewFinding("hostkey.ip_mismatch").Arg("host", quoteText(h.m[2])).Arg("address", quoteText(h.m[3]))
		ev(f, h)
		file := ""
		if o := c.first("offending_ip"); o != nil {
			ev(f, o)
			file = o.m[1]
		}
		f.AddFixes(params("address", h.m[3], "known_hosts", file))
		add(f)
	} else if h := c.first("dns_spoof"); h != nil {
		f := diag.NewFinding("hostkey.ip_mismatch").Arg("host", "?").Arg("address", "?")
		ev(f, h)
		f.AddFixes(nil)
		add(f)
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func keyPermFinding(h *hit, p, mode string, c *clientFacts, loc locator, sev diag.Severity) *diag.Finding {
	f := diag.NewFinding("perm.private_key_too_open").Sev(sev).Arg("path", quoteText(p)).Arg("mode", orUnknown(mode))
	lineEv(f, loc, h.n, h.text)
	for _, l := range c.all("load_key") {
		if l.m[1] == p && l.n > h.n {
			lineEv(f, loc, l.n, l.text)
			break
		}
	}
	// With -v: the server had accepted this very key before ssh dropped it.
	for _, a := range c.all("accepts") {
		if strings.HasPrefix(a.m[1], p+" ") && a.n < h.n {
			f.Ev("server_accepts_this_key", loc(a.n)+": "+quoteText(a.text))
		}
	}
	fp := params("path", p)
	switch {
	case strings.HasSuffix(p, ".pub"):
		fp["private_key"] = strings.TrimSuffix(p, ".pub")
	case mode == "" && (strings.Contains(p, `\`) || strings.Contains(p, ":/") || strings.Contains(p, `:\`)):
		// Windows: icacls in PowerShell syntax, never chmod.
		fp[catalog.ParamOS] = catalog.OSWindows
	}
	f.AddFixes(fp)
	return f
}

func authFindings(c *clientFacts, loc locator, add func(*diag.Finding), success bool) {
	ev := func(f *diag.Finding, h *hit) {
		if h != nil {
			lineEv(f, loc, h.n, h.text)
		}
	}
	denied := c.last("denied")
	user, host, portOpt := c.dest()
	offered := c.all("offering")
	keyList := func(f *diag.Finding) {
		for _, o := range offered {
			res := "rejected"
			if c.accepted(o.m[1]) {
				res = "accepted"
			}
			f.Ev("offered", loc(o.n)+": "+quoteText(o.m[1])+" ("+res+")")
		}
		for _, t := range c.all("trying_private") {
			f.Ev("tried", loc(t.n)+": "+quoteText(t.m[1]))
		}
	}
	firstKey := ""
	if len(offered) > 0 {
		firstKey = strings.Fields(offered[0].m[1])[0]
	} else if t := c.first("trying_private"); t != nil {
		firstKey = t.m[1]
	}

	if h := c.first("no_mutual", "no_mutual_test"); h != nil && !success {
		f := diag.NewFinding("auth.no_mutual_sig").Arg("host", orUnknown(host))
		ev(f, h)
		ev(f, denied)
		f.AddFixes(params("ssh_args", destArgs(portOpt, user, host)))
		add(f)
	}
	if h := c.first("disconnect_too_many"); h != nil {
		f := diag.NewFinding("auth.too_many_failures").Arg("host", quoteText(h.m[1])).Arg("offered", strconv.Itoa(len(offered)))
		ev(f, h)
		ev(f, c.after("disconnected_from", h.n))
		keyList(f)
		// Keys ssh meant to offer but never reached.
		var notReached []string
		for _, w := range c.all("will_attempt") {
			id := w.m[1]
			reached := false
			for _, o := range offered {
				if o.m[1] == id {
					reached = true
				}
			}
			if !reached {
				notReached = append(notReached, id)
				f.Ev("not_reached", loc(w.n)+": "+quoteText(id))
			}
		}
		key := ""
		if len(notReached) > 0 {
			key = strings.Fields(notReached[0])[0]
		}
		dest := host
		if dest == "" || dest == "?" {
			dest = h.m[1]
		}
		f.AddFixes(params("ssh_args", destArgs(portOpt, user, dest), "key_path", key, "config_identity", key, "config_host", dest))
		add(f)
	}
	if denied == nil || success {
		return
	}
	methods := denied.m[3]
	switch {
	case !strings.Contains(methods, "publickey"):
		f := diag.NewFinding("auth.methods_mismatch").Arg("methods", quoteText(methods)).Arg("host", orUnknown(host))
		ev(f, denied)
		f.AddFixes(params("sshd_spec", sshdSpec(user)))
		add(f)
	case c.has("denied_retry"):
		f := diag.NewFinding("auth.password_denied").Arg("user", orUnknown(user)).Arg("host", orUnknown(host)).Arg("method", "password")
		ev(f, c.first("denied_retry"))
		ev(f, denied)
		if user == "root" {
			f.Fix("fix.explain_root_login", "sudo sshd -T | grep -i '^permitrootlogin'")
		}
		f.Fix("fix.explain_password_check", cmd("sudo passwd -S %s", user))
		add(f)
	case c.has("identity_file", "will_attempt", "next_method") && len(offered) == 0 && !c.has("trying_private"):
		f := diag.NewFinding("auth.no_keys").Arg("user", orUnknown(user)).Arg("host", orUnknown(host))
		ev(f, denied)
		for _, i := range c.all("identity_file") {
			if i.m[2] == "-1" && !strings.HasSuffix(i.m[1], "-cert") {
				f.Ev("missing", loc(i.n)+": "+quoteText(i.m[1]))
			}
		}
		f.AddFixes(params("copy_id_args", destArgs(portOpt, user, host)))
		add(f)
	default:
		f := diag.NewFinding("auth.publickey_denied").Arg("user", orUnknown(user)).Arg("host", orUnknown(host)).Arg("methods", quoteText(methods))
		ev(f, denied)
		keyList(f)
		pub := ""
		if firstKey != "" {
			pub = firstKey + ".pub"
			if strings.HasSuffix(firstKey, ".pub") {
				pub = firstKey
			}
		}
		p := params("user", user, "pub_key", pub, "ssh_args", destArgs(portOpt, user, host), "copy_id_args", destArgs(portOpt, user, host))
		if c.has("gc_error", "gc_not_propagated", "gc_exit255") && methods == "publickey,keyboard-interactive" {
			p["gcp_windows"] = "yes"
		}
		f.AddFixes(p)
		add(f)
	}
}

func sessionFindings(c *clientFacts, loc locator, add func(*diag.Finding)) {
	ev := func(f *diag.Finding, h *hit) {
		if h != nil {
			lineEv(f, loc, h.n, h.text)
		}
	}
	user := ""
	if a := c.last("authenticating_to"); a != nil {
		user = a.m[2]
	}
	closedAfter := func(f *diag.Finding, h *hit) {
		if cl := c.after("closed_by", h.n); cl != nil {
			ev(f, cl)
		}
	}
	if h := c.first("nologin"); h != nil {
		f := diag.NewFinding("session.nologin_shell").Arg("user", orUnknown(user))
		ev(f, h)
		if e := c.last("exit_status"); e != nil {
			ev(f, e)
		}
		f.AddFixes(params("user", user))
		add(f)
	}
	if h := c.first("expired"); h != nil {
		f := diag.NewFinding("session.account_expired").Arg("user", orUnknown(user))
		ev(f, h)
		closedAfter(f, h)
		f.AddFixes(params("user", user))
		add(f)
	}
	if h := c.first("pam_nologin"); h != nil {
		f := diag.NewFinding("session.pam_nologin")
		ev(f, h)
		closedAfter(f, h)
		f.AddFixes(nil)
		add(f)
	}
	for _, h := range c.all("channel_failed") {
		if c.after("stdio_failed", h.n) != nil || (h.m[1] == "0" && c.has("proxy_unknown")) {
			continue
		}
		add(fwdFinding(h, c, loc))
	}
	if h := c.first("rfwd_failed"); h != nil {
		f := diag.NewFinding("fwd.remote_listen_failed").Arg("port", h.m[2])
		ev(f, h)
		f.Fix("fix.explain_port_holder", "sudo ss -ltnp 'sport = :"+h.m[2]+"'")
		add(f)
	}
	if c.has("listen_failed", "local_fwd_failed") {
		port := ""
		if b := c.first("bind_failed"); b != nil {
			port = b.m[2]
		}
		if l := c.first("listen_failed"); l != nil {
			port = l.m[1]
		}
		f := diag.NewFinding("fwd.local_listen_failed").Arg("port", orUnknown(port))
		for _, r := range []string{"bind_failed", "listen_failed", "local_fwd_failed"} {
			ev(f, c.first(r))
		}
		if _, err := strconv.Atoi(port); err == nil {
			f.Fix("fix.explain_local_port_holder", "ss -ltnp 'sport = :"+port+"'")
		}
		add(f)
	}
	if h := c.first("broken_pipe"); h != nil {
		f := diag.NewFinding("session.broken_pipe")
		ev(f, h)
		f.Fix("fix.session_keepalive", "ssh -o ServerAliveInterval=30 -o ServerAliveCountMax=3 HOST")
		add(f)
	}
	if h := c.first("keepalive"); h != nil {
		f := diag.NewFinding("session.keepalive_timeout").Arg("host", quoteText(h.m[1]))
		ev(f, h)
		f.Fix("fix.session_check_path", cmd("ping -c 3 %s", h.m[1]))
		add(f)
	}
	if h := c.first("closed_remote"); h != nil && !c.has("broken_pipe", "keepalive", "nologin") {
		f := diag.NewFinding("session.closed").Arg("host", quoteText(h.m[1])).Arg("hostname", quoteText(h.m[1]))
		ev(f, h)
		f.AddFixes(params("user", user, "sshd_spec", sshdSpec(user)))
		add(f)
	}
}

// accepted reports whether the server accepted the key identified by id.
func (c *clientFacts) accepted(id string) bool {
	for _, a := range c.all("accepts") {
		if a.m[1] == id {
			return true
		}
	}
	return false
}

// recognised reports whether line n matched a rule.
func (c *clientFacts) recognised(n int) bool {
	for _, h := range c.hits {
		if h.n == n {
			return true
		}
	}
	return false
}

// timeline rebuilds an ssh -v run: connect → identification → key
// exchange → host key → methods → each key offered and the answer →
// result, one evidence entry per step with its line number.
func timeline(c *clientFacts, loc locator) *diag.Finding {
	if !c.has("connecting", "remote_version", "can_continue", "offering", "identity_file") {
		return nil
	}
	f := diag.NewFinding("explain.timeline")
	steps := map[string]string{
		"connecting": "connect", "connect_addr": "connect", "established": "connect", "proxy_jump_set": "proxy",
		"proxy_exec": "proxy", "banner_line": "identification", "remote_version": "identification",
		"kex_alg": "kex", "negotiate": "kex", "server_hostkey": "host_key", "known_matches": "host_key",
		"found_key": "host_key", "unknown_strict": "host_key", "verify_failed": "host_key", "changed_strict": "host_key",
		"can_continue": "methods", "next_method": "methods", "offering": "key", "accepts": "key",
		"trying_private": "key", "skipping": "key", "load_key": "key", "no_more_methods": "auth",
		"authenticated": "auth", "denied": "auth", "disconnect_too_many": "auth", "interactive": "session",
		"exit_status": "session", "channel_failed": "session", "closed_by": "result", "reset_by": "result",
		"proxy_unknown": "result", "connect_host": "result", "nologin": "session",
	}
	for _, h := range c.hits {
		if s, ok := steps[h.rule]; ok {
			f.Ev(s, loc(h.n)+": "+quoteText(h.text))
		}
	}
	return f
}
