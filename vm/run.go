package vm

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
)

// Check deadlines. Discovery runs several VBoxManage commands (a few per
// VM, four at a time), each bounded by vboxManageTimeout; the probe waits
// for one banner per forward, all at once.
const (
	hypervisorCheckTimeout = vboxManageTimeout + qemuScanTimeout + 4*winCommandTimeout + 5*time.Second
	findCheckTimeout       = 3 * vboxManageTimeout
	localCheckTimeout      = 15 * time.Second // reading /proc
	probeSlack             = 2 * time.Second  // connect + scheduling around the banner deadline
	// maxProbes bounds the forwards probed in one run (a VM has one or two
	// SSH forwards; thousands are a broken or hostile settings file), and
	// probeConcurrency how many run at once; with the per-probe deadline
	// this keeps vm-probe within its check deadline.
	maxProbes          = 8
	probeConcurrency   = 8
	maxVMs             = 64 // a survey of every VM stops here
	showVMInfoParallel = 4  // VBoxSVC serialises much of the work anyway
	maxGuestNets       = 8  // /VirtualBox/GuestInfo/Net/N read per VM
)

// Env is how the package reaches the system; tests replace parts of it.
type Env struct {
	Getenv func(string) string
	// VBoxManage is the tool's path; "" searches PATH and the standard
	// install locations.
	VBoxManage string
	// Locations replaces the standard install locations when not nil.
	Locations    []string
	NetworksConf string // default /etc/vbox/networks.conf
	Listeners    func(owners map[int]bool) ([]Listener, bool, error)
	QEMU         func(context.Context) ([]*Machine, bool, error)
	HostAddrs    func() ([]netip.Addr, error)
	GOOS         string
	// hostFacts reads the host's firewall and reserved ports (tests give
	// captured output).
	hostFacts func(context.Context) hostFacts
}

func (e Env) withDefaults() Env {
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if e.NetworksConf == "" {
		e.NetworksConf = "/etc/vbox/networks.conf"
	}
	if e.Listeners == nil {
		e.Listeners = HostListeners
	}
	if e.QEMU == nil {
		e.QEMU = FindQEMU
	}
	if e.HostAddrs == nil {
		e.HostAddrs = interfaceAddrs
	}
	if e.GOOS == "" {
		e.GOOS = runtime.GOOS
	}
	if e.hostFacts == nil {
		e.hostFacts = gatherHostFacts
	}
	return e
}

func interfaceAddrs() ([]netip.Addr, error) {
	as, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, a := range as {
		if p, err := netip.ParsePrefix(a.String()); err == nil && !p.Addr().IsLoopback() {
			out = append(out, p.Addr().Unmap())
		}
	}
	return out, nil
}

// Options is what `sshdoctor vm` was asked.
type Options struct {
	Name    string // a VM name or UUID, or a QEMU -name or pid; "" = every one
	Offline *Machine
	From    From
	Port    int  // the guest's sshd port (default 22)
	PortSet bool // Port was given explicitly
	Timeout time.Duration
	Env     Env
	// Captured is a directory of saved Windows command outputs read
	// instead of running the commands (winsource.go).
	Captured string
}

// Run is one `sshdoctor vm` diagnosis.
type Run struct {
	opts Options
	env  Env

	mu        sync.Mutex
	vbox      *VBoxManage
	hv        hypervisors
	world     World
	machines  []*Machine
	listeners []Listener
	listenOK  bool
	listenErr error
	wsl       wslState
}

// New prepares a run.
func New(o Options) *Run {
	if o.From == "" {
		o.From = FromHost
	}
	if o.Port <= 0 {
		o.Port = 22
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultProbeTimeout
	}
	r := &Run{opts: o, env: o.Env.withDefaults()}
	r.world = World{From: o.From, Port: o.Port, PortSet: o.PortSet, Named: o.Name != "" || o.Offline != nil,
		GOOS: r.env.GOOS, UsedPorts: map[int]bool{}, NetworksConf: NetworksConf{Path: r.env.NetworksConf}}
	return r
}

// Machines returns the machines found (after the vm-find check).
func (r *Run) Machines() []*Machine {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Machine(nil), r.machines...)
}

