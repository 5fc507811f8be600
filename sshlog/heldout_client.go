package sshlog

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
)

// heldoutClientRules are further words of clients and the tools around
// them, found on texts people pasted that the other tables missed. They
// come after every other table, so that they only take lines nothing else
// took.
func heldoutClientRules() []rule {
	def := []ruleDef{
		// A shell's "not found" in the forms other shells print it: ksh pads
		// with two spaces ("ksh: rsync:  not found"), csh capitalises.
		{"shell_error", `^(?:/\S*/)?(?:ba|da|z|k|c|tc)?sh: (?:line \d+: |\d+: )?(\S+?):\s+(not found|command not found|Command not found\.)$`},
		// The connect failure retold in prose, without ssh's colons
		// ("a `ssh connect to host github.com port 22 connection refused` error").
		{"connect_prose", `\bconnect to (?:host |address )?(\S+?),? port (\d+),?:? ([Cc]onnection refused|[Cc]onnection timed out|[Oo]peration timed out|[Nn]o route to host|[Nn]etwork is unreachable)\b`},
		// WinSCP and newer PuTTY name the host: Network error: Connection to "HOST" refused.
		{"putty_net_host", `[Nn]etwork error: ?[Cc]onnection to ["“”']?(.+?)["“”']? ?(refused|timed out)\.?`},
		// PuTTY, plink, pscp and WinSCP meeting a host key they never stored;
		// in batch mode (git, scripts) plink then gives up.
		{"putty_hostkey_unknown", `(?:The server's host key is not cached(?: in the registry)?|The host key is not cached for this server)`},
		{"putty_abandoned", `^Connection abandoned\.$`},
		{"putty_fp", `^(?:ssh-\S+|ecdsa-\S+) (?:\d+ )?((?:SHA256:|MD5:)?[0-9A-Za-z+/:=]+)\s*$`},
		// The ssh that ProxyJump starts (ssh -W host:port) refusing the
		// target it was given.
		{"stdio_bad_spec", `^Bad stdio forwarding specification '(.*)'$`},
		// A shell's "not found" inside a bracket or parenthesis wrapper.
		{"shell_error", `^[\[(](?:/\S*/)?(?:ba|da|z|k)?sh: (?:line \d+: |\d+: )?(.+?):\s+(not found|command not found)$`},
		// A Node.js tool (VS Code's Remote-SSH) refused a file under .ssh by
		// the system: the file's owner or ACL leaves this user out.
		{"node_ssh_file_denied", `(EPERM|EACCES): (?:operation not permitted|permission denied), open '([^']*\.ssh[\\/][^']+)'`},
		// Azure DevOps (and VSTS before it) refusing every key, in the git
		// protocol's "remote:" lines after the SSH login itself worked.
		{"azdo_key_refused", `^(?:remote:\s*)?Public key authentication failed\.$`},
		// A name with spaces, as a tool passes a whole "Host a b" line
		// (several aliases) to ssh as one name.
		{"dns", `Could not resolve hostname (\S.*?\s.*?\S): (Name or service not known|No such host is known|nodename nor servname provided, or not known|Temporary failure in name resolution|No address associated with hostname)\.?\s*$`},
		// sftp (and scp over sftp) reading the shell's startup output as
		// its first packet: the length is the text's first four bytes.
		{"sftp_too_long", `Received message too long (\d+)`},
		// GitHub refusing an RSA signature made with SHA-1 (old libssh2,
		// JSch, go-git, OpenSSH before 7.2).
		{"forge_rsa_sha1", `You're using an RSA key with SHA-1,? which is no longer allowed`},
		// VS Code Remote-SSH's verdict on its own -D forward.
		{"lib_prohibited", `TCP port forwarding appears to be disabled on the remote host`},
	}
	// The programs people use as a ProxyCommand, saying why they ended
	// ("nc: connection failed, unsupported address type"); one rule per
	// name keeps a literal for the prefilter.
	for _, tool := range []string{"nc", "ncat", "netcat", "socat", "corkscrew", "connect-proxy", "proxytunnel"} {
		q := regexp.QuoteMeta(tool)
		def = append(def, struct{ name, re string }{"proxy_tool", `^` + q + `: (.+)$`},
			struct{ name, re string }{"proxy_tool", `^` + q + `\.exe: (.+)$`})
	}
	return compileRules(def)
}

