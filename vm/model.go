package vm

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
)

// World is what the reachability model knows besides the machine itself:
// where the client is, which guest port sshd uses, and the host's networks
// as VirtualBox lists them. A list that could not be read is nil with its
// Known flag false ("not checked", never "empty").
type World struct {
	From    From
	Port    int  // the guest's sshd port
	PortSet bool // the user gave --port, so Port is known, not assumed
	// Named: the user named the machine (a stopped VM is then an error,
	// not a note in a survey of every VM).
	Named bool

	HostOnlyIfs       []HostInterface
	HostOnlyIfsKnown  bool
	HostOnlyNets      []HostOnlyNet
	HostOnlyNetsKnown bool
	NATNets           []NATNetwork
	NATNetsKnown      bool
	BridgedIfs        []HostInterface
	BridgedIfsKnown   bool

	// HostAddrs are this host's own addresses (not loopback).
	HostAddrs      []netip.Addr
	HostAddrsKnown bool

	Version      VBoxVersion
	VersionKnown bool
	NetworksConf NetworksConf
	GOOS         string

	// UsedPorts are host ports already taken (forwards, listeners), so that
	// a suggested new forward does not collide.
	UsedPorts map[int]bool
}

// NetworksConf is /etc/vbox/networks.conf: the ranges host-only adapters
// may use on Linux, macOS and Solaris hosts from VirtualBox 6.1.28 on.
type NetworksConf struct {
	Path   string
	Exists Tri
	Ranges []netip.Prefix
}

// defaultHostOnlyRange is what VirtualBox allows without networks.conf.
var defaultHostOnlyRange = netip.MustParsePrefix("192.168.56.0/21")

// ParseNetworksConf reads networks.conf lines "* 10.0.0.0/8 192.168.0.0/16".
func ParseNetworksConf(data []byte) []netip.Prefix {
	var out []netip.Prefix
	for _, line := range splitLines(data) {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "*" {
			continue
		}
		for _, p := range f[1:] {
			if strings.HasPrefix(p, "#") {
				break
			}
			if pf, err := netip.ParsePrefix(p); err == nil {
				out = append(out, pf.Masked())
			}
		}
	}
	return out
}

// pathState is whether one adapter gives the client a way to the guest's
// sshd.
type pathState int

const (
	pathNo      pathState = iota
	pathYes               // a path exists
	pathUnknown           // depends on things not known (generic driver, NAT Network rules unread)
)

type nicResult struct {
	nic      *NIC
	state    pathState
	problems []*diag.Finding // why there is no path (errors), in order
	notes    []*diag.Finding // info and warnings that hold even with a path
	isFwd    bool            // the problem is a forward's (NAT / NAT Network)
}

func (w *World) port() int {
	if w.Port <= 0 {
		return 22
	}
	return w.Port
}

func (w *World) fromArg() string { return "--from " + string(w.From) }

// NetworkFindings models every adapter of m from where the client is and
// returns the findings: errors only when no adapter gives a path.
func (w *World) NetworkFindings(m *Machine) []*diag.Finding {
	var results []nicResult
	for i := range m.NICs {
		n := &m.NICs[i]
		if n.Mode == ModeDisabled {
			continue
		}
		results = append(results, w.nicPath(m, n))
	}
	var out []*diag.Finding
	reachable, unknown := false, false
	for _, r := range results {
		out = append(out, r.notes...)
		switch r.state {
		case pathYes:
			reachable = true
		case pathUnknown:
			unknown = true
		}
	}
	if m.Hypervisor == VirtualBox {
		out = append(out, w.guestIPFindings(m)...)
	}
	if reachable {
		return out
	}
	fwdProblems := false
	for _, r := range results {
		if r.isFwd && len(r.problems) > 0 {
			fwdProblems = true
			out = append(out, r.problems...)
		}
	}
	for _, r := range results {
		if !r.isFwd && len(r.problems) > 0 && r.problems[0].Code != "vbox.mode_unreachable" {
			out = append(out, r.problems...)
		}
	}
	if !fwdProblems && !hasError(out) {
		f := w.modeUnreachable(m, results)
		if unknown {
			f.Sev(diag.SevWarning)
		}
		out = append(out, f)
	}
	return out
}

