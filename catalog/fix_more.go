package catalog

// --fix: Google Cloud project keys and OS Login.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.why.gcp_project_key": {En: "Add your public key for {user} to the project's ssh-keys metadata in {project}, where this instance takes its keys (the guest agent creates the account and installs the key)", Ja: "このインスタンスが鍵を読み込む {project} のプロジェクト メタデータ ssh-keys に {user} 用の公開鍵を追加します (ゲスト エージェントがアカウントを作り鍵を設定します)"},
		"fix.why.gcp_oslogin_key": {En: "Add your public key {path} to the OS Login profile of {account}, which this instance reads instead of metadata keys", Ja: "このインスタンスがメタデータの鍵の代わりに読む {account} の OS Login プロファイルに、公開鍵 {path} を追加します"},
		"fix.note.gcp_account":    {En: "not added: the Google account or the public key file is not known; pass --account and --key", Ja: "追加しません: Google アカウントまたは公開鍵ファイルが分かりません。--account と --key を指定してください"},
	})
}
