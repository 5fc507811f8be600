// Package procnet reads the Linux kernel's socket tables (/proc/net/tcp,
// /proc/net/tcp6) — the text format, which any system can parse; only
// Linux has the files.
package procnet

import (
	"bufio"
	"encoding/hex"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// Socket is one listening TCP socket.
type Socket struct {
	Addr  netip.Addr
	Port  int
	Inode uint64
}

// maxBytes caps one table read: about 150 bytes a socket, so ~400k sockets.
const maxBytes = 64 << 20

// Listening returns the sockets in state LISTEN (0A) of a tcp or tcp6 table.
func Listening(r io.Reader) []Socket {
	var out []Socket
	sc := bufio.NewScanner(io.LimitReader(r, maxBytes))
	sc.Buffer(make([]byte, 0, 512), 64<<10)
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
		addr, port, ok := ParseHexAddr(f[1])
		if !ok {
			continue
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			continue
		}
		out = append(out, Socket{Addr: addr, Port: port, Inode: ino})
	}
	return out
}

// ParseHexAddr decodes "0100007F:0016" (IPv4) or 32 hex digits (IPv6) and
// a hex port; each 32-bit word of the address is in host byte order
// (little-endian on the systems that matter).
func ParseHexAddr(s string) (netip.Addr, int, bool) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.Addr{}, 0, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.Addr{}, 0, false
	}
	b, err := hex.DecodeString(h)
	if err != nil || (len(b) != 4 && len(b) != 16) {
		return netip.Addr{}, 0, false
	}
	for i := 0; i+4 <= len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	a, ok := netip.AddrFromSlice(b)
	if !ok {
		return netip.Addr{}, 0, false
	}
	return a.Unmap(), int(port), true
}
