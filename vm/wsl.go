package vm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/procnet"
)

// WSL2 as one more hypervisor. A WSL2 distribution is a Hyper-V VM behind
// a NAT of its own (or, in mirrored mode, on the host's own addresses):
// from the LAN, sshd inside it needs a `netsh interface portproxy` rule to
// the distribution's current address — an address WSL changes at every
// restart — or mirrored mode and a Hyper-V firewall that lets the port in.
// The rules here are plain Go over the outputs read through winSource.

// wslFacts is what was read, once per run.
type wslFacts struct {
	src     winSource
	listed  bool // wsl --list --verbose answered
	distros []WSLDistro
	status  WSLStatus
	rules   []PortProxy
	rulesOK bool
	config  WSLConfig
	hyperv  HyperVVMSetting
	listErr error
	hasAny  bool
}

type wslState struct {
	once  sync.Once
	facts wslFacts
	hv    hypervState
}

// wslList reads the list of distributions (cheap; vm-hypervisor uses it to
// know that WSL is here).
func (r *Run) wslList(ctx context.Context) *wslFacts {
	r.wsl.once.Do(func() {
		f := &r.wsl.facts
		f.src = r.winSourceFor()
		if f.src == nil {
			return
		}
		b, err := f.src.Output(ctx, winWSLList)
		if err != nil {
			if !errors.Is(err, errNoSource) {
				f.listErr = err
			}
			return
		}
		f.distros, f.listed = ParseWSLList(b)
		if b, err := f.src.Output(ctx, winWSLRunning); err == nil {
			running := ParseWSLRunning(b)
			for i := range f.distros {
				if f.distros[i].Running == Unknown {
					f.distros[i].Running = No
					if running[f.distros[i].Name] {
						f.distros[i].Running = Yes
					}
				}
			}
		}
		f.hasAny = len(f.distros) > 0
	})
	return &r.wsl.facts
}

// wslHas says whether name is a WSL distribution here (vm-find then leaves
// it to vm-wsl rather than calling it unknown).
func (r *Run) wslHas(ctx context.Context, name string) bool {
	f := r.wslList(ctx)
	for _, d := range f.distros {
		if strings.EqualFold(d.Name, name) {
			return true
		}
	}
	vms, _ := r.hypervList(ctx)
	for _, v := range vms {
		if strings.EqualFold(v.Name, name) {
			return true
		}
	}
	return false
}

// wslAny says whether any WSL distribution was found.
func (r *Run) wslAny(ctx context.Context) bool {
	if r.wslList(ctx).hasAny {
		return true
	}
	vms, _ := r.hypervList(ctx)
	return len(vms) > 0
}

// windowsChecks are the checks of the Windows hypervisors; none where no
// source answers (not Windows, no --captured) or a settings file was
// given.
func (r *Run) windowsChecks(hypervisor diag.Node) []diag.Node {
	if r.opts.Offline != nil || (r.opts.Captured == "" && (r.env.GOOS != "windows" || liveWinSource == nil)) {
		return nil
	}
	return []diag.Node{
		&diag.Def[struct{}]{Name: "vm-wsl", Doc: "reads WSL's distributions, their sshd, portproxy rules and .wslconfig networking",
			Requires: []diag.Node{hypervisor}, Timeout: wslCheckTimeout, Run: diag.FindingsOnly(r.checkWSL)},
		&diag.Def[struct{}]{Name: "vm-hyperv", Doc: "reads Hyper-V's VMs, their state, switches and addresses",
			Requires: []diag.Node{hypervisor}, Timeout: 2*winCommandTimeout + time.Second, Run: diag.FindingsOnly(r.checkHyperV)},
	}
}

func (r *Run) checkWSL(ctx context.Context, _ *diag.Pass) diag.Result {
	f := r.wslList(ctx)
	if f.listErr != nil {
		return diag.Inconclusive(diag.NewFinding("wsl.list_failed").Ev("command", "wsl.exe --list --verbose").Ev("error", f.listErr.Error()))
	}
	if !f.hasAny {
		return diag.Skip() // no WSL here: nothing to say
	}
	r.readWSLDetails(ctx, f)
	sel := r.selectDistros(f)
	if len(sel) == 0 {
		return diag.Skip() // the name given is a VirtualBox or QEMU VM
	}
	var fs []*diag.Finding
	for _, d := range sel {
		fs = append(fs, r.wslFindings(ctx, f, d)...)
	}
	return diag.Conclude(nil, fs...)
}