func hasError(fs []*diag.Finding) bool {
	for _, f := range fs {
		if f.Severity == diag.SevError {
			return true
		}
	}
	return false
}

func (w *World) nicPath(m *Machine, n *NIC) nicResult {
	r := nicResult{nic: n}
	switch n.Mode {
	case ModeNAT:
		r.isFwd = true
		if n.Cable == No {
			r.problems = append(r.problems, w.cableFinding(m, n))
			return r
		}
		return w.forwardPath(m, n, n.Forwards, "")
	case ModeNATNetwork:
		r.isFwd = true
		if n.Cable == No {
			r.problems = append(r.problems, w.cableFinding(m, n))
			return r
		}
		if w.From == FromVM {
			r.state = pathYes // a guest on the same NAT Network
			return r
		}
		if !w.NATNetsKnown {
			r.state = pathUnknown
			return r
		}
		var nn *NATNetwork
		for i := range w.NATNets {
			if w.NATNets[i].Name == n.Network {
				nn = &w.NATNets[i]
			}
		}
		if nn == nil {
			r.state = pathUnknown
			return r
		}
		return w.forwardPath(m, n, nn.Forwards, nn.Name)
	}
	if n.Cable == No {
		r.problems = append(r.problems, w.cableFinding(m, n))
		return r
	}
	switch n.Mode {
	case ModeBridged:
		r.state = pathYes
	case ModeHostOnly, ModeHostOnlyNetwork:
		if m.Hypervisor == VirtualBox {
			r.notes = append(r.notes, w.hostOnlyRange(m, n)...)
		}
		if w.From == FromLAN {
			r.problems = append(r.problems, diag.NewFinding("vbox.mode_unreachable"))
		} else {
			r.state = pathYes
		}
	case ModeInternal:
		if w.From == FromVM {
			r.state = pathYes
		} else {
			r.problems = append(r.problems, diag.NewFinding("vbox.mode_unreachable"))
		}
	case ModeNotAttached:
		r.problems = append(r.problems, diag.NewFinding("vbox.mode_unreachable"))
	default: // generic driver, cloud network, unknown
		r.state = pathUnknown
	}
	return r
}

func (w *World) cableFinding(m *Machine, n *NIC) *diag.Finding {
	slot := strconv.Itoa(n.Slot)
	f := diag.NewFinding("vbox.cable_disconnected").Arg("vm", m.Name).Arg("nic", slot).
		Ev("vm", m.Name).Ev("adapter", nicLabel(n)).Ev("cable", "off")
	if m.Running() == Yes {
		f.Fix("fix.vbox_cable_connect", fmt.Sprintf("VBoxManage controlvm %s setlinkstate%d on", shq(m.Name), n.Slot))
	} else {
		f.Fix("fix.vbox_cable_connect", fmt.Sprintf("VBoxManage modifyvm %s --cableconnected%d on", shq(m.Name), n.Slot))
	}
	if m.Hypervisor == QEMU {
		f = diag.NewFinding("qemu.netdev_unused").Arg("vm", m.Name).Arg("netdev", n.Network).
			Ev("vm", m.Name).Ev("pid", strconv.Itoa(m.PID)).Ev("netdev", n.Network)
		if n.ArgIndex > 0 && n.ArgIndex < len(m.Argv) {
			f.Ev("option", m.Argv[n.ArgIndex])
		}
		f.Fix("fix.qemu_add_device", "-device e1000,netdev="+n.Network)
	}
	return f
}

func nicLabel(n *NIC) string {
	s := fmt.Sprintf("%d (%s", n.Slot, n.Mode)
	if n.Network != "" {
		s += " " + strconv.Quote(n.Network)
	}
	return s + ")"
}

// sshForwards picks the TCP forwards to the guest's sshd port.
func (w *World) sshForwards(fw []Forward) []Forward {
	var out []Forward
	for _, f := range fw {
		if protoOr(f.Proto) == "tcp" && f.GuestPort == w.port() {
			out = append(out, f)
		}
	}
	return out
}

