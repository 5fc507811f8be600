package catalog

// The host's own firewall in front of a VM's forward, reached from the
// LAN: Windows Defender Firewall rules and profiles, and a Linux host's
// nftables, iptables, ufw or firewalld.
func init() {
	Register(
		Entry{Code: "vm.host_firewall_blocks", Severity: "error",
			Title: Text{En: "{vm}: this host's firewall ({tool}) blocks TCP port {port} from the LAN",
				Ja: "{vm}: このホストのファイアウォール ({tool}) が LAN からの TCP ポート {port} を遮断しています"},
			Explanation: Text{En: "The forward listens in a process on this host, so this host's own firewall decides before the VM sees anything. From another machine a drop looks like a timeout, a reject like \"Connection refused\" (firewalld's reject: \"No route to host\"). Connections from this host itself are not affected.",
				Ja: "転送はこのホスト上のプロセスが待ち受けているため、VM に届く前にこのホスト自身のファイアウォールが判断します。ほかのマシンからは、drop はタイムアウトに、reject は \"Connection refused\" (firewalld の reject は \"No route to host\") に見えます。このホスト自身からの接続には影響しません。"}},
		Entry{Code: "vm.host_firewall_unread", Severity: "info",
			Title: Text{En: "{vm}: this host's firewall rules were not read, so connections from the LAN are not fully checked",
				Ja: "{vm}: このホストのファイアウォール ルールを読めなかったため、LAN からの接続は完全には確認できていません"},
			Explanation: Text{En: "On Linux reading the rules (nft, iptables-save, ufw) needs root; on Windows the firewall's PowerShell cmdlets did not answer. Without the rules sshdoctor cannot tell whether this host's firewall lets the LAN reach the forward.",
				Ja: "Linux ではルールの読み取り (nft、iptables-save、ufw) に root 権限が必要です。Windows ではファイアウォールの PowerShell コマンドレットが応答しませんでした。ルールを読めないと、このホストのファイアウォールが LAN から転送ポートへの接続を通すかどうか判断できません。"}},
		Entry{Code: "vm.windows_firewall_block_rule", Severity: "error",
			Title: Text{En: "{vm}: the Windows Defender Firewall rule \"{rule}\" blocks TCP port {port} on the {profile} network",
				Ja: "{vm}: Windows Defender ファイアウォールの規則 \"{rule}\" が {profile} ネットワークで TCP ポート {port} をブロックしています"},
			Explanation: Text{En: "A block rule wins over every allow rule, whatever their order, so adding an allow rule does not help: the block rule must be turned off. Windows creates such rules itself when its \"allow this app\" prompt for the hypervisor was dismissed or refused.",
				Ja: "ブロック規則は順序にかかわらずすべての許可規則に優先するため、許可規則を追加しても効きません。ブロック規則を無効にする必要があります。ハイパーバイザーについての「このアプリを許可しますか」の確認を閉じたり拒否したりすると、Windows 自身がこのような規則を作ります。"}},
		Entry{Code: "vm.windows_firewall_no_allow", Severity: "error",
			Title: Text{En: "{vm}: no Windows Defender Firewall rule lets TCP port {port} in on the {profile} network",
				Ja: "{vm}: {profile} ネットワークで TCP ポート {port} の受信を許可する Windows Defender ファイアウォールの規則がありません"},
			Explanation: Text{En: "On this profile inbound connections that no rule allows are blocked (the default inbound action). Other machines time out; the host itself still connects. Rules count only for the profiles they name, so a rule for Private does nothing on a network Windows classes as Public.",
				Ja: "このプロファイルでは、どの規則も許可しない受信接続はブロックされます (既定の受信動作)。ほかのマシンからはタイムアウトになり、ホスト自身からは接続できます。規則は指定したプロファイルでだけ効くため、Private 用の規則は Windows が Public と判定したネットワークでは働きません。"}},
		Entry{Code: "vm.windows_firewall_block_all", Severity: "error",
			Title: Text{En: "{vm}: the {profile} profile of Windows Defender Firewall blocks all incoming connections",
				Ja: "{vm}: Windows Defender ファイアウォールの {profile} プロファイルがすべての受信接続をブロックしています"},
			Explanation: Text{En: "\"Block all incoming connections, including those in the list of allowed apps\" is on for this profile, so no allow rule counts.",
				Ja: "このプロファイルで「許可されたアプリの一覧にあるものを含め、すべての着信接続をブロックする」が有効になっているため、どの許可規則も効きません。"}},
	)
	RegisterPhrases(map[string]Text{
		"fix.vm_host_firewall_allow":     {En: "Let TCP port {port} in ({tool})", Ja: "TCP ポート {port} の受信を許可します ({tool})"},
		"fix.vm_host_firewall_read":      {En: "Run as root so the firewall rules can be read", Ja: "ファイアウォール ルールを読めるよう root で実行します"},
		"fix.win_fw_gpo_local_rules":     {En: "Group Policy ignores this computer's own rules on the {profile} profile, so a local rule would do nothing: ask the domain's administrator to allow TCP port {port} (this shows the setting)", Ja: "{profile} プロファイルではグループ ポリシーがこのコンピューター自身の規則を無視するため、ローカルの規則は効きません。ドメインの管理者に TCP ポート {port} の許可を依頼してください (このコマンドで設定を確認できます)"},
		"evidence.local_rules":           {En: "local rules", Ja: "ローカルの規則"},
		"fix.win_fw_list_rules":          {En: "In PowerShell, list the inbound rules for the port yourself", Ja: "PowerShell で、このポートの受信規則を自分で一覧表示します"},
		"fix.win_fw_allow_port":          {En: "In an elevated PowerShell, allow TCP port {port} from the local subnet on the {profile} profile", Ja: "管理者の PowerShell で、{profile} プロファイルのローカル サブネットからの TCP ポート {port} を許可します"},
		"fix.win_fw_disable_rule":        {En: "In an elevated PowerShell, turn the blocking rule off (a block rule wins over any allow rule)", Ja: "管理者の PowerShell でブロック規則を無効にします (ブロック規則はどの許可規則よりも優先されます)"},
		"fix.win_fw_gpo_rule":            {En: "The rule comes from Group Policy: ask the domain's administrator to change it (a local command cannot)", Ja: "この規則はグループ ポリシーによるものです。ドメインの管理者に変更を依頼してください (ローカルのコマンドでは変更できません)"},
		"fix.win_fw_allow_inbound_rules": {En: "In an elevated PowerShell, let the {profile} profile honour its allow rules again", Ja: "管理者の PowerShell で、{profile} プロファイルが許可規則に従うよう戻します"},
		"fix.win_fw_network_private":     {En: "Or, if this network is your own, make Windows class it as Private", Ja: "または、自分のネットワークであれば Windows に Private として扱わせます"},
		"evidence.tool":                  {En: "tool", Ja: "ツール"},
		"evidence.profile":               {En: "profile", Ja: "プロファイル"},
		"evidence.profile_state":         {En: "profile state", Ja: "プロファイルの状態"},
		"evidence.not_read":              {En: "not read", Ja: "読めなかったもの"},
		"evidence.read_from":             {En: "read from", Ja: "読み取り元"},
		"evidence.program":               {En: "program", Ja: "プログラム"},
		"evidence.where":                 {En: "where", Ja: "場所"},
		"evidence.ufw_rule":              {En: "ufw rule", Ja: "ufw のルール"},
		"evidence.packet":                {En: "connection", Ja: "接続"},
	})
	RegisterTranslations(map[string]string{
		"no rule allows it; default inbound action Block":                  "許可する規則がなく、既定の受信動作がブロックです",
		"ignored: Group Policy applies only its own rules on this profile": "無視されます: このプロファイルではグループ ポリシーが自身の規則だけを適用します",
		"on, blocking all incoming connections":                            "有効、すべての受信接続をブロック",
		"from the LAN, to the port the forward listens on":                 "LAN から、転送が待ち受けるポートへ",
	})
}
