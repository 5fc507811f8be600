package hostfw

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func capture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// variant applies replacements to a capture, failing when one does not
// apply, so a scenario cannot silently test the unmodified text.
func variant(t *testing.T, text string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(text, pairs[i]) {
			t.Fatalf("variant: %q not in the capture", pairs[i])
		}
		text = strings.ReplaceAll(text, pairs[i], pairs[i+1])
	}
	return text
}

func TestParseNetshCaptures(t *testing.T) {
	rs, ok := ParseNetshRules(capture(t, "netsh_rules_localsend.txt"))
	if !ok || len(rs) != 2 {
		t.Fatalf("localsend: %v %+v", ok, rs)
	}
	if r := rs[0]; r.Inbound || r.Action != "Block" || r.DisplayName != "localsend" {
		t.Errorf("outbound block: %+v", r)
	}
	if r := rs[1]; !r.Inbound || r.Action != "Allow" || strings.Join(r.LocalPorts, ",") != "53317" || strings.Join(r.RemoteAddrs, ",") != "192.168.0.0/16" || len(r.Profiles) != 3 {
		t.Errorf("inbound allow: %+v", r)
	}
	rs, _ = ParseNetshRules(capture(t, "netsh_rule_verbose_program.txt"))
	if len(rs) != 1 || rs[0].Program != `C:\Program Files\Unity\2022.1.0b10\Editor\Unity.exe` || rs[0].GPO || rs[0].Security != "NotRequired" || rs[0].Protocol != "Any" {
		t.Errorf("verbose: %+v", rs)
	}
	ps := ParseNetshProfiles(capture(t, "netsh_currentprofile_domain.txt") + capture(t, "netsh_monitor_public.txt"))
	if len(ps) != 2 || ps[0].Name != "Domain" || !ps[0].Enabled || ps[0].DefaultAllow || ps[0].BlockAll || ps[1].Name != "Public" {
		t.Errorf("profiles: %+v", ps)
	}
	if _, ok := ParseNetshRules("Regelname:                            x\nAktiviert:   Ja\n"); ok {
		t.Error("German labels read as English")
	}
}

