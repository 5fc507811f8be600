package catalog

// Japanese for the command line itself: help, flag descriptions, usage
// errors of the root, check and version commands, and cobra's headings.
func init() {
	RegisterTranslations(map[string]string{
		// cobra's usage template headings
		"Usage:":                                "使い方:",
		"Aliases:":                              "別名:",
		"Examples:":                             "例:",
		"Available Commands:":                   "コマンド:",
		"Additional Commands:":                  "そのほかのコマンド:",
		"Global Flags:":                         "共通フラグ:",
		"Flags:":                                "フラグ:",
		"Additional help topics:":               "そのほかのヘルプ:",
		"for more information about a command.": "でコマンドの詳しい説明を表示します。",
		"Help about any command":                "コマンドのヘルプを表示します",
		"help for this command":                 "このコマンドのヘルプを表示します",
		"Help provides help for any command in the application.\nSimply type sshdoctor help [path to command] for full details.": "各コマンドのヘルプを表示します。\n詳しくは sshdoctor help [コマンド] と入力してください。",

		// root
		"Find exactly why ssh to a machine fails, and how to fix it":              "ssh で接続できない本当の理由と直し方を突き止めます",
		"print one JSON object (schema v1) instead of text":                       "テキストの代わりに JSON オブジェクトを 1 つ出力します (スキーマ v1)",
		"no colour (also NO_COLOR)":                                               "色を付けません (NO_COLOR でも同じ)",
		"output language: en or ja (default from LC_ALL, LC_MESSAGES, LANG)":      "出力言語: en または ja (省略時は LC_ALL、LC_MESSAGES、LANG から判断)",
		"also print the evidence of passing checks":                               "成功した確認の根拠も表示します",
		"Print the version":                                                       "バージョンを表示します",
		"unknown command %q (or more than one destination); see sshdoctor --help": "不明なコマンド %q です (または接続先が複数指定されています)。sshdoctor --help を参照してください",
		"--lang %q: use en or ja":                                                 "--lang %q: en か ja を指定してください",

		// check
		"Walk the path ssh walks and stop at the layer that breaks": "ssh と同じ経路をたどり、失敗する段階で止まって原因を示します",
		"Walk the path ssh walks to a host — client config, DNS, TCP, SSH banner,\nkey exchange, host key, authentication, login — and stop at the first layer\nthat breaks, with the evidence, the reason and the exact fix.\n\nDEST is [user@]host[:port], ssh://[user@]host[:port], or a Host alias from\nyour ssh config. Flags mean what they mean to ssh.": "ssh がホストに接続するときと同じ経路 — クライアント設定、DNS、TCP、SSH バナー、\n鍵交換、ホスト鍵、認証、ログイン — を順にたどり、最初に失敗した段階で止まって、\n根拠、理由、そして具体的な対処コマンドを示します。\n\nDEST は [user@]host[:port]、ssh://[user@]host[:port]、または ssh 設定の Host\n別名です。フラグの意味は ssh と同じです。",
		"port to connect to on the remote host":                            "接続先のポート番号",
		"user to log in as":                                                "ログインするユーザー名",
		"identity (private key) file; repeatable":                          "秘密鍵ファイル (複数指定可)",
		"ssh client config file to use instead of ~/.ssh/config":           "~/.ssh/config の代わりに使う ssh クライアント設定ファイル",
		"ssh option as Key=Value; repeatable":                              "Key=Value 形式の ssh オプション (複数指定可)",
		"use IPv4 addresses only":                                          "IPv4 アドレスだけを使います",
		"use IPv6 addresses only":                                          "IPv6 アドレスだけを使います",
		"deadline for each network step":                                   "ネットワーク処理 1 段階ごとのタイムアウト",
		"stop after authentication: do not log in and run a no-op command": "認証の確認までで止め、ログインして何もしないコマンドを実行することはしません",
		"also test keys ssh itself would not offer":                        "ssh 自身が提示しない鍵も確認します",

		"expected one destination ([user@]host[:port]), got %d arguments": "接続先 ([user@]host[:port]) を 1 つ指定してください (引数が %d 個あります)",
		"empty destination": "接続先が空です",
		"destination %q contains white space or control characters": "接続先 %q に空白文字または制御文字が含まれています",
		"destination %q: an ssh:// URL takes no path":               "接続先 %q: ssh:// URL にパスは指定できません",
		"destination %q: only ssh:// URLs are understood":           "接続先 %q: URL は ssh:// だけに対応しています",
		"destination %q: empty user name before @":                  "接続先 %q: @ の前のユーザー名が空です",
		"destination %q: missing ] after IPv6 address":              "接続先 %q: IPv6 アドレスの後に ] がありません",
		"destination %q: unexpected %q after ]":                     "接続先 %[1]q: ] の後に予期しない %[2]q があります",
		"destination %q: empty port after ':'":                      "接続先 %q: ':' の後のポート番号が空です",
		"destination %q: not an IPv6 address; write [address]:port": "接続先 %q: IPv6 アドレスとして解釈できません。[アドレス]:ポート の形で書いてください",
		"destination %q: empty host name":                           "接続先 %q: ホスト名が空です",
		"destination %q: a host name cannot start with '-'":         "接続先 %q: ホスト名を '-' で始めることはできません",
		"destination %q: port %q is not a number from 1 to 65535":   "接続先 %[1]q: ポート %[2]q は 1 から 65535 までの数値ではありません",
		"-p %d: port must be from 1 to 65535":                       "-p %d: ポート番号は 1 から 65535 までです",
		"-4 and -6 cannot be used together":                         "-4 と -6 は同時に指定できません",
		"--timeout %s: must be positive":                            "--timeout %s: 正の値を指定してください",
		"-F %s: %v":                                                 "-F %s: %v",
		"-o %q: expected Key=Value (or \"Key Value\")":              "-o %q: Key=Value (または \"Key Value\") の形で指定してください",
	})
}
