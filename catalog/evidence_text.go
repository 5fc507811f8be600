package catalog

// Fixed English sentences that sshdoctor writes as evidence values (string
// literals given to .Ev); the text renderer translates them line by line.
//
// What ssh itself would print (evidence "ssh_would_say") stays in English,
// word for word, as ssh prints it.
func init() {
	RegisterTranslations(map[string]string{
		// client
		"ssh would ask for a password; sshdoctor never sends one":                         "ssh はパスワードを尋ねますが、sshdoctor がパスワードを送ることはありません",
		"the server accepts this key, but ssh refuses to read its private key file":       "サーバーはこの鍵を受け入れますが、ssh がその秘密鍵ファイルの読み込みを拒否しています",
		"yes: ssh cannot ask for the passphrase":                                          "yes: ssh はパスフレーズを尋ねられません",
		"the server accepts this public key, but ssh cannot load the private key to sign": "サーバーはこの公開鍵を受け入れますが、ssh は署名に使う秘密鍵を読み込めません",
		"send_pubkey_test: no mutual signature algorithm":                                 "send_pubkey_test: no mutual signature algorithm",
		"the server answers the same for a key missing from authorized_keys, an authorized_keys file it ignores (StrictModes, owner, SELinux), and an account that does not exist or may not log in; only the server's log tells them apart": "authorized_keys にない鍵、サーバーが無視している authorized_keys ファイル (StrictModes、所有者、SELinux)、存在しないかログインを許可されていないアカウントのどれに対しても、サーバーは同じ応答を返します。区別できるのはサーバーのログだけです",
		"verifyhostkeydns (SSHFP records)": "verifyhostkeydns (SSHFP レコード)",
		"hashed (|1|…)":                    "ハッシュ化済み (|1|…)",
		"StrictHostKeyChecking=no: ssh connects, but disables password and keyboard-interactive authentication and agent/X11/port forwarding": "StrictHostKeyChecking=no: ssh は接続しますが、パスワード認証と keyboard-interactive 認証、およびエージェント/X11/ポートフォワーディングを無効にします",
		"Host key verification failed.": "Host key verification failed.",
		"no public key (.pub) next to it, so ssh must decrypt it before it can even offer it": "同じ場所に公開鍵 (.pub) がないため、ssh は鍵をサーバーに提示する前に復号する必要があります",

		// gcp
		"all (aggregated list)":                                                                                                       "すべて (集約リスト)",
		"not set on the instance; project metadata unreadable":                                                                        "インスタンスでは未設定。プロジェクト メタデータは読み取れません",
		"--iap: Identity-Aware Proxy TCP forwarding":                                                                                  "--iap: Identity-Aware Proxy による TCP 転送",
		"--no-ip-lookup: judged for any internet address":                                                                             "--no-ip-lookup: 任意のインターネット アドレスとして判定",
		"no boot start in the buffer (older output overwritten): analysed all of it":                                                  "バッファーに起動の開始がありません (古い出力は上書き済み)。全体を解析しました",
		"the network's firewall policy enforcement order":                                                                             "ネットワークのファイアウォール ポリシーの適用順序",
		"no IAM permission is needed for metadata-key SSH with the key already in place":                                              "鍵がすでに登録済みのため、メタデータの SSH 鍵による接続に IAM 権限は必要ありません",
		"compute.instances.osLogin (roles/compute.osLogin) or compute.instances.osAdminLogin (roles/compute.osAdminLogin, with sudo)": "compute.instances.osLogin (roles/compute.osLogin) または compute.instances.osAdminLogin (roles/compute.osAdminLogin、sudo 可)",
		"adding your key to metadata (gcloud compute ssh does this)":                                                                  "メタデータへの鍵の追加 (gcloud compute ssh が行います)",
		"instance sshKeys (legacy): project keys are ignored while it exists":                                                         "インスタンスの sshKeys (旧形式): これがある間はプロジェクトの鍵は無視されます",
		"project sshKeys (legacy)":                                                                                                    "プロジェクトの sshKeys (旧形式)",
		"~/.ssh/google_compute_engine.pub and ssh's default identities":                                                               "~/.ssh/google_compute_engine.pub と ssh の既定の鍵",
		"could not be read: the key may be there":                                                                                     "読み取れませんでした。鍵が登録されている可能性があります",
		"TRUE: ssh asks for a second factor":                                                                                          "TRUE: ssh で 2 段階認証の確認が求められます",
		"no firewall verdict":                                                                                                         "ファイアウォールの判定なし",
		"the firewall allows it":                                                                                                      "ファイアウォールで許可される",
		"the firewall blocks it":                                                                                                      "ファイアウォールでブロックされる",

		// server
		"root may log in only with a key whose authorized_keys line has command=":      "root は、authorized_keys の行に command= がある鍵でのみログインできます",
		"a password change is forced (last change = 0)":                                "パスワードの変更が強制されています (最終変更日 = 0)",
		"could not read the sshd binary to see whether it uses TCP wrappers":           "sshd のバイナリーを読み取れず、TCP ラッパーを使うかを確認できませんでした",
		"no port, agent or X11 forwarding, no pty, no ~/.ssh/rc unless re-allowed":     "個別に許可し直さない限り、ポート/エージェント/X11 フォワーディング、pty、~/.ssh/rc はすべて無効",
		"the from= pattern list is malformed, so sshd refuses the key from everywhere": "from= のパターン リストが不正なため、sshd はどの接続元からでもこの鍵を拒否します",
		"Debian/Ubuntu StrictModes (group-writable allowed for a private group)":       "Debian/Ubuntu の StrictModes (個人用グループならグループ書き込み権限を許容)",

		// vm
		"a guest whose own adapter is VirtualBox NAT reaches the host's 127.0.0.1 as 10.0.2.2 only when that adapter has localhost-reachable on": "自身のアダプターが VirtualBox の NAT であるゲストから 10.0.2.2 としてホストの 127.0.0.1 に届くのは、そのアダプターで localhost-reachable が on の場合だけです",
		"(QEMU's default user-mode network)":                                               "(QEMU の既定のユーザー モード ネットワーク)",
		"yes: the VM is not running; these are the addresses it reported when it last ran": "yes: VM は実行中ではありません。これは最後に実行されていたときに報告されたアドレスです",
		"not checked on this system":                                                       "このシステムでは確認していません",
		"not checked (read from the settings file)":                                        "未確認 (設定ファイルから読み取り)",
		"a process this user cannot see (run as root to name it)":                          "このユーザーからは見えないプロセス (root で実行すると特定できます)",
		// Where the login name came from (client/auth.go), after the name.
		"given on the command line": "コマンドラインで指定",
		"your local account name: neither user@ nor a User line in ssh config": "ローカルのアカウント名 (user@ も ssh 設定の User 行もありません)",
		"from your ssh config's User line":                                     "ssh 設定の User 行から",
	})
}

// Sentences after an observed value ("FILE: …"), {n} a count.
func init() {
	RegisterTranslations(map[string]string{
		"{n} keys":    "鍵 {n} 個",
		"not present": "ありません",
	})
}