// Checks returns the checks of `sshdoctor vm` in dependency order.
func (r *Run) Checks() []*diag.Check {
	var cs []diag.Node
	var findReq []diag.Node
	if r.opts.Offline == nil {
		hypervisor := &diag.Def[struct{}]{Name: "vm-hypervisor", Doc: "finds VirtualBox's VBoxManage and the QEMU machines running on this host",
			Timeout: hypervisorCheckTimeout, Run: diag.FindingsOnly(r.checkHypervisor)}
		cs = append(cs, hypervisor)
		findReq = []diag.Node{hypervisor}
	}
	find := &diag.Def[struct{}]{Name: "vm-find", Doc: "finds the VM (or every VM) and reads its settings, adapters and forwards",
		Requires: findReq, Timeout: findCheckTimeout, Run: diag.FindingsOnly(r.checkFind)}
	cs = append(cs, find,
		&diag.Def[struct{}]{Name: "vm-state", Doc: "tells whether the VM runs",
			Requires: []diag.Node{find}, Timeout: localCheckTimeout, Run: diag.FindingsOnly(r.checkState)},
		&diag.Def[struct{}]{Name: "vm-network", Doc: "checks that a network adapter or port forward leads to the guest's sshd from where ssh runs",
			Requires: []diag.Node{find}, Timeout: localCheckTimeout, Run: diag.FindingsOnly(r.checkNetwork)},
		&diag.Def[struct{}]{Name: "vm-host-port", Doc: "checks that the forwarded host ports are held by the hypervisor, not another program",
			Requires: []diag.Node{find}, Timeout: localCheckTimeout, Run: diag.FindingsOnly(r.checkHostPort)},
		&diag.Def[struct{}]{Name: "vm-host-firewall", Doc: "reads the host's own firewall and reserved port ranges for the forwarded ports",
			Requires: []diag.Node{find}, Timeout: hostFirewallTimeout, Run: diag.FindingsOnly(r.checkHostFirewall)},
		&diag.Def[struct{}]{Name: "vm-probe", Doc: "connects to each way in and reads the SSH banner",
			Requires: []diag.Node{find}, Timeout: r.opts.Timeout + probeSlack, Run: diag.FindingsOnly(r.checkProbe)},
	)
	if len(findReq) > 0 {
		cs = append(cs, r.windowsChecks(findReq[0])...)
	}
	return diag.Untyped(cs...)
}

// ---- vm-hypervisor ----

type hypervisors struct {
	vbox     bool
	qemu     []*Machine
	qemuSeen Tri
}

func (r *Run) checkHypervisor(ctx context.Context, _ *diag.Pass) diag.Result {
	fs, _, inconclusive := r.findHypervisors(ctx)
	if inconclusive {
		return diag.Inconclusive(fs...)
	}
	return diag.Conclude(nil, fs...)
}

func (r *Run) findHypervisors(ctx context.Context) (fs []*diag.Finding, hv hypervisors, inconclusive bool) {
	path := r.env.VBoxManage
	if path == "" {
		path = findVBoxManage(r.env.Getenv, r.env.Locations)
	}
	if path != "" {
		v := &VBoxManage{Path: path}
		ver, err := v.Version(ctx)
		if err != nil {
			fs = append(fs, vboxFailed(err))
		} else {
			r.world.Version, r.world.VersionKnown = ver, true
		}
		r.mu.Lock()
		r.vbox = v
		r.mu.Unlock()
		hv.vbox = true
	}
	qs, ok, err := r.env.QEMU(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		hv.qemuSeen = Unknown
	case !ok:
		hv.qemuSeen = Unknown
	default:
		hv.qemuSeen = Yes
	}
	hv.qemu = qs
	r.mu.Lock()
	r.machines = nil
	r.mu.Unlock()
	if !hv.vbox {
		f := diag.NewFinding("vbox.not_installed").
			Ev("searched", "PATH, "+strings.Join(r.locations(), ", "))
		switch {
		case len(qs) > 0 || r.wslAny(ctx):
			f.Sev(diag.SevInfo)
		case r.opts.Name != "":
			// A named VM that no hypervisor here knows.
		default:
			f.Sev(diag.SevWarning)
			inconclusive = true
		}
		if hv.qemuSeen == Unknown {
			f.Ev("qemu", "not checked on this system")
		} else {
			f.Ev("qemu", fmt.Sprintf("%d qemu-system process(es) running", len(qs)))
		}
		f.Fix("fix.vbox_use_file", r.fileCommand())
		fs = append(fs, f)
	}
	r.mu.Lock()
	r.hv = hv
	r.mu.Unlock()
	return fs, hv, inconclusive
}

