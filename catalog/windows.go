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
			Title: Text{En: "Windows lets {who} change {path}, so OpenSSH refuses it",
				Ja: "Windows の設定で {who} が {path} を変更できるため、OpenSSH はこのファイルを拒否します"},
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
		"not in the listing (icacls does not show it)":                                     "一覧にありません (icacls は所有者を表示しません)",
		"owner: you, SYSTEM, Administrators or TrustedInstaller; write access: only those": "所有者: 自分・SYSTEM・Administrators・TrustedInstaller のいずれか。書き込み権限: これらだけ",
		"owner: you, SYSTEM, Administrators or TrustedInstaller; any access: only those":   "所有者: 自分・SYSTEM・Administrators・TrustedInstaller のいずれか。すべてのアクセス権限: これらだけ",
	})
}
