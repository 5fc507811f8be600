package sshlog

import (
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/diag"
)

// firstError is the diagnosis: the first finding of error severity.
func firstError(a *Analysis) *diag.Finding {
	for _, f := range a.Findings {
		if f.Severity == diag.SevError {
			return f
		}
	}
	return nil
}

func heldoutFixCmds(f *diag.Finding) string {
	var b strings.Builder
	for _, x := range f.Fixes {
		b.WriteString(x.Command + "\n")
	}
	return b.String()
}

// A server that identified itself and then reset (or closed) the
// connection right after the client's KEXINIT: a real OpenSSH for Windows
// 8.1 transcript. It must not read as "no failure", and a Windows server
// gets its own log and ACLs, not journalctl.
func TestKexEndedAfterIdentification(t *testing.T) {
	text := `OpenSSH_for_Windows_8.1p1, LibreSSL 2.9.2
debug1: Connecting to 192.168.0.109 [192.168.0.109] port 22.
debug1: Connection established.
debug1: Local version string SSH-2.0-OpenSSH_for_Windows_8.1
debug1: Remote protocol version 2.0, remote software version OpenSSH_for_Windows_8.1
debug1: match: OpenSSH_for_Windows_8.1 pat OpenSSH* compat 0x04000000
debug1: Authenticating to 192.168.0.109:22 as 'Administrators'
debug1: SSH2_MSG_KEXINIT sent
Connection reset by 192.168.0.109 port 22
`
	f := firstError(explainText(t, text))
	if f == nil || f.Code != "kex.closed" {
		t.Fatalf("got %+v, want kex.closed", f)
	}
	cmds := heldoutFixCmds(f)
	if !strings.Contains(cmds, "OpenSSH/Operational") || strings.Contains(cmds, "journalctl") {
		t.Fatalf("a Windows server's fixes: %s", cmds)
	}
	// The same end from a Linux sshd, closed instead of reset.
	linux := strings.NewReplacer("OpenSSH_for_Windows_8.1", "OpenSSH_9.2p1 Debian-2", "Connection reset by", "Connection closed by").Replace(text)
	g := firstError(explainText(t, linux))
	if g == nil || g.Code != "kex.closed" || !strings.Contains(heldoutFixCmds(g), "journalctl") {
		t.Fatalf("linux: %+v", g)
	}
	// Once the server's host key arrived, the end is not the key exchange's.
	later := strings.Replace(text, "Connection reset by", "debug1: Server host key: ssh-ed25519 SHA256:AAAA\nConnection reset by", 1)
	if h := firstError(explainText(t, later)); h != nil && h.Code == "kex.closed" {
		t.Fatalf("after the host key: %s", h.Code)
	}
	// Without an identification, it stays the banner's.
	early := "debug1: Connection established.\nConnection reset by 192.168.0.109 port 22\n"
	if h := firstError(explainText(t, early)); h == nil || h.Code != "banner.reset" {
		t.Fatalf("before identification: %+v", h)
	}
}

// OpenSSH for Windows 7.6's ProxyJump quotes the -W target twice; the
// inner ssh refuses it and the outer one reports a closed connection that
// is the proxy's, not the server's (pasted in backticks).
func TestBadStdioSpecIsTheProxy(t *testing.T) {
	text := "`Bad stdio forwarding specification ''[server]:22''`  \n`ssh_exchange_identification: Connection closed by remote host`\n"
	a := explainText(t, text)
	f := firstError(a)
	if f == nil || f.Code != "proxy.stdio_spec" {
		t.Fatalf("got %+v", f)
	}
	for _, g := range a.Findings {
		if strings.HasPrefix(g.Code, "banner.") {
			t.Fatalf("the proxy's end read as the server's: %s", g.Code)
		}
	}
	if !strings.Contains(heldoutFixCmds(f), "ProxyCommand") {
		t.Fatalf("fixes: %s", heldoutFixCmds(f))
	}
}

// Shells other than bash word "not found" differently; a transfer whose
// remote rsync is missing is the remote PATH, whatever the shell.
func TestOtherShellsNotFound(t *testing.T) {
	for _, line := range []string{
		"ksh: rsync:  not found",
		"tcsh: rsync: Command not found.",
	} {
		text := line + "\nrsync: connection unexpectedly closed (0 bytes read so far)\nrsync error: error in rsync protocol data stream (code 12) at io.c(139)\n"
		f := firstError(explainText(t, text))
		if f == nil || f.Code != "session.remote_command_missing" {
			t.Errorf("%q: %+v", line, f)
		}
	}
	// A ProxyCommand program missing stays the proxy's.
	proxy := "ksh: nc:  not found\nConnection closed by UNKNOWN port 65535\n"
	if f := firstError(explainText(t, proxy)); f == nil || f.Code != "proxy.command_failed" {
		t.Errorf("proxy: %+v", f)
	}
}