// fileCommand points --file at VirtualBox's default machine folder
// ("VirtualBox VMs" in the home directory on every host OS).
func (r *Run) fileCommand() string {
	name := r.opts.Name
	if name == "" {
		name = "NAME"
	}
	if r.env.GOOS == "windows" {
		return `sshdoctor vm --file "%USERPROFILE%\VirtualBox VMs\` + name + `\` + name + `.vbox"`
	}
	return "sshdoctor vm --file ~/" + shqFor(r.env.GOOS, "VirtualBox VMs/"+name+"/"+name+".vbox")
}

func (r *Run) locations() []string {
	if r.env.Locations != nil {
		return r.env.Locations
	}
	return vboxManageLocations(r.env.GOOS, r.env.Getenv)
}

func vboxFailed(err error) *diag.Finding {
	f := diag.NewFinding("vbox.vboxmanage_failed")
	var ce *CommandError
	if errors.As(err, &ce) {
		f.Arg("command", "VBoxManage "+strings.Join(ce.Args, " ")).Ev("command", "VBoxManage "+strings.Join(ce.Args, " "))
		if s := strings.TrimSpace(ce.Stderr); s != "" {
			f.Ev("stderr", diag.Quote([]byte(s), 600))
		}
		if ce.Err != nil {
			f.Ev("error", ce.Err.Error())
		}
	} else {
		f.Arg("command", "VBoxManage").Ev("error", err.Error())
	}
	return f
}

// ---- vm-find ----

func (r *Run) checkFind(ctx context.Context, _ *diag.Pass) diag.Result {
	fs, ok := r.discover(ctx)
	if !ok {
		return diag.Inconclusive(fs...)
	}
	return diag.Conclude(nil, fs...)
}

// discover fills r.machines and the world. ok is false when VirtualBox
// could not be asked at all.
func (r *Run) discover(ctx context.Context) (fs []*diag.Finding, ok bool) {
	var machines []*Machine
	if r.opts.Offline != nil {
		machines = []*Machine{r.opts.Offline}
	} else {
		r.mu.Lock()
		v, hv := r.vbox, r.hv
		r.mu.Unlock()
		var entries []VMEntry
		if v != nil {
			var err error
			entries, err = v.ListVMs(ctx, false)
			if err != nil {
				return append(fs, vboxFailed(err)), false
			}
		}
		var selected []VMEntry
		var qemus []*Machine
		if r.opts.Name == "" {
			selected, qemus = entries, hv.qemu
			if len(selected) > maxVMs {
				selected = selected[:maxVMs]
			}
		} else {
			selected = matchVMs(entries, r.opts.Name)
			for _, q := range hv.qemu {
				if q.Name == r.opts.Name || strconv.Itoa(q.PID) == r.opts.Name || strings.EqualFold(q.Name, r.opts.Name) {
					qemus = append(qemus, q)
				}
			}
			if len(selected) == 0 && len(qemus) == 0 {
				if v == nil || r.wslHas(ctx, r.opts.Name) {
					// vm-hypervisor already said VirtualBox is not here.
					return fs, true
				}
				return append(fs, r.notFound(entries, hv.qemu)), true
			}
		}
		infos := r.showAll(ctx, v, selected)
		for i, m := range infos.machines {
			if m == nil {
				if err := infos.errs[i]; err != nil && !errors.Is(err, ErrVMNotFound) {
					fs = append(fs, vboxFailed(err))
				}
				continue
			}
			machines = append(machines, m)
		}
		if r.world.VersionKnown && r.world.Version.Major == 7 && r.world.Version.Minor == 0 && r.world.Version.Patch == 0 {
			for _, m := range machines {
				forwardsFromSettings(m)
			}
		}
		machines = append(machines, qemus...)
		r.loadLists(ctx, v, machines)
		for _, m := range machines {
			if m.Hypervisor == VirtualBox && m.Accessible && v != nil {
				r.loadGuestIPs(ctx, v, m)
			}
		}
	}
	r.loadHost(machines)
	for _, m := range machines {
		if m.Accessible {
			fs = append(fs, summary(m))
		}
		if !m.Accessible {
			fs = append(fs, diag.NewFinding("vbox.vm_inaccessible").Arg("vm", m.Name).
				Ev("uuid", m.UUID).Fix("fix.vbox_inaccessible", "VBoxManage list vms --long"))
		}
	}
	r.mu.Lock()
	r.machines = machines
	r.mu.Unlock()
	if len(machines) == 0 && r.opts.Name == "" && len(fs) == 0 && !r.wslAny(ctx) {
		// VirtualBox has no VM and no QEMU runs: nothing to diagnose.
		fs = append(fs, diag.NewFinding("vbox.no_vms").Sev(diag.SevInfo))
		return fs, false
	}
	return fs, true
}