// readWSLDetails reads what applies to every distribution.
func (r *Run) readWSLDetails(ctx context.Context, f *wslFacts) {
	if b, err := f.src.Output(ctx, winWSLStatus); err == nil {
		f.status = ParseWSLStatus(b)
	}
	if b, err := f.src.Output(ctx, winPortProxy); err == nil {
		f.rules, f.rulesOK = ParsePortProxy(b)
	}
	f.config = WSLConfig{Mode: "nat"}
	if b, err := f.src.Output(ctx, winWSLConfig); err == nil {
		f.config = ParseWSLConfig(b)
	}
	if b, err := f.src.Output(ctx, winHyperVFW); err == nil {
		f.hyperv = ParseHyperVVMSetting(b)
	}
}

// selectDistros: the one named; else the default; else every one (up to
// maxWSLDistros).
func (r *Run) selectDistros(f *wslFacts) []WSLDistro {
	var out []WSLDistro
	if r.opts.Name != "" {
		for _, d := range f.distros {
			if strings.EqualFold(d.Name, r.opts.Name) {
				out = append(out, d)
			}
		}
		return out
	}
	for _, d := range f.distros {
		if d.Default || (f.status.DefaultDistro != "" && strings.EqualFold(d.Name, f.status.DefaultDistro)) {
			return []WSLDistro{d}
		}
	}
	for _, d := range f.distros {
		if strings.HasPrefix(strings.ToLower(d.Name), "docker-desktop") {
			continue // Docker's own distributions run no sshd
		}
		if out = append(out, d); len(out) == maxWSLDistros {
			break
		}
	}
	return out
}

// wslFindings decides for one distribution.
func (r *Run) wslFindings(ctx context.Context, f *wslFacts, d WSLDistro) []*diag.Finding {
	port := r.opts.Port
	mode := f.config.Mode
	if d.Version == 1 {
		mode = "wsl1"
	}
	found := diag.NewFinding("wsl.distro_found").Arg("vm", d.Name).
		Ev("state", d.State).Ev("wsl_version", strconv.Itoa(d.Version)).Ev("networking", mode)
	if f.config.Present {
		for _, l := range f.config.Lines {
			found.Ev("wslconfig", l)
		}
	} else {
		found.Ev("wslconfig", "not present (NAT networking, localhost forwarding on)")
	}
	fs := []*diag.Finding{found}

	start := "wsl -d " + psArg(d.Name) + " -u root service ssh start"
	persist := "wsl -d " + psArg(d.Name) + " -u root sh -c \"printf '[boot]\\nsystemd=true\\n' >> /etc/wsl.conf\"\nwsl --terminate " + psArg(d.Name) +
		"\nwsl -d " + psArg(d.Name) + " -u root systemctl enable --now ssh"

	if d.Running == No {
		fs = append(fs, diag.NewFinding("wsl.distro_stopped").Arg("vm", d.Name).Ev("state", d.State).
			Fix("fix.wsl_start_sshd", start).Fix("fix.wsl_sshd_at_boot", persist))
		// A stopped distribution has no address and no sshd: the forward
		// rules can still be read, but not against a current address.
	}

	var addr netip.Addr
	listening := Unknown
	var loopbackOnly bool
	if d.Running == Yes && d.Version == 2 && mode == "nat" {
		if b, err := f.src.Output(ctx, winWSLAddrPref+d.Name); err == nil {
			addr, _ = ParseHostnameI(b)
			if addr.IsValid() {
				found.Ev("address", addr.String())
			}
		}
	}
	if d.Running == Yes {
		if b, err := f.src.Output(ctx, winWSLTCPPref+d.Name); err == nil {
			socks := procnet.Listening(bytes.NewReader(b))
			listening = No
			var on []string
			for _, s := range socks {
				if s.Port != port {
					continue
				}
				listening = Yes
				on = append(on, netip.AddrPortFrom(s.Addr, uint16(s.Port)).String())
			}
			if listening == Yes {
				loopbackOnly = true
				for _, s := range socks {
					if s.Port == port && !s.Addr.IsLoopback() {
						loopbackOnly = false
					}
				}
				found.Ev("sshd_listens", strings.Join(on, " "))
			}
		}
	}
	if listening == Unknown && d.Running == Yes {
		found.Ev("sshd_listens", "not read (the distribution did not answer)")
	}
	if listening == No {
		fs = append(fs, diag.NewFinding("wsl.sshd_not_listening").Arg("vm", d.Name).Arg("port", strconv.Itoa(port)).
			Ev("read", "/proc/net/tcp and /proc/net/tcp6 inside "+d.Name).
			Fix("fix.wsl_start_sshd", start).Fix("fix.wsl_sshd_at_boot", persist))
	}

	if d.Version == 1 {
		fs = append(fs, diag.NewFinding("wsl.version1").Sev(diag.SevInfo).Arg("vm", d.Name))
		return fs
	}

	switch mode {
	case "mirrored":
		fs = append(fs, r.mirroredFindings(f, d, port)...)
	case "nat":
		fs = append(fs, r.natFindings(f, d, port, addr, loopbackOnly)...)
	}
	return fs
}

