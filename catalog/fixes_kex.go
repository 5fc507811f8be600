package catalog

import "strings"

// Fixes of a key exchange that found no algorithm in common. Seen from
// the client (sshdoctor check, ssh's "Their offer: …" in explain), the fix
// is an ssh option that re-enables one algorithm the server offers, with
// what that costs, or a server that offers current ones; seen from sshd's
// log, the offer is the client's, and the fix is on the client or in
// sshd_config.
func init() {
	RegisterParams(map[string]Param{
		// The algorithm the server offers that the fix re-enables, named
		// only when the server's offer showed it.
		"kex_alg": {Placeholder: "ALG"},
		// What re-enabling kex_alg costs, set to "yes" for one of them:
		// the description of the fix names the cost.
		"kex_cost_modern":        {},
		"kex_cost_kex_sha1":      {},
		"kex_cost_kex_dh1024":    {},
		"kex_cost_sig_sha1":      {},
		"kex_cost_dsa":           {},
		"kex_cost_cbc":           {},
		"kex_cost_3des":          {},
		"kex_cost_mac_sha1":      {},
		"kex_cost_mac_truncated": {},
		"kex_cost_mac_md5":       {},
		// Set when no algorithm the server offers can be re-enabled in
		// this ssh (it implements none, or OpenSSH removed them all).
		"kex_no_override": {},
		// Several slots need an override: their options together, and
		// the ~/.ssh/config block with all of them, as sshdoctor wrote
		// them (on the first of the findings); kex_several is set on
		// each of them, so none repeats a block of its own.
		"kex_overrides": {Fragment: true},
		"kex_config":    {Fragment: true},
		"kex_several":   {},
		// sshd's log: the offer is the client's, the server refused it.
		// kex_server_weak is set when the client's algorithm is one
		// OpenSSH turned off for its weakness.
		"kex_server_side": {},
		"kex_server_weak": {},
		// The compression setting that connects (yes or no).
		"kex_compression": {},
	})

	// The description of each cost (sshwire.Weakness names them).
	costPhrase := map[string]string{"modern": "fix.kex_override_modern", "kex_sha1": "fix.kex_override_kex_sha1",
		"kex_dh1024": "fix.kex_override_kex_dh1024", "sig_sha1": "fix.kex_override_ssh_rsa", "dsa": "fix.kex_override_dsa",
		"cbc": "fix.kex_override_cbc", "3des": "fix.kex_override_3des", "mac_sha1": "fix.kex_override_mac_sha1",
		"mac_truncated": "fix.kex_override_mac_truncated", "mac_md5": "fix.kex_override_mac_md5"}
	newHostKeys := FixSpec{Key: "fix.kex_server_new_hostkeys", Command: "sudo ssh-keygen -A && sudo sshd -T | grep -i -E '^(hostkey|hostkeyalgorithms) '", Unless: "kex_server_side,forge"}
	serverCheck := FixSpec{Key: "fix.kex_server_check", Command: "sudo sshd -T | grep -i -E '^(kexalgorithms|ciphers|macs) '", Unless: "kex_server_side,forge"}
	// specs are the fixes of a slot: its ssh option, what ssh -Q calls
	// it, the costs one of its algorithms can have, and what to look at
	// on the server.
	specs := func(option, query string, costs []string, server FixSpec) []FixSpec {
		var out []FixSpec
		for _, c := range costs {
			out = append(out, FixSpec{Key: costPhrase[c], Command: "ssh -o " + option + "=+{kex_alg} {ssh_args}", If: "kex_cost_" + c})
		}
		sshdValue := "sudo sshd -T | grep -i '^" + strings.ToLower(option) + "'"
		return append(out,
			FixSpec{Key: "fix.kex_no_override", Command: "ssh -Q " + query, If: "kex_no_override"},
			FixSpec{Key: "fix.kex_upgrade_client", If: "kex_server_side"},
			// A git forge keeps its algorithms modern: what is old is
			// this ssh, or a configuration that narrows its lists.
			FixSpec{Key: "fix.kex_forge_client", Command: "ssh -G {ssh_args} | grep -i -E '^(kexalgorithms|hostkeyalgorithms|ciphers|macs) '", If: "forge"},
			FixSpec{Key: "fix.kex_server_allow", Command: sshdValue, If: "kex_server_side", Unless: "kex_server_weak"},
			FixSpec{Key: "fix.kex_server_allow_weak", Command: sshdValue, If: "kex_server_weak"},
			FixSpec{Key: "fix.family_update_client", If: "library"},
			server,
			FixSpec{Key: "fix.kex_upgrade_server", Unless: "kex_server_side,forge"},
			FixSpec{Key: "fix.kex_override_all", Command: "ssh {kex_overrides} {ssh_args}", If: "kex_overrides"},
			FixSpec{Key: "fix.kex_config_host", Command: "{kex_config}", If: "kex_config"},
			FixSpec{Key: "fix.kex_config_host", Command: "Host {config_host}\n  " + option + " +{kex_alg}", If: "kex_alg", Unless: "kex_several"},
		)
	}
	RegisterFixes(map[string][]FixSpec{
		"kex.no_kex_alg":     specs("KexAlgorithms", "kex", []string{"modern", "kex_sha1", "kex_dh1024"}, serverCheck),
		"kex.no_hostkey_alg": specs("HostKeyAlgorithms", "key-sig", []string{"modern", "sig_sha1", "dsa"}, newHostKeys),
		"kex.no_cipher":      specs("Ciphers", "cipher", []string{"modern", "cbc", "3des"}, serverCheck),
		"kex.no_mac":         specs("MACs", "mac", []string{"modern", "mac_sha1", "mac_truncated", "mac_md5"}, serverCheck),
		"kex.no_compression": {
			{Key: "fix.kex_compression", Command: "ssh -o Compression={kex_compression} {ssh_args}"},
		},
	})
}
