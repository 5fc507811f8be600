package catalog

// Texts for what happens after a successful login: a session the server
// will not open, a command that ends badly.
func init() {
	Register(
		Entry{Code: "session.channel_refused", Severity: "error",
			Title: Text{En: "{host} accepted the login but refused to open a session: {reason}", Ja: "{host} はログインを受け付けましたが、セッションを開くことを拒否しました: {reason}"},
			Explanation: Text{En: "Authentication worked; then the server refused the session channel, so no command or shell can run (ssh prints \"channel 0: open failed:\" and the reason). OpenSSH's sshd does this when MaxSessions is 0 for this user (often in a Match block, for accounts meant only for port forwarding or as a jump host); other servers and appliances refuse sessions for accounts without shell access. ssh -J and ssh -N still work through such an account.",
				Ja: "認証には成功しましたが、サーバーがセッション用のチャネルを拒否したため、コマンドもシェルも実行できません (ssh は \"channel 0: open failed:\" と理由を表示します)。OpenSSH の sshd では、このユーザーに対する MaxSessions が 0 のとき (ポート転送や踏み台専用のアカウント向けに Match ブロックで設定されることが多い) にこうなります。ほかのサーバーや機器は、シェルの使えないアカウントのセッションを拒否します。このようなアカウントでも ssh -J や ssh -N は使えます。"}},
		Entry{Code: "session.command_failed", Severity: "error",
			Title: Text{En: "Logged in as {user}, but the command the server ran ended with {status}", Ja: "{user} としてログインしましたが、サーバーが実行したコマンドは {status} で終了しました"},
			Explanation: Text{En: "Authentication worked and a session opened, but the no-op command (what ssh host true runs) did not succeed. What runs it is the account's shell with its startup files (a non-interactive bash started by sshd reads ~/.bashrc), a ForceCommand, or a command= option on the key; one of them failed or exited with this status. Its output, if any, is shown; an interactive login runs through the same files.",
				Ja: "認証に成功してセッションも開きましたが、何もしないコマンド (ssh host true が実行するもの) が成功しませんでした。それを実行するのはアカウントのシェルとその起動ファイル (sshd が起動する非対話の bash は ~/.bashrc を読みます)、ForceCommand、または鍵の command= オプションで、そのどれかが失敗したか、この終了コードで終わりました。出力があれば示しています。対話的なログインも同じファイルを通ります。"}},
	)
	RegisterPhrases(map[string]Text{
		"fix.session_max_sessions": {En: "On the server, see which MaxSessions applies to this user and where it is set", Ja: "サーバー上で、このユーザーに適用される MaxSessions とその設定箇所を確認します"},
		"fix.session_run_as_user":  {En: "On the server, run the account's login shell with a no-op command as sshd would, and read what it prints", Ja: "サーバー上で、sshd と同じようにアカウントのログインシェルで何もしないコマンドを実行し、表示される内容を読みます"},
	})
}

func init() {
	RegisterPhrases(map[string]Text{
		"evidence.also_possible": {En: "also possible", Ja: "ほかに考えられること"},
	})
	RegisterTranslations(map[string]string{
		"the server refused the session itself (sshd says the same when MaxSessions is 0 for this user, as for accounts kept for forwarding)": "サーバーがセッションそのものを拒否した (このユーザーの MaxSessions が 0 のとき、sshd は同じことを言います。転送専用のアカウントでよく使われます)",
	})
}
