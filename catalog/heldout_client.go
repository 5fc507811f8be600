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
		Entry{Code: "proxy.tool_failed", Severity: "error",
			Title: Text{En: "The ProxyCommand's {program} failed before the server said anything", Ja: "ProxyCommand の {program} がサーバーの応答より前に失敗しました"},
			Explanation: Text{En: "ssh reaches this host through a ProxyCommand. Its program (or the shell running it, on this machine or on a jump host) printed {said} and ended, so ssh saw the connection close before the server identified itself: the \"Connection closed\" after it is the proxy's end, not the server's.",
				Ja: "ssh はこのホストに ProxyCommand 経由で接続します。そのプログラム (またはこのマシンか踏み台でそれを実行したシェル) が {said} と出力して終了したため、ssh にはサーバーが名乗る前に接続が閉じたように見えました。後に続く「Connection closed」はプロキシの終了であり、サーバーによるものではありません。"}},
		Entry{Code: "config.unreadable", Severity: "error",
			Title: Text{En: "The program that runs ssh may not read {file}", Ja: "ssh を実行するプログラムが {file} を読めません"},
			Explanation: Text{En: "The system refused to open the file ({error}): its owner or access list leaves out the user the tool runs as. It happens after copying .ssh from another account or machine, or after restricting the file for a different user; ssh itself would fail on it the same way.",
				Ja: "システムがファイルを開くことを拒否しました ({error})。所有者かアクセス リストが、ツールを実行しているユーザーを含んでいません。別のアカウントやマシンから .ssh をコピーしたあとや、別のユーザー向けにファイルを制限したあとに起こります。ssh 自身も同じように失敗します。"}},
		Entry{Code: "session.shell_output", Severity: "error",
			Title: Text{En: "Text from the server's shell startup files broke the file transfer", Ja: "サーバーのシェル起動ファイルが出力した文字列がファイル転送を壊しました"},
			Explanation: Text{En: "Login worked. sftp (and scp, which uses sftp since OpenSSH 9.0) reads the server's first four bytes as a packet length; \"Received message too long {length}\" means they were text printed by a startup file the account's shell runs even when not interactive (~/.bashrc, ~/.profile, /etc/profile.d, a welcome echo), or an error such a file printed. Interactive ssh hides it because a terminal shows the text.",
				Ja: "ログインはできています。sftp (OpenSSH 9.0 以降は sftp を使う scp も) はサーバーからの最初の 4 バイトをパケット長として読みます。「Received message too long {length}」は、それが対話的でないときにもアカウントのシェルが実行する起動ファイル (~/.bashrc、~/.profile、/etc/profile.d、歓迎メッセージの echo など) の出力か、そのファイルのエラーだったことを意味します。対話的な ssh では端末に表示されるだけなので気づきません。"}},
		Entry{Code: "auth.forge_rsa_sha1", Severity: "error",
			Title: Text{En: "The git host refuses your RSA key's SHA-1 signature", Ja: "Git ホストが RSA 鍵の SHA-1 署名を拒否しています"},
			Explanation: Text{En: "The key is fine; the program that signed with it is not. GitHub no longer accepts RSA signatures made with SHA-1 (ssh-rsa), which old SSH libraries still make (libssh2 before 1.11 inside libgit2 and many git GUIs, old JSch, go-git with old x/crypto, OpenSSH before 7.2). Plain git with a current OpenSSH signs with SHA-2, which is why it works from a terminal.",
				Ja: "鍵に問題はなく、その鍵で署名したプログラムが問題です。GitHub は SHA-1 による RSA 署名 (ssh-rsa) をもう受け付けませんが、古い SSH ライブラリ (libgit2 や多くの Git GUI に含まれる 1.11 より前の libssh2、古い JSch、古い x/crypto を使う go-git、7.2 より前の OpenSSH) はまだそれを使います。現在の OpenSSH を使う素の git は SHA-2 で署名するため、端末からは成功します。"}},
	)
	RegisterPhrases(map[string]Text{
		"evidence.as_text": {En: "those four bytes as text", Ja: "その 4 バイトを文字として読むと"},
		"fix.shell_output_find": {En: "On the server, find what the startup files print (any output at all breaks sftp); the command run without a terminal must print nothing",
			Ja: "サーバーで起動ファイルが何を出力しているか探してください (どんな出力でも sftp は壊れます)。端末なしで実行したコマンドは何も出力してはいけません"},
		"fix.shell_output_guard": {En: "Make that file print only in interactive shells: put this line at its top (bash), or move the output to ~/.bash_profile",
			Ja: "そのファイルが対話的なシェルでだけ出力するように、先頭にこの行を置いてください (bash)。または出力を ~/.bash_profile に移してください"},
		"fix.forge_sha1_update_client": {En: "Update the program that connects (the git GUI or library); a current git with OpenSSH already works",
			Ja: "接続しているプログラム (Git GUI やライブラリ) を更新してください。現在の git と OpenSSH の組み合わせでは問題ありません"},
		"fix.forge_sha1_new_key": {En: "Or make an Ed25519 key and add its public half to your account on the git host",
			Ja: "または Ed25519 鍵を作り、その公開鍵を Git ホストのアカウントに登録してください"},
		"fix.proxy_tool_run": {En: "See the ProxyCommand ssh uses for this host, then run it by hand with the host and port filled in",
			Ja: "このホストで ssh が使う ProxyCommand を確認し、ホストとポートを埋めて手で実行してください"},
		"fix.proxy_tool_jump": {En: "If it runs nc on a jump host, let ssh forward through the jump itself (ProxyJump), which needs no program there",
			Ja: "踏み台で nc を実行しているなら、ssh 自身に踏み台経由で転送させてください (ProxyJump)。踏み台にプログラムは要りません"},
		"fix.forge_alt_config_docs": {En: "The service also serves SSH on port 443 ({alt}), which networks that block port 22 usually let through: add this block to ~/.ssh/config",
			Ja: "このサービスはポート 443 ({alt}) でも SSH を提供しており、ポート 22 を遮断するネットワークでも通ることが多いです。次の設定を ~/.ssh/config に追加します"},
		"fix.forge_show_pub": {En: "The service took the login name but does not know your key. Copy your public key and add it in your account's SSH key settings on {service}",
			Ja: "ログイン名は受け付けられましたが、サービスがあなたの鍵を知らない状態です。公開鍵をコピーし、{service} のアカウントの SSH 鍵の設定に登録してください"},
		"fix.forge_which_keys": {En: "See which keys ssh offers (the registered one must be among them; a key for another account is refused)",
			Ja: "ssh が提示する鍵を確認してください (登録した鍵が含まれている必要があります。別のアカウントの鍵は拒否されます)"},
		"fix.unreadable_show_acl":   {En: "See who may read the file", Ja: "ファイルを読めるユーザーを確認してください"},
		"fix.unreadable_show_owner": {En: "See the file's owner and mode", Ja: "ファイルの所有者とモードを確認してください"},
		"fix.unreadable_take_owner": {En: "Make the file yours again, readable by you only", Ja: "ファイルを自分の所有に戻し、自分だけが読めるようにしてください"},
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
		// A forge's documented SSH endpoint on port 443, not tried (explain).
		"forge_alt_docs": {},
		"forge_host":     {Placeholder: "HOST"},
	})
	RegisterFixes(map[string][]FixSpec{
		"proxy.stdio_spec": {
			{Key: "fix.stdio_spec_proxycommand", Command: `ssh -o ProxyCommand="ssh -W %h:%p JUMP" HOST`},
			{Key: "fix.stdio_spec_update_windows", Command: "winget upgrade Microsoft.OpenSSH.Preview; ssh -V", OS: OSWindows},
		},
		"proxy.tool_failed": {
			{Key: "fix.proxy_tool_run", Command: "ssh -G HOST | grep -i -E '^(proxycommand|proxyjump) '"},
			{Key: "fix.proxy_tool_jump", Command: "ssh -J JUMP HOST"},
		},
		"config.unreadable": {
			{Key: "fix.unreadable_show_acl", Command: "icacls {file}", OS: OSWindows},
			{Key: "fix.family_windows_config_acl", Command: `icacls {file} /inheritance:r /grant:r "${env:USERDOMAIN}\${env:USERNAME}:F" /grant:r "*S-1-5-18:F"`, OS: OSWindows},
			{Key: "fix.unreadable_show_owner", Command: "ls -l {file}", OS: OSUnix},
			{Key: "fix.unreadable_take_owner", Command: `sudo chown "$USER" {file} && chmod 600 {file}`, OS: OSUnix},
		},
		"session.shell_output": {
			{Key: "fix.shell_output_find", Command: "ssh HOST true | od -c | head; grep -n -E 'echo|printf|cat |fortune|neofetch' ~/.bashrc ~/.profile ~/.bash_profile /etc/bash.bashrc /etc/profile /etc/profile.d/*.sh 2>/dev/null"},
			{Key: "fix.shell_output_guard", Command: "[[ $- == *i* ]] || return"},
		},
		"auth.forge_rsa_sha1": {
			{Key: "fix.forge_sha1_update_client"},
			{Key: "fix.forge_sha1_new_key", Command: `ssh-keygen -t ed25519 -f "$HOME/.ssh/id_ed25519"`, OS: OSUnix},
			{Key: "fix.forge_sha1_new_key", Command: `ssh-keygen -t ed25519 -f "$env:USERPROFILE\.ssh\id_ed25519"`, OS: OSWindows},
		},
		"kex.closed": {
			{Key: "fix.sshd_logs", Command: "sudo journalctl -u ssh -u sshd -t sshd -t sshd-session --since '-10min' --no-pager | tail -50", Unless: "windows_server"},
			{Key: "fix.sshdoctor_server", Command: "sudo sshdoctor server --port {port}", Unless: "windows_server"},
			{Key: "fix.kex_closed_windows_log", Command: "Get-WinEvent -LogName OpenSSH/Operational -MaxEvents 30 | Format-List TimeCreated,Message", If: "windows_server"},
			{Key: "fix.kex_closed_windows_acl", Command: `icacls "$env:ProgramData\ssh"; icacls "$env:windir\System32\OpenSSH"`, If: "windows_server"},
		},
	})
}
