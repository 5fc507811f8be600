package catalog

// Texts of `sshdoctor scan` and `sshdoctor exporter`: the scan's own codes,
// the fleet findings seen only across hosts, and the table headings.
func init() {
	Register(
		Entry{Code: "scan.bad_target", Severity: "error",
			Title:       Text{En: "Not a destination ssh would accept", Ja: "ssh が受け付けない接続先です"},
			Explanation: Text{En: "The inventory entry could not be turned into a destination, so the host was not diagnosed; the per-host output says why.", Ja: "インベントリの項目を接続先として解釈できなかったため、このホストは診断していません。理由はホストごとの出力を見てください。"}},
		Entry{Code: "scan.not_run", Severity: "warning",
			Title:       Text{En: "Not diagnosed: the scan's deadline passed or it was interrupted first", Ja: "未診断: スキャン全体の期限が過ぎたか、先に中断されました"},
			Explanation: Text{En: "The scan stopped before this host's turn came. Nothing is known about it; run the scan again with a longer --deadline, or on fewer hosts.", Ja: "このホストの順番が来る前にスキャンが止まりました。このホストについては何も分かっていません。--deadline を長くするか、対象を減らして再実行してください。"}},
		Entry{Code: "fleet.shared_host_key", Severity: "warning",
			Title:       Text{En: "The same host key ({detail}) on {count} hosts", Ja: "{count} 台のホストが同じホスト鍵 ({detail}) を使っています"},
			Explanation: Text{En: "Distinct machines that present one host key were usually cloned from one image without new host keys: whoever has one machine's private key can impersonate all of them. Run `ssh-keygen -A` after removing /etc/ssh/ssh_host_* on each clone (then update known_hosts).", Ja: "別々のマシンが同じホスト鍵を示すのは、たいてい 1 つのイメージからホスト鍵を作り直さずに複製したためです。1 台の秘密鍵を持つ者が全台になりすませます。各複製で /etc/ssh/ssh_host_* を削除してから `ssh-keygen -A` を実行してください (その後 known_hosts を更新します)。"}},
		Entry{Code: "fleet.host_key_changed", Severity: "error",
			Title:       Text{En: "{count} host(s) present a key different from known_hosts", Ja: "{count} 台のホストが known_hosts と異なる鍵を示しています"},
			Explanation: Text{En: "ssh refuses these hosts until known_hosts is updated. Many at once after a rebuild or migration is expected; a few unexplained ones deserve a look before anyone accepts the new keys.", Ja: "known_hosts を更新するまで ssh はこれらのホストへの接続を拒否します。再構築や移行の直後にまとめて起きるのは想定どおりですが、説明のつかない少数のホストは新しい鍵を受け入れる前に確認してください。"}},
		Entry{Code: "fleet.deprecated_only", Severity: "warning",
			Title:       Text{En: "{count} host(s) offer only deprecated algorithms for: {detail}", Ja: "{count} 台のホストが次の項目で非推奨のアルゴリズムしか提示していません: {detail}"},
			Explanation: Text{En: "Current OpenSSH clients have these algorithms off by default (ssh-rsa, SHA-1 key exchange, CBC ciphers, MD5/SHA-1 MACs): these servers are cut off by a client upgrade. Upgrade their sshd or give them current host keys and algorithms.", Ja: "現行の OpenSSH クライアントはこれらのアルゴリズム (ssh-rsa、SHA-1 鍵交換、CBC 暗号、MD5/SHA-1 MAC) を既定で無効にしています。クライアントを更新するとこれらのサーバーには接続できなくなります。sshd を更新するか、現行のホスト鍵とアルゴリズムを設定してください。"}},
	)
	RegisterPhrases(map[string]Text{
		"ui.scan_host":                  {En: "HOST", Ja: "ホスト"},
		"ui.scan_result":                {En: "RESULT", Ja: "結果"},
		"ui.scan_cause":                 {En: "CAUSE", Ja: "原因"},
		"ui.scan_conns":                 {En: "CONN", Ja: "接続"},
		"ui.scan_time":                  {En: "TIME", Ja: "時間"},
		"ui.result.ok":                  {En: "ok", Ja: "正常"},
		"ui.result.problem":             {En: "problem", Ja: "問題あり"},
		"ui.result.inconclusive":        {En: "inconclusive", Ja: "判定不能"},
		"ui.scan_summary":               {En: "Summary: {hosts} host(s): {ok} ok, {problem} with a problem, {inconclusive} inconclusive ({connections} connection(s), {duration})", Ja: "まとめ: {hosts} 台中 正常 {ok} 台、問題あり {problem} 台、判定不能 {inconclusive} 台 (接続 {connections} 回、{duration})"},
		"ui.scan_fleet":                 {En: "Across the fleet:", Ja: "複数ホストにまたがる所見:"},
		"ui.scan_example":               {En: "e.g. {title}", Ja: "例: {title}"},
		"ui.scan_more":                  {En: "and {count} more", Ja: "ほか {count} 台"},
		"ui.scan_not_scanned.hashed":    {En: "{count} hashed known_hosts entries cannot be listed and were not scanned", Ja: "ハッシュ化された known_hosts の {count} 項目は一覧にできないため、スキャンしていません"},
		"ui.scan_not_scanned.patterns":  {En: "{count} known_hosts patterns (wildcards, negations) name no single host and were not scanned", Ja: "known_hosts の {count} 個のパターン (ワイルドカード、否定) は特定のホストを指さないため、スキャンしていません"},
		"ui.scan_not_scanned.not_ssh":   {En: "{count} inventory host(s) use a connection other than ssh (winrm, local…) and were not scanned", Ja: "インベントリの {count} 台は ssh 以外の接続方式 (winrm、local など) のため、スキャンしていません"},
		"ui.scan_not_scanned.bad_lines": {En: "{count} known_hosts line(s) ssh would skip were not read", Ja: "ssh が読み飛ばす known_hosts の {count} 行は読み込んでいません"},
		"ui.scan_progress":              {En: "{done}/{total} hosts · {ok} ok · {problem} problem · {inconclusive} inconclusive", Ja: "{done}/{total} 台 · 正常 {ok} · 問題あり {problem} · 判定不能 {inconclusive}"},
	})
}

func init() {
	RegisterPhrases(map[string]Text{
		"evidence.ssh_g_shared_with": {En: "ssh -G read for", Ja: "ssh -G を実行した名前"},
	})
}
