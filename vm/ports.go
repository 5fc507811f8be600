package vm

import (
	"bytes"
	"github.com/sshdoctor/sshdoctor/internal/procnet"
	"net/netip"
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
// sockets in state LISTEN (0A).
func ParseProcNetTCP(data []byte) []Listener {
	var out []Listener
	for _, s := range procnet.Listening(bytes.NewReader(data)) {
		out = append(out, Listener{Addr: s.Addr, Port: s.Port, Inode: s.Inode})
	}
	return out
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
