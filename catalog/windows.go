package catalog

// Windows and macOS: file access lists as OpenSSH for Windows judges them,
// the agent, PuTTY, the host firewall, excluded port ranges, WSL2 and the
// macOS Local Network permission.
func init() {
	Register(
		Entry{Code: "perm.private_key_acl", Severity: "error",
			Title: Text{En: "Windows gives {who} access to the private key {path}, so ssh ignores it",
				Ja: "Windows の設定で {who} が秘密鍵 {path} にアクセスできるため、ssh はこの鍵を無視します"},
			Explanation: Text{En: "OpenSSH for Windows reads a private key only when its access list names no one but you, SYSTEM and Administrators (and TrustedInstaller), and its owner is one of them. Any other entry — even read-only, even inherited from the folder — makes ssh print \"UNPROTECTED PRIVATE KEY FILE!\" and skip the key. chmod does not change this on Windows; icacls does.",
				Ja: "OpenSSH for Windows は、秘密鍵のアクセス制御リストに自分・SYSTEM・Administrators (と TrustedInstaller) 以外が載っておらず、所有者もそのいずれかである場合にだけ鍵を読み込みます。ほかのエントリーが 1 つでもあると (読み取り専用でも、フォルダーから継承したものでも)、ssh は \"UNPROTECTED PRIVATE KEY FILE!\" と表示してその鍵を使いません。Windows では chmod では直らず、icacls で直します。"}},
		Entry{Code: "perm.ssh_file_acl", Severity: "error",
			Title: Text{En: "OpenSSH refuses {path}: {who} has access it must not have",
				Ja: "OpenSSH は {path} を拒否します: {who} に許されないアクセス権があります"},
			Explanation: Text{En: "OpenSSH for Windows reads your ssh config, authorized_keys and administrators_authorized_keys only when no one but you, SYSTEM and Administrators (and TrustedInstaller) may write, delete or re-permission them; others may read. ssh stops with \"Bad owner or permissions\"; sshd ignores the key file and public key login fails.",
				Ja: "OpenSSH for Windows は、ssh の設定ファイル、authorized_keys、administrators_authorized_keys を、自分・SYSTEM・Administrators (と TrustedInstaller) 以外が書き込み・削除・権限変更できない場合にだけ読み込みます (読み取りは許されます)。そうでないと ssh は \"Bad owner or permissions\" で止まり、sshd は鍵ファイルを無視するため公開鍵でログインできません。"}},
		Entry{Code: "perm.acl_bad_owner", Severity: "error",
			Title: Text{En: "The owner of {path} is {owner}, which OpenSSH for Windows does not accept",
				Ja: "{path} の所有者は {owner} で、OpenSSH for Windows はこの所有者を受け入れません"},
			Explanation: Text{En: "OpenSSH for Windows accepts a key or config file only when it is owned by you, SYSTEM, Administrators or TrustedInstaller (\"Bad owner on …\" in its debug output). Files copied from another machine or another account keep their old owner.",
				Ja: "OpenSSH for Windows は、鍵や設定ファイルの所有者が自分・SYSTEM・Administrators・TrustedInstaller のいずれかである場合にだけ受け入れます (デバッグ出力では \"Bad owner on …\")。ほかのマシンやアカウントからコピーしたファイルは、元の所有者のままになっています。"}},
		Entry{Code: "perm.acl_unresolved", Severity: "warning",
			Title: Text{En: "{path} also grants access to {who}; fine only if that is you",
				Ja: "{path} には {who} へのアクセス許可もあります。それが自分自身である場合だけ問題ありません"},
			Explanation: Text{En: "The listing shows account names, not SIDs, and this name is not one sshdoctor can place: if it is your own account (or Administrators or SYSTEM in another language) ssh accepts the file; any other account makes ssh refuse it.",
				Ja: "この一覧は SID ではなくアカウント名で表示されており、sshdoctor にはこの名前が誰かを判断できません。自分のアカウント (またはほかの言語での Administrators や SYSTEM) であれば ssh はファイルを受け入れ、それ以外のアカウントであれば拒否します。"}},
		Entry{Code: "perm.acl_ok", Severity: "info",
			Title: Text{En: "OpenSSH for Windows accepts the access list of {path}", Ja: "OpenSSH for Windows は {path} のアクセス制御リストを受け入れます"},
			Explanation: Text{En: "No account but you, SYSTEM and Administrators has the access the rule forbids for this kind of file (the owner is not in an icacls listing and was not checked).",
				Ja: "この種類のファイルで禁止されているアクセス権を、自分・SYSTEM・Administrators 以外のアカウントは持っていません (所有者は icacls の一覧に表示されないため確認していません)。"}},
	)
	RegisterPhrases(map[string]Text{
		"fix.icacls_private_key": {En: "In PowerShell: keep access for you, SYSTEM and Administrators only, then check the result",
			Ja: "PowerShell で、アクセス許可を自分・SYSTEM・Administrators だけにし、結果を確認します"},
		"fix.icacls_ssh_file": {En: "In PowerShell: take write access away from everyone but you, SYSTEM and Administrators, then check the result",
			Ja: "PowerShell で、自分・SYSTEM・Administrators 以外の書き込み権限を外し、結果を確認します"},
		"fix.icacls_show": {En: "In PowerShell: list who has access (OpenSSH for Windows allows only you, SYSTEM and Administrators)",
			Ja: "PowerShell で、誰がアクセスできるかを表示します (OpenSSH for Windows が許すのは自分・SYSTEM・Administrators だけです)"},
		"fix.icacls_admin_keys": {En: "In an elevated PowerShell: Administrators and SYSTEM only, nothing inherited (Microsoft's documented setting)",
			Ja: "管理者として開いた PowerShell で、Administrators と SYSTEM だけにし、継承を外します (Microsoft の文書にある設定)"},

		"evidence.owner":       {En: "owner", Ja: "所有者"},
		"evidence.acl_entry":   {En: "access entry", Ja: "アクセス許可エントリー"},
		"evidence.not_allowed": {En: "not allowed by OpenSSH", Ja: "OpenSSH が許さないエントリー"},
		"evidence.not_judged":  {En: "could not judge", Ja: "判断できないエントリー"},
	})
	RegisterTranslations(map[string]string{
		"Error connecting to agent: No such file or directory":                             "Error connecting to agent: No such file or directory",
		"ssh-agent: start type disabled (Windows error 1058)":                              "ssh-agent: スタートアップの種類は無効 (Windows のエラー 1058)",
		"not in the listing (icacls does not show it)":                                     "一覧にありません (icacls は所有者を表示しません)",
		"owner: you, SYSTEM, Administrators or TrustedInstaller; write access: only those": "所有者: 自分・SYSTEM・Administrators・TrustedInstaller のいずれか。書き込み権限: これらだけ",
		"owner: you, SYSTEM, Administrators or TrustedInstaller; any access: only those":   "所有者: 自分・SYSTEM・Administrators・TrustedInstaller のいずれか。すべてのアクセス権限: これらだけ",
	})
}

