package catalog

// Codes of `sshdoctor gcp` beyond the login path: the live IAP tunnel,
// Cloud Monitoring, the guest agent, organisation policy, OS Login 2FA,
// Windows, SSH-in-browser, and the boot patterns of Google's troubleshooter.
func init() {
	RegisterPhrases(map[string]Text{
		"check.gcp-iap-probe": {En: "Live tunnel through IAP", Ja: "IAP 経由の実際のトンネル"},

		"fix.gcp_iap_firewall": {En: "Allow TCP from IAP's range 35.235.240.0/20 to the VM", Ja: "IAP の範囲 35.235.240.0/20 から VM への TCP を許可してください"},
		"fix.gcp_iap_debug":    {En: "Open the same tunnel with gcloud and read its debug log", Ja: "gcloud で同じトンネルを開き、デバッグ ログを確認してください"},
		"fix.gcp_iap_ca_file":  {En: "Point gcloud's custom CA file at the PEM bundle that signs the relay's certificate", Ja: "リレーの証明書に署名した CA の PEM ファイルを gcloud の custom CA ファイルに指定してください"},

		"evidence.relay":        {En: "IAP relay", Ja: "IAP リレー"},
		"evidence.close_code":   {En: "close code", Ja: "クローズ コード"},
		"evidence.close_reason": {En: "close reason", Ja: "クローズ理由"},
	})

	Register(
		Entry{Code: "gcp.iap_tunnel_ok", Severity: "info",
			Title: Text{En: "A tunnel through IAP reached port {port} and sshd answered", Ja: "IAP 経由のトンネルがポート {port} に届き、sshd が応答しました"},
			Explanation: Text{En: "sshdoctor opened an IAP TCP-forwarding tunnel itself and read the SSH banner through it: IAP, its permission and the firewall path are fine.",
				Ja: "sshdoctor 自身が IAP の TCP 転送トンネルを開き、その中で SSH のバナーを受け取りました。IAP、その権限、ファイアウォールの経路は問題ありません。"}},
		Entry{Code: "gcp.iap_no_banner", Severity: "error",
			Title: Text{En: "The IAP tunnel to port {port} opened, but no SSH banner came through it", Ja: "ポート {port} への IAP トンネルは開きましたが、SSH のバナーが届きません"},
			Explanation: Text{En: "IAP connected to the VM's port, so the firewall lets IAP in; what answers there is not a working sshd (it hangs, closes at once, or is another service).",
				Ja: "IAP は VM のポートに接続できたので、ファイアウォールは IAP を通しています。しかしそこで応答しているのは正常な sshd ではありません (応答しない、すぐに切断する、または別のサービス)。"}},
		Entry{Code: "gcp.iap_lookup_failed", Severity: "error",
			Title: Text{En: "IAP could not find the instance {instance} (4047)", Ja: "IAP がインスタンス {instance} を見つけられませんでした (4047)"},
			Explanation: Text{En: "The relay closed the tunnel with 4047 \"Failed to lookup instance\": the project, zone or name it was given does not name a VM it can see, or the network interface is not nic0.",
				Ja: "リレーが 4047 \"Failed to lookup instance\" でトンネルを閉じました。渡したプロジェクト、ゾーン、名前が IAP から見える VM を指していないか、ネットワーク インターフェースが nic0 ではありません。"}},
		Entry{Code: "gcp.iap_reauth", Severity: "error",
			Title: Text{En: "IAP asks for a new login (4004)", Ja: "IAP が再認証を求めています (4004)"},
			Explanation: Text{En: "The relay closed the tunnel with 4004: the credentials expired or a reauthentication policy requires a fresh login.",
				Ja: "リレーが 4004 でトンネルを閉じました。認証情報の期限が切れたか、再認証ポリシーにより新たなログインが必要です。"}},
		Entry{Code: "gcp.iap_closed", Severity: "error",
			Title: Text{En: "IAP closed the tunnel with code {close_code}", Ja: "IAP がコード {close_code} でトンネルを閉じました"},
			Explanation: Text{En: "The relay refused the tunnel with a code sshdoctor does not know; its reason is shown as evidence.",
				Ja: "リレーが sshdoctor の知らないコードでトンネルを拒否しました。理由は証拠として表示しています。"}},
		Entry{Code: "gcp.iap_handshake_refused", Severity: "error",
			Title: Text{En: "The IAP relay refused the WebSocket (HTTP {http_status})", Ja: "IAP リレーが WebSocket を拒否しました (HTTP {http_status})"},
			Explanation: Text{En: "The relay answered the upgrade with an HTTP error; gcloud reads this as \"may be due to missing permissions\": a token it does not accept, or no IAP-secured Tunnel User role.",
				Ja: "リレーがアップグレード要求に HTTP エラーで応答しました。gcloud はこれを「権限不足の可能性」と表示します。受け付けられないトークンか、IAP-secured Tunnel User ロールがありません。"}},
		Entry{Code: "gcp.iap_protocol", Severity: "error",
			Title: Text{En: "The IAP relay broke the tunnel protocol", Ja: "IAP リレーがトンネルのプロトコルに従っていません"},
			Explanation: Text{En: "What answered at the relay's address is not IAP's relay (wrong --iap-tunnel-url-override, or a proxy in the way).",
				Ja: "リレーのアドレスで応答したのは IAP のリレーではありません (--iap-tunnel-url-override の誤り、または途中のプロキシ)。"}},
		Entry{Code: "gcp.iap_relay_tls", Severity: "error",
			Title: Text{En: "The IAP relay's certificate is not trusted", Ja: "IAP リレーの証明書が信頼されていません"},
			Explanation: Text{En: "A TLS-inspecting proxy or a private relay presents a certificate the system does not trust; gcloud trusts such a CA through core/custom_ca_certs_file, and so does sshdoctor.",
				Ja: "TLS を検査するプロキシや独自のリレーが、システムの信頼しない証明書を提示しています。gcloud は core/custom_ca_certs_file でその CA を信頼し、sshdoctor も同じ設定を読みます。"}},
		Entry{Code: "gcp.iap_relay_unreachable", Severity: "error",
			Title: Text{En: "The IAP relay could not be reached", Ja: "IAP リレーに接続できません"},
			Explanation: Text{En: "The connection to the relay failed before any WebSocket: DNS, a proxy, or a firewall on your side blocks tunnel.cloudproxy.app on port 443.",
				Ja: "WebSocket の前にリレーへの接続が失敗しました。DNS、プロキシ、または手元のファイアウォールが tunnel.cloudproxy.app のポート 443 をブロックしています。"}},
		Entry{Code: "gcp.iap_ca_file", Severity: "error",
			Title: Text{En: "gcloud's custom CA file cannot be used", Ja: "gcloud の custom CA ファイルを使えません"},
			Explanation: Text{En: "core/custom_ca_certs_file (or CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE) names a file that cannot be read or holds no PEM certificate.",
				Ja: "core/custom_ca_certs_file (または CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE) が、読めないファイルか PEM 証明書を含まないファイルを指しています。"}},
	)
}