// forwardPath evaluates the forwards of a NAT adapter (natnet == "") or a
// NAT Network.
func (w *World) forwardPath(m *Machine, n *NIC, fw []Forward, natnet string) nicResult {
	r := nicResult{nic: n, isFwd: true}
	ssh := w.sshForwards(fw)
	if len(ssh) == 0 {
		// A rule meant for SSH that targets another guest port?
		for _, f := range fw {
			if protoOr(f.Proto) != "tcp" || !strings.Contains(strings.ToLower(f.Name), "ssh") {
				continue
			}
			g := w.guestPortFinding(m, n, f, natnet)
			if w.PortSet {
				r.problems = append(r.problems, g)
				return r
			}
			// --port was not given: the rule's guest port may be right.
			r.notes = append(r.notes, g.Sev(diag.SevInfo))
			ssh = append(ssh, f)
		}
	}
	if len(ssh) == 0 {
		r.problems = append(r.problems, w.missingFinding(m, n, natnet))
		return r
	}
	var problems []*diag.Finding
	for _, f := range ssh {
		ok, prob, note := w.forwardReach(m, n, f, natnet)
		if note != nil {
			r.notes = append(r.notes, note)
		}
		if ok {
			r.state = pathYes
		} else if prob != nil {
			problems = append(problems, prob)
		}
	}
	if m.Vagrant && m.Hypervisor == VirtualBox {
		for _, f := range ssh {
			if f.Name == "ssh" && f.Loopback() {
				r.notes = append(r.notes, w.vagrantNote(m, f))
				break
			}
		}
	}
	if r.state != pathYes {
		r.problems = problems
	}
	return r
}

// isHostAddr says whether ip is one of this host's addresses: Yes, No, or
// Unknown when the host's addresses were not read.
func (w *World) isHostAddr(ip string) Tri {
	a, err := netip.ParseAddr(strings.Trim(ip, "[]"))
	if err != nil {
		return Unknown
	}
	if a.IsLoopback() {
		return Yes
	}
	if !w.HostAddrsKnown {
		return Unknown
	}
	for _, h := range w.HostAddrs {
		if h == a.Unmap() {
			return Yes
		}
	}
	return No
}

// lanAddr is the host's first address that other machines could use.
func (w *World) lanAddr() string {
	for _, a := range w.HostAddrs {
		if a.Is4() && !a.IsLinkLocalUnicast() && !a.IsLoopback() {
			return a.String()
		}
	}
	return ""
}

// forwardReach decides whether one forward is usable from w.From.
func (w *World) forwardReach(m *Machine, n *NIC, f Forward, natnet string) (ok bool, problem, note *diag.Finding) {
	switch {
	case f.AllInterfaces():
		return true, nil, nil
	case f.Loopback():
		if w.From == FromHost {
			return true, nil, nil
		}
		return false, w.loopbackFinding(m, n, f, natnet), nil
	}
	// Bound to one address.
	code := "vbox.natpf_bound_address"
	if m.Hypervisor == QEMU {
		code = "qemu.hostfwd_bound_address"
	}
	fd := w.ruleFinding(code, m, n, f, natnet)
	onHost := w.isHostAddr(f.HostIP)
	fd.Ev("address_on_this_host", onHost.String())
	if onHost == No {
		// The hypervisor cannot listen on an address the host does not have.
		fd.Sev(diag.SevError)
		w.addRebindFixes(fd, m, n, f, natnet)
		return false, fd, nil
	}
	fd.Fix("fix.vm_connect_bound", sshCommand(f.HostIP, f.HostPort))
	if w.From == FromHost {
		fd.Sev(diag.SevWarning)
	} else {
		fd.Sev(diag.SevInfo)
	}
	return true, nil, fd
}

// ruleFinding starts a finding about one forward with the common
// arguments and evidence.
func (w *World) ruleFinding(code string, m *Machine, n *NIC, f Forward, natnet string) *diag.Finding {
	fd := diag.NewFinding(code).Arg("vm", m.Name).Arg("nic", strconv.Itoa(n.Slot)).
		Arg("rule", f.Name).Arg("host_ip", f.HostIP).Arg("host_port", strconv.Itoa(f.HostPort)).
		Arg("guest_port", strconv.Itoa(f.GuestPort)).Arg("port", strconv.Itoa(w.port())).
		Arg("from", w.fromArg()).Arg("hostfwd", f.Raw)
	fd.Ev("vm", m.Name)
	if m.Hypervisor == QEMU {
		fd.Ev("pid", strconv.Itoa(m.PID)).Ev("hostfwd", f.Raw)
	} else if natnet != "" {
		fd.Ev("nat_network", natnet).Ev("rule", f.Raw)
	} else {
		fd.Ev("adapter", nicLabel(n)).Ev("rule", f.Raw)
	}
	fd.Ev("listens_on", f.HostAddr()).Ev("client", w.fromArg())
	return fd
}

