package hostfw

import (
	"fmt"
	"testing"
)

// The Windows parsers take text and JSON a user's system printed: never
// a panic, and the decision always names a profile.
func FuzzWindowsFirewall(f *testing.F) {
	for _, n := range []string{"netsh_rules_localsend.txt", "netsh_rule_verbose_program.txt", "netsh_rule_port.txt", "netsh_monitor_public.txt", "getnetfirewallrule_openssh.json"} {
		f.Add(capture(f, n))
	}
	f.Add(`{"Rules":{"Name":"R","Enabled":1,"Direction":1,"Action":4,"Profile":7},"Ports":{"value":[{"InstanceID":"R","LocalPort":["1-65535"]}],"Count":1}}`)
	f.Fuzz(func(t *testing.T, s string) {
		rs, _ := ParseNetshRules(s)
		ps := ParseNetshProfiles(s)
		fw := WinFirewall{Rules: rs, Profiles: ps}
		if x, err := ParsePSFirewall([]byte(s)); err == nil {
			fw.Rules = append(fw.Rules, x.Rules...)
			fw.Active = x.Active
		}
		if r, err := ParseGetNetFirewallRule([]byte(s)); err == nil {
			fw.Rules = append(fw.Rules, r...)
		}
		for _, d := range DecideWindows(fw, 2222, []string{"VBoxHeadless.exe"}) {
			if d.Profile == "" && len(fw.Active) == 0 {
				t.Fatalf("a decision without a profile: %+v", d)
			}
			if d.Why == "" {
				t.Fatalf("no reason: %+v", d)
			}
		}
		_ = WinFindings(fw, "vm", 2222, nil)
	})
}

// BenchmarkDecideWindows: a host with 600 inbound rules (a stock Windows
// has a few hundred), judged on three profiles.
func BenchmarkDecideWindows(b *testing.B) {
	var rs []WinRule
	for i := range 600 {
		rs = append(rs, WinRule{DisplayName: fmt.Sprint("rule ", i), Enabled: true, Inbound: true, Action: "Allow",
			Protocol: "TCP", LocalPorts: []string{fmt.Sprint(10000 + i), "20000-20010"}, RemoteAddrs: []string{"LocalSubnet"},
			Program: `C:\Program Files\App\app.exe`, Service: "Any"})
	}
	fw := WinFirewall{Rules: rs}
	b.ReportAllocs()
	for b.Loop() {
		_ = DecideWindows(fw, 2222, []string{"VBoxHeadless.exe", "VirtualBoxVM.exe"})
	}
}
