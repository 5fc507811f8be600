package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/reportschema"
)

// wslCaptures lays out a --captured directory: each file is a capture
// from vm/testdata/wsl (named in its SOURCES), or a variant of one made
// by replacing text (so a scenario cannot silently test the unchanged
// capture).
type wslFile struct {
	name, from string
	pairs      []string
	text       string // instead of from
}

func wslCaptures(t *testing.T, files ...wslFile) string {
	t.Helper()
	return capturedDir(t, filepath.Join("vm", "testdata", "wsl"), files...)
}

// capturedDir writes files into a new directory: each the capture from
// dir (relative to the repository) with its replacements applied, each
// of which must apply.
func capturedDir(t *testing.T, dir string, files ...wslFile) string {
	t.Helper()
	out := t.TempDir()
	for _, f := range files {
		s := f.text
		if f.from != "" {
			b, err := os.ReadFile(filepath.Join("..", "..", dir, f.from))
			if err != nil {
				t.Fatal(err)
			}
			s = string(b)
		}
		for i := 0; i+1 < len(f.pairs); i += 2 {
			if !strings.Contains(s, f.pairs[i]) {
				t.Fatalf("%s: %q not found", f.from, f.pairs[i])
			}
			s = strings.ReplaceAll(s, f.pairs[i], f.pairs[i+1])
		}
		if err := os.WriteFile(filepath.Join(out, f.name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestWSLScenarios(t *testing.T) {
	ubuntu := wslFile{name: "wsl-list.txt", from: "wsl-list-kernel156.txt"}
	sshd := wslFile{name: "wsl-tcp-Ubuntu-20.04.txt", from: "proc-net-tcp-sshd22.txt"}
	for _, sc := range []platformScenario{
		{name: "portproxy to the address WSL had before its restart", args: []string{"vm", "Ubuntu-20.04", "--from", "lan", "--captured"},
			capture: wslCaptures(t, ubuntu, sshd,
				// The rule of WSL2-Linux-Kernel#156, listed as netsh lists rules (WSL#8963).
				wslFile{name: "portproxy.txt", from: "portproxy-8963.txt", pairs: []string{"30000-50000  172.23.188.236  30000-50000", "22          172.17.244.150  22"}},
				wslFile{name: "wsl-addr-Ubuntu-20.04.txt", text: "172.17.250.31 \n"}),
			code: "wsl.portproxy_stale", exit: 1,
			en:     []string{"The portproxy rule forwards to 172.17.244.150, but Ubuntu-20.04 now has the address 172.17.250.31"},
			ja:     []string{"portproxy のルールは 172.17.244.150 へ転送していますが、Ubuntu-20.04 の現在のアドレスは 172.17.250.31 です"},
			fix:    []string{"netsh interface portproxy delete v4tov4 listenport=22 listenaddress=0.0.0.0", "connectport=22 connectaddress=172.17.250.31", "connectaddress=127.0.0.1"},
			notFix: []string{"chmod", "sudo "}},
		{name: "a port range stored as a name never forwards", args: []string{"vm", "Ubuntu-20.04", "--from", "lan", "--captured"},
			capture: wslCaptures(t, ubuntu, sshd, wslFile{name: "portproxy.txt", from: "portproxy-8963.txt"},
				wslFile{name: "wsl-addr-Ubuntu-20.04.txt", text: "172.23.188.236\n"}),
			code: "wsl.portproxy_bad_port", exit: 1,
			en:  []string{`The portproxy rule listens on "30000-50000", which is not a port number`},
			ja:  []string{`portproxy のルールの待ち受けポート "30000-50000" はポート番号ではない`},
			fix: []string{"netsh interface portproxy delete v4tov4 listenport=30000-50000 listenaddress=0.0.0.0", "listenport=22 listenaddress=0.0.0.0 connectport=22 connectaddress=172.23.188.236"}},
		{name: "no sshd in a running distribution", args: []string{"vm", "WLinux", "--captured"},
			capture: wslCaptures(t, wslFile{name: "wsl-list.txt", from: "wsl-list-12302.txt"}, wslFile{name: "wsl-status.txt", from: "wsl-status-12302.txt"},
				wslFile{name: "wsl-tcp-WLinux.txt", from: "proc-net-tcp-empty.txt"}),
			code: "wsl.sshd_not_listening", exit: 1,
			en:     []string{"Nothing listens on port 22 inside WLinux"},
			ja:     []string{"WLinux の中でポート 22 を待ち受けているものがありません"},
			fix:    []string{"wsl -d WLinux -u root service ssh start", "systemctl enable --now ssh"},
			notFix: []string{"sudo "}},
		{name: "mirrored mode with the SSH port in ignoredPorts", args: []string{"vm", "Ubuntu-20.04", "--from", "lan", "--captured"},
			capture: wslCaptures(t, ubuntu, sshd, wslFile{name: "wslconfig.txt", from: "wslconfig-11494.txt"},
				wslFile{name: "hyperv-fw.txt", from: "hyperv-vmsetting-block.txt"}),
			code: "wsl.port_ignored", exit: 1, finding: "wsl.hyperv_firewall_blocks",
			en:  []string{"In mirrored mode, port 22 is in ignoredPorts", "The Hyper-V firewall blocks inbound connections to WSL by default"},
			ja:  []string{"ミラー モードでポート 22 が ignoredPorts にある", "Hyper-V ファイアウォールは WSL への受信接続を既定で拒否します"},
			fix: []string{"New-NetFirewallHyperVRule", "-VMCreatorId '{40E0AC32-46A5-438A-A0B2-2B479E8F2E90}' -Protocol TCP -LocalPorts 22"}},
		{name: "all well from the host: NAT mode, sshd listening", args: []string{"vm", "Ubuntu-20.04", "--captured"},
			capture: wslCaptures(t, ubuntu, sshd, wslFile{name: "wslconfig.txt", from: "wslconfig-giggio.txt"},
				wslFile{name: "wsl-addr-Ubuntu-20.04.txt", text: "172.17.250.31\n"}),
			code: "ok", exit: 0, finding: "wsl.distro_found",
			en: []string{"WSL distribution Ubuntu-20.04"},
			ja: []string{"WSL ディストリビューション Ubuntu-20.04"}},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc); schemaValid(t, sc) })
	}
}

func TestHyperVScenarios(t *testing.T) {
	adapters := wslFile{name: "hyperv-adapters.txt", from: "hyperv-adapters-pastebin.txt"}
	for _, sc := range []platformScenario{
		{name: "the VM is off", args: []string{"vm", "XXX", "--captured"},
			// The VM list is written in ConvertTo-Json's shape (SOURCES).
			capture: wslCaptures(t, adapters, wslFile{name: "hyperv-vms.json", text: `{"Name":  "XXX", "State":  3}`}),
			code:    "hyperv.vm_not_running", exit: 1,
			en:     []string{"The Hyper-V VM XXX is not running (Off)"},
			ja:     []string{"Hyper-V の VM XXX が動いていません (Off)"},
			fix:    []string{"Start-VM -Name XXX"},
			notFix: []string{"VBoxManage"}},
		{name: "running, but the guest reports no address", args: []string{"vm", "XXX", "--captured"},
			capture: wslCaptures(t, wslFile{name: "hyperv-adapters.txt", from: "hyperv-adapters-pastebin.txt", pairs: []string{"VMName IPAddresses Status", "VMName SwitchName IPAddresses Status", "XXX {}", "XXX External {}"}},
				wslFile{name: "hyperv-vms.json", text: `{"Name":  "XXX", "State":  2}`}),
			code: "ok", exit: 0, finding: "hyperv.no_address",
			en:  []string{"Hyper-V reports no IPv4 address for XXX"},
			ja:  []string{"Hyper-V は XXX の IPv4 アドレスを報告していません"},
			fix: []string{"Get-VMIntegrationService -VMName XXX"}},
		{name: "the Default Switch from the LAN", args: []string{"vm", "XXX", "--from", "lan", "--captured"},
			// As the live command asks for them: JSON (a switch name has spaces).
			capture: wslCaptures(t, wslFile{name: "hyperv-adapters.json", text: `{"VMName": "XXX", "SwitchName": "Default Switch", "Status": "Ok", "IPAddresses": ["172.29.16.5", "fe80::215:5dff:fe00:1"]}`},
				wslFile{name: "hyperv-vms.json", text: `{"Name":  "XXX", "State":  2}`}),
			code: "hyperv.default_switch_lan", exit: 1,
			en:  []string{"XXX is on the Default Switch, a NAT that other machines cannot reach"},
			ja:  []string{"XXX は Default Switch (ほかのマシンから届かない NAT) につながっています"},
			fix: []string{"Connect-VMNetworkAdapter -VMName XXX -SwitchName External", "connectport=22 connectaddress=172.29.16.5"}},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc); schemaValid(t, sc) })
	}
}

// schemaValid checks the scenario's --json report, in both languages,
// against docs/report.schema.json.
func schemaValid(t *testing.T, sc platformScenario) {
	t.Helper()
	for _, lang := range []string{"en", "ja"} {
		s, out, _ := TestIO(nil)
		args := append(append([]string{"--json", "--lang", lang}, sc.args...), sc.capture)
		if code := Main(args, s); code != sc.exit {
			t.Fatalf("%s: exit %d", lang, code)
		}
		if err := reportschema.Validate(out.Bytes()); err != nil {
			t.Fatalf("%s: %v\n%s", lang, err, out)
		}
	}
}
