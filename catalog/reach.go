package catalog

// Servers that only prompt (password, keyboard-interactive), jump chains,
// ProxyCommand transports, git forges and a target that is this machine:
// the paths a real ssh takes besides one direct TCP connection.
func init() {
	Register(
		Entry{Code: "auth.password_only", Severity: "error",
			Title: Text{En: "{host} accepts only a password for {user}, no key", Ja: "{host} は {user} に対してパスワードだけを受け付け、鍵は受け付けません"},
			Explanation: Text{En: "The server offers only password authentication (PubkeyAuthentication is off, or AuthenticationMethods leaves it out). ssh would ask for the password; with BatchMode (scripts, git, CI) it cannot ask and fails with Permission denied. sshdoctor never sends a password, so it stopped here.",
				Ja: "サーバーはパスワード認証だけを提示しています (PubkeyAuthentication が無効か、AuthenticationMethods に含まれていません)。ssh はパスワードを尋ねますが、BatchMode (スクリプト、git、CI) では尋ねられずに Permission denied で失敗します。sshdoctor はパスワードを送らないため、ここで止めました。"}},
		Entry{Code: "auth.kbdint_only", Severity: "error",
			Title: Text{En: "{host} accepts only keyboard-interactive for {user} (a password or one-time code prompt), no key", Ja: "{host} は {user} に対して keyboard-interactive (パスワードやワンタイムコードの入力) だけを受け付け、鍵は受け付けません"},
			Explanation: Text{En: "The server offers only keyboard-interactive authentication: it sends prompts (usually through PAM: a password, a one-time code, or both) that a person answers. ssh would show the prompts; with BatchMode it cannot and fails with Permission denied. sshdoctor never answers a prompt, so it stopped here.",
				Ja: "サーバーは keyboard-interactive 認証だけを提示しています。サーバーが送る質問 (多くは PAM 経由のパスワード、ワンタイムコード、またはその両方) に人が答える方式です。ssh は質問を表示しますが、BatchMode では表示できずに Permission denied で失敗します。sshdoctor は質問に答えないため、ここで止めました。"}},
		Entry{Code: "auth.password_or_kbdint_only", Severity: "error",
			Title: Text{En: "{host} accepts only a password or keyboard-interactive prompt for {user}, no key", Ja: "{host} は {user} に対してパスワードか keyboard-interactive の入力だけを受け付け、鍵は受け付けません"},
			Explanation: Text{En: "The server offers both password and keyboard-interactive authentication but not publickey. ssh would ask for a password (keyboard-interactive first); with BatchMode it cannot ask and fails with Permission denied. sshdoctor never sends a password, so it stopped here.",
				Ja: "サーバーはパスワード認証と keyboard-interactive 認証を提示していますが、publickey は提示していません。ssh はパスワードを尋ねます (keyboard-interactive が先) が、BatchMode では尋ねられずに Permission denied で失敗します。sshdoctor はパスワードを送らないため、ここで止めました。"}},
		Entry{Code: "auth.kbdint_no_prompt", Severity: "error",
			Title: Text{En: "{host} lists keyboard-interactive for {user} but has nothing to ask, and accepts no key", Ja: "{host} は {user} に keyboard-interactive を提示していますが質問するものがなく、鍵も受け付けません"},
			Explanation: Text{En: "The server answered a keyboard-interactive request with a failure at once, without a prompt: it has no challenge to send (typically UsePAM no on Linux, where sshd has no other keyboard-interactive device). ssh fails with Permission denied even with a person at the keyboard.",
				Ja: "サーバーは keyboard-interactive の要求に質問を送らず、すぐに失敗を返しました。送る質問がありません (多くは Linux で UsePAM no の場合で、sshd にはほかの keyboard-interactive の仕組みがありません)。人がキーボードの前にいても ssh は Permission denied で失敗します。"}},
		// Git forges.
		Entry{Code: "session.forge_no_shell", Severity: "info",
			Title: Text{En: "Logged in to {service} as {user}: it runs git only and gives no shell, as expected", Ja: "{service} に {user} としてログインしました。git 専用でシェルは提供されません (正常です)"},
			Explanation: Text{En: "Git services authenticate the key and then refuse a shell with a message and a non-zero exit status; git clone, fetch and push work over this connection.",
				Ja: "git サービスは鍵を認証したあと、メッセージと 0 以外の終了コードでシェルを断ります。この接続で git clone、fetch、push は使えます。"}},
		Entry{Code: "auth.forge_user", Severity: "error",
			Title: Text{En: "{service} accepts the login name git only, not {user}", Ja: "{service} のログイン名は git だけで、{user} は使えません"},
			Explanation: Text{En: "On a git service every person logs in as git; the service tells people apart by their key. Any other login name is refused with Permission denied (publickey), whatever the key.",
				Ja: "git サービスでは全員が git としてログインし、サービスは鍵で利用者を見分けます。ほかのログイン名は、鍵にかかわらず Permission denied (publickey) で拒否されます。"}},
		Entry{Code: "auth.forge_key_unknown", Severity: "error",
			Title: Text{En: "{service} does not know any key ssh offered: add your public key to your account", Ja: "{service} は ssh が提示したどの鍵も知りません。アカウントに公開鍵を登録してください"},
			Explanation: Text{En: "The service refused every key ssh offered as git. The keys are listed below; the one you mean is not registered on your account (or is registered on another account). Add its public half in the service's SSH key settings.",
				Ja: "サービスは、git として ssh が提示したすべての鍵を拒否しました。鍵は下に一覧があります。使うつもりの鍵がアカウントに登録されていない (または別のアカウントに登録されている) 状態です。サービスの SSH 鍵の設定で、その公開鍵を登録してください。"}},
		Entry{Code: "session.password_not_sent", Severity: "info",
			Title: Text{En: "Login not tested: it needs a password, which sshdoctor never sends", Ja: "ログインは試していません: パスワードが必要ですが、sshdoctor はパスワードを送りません"},
			Explanation: Text{En: "What happens after login (shell, PAM account checks, ForceCommand) was not checked.",
				Ja: "ログイン後に起こること (シェル、PAM のアカウント確認、ForceCommand) は確認していません。"}},
	)
	RegisterPhrases(map[string]Text{
		"fix.forge_network":                 {En: "Port 22 to this service is blocked on your network; use HTTPS for git, or another network", Ja: "このネットワークではサービスへのポート 22 が遮断されています。git には HTTPS を使うか、別のネットワークを使ってください"},
		"fix.forge_alt_config":              {En: "The service's SSH endpoint on port 443 ({alt}) answers: add this block to ~/.ssh/config", Ja: "サービスのポート 443 の SSH 窓口 ({alt}) は応答します。次の設定を ~/.ssh/config に追加します"},
		"fix.forge_alt_test":                {En: "Test it", Ja: "動作を確認します"},
		"fix.forge_user":                    {En: "Log in as git", Ja: "git としてログインします"},
		"fix.forge_user_config":             {En: "Or set the login name in ~/.ssh/config", Ja: "または ~/.ssh/config でログイン名を設定します"},
		"fix.forge_add_key":                 {En: "Copy this public key and add it in your account's SSH key settings (see the address above)", Ja: "この公開鍵をコピーし、アカウントの SSH 鍵の設定に登録します (上記のアドレス)"},
		"fix.forge_test":                    {En: "Then test", Ja: "そのあと確認します"},
		"evidence.service":                  {En: "service", Ja: "サービス"},
		"evidence.ssh_over_443":             {En: "SSH over port 443", Ja: "ポート 443 経由の SSH"},
		"evidence.add_keys_at":              {En: "add keys at", Ja: "鍵の登録先"},
		"fix.auth_enable_pubkey_server":     {En: "On the server, see which methods apply to this connection, then enable public keys", Ja: "サーバー上で、この接続に適用される認証方式を確認し、公開鍵認証を有効にします"},
		"fix.auth_copy_id_password":         {En: "Install your public key with the password, once (ssh-copy-id asks for it)", Ja: "パスワードを使って一度だけ公開鍵を登録します (ssh-copy-id がパスワードを尋ねます)"},
		"fix.auth_interactive":              {En: "Or log in typing the password yourself", Ja: "または、パスワードを自分で入力してログインします"},
		"evidence.server_asks":              {En: "the server asks", Ja: "サーバーの質問"},
		"evidence.server_asked":             {En: "the server asked", Ja: "サーバーの質問"},
		"evidence.server_instruction":       {En: "the server's instruction", Ja: "サーバーの説明文"},
		"evidence.key_if_publickey_enabled": {En: "key ssh would use if publickey were enabled", Ja: "公開鍵認証が有効なら ssh が使う鍵"},
	})
	RegisterTranslations(map[string]string{
		"yes: ssh cannot prompt, so it fails":                              "yes: ssh は入力を求められないため失敗します",
		"none: ssh has no key to offer":                                    "なし: ssh が提示できる鍵がありません",
		"nothing: it answered keyboard-interactive with a failure at once": "なし: keyboard-interactive の要求にすぐ失敗を返しました",
		"none: a shell without a terminal, as ssh -T asks":                 "なし: ssh -T と同じく端末なしのシェル",
		"echoed": "入力が表示されます",
	})
}