// summary is an info finding showing what was read of a machine.
func summary(m *Machine) *diag.Finding {
	code := "vbox.vm_found"
	if m.Hypervisor == QEMU {
		code = "qemu.vm_found"
	}
	f := diag.NewFinding(code).Arg("vm", m.Name).Ev("source", m.Source)
	switch {
	case m.Hypervisor == QEMU:
		f.Ev("pid", strconv.Itoa(m.PID))
	case m.State != "":
		f.Ev("state", m.State)
	default:
		f.Ev("state", "not checked (read from the settings file)")
	}
	var nics []string
	for _, n := range m.NICs {
		if n.Mode == ModeDisabled {
			continue
		}
		s := nicLabel(&n)
		if n.Cable == No {
			s += " cable off"
		}
		for _, fw := range n.Forwards {
			if m.Hypervisor == QEMU {
				s += "\n  hostfwd=" + fw.Raw
			} else {
				s += "\n  rule " + natpfSpec(fw)
			}
		}
		nics = append(nics, s)
	}
	if len(nics) == 0 {
		nics = []string{"(none enabled)"}
	}
	f.Ev("adapters", strings.Join(nics, "\n"))
	return f
}

// forwardsFromSettings works around VirtualBox 7.0.0, whose showvminfo
// leaves out the forwarding rules of an adapter with more than one: the
// NAT rules are read from the VM's settings file instead.
func forwardsFromSettings(m *Machine) {
	if m.CfgFile == "" {
		return
	}
	fm, err := ReadVBoxFile(m.CfgFile)
	if err != nil {
		return
	}
	for i := range m.NICs {
		n := &m.NICs[i]
		if n.Mode != ModeNAT {
			continue
		}
		if fn := fm.NIC(n.Slot); fn != nil && fn.Mode == ModeNAT && len(fn.Forwards) > len(n.Forwards) {
			n.Forwards = fn.Forwards
		}
	}
}

func matchVMs(entries []VMEntry, name string) []VMEntry {
	want := strings.Trim(name, "{}")
	var out []VMEntry
	for _, e := range entries {
		if e.Name == name || strings.EqualFold(e.UUID, want) {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		for _, e := range entries {
			if strings.EqualFold(e.Name, name) {
				out = append(out, e)
			}
		}
	}
	return out
}

func (r *Run) notFound(entries []VMEntry, qemus []*Machine) *diag.Finding {
	var names []string
	for _, e := range entries {
		names = append(names, strconv.Quote(e.Name))
	}
	for _, q := range qemus {
		names = append(names, fmt.Sprintf("%q (QEMU, pid %d)", q.Name, q.PID))
	}
	list := strings.Join(names, "\n")
	if list == "" {
		list = "(none)"
	}
	f := diag.NewFinding("vbox.vm_not_found").Arg("vm", r.opts.Name).Ev("asked_for", r.opts.Name).Ev("machines_here", list)
	f.Fix("fix.vbox_list_vms", "VBoxManage list vms")
	return f
}

type showResult struct {
	machines []*Machine
	errs     []error
}

func (r *Run) showAll(ctx context.Context, v *VBoxManage, entries []VMEntry) showResult {
	res := showResult{machines: make([]*Machine, len(entries)), errs: make([]error, len(entries))}
	if v == nil {
		return res
	}
	sem := make(chan struct{}, showVMInfoParallel)
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Add(1)
		go func(i int, e VMEntry) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			id := e.UUID
			if id == "" {
				id = e.Name
			}
			m, err := v.ShowVMInfo(ctx, id)
			if err == nil && m.Name == "" {
				m.Name = e.Name
			}
			res.machines[i], res.errs[i] = m, err
		}(i, e)
	}
	wg.Wait()
	return res
}

