package vm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/hostfw"
	"github.com/sshdoctor/sshdoctor/internal/linuxfw"
	"github.com/sshdoctor/sshdoctor/report"
)

// A Windows host whose VM forwards 2222 on every address, reached from a
// network Windows classes as Public: the captured port rule (moved to
// 2222, for Private only) does not apply there and the Public profile
// blocks by default. The fix is a New-NetFirewallRule for the port, TCP,
// the blocking profile and the local subnet — never Unix text.
func TestWindowsFirewallBlocksForwardFromLAN(t *testing.T) {
	f := newFakeVBox(t).addVM(name03, uuid03, variant(t, fix03, `"guestssh,tcp,127.0.0.1,2222,,22"`, `"guestssh,tcp,,2222,,22"`))
	env := scenarioEnv(t, f)
	env.GOOS = "windows"
	rs, ok := hostfw.ParseNetshRules(textVariant(t, hostCapture(t, "netsh_rule_port.txt"), "61001", "2222", "Domain,Private,Public", "Private"))
	if !ok {
		t.Fatal("netsh capture not read")
	}
	fw := hostfw.WinFirewall{Rules: rs, Profiles: hostfw.ParseNetshProfiles(hostCapture(t, "netsh_monitor_public.txt")),
		Active: []hostfw.ActiveNet{{Interface: "Wi-Fi", Profile: "Public"}}, From: "netsh advfirewall firewall show rule name=all verbose"}
	env.hostFacts = func(context.Context) hostFacts { return hostFacts{Windows: &fw} }
	o := runScenario(t, Options{Name: name03, From: FromLAN, Env: env})
	fd := o.finding(t, "vm.windows_firewall_no_allow")
	wantContains(t, "fixes", commands(fd),
		"New-NetFirewallRule -DisplayName '"+name03+" SSH forward (TCP 2222)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 2222 -RemoteAddress LocalSubnet -Profile Public",
		"Set-NetConnectionProfile -InterfaceAlias 'Wi-Fi' -NetworkCategory Private")
	if strings.Contains(commands(fd), "chmod") || strings.Contains(commands(fd), "sudo") {
		t.Errorf("Unix text in a Windows fix: %s", commands(fd))
	}
	for _, c := range []struct {
		rep  *report.Report
		want string
	}{
		{o.en, "no Windows Defender Firewall rule lets TCP port 2222 in on the Public network"},
		{o.ja, "Public ネットワークで TCP ポート 2222 の受信を許可する Windows Defender ファイアウォールの規則がありません"},
	} {
		var b bytes.Buffer
		_ = c.rep.WriteText(&b, report.TextOptions{})
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("%s: lacks %q\n%s", c.rep.Language, c.want, b.String())
		}
	}
	var j bytes.Buffer
	if err := o.en.WriteJSON(&j); err != nil || !strings.Contains(j.String(), `"code": "vm.windows_firewall_no_allow"`) {
		t.Errorf("json: %v\n%s", err, j.String())
	}
	// On the Private network the rule applies: nothing to say. From the
	// host itself the firewall is not in the way.
	fw.Active = []hostfw.ActiveNet{{Interface: "Ethernet", Profile: "Private"}}
	if o := runScenario(t, Options{Name: name03, From: FromLAN, Env: env}); o.has("vm.windows_firewall_no_allow") {
		t.Error("blocked on the Private network, where the rule allows it")
	}
	fw.Active = []hostfw.ActiveNet{{Interface: "Wi-Fi", Profile: "Public"}}
	if o := runScenario(t, Options{Name: name03, From: FromHost, Env: env}); o.has("vm.windows_firewall_no_allow") {
		t.Error("firewall finding from the host")
	}
	// A loopback-only forward is vm-network's finding, not the firewall's.
	f2 := newFakeVBox(t).addVM(name03, uuid03, string(fixture(t, fix03)))
	env2 := scenarioEnv(t, f2)
	env2.GOOS, env2.hostFacts = "windows", env.hostFacts
	if o := runScenario(t, Options{Name: name03, From: FromLAN, Env: env2}); o.has("vm.windows_firewall_no_allow") {
		t.Error("firewall finding for a loopback-only forward")
	}
}

