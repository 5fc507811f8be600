package catalog

// Fixes of files sshd or ssh refuse for their owner, mode or access list,
// and of key files ssh cannot read: the same whether a check looked at the
// file or explain read the message about it. On Windows the fixes are
// icacls and PowerShell, never chmod.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.perm_strictmodes": {En: "On the server, make {path} and every directory above it owned by root or {user} and not writable by group or others (StrictModes refuses it otherwise)",
			Ja: "サーバー上で {path} とその上のすべてのディレクトリを root か {user} の所有にし、グループや他者が書き込めないようにします (そうでないと StrictModes が拒否します)"},
		"fix.perm_regular_file": {En: "Make {path} a regular file: sshd reads authorized keys only from one",
			Ja: "{path} を通常のファイルにします。sshd は通常のファイルからしか公開鍵を読みません"},
		"fix.perm_authkeys_owner": {En: "On the server, give {user} back their ~/.ssh and authorized_keys (sshd reads them as the user)",
			Ja: "サーバー上で ~/.ssh と authorized_keys の所有者を {user} に戻します (sshd はこれらをそのユーザーの権限で読みます)"},
		"fix.perm_restorecon": {En: "On SELinux systems, restore the files' security labels",
			Ja: "SELinux のシステムでは、ファイルのセキュリティ ラベルを元に戻します"},
		"fix.key_fix_layout": {En: "OpenSSH reads this key only with Unix line endings, its BEGIN line first and a line break at the end: rewrite it so (a copy is kept as .bak), then check that ssh can read it",
			Ja: "OpenSSH がこの鍵を読めるのは、改行が Unix 形式で、BEGIN の行で始まり、改行で終わるときだけです。そのように書き直し (.bak に控えを残します)、ssh が読めるか確認してください"},
		"fix.key_fix_layout_maybe": {En: "If the file was copied, pasted or edited on Windows: rewrite it with Unix line endings, nothing before its BEGIN line and a line break at the end (a copy is kept as .bak), then check again",
			Ja: "ファイルを Windows でコピー、貼り付け、編集した場合は、改行を Unix 形式にし、BEGIN の行の前に何もなく、最後が改行で終わるように書き直して (.bak に控えを残します)、もう一度確認してください"},
	})
	RegisterParams(map[string]Param{
		// The owner a refused path must have (the user inside the home
		// directory, root above it).
		"perm_owner": {},
		// Conditions of the evidence, set to "yes" when they hold: the
		// path is writable by group or others and may be made not; it is
		// a shared system directory (/tmp) that must stay writable; it is
		// not a regular file; it is Windows' administrators_authorized_keys
		// (Administrators own it, not the user); nothing more precise is
		// known than the message.
		"perm_writable":    {},
		"perm_shared_dir":  {},
		"perm_not_regular": {},
		"perm_admin_keys":  {},
		"perm_advice":      {},
		// The path that stops the user from reading authorized_keys, and
		// the change of mode that lets the user through (u+r, o+x);
		// perm_give is "yes" when the path is inside the home directory
		// and the user must own it.
		"perm_blocked": {},
		"perm_grant":   {},
		"perm_give":    {},
		// The user's ~/.ssh as a log names it, to give back to the user;
		// the directory whose SELinux labels to restore.
		"perm_ssh_dir":   {},
		"perm_label_dir": {},
		// A PuTTY key file and the OpenSSH key file to convert it to.
		"perm_ppk":     {},
		"perm_ppk_out": {},
		// A key file with Windows line endings.
		// An OpenSSH key with Windows line endings, text before its BEGIN
		// line or no line break after its END line.
		"perm_layout": {},
		// A key file ssh could not read, to check with ssh-keygen.
		"perm_key_check": {},
	})

	// Windows OpenSSH's rule for authorized keys: no inherited entries;
	// the owner (Administrators for administrators_authorized_keys) and
	// SYSTEM only. Administrators and SYSTEM are written as SIDs, so the
	// command works in every language; the user is the account's name.
	authKeysACL := []FixSpec{
		{Key: "fix.family_windows_authkeys_acl", Command: `icacls {path} /inheritance:r /grant "*S-1-5-32-544:F" /grant "*S-1-5-18:F"`, OS: OSWindows, If: "perm_admin_keys"},
		{Key: "fix.family_windows_authkeys_acl", Command: `icacls {path} /inheritance:r /grant:r "{user}:F" /grant:r "*S-1-5-18:F"`, OS: OSWindows, Unless: "perm_admin_keys"},
	}
	RegisterFixes(map[string][]FixSpec{
		// One finding per refused path component: its owner, its mode,
		// or (for /tmp and the like) a place for the keys elsewhere.
		"server.strictmodes": append([]FixSpec{
			{Key: "fix.server_chown", Command: "sudo chown {perm_owner}: {path}", OS: OSUnix, If: "perm_owner"},
			{Key: "fix.server_chmod", Command: "sudo chmod go-w {path}", OS: OSUnix, If: "perm_writable"},
			{Key: "fix.server_move_keys", OS: OSUnix, If: "perm_shared_dir"},
			{Key: "fix.perm_strictmodes", OS: OSUnix, If: "perm_advice"},
		}, authKeysACL...),
		"server.authkeys_unreadable": append([]FixSpec{
			{Key: "fix.server_chmod_access", Command: "sudo chmod {perm_grant} {perm_blocked}", OS: OSUnix, If: "perm_grant"},
			{Key: "fix.perm_authkeys_owner", Command: "sudo chown {user}: {perm_blocked}", OS: OSUnix, If: "perm_give"},
			{Key: "fix.perm_authkeys_owner", Command: "sudo chown -R {user}: {perm_ssh_dir}", OS: OSUnix, If: "perm_ssh_dir"},
			{Key: "fix.server_chmod_access", OS: OSUnix, If: "perm_advice"},
			{Key: "fix.perm_regular_file", OS: OSUnix, If: "perm_not_regular"},
			{Key: "fix.perm_restorecon", Command: "sudo restorecon -Rv {perm_label_dir}", OS: OSUnix, If: "perm_label_dir"},
		}, authKeysACL...),
		// ssh's own rule for ~/.ssh/config: owned by the user, writable by
		// nobody else; on Windows, an access list of the user and SYSTEM.
		"perm.ssh_config": {
			{Key: "fix.chmod_ssh_config", Command: "chmod 600 {file}\nchown \"$(id -un)\" {file}", OS: OSUnix},
			{Key: "fix.family_windows_config_acl", Command: `icacls {file} /inheritance:r /grant:r "${env:USERDOMAIN}\${env:USERNAME}:F" /grant:r "*S-1-5-18:F"`, OS: OSWindows},
			{Key: "fix.icacls_show", Command: "icacls {file}", OS: OSWindows},
		},
		// The access list passes: nothing to fix.
		"perm.acl_ok": {},
		// A key file ssh cannot read, by what it holds.
		"key.invalid_format": {
			{Key: "fix.key_missing_path", Command: "ls -l {key_dir}", OS: OSUnix, If: "key_dir"},
			{Key: "fix.key_missing_path", Command: "Get-ChildItem -Force -LiteralPath {key_dir}", OS: OSWindows, If: "key_dir"},
			{Key: "fix.key_convert_ppk", Command: "puttygen {perm_ppk} -O private-openssh -o {perm_ppk_out}", OS: OSUnix, If: "perm_ppk"},
			{Key: "fix.key_convert_ppk_windows", Command: "puttygen {perm_ppk}", OS: OSWindows, If: "perm_ppk"},
			{Key: "fix.key_fix_layout", Command: "cp {perm_layout} {perm_layout}.bak && perl -0pi -e 's/\\r\\n/\\n/g; s/\\A.*?(?=-----BEGIN)//s; $_ .= \"\\n\" unless /\\n\\z/' {perm_layout} && ssh-keygen -y -f {perm_layout}", OS: OSUnix, If: "perm_layout"},
			{Key: "fix.key_fix_layout", Command: "Copy-Item -LiteralPath {perm_layout} -Destination ({perm_layout} + '.bak'); $k = (Get-Content -Raw -LiteralPath {perm_layout}) -replace \"`r`n\", \"`n\" -replace '^[\\s\\S]*?(?=-----BEGIN)', ''; if (-not $k.EndsWith(\"`n\")) { $k += \"`n\" }; Set-Content -NoNewline -Encoding ascii -LiteralPath {perm_layout} -Value $k; ssh-keygen -y -f {perm_layout}", OS: OSWindows, If: "perm_layout"},
			{Key: "fix.key_use_private", Command: "ssh -i {private_key} {ssh_args}", If: "private_key"},
			{Key: "fix.key_check_format", Command: "ssh-keygen -y -f {perm_key_check}", If: "perm_key_check"},
			// What a file copied or edited on Windows most often has wrong,
			// put right in one go; harmless on a file without it.
			{Key: "fix.key_fix_layout_maybe", Command: "cp {perm_key_check} {perm_key_check}.bak && perl -0pi -e 's/\\r\\n/\\n/g; s/\\A.*?(?=-----BEGIN)//s; $_ .= \"\\n\" unless /\\n\\z/' {perm_key_check} && ssh-keygen -y -f {perm_key_check}", OS: OSUnix, If: "perm_key_check"},
			{Key: "fix.key_fix_layout_maybe", Command: "Copy-Item -LiteralPath {perm_key_check} -Destination ({perm_key_check} + '.bak'); $k = (Get-Content -Raw -LiteralPath {perm_key_check}) -replace \"`r`n\", \"`n\" -replace '^[\\s\\S]*?(?=-----BEGIN)', ''; if (-not $k.EndsWith(\"`n\")) { $k += \"`n\" }; Set-Content -NoNewline -Encoding ascii -LiteralPath {perm_key_check} -Value $k; ssh-keygen -y -f {perm_key_check}", OS: OSWindows, If: "perm_key_check"},
			// A program other than ssh named no file.
			{Key: "fix.family_key_format", Unless: "path"},
		},
	})
}