func init() {
	Register(
		Entry{Code: "agent.windows_service_stopped", Severity: "warning",
			Title: Text{En: "The OpenSSH agent service of Windows is not running (start type: {start})", Ja: "Windows の OpenSSH エージェント サービスが動いていません (スタートアップの種類: {start})"},
			Explanation: Text{En: "Windows' ssh finds its agent at the pipe \\\\.\\pipe\\openssh-ssh-agent, served by the ssh-agent service; Windows installs that service disabled. Without it ssh offers no agent key and ssh-add fails; keys in files are still tried.",
				Ja: "Windows の ssh は、ssh-agent サービスが提供するパイプ \\\\.\\pipe\\openssh-ssh-agent でエージェントを探します。Windows はこのサービスを無効の状態でインストールします。サービスが動いていないと ssh はエージェントの鍵を提示できず、ssh-add も失敗します (ファイルの鍵は試されます)。"}},
		Entry{Code: "agent.windows_service_missing", Severity: "warning",
			Title: Text{En: "Windows has no ssh-agent service (OpenSSH Client is not installed)", Ja: "Windows に ssh-agent サービスがありません (OpenSSH クライアントがインストールされていません)"},
			Explanation: Text{En: "The agent of OpenSSH for Windows is a service that comes with the OpenSSH Client optional feature; it is not there, so no agent serves \\\\.\\pipe\\openssh-ssh-agent.",
				Ja: "OpenSSH for Windows のエージェントは、OpenSSH クライアント (オプション機能) に含まれるサービスです。それがないため、\\\\.\\pipe\\openssh-ssh-agent を提供するエージェントがありません。"}},
		Entry{Code: "agent.windows_sock_not_pipe", Severity: "warning",
			Title: Text{En: "SSH_AUTH_SOCK points to {sock}, which Windows' ssh cannot use", Ja: "SSH_AUTH_SOCK が {sock} を指していますが、Windows の ssh はこれを使えません"},
			Explanation: Text{En: "Windows' ssh and ssh-add talk to an agent over a named pipe (\\\\.\\pipe\\…). A path like this is the socket of Git for Windows', MSYS2's or Cygwin's ssh-agent, left in the environment; with it set, Windows' tools fail with \"Error connecting to agent: No such file or directory\". Unset it to use the Windows agent service.",
				Ja: "Windows の ssh と ssh-add は名前付きパイプ (\\\\.\\pipe\\…) でエージェントと通信します。このようなパスは Git for Windows・MSYS2・Cygwin の ssh-agent のソケットが環境に残ったもので、設定されたままだと Windows のツールは \"Error connecting to agent: No such file or directory\" で失敗します。Windows のエージェント サービスを使うには、この変数を削除してください。"}},
		Entry{Code: "agent.windows_pipe_missing", Severity: "warning",
			Title: Text{En: "No agent serves the pipe {pipe}", Ja: "パイプ {pipe} を提供しているエージェントがありません"},
			Explanation: Text{En: "ssh was told (SSH_AUTH_SOCK or IdentityAgent) to use this pipe, and Windows says it does not exist (error 2): the agent is not running, or the name is misspelt.",
				Ja: "ssh は (SSH_AUTH_SOCK か IdentityAgent で) このパイプを使うよう指定されていますが、Windows はこのパイプが存在しないと返しました (エラー 2)。エージェントが動いていないか、名前の綴りが違います。"}},
		Entry{Code: "agent.git_uses_other_ssh", Severity: "warning",
			Title: Text{En: "git runs its own ssh ({ssh}), which does not see the keys in the Windows agent", Ja: "git は独自の ssh ({ssh}) を使うため、Windows のエージェントにある鍵が見えません"},
			Explanation: Text{En: "Git for Windows runs the ssh it bundles unless told otherwise. That ssh knows nothing of the Windows ssh-agent service, so `ssh` in PowerShell works while `git push` asks for a passphrase or is denied. Point git at Windows' ssh.",
				Ja: "Git for Windows は、指定がなければ同梱の ssh を使います。この ssh は Windows の ssh-agent サービスを知らないため、PowerShell の `ssh` は使えるのに `git push` ではパスフレーズを聞かれたり拒否されたりします。git が Windows の ssh を使うよう設定してください。"}},
	)
	RegisterPhrases(map[string]Text{
		"fix.key_convert_ppk_windows": {En: "Open the key in PuTTYgen, then Conversions > Export OpenSSH key (force new file format), and save it without the .ppk extension",
			Ja: "PuTTYgen で鍵を開き、Conversions > Export OpenSSH key (force new file format) を選んで、.ppk を付けない名前で保存します"},
		"fix.start_ssh_agent_service": {En: "In an elevated PowerShell: let the agent service start, start it, then add your key", Ja: "管理者として開いた PowerShell で、エージェント サービスを起動できるようにして起動し、鍵を追加します"},
		"fix.install_openssh_client":  {En: "In an elevated PowerShell: install the OpenSSH Client feature", Ja: "管理者として開いた PowerShell で、OpenSSH クライアント機能をインストールします"},
		"fix.unset_ssh_auth_sock":     {En: "In PowerShell: remove SSH_AUTH_SOCK now and from your user environment", Ja: "PowerShell で、SSH_AUTH_SOCK を今のセッションとユーザー環境から削除します"},
		"fix.use_pageant":             {En: "Or use Pageant, which is running: let it write an IdentityAgent line and include it", Ja: "または、動いている Pageant を使います。IdentityAgent の行を書き出させ、それを読み込みます"},
		"fix.git_use_windows_ssh":     {En: "Make git use Windows' ssh (and so its agent)", Ja: "git が Windows の ssh (とそのエージェント) を使うようにします"},
		"fix.list_agent_pipes":        {En: "In PowerShell: list the agent pipes that exist, and see what SSH_AUTH_SOCK says", Ja: "PowerShell で、存在するエージェントのパイプを一覧し、SSH_AUTH_SOCK の値を確認します"},

		"evidence.SSH_AUTH_SOCK": {En: "SSH_AUTH_SOCK", Ja: "SSH_AUTH_SOCK"},
		"evidence.pipe":          {En: "pipe", Ja: "パイプ"},
		"evidence.pageant":       {En: "Pageant", Ja: "Pageant"},
		"evidence.git_ssh":       {En: "ssh that git runs", Ja: "git が使う ssh"},
	})
}