// heldoutFindings explains the hits of heldoutClientRules, and the
// connection that ends during key exchange.
func heldoutFindings(c *clientFacts, loc locator, success bool, have func(prefixes ...string) bool) []*diag.Finding {
	var out []*diag.Finding
	add := func(f *diag.Finding) { out = append(out, f) }
	ev := func(f *diag.Finding, h *hit) *diag.Finding {
		if h != nil {
			lineEv(f, loc, h.n, h.text)
		}
		return f
	}

	// TCP, retold in prose or in WinSCP's words.
	if !success && !have("tcp.", "dns.", "proxy.") {
		if h := c.last("connect_prose"); h != nil && c.after("established", h.n) == nil {
			add(tcpFinding(h, h.m[1], h.m[2], h.m[3], loc, diag.SevError, false))
		} else if h := c.last("putty_net_host"); h != nil {
			errText := "Connection refused"
			if h.m[2] == "timed out" {
				errText = "Connection timed out"
			}
			add(tcpFinding(h, h.m[1], "", errText, loc, diag.SevError, false))
		}
	}

	// The jump host's ssh would not take its -W target: the proxy ended,
	// and what ssh says next about the server is the proxy's end.
	if h := c.first("stdio_bad_spec"); h != nil && !have("proxy.") {
		f := diag.NewFinding("proxy.stdio_spec").Arg("spec", quoteText(h.m[1]))
		ev(f, h)
		if e := c.after("id_closed", h.n); e != nil {
			ev(f, e)
		} else if e := c.after("proxy_unknown", h.n); e != nil {
			ev(f, e)
		}
		f.AddFixes(params(catalog.ParamOS, c.os()))
		add(f)
	}

	// The ProxyCommand's own program (or the shell running it, here or
	// on a jump host) failed before the server said anything.
	if h := proxyToolEarly(c); h != nil && !have("proxy.") {
		prog := strings.Fields(h.text)[0]
		if h.rule == "shell_error" {
			prog = strings.Fields(h.m[1])[0]
		}
		prog = strings.TrimSuffix(strings.TrimLeft(prog, "[("), ":")
		f := diag.NewFinding("proxy.tool_failed").Arg("program", quoteText(prog)).Arg("said", quoteText(strings.Trim(h.text, "[]()")))
		ev(f, h)
		if e := c.after("id_closed", h.n); e != nil {
			ev(f, e)
		}
		f.AddFixes(params(catalog.ParamOS, c.os()))
		add(f)
	}

	// Azure DevOps names no host, but the wording is its own.
	if h := c.first("azdo_key_refused"); h != nil && !have("auth.") {
		f := diag.NewFinding("auth.publickey_denied").Arg("user", "git").Arg("host", "ssh.dev.azure.com").Arg("methods", "publickey")
		ev(f, h).AddFixes(params(catalog.ParamOS, c.os(), "user", "git"))
		add(f)
	}
	// A tool could not open a file of the person's own .ssh.
	if h := c.first("node_ssh_file_denied"); h != nil && !have("config.", "perm.") {
		file := strings.ReplaceAll(h.m[2], `\\`, `\`)
		f := diag.NewFinding("config.unreadable").Arg("file", quoteText(file)).Arg("error", h.m[1])
		ev(f, h)
		p := params("file", file)
		if windowsPath(file) || c.windowsText() {
			p = params(catalog.ParamOS, catalog.OSWindows, "file", winPath(file))
		}
		f.AddFixes(p)
		add(f)
	}
	// PuTTY's unknown host key.
	if h := c.first("putty_hostkey_unknown"); h != nil && !have("hostkey.") && !success {
		f := diag.NewFinding("hostkey.unknown").Arg("host", orWords("")).Arg("key_type", orWords(""))
		ev(f, h)
		if fp := c.after("putty_fp", h.n); fp != nil {
			ev(f, fp)
			f.Ev("new_fingerprint", quoteText(fp.m[1]))
		}
		ev(f, c.after("putty_abandoned", h.n))
		f.AddFixes(params("putty", "yes"))
		add(f)
	}

	// Text printed by the shell's startup files broke sftp's stream.
	if h := c.first("sftp_too_long"); h != nil && !have("session.") {
		f := diag.NewFinding("session.shell_output").Arg("length", h.m[1])
		ev(f, h)
		if t := sftpLengthText(h.m[1]); t != "" {
			f.Ev("as_text", quoteText(t))
		}
		f.AddFixes(nil)
		add(f)
	}
	// A forge refusing SHA-1 RSA signatures: the client is too old.
	if h := c.first("forge_rsa_sha1"); h != nil && !have("auth.", "kex.") {
		f := diag.NewFinding("auth.forge_rsa_sha1")
		ev(f, h).AddFixes(params(catalog.ParamOS, c.os()))
		add(f)
	}

	// The server identified itself, then closed or reset the connection
	// before its host key arrived: the key exchange never finished.
	if f := kexEndedFinding(c, loc, have); f != nil {
		add(f)
	}
	return out
}

// kexEndedFinding reports a connection the server ended between its
// identification and its host key.
func kexEndedFinding(c *clientFacts, loc locator, have func(prefixes ...string) bool) *diag.Finding {
	rv := c.first("remote_version")
	if rv == nil || have("banner.", "kex.", "proxy.", "hostkey.", "auth.", "tcp.", "dns.", "fwd.") {
		return nil
	}
	end := c.after("reset_by", rv.n)
	if cl := c.after("closed_by", rv.n); end == nil || (cl != nil && cl.n < end.n) {
		end = cl
	}
	if end == nil || c.has("proxy_unknown") {
		return nil
	}
	// Anything from later in the connection means the end came later too.
	for _, r := range []string{"server_hostkey", "known_matches", "negotiate", "can_continue", "denied", "denied_retry",
		"authenticated", "verify_failed", "changed_banner", "unknown_strict", "added", "interactive", "disconnect_other",
		"disconnect_too_many", "no_mutual"} {
		if c.has(r) {
			return nil
		}
	}
	software := strings.TrimSpace(rv.m[2])
	f := diag.NewFinding("kex.closed").Arg("hostname", quoteText(end.m[1])).Arg("software", quoteText(software))
	f.Ev("server_software", quoteText(software))
	lineEv(f, loc, rv.n, rv.text)
	if k := c.last("kex_alg"); k != nil {
		lineEv(f, loc, k.n, k.text)
	}
	lineEv(f, loc, end.n, end.text)
	win := ""
	if strings.Contains(software, "for_Windows") {
		win = "yes"
	}
	f.AddFixes(params("port", end.m[2], "windows_server", win))
	return f
}

// sftpLengthText is the text whose first four bytes sftp read as a packet
// length ("Received message too long 1581461090" is "^[[0;" … of a
// coloured line), when they are printable.
func sftpLengthText(n string) string {
	v, err := strconv.ParseUint(n, 10, 32)
	if err != nil {
		return ""
	}
	b := []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return ""
		}
	}
	return string(b)
}

// wrapCut reports a line that ends where a message of ssh was wrapped by
// a terminal, a mail client or a forum (before "offer:" of "Their offer:",
// the one long message that people paste wrapped).
func wrapCut(line []byte) bool {
	t := bytes.TrimRight(line, " ")
	return bytes.Contains(t, []byte("no matching ")) && !bytes.Contains(t, []byte("offer:")) &&
		(bytes.HasSuffix(t, []byte(" Their")) || bytes.HasSuffix(t, []byte(" found.")) || bytes.HasSuffix(t, []byte(" found")))
}

// joinWrapped joins a line wrapCut reported with the line that continues
// it, or returns ok=false when next does not continue it.
func joinWrapped(held, next []byte) ([]byte, bool) {
	t := bytes.TrimRight(held, " ")
	n := bytes.TrimLeft(next, " ")
	if !(bytes.HasPrefix(n, []byte("offer:")) || bytes.HasPrefix(n, []byte("Their offer:"))) {
		return nil, false
	}
	out := make([]byte, 0, len(t)+1+len(n))
	out = append(append(append(out, t...), ' '), n...)
	return out, true
}

// proxyToolEarly is the line of a ProxyCommand's program (nc, socat…) or
// of the shell that ran it ("bash: nc: command not found") when the
// connection then closed before the server identified itself: the end is
// the proxy's, not the server's. Nil when the text shows a direct TCP
// connection or a server that spoke.
func proxyToolEarly(c *clientFacts) *hit {
	if c.has("remote_version", "authenticated", "established", "interactive", "proxy_unknown") {
		return nil
	}
	h := c.first("proxy_tool")
	if s := c.first("shell_error"); h == nil || (s != nil && s.n < h.n) {
		h = s
	}
	if h == nil {
		return nil
	}
	if c.after("id_closed", h.n) == nil && c.after("id_reset", h.n) == nil {
		return nil
	}
	return h
}

// proxyEndedEarly: what ssh then says about the banner is the proxy's end.
func proxyEndedEarly(c *clientFacts) bool {
	return c.has("stdio_bad_spec") || proxyToolEarly(c) != nil
}

// sftpServerMissing is a shell's "not found" for sftp-server: the server
// has no SFTP subsystem program.
func sftpServerMissing(c *clientFacts) *hit {
	for _, h := range c.all("shell_error") {
		if p := h.m[1]; p == "sftp-server" || strings.HasSuffix(p, "/sftp-server") || strings.HasSuffix(p, "/sftp-server.exe") {
			return h
		}
	}
	return nil
}

// forgeTCPFixes gives a failed TCP connection to a git forge, and a key
// it refused, the fixes of the person's side: the server is not theirs;
// the key belongs in their account there, and the service's SSH endpoint
// on port 443 passes networks that block port 22.
func forgeTCPFixes(c *clientFacts, findings []*diag.Finding) {
	for i, f := range findings {
		host := f.Args["host"]
		fg := catalog.ForgeByHost(host)
		if fg == nil {
			continue
		}
		p := catalog.Params{"forge": "yes", catalog.ParamOS: c.os()}
		if fg.AltHost != "" && f.Args["port"] != strconv.Itoa(fg.AltPort) {
			alt := fg.AltHost + ":" + strconv.Itoa(fg.AltPort)
			p["forge_alt_docs"], p["forge_host"] = alt, host
			p["forge_alt_host"], p["forge_alt_port"] = fg.AltHost, strconv.Itoa(fg.AltPort)
		}
		switch f.Code {
		case "auth.publickey_denied":
			// What the check says of the same refusal: a login name the
			// service does not take, or a key it does not know.
			if nf := forgeRefusal(c, fg, f, host); nf != nil {
				findings[i] = nf
			}
		case "tcp.refused", "tcp.timeout", "tcp.no_route", "tcp.net_unreachable":
			f.Fixes = nil
			f.Ev("service", fg.Name)
			if a := p["forge_alt_docs"]; a != "" {
				f.Arg("alt", a)
			}
			f.AddFixes(p)
		}
	}
}

// forgeRefusal is a forge's "Permission denied (publickey)" as the check
// names it, with the evidence explain showed: auth.forge_user for a login
// name the service does not take, else auth.forge_key_unknown. Nil when
// the line names no user.
func forgeRefusal(c *clientFacts, fg *catalog.Forge, f *diag.Finding, host string) *diag.Finding {
	user := f.Args["user"]
	if user == "" || user == catalog.Unseen {
		return nil
	}
	fp := catalog.Params{catalog.ParamOS: c.os(), "forge_host": host, "forge_dest": user + "@" + host}
	var nf *diag.Finding
	if fg.Login != "" && user != fg.Login {
		nf = diag.NewFinding("auth.forge_user").Arg("user", user)
	} else {
		nf = diag.NewFinding("auth.forge_key_unknown")
		if fg.KeysURL != "" {
			nf.Ev("add_keys_at", fg.KeysURL)
		}
	}
	nf.Arg("service", fg.Name).Arg("host", host)
	nf.Evidence = append(append([]diag.Evidence(nil), f.Evidence...), nf.Evidence...)
	return nf.AddFixes(fp)
}
