package catalog

// Japanese for `sshdoctor scan` and `sshdoctor exporter`: help, flags and
// usage errors.
func init() {
	RegisterTranslations(map[string]string{
		"Diagnose many hosts at once and group them by root cause": "多数のホストをまとめて診断し、根本原因ごとに分類します",
		"Run check's layers on every host of an inventory — a host list (-f), your ssh\nconfig (--from-ssh-config), known_hosts (--known-hosts) or an Ansible\ninventory (--ansible) — a bounded number at a time and at a bounded rate, and\ngroup the hosts by root cause. Fleet findings: one host key on several hosts,\nkeys changed since known_hosts, servers that offer only deprecated algorithms.\n\nBy default it stops before logging in (--login to go further). The exit code\nis the worst host's: 1 when any host has a problem, 3 when any is\ninconclusive, 0 when all are ok.": "インベントリ — ホスト一覧 (-f)、ssh 設定 (--from-ssh-config)、known_hosts\n(--known-hosts)、Ansible インベントリ (--ansible) — のすべてのホストに check と同じ\n確認を、同時実行数と開始頻度を制限しながら行い、根本原因ごとに分類します。\n複数ホストにまたがる所見: 同じホスト鍵を持つホスト、known_hosts から鍵が変わった\nホスト、非推奨のアルゴリズムしか提示しないサーバー。\n\n既定ではログインの手前で止まります (--login でログインまで確認します)。終了コードは\n最も悪いホストのものです: 問題のあるホストがあれば 1、判定不能があれば 3、\nすべて正常なら 0。",
		"file of hosts, one [user@]host[:port] a line; repeatable":         "1 行に 1 つ [user@]host[:port] を書いたホスト一覧ファイル (複数指定可)",
		"Ansible inventory file (INI or YAML); repeatable":                 "Ansible インベントリファイル (INI または YAML、複数指定可)",
		"scan the plain host names of a known_hosts file; repeatable":      "known_hosts ファイルに平文で書かれたホストをスキャンします (複数指定可)",
		"scan every concrete Host of your ssh config (or of -F)":           "ssh 設定 (または -F のファイル) の具体的な Host をすべてスキャンします",
		"only the hosts of this Ansible group; repeatable":                 "この Ansible グループのホストだけを対象にします (複数指定可)",
		"user for hosts whose inventory names none":                        "インベントリにユーザーの指定がないホストで使うユーザー名",
		"also authenticate and log in (default: stop before logging in)":   "認証してログインまで確認します (既定: ログインの手前で止まります)",
		"hosts diagnosed at once":                                          "同時に診断するホストの数",
		"hosts started per second (0: no limit)":                           "1 秒あたりに診断を始めるホストの数 (0: 制限なし)",
		"deadline for one host":                                            "1 ホストあたりのタイムアウト",
		"deadline for the whole scan (0: none)":                            "スキャン全体のタイムアウト (0: なし)",
		"print one CSV row per host":                                       "ホストごとに CSV を 1 行出力します",
		"destination %q: %s":                                               "接続先 %q: %s",
		"cannot read %s: %s":                                               "%s を読めません: %s",
		"inventory: %s":                                                    "インベントリ: %s",
		"--group selects Ansible groups: give an inventory with --ansible": "--group は Ansible のグループを選びます: --ansible でインベントリを指定してください",
		"no hosts to scan: give destinations, -f FILE, --ansible FILE, --known-hosts or --from-ssh-config": "スキャンするホストがありません: 接続先、-f FILE、--ansible FILE、--known-hosts、--from-ssh-config のいずれかを指定してください",
		"--parallel %d: must be from 1 to 4096":                              "--parallel %d: 1 から 4096 までの値を指定してください",
		"--rate %v: must be 0 (no limit) or positive":                        "--rate %v: 0 (制限なし) か正の値を指定してください",
		"--host-timeout %s: must be positive":                                "--host-timeout %s: 正の値を指定してください",
		"--deadline %s: must be positive (or 0 for none)":                    "--deadline %s: 正の値 (なしは 0) を指定してください",
		"--csv and --json cannot be used together":                           "--csv と --json は同時に指定できません",
		"Serve check's layers as Prometheus metrics (multi-target exporter)": "check の各段階の結果を Prometheus のメトリクスとして提供します (マルチターゲット エクスポーター)",
		"Serve check's layers to Prometheus, as blackbox_exporter does for HTTP:\nPrometheus scrapes /probe?target=host:port&module=NAME, and the exporter\ndiagnoses that target once and answers with per-layer metrics\n(sshdoctor_layer_success, sshdoctor_layer_duration_seconds,\nsshdoctor_probe_success, the failing code, the server's version and host\nkey). /metrics is the exporter's own health.\n\nModules come from --config (YAML: modules: NAME: user, identity_files,\nssh_config, options, timeout, probe_timeout, no_login, ip_protocol); without\nit there is one module, \"ssh\", with check's defaults and no login. Anyone who\ncan reach the listening address can make the exporter probe any target:\nlisten where only Prometheus can reach it.": "blackbox_exporter が HTTP について行うのと同じように、check の各段階を Prometheus に\n提供します。Prometheus が /probe?target=host:port&module=NAME を取得すると、\nエクスポーターはその接続先を 1 回診断し、段階ごとのメトリクス\n(sshdoctor_layer_success、sshdoctor_layer_duration_seconds、\nsshdoctor_probe_success、失敗コード、サーバーのバージョンとホスト鍵) を返します。\n/metrics はエクスポーター自身の状態です。\n\nモジュールは --config (YAML: modules: NAME: user, identity_files, ssh_config,\noptions, timeout, probe_timeout, no_login, ip_protocol) から読みます。指定がなければ\ncheck の既定値でログインしないモジュール \"ssh\" が 1 つだけあります。待ち受け\nアドレスに到達できる人は誰でも任意の接続先を診断させられます。Prometheus だけが\n到達できるアドレスで待ち受けてください。",
		"modules file (YAML)":                     "モジュール定義ファイル (YAML)",
		"address to serve on":                     "待ち受けるアドレス",
		"probes in flight at once":                "同時に実行する診断の数",
		"exporter takes no arguments (got %q)":    "exporter は引数を取りません (%q が指定されました)",
		"--max-concurrent %d: must be at least 1": "--max-concurrent %d: 1 以上を指定してください",
		"--listen %q: expected host:port":         "--listen %q: host:port の形で指定してください",
		"modules file: %s":                        "モジュール定義ファイル: %s",
		"--listen %s: %s":                         "--listen %s: %s",
	})
}
