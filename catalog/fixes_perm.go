package catalog

// Fixes of files sshd or ssh refuse for their owner, mode or access list,
// and of key files ssh cannot read: the same whether a check looked at the
// file or explain read the message about it. On Windows the fixes are
// icacls and PowerShell, never chmod.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.perm_key_crlf_windows": {En: "In PowerShell: convert the key file to Unix line endings, then check that ssh can read it",
			Ja: "PowerShell で鍵ファイルの改行を Unix 形式に変換し、ssh が読めるか確認します"},
	})
	RegisterParams(map[string]Param{
		// A PuTTY key file and the OpenSSH key file to convert it to.
		"perm_ppk":     {},
		"perm_ppk_out": {},
		// A key file with Windows line endings.
		"perm_crlf": {},
		// A key file ssh could not read, to check with ssh-keygen.
		"perm_key_check": {},
	})
	RegisterFixes(map[string][]FixSpec{
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
			{Key: "fix.key_missing_path", Command: "ls -l {key_dir}", If: "key_dir"},
			{Key: "fix.key_convert_ppk", Command: "puttygen {perm_ppk} -O private-openssh -o {perm_ppk_out}", OS: OSUnix, If: "perm_ppk"},
			{Key: "fix.key_convert_ppk_windows", Command: "puttygen {perm_ppk}", OS: OSWindows, If: "perm_ppk"},
			{Key: "fix.key_fix_crlf", Command: `sed -i 's/\r$//' {perm_crlf} && ssh-keygen -y -f {perm_crlf}`, OS: OSUnix, If: "perm_crlf"},
			{Key: "fix.perm_key_crlf_windows", Command: "((Get-Content -Raw {perm_crlf}) -replace \"`r`n\", \"`n\") | Set-Content -NoNewline {perm_crlf}; ssh-keygen -y -f {perm_crlf}", OS: OSWindows, If: "perm_crlf"},
			{Key: "fix.key_use_private", Command: "ssh -i {private_key} {ssh_args}", If: "private_key"},
			{Key: "fix.key_check_format", Command: "ssh-keygen -y -f {perm_key_check}", If: "perm_key_check"},
			// A program other than ssh named no file.
			{Key: "fix.family_key_format", Unless: "path"},
		},
	})
}
