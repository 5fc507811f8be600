package sshlog

import (
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// Families of texts that are not OpenSSH's own words but say the same
// things: Vagrant, ssh-agent and ssh-add, Windows OpenSSH's process
// errors, PuTTY/plink/pscp, WinSCP and FileZilla (PuTTY's engine), the
// libraries programs use (paramiko, Node's ssh2, Go's x/crypto/ssh, JSch,
// libssh2), rsync, scp/sftp, borg, Packer and Ansible's waits, and gcloud's
// API errors. Each rule names what a line proves; familyFindings turns the
// hits into the catalog's codes — an existing code when the cause is the
// same, a new one where none fits. Library messages are matched anywhere in
// the line: they arrive inside stack traces and wrappers.
func familyRules() []rule {
	def := []ruleDef{
		// Vagrant.
		{"vagrant_auth", `Warning: Authentication failure\. Retrying`},
		{"vagrant_retry", `Warning: (?:Connection (?:timeout|reset|aborted|refused)|Remote connection disconnect|Host unreachable)\. Retrying`},
		{"vagrant_ready", `Machine booted and ready!`},
		// Tools that wait for SSH on a machine they created.
		{"wait_timeout", `Timed out while waiting for the machine to boot|Timeout waiting for SSH|Timeout when waiting for search string OpenSSH`},
		// ssh-agent and ssh-add.
		{"agent_refused", `agent refused operation`},
		{"agent_unreachable", `Could not open a connection to your authentication agent|Error connecting to agent: (.+)|communication with agent failed`},
		// Key files other programs could not read.
		{"lib_bad_key", `Error loading key "(.+)": (.+)|Unable to (?:use|load) key file "(.+)" \((.+)\)|Cannot parse privateKey|Cannot parse private key|Unable to parse given privateKey|Invalid private key file|Private key couldn't be read|Unsupported key format`},
		{"ppk_passphrase", `Enter passphrase for key '(.+\.ppk)'`},
		// Old OpenSSH wording and negotiation lines cut from their start.
		{"old_connect_addr", `^(?:ssh: )?connect to address (\S+) port (\d+): (.+)$`},
		// The same words retyped or relayed: "connect to X port 22: no
		// route to host", "connect to address X and port 22: …".
		{"connect_loose", `connect to (?:host |address )?(\S+) (?:and )?port (\d+): (.+)$`},
		// Node's net errors (ssh2 and the tools on it).
		{"node_connect", `connect (ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH) (\S+)`},
		{"node_dns", `getaddrinfo (ENOTFOUND|EAI_AGAIN) (\S+)`},
		{"negotiate_loose", `(?:Unable to negotiate with (\S+) port (\S+?) ?: )?no matching (key exchange method|host key type|host key|cipher|MAC|mac) found\.? Their offer: (.*?)(?: \[preauth\])?$`},
		// Windows OpenSSH could not start the ProxyCommand program.
		{"win_createprocess", `CreateProcessW failed error:(\d+)`},
		{"posix_spawn", `^posix_spawn: (.+)$`},
		// Go's golang.org/x/crypto/ssh (and the tools built on it).
		{"go_auth", `ssh: unable to authenticate, attempted methods \[([^\]]*)\], no supported methods remain`},
		{"go_dial", `dial tcp (\S*): (?:connect: )?(connection refused|i/o timeout|no route to host|connection timed out|network is unreachable)`},
		{"go_kex", `ssh: no common algorithm for (key exchange|host key|client to server cipher|server to client cipher|client to server MAC|server to client MAC)`},
		// JSch, paramiko, Node's ssh2 and the like.
		{"lib_auth", `JSchException: Auth fail|AuthenticationException: Authentication failed|All configured authentication methods failed|Authentication failed \(username: |LIBSSH2_ERROR_AUTHENTICATION_FAILED|Authentication failed \(publickey\)`},
		{"lib_too_many", `SSH_MSG_DISCONNECT: \d+ Too many authentication failures`},
		{"lib_banner", `Error reading SSH protocol banner`},
		{"lib_handshake_timeout", `Timed out while waiting for handshake`},
		{"lib_no_kex", `Handshake failed: no matching key exchange algorithm|Couldn't agree a key exchange algorithm|JSchException: Algorithm negotiation fail|KEY_EXCHANGE_FAILED|Key Exchange Failure`},
		{"lib_no_hostkey", `Couldn't agree a host key algorithm|Handshake failed: no matching host key format`},
		{"lib_no_cipher", `Couldn't agree a (?:client-to-server|server-to-client) cipher|Handshake failed: no matching cipher`},
		{"ssh2_kex_list", `^DEBUG: \(remote\) KEX algorithms: (.*)$`},
		{"ssh2_no_match", `^DEBUG: No match`},
		{"lib_unable_port", `Unable to connect to port (\d+) on (\S+)`},
		{"lib_prohibited", `[Ss]ecsh channel \d+ open FAILED: open failed: Administratively prohibited|ChannelException\(1, 'Administratively prohibited'\)|reason: ADMINISTRATIVELY_PROHIBITED`},
		// PuTTY, plink, pscp, WinSCP, FileZilla.
		{"putty_net", `Network error: ?(Connection refused|Connection timed out|No route to host|Network is unreachable)`},
		{"putty_key_refused", `[Ss]erver refused (?:our )?(?:public )?key`},
		{"putty_no_methods", `[Nn]o supported authentication methods? available(?: \(server sent: ?([^)]*)\))?`},
		{"putty_hostkey", `WARNING - POTENTIAL SECURITY BREACH|host key does not match the one (?:WinSCP|PuTTY|FileZilla) has (?:in|is) cache`},
		// rsync, scp, sftp, borg: the remote side of a file transfer.
		{"rsync_exec", `rsync: Failed to exec (\S+): (.+?) \(\d+\)`},
		{"remote_cmd_missing", `remote command not found \(code 127\)|^(?:z|ba|k|da)?sh:\d+: command not found: (\S+)$`},
		{"sftp_subsystem", `subsystem request failed on channel \d+|Channel request subsystem failed`},
		// gcloud's API errors about the VM itself.
		{"gc_instance_missing", `[Cc]ould not fetch resource:.*[Tt]he resource '([^']*/instances/([^']+))' was not found`},
		{"gc_permission", `Required '([a-zA-Z.]+)' permission for '([^']+)'`},
	}
	out := compileRules(def)
	return append(out, heldoutClientRules()...)
}

// familyFindings explains the hits of familyRules. Findings come out in
// causal order; insertFinding places them among ssh's own.
func familyFindings(c *clientFacts, loc locator, success bool, have func(prefixes ...string) bool) []*diag.Finding {
	var out []*diag.Finding
	add := func(f *diag.Finding) { out = append(out, f) }
	ev := func(f *diag.Finding, h *hit) *diag.Finding {
		if h != nil {
			lineEv(f, loc, h.n, h.text)
		}
		return f
	}
	windows := c.windowsText()

	// Configuration: the program ssh is run as.
	if h := c.first("rsync_exec"); h != nil {
		f := diag.NewFinding("config.ssh_program_missing").Arg("program", quoteText(h.m[1]))
		ev(f, h).Fix("fix.family_check_program", cmd("command -v %s", strings.Fields(h.m[1])[0]))
		add(f)
	}
	// gcloud: the VM or the permission to see it.
	h := c.first("gc_instance_missing")
	if h == nil {
		h = c.gcloudJoined(gcInstanceMissing)
	}
	if h != nil && !have("gcp.instance_not_found") {
		name := h.m[2]
		project := gcpProjectOf(h.m[1])
		f := diag.NewFinding("gcp.instance_not_found").Arg("instance", quoteText(name)).Arg("project", orWords(project))
		ev(f, h).AddFixes(params("gcp_instance", name, "gcp_project", project))
		add(f)
	}
	h = c.first("gc_permission")
	if h == nil {
		h = c.gcloudJoined(gcPermission)
	}
	if h != nil {
		f := diag.NewFinding("gcp.api_permission_denied").Sev(diag.SevError).
			Arg("permission", quoteText(h.m[1])).Arg("resource", quoteText(h.m[2])).Arg("api", "Compute Engine API").Arg("method", "")
		role := catalog.GCPRole(h.m[1])
		if role != "" {
			f.Arg("role", role)
		}
		ev(f, h).AddFixes(params("gcp_role", role, "gcp_project", gcpProjectOf(h.m[2])))
		add(f)
	}
	// TCP, as other clients say it.
	if h := c.first("node_dns"); h != nil && !have("dns.", "tcp.") {
		code := "dns.nxdomain"
		if h.m[1] == "EAI_AGAIN" {
			code = "dns.tempfail"
		}
		f := diag.NewFinding(code).Arg("host", quoteText(h.m[2])).Arg("hostname", quoteText(h.m[2])).Arg("error", h.m[1])
		ev(f, h).AddFixes(params(catalog.ParamOS, c.os(), "hostname", h.m[2]))
		add(f)
	}
	for _, rule := range []string{"old_connect_addr", "connect_loose", "go_dial", "node_connect", "putty_net", "lib_unable_port"} {
		h := c.last(rule)
		if h == nil || have("tcp.", "dns.") {
			continue
		}
		host, port, errText := "", "", ""
		switch rule {
		case "old_connect_addr", "connect_loose":
			if c.after("established", h.n) != nil || success {
				continue
			}
			host, port, errText = h.m[1], h.m[2], h.m[3]
		case "node_connect":
			host, port, _ = hostPortLoose(h.m[2])
			errText = map[string]string{"ECONNREFUSED": "Connection refused", "ETIMEDOUT": "Connection timed out",
				"EHOSTUNREACH": "No route to host", "ENETUNREACH": "Network is unreachable"}[h.m[1]]
		case "go_dial":
			host, port, _ = hostPortLoose(h.m[1])
			errText = h.m[2]
		case "putty_net":
			errText = h.m[1]
		case "lib_unable_port":
			host, port, errText = h.m[2], h.m[1], "Connection refused"
		}
		add(tcpFinding(h, host, port, errText, loc, diag.SevError, false))
		break
	}
	// Waiting for a machine that never answered.
	if h := c.last("wait_timeout"); h != nil && !success {
		f := diag.NewFinding("vm.ssh_wait_timeout")
		ev(f, h)
		for _, r := range c.all("vagrant_retry") {
			f.Ev("retry", loc(r.n)+": "+quoteText(r.text))
			break
		}
		f.Fix("fix.family_wait_console", "")
		f.Fix("fix.explain_run_vm", "sshdoctor vm")
		add(f)
	}
	// Banner exchange, as libraries say it.
	if h := c.first("lib_banner", "lib_handshake_timeout"); h != nil && !have("banner.", "tcp.", "kex.") {
		f := diag.NewFinding("banner.timeout").Arg("host", orWords("")).Arg("port", orWords(""))
		ev(f, h).AddFixes(nil)
		add(f)
	}
	// Key exchange.
	kex := ""
	var kh *hit
	switch {
	case c.first("negotiate_loose") != nil && !have("kex."):
		kh = c.first("negotiate_loose")
		kex = map[string]string{"key exchange method": "kex.no_kex_alg", "host key type": "kex.no_hostkey_alg", "host key": "kex.no_hostkey_alg",
			"cipher": "kex.no_cipher", "MAC": "kex.no_mac", "mac": "kex.no_mac"}[kh.m[3]]
	case c.first("lib_no_kex") != nil:
		kh, kex = c.first("lib_no_kex"), "kex.no_kex_alg"
	case c.first("lib_no_hostkey") != nil:
		kh, kex = c.first("lib_no_hostkey"), "kex.no_hostkey_alg"
	case c.first("lib_no_cipher") != nil:
		kh, kex = c.first("lib_no_cipher"), "kex.no_cipher"
	case c.first("go_kex") != nil:
		kh = c.first("go_kex")
		kex = "kex.no_kex_alg"
		switch w := kh.m[1]; {
		case w == "host key":
			kex = "kex.no_hostkey_alg"
		case strings.HasSuffix(w, "cipher"):
			kex = "kex.no_cipher"
		case strings.HasSuffix(w, "MAC"):
			kex = "kex.no_mac"
		}
	case c.first("ssh2_no_match") != nil && c.first("ssh2_kex_list") != nil:
		kh, kex = c.first("ssh2_no_match"), "kex.no_kex_alg"
	}
	if kh != nil && !have("kex.") {
		f := diag.NewFinding(kex)
		ev(f, kh)
		offer, peer, port, view := "", "", 0, kexLibrary
		if kh.rule == "negotiate_loose" {
			// OpenSSH's words, through another program.
			offer, peer, view = kh.m[4], kh.m[1], kexClient
			port, _ = strconv.Atoi(kh.m[2])
		} else if l := c.first("ssh2_kex_list"); l != nil && kh.rule == "ssh2_no_match" {
			offer = l.m[1]
			ev(f, l)
		}
		if offer == "" {
			f.Arg("offer", orWords("")).Arg("host", orWords(""))
		}
		kexFinding(f, kex, offer, peer, port, view)
		add(f)
	}
	// Host key changed, as PuTTY and WinSCP say it.
	if h := c.first("putty_hostkey"); h != nil && !have("hostkey.") {
		f := diag.NewFinding("hostkey.changed").Arg("host", orWords(""))
		ev(f, h).AddFixes(params("putty", "yes"))
		add(f)
	}
	// The ProxyCommand program Windows OpenSSH could not start.
	if h := c.first("win_createprocess", "posix_spawn"); h != nil && !have("proxy.") {
		f := diag.NewFinding("proxy.command_failed").Arg("program", orWords(""))
		ev(f, h)
		if p := c.after("posix_spawn", h.n); p != nil && p != h {
			ev(f, p)
		}
		os := ""
		if h.rule == "win_createprocess" {
			os = catalog.OSWindows
		}
		f.AddFixes(params(catalog.ParamOS, os))
		add(f)
	}
	// Local key files and the agent.
	if h := c.first("lib_bad_key"); h != nil && !have("key.invalid_format") {
		p := firstNonEmpty(h.m[1], h.m[3])
		f := diag.NewFinding("key.invalid_format").Arg("path", orWords(p)).Arg("reason", quoteText(firstNonEmpty(h.m[2], h.m[4])))
		ev(f, h)
		keyFormatFix(f, p, windows, "")
		add(f)
	}
	if h := c.first("ppk_passphrase"); h != nil && !have("key.invalid_format") && !success {
		f := diag.NewFinding("key.invalid_format").Arg("path", quoteText(h.m[1])).Arg("reason", "PuTTY .ppk")
		ev(f, h)
		keyFormatFix(f, h.m[1], windows, "")
		add(f)
	}
	if h := c.first("agent_refused"); h != nil && !success {
		f := diag.NewFinding("agent.refused")
		ev(f, h)
		f.Fix("fix.family_agent_list", "ssh-add -l")
		f.Fix("fix.family_agent_readd", "ssh-add")
		add(f)
	}
	if h := c.first("agent_unreachable"); h != nil {
		f := diag.NewFinding("agent.not_running")
		ev(f, h)
		if windows {
			f.Fix("fix.family_agent_windows", "Get-Service ssh-agent | Set-Service -StartupType Automatic -PassThru | Start-Service")
		} else {
			f.Fix("fix.family_agent_start", `eval "$(ssh-agent -s)" && ssh-add`)
		}
		add(f)
	}
	// Authentication, as other clients say it.
	if h := c.first("vagrant_auth"); h != nil {
		if r := c.after("vagrant_ready", h.n); r == nil {
			f := diag.NewFinding("vagrant.auth_failure")
			ev(f, h)
			f.Fix("fix.family_vagrant_ssh_config", "vagrant ssh-config")
			f.Fix("fix.family_vagrant_debug", "vagrant ssh -- -v")
			add(f)
		}
	}
	if h := c.first("denied_retry"); h != nil && !success && !c.has("denied") && !have("auth.") {
		f := diag.NewFinding("auth.password_denied").Arg("user", orWords("")).Arg("host", orWords("")).Arg("method", "password")
		ev(f, h).Fix("fix.family_password_check", "")
		add(f)
	}
	if h := c.first("lib_too_many"); h != nil && !have("auth.too_many_failures") {
		f := diag.NewFinding("auth.too_many_failures").Arg("host", orWords("")).Arg("offered", "?")
		ev(f, h).AddFixes(nil)
		add(f)
	}
	if h := c.first("go_auth"); h != nil && !have("auth.") {
		methods := h.m[1]
		// The same advice for every code: the program's own key setting.
		var f *diag.Finding
		switch {
		case strings.Contains(methods, "publickey"):
			f = diag.NewFinding("auth.publickey_denied").AddFixes(params("library", "yes"))
		case strings.Contains(methods, "password"), strings.Contains(methods, "keyboard-interactive"):
			f = diag.NewFinding("auth.password_denied").Fix("fix.family_library_key", "")
		case strings.TrimSpace(methods) == "none" || methods == "":
			f = diag.NewFinding("auth.no_keys").AddFixes(params("library", "yes"))
		default:
			f = diag.NewFinding("auth.failed").Fix("fix.family_library_key", "")
		}
		f.Arg("user", orWords("")).Arg("host", orWords("")).Arg("methods", quoteText(methods)).Arg("method", quoteText(methods))
		ev(f, h)
		add(f)
	}
	if h := c.first("putty_key_refused", "putty_no_methods"); h != nil && !have("auth.") {
		code := "auth.publickey_denied"
		if h.rule == "putty_no_methods" && len(h.m) > 1 && h.m[1] != "" && !strings.Contains(h.m[1], "publickey") && !strings.Contains(h.m[1], "public key") {
			code = "auth.methods_mismatch"
		}
		f := diag.NewFinding(code).Arg("user", orWords("")).Arg("host", orWords("")).Arg("methods", quoteText(h.m[len(h.m)-1]))
		ev(f, h)
		f.AddFixes(params("putty", "yes"))
		add(f)
	}
	if h := c.first("lib_auth"); h != nil && !have("auth.", "server.", "agent.", "key.") {
		f := diag.NewFinding("auth.failed")
		ev(f, h)
		f.Fix("fix.family_library_key", "")
		f.Fix("fix.explain_run_server", "sudo sshdoctor server")
		add(f)
	}
	// Forwarding, as libraries say it.
	if h := c.first("lib_prohibited"); h != nil && !have("fwd.") {
		f := diag.NewFinding("fwd.prohibited").Arg("target", orWords("")).Arg("reason", "administratively prohibited")
		ev(f, h).Fix("fix.explain_server_forwarding", "sudo sshd -T | grep -i -E '^(allowtcpforwarding|disableforwarding|permitopen)'")
		add(f)
	}
	// The remote side of a transfer: the subsystem refused, or the shell
	// not finding sftp-server; scp (sftp since OpenSSH 9.0) can fall
	// back to its legacy protocol.
	sftp := c.first("sftp_subsystem")
	if sftp == nil && !have("session.") {
		sftp = sftpServerMissing(c)
	}
	if h := sftp; h != nil {
		f := diag.NewFinding("session.sftp_unavailable")
		ev(f, h)
		f.Fix("fix.family_scp_legacy", "scp -O")
		f.Fix("fix.family_sftp_subsystem", "sudo sshd -T | grep -i '^subsystem'")
		add(f)
	}
	if h := c.first("remote_cmd_missing"); h != nil || (c.first("shell_error") != nil && !c.has("proxy_unknown", "proxy_exec") && proxyToolEarly(c) == nil && sftpServerMissing(c) == nil) {
		if h == nil {
			h = c.first("shell_error")
		}
		f := diag.NewFinding("session.remote_command_missing")
		ev(f, h)
		f.Fix("fix.family_remote_path", "")
		add(f)
	}
	return out
}

// gcloudJoined finds gcloud's error and its reason joined on one line
// (as a log or a paste joins them): the first ERROR line re matches.
func (c *clientFacts) gcloudJoined(re *lazyre.Regexp) *hit {
	for _, g := range c.all("gc_error") {
		if m := re.FindStringSubmatch(g.text); m != nil {
			return &hit{rule: g.rule, n: g.n, text: g.text, m: m}
		}
	}
	return nil
}

var gcPermission = lazyre.New(`Required '([a-zA-Z.]+)' permission for '([^']+)'`)

var gcInstanceMissing = lazyre.New(`[Cc]ould not fetch resource:.*[Tt]he resource '([^']*/instances/([^']+))' was not found`)

// keyFormatFix gives a key file ssh or another program could not read the
// fixes for what its name shows: a PuTTY key to convert, a public key given
// for the private one, any other file to check with ssh-keygen; no file
// named, advice. sshArgs is the destination the text showed ("" unknown).
func keyFormatFix(f *diag.Finding, p string, windows bool, sshArgs string) {
	fp := params("path", p, "ssh_args", sshArgs)
	if windows || windowsPath(p) {
		fp[catalog.ParamOS] = catalog.OSWindows
	}
	switch {
	case p == "":
	case strings.HasSuffix(strings.ToLower(p), ".ppk"):
		fp["perm_ppk"], fp["perm_ppk_out"] = p, p[:len(p)-len(".ppk")]+"_openssh"
	case strings.HasSuffix(p, ".pub"):
		fp["private_key"] = strings.TrimSuffix(p, ".pub")
	default:
		fp["perm_key_check"] = p
	}
	f.AddFixes(fp)
}

// hostPortLoose splits "host:port", "[v6]:port" or ":port".
func hostPortLoose(s string) (string, string, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, "", false
	}
	return strings.Trim(s[:i], "[]"), s[i+1:], true
}

// orWords is "" when a value was not seen: the catalog then words the
// sentence without it (see complete).
func orWords(s string) string {
	if s == "" {
		return "?"
	}
	return quoteText(s)
}

// windowsText reports a transcript from Windows: its paths or messages.
func (c *clientFacts) windowsText() bool {
	for i, l := range c.lines {
		if i > 2000 {
			break
		}
		t := l.text
		if strings.Contains(t, `C:\`) || strings.Contains(t, `c:\`) || strings.Contains(t, `\\Users\\`) ||
			strings.Contains(t, "OpenSSH_for_Windows") || strings.Contains(t, "CreateProcessW") ||
			strings.Contains(t, `C:/Users/`) || strings.Contains(t, "PS C:") || strings.Contains(t, `\pipe\`) ||
			strings.Contains(t, "No such host is known") {
			return true
		}
	}
	return false
}

// gcpProjectOf is the project of a resource path as gcloud prints it
// (projects/P/zones/Z/instances/I), "" for another form.
func gcpProjectOf(resource string) string {
	if p := strings.Split(resource, "/"); len(p) > 1 && p[0] == "projects" {
		return p[1]
	}
	return ""
}