// A Linux host (QEMU or VirtualBox forwarding on every address) whose
// firewalld zone does not open the port: the zone and firewall-cmd fix are
// named; with the captured Fedora zone (1025-65535/tcp open) nothing is.
func TestLinuxFirewalldBlocksForwardFromLAN(t *testing.T) {
	f := runningVMWithForward(t, "ssh,tcp,,2222,,22")
	env := scenarioEnv(t, f)
	env.GOOS = "linux"
	zones, err := os.ReadFile(filepath.Join("..", "internal", "linuxfw", "testdata", "firewalld_list_all_zones_home.txt"))
	if err != nil {
		t.Fatal(err)
	}
	in := linuxfw.Input{Firewalld: string(zones)}
	env.hostFacts = func(context.Context) hostFacts { return hostFacts{Linux: &in} }
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromLAN, Env: env})
	fd := o.finding(t, "vm.host_firewall_blocks")
	if fd.Evidence["rule"] != "target: default" || fd.Evidence["where"] != "zone home" || fd.Severity != "error" {
		t.Errorf("evidence %v %s", fd.Evidence, fd.Severity)
	}
	wantContains(t, "fixes", commands(fd), "sudo firewall-cmd --zone=home --add-port=2222/tcp --permanent\nsudo firewall-cmd --reload")
	// From the host the LAN's firewall is not judged: the check says it
	// does not apply rather than passing.
	for _, c := range runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Env: env}).en.Checks {
		if c.Name == "vm-host-firewall" && c.Status != "skip" {
			t.Errorf("from host: vm-host-firewall %s", c.Status)
		}
	}
	fedora, err := os.ReadFile(filepath.Join("..", "internal", "linuxfw", "testdata", "firewalld_list_all_fedora.txt"))
	if err != nil {
		t.Fatal(err)
	}
	in = linuxfw.Input{Firewalld: string(fedora)}
	if o := runScenario(t, Options{Name: "go-virtualbox", From: FromLAN, Env: env}); o.has("vm.host_firewall_blocks") {
		t.Error("2222 is inside the open 1025-65535/tcp range")
	}
	// Nothing readable without root: said, not passed over.
	in = linuxfw.Input{NeedRoot: []string{"nft -j list ruleset", "iptables-save"}}
	o = runScenario(t, Options{Name: "go-virtualbox", From: FromLAN, Env: env})
	fd = o.finding(t, "vm.host_firewall_unread")
	wantContains(t, "fixes", commands(fd), "sudo sshdoctor vm go-virtualbox --from lan")
}

// textVariant applies replacements to a capture's text, failing when one
// does not apply.
func textVariant(t testing.TB, text string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(text, pairs[i]) {
			t.Fatalf("variant: %q not in the capture", pairs[i])
		}
		text = strings.ReplaceAll(text, pairs[i], pairs[i+1])
	}
	return text
}

// PowerShell's firewall cmdlets failed: "not read", said, with a
// PowerShell command to look — never a silent pass.
func TestWindowsFirewallUnread(t *testing.T) {
	f := newFakeVBox(t).addVM(name03, uuid03, variant(t, fix03, `"guestssh,tcp,127.0.0.1,2222,,22"`, `"guestssh,tcp,,2222,,22"`))
	env := scenarioEnv(t, f)
	env.GOOS = "windows"
	env.hostFacts = func(context.Context) hostFacts {
		return hostFacts{WindowsUnread: "Get-NetFirewallRule: Access is denied."}
	}
	o := runScenario(t, Options{Name: name03, From: FromLAN, Env: env})
	fd := o.finding(t, "vm.host_firewall_unread")
	if fd.Evidence["not_read"] != "Get-NetFirewallRule: Access is denied." || fd.Severity != "info" {
		t.Errorf("%+v", fd)
	}
	wantContains(t, "fixes", commands(fd), "Get-NetFirewallPortFilter -Protocol TCP | Where-Object LocalPort -eq 2222 | Get-NetFirewallRule")
}
