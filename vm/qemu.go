package vm

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// qemuScanTimeout bounds the search for QEMU processes: reading /proc of a
// busy host or running ps takes milliseconds; seconds mean something hangs.
const qemuScanTimeout = 10 * time.Second

// maxCmdline caps one process's command line. QEMU command lines built by
// libvirt run to a few kilobytes.
const maxCmdline = 256 << 10

// IsQEMUBinary says whether argv[0] is a QEMU system emulator.
func IsQEMUBinary(argv0 string) bool {
	b := filepath.Base(strings.ReplaceAll(argv0, `\`, "/"))
	b = strings.TrimSuffix(strings.ToLower(b), ".exe")
	return strings.HasPrefix(b, "qemu-system-") || b == "qemu-kvm"
}

// QEMUOpts is a QEMU option value: "type,key=value,key=value" with ",,"
// standing for a literal comma. The first element without '=' is the
// implied key (type for -netdev/-nic, guest for -name).
type QEMUOpts struct {
	Implied string
	Pairs   []KV
}

// ParseQEMUOpts splits an option value.
func ParseQEMUOpts(s string) QEMUOpts {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			if i+1 < len(s) && s[i+1] == ',' {
				b.WriteByte(',')
				i++
				continue
			}
			parts = append(parts, b.String())
			b.Reset()
			continue
		}
		b.WriteByte(s[i])
	}
	parts = append(parts, b.String())
	var o QEMUOpts
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			if i == 0 {
				o.Implied = p
			}
			continue
		}
		o.Pairs = append(o.Pairs, KV{Key: k, Value: v})
	}
	return o
}

// Get returns the last value of key (QEMU lets a later value win).
func (o QEMUOpts) Get(key string) string {
	v := ""
	for _, p := range o.Pairs {
		if p.Key == key {
			v = p.Value
		}
	}
	return v
}

// All returns every value of a repeatable key (hostfwd).
func (o QEMUOpts) All(key string) []string {
	var out []string
	for _, p := range o.Pairs {
		if p.Key == key {
			out = append(out, p.Value)
		}
	}
	return out
}

// ParseHostFwd reads a QEMU user-mode forward,
// "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport". An empty protocol
// is TCP; an empty host address is every host address (INADDR_ANY); an
// empty guest address is the guest's default (x.x.x.15).
func ParseHostFwd(s string) (Forward, bool) {
	raw := s
	proto, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Forward{}, false
	}
	switch strings.ToLower(proto) {
	case "", "tcp":
		proto = "tcp"
	case "udp":
		proto = "udp"
	default:
		return Forward{}, false
	}
	sep := -1
	depth := 0
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '-':
			if depth == 0 {
				sep = i
			}
		}
	}
	if sep < 0 {
		return Forward{}, false
	}
	hostAddr, hostPort, ok1 := splitAddrPort(rest[:sep])
	guestAddr, guestPort, ok2 := splitAddrPort(rest[sep+1:])
	if !ok1 || !ok2 {
		return Forward{}, false
	}
	return Forward{Proto: proto, HostIP: hostAddr, HostPort: hostPort, GuestIP: guestAddr,
		GuestPort: guestPort, Raw: raw}, true
}

func splitAddrPort(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0, false
	}
	addr := s[:i]
	if strings.HasPrefix(addr, "[") && strings.HasSuffix(addr, "]") {
		addr = addr[1 : len(addr)-1]
	}
	if addr != "" {
		// QEMU takes numeric addresses only (inet_aton, or IPv6 in
		// brackets in newer versions).
		if _, err := netip.ParseAddr(addr); err != nil {
			return "", 0, false
		}
	}
	p, err := strconv.Atoi(s[i+1:])
	if err != nil || p < 0 || p > 65535 {
		return "", 0, false
	}
	return addr, p, true
}

// ParseQEMUCommandLine builds a Machine from a QEMU command line: its name
// (-name), and one NAT-mode NIC per user-mode network (-netdev user, -nic
// user, -net user) with its hostfwd rules. Other network back-ends (tap,
// bridge, socket, vde …) become NICs of mode Generic named by their type.
// With no network option and no -nodefaults, QEMU gives the guest a
// user-mode network without forwards, and so does this model.
func ParseQEMUCommandLine(argv []string) *Machine {
	m := &Machine{Hypervisor: QEMU, Accessible: true, State: "running"}
	if len(argv) == 0 {
		return m
	}
	m.Binary = argv[0]
	m.Argv = append([]string(nil), argv...)
	type netdev struct {
		id  string
		nic NIC
	}
	var netdevs []netdev
	devices := map[string]bool{} // netdev ids used by a -device
	sawNetOption, noDefaults, netNone := false, false, false
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "-") {
			continue
		}
		opt := strings.TrimLeft(a, "-")
		val := ""
		hasVal := false
		if k, v, ok := strings.Cut(opt, "="); ok {
			opt, val, hasVal = k, v, true
		}
		needsVal := map[string]bool{"name": true, "netdev": true, "nic": true, "net": true, "device": true}
		if needsVal[opt] && !hasVal {
			if i+1 >= len(argv) {
				break
			}
			i++
			val = argv[i]
		}
		switch opt {
		case "nodefaults":
			noDefaults = true
		case "name":
			o := ParseQEMUOpts(val)
			if g := o.Get("guest"); g != "" {
				m.Name = g
			} else {
				m.Name = o.Implied
			}
		case "device":
			o := ParseQEMUOpts(val)
			if id := o.Get("netdev"); id != "" {
				devices[id] = true
			}
		case "netdev", "nic", "net":
			o := ParseQEMUOpts(val)
			typ := o.Implied
			if typ == "" {
				typ = o.Get("type")
			}
			if opt == "net" && (typ == "nic" || typ == "dump") {
				sawNetOption = true
				continue
			}
			sawNetOption = true
			if typ == "none" {
				netNone = true
				continue
			}
			id := o.Get("id")
			if opt == "nic" || opt == "net" {
				id = "" // a device is implied
			}
			n := NIC{Mode: ModeGeneric, Network: typ, Cable: Yes, ArgIndex: i}
			if typ == "user" {
				n.Mode = ModeNAT
				n.Network = id
				for _, h := range o.All("hostfwd") {
					if f, ok := ParseHostFwd(h); ok {
						n.Forwards = append(n.Forwards, f)
					}
				}
			}
			netdevs = append(netdevs, netdev{id: id, nic: n})
		}
	}
	if !sawNetOption && !noDefaults && !netNone {
		netdevs = append(netdevs, netdev{nic: NIC{Mode: ModeNAT, Cable: Yes, ArgIndex: -1}})
	}
	for i, nd := range netdevs {
		nd.nic.Slot = i + 1
		if nd.id != "" && !devices[nd.id] {
			// A -netdev no -device uses: the guest has no adapter on it.
			nd.nic.Cable = No
		}
		m.NICs = append(m.NICs, nd.nic)
	}
	return m
}

// FindQEMU lists the running QEMU system emulators. ok is false when this
// platform cannot tell (not checked).
func FindQEMU(ctx context.Context) (ms []*Machine, ok bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, qemuScanTimeout)
	defer cancel()
	procs, ok, err := qemuProcesses(ctx)
	if err != nil || !ok {
		return nil, ok, err
	}
	for _, p := range procs {
		m := ParseQEMUCommandLine(p.argv)
		m.PID = p.pid
		m.Source = fmt.Sprintf("pid %d", p.pid)
		if m.Name == "" {
			m.Name = fmt.Sprintf("qemu pid %d", p.pid)
		}
		ms = append(ms, m)
	}
	return ms, true, nil
}

type procCmdline struct {
	pid  int
	argv []string
}
