package vm

import (
	"net/netip"
	"strconv"
	"strings"
)

// Hypervisor names a kind of virtual machine monitor.
type Hypervisor string

const (
	VirtualBox Hypervisor = "virtualbox"
	QEMU       Hypervisor = "qemu"
)

// Mode is a network adapter's attachment, spelled as VBoxManage's
// machine-readable nicN values.
type Mode string

const (
	ModeDisabled        Mode = "none"            // adapter not enabled
	ModeNotAttached     Mode = "null"            // enabled, no cable to anything
	ModeNAT             Mode = "nat"             // VirtualBox NAT or QEMU user-mode network
	ModeNATNetwork      Mode = "natnetwork"      // a named NAT Network shared by guests
	ModeBridged         Mode = "bridged"         // the guest is on the host's LAN
	ModeInternal        Mode = "intnet"          // guests only
	ModeHostOnly        Mode = "hostonly"        // host-only adapter (vboxnetN)
	ModeHostOnlyNetwork Mode = "hostonlynetwork" // host-only network (VirtualBox 7 on macOS)
	ModeGeneric         Mode = "Generic"         // generic driver (UDP tunnel, VDE)
	ModeCloud           Mode = "cloudnetwork"    // cloud network (VirtualBox 7)
	ModeUnknown         Mode = "unknown"
)

// ParseMode maps a nicN value to a Mode; unknown spellings become ModeUnknown.
func ParseMode(s string) Mode {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none":
		return ModeDisabled
	case "null":
		return ModeNotAttached
	case "nat":
		return ModeNAT
	case "natnetwork":
		return ModeNATNetwork
	case "bridged":
		return ModeBridged
	case "intnet":
		return ModeInternal
	case "hostonly":
		return ModeHostOnly
	case "hostonlynetwork":
		return ModeHostOnlyNetwork
	case "generic":
		return ModeGeneric
	case "cloudnetwork":
		return ModeCloud
	}
	return ModeUnknown
}

// Tri is a fact that may not have been observed: "not checked" is its own
// state, never false.
type Tri int8

const (
	Unknown Tri = iota
	Yes
	No
)

func (t Tri) String() string {
	switch t {
	case Yes:
		return "yes"
	case No:
		return "no"
	}
	return "not checked"
}

// Forward is one port-forwarding rule: VirtualBox NAT (natpf), NAT Network
// (port-forward-4) or QEMU hostfwd.
type Forward struct {
	Name      string // VirtualBox rule name; "" for QEMU
	Proto     string // "tcp" or "udp"
	HostIP    string // "" = every host address
	HostPort  int
	GuestIP   string // "" = the default guest address
	GuestPort int
	Raw       string // as read, for evidence
}

// AllInterfaces says whether the rule listens on every host address.
func (f Forward) AllInterfaces() bool {
	h := strings.TrimSpace(f.HostIP)
	return h == "" || h == "0.0.0.0" || h == "::" || h == "[::]" || h == "*"
}

// Loopback says whether the rule listens on a loopback address only.
func (f Forward) Loopback() bool {
	h := strings.Trim(strings.TrimSpace(f.HostIP), "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// HostAddr renders host:port for evidence and for ssh -p.
func (f Forward) HostAddr() string {
	h := f.HostIP
	if f.AllInterfaces() {
		h = "*"
	}
	if strings.Contains(h, ":") && !strings.HasPrefix(h, "[") {
		h = "[" + h + "]"
	}
	return h + ":" + strconv.Itoa(f.HostPort)
}

// NIC is one network adapter of a machine (VirtualBox slot N, counted from
// 1 as VBoxManage does; for QEMU, the N-th user-mode network).
type NIC struct {
	Slot int
	Mode Mode
	// Network is the mode's companion value: the NAT engine's CIDR
	// (natnetN), the NAT Network's, internal network's, host-only adapter's
	// or network's name, the bridged host interface, the generic driver, the
	// cloud network, or QEMU's netdev id.
	Network  string
	MAC      string
	Type     string
	Cable    Tri
	Forwards []Forward
	// ArgIndex is, for QEMU, the index in the command line of the option
	// value that defines this network (-1 when implied by QEMU's defaults).
	ArgIndex int
}

// GuestIP is an address the guest reported through Guest Additions.
type GuestIP struct {
	Index int    // /VirtualBox/GuestInfo/Net/<Index>
	Addr  string // as reported
	Stale bool   // the VM is not running: the value is what was last seen
}

// Machine is one virtual machine as read from its hypervisor.
type Machine struct {
	Hypervisor Hypervisor
	Name       string
	UUID       string
	Source     string // "VBoxManage showvminfo", a settings file's path, "pid 1234"
	// State is VirtualBox's VMState ("running", "poweroff", "saved" …);
	// "" when not known (a settings file read offline).
	State      string
	CfgFile    string
	LogFolder  string
	NICs       []NIC
	GuestIPs   []GuestIP
	PID        int      // QEMU process
	Binary     string   // QEMU binary
	Argv       []string // QEMU command line
	Vagrant    bool     // created by Vagrant
	Accessible bool
	// Settings is the settings file version for --file (e.g. "1.19-linux").
	Settings string
}

// Running says whether the machine is running; Unknown when not known.
func (m *Machine) Running() Tri {
	if m.Hypervisor == QEMU {
		return Yes
	}
	switch m.State {
	case "":
		return Unknown
	case "running", "paused", "livesnapshotting", "onlinesnapshotting", "deletingsnapshotlive",
		"deletingsnapshotlivepaused", "teleporting", "teleportingpausedvm", "stopping", "saving",
		"starting", "restoring", "gurumeditation", "snapshotting":
		return Yes
	}
	return No
}

// NIC returns the adapter in slot, or nil.
func (m *Machine) NIC(slot int) *NIC {
	for i := range m.NICs {
		if m.NICs[i].Slot == slot {
			return &m.NICs[i]
		}
	}
	return nil
}

// From says where the ssh client is.
type From string

const (
	FromHost From = "host" // on the machine running the hypervisor
	FromLAN  From = "lan"  // another machine on the host's network
	FromVM   From = "vm"   // another guest on this host
)

// ParseFrom validates a --from value.
func ParseFrom(s string) (From, bool) {
	switch From(strings.ToLower(strings.TrimSpace(s))) {
	case FromHost:
		return FromHost, true
	case FromLAN:
		return FromLAN, true
	case FromVM:
		return FromVM, true
	}
	return "", false
}
