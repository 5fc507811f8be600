package client

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// noopCommand is what the login layer runs: a no-op that every shell
// (sh, bash, cmd.exe, PowerShell) understands, so a refusal comes from the
// account or the server, never from the command.
const noopCommand = "exit 0"

// maxSessionOutput caps what is kept of the command's stdout and stderr
// (a nologin message or an error is a line or two).
const maxSessionOutput = 4096

// checkLogin ends the session's path when there is no jump chain (the
// jump check ends it otherwise).
func (r *Run) checkLogin() *diag.Def[struct{}] {
	return &diag.Def[struct{}]{Name: "login", Doc: "logs in and runs a no-op command, as ssh host true does",
		Requires: []diag.Node{r.defs.auth}, Timeout: 2*r.opts.Timeout + 2*time.Second,
		Run: func(ctx context.Context, p *diag.Pass) (struct{}, bool, diag.Result) {
			ar := diag.ResultOf(p, r.defs.auth)
			if ar.NoSign != noPassword && ar.HostKey.Kex.Banner.Settings.Chain != nil {
				// A jump host: ssh opens no session there; the jump
				// check goes on through it to the destination.
				return struct{}{}, true, diag.Skip()
			}
			return struct{}{}, true, r.loginOn(ctx, r.sess, ar)
		}}
}

// loginOn signs in on the session and runs the no-op command; the
// session's path ends here, so it closes the session.
func (r *Run) loginOn(ctx context.Context, sess *session, ar *AuthResult) diag.Result {
	defer sess.Close()
	if ar == nil || ar.NoSign == noPassword {
		// Authentication passed with a warning but no way in that
		// sshdoctor may take (only a password prompt).
		return diag.Skip(diag.NewFinding("session.password_not_sent"))
	}
	probe := sess.Probe()
	s := ar.HostKey.Kex.Banner.Settings
	if r.opts.NoLogin {
		return diag.Skip(diag.NewFinding("session.not_tested").Arg("reason", "--no-login"))
	}
	if ar.NoSign != "" {
		return diag.Skip(diag.NewFinding("session.not_tested").Arg("reason", ar.NoSign))
	}
	stop := sess.closeOnCancel(ctx)
	defer stop()
	if !ar.Authenticated {
		st, err := probe.Sign(ctx)
		r.authAttempts.Add(1)
		if err != nil {
			return diag.Conclude(nil, r.closedAfterAuth(s, probe, err))
		}
		if !st.Authenticated {
			methods := strings.Join(st.Allowed, ",")
			if len(st.Partial) > 0 {
				return diag.Conclude(nil, diag.NewFinding("auth.partial_success").Arg("methods", methods).
					Ev("succeeded", strings.Join(st.Partial, ",")).Ev("server_still_wants", methods).
					Fix("fix.auth_server_methods", "sudo sshd -T -C "+shellQuote(r.sshdSpec(s.User))+" | grep -i '^authenticationmethods'"))
			}
			return diag.Conclude(nil, diag.NewFinding("auth.signature_rejected").Arg("key", ar.Offer.label).
				Ev("key", ar.Offer.describe()).Ev("server_methods", methods).
				Fix("fix.sshd_logs", "sudo journalctl -u ssh -u sshd -t sshd -t sshd-session --since '-10min' --no-pager | tail -50").
				Arg("hostname", s.Hostname))
		}
	}
	cmd := noopCommand
	if r.forgeOf(s) != nil {
		cmd = "" // what `ssh -T git@host` asks: a shell, which the service refuses politely
	}
	res := probe.Exec(ctx, cmd, maxSessionOutput)
	return r.sessionVerdict(s, cmd, ar.Offer, strings.Join(probe.Banners(), "\n"), hostOf(ar.HostKey.Kex.Banner.Addr), res)
}

// closedAfterAuth: the server closed the connection in answer to the
// signature. With UsePAM, the account stack (pam_nologin, expiry) refuses
// here, after sending its message as a USERAUTH_BANNER.
func (r *Run) closedAfterAuth(s *Settings, probe *sshwire.Probe, err error) *diag.Finding {
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return r.sessionTimeout(s, "the answer to the key's signature").Ev("error", err.Error())
	}
	banners := strings.Join(probe.Banners(), "\n")
	f := r.classifyRefusal(s, banners, "")
	f.Ev("error", err.Error())
	if _, msg, ok := sshwire.Disconnect(err); ok {
		f.Ev("server_said", diag.Quote([]byte(msg), 300))
	}
	return f
}

// sessionTimeout: the server neither answered nor closed within our
// deadline at a step after authentication.
func (r *Run) sessionTimeout(s *Settings, step string) *diag.Finding {
	return diag.NewFinding("session.timeout").Arg("hostname", s.Hostname).Arg("timeout", r.opts.Timeout.String()).
		Ev("waited_for", step).
		Fix("fix.sshd_logs", "sudo journalctl -u ssh -u sshd -t sshd -t sshd-session --since '-10min' --no-pager | tail -50")
}

