package vm

import (
	"context"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/hostfw"
	"github.com/sshdoctor/sshdoctor/internal/linuxfw"
)

// hostFirewallTimeout bounds reading the host's firewall state: local
// commands (socketfilterfw, nft, iptables-save, netsh) that answer in well
// under a second, and on Windows one PowerShell run that enumerates the
// firewall's rules, which takes seconds (each gatherer bounds its own
// commands more tightly).
const hostFirewallTimeout = 30 * time.Second

// hostFacts is what the host's own firewall and port reservations say.
// The zero value means "not looked at" (not Windows or macOS, or the
// command failed), and gives no finding.
type hostFacts struct {
	Excluded   []hostfw.Range
	ExcludedOK bool
	Mac        *hostfw.MacFirewall
	// Linux is what the host's firewall tools showed; Windows the
	// Defender Firewall's rules and profiles (hostfw_lan.go judges both).
	Linux   *linuxfw.Input
	Windows *hostfw.WinFirewall
	// WindowsUnread says why the Defender Firewall could not be read.
	WindowsUnread string
}

// gatherHostFacts is set per system (hostfw_windows.go, hostfw_darwin.go,
// hostfw_linux.go).
var gatherHostFacts = func(ctx context.Context) hostFacts { return hostFacts{} }

// vboxHeadlessDarwin is where VirtualBox installs the process that owns a
// headless VM's NAT forwards on macOS.
const vboxHeadlessDarwin = "/Applications/VirtualBox.app/Contents/Resources/VirtualBoxVM.app/Contents/MacOS/VBoxHeadless"

func (r *Run) checkHostFirewall(ctx context.Context, _ *diag.Pass) diag.Result {
	ms := r.Machines()
	if len(ms) == 0 || r.opts.Offline != nil {
		return diag.Skip() // a settings file from elsewhere says nothing of this host
	}
	h := r.env.hostFacts(ctx)
	lanOnly := h.Linux != nil || h.Windows != nil || h.WindowsUnread != "" // judged only from the LAN
	if !h.ExcludedOK && h.Mac == nil && (!lanOnly || r.opts.From != FromLAN) {
		return diag.Skip() // nothing could be read here: not checked, not "ok"
	}
	return diag.Conclude(nil, r.hostFirewallFindings(ms, h)...)
}

// hostFirewallFindings: a forward whose host port Windows reserves cannot
// listen at all; from the LAN, macOS's application firewall must let the
// hypervisor's process accept connections.
func (r *Run) hostFirewallFindings(ms []*Machine, h hostFacts) []*diag.Finding {
	var fs []*diag.Finding
	for _, m := range ms {
		lanForward := false
		for _, nf := range r.sshForwardsOf(m) {
			if h.ExcludedOK {
				if rg, in := hostfw.Excluding(h.Excluded, nf.f.HostPort); in {
					rule := nf.f.Raw
					if rule == "" {
						rule = nf.f.Name
					}
					fs = append(fs, hostfw.ExcludedFinding(m.Name, rule, nf.f.HostPort, rg))
				}
			}
			lanForward = lanForward || nf.f.AllInterfaces()
		}
		if h.Mac != nil && lanForward && r.opts.From == FromLAN && m.Hypervisor == VirtualBox {
			fs = append(fs, hostfw.MacFindings(*h.Mac, m.Name, vboxHeadlessDarwin)...)
		}
		if r.opts.From == FromLAN {
			fs = append(fs, r.lanFirewallFindings(m, h)...)
		}
	}
	return fs
}