// Get-NetFirewallRule | ConvertTo-Json from a real host: numbers for the
// enums; Profile 0 means every profile.
func TestParseGetNetFirewallRuleCapture(t *testing.T) {
	rs, err := ParseGetNetFirewallRule([]byte(capture(t, "getnetfirewallrule_openssh.json")))
	if err != nil || len(rs) != 2 {
		t.Fatalf("%v %+v", err, rs)
	}
	r := rs[0]
	if r.Name != "OpenSSH-Server-In-TCP" || r.DisplayName != "OpenSSH SSH Server (sshd)" || !r.Enabled || !r.Inbound || r.Action != "Allow" || len(r.Profiles) != 0 || r.GPO {
		t.Errorf("%+v", r)
	}
	// The filters, in the shapes PowerShell gives a list (a bare value, an
	// array, the {"value":…,"Count":n} wrapper).
	err = ApplyFilters(rs,
		[]byte(`[{"InstanceID":"OpenSSH-Server-In-TCP","Protocol":"TCP","LocalPort":"22"},{"InstanceID":"sshd","Protocol":"TCP","LocalPort":{"value":["22","2222-2230"],"Count":2}}]`),
		[]byte(`{"InstanceID":"sshd","LocalAddress":"Any","RemoteAddress":["LocalSubnet"]}`),
		[]byte(`[{"InstanceID":"OpenSSH-Server-In-TCP","Program":"%SystemRoot%\\system32\\OpenSSH\\sshd.exe"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Protocol != "TCP" || strings.Join(rs[0].LocalPorts, ",") != "22" || !strings.HasSuffix(rs[0].Program, `sshd.exe`) {
		t.Errorf("filters on the first rule: %+v", rs[0])
	}
	if strings.Join(rs[1].LocalPorts, ",") != "22,2222-2230" || strings.Join(rs[1].RemoteAddrs, ",") != "LocalSubnet" {
		t.Errorf("filters on the second rule: %+v", rs[1])
	}
	fw := WinFirewall{Rules: rs, Profiles: []WinProfile{{Name: "Private", Enabled: true}}, Active: []ActiveNet{{Interface: "Wi-Fi", Profile: "Private"}}}
	// 2225 is allowed by the second rule (any program, local subnet).
	if ds := DecideWindows(fw, 2225, []string{"VBoxHeadless.exe"}); len(ds) != 1 || ds[0].Why != "allowed" || ds[0].Rule.Name != "sshd" {
		t.Errorf("2225: %+v", ds)
	}
	// 22 for VBoxHeadless: the first rule is sshd.exe's, the second allows
	// any program.
	if ds := DecideWindows(fw, 22, []string{"VBoxHeadless.exe"}); ds[0].Why != "allowed" || ds[0].Rule.Name != "sshd" {
		t.Errorf("22: %+v", ds[0])
	}
	// 3000: nothing allows it; the default inbound action blocks.
	if ds := DecideWindows(fw, 3000, nil); ds[0].Why != "default" || !ds[0].Certain {
		t.Errorf("3000: %+v", ds[0])
	}
}

// The evaluation on rules read with netsh: Windows' own prompt creates a
// block rule for the hypervisor's program when it was refused (a capture's
// program-scoped rule, turned into that case); it wins over an allow rule
// for the port.
func TestDecideWindowsBlockRuleWins(t *testing.T) {
	block := variant(t, capture(t, "netsh_rule_verbose_program.txt"),
		"Unity 2022.1.0b10 Live Capture", "VirtualBox Headless Frontend",
		`C:\Program Files\Unity\2022.1.0b10\Editor\Unity.exe`, `C:\Program Files\Oracle\VirtualBox\VBoxHeadless.exe`,
		"Domain,Private", "Public",
		"Allow", "Block")
	allow := variant(t, capture(t, "netsh_rule_port.txt"), "61001", "2222")
	rs, _ := ParseNetshRules(block + "\n" + allow)
	fw := WinFirewall{Rules: rs, Profiles: ParseNetshProfiles(capture(t, "netsh_monitor_public.txt")), Active: []ActiveNet{{Interface: "Wi-Fi", Profile: "Public"}}, From: "netsh"}
	ds := DecideWindows(fw, 2222, []string{"VBoxHeadless.exe"})
	if len(ds) != 1 || ds[0].Why != "rule" || ds[0].Rule.DisplayName != "VirtualBox Headless Frontend" || !ds[0].Certain {
		t.Fatalf("%+v", ds)
	}
	fs := WinFindings(fw, "dev", 2222, []string{"VBoxHeadless.exe"})
	if len(fs) != 1 || fs[0].Code != "vm.windows_firewall_block_rule" {
		t.Fatalf("%+v", fs)
	}
	var cmds []string
	for _, f := range fs[0].Fixes {
		cmds = append(cmds, f.Command)
	}
	// Turning the block rule off is enough (the port rule then allows);
	// on Public, making the network Private is offered too. No chmod-like
	// text, PowerShell only.
	want := []string{"Disable-NetFirewallRule -DisplayName 'VirtualBox Headless Frontend'", "Set-NetConnectionProfile -InterfaceAlias 'Wi-Fi' -NetworkCategory Private"}
	if strings.Join(cmds, "|") != strings.Join(want, "|") {
		t.Errorf("fixes %q", cmds)
	}
	// Two candidate programs (headless or GUI): the block rule only
	// possibly applies, the port rule allows.
	ds = DecideWindows(fw, 2222, []string{"VBoxHeadless.exe", "VirtualBoxVM.exe"})
	if ds[0].Why != "allowed" || ds[0].Certain || len(ds[0].Possible) != 1 || !strings.Contains(ds[0].Possible[0], "VirtualBox Headless Frontend (Block)") {
		t.Errorf("two programs: %+v", ds[0])
	}
	// The rule is for Public only: on a Private network it does not apply.
	fw.Active = []ActiveNet{{Interface: "Ethernet", Profile: "Private"}}
	if ds := DecideWindows(fw, 2222, []string{"VBoxHeadless.exe"}); ds[0].Why != "allowed" {
		t.Errorf("private: %+v", ds[0])
	}
}

func TestWindowsFindingsDefaultAndShieldsUp(t *testing.T) {
	rs, _ := ParseNetshRules(capture(t, "netsh_rule_port.txt"))
	pub := ParseNetshProfiles(capture(t, "netsh_monitor_public.txt"))
	fw := WinFirewall{Rules: rs, Profiles: pub, Active: []ActiveNet{{Interface: "Wi-Fi", Profile: "Public"}}, From: "netsh"}
	fs := WinFindings(fw, "dev", 2222, []string{"VBoxHeadless.exe"})
	if len(fs) != 1 || fs[0].Code != "vm.windows_firewall_no_allow" || fs[0].Severity != "error" {
		t.Fatalf("%+v", fs)
	}
	if c := fs[0].Fixes[0].Command; c != "New-NetFirewallRule -DisplayName 'dev SSH forward (TCP 2222)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 2222 -RemoteAddress LocalSubnet -Profile Public" {
		t.Errorf("fix %q", c)
	}
	if fs := WinFindings(fw, "dev", 61001, nil); len(fs) != 0 {
		t.Errorf("61001 is allowed on all profiles: %+v", fs)
	}
	// "Block all incoming connections" on Public: allow rules do not count.
	shields := variant(t, capture(t, "netsh_monitor_public.txt"), "BlockInbound,AllowOutbound", "BlockInboundAlways,AllowOutbound")
	fw.Profiles = ParseNetshProfiles(shields)
	fs = WinFindings(fw, "dev", 61001, nil)
	if len(fs) != 1 || fs[0].Code != "vm.windows_firewall_block_all" || fs[0].Fixes[0].Command != "Set-NetFirewallProfile -Profile Public -AllowInboundRules True" {
		t.Errorf("shields up: %+v", fs)
	}
	// A profile that is off lets everything in.
	fw.Profiles = ParseNetshProfiles(variant(t, capture(t, "netsh_monitor_public.txt"), "State                                 ON", "State                                 OFF"))
	if fs := WinFindings(fw, "dev", 2222, nil); len(fs) != 0 {
		t.Errorf("profile off: %+v", fs)
	}
	// Active profile unknown: every profile judged; one that blocks while
	// another allows is only a warning.
	fw.Profiles = nil
	fw.Active = nil
	fw.Rules = append(fw.Rules, WinRule{DisplayName: "private only", Enabled: true, Inbound: true, Action: "Allow", Profiles: []string{"Private"}, Protocol: "TCP", LocalPorts: []string{"2222"}})
	fs = WinFindings(fw, "dev", 2222, nil)
	if len(fs) != 1 || fs[0].Severity != "warning" || fs[0].Args["profile"] != "Domain, Public" {
		t.Errorf("unknown profile: %+v", fs)
	}
}

func TestPSFirewallCombined(t *testing.T) {
	data := `{"Rules":[{"Name":"{A1}","DisplayName":"vboxheadless","Enabled":1,"Direction":1,"Action":4,"Profile":4,"PolicyStoreSourceType":1},{"Name":"GPO-1","DisplayName":"Allow 2222","Enabled":1,"Direction":1,"Action":2,"Profile":0,"PolicyStoreSourceType":2}],` +
		`"Ports":[{"InstanceID":"{A1}","Protocol":"TCP","LocalPort":"Any"},{"InstanceID":"GPO-1","Protocol":"TCP","LocalPort":"2222"}],` +
		`"Addresses":"","Apps":{"InstanceID":"{A1}","Program":"C:\\program files\\oracle\\virtualbox\\vboxheadless.exe"},"Services":[],` +
		`"Profiles":[{"Name":"Domain","Enabled":1,"DefaultInboundAction":4,"AllowInboundRules":1},{"Name":"Private","Enabled":1,"DefaultInboundAction":4,"AllowInboundRules":1},{"Name":"Public","Enabled":1,"DefaultInboundAction":4,"AllowInboundRules":1}],` +
		`"Connections":{"InterfaceAlias":"Wi-Fi","NetworkCategory":0}}`
	fw, err := ParsePSFirewall([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(fw.Rules) != 2 || fw.Rules[0].Action != "Block" || strings.Join(fw.Rules[0].Profiles, ",") != "Public" || !fw.Rules[1].GPO || len(fw.Active) != 1 || fw.Active[0].Profile != "Public" {
		t.Fatalf("%+v", fw)
	}
	fs := WinFindings(fw, "dev", 2222, []string{"VBoxHeadless.exe"})
	if len(fs) != 1 || fs[0].Code != "vm.windows_firewall_block_rule" || fs[0].Fixes[0].Command != "Disable-NetFirewallRule -Name '{A1}'" {
		t.Errorf("%+v", fs)
	}
	if _, err := ParsePSFirewall([]byte("not json")); err == nil {
		t.Error("garbage accepted")
	}
}

// The names PSScript asks for (enums as text) read like the numbers.
func TestPSFirewallNames(t *testing.T) {
	data := `{"Rules":{"Name":"R","DisplayName":"vboxheadless","Enabled":"True","Direction":"Inbound","Action":"Block","Profile":"Private, Public","PolicyStoreSourceType":"GroupPolicy"},` +
		`"Ports":{"InstanceID":"R","Protocol":"TCP","LocalPort":"Any"},"Addresses":[],"Apps":[],"Services":[],` +
		`"Profiles":[{"Name":"Domain","Enabled":"True","DefaultInboundAction":"NotConfigured","AllowInboundRules":"NotConfigured"},{"Name":"Private","Enabled":"True","DefaultInboundAction":"Block","AllowInboundRules":"True"},{"Name":"Public","Enabled":"False","DefaultInboundAction":"Block","AllowInboundRules":"False"}],` +
		`"Connections":[{"InterfaceAlias":"Ethernet","NetworkCategory":"DomainAuthenticated"},{"InterfaceAlias":"Wi-Fi","NetworkCategory":"Private"}]}`
	fw, err := ParsePSFirewall([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	r := fw.Rules[0]
	if !r.Enabled || !r.Inbound || r.Action != "Block" || strings.Join(r.Profiles, ",") != "Private,Public" || !r.GPO {
		t.Errorf("rule %+v", r)
	}
	if p := fw.Profiles; !p[0].Enabled || p[0].DefaultAllow || p[0].BlockAll || p[2].Enabled || !p[2].BlockAll {
		t.Errorf("profiles %+v", p)
	}
	if len(fw.Active) != 2 || fw.Active[0].Profile != "Domain" {
		t.Errorf("active %+v", fw.Active)
	}
	// Domain: no rule (the block rule is for Private and Public only),
	// default block; Private: the Group Policy block rule.
	fs := WinFindings(fw, "dev", 2222, nil)
	if len(fs) != 2 || fs[0].Code != "vm.windows_firewall_no_allow" || fs[1].Code != "vm.windows_firewall_block_rule" {
		t.Fatalf("%+v", fs)
	}
	// The rule names no program, so it blocks whatever the VM runs as;
	// it comes from Group Policy, so a local command cannot change it.
	if fs[1].Severity != "error" || fs[1].Fixes[0].Key != "fix.win_fw_gpo_rule" {
		t.Errorf("a Group Policy block rule: %+v", fs[1])
	}
	// Public is off: nothing to say there.
	for _, f := range fs {
		if strings.Contains(f.Args["profile"], "Public") {
			t.Errorf("the Public profile is off: %+v", f)
		}
	}
}

// The captured Domain profile applies only Group Policy's rules
// ("LocalFirewallRules N/A (GPO-store only)"): the machine's own allow
// rule for the port does nothing there, and the fix is not a local rule.
func TestWindowsGPOOnlyProfileIgnoresLocalRules(t *testing.T) {
	ps := ParseNetshProfiles(capture(t, "netsh_currentprofile_domain.txt"))
	if len(ps) != 1 || !ps[0].NoLocalRules {
		t.Fatalf("profiles %+v", ps)
	}
	// The captured verbose rule is a local one ("Rule source: Local
	// Setting"); made a rule for VBoxHeadless on the Domain profile.
	rs, _ := ParseNetshRules(variant(t, capture(t, "netsh_rule_verbose_program.txt"),
		`C:\Program Files\Unity\2022.1.0b10\Editor\Unity.exe`, `C:\Program Files\Oracle\VirtualBox\VBoxHeadless.exe`,
		"Domain,Private", "Domain"))
	if len(rs) != 1 || !rs[0].Local {
		t.Fatalf("rules %+v", rs)
	}
	fw := WinFirewall{Rules: rs, Profiles: ps, Active: []ActiveNet{{Interface: "Ethernet", Profile: "Domain"}}, From: "netsh"}
	fs := WinFindings(fw, "dev", 2222, []string{"VBoxHeadless.exe"})
	if len(fs) != 1 || fs[0].Code != "vm.windows_firewall_no_allow" || len(fs[0].Fixes) != 1 || fs[0].Fixes[0].Key != "fix.win_fw_gpo_local_rules" {
		t.Fatalf("%+v", fs)
	}
	if strings.Contains(fs[0].Fixes[0].Command, "New-NetFirewallRule") {
		t.Errorf("a local rule offered where local rules are ignored: %s", fs[0].Fixes[0].Command)
	}
	// With local rules honoured the same rule lets VBoxHeadless in.
	fw.Profiles[0].NoLocalRules = false
	if fs := WinFindings(fw, "dev", 2222, []string{"VBoxHeadless.exe"}); len(fs) != 0 {
		t.Errorf("local rules honoured: %+v", fs)
	}
}

func TestPSProfileLocalRules(t *testing.T) {
	ps, err := ParseGetNetFirewallProfile([]byte(`[{"Name":"Domain","Enabled":"True","AllowLocalFirewallRules":"False"},{"Name":"Private","Enabled":1,"AllowLocalFirewallRules":2}]`))
	if err != nil || len(ps) != 2 || !ps[0].NoLocalRules || ps[1].NoLocalRules || !ps[1].Enabled {
		t.Errorf("%v %+v", err, ps)
	}
}
