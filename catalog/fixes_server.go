package catalog

// Fixes of the server's refusals of an account: the same whether the
// server check saw the account or explain read sshd's log line.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.server_show_accepted_algs":   {En: "On the server, see which key algorithms sshd accepts", Ja: "サーバー上で、sshd が受け付ける鍵の方式を確認してください"},
		"fix.server_sshd_status":          {En: "On the server, see why sshd is not running", Ja: "サーバー上で、sshd が動いていない理由を確認してください"},
		"fix.server_show_permitrootlogin": {En: "On the server, see the PermitRootLogin value sshd uses", Ja: "サーバー上で、sshd が使っている PermitRootLogin の値を確認してください"},
	})
	RegisterParams(map[string]Param{
		// sshd's privilege separation directory, as sshd names it.
		"privsep_dir": {Placeholder: "DIR"},
		// The client's address as the server saw it.
		"source": {Placeholder: "CLIENT_IP"},
		// The TCP wrappers file that allows connections.
		"hosts_allow": {Placeholder: "FILE"},
		// The command that starts sshd on this machine (its systemd unit,
		// or the binary with its configuration), built by the check; a
		// log does not show it, so the fix is then advice.
		"start_command": {Fragment: true},
		// The distribution's command that reinstalls the OpenSSH server.
		"reinstall_command": {Fragment: true},
		// sshd's configuration test as this machine runs it (its binary
		// and configuration file).
		"test_command": {Fragment: true},
		// A host key sshd refused for its permissions.
		"hostkey_bad_perms": {},
		// A host key file that is missing outside /etc/ssh, where
		// ssh-keygen -A does not create keys.
		"hostkey_new": {},
		// sshd's systemd unit.
		"unit": {},
	})
	RegisterFixes(map[string][]FixSpec{
		"server.invalid_user": {
			{Key: "fix.server_list_users", Command: `getent passwd | awk -F: '$3 >= 1000 && $7 !~ /(nologin|false)$/ {print $1}'`},
			{Key: "fix.server_create_user", Command: "sudo useradd -m -s /bin/bash {user}"},
		},
		"server.shell_missing": {
			{Key: "fix.server_set_shell", Command: "sudo usermod -s /bin/bash {user}"},
		},
		// sshd refuses a locked account itself only without PAM (auth.c
		// allowed_user), so turning PAM on is a fix wherever this is seen.
		"server.account_locked": {
			{Key: "fix.server_unlock_account", Command: "sudo usermod -p '*' {user}"},
			{Key: "fix.server_use_pam"},
		},
		"server.account_expired": {
			{Key: "fix.server_unexpire_account", Command: "sudo chage -E -1 {user}"},
		},
		"server.root_login_refused": {
			{Key: "fix.server_login_as_user"},
			{Key: "fix.server_show_permitrootlogin", Command: "sudo sshd -T | grep -i '^permitrootlogin'"},
		},
		"server.privsep_dir": {
			{Key: "fix.server_privsep_dir", Command: "sudo mkdir -p {privsep_dir} && sudo chmod 0755 {privsep_dir}"},
		},
		"server.privsep_user": {
			{Key: "fix.server_privsep_user", Command: "sudo useradd -r -M -d /run/sshd -s /usr/sbin/nologin {user}"},
		},
		"server.tcp_wrappers": {
			{Key: "fix.server_edit_hosts_deny", Command: "echo 'sshd: {source}' | sudo tee -a {hosts_allow}"},
		},
		// sshd could not listen: the address is not this machine's, or
		// another program holds the port.
		"server.bind_failed": {
			{Key: "fix.server_show_listeners", Command: "ip -brief address; sudo ss -ltnp"},
		},
		"server.pubkey_alg_rejected": {
			{Key: "fix.server_use_accepted_alg", Command: "ssh-keygen -t ed25519"},
			{Key: "fix.server_accept_alg"},
			{Key: "fix.server_show_accepted_algs", Command: "sudo sshd -T | grep -i '^pubkeyacceptedalgorithms'"},
		},
		"server.sshd_not_running": {
			{Key: "fix.server_start_sshd", Command: "{start_command}"},
			{Key: "fix.server_show_sshd_log", Command: "sudo journalctl -u {unit} -n 50 --no-pager", If: "unit"},
			{Key: "fix.server_sshd_status", Command: "sudo systemctl status ssh sshd; sudo journalctl -u ssh -u sshd -n 50 --no-pager", Unless: "start_command"},
		},
		"server.sshd_session_missing": {
			{Key: "fix.server_reinstall_sshd", Command: "{reinstall_command}", If: "reinstall_command"},
			{Key: "fix.server_reinstall_sshd", Command: "sudo apt-get install --reinstall openssh-server || sudo dnf reinstall openssh-server", Unless: "reinstall_command"},
		},
		"server.config_error": {
			{Key: "fix.server_fix_config_line", Command: "sudo sed -i '{line}s/^/#/' {file} && {test_command}", If: "line"},
			{Key: "fix.server_test_config", Command: "{test_command}", Unless: "line"},
		},
		"server.hostkey_load": {
			{Key: "fix.server_hostkey_perms", Command: "sudo chown root:root {hostkey_bad_perms} && sudo chmod 600 {hostkey_bad_perms}", If: "hostkey_bad_perms"},
			{Key: "fix.server_generate_hostkeys", Command: "sudo ssh-keygen -q -N '' -t {hostkey_type} -f {hostkey_new}", If: "hostkey_new"},
			{Key: "fix.server_generate_hostkeys", Command: "sudo ssh-keygen -A", Unless: "hostkey_new"},
		},
	})
}
