package catalog

// `sshdoctor server` on Windows' OpenSSH Server: the sshd service, the
// default shell in the registry and the OpenSSH/Operational event log.
func init() {
	Register(
		Entry{Code: "server.windows_sshd_missing", Severity: "error",
			Title: Text{En: "Windows has no sshd service: OpenSSH Server is not installed", Ja: "Windows に sshd サービスがありません: OpenSSH サーバーがインストールされていません"},
			Explanation: Text{En: "sc.exe answered 1060 (the service does not exist). OpenSSH Server is an optional feature of Windows; until it is added nothing listens on port 22.",
				Ja: "sc.exe は 1060 (サービスが存在しない) を返しました。OpenSSH サーバーは Windows のオプション機能で、追加するまでポート 22 で待ち受けるものはありません。"}},
		Entry{Code: "server.windows_sshd_disabled", Severity: "error",
			Title: Text{En: "The sshd service is disabled", Ja: "sshd サービスが無効になっています"},
			Explanation: Text{En: "A disabled service cannot be started, by hand or at boot: nothing listens on the SSH port.",
				Ja: "無効なサービスは手動でも起動時にも開始できません。SSH のポートで待ち受けるものがありません。"}},
		Entry{Code: "server.windows_sshd_stopped", Severity: "error",
			Title: Text{En: "The sshd service is not running ({state})", Ja: "sshd サービスが動いていません ({state})"},
			Explanation: Text{En: "Windows' OpenSSH Server is installed but stopped: connections are refused. An exit code such as 1067 means sshd started and died; running sshd.exe -d in an elevated prompt prints why (a missing host key, an sshd_config error, a log folder's permissions).",
				Ja: "Windows の OpenSSH サーバーはインストールされていますが停止しており、接続は拒否されます。1067 などの終了コードは、sshd が起動してすぐ終了したことを示します。管理者のプロンプトで sshd.exe -d を実行すると理由 (ホスト鍵がない、sshd_config の誤り、ログ フォルダーの権限など) が表示されます。"}},
		Entry{Code: "server.windows_sshd_running", Severity: "info",
			Title:       Text{En: "The sshd service is running", Ja: "sshd サービスは動いています"},
			Explanation: Text{En: "What the service manager says of Windows' OpenSSH Server.", Ja: "サービス マネージャーが示す Windows の OpenSSH サーバーの状態です。"}},
		Entry{Code: "server.windows_sshd_manual", Severity: "warning",
			Title: Text{En: "sshd runs now but starts only by hand: it will be gone after the next reboot", Ja: "sshd は今は動いていますが手動起動のため、次の再起動後は動いていません"},
			Explanation: Text{En: "Windows installs the sshd service with the Manual start type; someone started it, and nothing will start it again after a restart.",
				Ja: "Windows は sshd サービスを「手動」でインストールします。誰かが起動しましたが、再起動後に起動するものはありません。"}},
		Entry{Code: "server.windows_acl_unread", Severity: "warning",
			Title: Text{En: "The access list of {file} could not be read", Ja: "{file} のアクセス制御リストを読めませんでした"},
			Explanation: Text{En: "sshdoctor could not parse the file's security descriptor, so it did not judge whether sshd accepts it.",
				Ja: "ファイルのセキュリティ記述子を解析できなかったため、sshd が受け入れるかどうかは判断していません。"}},
		Entry{Code: "server.windows_default_shell", Severity: "info",
			Title: Text{En: "Logins start {shell}", Ja: "ログインすると {shell} が起動します"},
			Explanation: Text{En: "sshd runs the program named by the DefaultShell value of HKLM\\SOFTWARE\\OpenSSH, or cmd.exe when there is none.",
				Ja: "sshd は HKLM\\SOFTWARE\\OpenSSH の DefaultShell の値が示すプログラムを実行します。値がなければ cmd.exe です。"}},
		Entry{Code: "server.windows_default_shell_missing", Severity: "error",
			Title: Text{En: "DefaultShell names {shell}, which does not exist: every login closes at once", Ja: "DefaultShell が存在しない {shell} を指しているため、ログインはすぐに切断されます"},
			Explanation: Text{En: "Authentication succeeds, then sshd cannot start the shell and closes the session; the client sees the connection close right after login.",
				Ja: "認証は成功しますが、sshd がシェルを起動できずセッションを閉じます。クライアントにはログイン直後に接続が閉じたように見えます。"}},
		Entry{Code: "server.windows_default_shell_wsl", Severity: "warning",
			Title: Text{En: "DefaultShell is {shell}, which often fails in a service session", Ja: "DefaultShell が {shell} ですが、サービスのセッションではよく失敗します"},
			Explanation: Text{En: "bash.exe and wsl.exe start WSL for the logged-in user; run from sshd's session they have failed with \"Error: 0x80070005\" or fallen back to cmd.exe (Win32-OpenSSH#1028). Keep PowerShell as the default shell and run wsl from it.",
				Ja: "bash.exe と wsl.exe はログインしたユーザーの WSL を起動しますが、sshd のセッションから実行すると \"Error: 0x80070005\" で失敗したり、cmd.exe になったりします (Win32-OpenSSH#1028)。既定のシェルは PowerShell にし、そこから wsl を実行してください。"}},
		Entry{Code: "server.windows_keys_refused", Severity: "error",
			Title: Text{En: "sshd refused an authorized keys file (\"Authentication refused.\")", Ja: "sshd が authorized keys ファイルを拒否しました (\"Authentication refused.\")"},
			Explanation: Text{En: "On Windows this line means the key file's owner or access list breaks OpenSSH for Windows' rule (only you, SYSTEM and Administrators may write it); the event log does not name the account at fault (LogLevel DEBUG3 does). For an administrator the file is administrators_authorized_keys.",
				Ja: "Windows でこの行は、鍵ファイルの所有者かアクセス制御リストが OpenSSH for Windows の規則 (書き込めるのは自分・SYSTEM・Administrators だけ) に反していることを示します。イベント ログは原因のアカウントを示しません (LogLevel DEBUG3 なら示します)。管理者の場合、そのファイルは administrators_authorized_keys です。"}},
	)
	RegisterPhrases(map[string]Text{
		"check.server-windows-service": {En: "sshd service (Windows)", Ja: "sshd サービス (Windows)"},
		"check.server-windows-keys":    {En: "Administrators' keys (Windows)", Ja: "管理者の鍵 (Windows)"},
		"check.server-windows-shell":   {En: "Default shell (Windows)", Ja: "既定のシェル (Windows)"},
		"check.server-windows-logs":    {En: "OpenSSH event log", Ja: "OpenSSH のイベント ログ"},

		"fix.windows_install_sshd":  {En: "In an elevated PowerShell: install OpenSSH Server, start it, and start it at boot", Ja: "管理者として開いた PowerShell で、OpenSSH サーバーをインストールして起動し、起動時に開始するようにします"},
		"fix.windows_start_sshd":    {En: "In an elevated PowerShell: start sshd and start it at boot", Ja: "管理者として開いた PowerShell で、sshd を起動し、起動時に開始するようにします"},
		"fix.windows_sshd_debug":    {En: "If it stops again: run it in the foreground to see why (elevated; Ctrl+C to end)", Ja: "また停止する場合は、前面で実行して理由を確認します (管理者で実行、Ctrl+C で終了)"},
		"fix.windows_default_shell": {En: "In an elevated PowerShell: make Windows PowerShell the default shell", Ja: "管理者として開いた PowerShell で、Windows PowerShell を既定のシェルにします"},

		"evidence.start_type":  {En: "start type", Ja: "スタートアップの種類"},
		"evidence.exit_code":   {En: "exit code", Ja: "終了コード"},
		"evidence.binary":      {En: "program", Ja: "プログラム"},
		"evidence.sshd_config": {En: "sshd_config", Ja: "sshd_config"},
		"evidence.registry":    {En: "registry", Ja: "レジストリ"},
		"evidence.event":       {En: "event", Ja: "イベント"},
	})
	RegisterTranslations(map[string]string{
		"judge a Windows OpenSSH Server from sc, reg and Get-WinEvent outputs saved in this directory (see docs/platforms.md)": "このディレクトリに保存された sc・reg・Get-WinEvent の出力から Windows の OpenSSH サーバーを判断します (docs/platforms.md を参照)",
		"--captured %s: not a directory": "--captured %s: ディレクトリではありません",
		"sc.exe query sshd":              "sc.exe query sshd",
		"Match Group administrators / AuthorizedKeysFile __PROGRAMDATA__/ssh/administrators_authorized_keys": "Match Group administrators / AuthorizedKeysFile __PROGRAMDATA__/ssh/administrators_authorized_keys",
		`HKLM\SOFTWARE\OpenSSH DefaultShell: not set (cmd.exe)`:                                              `HKLM\SOFTWARE\OpenSSH DefaultShell: 未設定 (cmd.exe)`,
	})
}