// classifyRefusal names a refusal after authentication from the text the
// server sent.
func (r *Run) classifyRefusal(s *Settings, text, output string) *diag.Finding {
	all := text + "\n" + output
	lower := strings.ToLower(all)
	var f *diag.Finding
	switch {
	case strings.Contains(lower, "account has expired") || strings.Contains(lower, "account expired"):
		f = diag.NewFinding("session.account_expired").Arg("user", s.User).AddFixes(catalog.Params{"user": s.User})
	case strings.Contains(lower, "nologin") || strings.Contains(lower, "not permitted to log in") ||
		strings.Contains(lower, "system is booting up") || strings.Contains(lower, "system is going down"):
		f = diag.NewFinding("session.pam_nologin").AddFixes(nil)
	default:
		f = diag.NewFinding("session.closed").Arg("host", s.Hostname).Arg("hostname", s.Hostname).
			AddFixes(catalog.Params{"user": s.User, "sshd_spec": r.sshdSpec(s.User)})
	}
	if strings.TrimSpace(text) != "" {
		f.Ev("server_message", diag.Quote([]byte(strings.TrimSpace(text)), 400))
	}
	return f
}

func (r *Run) sessionVerdict(s *Settings, cmd string, used *offer, banners, addr string, res sshwire.ExecResult) diag.Result {
	out := strings.TrimSpace(string(res.Stdout))
	errOut := strings.TrimSpace(string(res.Stderr))
	ev := func(f *diag.Finding) *diag.Finding {
		if cmd == "" {
			f.Ev("command", "none: a shell without a terminal, as ssh -T asks")
		} else {
			f.Ev("command", cmd)
		}
		if res.ExitStatus >= 0 {
			f.EvInt("exit_status", res.ExitStatus)
		}
		if res.Signal != "" {
			f.Ev("signal", res.Signal)
		}
		if out != "" {
			f.Ev("stdout", diag.Quote([]byte(out), 400))
		}
		if errOut != "" {
			f.Ev("stderr", diag.Quote([]byte(errOut), 400))
		}
		if res.OpenFailed != "" {
			f.Ev("session_refused", res.OpenFailed)
		}
		if res.Err != nil && res.OpenFailed == "" {
			f.Ev("error", res.Err.Error())
		}
		if used != nil {
			f.Ev("logged_in_with", used.describe())
		}
		return f
	}
	both := out + "\n" + errOut
	if fg := r.forgeOf(s); isForgeReply(both) || fg != nil && res.ExitStatus > 0 && both != "\n" {
		name := "git service"
		if fg != nil {
			name = fg.Name
		}
		return diag.Conclude(nil, ev(diag.NewFinding("session.forge_no_shell").Arg("service", name).Arg("user", s.User)))
	}
	switch {
	case res.ExitStatus == 0:
		f := ev(diag.NewFinding("session.ok").Arg("user", s.User))
		var warn []*diag.Finding
		if strings.Contains(errOut, "Could not chdir to home directory") {
			warn = append(warn, ev(diag.NewFinding("session.no_home").Arg("user", s.User)).
				Fix("fix.session_make_home", "sudo mkhomedir_helper "+shellQuote(s.User)))
		}
		return diag.Conclude(nil, append([]*diag.Finding{f}, warn...)...)
	case res.TimedOut:
		// Our deadline passed and we closed the connection: the server
		// did not close it, so "closed" would be a wrong cause.
		return diag.Conclude(nil, ev(r.sessionTimeout(s, "the session running a no-op command")))
	case strings.Contains(both, "This account is currently not available") ||
		res.ExitStatus == 1 && out == "" && errOut == "" && !res.Closed:
		f := ev(diag.NewFinding("session.nologin_shell").Arg("user", s.User)).AddFixes(catalog.Params{"user": s.User})
		return diag.Conclude(nil, f)
	case res.ExitStatus == 254 && both != "\n":
		// UsePAM no: sshd prints /etc/nologin itself and exits 254.
		return diag.Conclude(nil, ev(r.classifyRefusal(s, banners, "nologin "+both)))
	default:
		f := r.classifyRefusal(s, banners, both)
		if f.Code == "session.closed" {
			f = r.refineClosed(s, cmd, res, f)
		}
		f = ev(f)
		if f.Code == "session.closed" {
			f.Ev("after", "login as "+s.User+" on "+addr+"; the exit status was "+strconv.Itoa(res.ExitStatus))
		}
		return diag.Conclude(nil, f)
	}
}

// refineClosed names what the server said when a session after a good
// login did not end well, where it said something more precise than a
// close: it refused the session channel, or the command ran and ended with
// a status or a signal. A connection that only closed stays closed.
func (r *Run) refineClosed(s *Settings, cmd string, res sshwire.ExecResult, closed *diag.Finding) *diag.Finding {
	spec := shellQuote(r.sshdSpec(s.User))
	switch {
	case res.OpenFailed != "":
		return diag.NewFinding("session.channel_refused").Arg("host", s.Hostname).Arg("reason", res.OpenFailed).
			Fix("fix.session_max_sessions", "sudo sshd -T -C "+spec+" | grep -i '^maxsessions'; sudo grep -rniE '^[[:space:]]*(match|maxsessions)' /etc/ssh/sshd_config /etc/ssh/sshd_config.d/")
	case cmd != "" && (res.ExitStatus > 0 || res.Signal != ""):
		status := "exit " + strconv.Itoa(res.ExitStatus)
		if res.Signal != "" {
			status = "SIG" + strings.TrimPrefix(res.Signal, "SIG")
		}
		return diag.NewFinding("session.command_failed").Arg("user", s.User).Arg("status", status).
			Fix("fix.session_run_as_user", "sudo -u "+shellQuote(s.User)+" -i sh -c "+shellQuote(cmd)+"; echo \"exit $?\"").
			Fix("fix.session_check_server", "sudo sshd -T -C "+spec+" | grep -i -E '^(forcecommand|chrootdirectory|usepam) '; getent passwd "+shellQuote(s.User))
	}
	return closed
}
