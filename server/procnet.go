package server

import (
	"errors"
	"github.com/sshdoctor/sshdoctor/internal/procnet"
	"io"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// errNotLinux marks the parts that read Linux interfaces.
var errNotLinux = errors.New("only on Linux") //nolint:unused // used by the other systems' builds (system_other.go)

// Proc is a process that looks like sshd.
type Proc struct {
	PID, PPID int
	Exe       string // resolved executable ("" when unreadable)
	Args      []string
	Title     string // the process title when sshd rewrote it
	Listener  bool   // the listening daemon (not a per-connection child)
	Config    string // -f argument, absolute; "" for the default
	Ports     []int  // -p arguments
	Options   []string
	Started   time.Time
	// SameNetNS is yes/no when known, maybe when it could not be read.
	SameNetNS tri
}

// parseSSHDArgs reads sshd's command line (argv, or a process title of the
// form "sshd: /usr/sbin/sshd -D -f FILE [listener] …").
func parseSSHDArgs(p *Proc, argv []string) {
	if len(argv) == 1 && strings.HasPrefix(argv[0], "sshd: ") {
		p.Title = argv[0]
		rest := strings.TrimPrefix(argv[0], "sshd: ")
		if i := strings.Index(rest, " [listener]"); i >= 0 {
			p.Listener = true
			rest = rest[:i]
		} else {
			// "sshd: alice [priv]", "sshd: alice@pts/0": a session.
			return
		}
		argv = strings.Fields(rest)
	}
	p.Args = argv
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		val := func() string {
			if len(a) > 2 {
				return a[2:]
			}
			if i+1 < len(argv) {
				i++
				return argv[i]
			}
			return ""
		}
		switch {
		case strings.HasPrefix(a, "-f"):
			p.Config = val()
		case strings.HasPrefix(a, "-p"):
			if n, err := strconv.Atoi(val()); err == nil {
				p.Ports = append(p.Ports, n)
			}
		case strings.HasPrefix(a, "-o"):
			p.Options = append(p.Options, val())
		case strings.HasPrefix(a, "-c"), strings.HasPrefix(a, "-h"), strings.HasPrefix(a, "-E"), strings.HasPrefix(a, "-g"), strings.HasPrefix(a, "-k"), strings.HasPrefix(a, "-u"):
			_ = val()
		}
	}
}

// isSSHDName reports whether an executable or argv[0] is sshd.
func isSSHDName(s string) bool {
	b := filepath.Base(strings.TrimSuffix(s, " (deleted)"))
	return b == "sshd"
}

// Listener is one listening TCP socket.
type Listener struct {
	Addr  netip.Addr
	Port  int
	Inode uint64
	PID   int
	Comm  string
	Cmd   string
}

func (l Listener) String() string {
	return netip.AddrPortFrom(l.Addr, uint16(l.Port)).String()
}

// ParseProcNetTCP reads /proc/net/tcp or tcp6 and returns the listening
// sockets (state 0A).
func ParseProcNetTCP(r io.Reader) []Listener {
	var out []Listener
	for _, s := range procnet.Listening(r) {
		out = append(out, Listener{Addr: s.Addr, Port: s.Port, Inode: s.Inode})
	}
	return out
}

// FSUsage is space and inode use of one filesystem.
type FSUsage struct {
	Mount                  string
	Dev                    uint64
	Size, Avail            uint64
	Inodes, InodesFree     uint64
	BlockPercent, INodePct int
}

// OOMEvent is one kernel OOM kill.
type OOMEvent struct {
	Time    time.Time
	Process string
	PID     int
	Line    string
}

// parseOOMLine reads "Out of memory: Killed process 1234 (sshd) …" and
// "oom-kill:… task=sshd,pid=1234,…" kernel lines.
func parseOOMLine(s string) (OOMEvent, bool) {
	if i := strings.Index(s, "Killed process "); i >= 0 && strings.Contains(s, "ut of memory") || strings.Contains(s, "Memory cgroup out of memory: Killed process ") {
		j := strings.Index(s, "Killed process ")
		rest := s[j+len("Killed process "):]
		pidS, rest, _ := strings.Cut(rest, " ")
		pid, _ := strconv.Atoi(pidS)
		name := ""
		if a, b := strings.IndexByte(rest, '('), strings.IndexByte(rest, ')'); a >= 0 && b > a {
			name = rest[a+1 : b]
		}
		return OOMEvent{PID: pid, Process: name, Line: capText(s, 300)}, true
	}
	return OOMEvent{}, false
}