// The connect failure retold in prose without ssh's colons, and WinSCP's
// wording that names the host.
func TestConnectFailureRetold(t *testing.T) {
	cases := map[string]string{
		"At work, I just received a `ssh connect to host github.com port 22 connection refused` error when trying to push.\n": "tcp.refused",
		"i keep getting error \"Error : network error: Connection to “target server”refused\"\n":                              "tcp.refused",
		"Network error: Connection to \"sftp.example.com\" timed out.\n":                                                      "tcp.timeout",
		"ssh: connect to host github.com, port 22: Operation timed out\n":                                                     "tcp.timeout",
	}
	for text, want := range cases {
		f := firstError(explainText(t, text))
		if f == nil || f.Code != want {
			t.Errorf("%q: got %+v, want %s", text, f, want)
		}
	}
	// A sentence about connecting that names no socket error says nothing.
	if f := firstError(explainText(t, "I want to connect to host example.com port 22 and then run a command.\n")); f != nil && strings.HasPrefix(f.Code, "tcp.") {
		t.Errorf("prose without an error: %s", f.Code)
	}
}

// plink (here under git on Windows) meeting a host key it never stored:
// it abandons in batch mode. The fixes are PuTTY's, not known_hosts'.
func TestPuttyHostKeyNotCached(t *testing.T) {
	text := `Cloning into 'C:\Documents and Settings\uday\Desktop\example'...
The server's host key is not cached in the registry. You
have no guarantee that the server is the computer you
think it is.
The server's rsa2 key fingerprint is:
ssh-rsa 2048 cf:ee:77:cb:0e:fc:02:d7:72:7e:ae:80:c0:90:88:a7
Connection abandoned.
fatal: Could not read from remote repository.
`
	f := firstError(explainText(t, text))
	if f == nil || f.Code != "hostkey.unknown" {
		t.Fatalf("got %+v", f)
	}
	if f.EvidenceValue("new_fingerprint") == "" {
		t.Errorf("no fingerprint in the evidence")
	}
	if c := heldoutFixCmds(f); strings.Contains(c, "known_hosts") || strings.Contains(c, "StrictHostKeyChecking") {
		t.Errorf("OpenSSH's fixes for PuTTY: %s", c)
	}
}

// sftp reads the startup files' text as a packet length: the verdict is
// the shell's output, with the four bytes shown when they are text.
func TestSftpMessageTooLong(t *testing.T) {
	for _, text := range []string{
		"$ sftp www-data@104.131.175.19\nwww-data@104.131.175.19's password:\nReceived message too long 141612888\n",
		"box1 | FAILED => failed to transfer file to /home/hadoop/.ansible/tmp/ansible-1362080597.37-11062316293652/ping:\nReceived message too long 173490514\n",
		"```text\nReceived message too long 1581461090\nEnsure the remote shell produces no output for non-interactive sessions.\n```\n",
	} {
		f := firstError(explainText(t, text))
		if f == nil || f.Code != "session.shell_output" {
			t.Fatalf("%q: %+v", text, f)
		}
	}
	// 1581461090 is 0x5E432E62, the printable "^C.b"; 458961715 starts with ESC.
	if got := sftpLengthText("1581461090"); got != "^C.b" {
		t.Errorf("as text: %q", got)
	}
	if got := sftpLengthText("458961715"); got != "" {
		t.Errorf("ESC is not printable: %q", got)
	}
}

// GitHub's refusal of SHA-1 RSA signatures, as git GUIs and libraries
// relay it.
func TestForgeRSASHA1(t *testing.T) {
	for _, text := range []string{
		"Unable to push to 'origin' - ERROR: You're using an RSA key with SHA-1, which is no longer allowed. Please use a newer client or a different key type.\n",
		"Error in libgit2::git_remote_fetch : \n  ERROR: You're using an RSA key with SHA-1, which is no longer allowed. Please use a newer client or a different key type.\n",
		"*ERROR*: You're using an RSA key with SHA-1 which is no longer allowed. Please use a newer client or a different key type.\n",
	} {
		f := firstError(explainText(t, text))
		if f == nil || f.Code != "auth.forge_rsa_sha1" {
			t.Errorf("%q: %+v", text, f)
		}
	}
}

