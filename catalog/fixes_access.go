package catalog

// Fixes of sshd's access rules (AllowUsers, DenyUsers, AllowGroups,
// DenyGroups), of an unsafe ChrootDirectory and of an AuthorizedKeysCommand
// sshd cannot use: the same whether the server check read the
// configuration and the file system or explain read sshd's log line. The
// check knows the line, the group, the component; a log line names the
// user, the client and at most one path, so explain's fixes are the ones
// that need no more.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.access_show_rules": {En: "On the server, see the AllowUsers, DenyUsers, AllowGroups and DenyGroups rules sshd applies to {user}, then change sshd_config",
			Ja: "サーバー上で、sshd が {user} に適用する AllowUsers、DenyUsers、AllowGroups、DenyGroups の規則を確認し、sshd_config を修正してください"},
		"fix.access_reload_sshd": {En: "After changing sshd_config, test it and reload sshd",
			Ja: "sshd_config を変更したら、設定をテストしてから sshd をリロードしてください"},
		"fix.access_akc_move": {En: "Move the command into a directory only root can write (such as /usr/local/libexec) and give AuthorizedKeysCommand its new path",
			Ja: "root だけが書き込めるディレクトリ (/usr/local/libexec など) にコマンドを移し、AuthorizedKeysCommand に新しいパスを指定してください"},
		"fix.access_akc_reach": {En: "sshd looks the command up as AuthorizedKeysCommandUser: let that user reach it and every directory above it",
			Ja: "sshd は AuthorizedKeysCommandUser の権限でコマンドを探します。そのユーザーがコマンドとその上位のすべてのディレクトリにアクセスできるようにしてください"},
		"fix.access_show_akc": {En: "On the server, see the command sshd runs to fetch keys and the user it runs it as",
			Ja: "サーバー上で、sshd が鍵の取得に実行するコマンドと、その実行ユーザーを確認してください"},
	})
	RegisterParams(map[string]Param{
		// The command that reloads sshd on this machine (its unit, or a
		// signal to its process), built by whoever knows it.
		"access_reload": {Fragment: true},
		// sshd as this machine runs it (its binary and configuration
		// file), to print the settings it applies.
		"access_sshd": {Fragment: true},
		// Set when the DenyUsers line holds only the pattern that matched:
		// the line is commented out rather than edited.
		"access_deny_alone": {},
		// The DenyUsers pattern that matched, as a sed regular expression,
		// when it is a plain word; otherwise the edit is advice.
		"access_deny_re": {},
		// The user name to append to AllowUsers, when it is a plain word
		// that sed can take and the user is refused whatever the client.
		"access_add_user": {},
		// The DenyGroups group the user is in.
		"access_group": {},
		// That group when it is one of the user's supplementary groups (a
		// primary group cannot be left with gpasswd).
		"access_leave_group": {},
		// A group AllowGroups names that exists on this machine.
		"access_allowed_group": {},
		// Set when ChrootDirectory is not an absolute path.
		"access_chroot_relative": {},
		// The ChrootDirectory to create, when a component is missing or
		// not a directory.
		"access_chroot_missing": {},
		// The component of the ChrootDirectory with a bad owner or mode.
		"access_chroot_bad": {},
		// The ChrootDirectory itself, when it is that component.
		"access_chroot_top": {},
		// The AuthorizedKeysCommand file, or a directory above it, with a
		// bad owner or mode that chown and chmod may fix.
		"access_akc_unsafe": {},
		// A directory above the AuthorizedKeysCommand with a bad owner or
		// mode: a shared directory (/tmp) must not be changed.
		"access_akc_dir": {},
		// The AuthorizedKeysCommand that sshd cannot find.
		"access_akc_missing": {},
		// The AuthorizedKeysCommand that sshd, as AuthorizedKeysCommandUser,
		// was not permitted to look up.
		"access_akc_unreachable": {},
		// The AuthorizedKeysCommand that ran and failed.
		"access_akc_failed": {},
		// The AuthorizedKeysCommandUser and the command line as sshd runs
		// it (quoted by the check), to run it the same way by hand.
		"access_akc_user": {Placeholder: "USER"},
		"access_akc_run":  {Fragment: true},
	})
	showRules := FixSpec{Key: "fix.access_show_rules", Command: "{access_sshd} -T -C {sshd_spec} | grep -i -E '^(allow|deny)(users|groups)'"}
	// The check's edit of the line includes the test and the reload.
	reload := FixSpec{Key: "fix.access_reload_sshd", Command: "{test_command} && {access_reload}", Unless: "line"}
	RegisterFixes(map[string][]FixSpec{
		"server.allowusers": {
			{Key: "fix.server_edit_allowusers", Command: "sudo sed -i '{line}s/$/ {access_add_user}/' {file} && {test_command} && {access_reload}", If: "line"},
			showRules,
			reload,
		},
		"server.denyusers": {
			{Key: "fix.server_edit_denyusers", Command: "sudo sed -i '{line}s/^/#/' {file} && {test_command} && {access_reload}", If: "access_deny_alone"},
			{Key: "fix.server_edit_denyusers", Command: `sudo sed -i -E '{line}s/[[:space:]]{access_deny_re}([[:space:]]|$)/\1/' {file} && {test_command} && {access_reload}`, If: "line", Unless: "access_deny_alone"},
			showRules,
			reload,
		},
		"server.allowgroups": {
			{Key: "fix.server_add_to_group", Command: "sudo usermod -aG {access_allowed_group} {user}"},
			showRules,
			reload,
		},
		"server.denygroups": {
			{Key: "fix.server_leave_group", Command: "sudo gpasswd -d {user} {access_leave_group}", If: "access_group"},
			showRules,
			reload,
		},
		"server.chroot": {
			{Key: "fix.server_chroot_absolute", If: "access_chroot_relative"},
			{Key: "fix.server_chroot_create", Command: "sudo mkdir -p {access_chroot_missing} && sudo chown root:root {access_chroot_missing} && sudo chmod 755 {access_chroot_missing}", If: "access_chroot_missing"},
			{Key: "fix.server_chroot_perms", Command: "sudo chown root:root {access_chroot_bad} && sudo chmod go-w {access_chroot_bad}", If: "access_chroot_bad"},
			{Key: "fix.server_chroot_writable_subdir", Command: "sudo mkdir -p {access_chroot_top}/upload && sudo chown {user}: {access_chroot_top}/upload", If: "access_chroot_top"},
		},
		"server.akc_error": {
			{Key: "fix.server_fix_akc", Command: "sudo chown root: {access_akc_unsafe} && sudo chmod go-w {access_akc_unsafe}", If: "access_akc_unsafe"},
			{Key: "fix.access_akc_move", If: "access_akc_dir"},
			{Key: "fix.server_test_akc", Command: "ls -l {access_akc_missing}", If: "access_akc_missing"},
			{Key: "fix.access_akc_reach", Command: "sudo -u {access_akc_user} ls -l {access_akc_unreachable}", If: "access_akc_unreachable"},
			{Key: "fix.server_test_akc", Command: "sudo -u {access_akc_user} {access_akc_run}", If: "access_akc_failed"},
			{Key: "fix.server_test_config", Command: "{test_command}", If: "test_command"},
			// sshd -T cannot print a configuration sshd -t rejects.
			{Key: "fix.access_show_akc", Command: "{access_sshd} -T | grep -i -E '^authorized(keys|principals)command'", Unless: "test_command"},
		},
	})
}
