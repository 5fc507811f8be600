package catalog

// Codes and phrases of `sshdoctor vm`: VirtualBox (vbox.*), QEMU (qemu.*)
// and Vagrant (vagrant.*), and the command's help and usage errors.
func init() {
	RegisterTranslations(map[string]string{
		"Can you reach a VirtualBox or QEMU guest's sshd from where you are?": "VirtualBox や QEMU のゲストの sshd に、今いる場所から届くかを調べます",
		"Read VirtualBox's and QEMU's own configuration — network modes, NAT port\n" +
			"forwards, NAT Networks, host-only ranges, who holds each forward's host port —\n" +
			"and decide whether the guest's sshd is reachable from where the ssh client is:\n" +
			"the host itself (--from host, the default), another machine on the host's LAN\n" +
			"(--from lan), or another guest (--from vm). From the host, each SSH forward is\n" +
			"also probed for the guest's SSH banner.\n\n" +
			"NAME is a VirtualBox VM's name or UUID, or a QEMU process's -name or pid;\n" +
			"without it every VM and QEMU process found is checked. --file reads a .vbox\n" +
			"settings file offline, without VirtualBox. --port is the guest's sshd port.\n" +
			"Read-only: sshdoctor never changes a VM.": "VirtualBox と QEMU 自身の設定 (ネットワーク モード、NAT のポートフォワーディング、\n" +
			"NAT ネットワーク、ホストオンリー アダプターのアドレス範囲、各ポートフォワーディングの\n" +
			"ホスト ポートを使っているプロセス) を読み取り、ssh クライアントのいる場所からゲストの\n" +
			"sshd に届くかを判定します。場所は、ホスト自身 (--from host、既定)、ホストと同じ LAN\n" +
			"上の別のマシン (--from lan)、別のゲスト (--from vm) のいずれかです。ホストからの場合は、\n" +
			"SSH 用の各ポートフォワーディングに接続してゲストの SSH バナーも確認します。\n\n" +
			"NAME は VirtualBox の VM の名前か UUID、または QEMU プロセスの -name か PID です。\n" +
			"省略すると、見つかったすべての VM と QEMU プロセスを確認します。--file は .vbox 設定\n" +
			"ファイルを VirtualBox なしでオフラインで読みます。--port はゲストの sshd のポートです。\n" +
			"読み取り専用で、VM を変更することはありません。",
		"read this .vbox settings file instead of asking VirtualBox": "VirtualBox に問い合わせる代わりに、この .vbox 設定ファイルを読む",
		"where the ssh client is: host, lan or vm":                   "ssh クライアントのいる場所: host、lan、vm のいずれか",
		"the guest's sshd port":                                      "ゲストの sshd のポート",
		"deadline for the SSH banner through a forward":              "ポートフォワーディング経由で SSH バナーを待つ時間",
		"expected at most one VM name, got %d arguments":             "VM の名前は 1 つまでです (%d 個指定されました)",
		"--from %q: use host, lan or vm":                             "--from %q: host、lan、vm のいずれかを指定してください",
		"--port %d: port must be from 1 to 65535":                    "--port %d: ポート番号は 1 から 65535 までです",
		"give either a VM name or --file, not both":                  "VM の名前と --file は同時に指定できません。どちらか一方を指定してください",
		"--file %s: %v": "--file %s: %v",
		"--file %v":     "--file %v",
	})

	RegisterPhrases(map[string]Text{
		"check.vm-hypervisor": {En: "Hypervisors", Ja: "ハイパーバイザー"},
		"check.vm-find":       {En: "Virtual machines", Ja: "仮想マシン"},
		"check.vm-state":      {En: "VM state", Ja: "VM の状態"},
		"check.vm-network":    {En: "Network modes and port forwards", Ja: "ネットワーク モードとポートフォワーディング"},
		"check.vm-host-port":  {En: "Host ports of the forwards", Ja: "ポートフォワーディングのホスト ポート"},
		"check.vm-probe":      {En: "SSH through the forward", Ja: "ポートフォワーディング経由の SSH"},

		"fix.vbox_natpf_all_interfaces": {
			En: "Re-create rule \"{rule}\" on every host address (blank host IP). This exposes the guest's SSH to every network the host is on",
			Ja: "ルール「{rule}」をホストのすべてのアドレスで待ち受けるように作り直す (ホスト IP は空欄)。ホストがつながっているすべてのネットワークにゲストの SSH が公開されます"},
		"fix.vbox_natpf_lan_address": {
			En: "Or listen on the host's LAN address {lan_ip} only",
			Ja: "または、ホストの LAN 側アドレス {lan_ip} だけで待ち受ける"},
		"fix.vm_connect_on_host": {
			En: "Connect from the host itself",
			Ja: "ホスト自身から接続する"},
		"fix.vm_connect_bound": {
			En: "Connect to the address the forward listens on",
			Ja: "ポートフォワーディングが待ち受けているアドレスに接続する"},
		"fix.vbox_natpf_add": {
			En: "Add a forwarding rule from host port {host_port} to the guest's port {port}",
			Ja: "ホスト ポート {host_port} からゲストのポート {port} へのポートフォワーディング ルールを追加する"},
		"fix.vbox_natnet_add_guest_ip": {
			En: "Add a rule from host port {host_port} to the guest's port {port} to the NAT Network; replace GUEST_IP with the guest's address (ip -4 addr in the guest)",
			Ja: "NAT ネットワークに、ホスト ポート {host_port} からゲストのポート {port} へのルールを追加する。GUEST_IP はゲストのアドレスに置き換えてください (ゲストで ip -4 addr を実行)"},
		"fix.vm_connect_new_forward": {
			En: "Then connect through the new forward",
			Ja: "追加したら、そのポート経由で接続する"},
		"fix.vbox_natpf_guest_port": {
			En: "Point the rule at the guest's SSH port {port}",
			Ja: "ルールの転送先をゲストの SSH ポート {port} に直す"},
		"fix.vm_rerun_with_port": {
			En: "If the guest's sshd really listens on port {guest_port}, check again with that port",
			Ja: "ゲストの sshd が本当にポート {guest_port} で待ち受けているなら、そのポートを指定して確認し直す"},
		"fix.vbox_start_vm": {
			En: "Start the VM without a window (a saved VM resumes where it was)",
			Ja: "VM をウィンドウなしで起動する (保存状態の VM は保存した時点から再開します)"},
		"fix.vbox_cable_connect": {
			En: "Connect the adapter's virtual cable",
			Ja: "アダプターの仮想ケーブルを接続する"},
		"fix.vbox_switch_bridged": {
			En: "Attach the adapter as a bridged adapter on {bridge}, so the guest gets an address of its own on the LAN",
			Ja: "アダプターを {bridge} へのブリッジ アダプターに切り替え、ゲストに LAN 上の自分のアドレスを持たせる"},
		"fix.vbox_add_nat_forward": {
			En: "Or attach it to NAT with a port-forwarding rule for SSH (the guest must bring the adapter up with DHCP)",
			Ja: "または、NAT に切り替えて SSH 用のポートフォワーディング ルールを追加する (ゲスト側でそのアダプターを DHCP で有効にしておく必要があります)"},
		"fix.vbox_switch_hostonly": {
			En: "Attach the adapter to a host-only adapter, which the host can reach",
			Ja: "ホストから届くよう、アダプターをホストオンリー アダプターに切り替える"},
		"fix.vbox_switch_intnet": {
			En: "Put both guests on the same internal network",
			Ja: "両方のゲストを同じ内部ネットワークにつなぐ"},
		"fix.vbox_networks_conf": {
			En: "Allow the adapter's range in {conf}",
			Ja: "{conf} にアダプターのアドレス範囲を追加する"},
		"fix.vbox_hostonly_default_range": {
			En: "Or move the host-only adapter into 192.168.56.0/21",
			Ja: "または、ホストオンリー アダプターのアドレスを 192.168.56.0/21 の範囲に変える"},
		"fix.vbox_use_file": {
			En: "Check a VM's settings file offline instead",
			Ja: "代わりに、VM の設定ファイルをオフラインで確認する"},
		"fix.vbox_list_vms": {
			En: "List the VMs VirtualBox knows, and use one of those names",
			Ja: "VirtualBox に登録されている VM を一覧表示し、その名前を指定する"},
		"fix.vbox_inaccessible": {
			En: "See which settings file VirtualBox cannot read",
			Ja: "VirtualBox が読めない設定ファイルを確認する"},
		"fix.vm_show_port_owner": {
			En: "See which program holds the port",
			Ja: "ポートを使っているプログラムを確認する"},
		"fix.vm_move_forward": {
			En: "Or move the forward to a free host port",
			Ja: "または、空いているホスト ポートにポートフォワーディングを移す"},
		"fix.vm_guest_sshd": {
			En: "In the guest (through its console), make sure sshd is installed, enabled and running",
			Ja: "ゲストのコンソールで、sshd がインストールされ、有効になって動いていることを確かめる"},
		"fix.vm_guest_listen": {
			En: "In the guest, check that sshd listens on port {guest_port} on all addresses, not only 127.0.0.1",
			Ja: "ゲストで、sshd が 127.0.0.1 だけでなくすべてのアドレスのポート {guest_port} で待ち受けていることを確かめる"},
		"fix.vbox_nat_log": {
			En: "Look for the reason in the VM's log",
			Ja: "VM のログで原因を確認する"},
		"fix.qemu_hostfwd_all_interfaces": {
			En: "Restart QEMU with the forward on every host address (empty host address). This exposes the guest's SSH to every network the host is on",
			Ja: "ホストのすべてのアドレスで待ち受けるように (ホスト アドレスを空にして) QEMU を起動し直す。ホストがつながっているすべてのネットワークにゲストの SSH が公開されます"},
		"fix.qemu_hostfwd_monitor": {
			En: "Or change it in the running QEMU's monitor (HMP), without a restart",
			Ja: "または、再起動せずに、動いている QEMU のモニター (HMP) で変更する"},
		"fix.qemu_hostfwd_lan_address": {
			En: "Or restart QEMU with the forward on the host's LAN address {lan_ip} only",
			Ja: "または、ホストの LAN 側アドレス {lan_ip} だけで待ち受けるように QEMU を起動し直す"},
		"fix.qemu_hostfwd_add": {
			En: "Start QEMU with a forward from host port {host_port} to the guest's port {port}",
			Ja: "ホスト ポート {host_port} からゲストのポート {port} へ転送する hostfwd を付けて QEMU を起動する"},
		"fix.qemu_add_device": {
			En: "Give the guest a network device on that network",
			Ja: "そのネットワークにつながるネットワーク デバイスをゲストに追加する"},
		"fix.vagrant_ssh_config": {
			En: "Print the ssh settings Vagrant uses for this VM",
			Ja: "Vagrant がこの VM に使う ssh の設定を表示する"},
		"fix.vagrant_forward_all": {
			En: "To reach it from other machines, put this in the Vagrantfile, then run vagrant reload (it exposes the guest's SSH to the network)",
			Ja: "ほかのマシンから接続するには、Vagrantfile にこの行を書いて vagrant reload を実行する (ゲストの SSH がネットワークに公開されます)"},
	})

	Register(
		Entry{Code: "vbox.natpf_loopback_only", Severity: "error",
			Title: Text{
				En: "VirtualBox forwards port {host_port} to {vm} on {host_ip} only: other machines are refused",
				Ja: "{vm} へのポートフォワーディング (ホスト ポート {host_port}) が {host_ip} だけで待ち受けているため、ほかのマシンからは接続が拒否されます"},
			Explanation: Text{
				En: "NAT rule \"{rule}\" on adapter {nic} listens on the loopback address {host_ip}, so only programs on the host itself can connect to port {host_port}. From another machine or another guest the connection is refused, which looks exactly like sshd not running. Re-create the rule with a blank host IP (every host address) or with the host's LAN address. A blank host IP, like 0.0.0.0, makes the guest's SSH reachable from every network the host is on: allow key logins only, or bind the rule to one address.",
				Ja: "アダプター {nic} の NAT ルール「{rule}」はループバック アドレス {host_ip} で待ち受けているため、ポート {host_port} に接続できるのはホスト上のプログラムだけです。ほかのマシンや別のゲストからは接続が拒否され、sshd が動いていないときとまったく同じに見えます。ホスト IP を空欄 (ホストのすべてのアドレス) にするか、ホストの LAN 側アドレスを指定してルールを作り直してください。空欄や 0.0.0.0 にすると、ホストがつながっているすべてのネットワークからゲストの SSH に接続できるようになります。公開鍵認証だけを許可するか、待ち受けるアドレスを 1 つに絞ってください。"}},
		Entry{Code: "vbox.natpf_bound_address", Severity: "warning",
			Title: Text{
				En: "The forward to {vm} listens on {host_ip}:{host_port} only",
				Ja: "{vm} へのポートフォワーディングは {host_ip}:{host_port} だけで待ち受けています"},
			Explanation: Text{
				En: "Rule \"{rule}\" is bound to the host address {host_ip}: only connections to that address reach the guest. From the host itself, ssh to localhost or 127.0.0.1 port {host_port} is refused; connect to {host_ip} instead. When {host_ip} is not an address of this host (evidence address_on_this_host: no), VirtualBox cannot listen at all and every connection is refused.",
				Ja: "ルール「{rule}」はホストのアドレス {host_ip} に限定されているため、そのアドレスへの接続だけがゲストに届きます。ホスト自身から localhost や 127.0.0.1 のポート {host_port} に ssh すると拒否されるので、{host_ip} に接続してください。{host_ip} がこのホストのアドレスでない場合 (根拠の address_on_this_host が no)、VirtualBox はそもそも待ち受けできず、すべての接続が拒否されます。"}},
		Entry{Code: "vbox.natpf_missing", Severity: "error",
			Title: Text{
				En: "{vm}'s NAT adapter {nic} has no port forward to the guest's SSH port {port}",
				Ja: "{vm} の NAT アダプター {nic} に、ゲストの SSH ポート {port} へのポートフォワーディングがありません"},
			Explanation: Text{
				En: "With NAT the guest sits behind VirtualBox's own router: nothing outside the VM can open a connection to it unless a port-forwarding rule maps a host port to the guest's port {port}. Add a rule (host port {host_port} is free here), then ssh to that host port. The guest's NAT address (10.0.2.15) cannot be reached from the host or the LAN.",
				Ja: "NAT ではゲストは VirtualBox 内蔵のルーターの内側にいるため、ホスト ポートをゲストのポート {port} に対応づけるポートフォワーディング ルールがない限り、VM の外からは接続できません。ルールを追加し (ここではホスト ポート {host_port} が空いています)、そのホスト ポートに ssh してください。ゲストの NAT アドレス (10.0.2.15) には、ホストからも LAN からも届きません。"}},
		Entry{Code: "vbox.natpf_guest_port", Severity: "error",
			Title: Text{
				En: "Rule \"{rule}\" forwards to guest port {guest_port}, but the guest's sshd uses port {port}",
				Ja: "ルール「{rule}」の転送先はゲストのポート {guest_port} ですが、ゲストの sshd はポート {port} を使っています"},
			Explanation: Text{
				En: "The rule that looks meant for SSH sends host port {host_port} to guest port {guest_port}, where sshd does not listen: the connection reaches the guest and is refused or closed there. Point the rule at port {port}.",
				Ja: "SSH 用と思われるルールがホスト ポート {host_port} をゲストのポート {guest_port} に転送していますが、sshd はそこで待ち受けていないため、接続はゲストに届いたところで拒否されるか切断されます。ルールの転送先をポート {port} に直してください。"}},
		Entry{Code: "vbox.host_port_in_use", Severity: "error",
			Title: Text{
				En: "Host port {host_port} of {vm}'s forward is held by {process}",
				Ja: "{vm} のポートフォワーディングのホスト ポート {host_port} を {process} が使っています"},
			Explanation: Text{
				En: "Another program, or another VM, listens on port {host_port}, so VirtualBox cannot listen there for rule \"{rule}\" (VBox.log says \"NAT: Failed to redirect\") and ssh to that port reaches {process} instead of the guest. Move the forward to a free port, or stop that program.",
				Ja: "ほかのプログラム (または別の VM) がポート {host_port} で待ち受けているため、VirtualBox はルール「{rule}」のために待ち受けできず (VBox.log に \"NAT: Failed to redirect\" と出ます)、そのポートへの ssh はゲストではなく {process} につながります。ポートフォワーディングを空いているポートに移すか、そのプログラムを止めてください。"}},
		Entry{Code: "vbox.vm_not_running", Severity: "error",
			Title: Text{
				En: "VM {vm} is not running (state: {state})",
				Ja: "VM {vm} は起動していません (状態: {state})"},
			Explanation: Text{
				En: "A VM's port forwards listen only while it runs, and a guest that is powered off, saved or aborted cannot answer: ssh gets Connection refused. Start the VM and wait for the guest to boot.",
				Ja: "VM のポートフォワーディングは VM が動いている間しか待ち受けず、電源オフ・保存・異常終了の状態のゲストは応答できないため、ssh は Connection refused になります。VM を起動し、ゲストの起動が終わるまで待ってください。"}},
		Entry{Code: "vbox.mode_unreachable", Severity: "error",
			Title: Text{
				En: "No network adapter of {vm} reaches the guest from where the client is ({from})",
				Ja: "{vm} のどのネットワーク アダプターも、クライアントのいる場所 ({from}) からゲストに届きません"},
			Explanation: Text{
				En: "Each VirtualBox network mode reaches the guest from different places. NAT: only through port-forwarding rules. NAT Network: other guests on it, and its port forwards. Bridged: every machine on the host's LAN, at the guest's own address. Host-only: the host and other guests, never the LAN. Internal network: only other guests on it, not even the host. Not attached: nowhere. {vm}'s adapters: {modes}.",
				Ja: "VirtualBox のネットワーク モードによって、ゲストに届く範囲が違います。NAT: ポートフォワーディング ルール経由のみ。NAT ネットワーク: 同じネットワーク上のゲストと、そのポートフォワーディング経由。ブリッジ アダプター: ホストの LAN 上のすべてのマシン (ゲスト自身のアドレスで)。ホストオンリー アダプター: ホストとほかのゲストのみで、LAN からは届きません。内部ネットワーク: 同じネットワーク上のゲストのみで、ホストからも届きません。未割り当て: どこからも届きません。{vm} のアダプター: {modes}。"}},
		Entry{Code: "vbox.cable_disconnected", Severity: "error",
			Title: Text{
				En: "The virtual cable of {vm}'s adapter {nic} is disconnected",
				Ja: "{vm} のアダプター {nic} の仮想ケーブルが接続されていません"},
			Explanation: Text{
				En: "\"Cable connected\" is off for this adapter: the guest sees no link, so nothing reaches it through this adapter, port forwards included.",
				Ja: "このアダプターは「ケーブル接続」がオフになっているため、ゲストからはリンクが切れて見え、ポートフォワーディングを含めてこのアダプター経由では何も届きません。"}},
		Entry{Code: "vbox.guest_ip", Severity: "info",
			Title: Text{
				En: "{vm} reported the address {ip}",
				Ja: "{vm} が報告したアドレスは {ip} です"},
			Explanation: Text{
				En: "Guest Additions report the address of each of the guest's interfaces. When the VM is not running, these are the values it reported last time and may be stale. Net/N counts the guest's own interfaces, not VirtualBox's adapter slots.",
				Ja: "Guest Additions がゲストの各インターフェイスのアドレスを報告します。VM が動いていないときは前回報告された値なので、古くなっている場合があります。Net/N はゲスト側のインターフェイスの番号で、VirtualBox のアダプター番号とは一致しないことがあります。"}},
		Entry{Code: "vbox.hostonly_range", Severity: "error",
			Title: Text{
				En: "Host-only adapter {adapter} of {vm} uses {ip}, outside the ranges VirtualBox allows",
				Ja: "{vm} のホストオンリー アダプター {adapter} のアドレス {ip} は、VirtualBox が許可する範囲の外です"},
			Explanation: Text{
				En: "From version 6.1.28, VirtualBox on Linux and macOS lets host-only adapters use only 192.168.56.0/21 unless {conf} lists other ranges. Outside them the adapter cannot be configured (E_ACCESSDENIED; Vagrant says \"not within the allowed ranges\") and the guest is not reachable through it.",
				Ja: "VirtualBox 6.1.28 以降の Linux と macOS では、{conf} にほかの範囲を書かない限り、ホストオンリー アダプターに使えるのは 192.168.56.0/21 だけです。範囲外のアドレスはアダプターに設定できず (E_ACCESSDENIED。Vagrant では \"not within the allowed ranges\")、そのアダプター経由ではゲストに届きません。"}},
		Entry{Code: "vbox.not_installed", Severity: "error",
			Title: Text{
				En: "VirtualBox is not installed here (VBoxManage not found)",
				Ja: "VirtualBox がインストールされていません (VBoxManage が見つかりません)"},
			Explanation: Text{
				En: "sshdoctor looked for VBoxManage on PATH and in VirtualBox's standard install locations. Without it VirtualBox VMs cannot be read; a VM's .vbox settings file can still be checked offline with --file.",
				Ja: "PATH と VirtualBox の標準のインストール先で VBoxManage を探しましたが、見つかりませんでした。VBoxManage がないと VirtualBox の VM を読み取れません。VM の .vbox 設定ファイルなら --file でオフラインで確認できます。"}},
		Entry{Code: "vbox.vm_not_found", Severity: "error",
			Title: Text{
				En: "No VM named {vm} here",
				Ja: "{vm} という名前の VM はこのホストにありません"},
			Explanation: Text{
				En: "Neither VirtualBox nor a running QEMU process knows a machine by that name or UUID; the evidence lists the machines there are. VirtualBox names are case-sensitive.",
				Ja: "VirtualBox にも、動いている QEMU プロセスにも、その名前または UUID の仮想マシンはありません。根拠に、このホストにある仮想マシンの一覧を示します。VirtualBox の VM 名は大文字と小文字を区別します。"}},
		Entry{Code: "vbox.vboxmanage_failed", Severity: "warning",
			Title: Text{
				En: "{command} failed",
				Ja: "{command} が失敗しました"},
			Explanation: Text{
				En: "VirtualBox did not answer as expected (the evidence shows its error). Its service VBoxSVC may be starting or hung, or another session holds a lock on the VM.",
				Ja: "VirtualBox が期待どおりに応答しませんでした (根拠にエラーを示します)。VBoxSVC サービスが起動中か応答していない、または別のセッションが VM をロックしている可能性があります。"}},
		Entry{Code: "vbox.vm_inaccessible", Severity: "error",
			Title: Text{
				En: "A registered VM is inaccessible",
				Ja: "登録されている VM にアクセスできません"},
			Explanation: Text{
				En: "VirtualBox lists the VM but cannot read its settings file (moved, deleted, on a disk that is not mounted, or unreadable), so its network cannot be checked.",
				Ja: "VirtualBox に登録されている VM の設定ファイルを読めません (移動・削除された、マウントされていないディスク上にある、読み取り権限がない など)。そのため、ネットワーク設定を確認できません。"}},
		Entry{Code: "vbox.vm_found", Severity: "info",
			Title: Text{
				En: "VirtualBox VM {vm}",
				Ja: "VirtualBox の VM {vm}"},
			Explanation: Text{
				En: "What sshdoctor read of this VM: its state and its enabled network adapters with their port-forwarding rules.",
				Ja: "この VM について読み取った内容です。状態と、有効なネットワーク アダプターおよびそのポートフォワーディング ルールを示します。"}},
		Entry{Code: "qemu.vm_found", Severity: "info",
			Title: Text{
				En: "QEMU VM {vm}",
				Ja: "QEMU の VM {vm}"},
			Explanation: Text{
				En: "What sshdoctor read of this QEMU process's command line: its networks and their hostfwd rules.",
				Ja: "この QEMU プロセスのコマンド ラインから読み取った内容です。ネットワークとその hostfwd ルールを示します。"}},
		Entry{Code: "vbox.no_vms", Severity: "info",
			Title: Text{
				En: "No virtual machine found here",
				Ja: "このホストに仮想マシンが見つかりません"},
			Explanation: Text{
				En: "VirtualBox knows no VM and no QEMU process is running, so there is nothing to check. Name a VM, or check a settings file with --file.",
				Ja: "VirtualBox に VM が登録されておらず、QEMU のプロセスも動いていないため、確認するものがありません。VM の名前を指定するか、--file で設定ファイルを確認してください。"}},
		Entry{Code: "vbox.forward_ok", Severity: "info",
			Title: Text{
				En: "SSH answers through {vm}'s forward on {address}",
				Ja: "{vm} のポートフォワーディング ({address}) 経由で SSH が応答しました"},
			Explanation: Text{
				En: "The forward listens, the guest is up and its sshd sent its identification (evidence banner). If ssh still fails, the cause lies past the banner: run sshdoctor against this address and port.",
				Ja: "ポートフォワーディングが待ち受けており、ゲストが起動していて、sshd が識別文字列を返しました (根拠の banner)。それでも ssh が失敗する場合、原因はその先にあります。このアドレスとポートに対して sshdoctor を実行してください。"}},
		Entry{Code: "vbox.forward_not_listening", Severity: "error",
			Title: Text{
				En: "Nothing listens on {vm}'s forward {address}",
				Ja: "{vm} のポートフォワーディング {address} で何も待ち受けていません"},
			Explanation: Text{
				En: "The VM is running and rule \"{rule}\" exists, but the connection was refused: VirtualBox could not set the forward up, usually because another program held port {host_port} when the VM started or the rule's host IP is not an address of this host. VBox.log then says \"NAT: Failed to redirect\". Free the port, then delete and re-add the rule, or restart the VM.",
				Ja: "VM は動いていてルール「{rule}」もありますが、接続は拒否されました。VirtualBox がポートフォワーディングを設定できなかったためで、多くは VM の起動時にほかのプログラムがポート {host_port} を使っていたか、ルールのホスト IP がこのホストのアドレスでないことが原因です。その場合 VBox.log に \"NAT: Failed to redirect\" と出ます。ポートを空けてから、ルールを削除して追加し直すか、VM を再起動してください。"}},
		Entry{Code: "vbox.forward_no_answer", Severity: "error",
			Title: Text{
				En: "{vm}'s forward on {address} accepts, but the guest's sshd does not answer",
				Ja: "{vm} のポートフォワーディング ({address}) は接続を受け付けますが、ゲストの sshd が応答しません"},
			Explanation: Text{
				En: "VirtualBox accepts connections on the host port for the guest, then tries to reach guest port {guest_port}. Here the connection was closed or stayed silent without an SSH banner: the guest has not finished booting, sshd is not installed or not running, it listens on another port or on 127.0.0.1 only, a firewall in the guest drops it, or the guest's address is not the one the rule targets. ssh shows this as \"kex_exchange_identification: Connection closed by remote host\" or \"read: Connection reset by peer\".",
				Ja: "VirtualBox はゲストの代わりにホスト ポートで接続を受け付け、それからゲストのポート {guest_port} につなごうとします。今回は SSH のバナーが返らないまま接続が切られたか、応答がありませんでした。ゲストの起動が終わっていない、sshd が入っていないか動いていない、別のポートや 127.0.0.1 だけで待ち受けている、ゲストのファイアウォールが遮断している、ゲストのアドレスがルールの転送先と違う、のいずれかです。ssh では \"kex_exchange_identification: Connection closed by remote host\" や \"read: Connection reset by peer\" と表示されます。"}},
		Entry{Code: "vbox.forward_not_ssh", Severity: "error",
			Title: Text{
				En: "Something other than SSH answers on {address}",
				Ja: "{address} で SSH 以外のものが応答しています"},
			Explanation: Text{
				En: "The forward's host port answered with bytes that are not an SSH identification (evidence received): another program holds the port, or the rule sends it to a guest port where another service runs.",
				Ja: "ポートフォワーディングのホスト ポートが、SSH の識別文字列ではないデータを返しました (根拠の received)。ほかのプログラムがそのポートを使っているか、ルールの転送先がゲスト内の別のサービスのポートになっています。"}},

		Entry{Code: "qemu.hostfwd_loopback_only", Severity: "error",
			Title: Text{
				En: "QEMU forwards port {host_port} to {vm} on {host_ip} only: other machines are refused",
				Ja: "QEMU の {vm} へのポートフォワーディング (ホスト ポート {host_port}) が {host_ip} だけで待ち受けているため、ほかのマシンからは接続が拒否されます"},
			Explanation: Text{
				En: "The user-mode network forward hostfwd={hostfwd} listens on the loopback address {host_ip}, so only programs on the host itself can connect to port {host_port}; from another machine the connection is refused. An empty host address (hostfwd=tcp::{host_port}-:{guest_port}) listens on every host address, which exposes the guest's SSH to every network the host is on; the host's LAN address limits it to that network.",
				Ja: "ユーザー モード ネットワークのポートフォワーディング hostfwd={hostfwd} はループバック アドレス {host_ip} で待ち受けているため、ポート {host_port} に接続できるのはホスト上のプログラムだけで、ほかのマシンからは拒否されます。ホスト アドレスを空にする (hostfwd=tcp::{host_port}-:{guest_port}) とホストのすべてのアドレスで待ち受けますが、ホストがつながっているすべてのネットワークにゲストの SSH が公開されます。ホストの LAN 側アドレスを指定すれば、そのネットワークだけに限定できます。"}},
		Entry{Code: "qemu.hostfwd_bound_address", Severity: "warning",
			Title: Text{
				En: "QEMU's forward to {vm} listens on {host_ip}:{host_port} only",
				Ja: "QEMU の {vm} へのポートフォワーディングは {host_ip}:{host_port} だけで待ち受けています"},
			Explanation: Text{
				En: "hostfwd={hostfwd} is bound to the host address {host_ip}: only connections to that address reach the guest, and ssh to localhost port {host_port} is refused. When {host_ip} is not an address of this host, QEMU cannot set the forward up.",
				Ja: "hostfwd={hostfwd} はホストのアドレス {host_ip} に限定されているため、そのアドレスへの接続だけがゲストに届き、localhost のポート {host_port} への ssh は拒否されます。{host_ip} がこのホストのアドレスでない場合、QEMU はポートフォワーディングを設定できません。"}},
		Entry{Code: "qemu.hostfwd_missing", Severity: "error",
			Title: Text{
				En: "QEMU VM {vm} has no forward to the guest's SSH port {port}",
				Ja: "QEMU の VM {vm} に、ゲストの SSH ポート {port} へのポートフォワーディングがありません"},
			Explanation: Text{
				En: "QEMU's user-mode network (slirp) is a NAT: the guest can go out, but nothing outside can open a connection to it unless a hostfwd rule maps a host port to guest port {port}. Add hostfwd=tcp:127.0.0.1:{host_port}-:{port} for the host only, or hostfwd=tcp::{host_port}-:{port} for every address (which exposes the guest's SSH to the network). Guests on tap or bridge networks are reached at their own address instead.",
				Ja: "QEMU のユーザー モード ネットワーク (slirp) は NAT なので、ゲストから外には出られますが、ホスト ポートをゲストのポート {port} に対応づける hostfwd がない限り、外からゲストには接続できません。ホストからだけなら hostfwd=tcp:127.0.0.1:{host_port}-:{port}、すべてのアドレスからなら hostfwd=tcp::{host_port}-:{port} を追加してください (後者はゲストの SSH をネットワークに公開します)。tap やブリッジのネットワークにつながったゲストには、ゲスト自身のアドレスで接続します。"}},
		Entry{Code: "qemu.host_port_in_use", Severity: "error",
			Title: Text{
				En: "Host port {host_port} of {vm}'s forward is held by {process}",
				Ja: "{vm} のポートフォワーディングのホスト ポート {host_port} を {process} が使っています"},
			Explanation: Text{
				En: "Another program listens on port {host_port}, not the QEMU process of {vm}: ssh to that port reaches {process} instead of the guest. Move the forward to a free port, or stop that program.",
				Ja: "ポート {host_port} で待ち受けているのは {vm} の QEMU プロセスではなく別のプログラムなので、そのポートへの ssh はゲストではなく {process} につながります。ポートフォワーディングを空いているポートに移すか、そのプログラムを止めてください。"}},
		Entry{Code: "qemu.netdev_unused", Severity: "error",
			Title: Text{
				En: "QEMU network {netdev} of {vm} is not connected to any device",
				Ja: "{vm} の QEMU ネットワーク {netdev} は、どのデバイスにもつながっていません"},
			Explanation: Text{
				En: "The -netdev is defined but no -device uses it (netdev={netdev}), so the guest has no network card on it and its forwards lead nowhere.",
				Ja: "-netdev は定義されていますが、それを使う -device (netdev={netdev}) がないため、ゲストにはそのネットワークのネットワーク カードがなく、ポートフォワーディングもどこにもつながりません。"}},
		Entry{Code: "qemu.hostfwd_ok", Severity: "info",
			Title: Text{
				En: "SSH answers through QEMU's forward to {vm} on {address}",
				Ja: "QEMU の {vm} へのポートフォワーディング ({address}) 経由で SSH が応答しました"},
			Explanation: Text{
				En: "The forward listens, the guest is up and its sshd sent its identification (evidence banner). If ssh still fails, the cause lies past the banner: run sshdoctor against this address and port.",
				Ja: "ポートフォワーディングが待ち受けており、ゲストが起動していて、sshd が識別文字列を返しました (根拠の banner)。それでも ssh が失敗する場合、原因はその先にあります。このアドレスとポートに対して sshdoctor を実行してください。"}},
		Entry{Code: "qemu.hostfwd_not_listening", Severity: "error",
			Title: Text{
				En: "Nothing listens on QEMU's forward to {vm} at {address}",
				Ja: "QEMU の {vm} へのポートフォワーディング {address} で何も待ち受けていません"},
			Explanation: Text{
				En: "QEMU runs with hostfwd={hostfwd}, but the connection was refused: the forward was removed in the monitor, or the process is not the one listening there.",
				Ja: "QEMU は hostfwd={hostfwd} 付きで動いていますが、接続は拒否されました。モニターでポートフォワーディングが削除されたか、そこで待ち受けているのがこのプロセスではありません。"}},
		Entry{Code: "qemu.hostfwd_no_answer", Severity: "error",
			Title: Text{
				En: "QEMU's forward to {vm} on {address} accepts, but the guest's sshd does not answer",
				Ja: "QEMU の {vm} へのポートフォワーディング ({address}) は接続を受け付けますが、ゲストの sshd が応答しません"},
			Explanation: Text{
				En: "QEMU accepts connections on the host port for the guest, then tries to reach guest port {guest_port}. Here the connection was closed or stayed silent without an SSH banner: the guest is paused or has not finished booting, sshd is not installed or not running, it listens on another port or on 127.0.0.1 only, or a firewall in the guest drops it.",
				Ja: "QEMU はゲストの代わりにホスト ポートで接続を受け付け、それからゲストのポート {guest_port} につなごうとします。今回は SSH のバナーが返らないまま接続が切られたか、応答がありませんでした。ゲストが一時停止中か起動が終わっていない、sshd が入っていないか動いていない、別のポートや 127.0.0.1 だけで待ち受けている、ゲストのファイアウォールが遮断している、のいずれかです。"}},
		Entry{Code: "qemu.hostfwd_not_ssh", Severity: "error",
			Title: Text{
				En: "Something other than SSH answers on {address}",
				Ja: "{address} で SSH 以外のものが応答しています"},
			Explanation: Text{
				En: "The forward's host port answered with bytes that are not an SSH identification (evidence received): hostfwd={hostfwd} leads to a guest port where another service runs, or another program holds the port.",
				Ja: "ポートフォワーディングのホスト ポートが、SSH の識別文字列ではないデータを返しました (根拠の received)。hostfwd={hostfwd} の転送先がゲスト内の別のサービスのポートか、ほかのプログラムがそのポートを使っています。"}},

		Entry{Code: "vagrant.ssh_forward", Severity: "info",
			Title: Text{
				En: "{vm} is a Vagrant VM: its SSH forward listens on 127.0.0.1:{host_port}",
				Ja: "{vm} は Vagrant の VM で、SSH のポートフォワーディングは 127.0.0.1:{host_port} で待ち受けています"},
			Explanation: Text{
				En: "Vagrant binds its default SSH forward to 127.0.0.1 and logs in with its own key and settings, which vagrant ssh-config prints (HostName, Port, User vagrant, IdentityFile). For other machines to connect, set host_ip on the forwarded_port with id \"ssh\" in the Vagrantfile and run vagrant reload.",
				Ja: "Vagrant は既定の SSH ポートフォワーディングを 127.0.0.1 に限定し、独自の鍵と設定でログインします。その設定は vagrant ssh-config で表示できます (HostName、Port、User vagrant、IdentityFile)。ほかのマシンから接続するには、Vagrantfile の id \"ssh\" の forwarded_port に host_ip を指定し、vagrant reload を実行してください。"}},
	)
}