// A negotiate message wrapped before "offer:" (a forum's blockquote of a
// terminal's output) is the client's message, with its offer.
func TestNegotiateWrappedBeforeOffer(t *testing.T) {
	text := "> $ git fetch\n> Unable to negotiate with 10.1.2.3 port 22: no matching key exchange method found. Their\n> offer: diffie-hellman-group1-sha1,diffie-hellman-group14-sha1\n> fatal: Could not read from remote repository.\n"
	a := explainText(t, text)
	f := firstError(a)
	if f == nil || f.Code != "kex.no_kex_alg" {
		t.Fatalf("got %+v", f)
	}
	if !strings.Contains(heldoutFixCmds(f), "KexAlgorithms=+diffie-hellman-group14-sha1") {
		t.Errorf("the client-side stopgap is missing: %s", heldoutFixCmds(f))
	}
	if a.Summary != nil && a.ServerLines > 0 {
		t.Errorf("read as sshd's log: %d server lines", a.ServerLines)
	}
	// A line that ends the same way but is not continued stays as it is.
	if _, ok := joinWrapped([]byte("no matching cipher found. Their"), []byte("fatal: Could not read")); ok {
		t.Errorf("joined a line that does not continue it")
	}
}

// VS Code's Remote-SSH says its -D forward was refused in its own words.
func TestVSCodeForwardingDisabled(t *testing.T) {
	text := "\"ERROR: TCP port forwarding appears to be disabled on the remote host. Ensure that the sshd_config has `AllowTcpForwarding yes`.\"\n"
	if f := firstError(explainText(t, text)); f == nil || f.Code != "fwd.prohibited" {
		t.Fatalf("got %+v", f)
	}
}

// A ProxyCommand's program, or the shell that ran it on a jump host, ends
// before the server speaks: the closed connection is the proxy's. A
// remote program missing after login stays the session's.
func TestProxyToolFailedEarly(t *testing.T) {
	cases := map[string]string{
		"[bash: nc <IP> <port>: command not found\nkex_exchange_identification: Connection closed by remote host]\n":                      "proxy.tool_failed",
		"$ ssh example\nnc: connection failed, unsupported address type\nssh_exchange_identification: Connection closed by remote host\n": "proxy.tool_failed",
		"bash: rsync: command not found\nrsync: connection unexpectedly closed (0 bytes received so far) [sender]\n":                      "session.remote_command_missing",
		"debug1: Connection established.\nnc: something\nkex_exchange_identification: Connection closed by remote host\n":                 "banner.closed",
	}
	for text, want := range cases {
		a := explainText(t, text)
		f := firstError(a)
		if f == nil || f.Code != want {
			t.Errorf("%q: got %+v, want %s", text, f, want)
			continue
		}
		if want == "proxy.tool_failed" {
			for _, g := range a.Findings {
				if strings.HasPrefix(g.Code, "banner.") || strings.HasPrefix(g.Code, "session.") {
					t.Errorf("%q: also %s", text, g.Code)
				}
			}
			if f.Args["program"] != "nc" {
				t.Errorf("%q: program %q", text, f.Args["program"])
			}
		}
	}
}

// sftp-server missing on the server: scp of OpenSSH 9 uses sftp, and its
// legacy protocol (-O) needs no sftp-server.
func TestSftpServerNotFound(t *testing.T) {
	text := ">>> scp hx8opkymfd591.png root@192.168.10.110:/media/mmc\nsh: /usr/libexec/sftp-server: not found\nscp: Connection closed\n"
	f := firstError(explainText(t, text))
	if f == nil || f.Code != "session.sftp_unavailable" || !strings.Contains(heldoutFixCmds(f), "scp -O") {
		t.Fatalf("got %+v", f)
	}
}

// VS Code (Node.js) refused a file of .ssh by the system: the file's ACL,
// with Windows' icacls for a Windows path and never chmod.
func TestNodeSSHFileDenied(t *testing.T) {
	win := "Failed to connect to the remote extension host server (Error: EPERM: operation not permitted, open 'C:\\Users\\aymer\\.ssh\\config')\n"
	f := firstError(explainText(t, win))
	if f == nil || f.Code != "config.unreadable" {
		t.Fatalf("got %+v", f)
	}
	if c := heldoutFixCmds(f); !strings.Contains(c, "icacls") || strings.Contains(c, "chmod") {
		t.Errorf("Windows fixes: %s", c)
	}
	unix := "Error: EACCES: permission denied, open '/home/ana/.ssh/config'\n"
	g := firstError(explainText(t, unix))
	if g == nil || g.Code != "config.unreadable" || strings.Contains(heldoutFixCmds(g), "icacls") {
		t.Fatalf("unix: %+v", g)
	}
}

