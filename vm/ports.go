package vm

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"
)

// Listener is a listening TCP socket on this host and, when it could be
// found, the process holding it.
type Listener struct {
	Addr  netip.Addr
	Port  int
	Inode uint64
	PID   int      // 0 when not found (another user's process without root)
	Name  string   // the process's name
	Args  []string // its command line, when readable
}

// Wildcard says whether the socket listens on every address.
func (l Listener) Wildcard() bool { return l.Addr.IsUnspecified() }

// ParseProcNetTCP reads /proc/net/tcp or /proc/net/tcp6 and returns the
// sockets in state LISTEN (0A). Addresses are hex, in the kernel's byte
// order per 32-bit word.
func ParseProcNetTCP(data []byte) []Listener {
	var out []Listener
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue // header
		}
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != "0A" {
			continue
		}
		addr, port, ok := parseHexAddrPort(f[1])
		if !ok {
			continue
		}
		inode, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			continue
		}
		out = append(out, Listener{Addr: addr, Port: port, Inode: inode})
	}
	return out
}

func parseHexAddrPort(s string) (netip.Addr, int, bool) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.Addr{}, 0, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.Addr{}, 0, false
	}
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.Addr{}, 0, false
	}
	// Each 32-bit word is in host (little-endian on every Linux this runs
	// on that matters) order.
	for i := 0; i+4 <= len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	a, ok := netip.AddrFromSlice(raw)
	if !ok {
		return netip.Addr{}, 0, false
	}
	return a.Unmap(), int(port), true
}

// ListenersOn returns the listeners on port whose address would take a
// connection to addr ("" = any address: every listener on the port).
func ListenersOn(ls []Listener, port int, addr string) []Listener {
	var want netip.Addr
	if addr != "" {
		want, _ = netip.ParseAddr(strings.Trim(addr, "[]"))
	}
	var out []Listener
	for _, l := range ls {
		if l.Port != port {
			continue
		}
		if want.IsValid() && !l.Wildcard() && !want.IsUnspecified() && l.Addr != want.Unmap() {
			continue
		}
		out = append(out, l)
	}
	return out
}

// IsVirtualBoxProcess says whether a process name is one of VirtualBox's
// VM processes (which hold NAT forward listeners) or its NAT Network
// service.
func IsVirtualBoxProcess(name string) bool {
	n := strings.TrimSuffix(strings.ToLower(name), ".exe")
	switch n {
	case "vboxheadless", "virtualboxvm", "virtualbox", "vboxsdl", "vboxnetnat", "vboxnetnat-hardened":
		return true
	}
	return false
}