func (w *World) loopbackFinding(m *Machine, n *NIC, f Forward, natnet string) *diag.Finding {
	code := "vbox.natpf_loopback_only"
	if m.Hypervisor == QEMU {
		code = "qemu.hostfwd_loopback_only"
	}
	fd := w.ruleFinding(code, m, n, f, natnet)
	if w.From == FromVM {
		fd.Ev("note", "a guest whose own adapter is VirtualBox NAT reaches the host's 127.0.0.1 as 10.0.2.2 only when that adapter has localhost-reachable on")
	}
	w.addRebindFixes(fd, m, n, f, natnet)
	fd.Fix("fix.vm_connect_on_host", sshCommand("127.0.0.1", f.HostPort))
	return fd
}

// addRebindFixes offers the forward on every address (with its warning) and,
// when the host's LAN address is known, on that address only.
func (w *World) addRebindFixes(fd *diag.Finding, m *Machine, n *NIC, f Forward, natnet string) {
	all := f
	all.HostIP = ""
	lan := w.lanAddr()
	fd.Arg("lan_ip", lan)
	if m.Hypervisor == QEMU {
		fd.Fix("fix.qemu_hostfwd_all_interfaces", qemuCommandWith(m, n, &f, all))
		fd.Fix("fix.qemu_hostfwd_monitor", qemuMonitorCommands(n, &f, all))
		if lan != "" && lan != f.HostIP {
			one := f
			one.HostIP = lan
			fd.Fix("fix.qemu_hostfwd_lan_address", qemuCommandWith(m, n, &f, one))
		}
		return
	}
	if natnet != "" {
		fd.Fix("fix.vbox_natpf_all_interfaces", natnetCommands(natnet, &f, all))
	} else {
		fd.Fix("fix.vbox_natpf_all_interfaces", natpfCommands(m, n.Slot, &f, all))
	}
	if lan != "" && lan != f.HostIP {
		one := f
		one.HostIP = lan
		if natnet != "" {
			fd.Fix("fix.vbox_natpf_lan_address", natnetCommands(natnet, &f, one))
		} else {
			fd.Fix("fix.vbox_natpf_lan_address", natpfCommands(m, n.Slot, &f, one))
		}
	}
}

// freeHostPort picks the host port for a new forward: 2222 or the next one
// not taken.
func (w *World) freeHostPort() int {
	for p := 2222; p < 2300; p++ {
		if !w.UsedPorts[p] {
			return p
		}
	}
	return 2222
}

func (w *World) missingFinding(m *Machine, n *NIC, natnet string) *diag.Finding {
	code := "vbox.natpf_missing"
	if m.Hypervisor == QEMU {
		code = "qemu.hostfwd_missing"
	}
	hp := w.freeHostPort()
	add := Forward{Name: "ssh", Proto: "tcp", HostPort: hp, GuestPort: w.port()}
	if w.From == FromHost {
		add.HostIP = "127.0.0.1"
	}
	fd := diag.NewFinding(code).Arg("vm", m.Name).Arg("nic", strconv.Itoa(n.Slot)).
		Arg("port", strconv.Itoa(w.port())).Arg("host_port", strconv.Itoa(hp)).Arg("from", w.fromArg())
	fd.Ev("vm", m.Name)
	var rules []string
	fw := n.Forwards
	if natnet != "" {
		for _, nn := range w.NATNets {
			if nn.Name == natnet {
				fw = nn.Forwards
			}
		}
	}
	for _, f := range fw {
		rules = append(rules, f.Raw)
	}
	if len(rules) == 0 {
		rules = []string{"(none)"}
	}
	switch {
	case m.Hypervisor == QEMU:
		fd.Arg("netdev", n.Network).Ev("pid", strconv.Itoa(m.PID))
		if n.ArgIndex > 0 && n.ArgIndex < len(m.Argv) {
			fd.Ev("option", m.Argv[n.ArgIndex])
		} else {
			fd.Ev("option", "(QEMU's default user-mode network)")
		}
		fd.Ev("hostfwd", strings.Join(rules, "\n"))
		fd.Fix("fix.qemu_hostfwd_add", qemuCommandWith(m, n, nil, add))
		fd.Fix("fix.qemu_hostfwd_monitor", qemuMonitorCommands(n, nil, add))
	case natnet != "":
		add.GuestIP = w.natnetGuestIP(m)
		fd.Ev("nat_network", natnet).Ev("rules", strings.Join(rules, "\n"))
		if add.GuestIP == "GUEST_IP" {
			fd.Fix("fix.vbox_natnet_add_guest_ip", natnetCommands(natnet, nil, add))
		} else {
			fd.Fix("fix.vbox_natpf_add", natnetCommands(natnet, nil, add))
		}
	default:
		fd.Ev("adapter", nicLabel(n)).Ev("rules", strings.Join(rules, "\n"))
		fd.Fix("fix.vbox_natpf_add", natpfCommands(m, n.Slot, nil, add))
	}
	fd.Fix("fix.vm_connect_new_forward", sshCommand(connectHost(add, w.lanAddr()), hp))
	return fd
}