// A TCP failure to a git forge gets the person's side: the service's SSH
// endpoint on port 443 from its documentation, never the server's
// firewall or sshd.
func TestForgeTCPFixes(t *testing.T) {
	text := "$ git push\nssh: connect to host github.com port 22: Connection timed out\nfatal: Could not read from remote repository.\n"
	f := firstError(explainText(t, text))
	if f == nil || f.Code != "tcp.timeout" {
		t.Fatalf("got %+v", f)
	}
	c := heldoutFixCmds(f)
	if !strings.Contains(c, "HostName ssh.github.com") || !strings.Contains(c, "ssh -T -p 443 git@ssh.github.com") {
		t.Errorf("no port-443 endpoint: %s", c)
	}
	if strings.Contains(c, "iptables") || strings.Contains(c, "ping") {
		t.Errorf("the server's fixes for a forge: %s", c)
	}
	// Already on port 443: no endpoint to switch to.
	f443 := firstError(explainText(t, "ssh: connect to host ssh.github.com port 443: Connection timed out\n"))
	if f443 == nil || strings.Contains(heldoutFixCmds(f443), "Port 443") {
		t.Errorf("port 443 already: %+v", f443)
	}
	// Another host keeps its own fixes.
	g := firstError(explainText(t, "ssh: connect to host build.example.net port 22: Connection timed out\n"))
	if g == nil || strings.Contains(heldoutFixCmds(g), "ssh.github.com") {
		t.Errorf("not a forge: %+v", g)
	}
}

// A forge refusing git's key: the key belongs in the person's account
// there; nothing on the forge's server is theirs to run. explain names it
// as the check does.
func TestForgeKeyRefused(t *testing.T) {
	text := "$ git push\ngit@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.\n"
	f := firstError(explainText(t, text))
	if f == nil || f.Code != "auth.forge_key_unknown" || f.Args["service"] != "GitHub" {
		t.Fatalf("got %+v", f)
	}
	c := heldoutFixCmds(f)
	if strings.Contains(c, "sshdoctor server") || strings.Contains(c, "journalctl") || !strings.Contains(c, ".pub") {
		t.Errorf("fixes for a forge: %s", c)
	}
	if f.EvidenceValue("add_keys_at") != "https://github.com/settings/keys" {
		t.Errorf("where to add keys: %q", f.EvidenceValue("add_keys_at"))
	}
	// Another login name is one the service never takes.
	g := firstError(explainText(t, "alice@github.com: Permission denied (publickey).\n"))
	if g == nil || g.Code != "auth.forge_user" || g.EvidenceValue("add_keys_at") != "" || !strings.Contains(heldoutFixCmds(g), "ssh -T git@github.com") {
		t.Errorf("user alice: %+v", g)
	}
	// Azure DevOps's older host takes the organization's name as the
	// login: not a wrong login name, a key the service does not know.
	o := firstError(explainText(t, "myorg@vs-ssh.visualstudio.com: Permission denied (publickey).\n"))
	if o == nil || o.Code != "auth.forge_key_unknown" {
		t.Errorf("organization login: %+v", o)
	}
	// A server of one's own keeps the server-side fixes.
	h := firstError(explainText(t, "deploy@build.example.net: Permission denied (publickey).\n"))
	if h == nil || !strings.Contains(heldoutFixCmds(h), "sshdoctor server") {
		t.Errorf("own server: %+v", h)
	}
}

// Azure DevOps refuses the key in git's "remote:" lines, naming no host.
func TestAzureDevOpsKeyRefused(t *testing.T) {
	text := "$ git fetch\nremote:\nremote: Your Git command did not succeed.\nremote: Details:\nremote: \tPublic key authentication failed.\nremote:\nfatal: Could not read from remote repository.\n"
	f := firstError(explainText(t, text))
	if f == nil || f.Code != "auth.forge_key_unknown" || f.Args["service"] != "Azure DevOps" {
		t.Fatalf("got %+v", f)
	}
	if c := heldoutFixCmds(f); strings.Contains(c, "sshdoctor server") || !strings.Contains(c, "ssh.dev.azure.com") {
		t.Errorf("fixes: %s", c)
	}
}

// A "name" with spaces is a whole Host line a tool passed as one name;
// Windows' resolver wording makes the fixes PowerShell's.
func TestResolveNameWithSpaces(t *testing.T) {
	text := "The error comes back as `ssh: Could not resolve hostname short_hostname long_hostname: No such host is known.` instead.\n"
	f := firstError(explainText(t, text))
	if f == nil || f.Code != "dns.nxdomain" {
		t.Fatalf("got %+v", f)
	}
	if c := heldoutFixCmds(f); strings.Contains(c, "getent") || !strings.Contains(c, "Resolve-DnsName") {
		t.Errorf("Windows fixes: %s", c)
	}
}