// Host side of a VM forward on Windows and macOS; macOS Local Network.
func init() {
	Register(
		Entry{Code: "vm.host_port_excluded", Severity: "error",
			Title: Text{En: "{vm}: host port {port} is inside a range Windows reserves ({range}), so the forward cannot listen", Ja: "{vm}: ホストのポート {port} は Windows が予約している範囲 ({range}) にあるため、転送が待ち受けできません"},
			Explanation: Text{En: "Hyper-V, WSL2 and Docker make Windows reserve blocks of TCP ports (the winnat service; the blocks move at each boot). No program may bind a port inside one — the VM starts, but its forward is dead — and netstat shows nothing there. Pick a port outside every range, or reserve the port for yourself.",
				Ja: "Hyper-V・WSL2・Docker を使うと、Windows は TCP ポートのまとまりを予約します (winnat サービス。範囲は起動のたびに変わります)。その範囲のポートはどのプログラムも使えないため、VM は起動しても転送は動かず、netstat にも何も表示されません。どの範囲にも入らないポートを選ぶか、ポートを自分用に予約してください。"}},
		Entry{Code: "vm.macos_firewall_block_all", Severity: "error",
			Title: Text{En: "{vm}: macOS's firewall blocks all incoming connections", Ja: "{vm}: macOS のファイアウォールがすべての受信接続をブロックしています"},
			Explanation: Text{En: "The application firewall is set to \"Block all incoming connections\" (state 2), so other machines cannot reach the VM's forwarded port, whatever the VM's settings.",
				Ja: "アプリケーション ファイアウォールが「外部からの接続をすべてブロック」(状態 2) に設定されているため、VM の設定にかかわらず、ほかのマシンから VM の転送ポートに接続できません。"}},
		Entry{Code: "vm.macos_firewall_blocks_app", Severity: "error",
			Title: Text{En: "{vm}: macOS's firewall does not let {app} accept connections", Ja: "{vm}: macOS のファイアウォールが {app} の受信接続を許可していません"},
			Explanation: Text{En: "The forwarded port is opened by the hypervisor's own process; macOS's application firewall decides per app, and this app is blocked (or was never allowed: macOS asks once, and a dismissed question blocks). Connections from the Mac itself still work; from the LAN they time out.",
				Ja: "転送ポートはハイパーバイザー自身のプロセスが開きます。macOS のアプリケーション ファイアウォールはアプリごとに判断し、このアプリはブロックされています (または一度も許可されていません。macOS は一度だけ確認し、閉じてしまうとブロックになります)。Mac 自身からの接続は通りますが、LAN からの接続はタイムアウトします。"}},
	)
	RegisterPhrases(map[string]Text{
		"check.vm-host-firewall":       {En: "Host firewall and reserved ports", Ja: "ホストのファイアウォールと予約ポート"},
		"fix.vm_pick_free_port":        {En: "List the reserved ranges, then forward a host port outside all of them", Ja: "予約されている範囲を確認し、どの範囲にも入らないホストのポートに転送し直します"},
		"fix.reserve_port_windows":     {En: "Or, in an elevated prompt, reserve this port for yourself (stops NAT for Hyper-V/WSL2/Docker for a moment)", Ja: "または管理者のプロンプトで、このポートを自分用に予約します (Hyper-V・WSL2・Docker の NAT が一時的に止まります)"},
		"fix.macos_firewall_allow_app": {En: "Let the hypervisor's process accept incoming connections", Ja: "ハイパーバイザーのプロセスが受信接続を受け付けられるようにします"},
		"fix.macos_local_network":      {En: "Open System Settings > Privacy & Security > Local Network and allow the app that runs ssh", Ja: "システム設定 > プライバシーとセキュリティ > ローカルネットワーク を開き、ssh を実行しているアプリを許可します"},

		"evidence.forward":             {En: "forward", Ja: "転送"},
		"evidence.excluded_range":      {En: "reserved range", Ja: "予約されている範囲"},
		"evidence.firewall":            {En: "firewall", Ja: "ファイアウォール"},
		"evidence.app_rule":            {En: "app rule", Ja: "アプリの規則"},
		"evidence.macos_local_network": {En: "macOS Local Network", Ja: "macOS のローカルネットワーク"},
		"evidence.confirm":             {En: "to confirm", Ja: "確認方法"},
	})
	RegisterTranslations(map[string]string{
		"Firewall is enabled. (State = 2)":                   "Firewall is enabled. (State = 2)",
		"netsh int ipv4 show excludedportrange protocol=tcp": "netsh int ipv4 show excludedportrange protocol=tcp",
		"Firewall is enabled. (State = 1)":                   "Firewall is enabled. (State = 1)",
		"macOS 15 and later refuse LAN connections from an app without the Local Network permission with exactly this error": "macOS 15 以降は、ローカルネットワークの許可がないアプリからの LAN への接続を、まさにこのエラーで拒否します",
		"run the same ssh from Terminal: if it connects, the app lacks the permission":                                       "同じ ssh をターミナルから実行してください。接続できれば、そのアプリに許可がありません",
	})
}

