package catalog

import "strings"

// Fixes of the client's layers: TCP, the identification exchange, names.
func init() {
	RegisterParams(map[string]Param{
		// The address ssh connected to (an IP address, or a name through a proxy).
		"hostname": {Placeholder: "HOST"},
		// The address the server saw this client come from.
		"local_addr": {Placeholder: "YOUR.ADDRESS"},
		// The person's own options and destination for `ssh -G`, quoted.
		"ssh_g_args": {Placeholder: "HOST", Fragment: true},
		// The person's own options and destination for a command run
		// with another program (sshdoctor), quoted; with port 22 in
		// args_port_22.
		"sshdoctor_args": {Placeholder: "HOST", Fragment: true},
		"args_port_22":   {Placeholder: "-p 22 HOST", Fragment: true},
		// Conditions of the evidence, set to "yes" when they hold.
		"lan_forward":   {}, // a port other than 22 on a LAN address: often a VM's forward
		"local_forward": {}, // the address is this machine's own: often a forward to a VM
		"ipv6":          {}, // the address that failed is IPv6
		"macos_lan":     {}, // macOS and a LAN address: the Local Network permission
		"protocol":      {}, // the protocol the port speaks instead, when named
		// A git forge: the server is not the person's, so its fixes are
		// not given; forge_alt is its SSH endpoint on port 443 when that
		// answered, with the ~/.ssh/config block that uses it.
		"forge":          {},
		"forge_alt":      {},
		"forge_config":   {Fragment: true},
		"forge_alt_host": {Placeholder: "HOST"},
		"forge_alt_port": {Placeholder: "PORT"},
	})

	logs := "sudo journalctl -u ssh -u sshd -t sshd -t sshd-session --since '-10min' --no-pager | tail -50"
	closed := []FixSpec{
		{Key: "fix.sshd_logs", Command: logs},
		{Key: "fix.sshd_test", Command: "sudo sshd -t && sudo ls -l /etc/ssh/ssh_host_*_key"},
		{Key: "fix.hosts_deny", Command: "grep -v '^#' /etc/hosts.deny; sudo fail2ban-client status sshd"},
		{Key: "fix.forward_target", Command: "sshdoctor vm --port {port}"},
		{Key: "fix.sshdoctor_server", Command: "sudo sshdoctor server --port {port}"},
	}
	lookup := FixSpec{Key: "fix.lookup_name", Command: "getent hosts {hostname}", OS: OSLinux}
	// macOS has no getent; Windows resolves with its own resolver.
	lookupDarwin := FixSpec{Key: "fix.lookup_name", Command: "dscacheutil -q host -a name {hostname}", OS: OSDarwin}
	lookupWindows := FixSpec{Key: "fix.lookup_name", Command: "Resolve-DnsName {hostname}", OS: OSWindows}
	// A TCP failure to a git forge: what the person can change on their
	// side instead of the server's fixes.
	forge := []FixSpec{
		{Key: "fix.forge_network", If: "forge", Unless: "forge_alt"},
		{Key: "fix.forge_alt_config", Command: "{forge_config}", If: "forge_alt"},
		{Key: "fix.forge_alt_test", Command: "ssh -T -p {forge_alt_port} git@{forge_alt_host}", If: "forge_alt"},
		// From a pasted text the endpoint was not tried: the service's
		// documentation names it.
		{Key: "fix.forge_alt_config_docs", Command: "Host {forge_host}\n  HostName {forge_alt_host}\n  Port {forge_alt_port}\n  User git", If: "forge_alt_docs"},
		{Key: "fix.forge_alt_test", Command: "ssh -T -p {forge_alt_port} git@{forge_alt_host}", If: "forge_alt_docs"},
	}
	tcp := func(specs ...FixSpec) []FixSpec {
		for i := range specs {
			specs[i].Unless = strings.Join(append(specs[i].unless(), "forge"), ",")
		}
		return append(specs, forge...)
	}
	RegisterFixes(map[string][]FixSpec{
		"tcp.refused": tcp(
			FixSpec{Key: "fix.sshd_status", Command: "sudo systemctl status ssh sshd ssh.socket"},
			FixSpec{Key: "fix.sshd_listen", Command: "sudo ss -ltnp | grep -w {port}"},
			FixSpec{Key: "fix.sshdoctor_server", Command: "sudo sshdoctor server --port {port}"},
			FixSpec{Key: "fix.vm_forward", Command: "sshdoctor vm --from lan --port {port}", If: "lan_forward"},
			FixSpec{Key: "fix.try_port_22", Command: "sshdoctor {args_port_22}", If: "args_port_22"},
			FixSpec{Key: "fix.reject_rule", Command: "sudo iptables -S INPUT | grep -E 'REJECT|dport {port}'; sudo nft list ruleset | grep -E 'reject|dport {port}'"},
		),
		"tcp.timeout": tcp(
			FixSpec{Key: "fix.drop_rule", Command: "sudo iptables -S INPUT; sudo nft list ruleset"},
			FixSpec{Key: "fix.check_address", Command: "ssh -G {ssh_g_args} | grep -E '^(hostname|port) '"},
			FixSpec{Key: "fix.host_up", Command: "ping -c 3 {address}"},
		),
		"tcp.no_route": tcp(
			FixSpec{Key: "fix.macos_local_network", Command: `open "x-apple.systempreferences:com.apple.preference.security"`, If: "macos_lan"},
			FixSpec{Key: "fix.host_up", Command: "ping -c 3 {address}"},
			FixSpec{Key: "fix.reject_rule", Command: "sudo iptables -S | grep -e icmp-host-prohibited -e REJECT; sudo firewall-cmd --list-all"},
		),
		"tcp.net_unreachable": tcp(
			FixSpec{Key: "fix.route", Command: "ip route get {address}"},
			FixSpec{Key: "fix.force_ipv4", Command: "sshdoctor -4 {sshdoctor_args}", If: "ipv6"},
		),
		"banner.closed": closed,
		"banner.reset":  closed,
		"banner.throttled": {
			{Key: "fix.maxstartups", Command: "sudo ss -tn state established '( sport = :{port} )' | wc -l; sudo sshd -T | grep -i -E '^(maxstartups|persourcepenalties)'"},
			{Key: "fix.sshd_logs", Command: logs},
			{Key: "fix.penalty_exempt", Command: "echo 'PerSourcePenaltyExemptList {local_addr}' | sudo tee /etc/ssh/sshd_config.d/50-penalty-exempt.conf && sudo sshd -t && sudo systemctl reload ssh"},
		},
		"banner.timeout": {
			{Key: "fix.silent_port", Command: "sudo ss -ltnp | grep -w {port}"},
			{Key: "fix.forward_target", Command: "sshdoctor vm --port {port}", If: "local_forward"},
		},
		"banner.not_ssh": {
			{Key: "fix.right_port", Command: "sudo ss -ltnp | grep -e sshd -e ':{port} '", If: "protocol"},
			{Key: "fix.right_port_unknown", Command: "sudo ss -ltnp | grep -e sshd -e ':{port} '", Unless: "protocol"},
		},
		"banner.protocol1": {
			{Key: "fix.upgrade_ssh1"},
		},
		"dns.nxdomain": {
			{Key: "fix.check_hostname", Command: "ssh -G {ssh_g_args} | grep -E '^(hostname|port|user) '", OS: OSUnix},
			{Key: "fix.check_hostname", Command: "ssh -G {ssh_g_args} | Select-String '^(hostname|port|user) '", OS: OSWindows},
			lookup, lookupDarwin, lookupWindows,
			{Key: "fix.use_address"},
		},
		"dns.tempfail": {
			{Key: "fix.check_resolver", Command: "cat /etc/resolv.conf; resolvectl status 2>/dev/null | head -20", OS: OSLinux},
			{Key: "fix.check_resolver", Command: "scutil --dns | head -20", OS: OSDarwin},
			{Key: "fix.check_resolver", Command: "ipconfig /all", OS: OSWindows},
			lookup, lookupDarwin, lookupWindows,
		},
	})
}
