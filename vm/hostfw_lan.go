package vm

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/hostfw"
	"github.com/sshdoctor/sshdoctor/internal/linuxfw"
)

// lanFirewallFindings: a forward that other machines reach goes through
// this host's own firewall first (the hypervisor's process listens here).
// On Windows the Defender Firewall's rules for the port, the profile and
// the hypervisor's program decide; on Linux the INPUT path (nftables,
// iptables, and ufw or firewalld that write them).
func (r *Run) lanFirewallFindings(m *Machine, h hostFacts) []*diag.Finding {
	var fs []*diag.Finding
	seen := map[int]bool{}
	for _, nf := range r.sshForwardsOf(m) {
		f := nf.f
		if f.Loopback() || f.Proto == "udp" || seen[f.HostPort] {
			continue // a loopback-only forward is reported by vm-network
		}
		seen[f.HostPort] = true
		if h.Linux != nil {
			fs = append(fs, linuxLANFindings(*h.Linux, m.Name, f.HostPort)...)
		}
		if h.Windows != nil {
			fs = append(fs, hostfw.WinFindings(*h.Windows, m.Name, f.HostPort, windowsPrograms(m))...)
		} else if h.WindowsUnread != "" {
			fs = append(fs, diag.NewFinding("vm.host_firewall_unread").Arg("vm", m.Name).Arg("port", strconv.Itoa(f.HostPort)).
				Ev("not_read", h.WindowsUnread).
				Fix("fix.win_fw_list_rules", "Get-NetFirewallPortFilter -Protocol TCP | Where-Object LocalPort -eq "+strconv.Itoa(f.HostPort)+" | Get-NetFirewallRule"))
		}
	}
	return fs
}

// windowsPrograms are the executables that may own a VM's forwards:
// VirtualBox runs a VM in VBoxHeadless.exe when started headless and in
// VirtualBoxVM.exe when started from the manager; QEMU is its own binary.
func windowsPrograms(m *Machine) []string {
	switch m.Hypervisor {
	case VirtualBox:
		return []string{"VBoxHeadless.exe", "VirtualBoxVM.exe"}
	case QEMU:
		if len(m.Argv) > 0 && m.Argv[0] != "" {
			b := filepath.Base(strings.ReplaceAll(m.Argv[0], `\`, "/"))
			if !strings.HasSuffix(strings.ToLower(b), ".exe") {
				b += ".exe"
			}
			return []string{b}
		}
	}
	return nil
}

// linuxLANFindings judges TCP to port from the LAN on a Linux host.
func linuxLANFindings(in linuxfw.Input, vm string, port int) []*diag.Finding {
	d, ok := linuxfw.Decide(in, port)
	if !ok {
		if len(in.NeedRoot) == 0 {
			return nil
		}
		f := diag.NewFinding("vm.host_firewall_unread").Arg("vm", vm).Arg("port", strconv.Itoa(port))
		for _, c := range in.NeedRoot {
			f.Ev("not_read", c)
		}
		return []*diag.Finding{f.Fix("fix.vm_host_firewall_read", "sudo sshdoctor vm "+shellQuote(vm)+" --from lan")}
	}
	possible := d.Possible
	if len(possible) > 5 {
		possible = possible[:5]
	}
	if !d.Blocked {
		if len(possible) == 0 {
			return nil
		}
		f := diag.NewFinding("vm.host_firewall_blocks").Sev(diag.SevWarning).
			Arg("vm", vm).Arg("port", strconv.Itoa(port)).Arg("tool", d.Tool)
		for _, p := range possible {
			f.Ev("possible_rule", p)
		}
		f.Fix("fix.vm_host_firewall_allow", linuxfw.FixCommand(d, port))
		return []*diag.Finding{f}
	}
	bf := diag.NewFinding("vm.host_firewall_blocks").Arg("vm", vm).Arg("port", strconv.Itoa(port)).Arg("tool", d.Tool).
		Ev("rule", d.Rule).Ev("action", d.Action).Ev("packet", "from the LAN, to the port the forward listens on")
	if d.Where != "" {
		bf.Ev("where", d.Where)
	}
	if d.Native != nil && d.Native.Line != d.Rule {
		bf.Ev("ufw_rule", d.Native.Line)
	}
	if !d.Certain {
		bf.Sev(diag.SevWarning)
		for i, p := range append(append([]string(nil), d.Unless...), possible...) {
			if i == 5 {
				break
			}
			bf.Ev("depends_on", p)
		}
	}
	bf.Fix("fix.vm_host_firewall_allow", linuxfw.FixCommand(d, port))
	return []*diag.Finding{bf}
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
