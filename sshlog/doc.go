// Package sshlog is sshdoctor's one classifier of SSH texts: what the ssh
// client prints (OpenSSH 7.x–10.x, plain and -v/-vv/-vvv, Debian, macOS,
// musl and Windows variants), sshd's logs, and Google Cloud's gcloud, IAP
// and SSH-in-browser errors. `sshdoctor explain` and `sshdoctor server`
// both use it, so a log line gets the same code, texts and fixes as the
// live checks. Results are diag findings: the lines that prove them as
// "line" evidence ("N: text", quoted and capped — text from logs is
// untrusted), and fix commands built only from shell-quoted values.
//
// # Reading sshd logs (for `sshdoctor server`)
//
// ScanServerLog streams a log in constant memory — each line capped at
// ScanOptions.MaxLineBytes (64 KiB by default), connections and
// user/client pairs in bounded tables — and summarises it:
//
//	sum, err := sshlog.ScanServerLog(r, sshlog.ScanOptions{
//		User:   "alice",        // optional: only this login name
//		Source: "203.0.113.5",  // optional: only this client address
//		Since:  time.Now().Add(-time.Hour), // optional
//	})
//	if sum.Diagnosis != nil {
//		f := sum.Diagnosis.Finding(nil) // *diag.Finding: code, evidence, fixes
//	}
//	for _, k := range sum.Keys { … k.User, k.Source, k.Accepted, k.Failed, k.LastFailure … }
//	for _, f := range sum.Server { … sshd-wide failures: config, bind, host keys, MaxStartups … }
//	if sum.Running != nil && !*sum.Running { … the log says sshd stopped or failed to start … }
//
// Accepted line forms, mixed freely in one stream: bare lines (sshd -e,
// sshd -E file), classic syslog ("Nov 22 03:10:01 host sshd[123]: …", also
// with a "<PRI>" prefix), RFC 3339 rsyslog ("2026-11-22T03:10:01.117730+09:00
// host sshd[123]: …"), journalctl short, short-iso and short-full, one
// `journalctl -o json` object per line, and `journalctl -o export` entries
// (text and binary fields). Identifiers sshd, sshd-session and sshd-auth
// count as sshd (also as a path); systemd's lines about ssh.service or
// sshd.service say whether sshd runs; other programs' lines are skipped.
// The " [preauth]" suffix and syslog's "error: "/"fatal: " are understood.
//
// Lines are tied to their connection by pid, or — in bare logs — by the
// client's address and port and the order of lines, so that a cause logged
// without user or address ("Authentication refused: bad ownership or modes
// for directory /home/u/.ssh") is attributed to the login it broke. The
// diagnosis is the most recent failure that no later success of the same
// user and client (or, for sshd itself, no later start) resolved.
//
// One line alone:
//
//	e, ok := sshlog.ClassifyServerLine(line)
//	// e.Kind (accepted, failed, cause, abandoned, refused, dropped, startup…),
//	// e.Code (catalog code or ""), e.User, e.Source, e.Port, e.Path,
//	// e.FileLine, e.Method, e.Key, e.Detail, e.Time, e.Host, e.Ident, e.PID,
//	// e.Preauth, e.Text
//	f := e.Finding() // nil when the line proves no problem
//
// Codes a log line can prove: server.strictmodes, server.authkeys_unreadable,
// server.invalid_user, server.allowusers, server.denyusers,
// server.allowgroups, server.denygroups, server.shell_missing,
// server.account_locked, server.account_expired, server.pam_account,
// server.pubkey_alg_rejected, server.root_login_refused, server.akc_error,
// server.config_error, server.bind_failed, server.hostkey_load,
// server.privsep_dir, server.sshd_not_running, server.maxstartups,
// server.penalty, server.tcp_wrappers, server.login_grace, server.chroot,
// kex.no_kex_alg, kex.no_hostkey_alg, kex.no_cipher, kex.no_mac,
// auth.too_many_failures, auth.publickey_denied, auth.password_denied,
// fwd.prohibited, fwd.connect_failed, and explain.auth_abandoned (the client
// gave up during authentication and the log, at LogLevel INFO, does not say
// why).
//
// # Explaining any text (for `sshdoctor explain`)
//
// Explain reads one or more inputs in any mix — ssh's stderr (and stdout),
// ssh -v, sshd logs, gcloud output — routes each line to its side (lines
// both print are decided by the rest of the text), and returns findings in
// causal order: the first error is the diagnosis. From -v it rebuilds the
// timeline (Analysis.Timeline) and can tell which keys were offered in
// what order, that the key that works was never reached
// (auth.too_many_failures), that a key the server accepted was ignored for
// its permissions, and that a proxy failed. Text with nothing recognisable
// gives explain.unrecognized, never a guess.
//
// # What people paste
//
// Every line first goes through one normaliser (normalize.go), shared
// with ScanServerLog: indentation, Markdown quotes, code fences, inline
// code spans, emphasis, CRLF and progress CRs, ANSI colour and UTF-16 are
// presentation; CI, VS Code, Go-log, dmesg and Windows sshd.log stamps and
// Packer's "==> name: " are prefixes; Ansible's JSON results are unescaped
// into their lines. Evidence keeps the user's own line numbers. Text after
// a tool's "prefix: " (Vagrant, borg, wrappers) is matched when the whole
// line is not. Binary junk is dropped before any pattern runs, and a
// literal pre-filter (prefilter.go) runs only the patterns whose words
// occur in a line, so junk and unrelated text cost one pass.
//
// Other clients and tools (families.go) get the catalog's codes:
// Vagrant, ssh-agent and ssh-add, PuTTY/plink/pscp, WinSCP, FileZilla,
// paramiko, Node's ssh2, Go's x/crypto/ssh, JSch, libssh2, Windows
// OpenSSH's CreateProcessW, rsync, scp/sftp, borg, Packer and gcloud's API
// errors. sshd lines that name their cause alone (bad ownership or modes,
// a key type not in PubkeyAcceptedAlgorithms) are findings even when the
// log says nothing else. Lines that look like errors but match nothing
// give explain.unknown_failure with those lines (inconclusive), never
// explain.no_failure. With ScanOptions.User, explain says what the log
// shows for that user and how much is scanning noise (explain.user_summary,
// explain.user_absent, explain.scan_noise).
//
// The published corpus (testdata/corpus/published, with SOURCES.tsv) holds
// texts people posted, verbatim, each with its source and the cause the
// thread settled on; TestPublishedCorpus checks each.
package sshlog