// Boot causes gcloud's troubleshooter looks for, and the panic that is
// not a file-system error.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.gcp_boot_previous_kernel": {En: "On the serial console, reboot and pick the previous kernel in GRUB's \"Advanced options\"", Ja: "シリアル コンソールで再起動し、GRUB の「Advanced options」から以前のカーネルを選んでください"},
		"fix.gcp_rebuild_initramfs":    {En: "Once booted, rebuild the initramfs of every kernel (it must hold the disk's driver, virtio-scsi or nvme)", Ja: "起動できたら、すべてのカーネルの initramfs を作り直してください (ディスクのドライバー virtio-scsi または nvme を含める必要があります)"},
		"fix.gcp_secure_boot_off":      {En: "Turn Secure Boot off to boot again, then install a signed kernel and boot loader and turn it back on", Ja: "Secure Boot を無効にして起動し、署名済みのカーネルとブートローダーを入れてから再び有効にしてください"},
		"fix.gcp_rescue_disk":          {En: "Attach the boot disk to a rescue VM and reinstall GRUB or shim there", Ja: "ブートディスクをレスキュー用 VM に接続し、そこで GRUB または shim を入れ直してください"},
		"evidence.device":              {En: "device", Ja: "デバイス"},
	})
	Register(
		Entry{Code: "gcp.boot_no_root_device", Severity: "error",
			Title: Text{En: "The kernel of {instance} found no root disk ({device}): initramfs or driver missing", Ja: "{instance} のカーネルがルート ディスクを見つけられません ({device}): initramfs またはドライバーがありません"},
			Explanation: Text{En: "\"VFS: Unable to mount root fs on unknown-block\" is not a damaged file system: the kernel booted without an initramfs, or its initramfs lacks the driver of the disk or of the file system (often after a kernel update that did not finish, or a machine type with NVMe disks). fsck cannot help; the previous kernel usually boots.",
				Ja: "\"VFS: Unable to mount root fs on unknown-block\" はファイルシステムの破損ではありません。カーネルが initramfs なしで起動したか、initramfs にディスクやファイルシステムのドライバーが入っていません (完了しなかったカーネル更新や、NVMe ディスクのマシンタイプへの変更の後によく起きます)。fsck では直りません。多くの場合、以前のカーネルなら起動します。"}},
		Entry{Code: "gcp.boot_secure_boot_violation", Severity: "error",
			Title: Text{En: "Secure Boot refused to start the boot loader or kernel of {instance}", Ja: "Secure Boot が {instance} のブートローダーまたはカーネルの起動を拒否しました"},
			Explanation: Text{En: "The firmware printed \"Security Violation\": with Shielded VM Secure Boot on, a shim, GRUB or kernel that is unsigned, or signed with a revoked key, is not started; the VM never reaches sshd.",
				Ja: "ファームウェアが \"Security Violation\" を出力しました。Shielded VM の Secure Boot が有効な場合、署名のない、または失効した鍵で署名された shim、GRUB、カーネルは起動されず、VM は sshd まで到達しません。"}},
		Entry{Code: "gcp.boot_image_missing", Severity: "error",
			Title: Text{En: "The boot loader of {instance} could not load the next image", Ja: "{instance} のブートローダーが次のイメージを読み込めませんでした"},
			Explanation: Text{En: "shim or GRUB printed \"Failed to load image\": the file it chains to (grubx64.efi, the kernel) is missing or damaged on the boot disk, so the VM stops before Linux starts.",
				Ja: "shim または GRUB が \"Failed to load image\" を出力しました。次に読み込むファイル (grubx64.efi やカーネル) がブートディスク上にないか壊れているため、Linux が起動する前に VM が止まっています。"}},
	)
}

