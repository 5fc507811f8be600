package catalog

// Fixes of authentication.
func init() {
	RegisterParams(map[string]Param{
		// A key file to name with -i or IdentityFile.
		"key_path": {Placeholder: "FILE"},
		// The public key to install or to name the server's check with.
		"pub_key": {Placeholder: "FILE"},
		// The public half of an agent key with no file (base64).
		"agent_key": {},
		// The person's options and destination for ssh-copy-id, quoted.
		"copy_id_args": {Placeholder: "HOST", Fragment: true},
		// The options that make ssh offer a key the server accepts but
		// ssh did not offer.
		"other_key_opts": {Fragment: true},
		// Lines of a Host block for ~/.ssh/config, as they are written.
		"config_host":     {Placeholder: "HOST", Fragment: true},
		"config_identity": {Placeholder: "FILE", Fragment: true},
		// A gcloud transcript whose server offers publickey and
		// keyboard-interactive: the sign of a Windows VM.
		"gcp_windows": {},
		// A program's SSH library said it, not OpenSSH (PuTTY is the
		// parameter putty).
		"library": {},
	})
	serverMethods := FixSpec{Key: "fix.auth_server_methods", Command: "sudo sshd -T -C {sshd_spec} | grep -i -E '^(pubkeyauthentication|passwordauthentication|kbdinteractiveauthentication|authenticationmethods) '"}
	library := FixSpec{Key: "fix.family_library_key", If: "library"}
	putty := FixSpec{Key: "fix.family_putty_key", If: "putty"}
	generate := FixSpec{Key: "fix.auth_generate_key", Command: "ssh-keygen -t ed25519"}
	RegisterFixes(map[string][]FixSpec{
		"auth.methods_mismatch": {serverMethods, putty},
		"auth.no_mutual_sig": {
			{Key: "fix.auth_allow_ssh_rsa", Command: "ssh -o PubkeyAcceptedAlgorithms=+ssh-rsa {ssh_args}"},
			generate,
			{Key: "fix.kex_upgrade_server"},
		},
		"auth.no_keys": {
			generate,
			{Key: "fix.auth_copy_id", Command: "ssh-copy-id -i ~/.ssh/id_ed25519.pub {copy_id_args}"},
			library,
		},
		"auth.publickey_denied": {
			{Key: "fix.auth_use_other_key", Command: "ssh {other_key_opts} {ssh_args}", If: "other_key_opts"},
			{Key: "fix.auth_check_login_name"},
			{Key: "fix.auth_server_side", Command: "sudo sshdoctor server --user {user} --key {pub_key}", If: "pub_key"},
			{Key: "fix.auth_server_side", Command: "sudo sshdoctor server --user {user}", Unless: "pub_key"},
			{Key: "fix.sshd_logs", Command: "sudo journalctl -u ssh -u sshd -t sshd -t sshd-session --since '-10min' --no-pager | grep -E 'sshd|Authentication|authorized_keys|user' | tail -20"},
			{Key: "fix.auth_copy_id", Command: "ssh-copy-id -i {pub_key} {copy_id_args}", If: "pub_key"},
			{Key: "fix.gcp_windows_ssh", If: "gcp_windows"},
			library,
			putty,
		},
		"auth.too_many_failures": {
			{Key: "fix.auth_save_agent_pub", Command: "ssh-add -L | grep -F {agent_key} > {key_path}", If: "agent_key"},
			{Key: "fix.auth_identities_only", Command: "ssh -o IdentitiesOnly=yes -i {key_path} {ssh_args}"},
			{Key: "fix.auth_identities_only_config", Command: "Host {config_host}\n  IdentitiesOnly yes\n  IdentityFile {config_identity}"},
			{Key: "fix.auth_trim_agent", Command: "ssh-add -l"},
			{Key: "fix.server_maxauthtries", Command: "sudo sshd -T | grep -i '^maxauthtries'"},
		},
	})
}
