// Package server implements `sshdoctor server`: run on the machine whose
// sshd refuses logins, it finds why and names the exact fix. Read-only.
//
// Checks, in dependency order (Checks returns them):
//
//	server-sshd              the sshd program, its version, the running daemons and
//	                         which configuration they use (-f on their command line,
//	                         --sshd-config, else /etc/ssh/sshd_config), systemd units
//	server-config            sshd -t: config_error with file:line, hostkey_load, privsep_dir
//	server-effective-config  sshd -T -C user=,host=,addr= (Match blocks applied), plus the
//	                         files read here for where each value comes from: Include
//	                         drop-ins and "first value wins" (config_override)
//	server-service           running? socket activation? port taken? why it stopped
//	server-listeners         /proc/net/tcp{,6} and the owning process against the config
//	server-account           passwd/group/NSS: invalid user, shell, nologin, home,
//	                         Allow/Deny Users/Groups (with user@host patterns), root
//	server-account-status    /etc/shadow: locked (UsePAM no), expired, password aged
//	server-authorized-keys   every AuthorizedKeysFile (%h %u %U %%), each line parsed
//	                         as sshd parses it, the StrictModes walk (Debian's rule
//	                         when sshd is Debian's), access as the user, SELinux
//	                         labels, AuthorizedKeysCommand, accepted algorithms
//	server-key               --key: on which line, with what options, from= for --from
//	server-resources         disk and inodes (/, home, /var, /tmp, /run), OOM kills
//	server-firewall          iptables-save and nft -j list ruleset evaluated for the port
//	                         and --from, naming the rule
//	server-tcp-wrappers      hosts.allow/hosts.deny when sshd is linked with libwrap
//	server-bans              fail2ban and sshguard bans of --from
//	server-logs              sshd's logs (journald, auth.log/secure, or --log files)
//	                         read by the shared classifier in package sshlog
//
// What cannot be read without root is reported as server.needs_root, never
// as a pass. The parts that read /proc, systemd, iptables and nftables are
// Linux-only (system_linux.go); elsewhere they report server.linux_only.
package server