// loadLists reads the host's VirtualBox networks the machines use.
func (r *Run) loadLists(ctx context.Context, v *VBoxManage, ms []*Machine) {
	if v == nil {
		return
	}
	need := map[Mode]bool{}
	for _, m := range ms {
		if m.Hypervisor != VirtualBox {
			continue
		}
		for _, n := range m.NICs {
			need[n.Mode] = true
		}
	}
	if need[ModeHostOnly] || r.opts.From == FromHost {
		if out, err := v.List(ctx, "hostonlyifs"); err == nil {
			r.world.HostOnlyIfs, r.world.HostOnlyIfsKnown = ParseHostInterfaces(out), true
		}
	}
	if need[ModeHostOnlyNetwork] {
		if out, err := v.List(ctx, "hostonlynets"); err == nil {
			r.world.HostOnlyNets, r.world.HostOnlyNetsKnown = ParseHostOnlyNets(out), true
		}
	}
	if need[ModeNATNetwork] {
		if out, err := v.List(ctx, "natnets"); err == nil {
			r.world.NATNets, r.world.NATNetsKnown = ParseNATNets(out), true
		}
	}
	if r.opts.From == FromLAN {
		if out, err := v.List(ctx, "bridgedifs"); err == nil {
			r.world.BridgedIfs, r.world.BridgedIfsKnown = ParseHostInterfaces(out), true
		}
	}
	if need[ModeHostOnly] {
		r.world.NetworksConf = readNetworksConf(r.env.NetworksConf)
	}
}

// maxNetworksConf caps /etc/vbox/networks.conf: a handful of lines.
const maxNetworksConf = 64 << 10

func readNetworksConf(path string) NetworksConf {
	nc := NetworksConf{Path: path, Exists: Unknown}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		nc.Exists = No
		return nc
	}
	if err != nil {
		return nc
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxNetworksConf))
	if err != nil {
		return nc
	}
	nc.Exists, nc.Ranges = Yes, ParseNetworksConf(data)
	return nc
}

// loadGuestIPs reads the addresses Guest Additions reported, for machines
// whose guest is reached by its own address (not through a NAT forward).
func (r *Run) loadGuestIPs(ctx context.Context, v *VBoxManage, m *Machine) {
	own := false
	for _, n := range m.NICs {
		if n.Mode != ModeDisabled && n.Mode != ModeNAT && n.Mode != ModeNotAttached {
			own = true
		}
	}
	if !own {
		return
	}
	count := maxGuestNets
	if s, ok, err := v.GuestProperty(ctx, m.Name, "/VirtualBox/GuestInfo/Net/Count"); err != nil {
		return
	} else if ok {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < count {
			count = n
		}
	} else {
		return // no Guest Additions, or never reported
	}
	stale := m.Running() != Yes
	for i := 0; i < count; i++ {
		ip, ok, err := v.GuestProperty(ctx, m.Name, fmt.Sprintf("/VirtualBox/GuestInfo/Net/%d/V4/IP", i))
		if err != nil {
			return
		}
		if ok {
			m.GuestIPs = append(m.GuestIPs, GuestIP{Index: i, Addr: ip, Stale: stale})
		}
	}
}

// loadHost reads this host's addresses and listeners, and notes the ports
// already taken.
func (r *Run) loadHost(ms []*Machine) {
	if as, err := r.env.HostAddrs(); err == nil {
		r.world.HostAddrs, r.world.HostAddrsKnown = excludeHostOnly(as, r.world.HostOnlyIfs), true
	}
	ports := map[int]bool{}
	for _, m := range ms {
		for _, nf := range r.sshForwardsOf(m) {
			ports[nf.f.HostPort] = true
		}
	}
	ls, ok, err := r.env.Listeners(ports)
	r.mu.Lock()
	r.listeners, r.listenOK, r.listenErr = ls, ok, err
	r.mu.Unlock()
	for _, l := range ls {
		r.world.UsedPorts[l.Port] = true
	}
	for _, m := range ms {
		for _, n := range m.NICs {
			for _, f := range n.Forwards {
				r.world.UsedPorts[f.HostPort] = true
			}
		}
	}
	for _, nn := range r.world.NATNets {
		for _, f := range nn.Forwards {
			r.world.UsedPorts[f.HostPort] = true
		}
	}
}