// Cloud Monitoring.
func init() {
	RegisterTranslations(map[string]string{
		"last 30 minutes":   "直近 30 分間",
		"no data":           "データなし",
		"no Ops Agent data": "Ops Agent のデータなし",
	})
	RegisterPhrases(map[string]Text{
		"check.gcp-monitoring": {En: "CPU, memory, disk, uptime", Ja: "CPU、メモリ、ディスク、稼働時間"},
		"evidence.cpu":         {En: "CPU", Ja: "CPU"},
		"evidence.uptime":      {En: "uptime", Ja: "稼働時間"},
		"evidence.memory":      {En: "memory", Ja: "メモリ"},
		"evidence.disk":        {En: "disk", Ja: "ディスク"},
		"evidence.reboot":      {En: "reboot", Ja: "再起動"},
	})
	Register(
		Entry{Code: "gcp.monitoring_read", Severity: "info",
			Title:       Text{En: "Cloud Monitoring shows nothing that stops ssh", Ja: "Cloud Monitoring には ssh を妨げる兆候はありません"},
			Explanation: Text{En: "The VM's CPU, uptime and (with the Ops Agent) memory and disk over the last 30 minutes.", Ja: "直近 30 分間の VM の CPU、稼働時間、(Ops Agent があれば) メモリとディスクです。"}},
		Entry{Code: "gcp.monitoring_unavailable", Severity: "info",
			Title:       Text{En: "Cloud Monitoring could not be read: CPU, memory and disk not checked", Ja: "Cloud Monitoring を読めません: CPU、メモリ、ディスクは確認していません"},
			Explanation: Text{En: "The Monitoring API is disabled, or the account may not list time series (monitoring.timeSeries.list). A VM that is RUNNING but saturated would not show here.", Ja: "Monitoring API が無効か、アカウントに時系列を一覧する権限 (monitoring.timeSeries.list) がありません。RUNNING でも過負荷の VM はここでは分かりません。"}},
		Entry{Code: "gcp.cpu_saturated", Severity: "error",
			Title:       Text{En: "The CPU of {instance} is saturated ({percent}% for 10 minutes)", Ja: "{instance} の CPU が飽和しています (10 分間 {percent}%)"},
			Explanation: Text{En: "A VM whose CPU is busy all the time is RUNNING but answers ssh late or not at all: sshd and the guest agent get no time to run. Google's troubleshooter flags a mean above 99% over 10 minutes; so does sshdoctor.", Ja: "CPU が常に使い切られている VM は RUNNING でも、ssh への応答が遅れるか応答しません。sshd やゲスト エージェントが動く時間がないためです。Google のトラブルシューターは 10 分間の平均が 99% を超えると問題とし、sshdoctor も同じ基準を使います。"}},
		Entry{Code: "gcp.memory_exhausted", Severity: "warning",
			Title:       Text{En: "{instance} has almost no free memory ({percent}% used)", Ja: "{instance} の空きメモリがほとんどありません (使用率 {percent}%)"},
			Explanation: Text{En: "The Ops Agent reports the memory nearly full: new sshd sessions may fail to start, and the kernel may kill sshd or the guest agent.", Ja: "Ops Agent によるとメモリがほぼ使い切られています。新しい sshd セッションが開始できなかったり、カーネルが sshd やゲスト エージェントを強制終了したりすることがあります。"}},
		Entry{Code: "gcp.disk_full_metric", Severity: "error",
			Title:       Text{En: "The disk {device} of {instance} is full ({percent}% used)", Ja: "{instance} のディスク {device} がいっぱいです (使用率 {percent}%)"},
			Explanation: Text{En: "The Ops Agent reports the disk full: the guest agent cannot write new keys and sshd cannot log the session, so logins fail.", Ja: "Ops Agent によるとディスクがいっぱいです。ゲスト エージェントが新しい鍵を書き込めず、sshd もセッションを記録できないため、ログインに失敗します。"}},
		Entry{Code: "gcp.reboot_loop", Severity: "error",
			Title:       Text{En: "{instance} restarted {count} times in 30 minutes", Ja: "{instance} が 30 分間に {count} 回再起動しました"},
			Explanation: Text{En: "The uptime metric fell back to zero again and again: the VM crashes or is reset during boot, so sshd is never up for long. The serial console shows why.", Ja: "稼働時間のメトリクスが何度も 0 に戻っています。VM が起動中にクラッシュするかリセットされており、sshd が長く動いていません。原因はシリアル コンソールに出ています。"}},
	)
}

