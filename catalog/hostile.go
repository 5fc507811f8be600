package catalog

// Texts for what hostile servers and hostile input make sshdoctor say.
func init() {
	Register(
		Entry{Code: "explain.run_output_truncated", Severity: "warning",
			Title: Text{En: "ssh printed more than {limit}; only the first {limit} were read", Ja: "ssh の出力が {limit} を超えたため、最初の {limit} だけを読みました"},
			Explanation: Text{En: "sshdoctor keeps a bounded amount of what ssh prints, so a flood cannot exhaust memory. The explanation covers what was kept.",
				Ja: "大量の出力でメモリーを使い切らないよう、ssh の出力は一定量までしか保持しません。説明は保持した範囲に基づいています。"}},
	)
	RegisterPhrases(map[string]Text{
		"ui.command_withheld": {
			En: "(no command given: a value it needs holds control or invisible characters, so the pasted command would differ from what you read)",
			Ja: "(コマンドは表示しません: 必要な値に制御文字または不可視の文字が含まれており、貼り付けたコマンドが表示と異なってしまうため)",
		},
	})
}