// The OpenSSH Server of Windows.
func init() {
	Register(
		Entry{Code: "server.windows_admin_keys", Severity: "error",
			Title: Text{En: "Windows' sshd reads {file} for this administrator, not ~/.ssh/authorized_keys", Ja: "Windows の sshd は、この管理者の鍵を ~/.ssh/authorized_keys ではなく {file} から読みます"},
			Explanation: Text{En: "The default sshd_config of Windows ends with \"Match Group administrators\" / \"AuthorizedKeysFile __PROGRAMDATA__/ssh/administrators_authorized_keys\": for every member of Administrators, sshd reads only that shared file, which must belong to Administrators or SYSTEM and be writable by them alone. A key added to the account's own authorized_keys is never read.",
				Ja: "Windows の既定の sshd_config の末尾には \"Match Group administrators\" / \"AuthorizedKeysFile __PROGRAMDATA__/ssh/administrators_authorized_keys\" があり、Administrators のメンバーについては、sshd はこの共有ファイルだけを読みます。このファイルは Administrators か SYSTEM の所有で、それ以外が書き込めないようにする必要があります。アカウント自身の authorized_keys に追加した鍵は読まれません。"}},
	)
	RegisterPhrases(map[string]Text{
		"fix.windows_admin_keys":       {En: "In an elevated PowerShell: copy your keys into the shared file and give it the permissions sshd requires", Ja: "管理者として開いた PowerShell で、鍵を共有ファイルにコピーし、sshd が求める権限にします"},
		"fix.windows_admin_keys_match": {En: "Or see the block in sshd_config (comment out both lines and restart sshd to use each account's own file)", Ja: "または sshd_config のこのブロックを確認します (2 行ともコメントにして sshd を再起動すると、各アカウント自身のファイルが使われます)"},
	})
}
