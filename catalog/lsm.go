package catalog

// Denials of sshd's processes by SELinux or AppArmor, read from pasted
// kernel and audit logs.
func init() {
	Register(
		Entry{Code: "server.lsm_denied", Severity: "error",
			Title: Text{En: "{lsm} denied {program} access to {path}", Ja: "{lsm} が {program} による {path} へのアクセスを拒否しました"},
			Explanation: Text{En: "The kernel's security module refused sshd the file although its ownership and modes allow it, so sshd treats it as unreadable and public key login fails. With SELinux the file usually carries the wrong label (a file copied or moved into place keeps its old one; sshd reads only ssh_home_t under a home directory); with AppArmor the sshd profile has no rule that allows this path for this owner.",
				Ja: "所有者とモードでは許可されていても、カーネルのセキュリティモジュールが sshd によるファイルの読み取りを拒否したため、sshd はこのファイルを読めないものとして扱い、公開鍵によるログインが失敗します。SELinux では多くの場合ファイルのラベルが誤っています (コピーや移動で置いたファイルは元のラベルのままで、sshd はホームディレクトリの下では ssh_home_t のファイルしか読みません)。AppArmor では sshd のプロファイルに、この所有者のこのパスを許可する規則がありません。"}},
	)
	RegisterPhrases(map[string]Text{
		"evidence.label":           {En: "SELinux label", Ja: "SELinux ラベル"},
		"fix.lsm_restorecon":       {En: "On the server, give the files in this directory their default SELinux labels", Ja: "サーバー上で、このディレクトリ内のファイルに既定の SELinux ラベルを付け直します"},
		"fix.lsm_restorecon_home":  {En: "On the server, run `restorecon -Rv` on the account's ~/.ssh directory to give it its default SELinux labels (the denial names the file, not its directory)", Ja: "サーバー上で、アカウントの ~/.ssh ディレクトリに `restorecon -Rv` を実行して既定の SELinux ラベルを付け直します (拒否の記録にはファイル名だけがあり、ディレクトリはありません)"},
		"fix.lsm_selinux_log":      {En: "List sshd's recent SELinux denials to see every file involved", Ja: "sshd に対する最近の SELinux の拒否を一覧し、関係するすべてのファイルを確認します"},
		"fix.lsm_apparmor_profile": {En: "On the server, find the AppArmor rule for this file and allow it for the account that owns it (or give the file the owner the rule expects), then reload the profile", Ja: "サーバー上で、このファイルに対する AppArmor の規則を探し、所有するアカウントに許可するか (または規則が想定する所有者にファイルを変更し)、プロファイルを再読み込みします"},
	})
}
