package catalog

// The fixes of each code, with the parameters their commands are filled
// with. Checks and explain both attach them through diag.Finding.AddFixes,
// so a code gives the same fixes whichever command found it; a value that
// explain cannot see in pasted text shows as its placeholder.
func init() {
	RegisterParams(map[string]Param{
		// The destination as ssh names it in known_hosts: host, or
		// [host]:port when the port is not 22.
		"host":    {Placeholder: "HOST"},
		"address": {Placeholder: "ADDRESS"},
		"port":    {Placeholder: "PORT"},
		"user":    {Placeholder: "USER"},
		// The known_hosts file that holds (or is to hold) the entry.
		"known_hosts": {Placeholder: "KNOWN_HOSTS"},
		// The host key's type as its file on the server is named
		// (ssh_host_<type>_key.pub): ed25519, ecdsa, rsa, dsa.
		"hostkey_type": {Placeholder: "TYPE"},
		// The exact known_hosts line for a key sshdoctor saw itself; never
		// a placeholder, since a line typed in its place would be a guess.
		"known_hosts_line": {},
		// The person's own ssh options and destination, quoted, so a fix
		// repeats their -F, -p and user@host.
		"ssh_args": {Placeholder: "HOST", Fragment: true},
		// Set (to "yes") when the client is PuTTY or WinSCP, which keep
		// host keys in the registry rather than in known_hosts.
		"putty": {},
	})

	RegisterFixes(map[string][]FixSpec{
		"hostkey.changed": {
			{Key: "fix.hostkey_verify_on_server", Command: "ssh-keygen -lf /etc/ssh/ssh_host_{hostkey_type}_key.pub"},
			{Key: "fix.hostkey_remove_old", Command: "ssh-keygen -R '{host}' -f {known_hosts}", Unless: "putty"},
			{Key: "fix.family_putty_hostkey", If: "putty"},
		},
		"hostkey.unknown": {
			{Key: "fix.hostkey_verify_on_server", Command: "ssh-keygen -lf /etc/ssh/ssh_host_{hostkey_type}_key.pub"},
			{Key: "fix.hostkey_add_after_verify", Command: "echo '{known_hosts_line}' >> {known_hosts}", Unless: "putty"},
			{Key: "fix.hostkey_accept_new", Command: "ssh -o StrictHostKeyChecking=accept-new {ssh_args}", Unless: "putty"},
			{Key: "fix.putty_hostkey_unknown", If: "putty"},
		},
		"hostkey.revoked": {
			{Key: "fix.hostkey_revoked_contact"},
		},
		"hostkey.ip_mismatch": {
			{Key: "fix.hostkey_remove_ip", Command: "ssh-keygen -R '{address}' -f {known_hosts}"},
		},
		"kex.bad_hostkey_len": {
			{Key: "fix.kex_server_new_hostkeys", Command: "sudo ssh-keygen -A && sudo sshd -T | grep -i -E '^(hostkey|hostkeyalgorithms) '"},
		},
	})
}