// Permissions beyond the login path.
func init() {
	RegisterPhrases(map[string]Text{
		"evidence.compute.instances.get": {En: "compute.instances.get", Ja: "compute.instances.get"},
		"evidence.not_needed":            {En: "not needed", Ja: "不要"},
	})
	RegisterTranslations(map[string]string{
		"held: sshdoctor read the instance as this account": "保持: sshdoctor はこのアカウントでインスタンスを読み取れました",
		"compute.instances.use and iam.serviceAccounts.actAs (Google's troubleshooter asks for them; ssh with the key in place does not)": "compute.instances.use と iam.serviceAccounts.actAs (Google のトラブルシューターは確認しますが、鍵が登録済みの ssh には不要です)",
		"changing the metadata of a VM that runs as a service account":                                                                    "サービス アカウントで動く VM のメタデータの変更",
	})
}

// The guest agent.
func init() {
	RegisterPhrases(map[string]Text{
		"check.gcp-guest-agent":           {En: "Guest agent", Ja: "ゲスト エージェント"},
		"fix.gcp_update_guest_agent":      {En: "On the serial console, install the current guest environment (google-guest-agent) from the distribution's Google Cloud repository", Ja: "シリアル コンソールで、ディストリビューションの Google Cloud リポジトリから最新のゲスト環境 (google-guest-agent) をインストールしてください"},
		"fix.gcp_enable_guest_attributes": {En: "Let the agent report itself in guest attributes (it then writes the VM's host keys there)", Ja: "エージェントがゲスト属性に状態を書き込めるようにしてください (VM のホスト鍵もそこに書き込まれます)"},
		"evidence.version":                {En: "version", Ja: "バージョン"},
		"evidence.keys_applied":           {En: "last key change applied", Ja: "最後に反映した鍵の変更"},
		"evidence.guest_attributes":       {En: "guest attributes", Ja: "ゲスト属性"},
		"evidence.host_keys":              {En: "host keys written", Ja: "書き込まれたホスト鍵"},
		"evidence.os_config_agent":        {En: "OS Config agent", Ja: "OS Config エージェント"},
	})
	RegisterTranslations(map[string]string{
		"not enabled (metadata enable-guest-attributes)": "無効 (メタデータ enable-guest-attributes)",
		"none written": "書き込みなし",
	})
	Register(
		Entry{Code: "gcp.guest_agent_seen", Severity: "info",
			Title:       Text{En: "What the guest agent of {instance} shows", Ja: "{instance} のゲスト エージェントの様子"},
			Explanation: Text{En: "The guest agent writes metadata keys into the VM. Its state and version come from the serial log of the last boot, its host keys from guest attributes.", Ja: "ゲスト エージェントはメタデータの鍵を VM に書き込みます。状態とバージョンは直近の起動のシリアル ログから、ホスト鍵はゲスト属性から読み取っています。"}},
		Entry{Code: "gcp.guest_agent_silent", Severity: "warning",
			Title:       Text{En: "No sign that the guest agent of {instance} runs: new metadata keys may never reach the VM", Ja: "{instance} のゲスト エージェントが動いている形跡がありません: 新しいメタデータの鍵が VM に届かない可能性があります"},
			Explanation: Text{En: "The last boot's serial log has no line of the agent and it wrote no guest attributes. Without it a key added to metadata is never written to authorized_keys, and ssh says \"Permission denied\" although metadata is right.", Ja: "直近の起動のシリアル ログにエージェントの行がなく、ゲスト属性も書き込まれていません。エージェントがないと、メタデータに追加した鍵が authorized_keys に書き込まれず、メタデータが正しくても ssh は \"Permission denied\" になります。"}},
		Entry{Code: "gcp.guest_agent_legacy", Severity: "warning",
			Title:       Text{En: "{instance} runs the old Python guest environment", Ja: "{instance} は古い Python 版のゲスト環境で動いています"},
			Explanation: Text{En: "google_accounts_daemon manages the keys: images from before 2020. It does not know newer metadata (OS Login 2FA, key expiry formats) and is no longer updated.", Ja: "鍵を管理しているのは google_accounts_daemon です (2020 年より前のイメージ)。新しいメタデータ (OS Login の 2 段階認証や鍵の有効期限の形式) を理解せず、更新も終了しています。"}},
	)
}

