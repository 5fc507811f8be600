package catalog

// Interface phrases, statuses, check labels and the engine's own codes.
func init() {
	RegisterPhrases(map[string]Text{
		"ui.diagnosis":         {En: "Diagnosis", Ja: "診断"},
		"ui.fix":               {En: "Fix", Ja: "対処"},
		"ui.evidence":          {En: "evidence", Ja: "根拠"},
		"ui.ok":                {En: "No problem found: every layer checked passed.", Ja: "問題は見つかりませんでした。確認したすべての段階が正常です。"},
		"ui.ok_with_warnings":  {En: "No blocking problem found, but see the warnings above.", Ja: "接続を妨げる問題は見つかりませんでしたが、上の警告を確認してください。"},
		"ui.inconclusive":      {En: "Inconclusive: some checks could not reach a conclusion (see above).", Ja: "判定できませんでした。一部の確認が結論に至りませんでした (上記参照)。"},
		"ui.interrupted":       {En: "Interrupted before every check finished.", Ja: "すべての確認が終わる前に中断されました。"},
		"ui.skipped_for":       {En: "skipped: {check} did not pass", Ja: "スキップ: {check}が成功しなかったため"},
		"ui.not_applicable":    {En: "not applicable", Ja: "対象外"},
		"ui.skipped_interrupt": {En: "skipped: interrupted", Ja: "スキップ: 中断されました"},
		"ui.target":            {En: "Target", Ja: "接続先"},
		"ui.also":              {En: "Also found", Ja: "ほかに見つかった点"},
		"ui.status.pass":       {En: "ok", Ja: "正常"},
		"ui.status.fail":       {En: "failed", Ja: "失敗"},
		"ui.status.warn":       {En: "warning", Ja: "警告"},
		"ui.status.skip":       {En: "skipped", Ja: "スキップ"},
		"ui.status.error":      {En: "could not check", Ja: "確認できず"},
		"ui.stats":             {En: "{connections} connection(s), {auth_attempts} authentication attempt(s) made", Ja: "接続 {connections} 回、認証試行 {auth_attempts} 回を行いました"},
		"fix.report_bug":       {En: "This is a bug in sshdoctor; please report it with the evidence above", Ja: "これは sshdoctor の不具合です。上記の根拠を添えて報告してください"},
		"fix.rerun_longer":     {En: "Run again with a longer deadline", Ja: "タイムアウトを長くして再実行してください"},
	})
	Register(
		Entry{Code: "internal.check_failed", Severity: "warning",
			Title:       Text{En: "The {check} check crashed", Ja: "{check} の確認が異常終了しました"},
			Explanation: Text{En: "sshdoctor hit an internal error while running the {check} check; its result is unknown.", Ja: "{check} の確認中に sshdoctor 内部でエラーが発生したため、結果は不明です。"}},
		Entry{Code: "internal.check_timeout", Severity: "warning",
			Title:       Text{En: "The {check} check did not finish within {timeout}", Ja: "{check} の確認が {timeout} 以内に終わりませんでした"},
			Explanation: Text{En: "The check was abandoned at its deadline, so its layer was not verified.", Ja: "期限に達したため確認を打ち切りました。この段階は検証されていません。"}},
	)
}

// CheckLabel returns the human-readable label of a check, registered as the
// phrase "check.<name>", or the name itself.
func CheckLabel(lang Lang, name string) string {
	if t, ok := Phrase("check." + name); ok {
		return t.In(lang)
	}
	return name
}

// EvidenceLabel is how the text output names an evidence key: the phrase
// "evidence.<key>" when there is one, else the key itself (JSON always
// uses the key).
func EvidenceLabel(lang Lang, key string) string {
	if t, ok := Phrase("evidence." + key); ok {
		return t.In(lang)
	}
	return key
}
