package catalog

// Codes, phrases and fixes for client texts that explain met in the wild:
// a ProxyJump whose inner ssh refused its -W target, a server that ends
// the connection during key exchange, PuTTY's unknown host key.
func init() {
	Register(
		Entry{Code: "proxy.stdio_spec", Severity: "error",
			Title: Text{En: "The jump host's ssh refused the forwarding target {spec}", Ja: "踏み台用の ssh が転送先 {spec} を受け付けませんでした"},
			Explanation: Text{En: "With ProxyJump (-J), ssh starts a second ssh with -W host:port to reach the target through the jump host. That ssh could not read the target it was given, so it exited, and the connection closed before the target server said anything: the \"Connection closed\" that follows is the proxy's end, not the server's. OpenSSH for Windows 7.6 quotes the target twice (''[host]:22''); later releases read it.",
				Ja: "ProxyJump (-J) では、ssh は踏み台経由で接続先へ行くために -W host:port 付きの 2 つ目の ssh を起動します。その ssh が渡された接続先を読めずに終了したため、接続先サーバーが何も言わないうちに接続が閉じました。続く「Connection closed」はプロキシの終了であり、サーバーによるものではありません。OpenSSH for Windows 7.6 は接続先を二重に引用符で囲みます (''[host]:22'')。以降の版では読めます。"}},
	)
	RegisterPhrases(map[string]Text{
		"fix.stdio_spec_proxycommand": {En: "Give the jump as a ProxyCommand instead of ProxyJump, which passes the target unquoted",
			Ja: "ProxyJump の代わりに ProxyCommand で踏み台を指定してください (接続先が引用符なしで渡されます)"},
		"fix.stdio_spec_update_windows": {En: "Update OpenSSH for Windows (PowerShell as administrator), then check the version",
			Ja: "OpenSSH for Windows を更新し (管理者の PowerShell)、版を確認してください"},
		"fix.kex_closed_windows_log": {En: "On the Windows server, in PowerShell as administrator, read sshd's own log of this connection",
			Ja: "Windows サーバーの管理者の PowerShell で、この接続についての sshd 自身のログを読んでください"},
		"fix.kex_closed_windows_acl": {En: "On the Windows server, check that sshd can read its own program folder and host keys (the installer's permission fix)",
			Ja: "Windows サーバーで、sshd が自分のプログラム フォルダーとホスト鍵を読めることを確認してください (インストーラーの権限修正)"},
		"fix.putty_hostkey_unknown": {En: "Connect once with PuTTY or plink interactively, compare the fingerprint with the server's own, and answer yes to store it; a script can pass the checked fingerprint with plink -hostkey",
			Ja: "PuTTY か plink で一度対話的に接続し、指紋をサーバー自身のものと照らし合わせてから yes で保存してください。スクリプトでは確認済みの指紋を plink -hostkey で渡せます"},
	})
	RegisterParams(map[string]Param{
		// The server identified itself as OpenSSH for Windows.
		"windows_server": {},
	})
	RegisterFixes(map[string][]FixSpec{
		"proxy.stdio_spec": {
			{Key: "fix.stdio_spec_proxycommand", Command: `ssh -o ProxyCommand="ssh -W %h:%p JUMP" HOST`},
			{Key: "fix.stdio_spec_update_windows", Command: "winget upgrade Microsoft.OpenSSH.Preview; ssh -V", OS: OSWindows},
		},
		"kex.closed": {
			{Key: "fix.sshd_logs", Command: "sudo journalctl -u ssh -u sshd -t sshd -t sshd-session --since '-10min' --no-pager | tail -50", Unless: "windows_server"},
			{Key: "fix.sshdoctor_server", Command: "sudo sshdoctor server --port {port}", Unless: "windows_server"},
			{Key: "fix.kex_closed_windows_log", Command: "Get-WinEvent -LogName OpenSSH/Operational -MaxEvents 30 | Format-List TimeCreated,Message", If: "windows_server"},
			{Key: "fix.kex_closed_windows_acl", Command: `icacls "$env:ProgramData\ssh"; icacls "$env:windir\System32\OpenSSH"`, If: "windows_server"},
		},
	})
}