// mirroredFindings: the distribution shares the host's addresses; the
// Hyper-V firewall decides what reaches it from the LAN, ignoredPorts are
// not mirrored, and a portproxy on the same port takes it first.
func (r *Run) mirroredFindings(f *wslFacts, d WSLDistro, port int) []*diag.Finding {
	var fs []*diag.Finding
	for _, p := range f.config.IgnoredPorts {
		if p == port {
			fs = append(fs, diag.NewFinding("wsl.port_ignored").Arg("vm", d.Name).Arg("port", strconv.Itoa(port)).
				Ev("wslconfig", "[experimental] ignoredPorts includes "+strconv.Itoa(port)).
				Fix("fix.wsl_unignore_port", `notepad "$env:USERPROFILE\.wslconfig"`+"\nwsl --shutdown"))
		}
	}
	if f.config.ModeSection == "experimental" {
		fs = append(fs, diag.NewFinding("wsl.mode_experimental_section").Sev(diag.SevWarning).Arg("vm", d.Name).
			Ev("wslconfig", "[experimental] networkingMode="+f.config.Mode).
			Fix("fix.wsl_check_mode", "wsl -d "+psArg(d.Name)+" wslinfo --networking-mode"))
	}
	for _, rule := range f.rules {
		if rule.ListenPortNum() == port {
			fs = append(fs, diag.NewFinding("wsl.portproxy_mirrored_conflict").Arg("vm", d.Name).Arg("port", strconv.Itoa(port)).
				Ev("portproxy", rule.Raw).
				Fix("fix.wsl_portproxy_delete", portproxyDelete(rule)))
		}
	}
	if r.opts.From == FromLAN && f.config.Firewall != No && f.hyperv.Read && f.hyperv.Enabled != No &&
		strings.EqualFold(f.hyperv.DefaultInboundAction, "Block") {
		fi := diag.NewFinding("wsl.hyperv_firewall_blocks").Sev(diag.SevWarning).Arg("vm", d.Name).Arg("port", strconv.Itoa(port))
		for _, l := range f.hyperv.Lines {
			fi.Ev("hyperv_firewall", l)
		}
		fi.Fix("fix.wsl_hyperv_allow_port", fmt.Sprintf(`New-NetFirewallHyperVRule -Name "sshdoctor-wsl-ssh-%d" -DisplayName "WSL sshd (TCP %d)" -Direction Inbound -VMCreatorId '%s' -Protocol TCP -LocalPorts %d -Action Allow`, port, port, WSLCreatorID, port))
		fi.Fix("fix.wsl_hyperv_list_rules", "Get-NetFirewallHyperVRule -VMCreatorId '"+WSLCreatorID+"' -Direction Inbound | Format-Table DisplayName,LocalPorts,Action,Enabled")
		fs = append(fs, fi)
	}
	return fs
}