func connectHost(f Forward, lan string) string {
	if f.AllInterfaces() && lan != "" {
		return lan
	}
	if f.AllInterfaces() || f.Loopback() {
		return "127.0.0.1"
	}
	return f.HostIP
}

// natnetGuestIP is the guest address a NAT Network rule must name: the
// guest's reported address in the network's range, else a placeholder the
// fix text explains.
func (w *World) natnetGuestIP(m *Machine) string {
	for _, g := range m.GuestIPs {
		if a, err := netip.ParseAddr(g.Addr); err == nil {
			for _, nn := range w.NATNets {
				if p, err := netip.ParsePrefix(nn.Network); err == nil && p.Contains(a) {
					return g.Addr
				}
			}
		}
	}
	return "GUEST_IP"
}

func (w *World) guestPortFinding(m *Machine, n *NIC, f Forward, natnet string) *diag.Finding {
	fd := w.ruleFinding("vbox.natpf_guest_port", m, n, f, natnet)
	fixed := f
	fixed.GuestPort = w.port()
	if natnet != "" {
		fd.Fix("fix.vbox_natpf_guest_port", natnetCommands(natnet, &f, fixed))
	} else if m.Hypervisor == QEMU {
		fd.Fix("fix.vbox_natpf_guest_port", qemuCommandWith(m, n, &f, fixed))
	} else {
		fd.Fix("fix.vbox_natpf_guest_port", natpfCommands(m, n.Slot, &f, fixed))
	}
	if !w.PortSet {
		fd.Fix("fix.vm_rerun_with_port", fmt.Sprintf("sshdoctor vm %s --port %d", shq(m.Name), f.GuestPort))
	}
	return fd
}

func (w *World) vagrantNote(m *Machine, f Forward) *diag.Finding {
	fd := diag.NewFinding("vagrant.ssh_forward").Arg("vm", m.Name).Arg("host_port", strconv.Itoa(f.HostPort)).
		Ev("vm", m.Name).Ev("rule", f.Raw)
	fd.Fix("fix.vagrant_ssh_config", "vagrant ssh-config")
	if w.From != FromHost {
		fd.Fix("fix.vagrant_forward_all", fmt.Sprintf(`config.vm.network "forwarded_port", guest: %d, host: %d, host_ip: "0.0.0.0", id: "ssh"`, f.GuestPort, f.HostPort))
	}
	return fd
}

// modeTable is the reachability of each VirtualBox mode, as evidence.
const modeTable = "from host / lan / vm: nat: forward/forward/forward · natnetwork: forward/forward/yes · " +
	"bridged: yes/yes/yes · hostonly: yes/no/yes · intnet: no/no/yes · null: no/no/no"

