package catalog

// --fix: plans, consent, backups, re-check and undo.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.ui.plan":          {En: "Plan: {n} step(s). Nothing has been changed yet.", Ja: "修正計画: {n} 段階。まだ何も変更していません。"},
		"fix.ui.nothing":       {En: "Nothing here that sshdoctor can fix by itself; the Fix section above says what to do.", Ja: "sshdoctor が自動で修正できるものはありません。上の「対処」に従ってください。"},
		"fix.ui.change":        {En: "change", Ja: "変更内容"},
		"fix.ui.undo":          {En: "undo", Ja: "元に戻す方法"},
		"fix.ui.manual":        {En: "sshdoctor does not run this: run it yourself in PowerShell", Ja: "これは sshdoctor では実行しません。PowerShell で自分で実行してください"},
		"fix.ui.ask":           {En: "Apply step {n}? [y/N/a=all/q=quit]", Ja: "段階 {n} を適用しますか? [y/N/a=すべて/q=中止]"},
		"fix.ui.dry_run":       {En: "--dry-run: nothing was changed.", Ja: "--dry-run のため何も変更していません。"},
		"fix.ui.no_tty":        {En: "Nothing was changed: there is no terminal to ask on. Run again with --yes to apply this plan, or --dry-run to only see it.", Ja: "確認できる端末がないため、何も変更していません。この計画を適用するには --yes を付けて、表示だけなら --dry-run を付けて実行してください。"},
		"fix.ui.declined":      {En: "Nothing was changed.", Ja: "何も変更していません。"},
		"fix.ui.applied":       {En: "Applied step(s) {steps}.", Ja: "段階 {steps} を適用しました。"},
		"fix.ui.failed":        {En: "A step failed and its changes were put back: {error}", Ja: "段階の適用に失敗したため、その変更を元に戻しました: {error}"},
		"fix.ui.backup":        {En: "Backup of everything changed: {dir}", Ja: "変更したものすべてのバックアップ: {dir}"},
		"fix.ui.recheck":       {En: "Checked again:", Ja: "もう一度確認しました:"},
		"fix.ui.fixed":         {En: "ssh works now.", Ja: "ssh で接続できるようになりました。"},
		"fix.ui.still_failing": {En: "It still fails: read the diagnosis above, and undo if the change did not help.", Ja: "まだ失敗します。上の診断を読み、変更が役に立たなかった場合は元に戻してください。"},
		"fix.ui.undo_with":     {En: "To undo:", Ja: "元に戻すには:"},
		"fix.ui.undone":        {En: "Undone: {n} change(s) from {dir} put back.", Ja: "{dir} の {n} 件の変更を元に戻しました。"},

		"fix.why.key_mode":              {En: "ssh ignores the private key {path} while others may read it: make it readable by you only", Ja: "ほかのユーザーが読める秘密鍵 {path} を ssh は無視します。自分だけが読めるようにします"},
		"fix.why.config_mode":           {En: "ssh refuses {path} while others may write it: make it writable by you only", Ja: "ほかのユーザーが書き込める {path} を ssh は拒否します。自分だけが書き込めるようにします"},
		"fix.why.hostkey_remove":        {En: "Remove the old key of {name} (line {line} of {file}) so ssh stops refusing; ssh will then ask about the new key", Ja: "{name} の古い鍵 ({file} の {line} 行目) を削除し、ssh が接続を拒否しないようにします。その後 ssh は新しい鍵について確認を求めます"},
		"fix.why.hostkey_replace":       {En: "Replace the old key of {name} (line {line} of {file}) with the key whose fingerprint you confirmed, {new}", Ja: "{name} の古い鍵 ({file} の {line} 行目) を、指紋を確認済みの鍵 {new} に置き換えます"},
		"fix.warn.hostkey":              {En: "The server's host key is not the one you saw before.\nold: {old}\nnew: {new}\nDo this only if you know why it changed (reinstalled, new VM on a reused address); otherwise someone may be intercepting the connection. Compare the new fingerprint on the server's console first.", Ja: "サーバーのホスト鍵が以前のものと違います。\n旧: {old}\n新: {new}\n変わった理由 (再インストール、同じアドレスでの新しい VM など) が分かっている場合だけ実行してください。そうでなければ通信が傍受されている可能性があります。まずサーバーのコンソールで新しい指紋を確認してください。"},
		"fix.why.host_block_identities": {En: "Offer only the key the server accepts when connecting to {host}, so the server does not cut ssh off after too many keys (a Host block in {path})", Ja: "{host} への接続ではサーバーが受け付ける鍵だけを提示し、鍵の試行回数の上限で切断されないようにします ({path} の Host ブロック)"},
		"fix.why.host_block_algorithms": {En: "Enable only the old algorithm the server needs, for {host} alone (a Host block in {path}); every other host keeps the safe defaults", Ja: "サーバーに必要な古いアルゴリズムだけを {host} に限って有効にします ({path} の Host ブロック)。ほかのホストは安全な既定値のままです"},
		"fix.why.save_agent_pub":        {En: "Save the public half of the agent key the server accepts as {path}, so IdentityFile can name it", Ja: "サーバーが受け付けるエージェントの鍵の公開鍵を {path} に保存し、IdentityFile で指定できるようにします"},
		"fix.undo.restore_file":         {En: "sshdoctor fix --undo puts back the saved copy of {path}", Ja: "sshdoctor fix --undo で保存した {path} の複製を書き戻します"},
		"fix.undo.remove_file":          {En: "sshdoctor fix --undo removes {path} again", Ja: "sshdoctor fix --undo で {path} を再び削除します"},

		"fix.note.not_regular":          {En: "{path} is not a regular file; not changed", Ja: "{path} は通常のファイルではないため変更しません"},
		"fix.note.unreadable":           {En: "cannot read {path}: {error}", Ja: "{path} を読めません: {error}"},
		"fix.note.known_hosts_moved":    {En: "{path} no longer holds the key that was reported; run sshdoctor again", Ja: "{path} に報告した鍵がもうありません。もう一度 sshdoctor を実行してください"},
		"fix.note.fingerprint_mismatch": {En: "not changed: you expect {expected} but the server shows {new}; this may be an attack", Ja: "変更しません: 期待する指紋は {expected} ですが、サーバーは {new} を示しています。攻撃の可能性があります"},
		"fix.note.keyscan":              {En: "the new host key was not added: {error}", Ja: "新しいホスト鍵は追加しません: {error}"},
		"fix.note.unexpected_block":     {En: "not written: unexpected line {line}", Ja: "書き込みません: 想定外の行 {line}"},
		"fix.note.block_exists":         {En: "{path} already has \"{host}\": edit that block by hand", Ja: "{path} にはすでに「{host}」があります。そのブロックを手で編集してください"},
		"fix.note.agent":                {En: "cannot save the agent's key: {error}", Ja: "エージェントの鍵を保存できません: {error}"},
	})
	RegisterTranslations(map[string]string{
		"propose the mechanical fixes, ask, back up, apply and check again":  "機械的に直せるものを提案し、確認の上でバックアップを取り、適用して再確認します",
		"with --fix: apply every step without asking":                        "--fix と併用: 確認せずにすべての段階を適用します",
		"with --fix: print the plan and change nothing":                      "--fix と併用: 計画を表示するだけで何も変更しません",
		"with --fix: the host key fingerprint you confirmed (SHA256:…)":      "--fix と併用: 自分で確認したホスト鍵の指紋 (SHA256:…)",
		"Undo a fix sshdoctor applied":                                       "sshdoctor が適用した修正を元に戻します",
		"Undo a fix sshdoctor applied: give the backup directory or its ID.": "sshdoctor が適用した修正を元に戻します。バックアップ ディレクトリまたはその ID を指定してください。",
		"backup directory or ID to undo":                                     "元に戻すバックアップ ディレクトリまたは ID",
		"--undo is required (the backup directory or its ID)":                "--undo (バックアップ ディレクトリまたはその ID) を指定してください",
		"--yes and --dry-run need --fix":                                     "--yes と --dry-run は --fix と一緒に指定してください",
		"--yes and --dry-run cannot be used together":                        "--yes と --dry-run は同時に指定できません",
		"--expect-fingerprint %q: expected SHA256:… as ssh-keygen -l prints": "--expect-fingerprint %q: ssh-keygen -l が表示する SHA256:… の形で指定してください",
		"undo: %v": "元に戻せません: %v",
	})
}
