package sshlog

import "testing"

// Headers pasted in other shapes: a month in the system's language
// (gsauthof/dracut-sshd issue 18, French; journalctl under a Japanese
// locale prints "12月 03"), a log with its times cut off
// (grml/grml issue 80). The header is read; the message decides.
func TestHeaderLocalMonthAndNoTime(t *testing.T) {
	for _, c := range []struct{ line, ident, host string }{
		{"janv. 29 20:44:09 sshd[1891]: Missing privilege separation directory: /run/sshd", "sshd", ""},
		{"12月 03 09:49:19 myhost sshd[15272]: Missing privilege separation directory: /run/sshd", "sshd", "myhost"},
		{"Mär  5 10:00:01.117730 pve sshd-session[88]: Missing privilege separation directory: /run/sshd", "sshd-session", "pve"},
		{"grml sshd[1845]: Missing privilege separation directory: /run/sshd", "sshd", "grml"},
	} {
		e, ok := ClassifyServerLine(c.line)
		if !ok || e.Code != "server.privsep_dir" || e.Ident != c.ident || e.Host != c.host || e.PID == 0 {
			t.Errorf("%q: ok=%v %+v", c.line, ok, e)
		}
	}
	for _, prose := range []string{
		"at 29 20:44:09 the sshd[1891]: said nothing",
		"The server sshd: Missing privilege separation directory",
		"janvier 2024 20:44:09 sshd[1891]: x",
		"1234 29 20:44:09 sshd[1891]: x",
	} {
		if e, ok := ClassifyServerLine(prose); ok && e.Code != "" {
			t.Errorf("prose read as a log line: %q → %+v", prose, e)
		}
	}
}

// "PAM: <pam_strerror> for U from H" (auth-pam.c) names the account's
// state: MicrosoftDocs/azure-docs issue 54288.
func TestPAMAccountStates(t *testing.T) {
	for _, c := range []struct{ line, code, user, source string }{
		{"May  7 03:37:04 server sshd[3942]: error: PAM: User account has expired for user from IP", "server.account_expired", "user", "IP"},
		{"2019-08-06T16:03:03.903851+00:00 linux sshd[6415]: error: PAM: User account has expired for user@somedomain.com from X.X.X.X", "server.account_expired", "user@somedomain.com", "X.X.X.X"},
		{"Mar  1 10:00:00 h sshd[12]: error: PAM: Authentication token is no longer valid; new one required for illegal user bob from 192.0.2.7", "server.password_expired", "bob", "192.0.2.7"},
	} {
		e, ok := ClassifyServerLine(c.line)
		if !ok || e.Code != c.code || e.User != c.user || e.Source != c.source {
			t.Errorf("%q: ok=%v %+v", c.line, ok, e)
		}
	}
	a := explainText(t, "May  7 03:37:04 server sshd[3944]: pam_aad(sshd:auth): Login granted for user as an admin.\n"+
		"May  7 03:37:04 server sshd[3942]: error: PAM: User account has expired for user from IP\n"+
		"May  7 03:37:04 server sshd[3942]: fatal: monitor_read: unpermitted request 104\n")
	if a.Findings[0].Code != "server.account_expired" {
		t.Fatalf("explain: %s", a.Findings[0].Code)
	}
}
