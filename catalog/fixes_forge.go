package catalog

// Fixes of a login a git forge refused: the same whether the check made
// the login or explain read ssh's or git's output. Nothing on the
// service's server is the person's to change; their key and their login
// name are.
func init() {
	RegisterParams(map[string]Param{
		// The public key of the key the service refused, when the check
		// knows which file it is.
		"forge_pub": {},
		// Set when ssh offered no key at all.
		"forge_no_key": {},
		// Set when the keys ssh offered are already listed as evidence.
		"forge_offered": {},
		// The login and host as the person uses them (git@github.com).
		"forge_dest": {Placeholder: "git@HOST"},
	})
	RegisterFixes(map[string][]FixSpec{
		"auth.forge_key_unknown": {
			{Key: "fix.auth_generate_key", Command: "ssh-keygen -t ed25519", If: "forge_no_key"},
			{Key: "fix.forge_add_key", Command: "cat {forge_pub}", If: "forge_pub", OS: OSUnix},
			{Key: "fix.forge_add_key", Command: "Get-Content {forge_pub}", If: "forge_pub", OS: OSWindows},
			{Key: "fix.forge_show_pub", Command: "cat ~/.ssh/id_ed25519.pub ~/.ssh/id_ecdsa.pub ~/.ssh/id_rsa.pub 2>/dev/null", Unless: "forge_pub", OS: OSUnix},
			{Key: "fix.forge_show_pub", Command: `Get-Content "$env:USERPROFILE\.ssh\*.pub"`, Unless: "forge_pub", OS: OSWindows},
			{Key: "fix.forge_which_keys", Command: "ssh -vT {forge_dest} 2>&1 | grep -E 'Offering|Server accepts|identity file'", Unless: "forge_offered", OS: OSUnix},
			{Key: "fix.forge_which_keys", Command: "ssh -vT {forge_dest} 2>&1 | Select-String 'Offering|Server accepts|identity file'", Unless: "forge_offered", OS: OSWindows},
			{Key: "fix.forge_test", Command: "ssh -T {forge_dest}"},
		},
		// Only a service whose login name is fixed (git) gives this.
		"auth.forge_user": {
			{Key: "fix.forge_user", Command: "ssh -T git@{forge_host}"},
			{Key: "fix.forge_user_config", Command: "Host {forge_host}\n  User git"},
		},
	})
}
