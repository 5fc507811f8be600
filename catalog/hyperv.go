package catalog

// Hyper-V VMs as a hypervisor of `sshdoctor vm`.
func init() {
	Register(
		Entry{Code: "hyperv.list_failed", Severity: "error",
			Title: Text{En: "Hyper-V's VM list could not be read", Ja: "Hyper-V の VM 一覧を読めませんでした"},
			Explanation: Text{En: "The output of Get-VM was not the JSON sshdoctor asks for, so Hyper-V was not checked.",
				Ja: "Get-VM の出力が sshdoctor の求める JSON ではなかったため、Hyper-V は確認していません。"}},
		Entry{Code: "hyperv.vm_found", Severity: "info",
			Title: Text{En: "Hyper-V VM {vm}", Ja: "Hyper-V の VM {vm}"},
			Explanation: Text{En: "What Hyper-V says of this VM: its state, and for each network adapter the virtual switch and the addresses the guest reports.",
				Ja: "Hyper-V が示すこの VM の状態と、ネットワーク アダプターごとの仮想スイッチとゲストが報告するアドレスです。"}},
		Entry{Code: "hyperv.vm_not_running", Severity: "error",
			Title: Text{En: "The Hyper-V VM {vm} is not running ({state})", Ja: "Hyper-V の VM {vm} が動いていません ({state})"},
			Explanation: Text{En: "A VM that is off, saved or paused answers nothing: connections time out.",
				Ja: "停止・保存・一時停止中の VM は何も応答せず、接続はタイムアウトします。"}},
		Entry{Code: "hyperv.adapter_disconnected", Severity: "error",
			Title: Text{En: "No network adapter of {vm} is connected to a virtual switch", Ja: "{vm} のネットワーク アダプターはどれも仮想スイッチにつながっていません"},
			Explanation: Text{En: "An adapter without a switch is a cable left unplugged: the guest has no network at all.",
				Ja: "スイッチのないアダプターは、ケーブルが抜けているのと同じです。ゲストはネットワークにまったくつながりません。"}},
		Entry{Code: "hyperv.no_address", Severity: "warning",
			Title: Text{En: "Hyper-V reports no IPv4 address for {vm}", Ja: "Hyper-V は {vm} の IPv4 アドレスを報告していません"},
			Explanation: Text{En: "Hyper-V learns a guest's addresses from its integration services (the KVP daemon on Linux). With none reported, either the guest has no address (DHCP failed on the switch) or its integration services do not run; in both cases there is no address to ssh to from here.",
				Ja: "Hyper-V はゲストのアドレスを統合サービス (Linux では KVP デーモン) から知ります。報告がない場合、ゲストにアドレスがない (スイッチ上の DHCP に失敗した) か、統合サービスが動いていません。どちらの場合も、ここから ssh する先のアドレスがありません。"}},
		Entry{Code: "hyperv.default_switch_lan", Severity: "error",
			Title: Text{En: "{vm} is on the Default Switch, a NAT that other machines cannot reach", Ja: "{vm} は Default Switch (ほかのマシンから届かない NAT) につながっています"},
			Explanation: Text{En: "Hyper-V's Default Switch puts VMs behind a NAT of the host, with addresses that change when the host restarts, and forwards no port from the LAN. Another machine reaches the VM through an external switch, or a portproxy rule on the host to the VM's current address.",
				Ja: "Hyper-V の Default Switch は VM をホストの NAT の内側に置き、アドレスはホストの再起動で変わり、LAN からのポート転送もしません。ほかのマシンから VM に届くには、外部スイッチを使うか、ホストで VM の現在のアドレスへの portproxy ルールを作ります。"}},
	)
	RegisterPhrases(map[string]Text{
		"check.vm-hyperv": {En: "Hyper-V", Ja: "Hyper-V"},

		"fix.hyperv_start":           {En: "In an elevated PowerShell: start the VM", Ja: "管理者として開いた PowerShell で、VM を起動します"},
		"fix.hyperv_connect":         {En: "In an elevated PowerShell: connect the adapter to a switch", Ja: "管理者として開いた PowerShell で、アダプターをスイッチにつなぎます"},
		"fix.hyperv_integration":     {En: "See whether the guest's integration services run (Key-Value Pair Exchange reports addresses)", Ja: "ゲストの統合サービスが動いているか確認します (アドレスを報告するのはキー値ペア交換です)"},
		"fix.hyperv_external_switch": {En: "In an elevated PowerShell: put the VM on an external switch (use your adapter's name from the first line)", Ja: "管理者として開いた PowerShell で、VM を外部スイッチにつなぎます (1 行目で表示されるアダプター名を使います)"},
	})
}