// natFindings: from the host, localhost forwarding reaches sshd (unless
// turned off); from the LAN only a portproxy rule to the distribution's
// current address (or to localhost) does.
func (r *Run) natFindings(f *wslFacts, d WSLDistro, port int, addr netip.Addr, loopbackOnly bool) []*diag.Finding {
	var fs []*diag.Finding
	if r.opts.From == FromHost && f.config.LocalhostForwarding == No {
		fi := diag.NewFinding("wsl.localhost_forwarding_off").Sev(diag.SevWarning).Arg("vm", d.Name).
			Ev("wslconfig", "[wsl2] localhostForwarding=false")
		if addr.IsValid() {
			fi.Fix("fix.wsl_ssh_to_address", "ssh -p "+strconv.Itoa(port)+" USER@"+addr.String())
		}
		fs = append(fs, fi)
	}
	target := "(wsl -d " + psArg(d.Name) + " hostname -I).Trim().Split(' ')[0]"
	if addr.IsValid() {
		target = addr.String()
	}
	var relevant []PortProxy
	for _, rule := range f.rules {
		cp := rule.ConnectPortNum()
		if cp == port || (cp == 0 && rule.ConnectPort != "" && strings.Contains(rule.ConnectPort, "-")) {
			relevant = append(relevant, rule)
		}
	}
	works := false
	for _, rule := range relevant {
		lp := rule.ListenPortNum()
		if lp == 0 {
			fs = append(fs, diag.NewFinding("wsl.portproxy_bad_port").Arg("vm", d.Name).Arg("port", rule.ListenPort).
				Ev("portproxy", rule.Raw).
				Fix("fix.wsl_portproxy_replace", portproxyDelete(rule)+"\n"+portproxyAdd(rule.ListenAddr, port, target, port)))
			continue
		}
		ca := strings.ToLower(rule.ConnectAddr)
		switch {
		case ca == "127.0.0.1" || ca == "localhost" || ca == "::1":
			if f.config.LocalhostForwarding == No {
				fs = append(fs, diag.NewFinding("wsl.portproxy_localhost_no_forwarding").Arg("vm", d.Name).
					Ev("portproxy", rule.Raw).Ev("wslconfig", "[wsl2] localhostForwarding=false").
					Fix("fix.wsl_portproxy_replace", portproxyDelete(rule)+"\n"+portproxyAdd(rule.ListenAddr, lp, target, port)))
			} else {
				works = true
			}
		case addr.IsValid() && ca == addr.String():
			works = true
			if loopbackOnly {
				fs = append(fs, diag.NewFinding("wsl.sshd_loopback_only").Arg("vm", d.Name).Arg("port", strconv.Itoa(port)).
					Ev("portproxy", rule.Raw).
					Fix("fix.wsl_portproxy_replace", portproxyDelete(rule)+"\n"+portproxyAdd(rule.ListenAddr, lp, "127.0.0.1", port)))
			}
		case addr.IsValid():
			fs = append(fs, diag.NewFinding("wsl.portproxy_stale").Arg("vm", d.Name).Arg("old", rule.ConnectAddr).Arg("addr", addr.String()).
				Ev("portproxy", rule.Raw).Ev("address", addr.String()+" (wsl -d "+d.Name+" hostname -I)").
				Fix("fix.wsl_portproxy_replace", portproxyDelete(rule)+"\n"+portproxyAdd(rule.ListenAddr, lp, addr.String(), port)).
				Fix("fix.wsl_portproxy_localhost", portproxyDelete(rule)+"\n"+portproxyAdd(rule.ListenAddr, lp, "127.0.0.1", port)))
		default:
			fs = append(fs, diag.NewFinding("wsl.portproxy_unverified").Sev(diag.SevWarning).Arg("vm", d.Name).Arg("old", rule.ConnectAddr).
				Ev("portproxy", rule.Raw).Ev("address", "not read (the distribution is not running, or did not answer)").
				Fix("fix.wsl_show_address", "wsl -d "+psArg(d.Name)+" hostname -I"))
		}
	}
	// A rule that is there but broken has said so above; this is for no
	// rule at all.
	if r.opts.From == FromLAN && !works && len(relevant) == 0 && f.rulesOK {
		fi := diag.NewFinding("wsl.lan_needs_portproxy").Arg("vm", d.Name).Arg("port", strconv.Itoa(port))
		if len(f.rules) == 0 {
			fi.Ev("portproxy", "(no rules)")
		}
		for _, rule := range f.rules {
			fi.Ev("portproxy", rule.Raw)
		}
		fi.Fix("fix.wsl_portproxy_add", portproxyAdd("0.0.0.0", port, "127.0.0.1", port)+"\n"+
			fmt.Sprintf(`New-NetFirewallRule -DisplayName "WSL sshd (TCP %d)" -Direction Inbound -Protocol TCP -LocalPort %d -Action Allow`, port, port))
		fi.Fix("fix.wsl_mirrored", `notepad "$env:USERPROFILE\.wslconfig"`+"\nwsl --shutdown")
		fs = append(fs, fi)
	}
	return fs
}

func portproxyDelete(p PortProxy) string {
	return "netsh interface portproxy delete " + p.Kind + " listenport=" + psArg(p.ListenPort) + " listenaddress=" + psArg(p.ListenAddr)
}

func portproxyAdd(listenAddr string, listenPort int, connectAddr string, connectPort int) string {
	if strings.HasPrefix(connectAddr, "(") {
		connectAddr = "$" + connectAddr
	}
	return fmt.Sprintf("netsh interface portproxy add v4tov4 listenport=%d listenaddress=%s connectport=%d connectaddress=%s",
		listenPort, psArg(listenAddr), connectPort, connectAddr)
}

// psArg quotes a value for PowerShell when it needs it.
func psArg(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-:*", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
