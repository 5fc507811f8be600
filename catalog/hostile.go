package catalog

// Texts for what hostile servers and hostile input make sshdoctor say.
func init() {
	RegisterPhrases(map[string]Text{
		"ui.command_withheld": {
			En: "(no command given: a value it needs holds control or invisible characters, so the pasted command would differ from what you read)",
			Ja: "(コマンドは表示しません: 必要な値に制御文字または不可視の文字が含まれており、貼り付けたコマンドが表示と異なってしまうため)",
		},
	})
}
