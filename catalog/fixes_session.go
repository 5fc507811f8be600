package catalog

// Fixes after authentication: the account, its shell, the session.
func init() {
	RegisterParams(map[string]Param{
		// The connection as sshd -T -C matches it: user=…,host=…,addr=…
		// (the client's address as the server saw it).
		"sshd_spec": {Placeholder: "user=USER,host=CLIENT_IP,addr=CLIENT_IP"},
	})
	RegisterFixes(map[string][]FixSpec{
		"session.account_expired": {
			{Key: "fix.session_unexpire", Command: "sudo chage -l {user}; sudo chage -E -1 {user}"},
		},
		"session.pam_nologin": {
			{Key: "fix.session_nologin_file", Command: "ls -l /etc/nologin /run/nologin; systemctl is-system-running"},
		},
		"session.closed": {
			{Key: "fix.session_check_server", Command: "sudo sshd -T -C {sshd_spec} | grep -i -E '^(forcecommand|chrootdirectory|usepam) '; getent passwd {user}"},
			{Key: "fix.sshd_logs", Command: "sudo journalctl -u ssh -u sshd -t sshd -t sshd-session --since '-10min' --no-pager | tail -50"},
		},
		"session.nologin_shell": {
			{Key: "fix.session_set_shell", Command: "getent passwd {user}; sudo usermod -s /bin/bash {user}"},
		},
	})
}