// modeUnreachable explains that no adapter's mode reaches the guest from
// w.From, and names the mode that would.
func (w *World) modeUnreachable(m *Machine, results []nicResult) *diag.Finding {
	var modes []string
	for _, r := range results {
		modes = append(modes, nicLabel(r.nic))
	}
	if len(modes) == 0 {
		modes = []string{"(every adapter is disabled)"}
	}
	fd := diag.NewFinding("vbox.mode_unreachable").Arg("vm", m.Name).Arg("from", w.fromArg()).
		Arg("modes", strings.Join(modes, ", ")).
		Ev("vm", m.Name).Ev("adapters", strings.Join(modes, "\n")).Ev("client", w.fromArg()).Ev("modes", modeTable)
	if m.Hypervisor == QEMU {
		// QEMU's non-user back-ends (tap, bridge): reach the guest by its own
		// address on that network.
		fd = diag.NewFinding("qemu.hostfwd_missing").Arg("vm", m.Name).Arg("port", strconv.Itoa(w.port())).
			Arg("from", w.fromArg()).Arg("host_port", strconv.Itoa(w.freeHostPort())).Arg("netdev", "").
			Ev("vm", m.Name).Ev("pid", strconv.Itoa(m.PID)).Ev("networks", strings.Join(modes, "\n"))
		add := Forward{Proto: "tcp", HostPort: w.freeHostPort(), GuestPort: w.port()}
		if w.From == FromHost {
			add.HostIP = "127.0.0.1"
		}
		fd.Fix("fix.qemu_hostfwd_add", qemuCommandWith(m, &NIC{ArgIndex: -1}, nil, add))
		return fd
	}
	// Which adapter to change: the first enabled one that gives no path,
	// else a free slot.
	slot := 0
	for _, r := range results {
		if r.state == pathNo {
			slot = r.nic.Slot
			break
		}
	}
	if slot == 0 {
		slot = freeSlot(m)
	}
	stop := ""
	if m.Running() == Yes {
		stop = fmt.Sprintf("VBoxManage controlvm %s acpipowerbutton\n", shq(m.Name))
	}
	vm := shq(m.Name)
	switch w.From {
	case FromLAN:
		if br := w.bridgeTarget(); br != "" {
			fd.Arg("bridge", br)
			fd.Fix("fix.vbox_switch_bridged", fmt.Sprintf("%sVBoxManage modifyvm %s --nic%d bridged --bridgeadapter%d %s", stop, vm, slot, slot, shq(br)))
		}
		hp := w.freeHostPort()
		fd.Fix("fix.vbox_add_nat_forward", fmt.Sprintf("%sVBoxManage modifyvm %s --nic%d nat --natpf%d %s", stop, vm, slot, slot,
			shq(natpfSpec(Forward{Name: "ssh", Proto: "tcp", HostPort: hp, GuestPort: w.port()}))))
	case FromHost:
		if ho := w.hostOnlyTarget(); ho != "" {
			fd.Fix("fix.vbox_switch_hostonly", fmt.Sprintf("%sVBoxManage modifyvm %s --nic%d hostonly --hostonlyadapter%d %s", stop, vm, slot, slot, shq(ho)))
		}
		hp := w.freeHostPort()
		fd.Fix("fix.vbox_add_nat_forward", fmt.Sprintf("%sVBoxManage modifyvm %s --nic%d nat --natpf%d %s", stop, vm, slot, slot,
			shq(natpfSpec(Forward{Name: "ssh", Proto: "tcp", HostIP: "127.0.0.1", HostPort: hp, GuestPort: w.port()}))))
	case FromVM:
		net := "intnet"
		for _, r := range results {
			if r.nic.Mode == ModeInternal && r.nic.Network != "" {
				net = r.nic.Network
			}
		}
		fd.Fix("fix.vbox_switch_intnet", fmt.Sprintf("%sVBoxManage modifyvm %s --nic%d intnet --intnet%d %s", stop, vm, slot, slot, shq(net)))
	}
	return fd
}

func freeSlot(m *Machine) int {
	used := map[int]bool{}
	for _, n := range m.NICs {
		if n.Mode != ModeDisabled {
			used[n.Slot] = true
		}
	}
	for s := 1; s <= 8; s++ {
		if !used[s] {
			return s
		}
	}
	return 1
}

// bridgeTarget is the host interface a bridged adapter should use: the
// first one VirtualBox lists as Up with an address.
func (w *World) bridgeTarget() string {
	for _, b := range w.BridgedIfs {
		if strings.EqualFold(b.Status, "Up") && b.IP.IsValid() && !b.IP.IsUnspecified() {
			return b.Name
		}
	}
	return ""
}

