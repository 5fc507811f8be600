package catalog

// Texts for what hostile servers and hostile input make sshdoctor say.
func init() {
	Register(
		Entry{Code: "config.ssh_failed", Severity: "error",
			Title:       Text{En: "Your ssh configuration could not be read: {message}", Ja: "ssh の設定を読み取れませんでした: {message}"},
			Explanation: Text{En: "sshdoctor asks ssh itself (ssh -G) for the settings it would use, and that did not work, so the rest of the path cannot be followed as ssh would follow it.", Ja: "sshdoctor は使われる設定を ssh 自身 (ssh -G) に問い合わせますが、それがうまくいかなかったため、ssh と同じ経路をたどれません。"}},
		Entry{Code: "vm.probes_limited", Severity: "info",
			Title:       Text{En: "{probed} of {total} SSH forwards were probed; {skipped} were not", Ja: "SSH のポートフォワーディング {total} 件のうち {probed} 件を確認しました ({skipped} 件は確認していません)"},
			Explanation: Text{En: "A machine rarely has more than one or two forwards to its SSH port; sshdoctor probes only the first ones so that a long list does not turn into a flood of connections.", Ja: "SSH ポートへのフォワーディングは通常 1〜2 件です。長い一覧が大量の接続にならないよう、sshdoctor は最初の数件だけを確認します。"}},
		Entry{Code: "config.ssh_timeout", Severity: "error",
			Title: Text{En: "ssh -G did not finish within {timeout}", Ja: "ssh -G が {timeout} 以内に終わりませんでした"},
			Explanation: Text{En: "Reading the configuration only reads files, unless a Match exec line runs a command: one that hangs or waits (for the network, a prompt, a sleep) makes every ssh to this host hang the same way. sshdoctor stopped it and what it started. The lines that run a command are listed.",
				Ja: "設定の読み込みはファイルを読むだけですが、Match exec の行はコマンドを実行します。そのコマンドが止まったり (ネットワーク、入力待ち、sleep などで) 待ったりすると、このホストへの ssh はすべて同じように止まります。sshdoctor はそれと、それが起動したものを停止しました。コマンドを実行する行を一覧にしています。"}},
		Entry{Code: "gcp.call_failed", Severity: "warning",
			Title:       Text{En: "A call to Google's APIs failed", Ja: "Google の API の呼び出しが失敗しました"},
			Explanation: Text{En: "The call did not succeed (see the evidence), so this part could not be checked.", Ja: "呼び出しが成功しなかったため (根拠を参照)、この項目は確認できませんでした。"}},
		Entry{Code: "session.timeout", Severity: "error",
			Title: Text{En: "{hostname} did not finish the login within {timeout}", Ja: "{hostname} は {timeout} 以内にログインを終えませんでした"},
			Explanation: Text{En: "After authentication the server neither answered nor closed the connection; sshdoctor stopped waiting and closed it itself. A PAM module waiting on a slow directory or network home, a hanging shell startup file or ForceCommand, or an overloaded server makes logins hang like this; the server's log for this login tells which.",
				Ja: "認証の後、サーバーは応答も切断もしなかったため、sshdoctor が待つのをやめて自分で接続を閉じました。応答の遅いディレクトリーサービスやネットワーク上のホームを待つ PAM モジュール、止まってしまうシェルの起動ファイルや ForceCommand、過負荷のサーバーでこうなります。どれかはこのログインについてのサーバーのログでわかります。"}},
		Entry{Code: "explain.run_output_truncated", Severity: "warning",
			Title: Text{En: "ssh printed more than {limit}; only the first {limit} were read", Ja: "ssh の出力が {limit} を超えたため、最初の {limit} だけを読みました"},
			Explanation: Text{En: "sshdoctor keeps a bounded amount of what ssh prints, so a flood cannot exhaust memory. The explanation covers what was kept.",
				Ja: "大量の出力でメモリーを使い切らないよう、ssh の出力は一定量までしか保持しません。説明は保持した範囲に基づいています。"}},
	)
	RegisterTranslations(map[string]string{
		"none found in the files ssh reads":   "ssh が読むファイルには見つかりません",
		"the session running a no-op command": "何もしないコマンドを実行するセッション",
		"the answer to the key's signature":   "鍵の署名に対する応答",
	})
	RegisterPhrases(map[string]Text{
		"evidence.command_lines": {En: "lines that run a command", Ja: "コマンドを実行する行"},
		"evidence.waited_for":    {En: "waited for", Ja: "待っていたもの"},
		"ui.command_withheld": {
			En: "(no command given: a value it needs holds control or invisible characters, so the pasted command would differ from what you read)",
			Ja: "(コマンドは表示しません: 必要な値に制御文字または不可視の文字が含まれており、貼り付けたコマンドが表示と異なってしまうため)",
		},
	})
}