// excludeHostOnly keeps the host's addresses, minus those of VirtualBox's
// own host-only interfaces (which the LAN cannot reach), in a stable order.
func excludeHostOnly(as []netip.Addr, ho []HostInterface) []netip.Addr {
	var out []netip.Addr
	for _, a := range as {
		skip := false
		for _, h := range ho {
			if h.IP == a {
				skip = true
			}
		}
		if !skip {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Is4() && !out[j].Is4() })
	return out
}

// ---- vm-state ----

func (r *Run) checkState(ctx context.Context, _ *diag.Pass) diag.Result {
	ms := r.Machines()
	fs := r.stateFindings(ms)
	known := false
	for _, m := range ms {
		if m.Running() != Unknown {
			known = true
		}
	}
	if !known && len(fs) == 0 {
		return diag.Skip()
	}
	return diag.Conclude(nil, fs...)
}

func (r *Run) stateFindings(ms []*Machine) []*diag.Finding {
	var fs []*diag.Finding
	for _, m := range ms {
		if m.Hypervisor != VirtualBox || !m.Accessible || m.Running() != No && m.State != "paused" {
			continue
		}
		f := diag.NewFinding("vbox.vm_not_running").Arg("vm", m.Name).Arg("state", m.State).
			Ev("vm", m.Name).Ev("state", m.State)
		if !r.world.Named {
			f.Sev(diag.SevInfo)
		}
		f.Fix("fix.vbox_start_vm", startCommand(m))
		if (m.State == "aborted" || m.State == "aborted-saved" || m.State == "gurumeditation") && m.LogFolder != "" {
			f.Ev("log", m.LogFolder+string(os.PathSeparator)+"VBox.log")
		}
		fs = append(fs, f)
	}
	return fs
}

// ---- vm-network ----

func (r *Run) checkNetwork(ctx context.Context, _ *diag.Pass) diag.Result {
	var fs []*diag.Finding
	for _, m := range r.Machines() {
		if m.Accessible {
			fs = append(fs, r.world.NetworkFindings(m)...)
		}
	}
	return diag.Conclude(nil, fs...)
}

// ---- vm-host-port ----

func (r *Run) checkHostPort(ctx context.Context, _ *diag.Pass) diag.Result {
	r.mu.Lock()
	ok, err := r.listenOK, r.listenErr
	r.mu.Unlock()
	if !ok || err != nil {
		return diag.Skip()
	}
	return diag.Conclude(nil, r.hostPortFindings(r.Machines())...)
}

// sshForwardsOf lists, per adapter, the forwards that lead to the guest's
// sshd (the NAT Network's rules for a natnetwork adapter).
type nicForward struct {
	nic    *NIC
	f      Forward
	natnet string
}

func (r *Run) sshForwardsOf(m *Machine) []nicForward {
	var out []nicForward
	for i := range m.NICs {
		n := &m.NICs[i]
		switch n.Mode {
		case ModeNAT:
			for _, f := range r.world.sshForwards(n.Forwards) {
				out = append(out, nicForward{nic: n, f: f})
			}
		case ModeNATNetwork:
			for _, nn := range r.world.NATNets {
				if nn.Name != n.Network {
					continue
				}
				for _, f := range r.world.sshForwards(nn.Forwards) {
					out = append(out, nicForward{nic: n, f: f, natnet: nn.Name})
				}
			}
		}
	}
	return out
}

func (r *Run) hostPortFindings(ms []*Machine) []*diag.Finding {
	r.mu.Lock()
	ls := r.listeners
	r.mu.Unlock()
	var fs []*diag.Finding
	for _, m := range ms {
		for _, nf := range r.sshForwardsOf(m) {
			addr := nf.f.HostIP
			if nf.f.AllInterfaces() {
				addr = ""
			} else if strings.EqualFold(addr, "localhost") {
				addr = "127.0.0.1"
			}
			for _, l := range ListenersOn(ls, nf.f.HostPort, addr) {
				if r.ownListener(m, l) {
					continue
				}
				fs = append(fs, r.portInUse(m, nf, l))
				break
			}
		}
	}
	return fs
}

