package catalog

// Fixes of files sshd or ssh refuse for their owner, mode or access list,
// and of key files ssh cannot read: the same whether a check looked at the
// file or explain read the message about it. On Windows the fixes are
// icacls and PowerShell, never chmod.
func init() {
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
	})
}