// Organisation policy.
func init() {
	RegisterPhrases(map[string]Text{
		"check.gcp-org-policy":                     {En: "Organisation policy", Ja: "組織のポリシー"},
		"fix.gcp_oslogin_key":                      {En: "Add your key to your OS Login profile", Ja: "鍵を OS Login のプロフィールに登録してください"},
		"evidence.constraint":                      {En: "constraint", Ja: "制約"},
		"evidence.compute.requireOsLogin":          {En: "compute.requireOsLogin", Ja: "compute.requireOsLogin"},
		"evidence.compute.disableSerialPortAccess": {En: "compute.disableSerialPortAccess", Ja: "compute.disableSerialPortAccess"},
	})
	RegisterTranslations(map[string]string{
		"enforced":                    "適用",
		"not enforced":                "適用なし",
		"conditional (not evaluated)": "条件付き (評価していません)",
		"enable-oslogin is off":       "enable-oslogin は無効",
	})
	Register(
		Entry{Code: "gcp.orgpolicy_read", Severity: "info",
			Title:       Text{En: "Organisation policy does not override the VM's settings", Ja: "組織のポリシーは VM の設定を上書きしていません"},
			Explanation: Text{En: "The effective values of the constraints that decide SSH access.", Ja: "SSH アクセスを左右する制約の実効値です。"}},
		Entry{Code: "gcp.orgpolicy_unavailable", Severity: "info",
			Title:       Text{En: "Organisation policy could not be read", Ja: "組織のポリシーを読めません"},
			Explanation: Text{En: "The Org Policy API is disabled, or the account may not read policies: whether the organisation forces OS Login or blocks the serial console is not checked.", Ja: "Org Policy API が無効か、アカウントにポリシーを読む権限がありません。組織が OS Login を強制しているか、シリアル コンソールを禁止しているかは確認していません。"}},
		Entry{Code: "gcp.orgpolicy_requires_oslogin", Severity: "error",
			Title:       Text{En: "The organisation enforces OS Login: metadata SSH keys are ignored", Ja: "組織が OS Login を強制しています: メタデータの SSH 鍵は無視されます"},
			Explanation: Text{En: "The constraint compute.requireOsLogin overrides enable-oslogin in the VM's and the project's metadata. sshd asks OS Login for keys, so a key in metadata is refused; the key must be in your OS Login profile and you need roles/compute.osLogin.", Ja: "制約 compute.requireOsLogin は VM とプロジェクトのメタデータの enable-oslogin より優先されます。sshd は OS Login に鍵を問い合わせるため、メタデータの鍵は拒否されます。鍵を OS Login のプロフィールに登録し、roles/compute.osLogin が必要です。"}},
		Entry{Code: "gcp.orgpolicy_no_serial_console", Severity: "warning",
			Title:       Text{En: "The organisation forbids the serial console", Ja: "組織がシリアル コンソールを禁止しています"},
			Explanation: Text{En: "compute.disableSerialPortAccess is enforced: serial-port-enable cannot be turned on, so the serial-console fixes shown here cannot be used. Repair the boot disk from a rescue VM instead.", Ja: "compute.disableSerialPortAccess が適用されているため serial-port-enable を有効にできず、ここに示すシリアル コンソールでの修正は使えません。代わりにレスキュー用 VM からブートディスクを修復してください。"}},
		Entry{Code: "gcp.orgpolicy_no_external_ip", Severity: "warning",
			Title:       Text{En: "The organisation forbids an external address for {instance}", Ja: "組織が {instance} への外部アドレスの割り当てを禁止しています"},
			Explanation: Text{En: "compute.vmExternalIpAccess does not list this VM: an external IP address cannot be added. Connect through IAP.", Ja: "compute.vmExternalIpAccess にこの VM が含まれていないため、外部 IP アドレスを追加できません。IAP 経由で接続してください。"}},
	)
}