// ownListener says whether the listener is this machine's own forward.
func (r *Run) ownListener(m *Machine, l Listener) bool {
	if m.Hypervisor == QEMU {
		return l.PID == m.PID
	}
	if !IsVirtualBoxProcess(l.Name) {
		return false
	}
	// VBoxHeadless --startvm UUID / VirtualBoxVM --startvm NAME: when the
	// process names its VM and it is another one, the port is taken.
	for i, a := range l.Args {
		if (a == "--startvm" || a == "-startvm" || a == "-s") && i+1 < len(l.Args) {
			id := strings.Trim(l.Args[i+1], "{}")
			return id == m.Name || strings.EqualFold(id, m.UUID)
		}
	}
	return m.Running() != No
}

func (r *Run) portInUse(m *Machine, nf nicForward, l Listener) *diag.Finding {
	code := "vbox.host_port_in_use"
	if m.Hypervisor == QEMU {
		code = "qemu.host_port_in_use"
	}
	proc := l.Name
	if proc == "" {
		proc = "unknown process"
	}
	f := r.world.ruleFinding(code, m, nf.nic, nf.f, nf.natnet).Arg("process", proc).Arg("pid", strconv.Itoa(l.PID))
	if l.PID > 0 {
		f.Ev("held_by", fmt.Sprintf("%s (pid %d)", proc, l.PID))
		if len(l.Args) > 0 {
			f.Ev("command", diag.Quote([]byte(strings.Join(l.Args, " ")), 300))
		}
	} else {
		f.Ev("held_by", "a process this user cannot see (run as root to name it)")
	}
	f.Ev("listener", net.JoinHostPort(l.Addr.String(), strconv.Itoa(l.Port)))
	f.Fix("fix.vm_show_port_owner", fmt.Sprintf("sudo ss -ltnp 'sport = :%d'", l.Port))
	moved := nf.f
	moved.HostPort = r.world.freeHostPort()
	switch {
	case m.Hypervisor == QEMU:
		f.Fix("fix.vm_move_forward", qemuCommandWith(m, nf.nic, &nf.f, moved))
	case nf.natnet != "":
		f.Fix("fix.vm_move_forward", natnetCommands(nf.natnet, &nf.f, moved))
	default:
		f.Fix("fix.vm_move_forward", natpfCommands(m, nf.nic.Slot, &nf.f, moved))
	}
	return f
}

// ---- vm-probe ----

func (r *Run) checkProbe(ctx context.Context, _ *diag.Pass) diag.Result {
	if r.opts.From != FromHost {
		return diag.Skip()
	}
	type job struct {
		m    *Machine
		nf   nicForward
		addr string
	}
	var jobs []job
	for _, m := range r.Machines() {
		if m.Running() != Yes || !m.Accessible {
			continue
		}
		for _, nf := range r.sshForwardsOf(m) {
			host := nf.f.HostIP
			switch {
			case nf.f.AllInterfaces():
				host = "127.0.0.1"
			case strings.EqualFold(host, "localhost"):
				host = "127.0.0.1"
			case r.world.isHostAddr(host) == No:
				continue // reported by vm-network
			}
			jobs = append(jobs, job{m: m, nf: nf, addr: net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(nf.f.HostPort))})
		}
	}
	if len(jobs) == 0 {
		return diag.Skip()
	}
	// A settings file can hold thousands of forwards: probe a few, a few
	// at a time, and say how many were left.
	total := len(jobs)
	if len(jobs) > maxProbes {
		jobs = jobs[:maxProbes]
	}
	results := make([]ProbeResult, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, probeConcurrency)
	for i, j := range jobs {
		wg.Add(1)
		go func(i int, addr string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = Probe(ctx, addr, r.opts.Timeout)
		}(i, j.addr)
	}
	wg.Wait()
	var fs []*diag.Finding
	for i, j := range jobs {
		fs = append(fs, r.probeFinding(j.m, j.nf, results[i]))
	}
	if total > len(jobs) {
		fs = append(fs, diag.NewFinding("vm.probes_limited").Arg("probed", strconv.Itoa(len(jobs))).
			Arg("total", strconv.Itoa(total)).Arg("skipped", strconv.Itoa(total-len(jobs))))
	}
	return diag.Conclude(nil, fs...)
}