func (w *World) hostOnlyTarget() string {
	for _, h := range w.HostOnlyIfs {
		if strings.EqualFold(h.Status, "Up") {
			return h.Name
		}
	}
	if len(w.HostOnlyIfs) > 0 {
		return w.HostOnlyIfs[0].Name
	}
	return ""
}

// hostOnlyRange flags a host-only adapter whose address VirtualBox 6.1.28
// and later refuse on Linux and macOS hosts without networks.conf.
func (w *World) hostOnlyRange(m *Machine, n *NIC) []*diag.Finding {
	if n.Mode != ModeHostOnly || !w.HostOnlyIfsKnown || w.GOOS == "windows" {
		return nil
	}
	if w.VersionKnown && !w.Version.AtLeast(6, 1, 28) {
		return nil
	}
	var hi *HostInterface
	for i := range w.HostOnlyIfs {
		if w.HostOnlyIfs[i].Name == n.Network {
			hi = &w.HostOnlyIfs[i]
		}
	}
	if hi == nil || !hi.IP.IsValid() || !hi.IP.Is4() {
		return nil
	}
	allowed := []netip.Prefix{defaultHostOnlyRange}
	if w.NetworksConf.Exists == Yes {
		allowed = w.NetworksConf.Ranges
	}
	for _, p := range allowed {
		if p.Contains(hi.IP) {
			return nil
		}
	}
	conf := w.NetworksConf.Path
	if conf == "" {
		conf = "/etc/vbox/networks.conf"
	}
	ranges := make([]string, 0, len(allowed))
	for _, p := range allowed {
		ranges = append(ranges, p.String())
	}
	if len(ranges) == 0 {
		ranges = []string{"(none: the file lists no range)"}
	}
	pfx := netip.PrefixFrom(hi.IP, max(hi.Prefix, 0)).Masked()
	if hi.Prefix < 0 {
		pfx = netip.PrefixFrom(hi.IP, 24).Masked()
	}
	fd := diag.NewFinding("vbox.hostonly_range").Arg("vm", m.Name).Arg("adapter", hi.Name).
		Arg("ip", hi.IP.String()).Arg("conf", conf).
		Ev("vm", m.Name).Ev("adapter", nicLabel(n)).Ev("host_only_ip", hi.IP.String()+"/"+strconv.Itoa(max(hi.Prefix, 0))).
		Ev("allowed", strings.Join(ranges, " ")).Ev("networks_conf", conf+": "+existsWord(w.NetworksConf.Exists))
	if w.VersionKnown {
		fd.Ev("virtualbox", w.Version.Raw)
	}
	fd.Fix("fix.vbox_networks_conf", fmt.Sprintf("echo '* %s' | sudo tee -a %s", pfx, conf))
	fd.Fix("fix.vbox_hostonly_default_range", fmt.Sprintf("VBoxManage hostonlyif ipconfig %s --ip 192.168.56.1 --netmask 255.255.255.0", shq(hi.Name)))
	return []*diag.Finding{fd}
}

func existsWord(t Tri) string {
	switch t {
	case Yes:
		return "present"
	case No:
		return "absent"
	}
	return "not checked"
}

// guestIPFindings reports the addresses the guest last reported.
func (w *World) guestIPFindings(m *Machine) []*diag.Finding {
	if len(m.GuestIPs) == 0 {
		return nil
	}
	ips := append([]GuestIP(nil), m.GuestIPs...)
	sort.Slice(ips, func(i, j int) bool { return ips[i].Index < ips[j].Index })
	var list []string
	stale := false
	for _, g := range ips {
		list = append(list, fmt.Sprintf("Net/%d: %s", g.Index, g.Addr))
		stale = stale || g.Stale
	}
	code := "vbox.guest_ip"
	fd := diag.NewFinding(code).Arg("vm", m.Name).Arg("ip", ips[0].Addr).
		Ev("vm", m.Name).Ev("guest_addresses", strings.Join(list, "\n"))
	if stale {
		fd.Ev("stale", "yes: the VM is not running; these are the addresses it reported when it last ran")
	} else {
		fd.Ev("stale", "no")
	}
	return []*diag.Finding{fd}
}