// OS Login 2-step verification and security keys.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.gcp_2fa_interactive": {En: "Connect from an interactive terminal and answer the second-factor prompt (automation needs an account or VM without enable-oslogin-2fa)", Ja: "対話型の端末から接続し、2 段階目の確認に答えてください (自動化には enable-oslogin-2fa のないアカウントか VM が必要です)"},
	})
	RegisterTranslations(map[string]string{
		"TRUE (instance metadata)": "TRUE (インスタンスのメタデータ)",
		"TRUE (project metadata)":  "TRUE (プロジェクトのメタデータ)",
	})
	Register(
		Entry{Code: "gcp.oslogin_2fa", Severity: "warning",
			Title:       Text{En: "OS Login asks for a second factor after your key", Ja: "OS Login は鍵の後に 2 段階目の確認を求めます"},
			Explanation: Text{En: "With enable-oslogin-2fa, sshd accepts the key and then asks (keyboard-interactive) for your 2-Step Verification: a code from an authenticator app, text or call, a phone prompt, or a security key. ssh -o BatchMode=yes, scp or rsync in scripts, Ansible and CI jobs cannot answer and fail with \"Permission denied (keyboard-interactive)\".", Ja: "enable-oslogin-2fa が有効だと、sshd は鍵を受け入れた後に 2 段階認証プロセスを (keyboard-interactive で) 求めます: 認証アプリのコード、SMS や音声通話、スマートフォンへの通知、またはセキュリティ キーです。ssh -o BatchMode=yes、スクリプト内の scp や rsync、Ansible、CI のジョブは応答できず \"Permission denied (keyboard-interactive)\" で失敗します。"}},
		Entry{Code: "gcp.oslogin_security_key_touch", Severity: "info",
			Title:       Text{En: "OS Login requires a security key: touch it when ssh asks", Ja: "OS Login はセキュリティ キーを必須にしています: ssh が求めたらキーに触れてください"},
			Explanation: Text{En: "With enable-oslogin-sk only keys on a FIDO security key are accepted, and each login needs the key plugged in and touched: unattended automation cannot log in.", Ja: "enable-oslogin-sk が有効だと FIDO セキュリティ キー上の鍵しか受け入れられず、ログインのたびにキーを差し込んで触れる必要があります。無人の自動化ではログインできません。"}},
	)
}

