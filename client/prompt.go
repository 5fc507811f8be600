package client

import (
	"context"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// promptOnly reports a server that accepts no key, only methods where ssh
// asks the person at the keyboard: a password, or keyboard-interactive (a
// password or a one-time code through PAM or another challenge). Without
// BatchMode ssh would prompt, which is a way in, so it is a warning; with
// BatchMode ssh cannot prompt and fails, which is the error. sshdoctor never
// answers a prompt. nil when another method (gssapi, hostbased) is in the
// list, which is not a prompt.
func (r *Run) promptOnly(ctx context.Context, probe *sshwire.Probe, s *Settings, allowed []string, list []*offer, userEv string, batch bool) *diag.Finding {
	pw, kbd := containsStr(allowed, "password"), containsStr(allowed, "keyboard-interactive")
	for _, m := range allowed {
		if m != "password" && m != "keyboard-interactive" {
			return nil
		}
	}
	// What keyboard-interactive asks, read and never answered: a password,
	// a one-time code, or nothing at all (no PAM: ssh fails even with a
	// person at the keyboard).
	var prompts sshwire.Prompts
	kbdChecked := false
	if kbd {
		var err error
		prompts, err = probe.KbdInteractivePrompts(ctx)
		r.authAttempts.Add(1)
		kbdChecked = err == nil
	}
	if kbdChecked && !prompts.Asked {
		kbd = false
		if !pw {
			methods := strings.Join(allowed, ",")
			return diag.NewFinding("auth.kbdint_no_prompt").Arg("host", s.Hostname).Arg("user", s.User).
				Ev("server_methods", methods).Ev("login_name", userEv).
				Ev("server_asked", "nothing: it answered keyboard-interactive with a failure at once").
				Ev("ssh_would_say", s.User+"@"+s.Hostname+": Permission denied ("+methods+").").
				Fix("fix.auth_enable_pubkey_server", "sudo sshd -T -C "+shellQuote(r.sshdSpec(s.User))+" | grep -i -E '^(usepam|pubkeyauthentication|passwordauthentication|kbdinteractiveauthentication|authenticationmethods) '\n"+
					"echo 'PubkeyAuthentication yes' | sudo tee /etc/ssh/sshd_config.d/10-pubkey.conf && sudo sshd -t && (sudo systemctl reload ssh || sudo systemctl reload sshd)")
		}
	}
	var code string
	switch {
	case pw && kbd:
		code = "auth.password_or_kbdint_only"
	case pw:
		code = "auth.password_only"
	case kbd:
		code = "auth.kbdint_only"
	default:
		return nil
	}
	methods := strings.Join(allowed, ",")
	f := diag.NewFinding(code).Arg("host", s.Hostname).Arg("user", s.User).Arg("methods", methods).
		Ev("server_methods", methods).Ev("login_name", userEv)
	if kbdChecked && !prompts.Asked {
		f.Ev("server_asked", "nothing: it answered keyboard-interactive with a failure at once")
	}
	if prompts.Asked {
		for i, q := range prompts.Questions {
			echo := ""
			if i < len(prompts.Echo) && prompts.Echo[i] {
				echo = " (echoed)"
			}
			f.Ev("server_asks", diag.Quote([]byte(q), 200)+echo)
		}
		if prompts.Instruction != "" {
			f.Ev("server_instruction", diag.Quote([]byte(prompts.Instruction), 200))
		}
	}
	if batch {
		f.Sev(diag.SevError).Ev("batch_mode", "yes: ssh cannot prompt, so it fails").
			Ev("ssh_would_say", s.User+"@"+s.Hostname+": Permission denied ("+methods+").")
	} else {
		f.Sev(diag.SevWarning).Ev("note", "ssh would ask for a password; sshdoctor never sends one")
	}
	// The key ssh would log in with once the server accepts keys: the first
	// one it would offer.
	var first *offer
	for _, o := range list {
		if o.skip == "" && !o.extra && o.key != nil {
			first = o
			break
		}
	}
	if first != nil {
		f.Ev("key_if_publickey_enabled", first.describe())
	} else {
		f.Ev("key_if_publickey_enabled", "none: ssh has no key to offer")
		f.Fix("fix.auth_generate_key", "ssh-keygen -t ed25519")
	}
	pub := "~/.ssh/id_ed25519.pub"
	if first != nil && first.kf != nil {
		pub = first.kf.Path
		if first.kf.PublicFrom != "file" {
			pub += ".pub"
		}
	}
	quoted := shellQuote(pub)
	if strings.HasPrefix(pub, "~/") && shellQuote(pub[2:]) == pub[2:] {
		quoted = pub // the shell expands ~ only unquoted
	}
	copyID := "ssh-copy-id -i " + quoted
	if r.opts.ConfigFile != "" {
		copyID += " -F " + shellQuote(r.opts.ConfigFile)
	}
	if batch {
		copyID += " -o BatchMode=no"
	}
	if r.opts.Port != 0 {
		copyID += " -p " + strconv.Itoa(r.opts.Port)
	}
	f.Fix("fix.auth_enable_pubkey_server",
		"sudo sshd -T -C "+shellQuote(r.sshdSpec(s.User))+" | grep -i -E '^(pubkeyauthentication|passwordauthentication|kbdinteractiveauthentication|authenticationmethods) '\n"+
			"echo 'PubkeyAuthentication yes' | sudo tee /etc/ssh/sshd_config.d/10-pubkey.conf && sudo sshd -t && (sudo systemctl reload ssh || sudo systemctl reload sshd)").
		Fix("fix.auth_copy_id_password", copyID+" "+shellQuote(r.destWithoutPort()))
	if batch {
		f.Fix("fix.auth_interactive", r.sshCommand("-o BatchMode=no"))
	}
	return f
}
