package catalog

// Client configuration lines that ssh rejects, one finding a line, each
// with the fix that fits: an option of another OpenSSH, an algorithm this
// ssh lacks, a Match attribute it does not know, an unset variable.
func init() {
	Register(
		Entry{Code: "config.unknown_option", Severity: "error",
			Title: Text{En: "This ssh does not know the option {option} ({file} line {line})",
				Ja: "この ssh はオプション {option} を知りません ({file} の {line} 行目)"},
			Explanation: Text{En: "ssh stops before connecting when its configuration has an option it does not know. Options come and go between OpenSSH versions and builds (UseKeychain exists only in Apple's OpenSSH on macOS, Tag only since 9.4), so a config shared between machines often carries one. An IgnoreUnknown line above it makes every ssh skip the option where it is unknown and use it where it is known.",
				Ja: "設定に知らないオプションがあると、ssh は接続する前に終了します。オプションは OpenSSH のバージョンやビルドによって異なり (UseKeychain は macOS の Apple 版 OpenSSH にしかなく、Tag は 9.4 以降のみ)、複数のマシンで共有した設定にはよく含まれています。その行より上に IgnoreUnknown の行を置くと、そのオプションを知らない ssh は読み飛ばし、知っている ssh はそのまま使います。"}},
		Entry{Code: "config.unknown_algorithm", Severity: "error",
			Title: Text{En: "This ssh does not know the algorithm {algorithm} in {option} ({file} line {line})",
				Ja: "この ssh は {option} のアルゴリズム {algorithm} を知りません ({file} の {line} 行目)"},
			Explanation: Text{En: "ssh rejects the whole line, and stops before connecting, when an algorithm list names an algorithm it was built without, such as a newer one (mlkem768x25519-sha256 since OpenSSH 9.9) or one a newer ssh has removed. Keep only the names this ssh lists with ssh -Q.",
				Ja: "アルゴリズムの一覧に、この ssh が持たないアルゴリズム (mlkem768x25519-sha256 のように新しいもの (OpenSSH 9.9 以降) や、新しい ssh で削除されたもの) があると、ssh はその行全体を拒否し、接続する前に終了します。ssh -Q で表示される名前だけを残してください。"}},
		Entry{Code: "config.unknown_match", Severity: "error",
			Title: Text{En: "This ssh does not know the Match condition {attribute} ({file} line {line})",
				Ja: "この ssh は Match の条件 {attribute} を知りません ({file} の {line} 行目)"},
			Explanation: Text{En: "ssh stops before connecting when a Match line uses a condition it does not know (Match tagged arrived in OpenSSH 9.4, Match version and sessiontype in 10.0). IgnoreUnknown does not cover Match conditions: move the block to a file only newer ssh reads, or rewrite it with Host.",
				Ja: "Match 行に知らない条件があると、ssh は接続する前に終了します (Match tagged は OpenSSH 9.4、Match version と sessiontype は 10.0 から)。IgnoreUnknown は Match の条件には効きません。新しい ssh だけが読むファイルにそのブロックを移すか、Host で書き直してください。"}},
		Entry{Code: "config.unset_variable", Severity: "error",
			Title: Text{En: "${{variable}} is not set, and {file} line {line} uses it",
				Ja: "${{variable}} が設定されていませんが、{file} の {line} 行目で使われています"},
			Explanation: Text{En: "ssh expands ${NAME} in paths such as IdentityAgent, ControlPath, IdentityFile and CertificateFile from its environment, and stops when the variable is unset. Desktop sessions set variables like XDG_RUNTIME_DIR or SSH_AUTH_SOCK that cron jobs, sudo, CI runners and ssh from a service do not.",
				Ja: "ssh は IdentityAgent、ControlPath、IdentityFile、CertificateFile などのパスにある ${NAME} を環境変数から展開し、その変数が設定されていないと終了します。XDG_RUNTIME_DIR や SSH_AUTH_SOCK のような変数はデスクトップのセッションでは設定されますが、cron、sudo、CI ランナー、サービスから実行した ssh では設定されません。"}},
		Entry{Code: "config.unset_variable_unplaced", Severity: "error",
			Title: Text{En: "${{variable}} is not set, and your ssh configuration uses it",
				Ja: "${{variable}} が設定されていませんが、ssh の設定で使われています"},
			Explanation: Text{En: "ssh expands ${NAME} in ControlPath, IdentityAgent and similar paths from its environment after reading its files, and stops when the variable is unset, without naming the line. Desktop sessions set variables like XDG_RUNTIME_DIR that cron jobs, sudo, CI runners and ssh from a service do not.",
				Ja: "ssh は設定ファイルを読んだあと、ControlPath や IdentityAgent などのパスにある ${NAME} を環境変数から展開し、その変数が設定されていないと、行を示さずに終了します。XDG_RUNTIME_DIR のような変数はデスクトップのセッションでは設定されますが、cron、sudo、CI ランナー、サービスから実行した ssh では設定されません。"}},
	)
	RegisterPhrases(map[string]Text{
		"fix.config_find_variable": {En: "Find the lines that use {variable}, then set it where ssh runs or write those paths without it",
			Ja: "{variable} を使っている行を探し、ssh を実行する環境で設定するか、そのパスを {variable} を使わずに書いてください"},
		"fix.config_ignore_unknown": {En: "Put this line near the top of {file}, above line {line} and outside any Host block (in place of an IgnoreUnknown line the file already has), so an ssh that does not know {option} skips it",
			Ja: "{file} の先頭近く、{line} 行目より上で Host ブロックの外にこの行を置いてください (ファイルにすでに IgnoreUnknown の行があれば、それと置き換えます)。{option} を知らない ssh はその行を読み飛ばします"},
		"fix.config_remove_option": {En: "Remove the -o {option} option from the command line: this ssh does not know it",
			Ja: "コマンドラインから -o {option} を外してください。この ssh はそのオプションを知りません"},
		"fix.config_algorithms_known": {En: "Replace line {line} of {file} with the names this ssh knows",
			Ja: "{file} の {line} 行目を、この ssh が知っている名前だけにしてください"},
		"fix.config_list_algorithms": {En: "List the names this ssh knows for {option}, and keep only those on line {line} of {file}",
			Ja: "この ssh が {option} に使える名前を表示し、{file} の {line} 行目にはそれだけを残してください"},
		"fix.config_set_variable": {En: "Set {variable} in the environment ssh runs in, or write the path on line {line} of {file} without it",
			Ja: "ssh を実行する環境で {variable} を設定するか、{file} の {line} 行目のパスを {variable} を使わずに書いてください"},

		"evidence.config_line":       {En: "the line", Ja: "該当行"},
		"evidence.known_by":          {En: "known to", Ja: "対応している ssh"},
		"evidence.unknown_algorithm": {En: "unknown algorithm", Ja: "不明なアルゴリズム"},
		"evidence.value":             {En: "value", Ja: "値"},
	})
}
