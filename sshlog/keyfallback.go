package sshlog

import (
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
)

// ssh asking for a password after offering keys: people paste `ssh -v`
// up to the prompt and ask why a password is wanted. No "Permission
// denied" line comes (the prompt is still open), but the server has
// already refused every key it was offered.
func fallbackRules() []rule {
	def := []ruleDef{
		// "user@host's password:" (password), "(user@host) Password:"
		// (keyboard-interactive, OpenSSH 8.4+).
		{"password_prompt", `^(?:(\S+?)@(\S+)'s password:|\((\S+?)@(\S+)\) Password:)\s*$`},
		// The text of /run/nologin as the client shows it, with or without
		// systemd's first sentence, at boot ("yet") or shutdown ("anymore").
		{"pam_nologin", `Unprivileged users are not permitted to log in (?:yet|anymore)`},
	}
	return compileRules(def)
}

// keyFallbackFindings: keys offered, none accepted, and ssh moved on to
// a password or keyboard-interactive. Nothing when ssh logged in, when
// the text has its own authentication verdict, or when no key was
// offered (then the prompt is what the user asked for).
func keyFallbackFindings(c *clientFacts, loc locator, success bool, have func(prefixes ...string) bool) []*diag.Finding {
	if success || c.has("denied") || have("auth.") {
		return nil
	}
	offered := c.all("offering")
	if len(offered) == 0 {
		return nil
	}
	for _, o := range offered {
		if c.accepted(o.m[1]) {
			return nil
		}
	}
	lastOffer := offered[len(offered)-1].n
	var moved *hit
	for _, h := range c.all("next_method") {
		if h.n > lastOffer && h.m[1] != "publickey" {
			moved = h
		}
	}
	prompt := c.last("password_prompt")
	if moved == nil || prompt != nil && prompt.n < lastOffer {
		return nil
	}
	user, host := "", ""
	if prompt != nil {
		user, host = prompt.m[1]+prompt.m[3], prompt.m[2]+prompt.m[4]
	}
	if a := c.last("authenticating_to"); a != nil && host == "" {
		host, _, _ = hostPort(a.m[1])
		user = a.m[2]
	}
	f := diag.NewFinding("auth.publickey_denied").Arg("user", orUnknown(user)).Arg("host", orUnknown(host)).Arg("methods", quoteText(moved.m[1]))
	for _, o := range offered {
		f.Ev("offered", loc(o.n)+": "+quoteText(o.m[1])+" (rejected)")
	}
	if can := c.after("can_continue", lastOffer); can != nil {
		lineEv(f, loc, can.n, can.text)
	}
	lineEv(f, loc, moved.n, moved.text)
	if prompt != nil {
		lineEv(f, loc, prompt.n, prompt.text)
	}
	pub := strings.Fields(offered[0].m[1])[0]
	if !strings.HasSuffix(pub, ".pub") {
		pub += ".pub"
	}
	dest := destArgs("", user, host)
	f.AddFixes(params("user", user, "pub_key", pub, "ssh_args", dest, "copy_id_args", dest))
	return []*diag.Finding{f}
}