func (r *Run) probeFinding(m *Machine, nf nicForward, pr ProbeResult) *diag.Finding {
	prefix := "vbox.forward_"
	if m.Hypervisor == QEMU {
		prefix = "qemu.hostfwd_"
	}
	var code string
	switch pr.Outcome {
	case ProbeSSH:
		code = prefix + "ok"
	case ProbeRefused, ProbeError:
		code = prefix + "not_listening"
	case ProbeClosed, ProbeSilent:
		code = prefix + "no_answer"
	default:
		code = prefix + "not_ssh"
	}
	f := r.world.ruleFinding(code, m, nf.nic, nf.f, nf.natnet).Arg("address", pr.Addr)
	f.Ev("connected_to", pr.Addr).Ev("outcome", string(pr.Outcome)).Ev("elapsed", pr.Elapsed.Round(time.Millisecond).String())
	switch pr.Outcome {
	case ProbeSSH:
		f.Ev("banner", pr.Banner)
	case ProbeSilent:
		f.Ev("waited", r.opts.Timeout.String())
	case ProbeOther:
		f.Ev("received", diag.Quote(pr.Bytes, 200))
	}
	if pr.Err != nil && pr.Outcome != ProbeSilent {
		f.Ev("error", pr.Err.Error())
	}
	if pr.Outcome == ProbeError {
		f.Sev(diag.SevWarning)
	}
	switch code {
	case "vbox.forward_no_answer", "qemu.hostfwd_no_answer":
		f.Fix("fix.vm_guest_sshd", "sudo systemctl enable --now ssh || sudo systemctl enable --now sshd")
		f.Fix("fix.vm_guest_listen", "sudo ss -ltnp 'sport = :"+strconv.Itoa(nf.f.GuestPort)+"'")
		if nf.f.GuestIP != "" {
			f.Ev("guest_ip_in_rule", nf.f.GuestIP)
		}
	case "vbox.forward_not_listening":
		if m.LogFolder != "" {
			log := filepath.Join(m.LogFolder, "VBox.log")
			f.Ev("log", log)
			if lines := natLogLines(log); len(lines) > 0 {
				f.Ev("log_lines", strings.Join(lines, "\n"))
			}
		}
		if m.LogFolder != "" {
			f.Fix("fix.vbox_nat_log", "grep -i 'NAT: Failed to redirect' "+shWord(filepath.Join(m.LogFolder, "VBox.log")))
		}
	case "qemu.hostfwd_not_listening":
		f.Fix("fix.vm_show_port_owner", fmt.Sprintf("sudo ss -ltnp 'sport = :%d'", nf.f.HostPort))
	case "vbox.forward_not_ssh", "qemu.hostfwd_not_ssh":
		f.Fix("fix.vm_show_port_owner", fmt.Sprintf("sudo ss -ltnp 'sport = :%d'", nf.f.HostPort))
	case "vbox.forward_ok", "qemu.hostfwd_ok":
		f.Fix("fix.vm_connect_on_host", sshCommand(strings.Trim(hostOf(pr.Addr), "[]"), nf.f.HostPort))
	}
	return f
}

// maxLogTail is how much of the end of VBox.log is read: the NAT lines of
// the current run are near its start for a short run, and a long log is
// rotated by VirtualBox at each start anyway.
const maxLogTail = 4 << 20

// natLogLines returns VBox.log's lines about NAT port forwarding failures
// (at most a few, quoted).
func natLogLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > maxLogTail {
		_, _ = f.Seek(st.Size()-maxLogTail, io.SeekStart)
	}
	var out []string
	sc := bufio.NewScanner(io.LimitReader(f, maxLogTail))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		l := sc.Text()
		if strings.Contains(l, "NAT: Failed to redirect") || strings.Contains(l, "NAT: failed to redirect") {
			out = append(out, diag.Quote([]byte(strings.TrimSpace(l)), 300))
			if len(out) > 5 {
				out = out[1:]
			}
		}
	}
	return out
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}
