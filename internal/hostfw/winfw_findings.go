package hostfw

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
)

// WinFindings turns the decisions for one forward into findings: one per
// blocking cause, the profiles it blocks on joined. vm names the VM;
// programs are the executables that may own the listener.
func WinFindings(fw WinFirewall, vm string, port int, programs []string) []*diag.Finding {
	ds := DecideWindows(fw, port, programs)
	type group struct {
		d        WinDecision
		profiles []string
	}
	var gs []*group
	key := func(d WinDecision) string {
		k := d.Why + "\x00" + strconv.FormatBool(d.NoLocalRules)
		if d.Rule != nil {
			k += "\x00" + d.Rule.Name + "\x00" + d.Rule.DisplayName
		}
		return k
	}
	byKey := map[string]*group{}
	anyOpen := false
	for _, d := range ds {
		if !d.Blocked() {
			anyOpen = true
			continue
		}
		k := key(d)
		if g := byKey[k]; g != nil {
			g.profiles = append(g.profiles, d.Profile)
			g.d.Certain = g.d.Certain && d.Certain
			continue
		}
		g := &group{d: d, profiles: []string{d.Profile}}
		byKey[k] = g
		gs = append(gs, g)
	}
	known := len(fw.Active) > 0
	var fs []*diag.Finding
	for _, g := range gs {
		prof := strings.Join(g.profiles, ", ")
		psProf := strings.Join(g.profiles, ",")
		var f *diag.Finding
		switch g.d.Why {
		case "rule":
			r := g.d.Rule
			f = diag.NewFinding("vm.windows_firewall_block_rule").Arg("rule", ruleLabel(r))
			f.Ev("rule", describeRule(r))
			if r.GPO {
				f.Fix("fix.win_fw_gpo_rule", "Get-NetFirewallRule -PolicyStore ActiveStore -DisplayName "+psQuote(r.DisplayName))
			} else if r.Name != "" {
				f.Fix("fix.win_fw_disable_rule", "Disable-NetFirewallRule -Name "+psQuote(r.Name))
			} else {
				f.Fix("fix.win_fw_disable_rule", "Disable-NetFirewallRule -DisplayName "+psQuote(r.DisplayName))
			}
		case "block_all":
			f = diag.NewFinding("vm.windows_firewall_block_all").
				Ev("profile_state", "on, blocking all incoming connections").
				Fix("fix.win_fw_allow_inbound_rules", "Set-NetFirewallProfile -Profile "+psProf+" -AllowInboundRules True")
		default:
			f = diag.NewFinding("vm.windows_firewall_no_allow").
				Ev("rule", "no rule allows it; default inbound action Block")
			if g.d.NoLocalRules {
				f.Ev("local_rules", "ignored: Group Policy applies only its own rules on this profile").
					Fix("fix.win_fw_gpo_local_rules", "Get-NetFirewallProfile -PolicyStore ActiveStore -Name "+psProf+" | Format-List Name,AllowLocalFirewallRules")
			} else {
				f.Fix("fix.win_fw_allow_port", allowRuleCommand(vm, port, psProf))
			}
		}
		f.Arg("vm", vm).Arg("port", strconv.Itoa(port)).Arg("profile", prof)
		f.Ev("profile", prof).Ev("read_from", fw.From)
		for _, a := range fw.Active {
			for _, p := range g.profiles {
				if a.Profile == p {
					f.Ev("network", a.Interface+": "+a.Profile)
				}
			}
		}
		for i, p := range g.d.Possible {
			if i == 5 {
				break
			}
			f.Ev("depends_on", p)
		}
		// Not certain when a rule's condition is unknown, or when the
		// network's profile is not known and another profile lets it in.
		if !g.d.Certain || (!known && anyOpen) {
			f.Sev(diag.SevWarning)
		}
		if g.d.Why == "rule" && !g.d.NoLocalRules && stillNoAllow(fw, g.d.Rule, g.profiles, port, programs) {
			f.Fix("fix.win_fw_allow_port", allowRuleCommand(vm, port, psProf))
		}
		if known {
			for _, a := range fw.Active {
				if a.Profile == "Public" && contains(g.profiles, "Public") && a.Interface != "" {
					f.Fix("fix.win_fw_network_private", "Set-NetConnectionProfile -InterfaceAlias "+psQuote(a.Interface)+" -NetworkCategory Private")
					break
				}
			}
		}
		fs = append(fs, f)
	}
	return fs
}

// stillNoAllow: with the block rule off, would nothing let the connection
// in on one of the profiles? Then an allow rule is needed too.
func stillNoAllow(fw WinFirewall, off *WinRule, profiles []string, port int, programs []string) bool {
	rest := make([]WinRule, 0, len(fw.Rules))
	for _, r := range fw.Rules {
		if r.Name == off.Name && r.DisplayName == off.DisplayName {
			continue
		}
		rest = append(rest, r)
	}
	fw.Rules = rest
	for _, d := range DecideWindows(fw, port, programs) {
		if contains(profiles, d.Profile) && d.Why == "default" {
			return true
		}
	}
	return false
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// allowRuleCommand is a New-NetFirewallRule scoped to the port, TCP, the
// profiles that block and the local subnet.
func allowRuleCommand(vm string, port int, profiles string) string {
	name := fmt.Sprintf("%s SSH forward (TCP %d)", vm, port)
	return fmt.Sprintf("New-NetFirewallRule -DisplayName %s -Direction Inbound -Action Allow -Protocol TCP -LocalPort %d -RemoteAddress LocalSubnet -Profile %s",
		psQuote(name), port, profiles)
}

// describeRule prints a rule as evidence: its name and the conditions that
// made it match.
func describeRule(r *WinRule) string {
	var b strings.Builder
	b.WriteString(ruleLabel(r))
	if r.Name != "" && r.Name != r.DisplayName {
		b.WriteString(" [" + r.Name + "]")
	}
	b.WriteString(": " + r.Action)
	if len(r.Profiles) > 0 {
		b.WriteString(", profiles " + strings.Join(r.Profiles, ","))
	}
	b.WriteString(", protocol " + r.Protocol)
	if !isAny(r.LocalPorts) {
		b.WriteString(", local port " + strings.Join(r.LocalPorts, ","))
	}
	if !isAny(r.RemoteAddrs) {
		b.WriteString(", remote " + strings.Join(r.RemoteAddrs, ","))
	}
	if p := r.Program; p != "" && !strings.EqualFold(p, "Any") {
		b.WriteString(", program " + p)
	}
	return capLine(b.String(), 400)
}

func capLine(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