// Windows guests: PowerShell through SAC or RDP, never Linux commands.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.gcp_windows_sshd":  {En: "On the Windows VM (the serial console's SAC on port 2, or RDP), in PowerShell: Get-Service sshd; Start-Service sshd; Get-NetFirewallRule -Name *OpenSSH* | Select Name,Enabled", Ja: "Windows VM 上で (シリアル コンソールのポート 2 の SAC か RDP から) PowerShell で次を実行してください: Get-Service sshd; Start-Service sshd; Get-NetFirewallRule -Name *OpenSSH* | Select Name,Enabled"},
		"fix.gcp_windows_agent": {En: "On the Windows VM (the serial console's SAC on port 2, or RDP), in PowerShell: Restart-Service GCEAgent; Get-Service GCEAgent", Ja: "Windows VM 上で (シリアル コンソールのポート 2 の SAC か RDP から) PowerShell で次を実行してください: Restart-Service GCEAgent; Get-Service GCEAgent"},
	})
}

// SSH-in-browser.
func init() {
	RegisterPhrases(map[string]Text{
		"fix.gcp_browser_workspace": {En: "If the browser says \"Unauthorized Error 401\": a Google Workspace administrator must turn on Google Cloud for your account; clear the site's cookies or try a private window", Ja: "ブラウザに \"Unauthorized Error 401\" と表示される場合: Google Workspace の管理者がアカウントで Google Cloud を有効にする必要があります。サイトの Cookie を削除するか、シークレット ウィンドウで試してください"},
	})
	RegisterTranslations(map[string]string{
		"--browser cannot be probed: sshdoctor cannot open the browser's session":                            "--browser は実際の接続で確認できません: sshdoctor はブラウザのセッションを開けません",
		"--browser and --source-ip cannot be used together: SSH-in-browser connects from 35.235.240.0/20":    "--browser と --source-ip は同時に使えません: ブラウザ内 SSH は 35.235.240.0/20 から接続します",
		"--browser and --key cannot be used together: SSH-in-browser makes its own key":                      "--browser と --key は同時に使えません: ブラウザ内 SSH は独自の鍵を作成します",
		"you connect with SSH-in-browser (the Console's SSH button): judge the path and permissions it uses": "ブラウザ内 SSH (コンソールの SSH ボタン) で接続する場合: その経路と権限を判定します",
		"added to your OS Login profile by the browser":                                                      "ブラウザが OS Login のプロフィールに追加",
		"added to metadata by the browser; the guest agent must write it into the VM":                        "ブラウザがメタデータに追加し、ゲスト エージェントが VM に書き込む必要があります",
	})
	Register(
		Entry{Code: "gcp.browser_ssh", Severity: "info",
			Title:       Text{En: "SSH-in-browser makes and adds its own key for {instance}", Ja: "ブラウザ内 SSH は {instance} 用の鍵を自分で作成して追加します"},
			Explanation: Text{En: "Your local keys do not matter to the browser. It connects from IAP's range 35.235.240.0/20, which the firewall must allow (\"Could not connect, retrying…\" otherwise), adds its key with your permissions, and needs sshd and the guest agent. \"Unauthorized Error 401\" is a Google Workspace setting that no API shows.", Ja: "ブラウザにはローカルの鍵は関係ありません。ブラウザは IAP の範囲 35.235.240.0/20 から接続するため、ファイアウォールでの許可が必要です (ないと \"Could not connect, retrying…\" になります)。鍵はあなたの権限で追加され、sshd とゲスト エージェントが必要です。\"Unauthorized Error 401\" は Google Workspace の設定で、どの API からも見えません。"}},
	)
}
