package catalog

// Fixes of the server's refusals of an account: the same whether the
// server check saw the account or explain read sshd's log line.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.server_show_permitrootlogin": {En: "On the server, see the PermitRootLogin value sshd uses", Ja: "サーバー上で、sshd が使っている PermitRootLogin の値を確認してください"},
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
	})
}
