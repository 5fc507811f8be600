// Package inventory reads the lists of machines operators already keep — a
// plain host list, ssh's own config, known_hosts, Ansible inventories (INI
// and YAML) — into one list of targets for `sshdoctor scan`.
//
// Every reader is a parser of outside text: it never touches the network,
// caps what it reads, and reports a malformed line as an error naming
// file:line instead of guessing.
package inventory

import (
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
)

// MaxFileBytes caps one inventory file: a fleet of 100,000 hosts with long
// names and variables stays well under it, and a wrong file (a disk image,
// a log) is refused before it fills memory.
const MaxFileBytes = 32 << 20

// MaxTargets caps how many targets one inventory may produce, so that a
// range such as web[0:99999999] cannot explode into an endless list.
const MaxTargets = 1 << 20

// Target is one machine to scan.
type Target struct {
	// Name is how the inventory calls the machine (an Ansible inventory
	// name, an ssh Host alias); Host is where to connect. They are equal
	// when the inventory gives only one.
	Name string
	User string
	Host string
	Port int // 0: from ssh's config, else 22
	// Groups are the Ansible groups (direct and inherited), sorted.
	Groups []string
	// Source is file:line of the entry.
	Source string
	// Connection is Ansible's ansible_connection when set: hosts reached
	// by winrm, local or docker do not speak SSH and are not scanned.
	Connection string
}

// SSH reports whether the target is reached over SSH.
func (t Target) SSH() bool {
	switch t.Connection {
	case "", "ssh", "smart", "paramiko", "paramiko_ssh", "ansible.builtin.ssh", "ansible.builtin.paramiko_ssh", "network_cli", "ansible.netcommon.network_cli", "netconf", "ansible.netcommon.netconf":
		return true
	}
	return false
}

// Dest renders the target as [user@]host[:port], bracketing IPv6.
func (t Target) Dest() string {
	var b strings.Builder
	if t.User != "" {
		b.WriteString(t.User)
		b.WriteByte('@')
	}
	h := t.Host
	if strings.Contains(h, ":") {
		if t.Port != 0 {
			h = "[" + h + "]"
		}
	}
	b.WriteString(h)
	if t.Port != 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(t.Port))
	}
	return b.String()
}

// Key identifies a target for de-duplication.
func (t Target) Key() string { return t.User + "@" + t.Host + "#" + strconv.Itoa(t.Port) }

// Error is a malformed entry.
type Error struct {
	Source string // file:line
	Msg    string
}

func (e *Error) Error() string { return e.Source + ": " + e.Msg }

func errAt(file string, line int, format string, args ...any) error {
	return &Error{Source: file + ":" + strconv.Itoa(line), Msg: fmt.Sprintf(format, args...)}
}

// readAll reads r up to MaxFileBytes.
func readAll(r io.Reader, file string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB; not an inventory", file, MaxFileBytes>>20)
	}
	return b, nil
}

// Dedup merges targets with the same user, host and port (their groups are
// joined; the first source wins) and keeps the first-seen order.
func Dedup(ts []Target) []Target {
	idx := map[string]int{}
	var out []Target
	for _, t := range ts {
		k := t.Key()
		if i, ok := idx[k]; ok {
			out[i].Groups = mergeSorted(out[i].Groups, t.Groups)
			continue
		}
		idx[k] = len(out)
		out = append(out, t)
	}
	return out
}

func mergeSorted(a, b []string) []string {
	set := map[string]bool{}
	for _, s := range a {
		set[s] = true
	}
	for _, s := range b {
		set[s] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// checkHost refuses what cannot be a host name or address: empty, an
// option-looking name, white space, control characters, '@', '/', brackets,
// and colons outside an IPv6 address (they would read as a port).
func checkHost(h string) error {
	switch {
	case h == "":
		return fmt.Errorf("empty host name")
	case strings.HasPrefix(h, "-"):
		return fmt.Errorf("%q: a host name cannot start with '-'", h)
	case strings.ContainsAny(h, "@/[]\x7f"):
		return fmt.Errorf("%q: '@', '/' or brackets in a host name", h)
	case strings.Contains(h, ":") && net.ParseIP(h) == nil:
		return fmt.Errorf("%q: ':' in a host name that is not an IPv6 address", h)
	}
	for _, r := range h {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("%q: white space or control characters in a host name", h)
		}
	}
	return nil
}

// ParseDest parses [user@]host[:port], [v6]:port or a bare IPv6 address.
func ParseDest(s string) (user, host string, port int, err error) {
	if s == "" {
		return "", "", 0, fmt.Errorf("empty destination")
	}
	if strings.ContainsAny(s, " \t\r\n\x00/") {
		return "", "", 0, fmt.Errorf("%q: white space, control characters or '/' in a host", s)
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		user, s = s[:i], s[i+1:]
		if user == "" {
			return "", "", 0, fmt.Errorf("empty user name before @")
		}
	}
	hostPart, portPart := s, ""
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.Index(s, "]")
		if end < 0 {
			return "", "", 0, fmt.Errorf("%q: missing ] after IPv6 address", s)
		}
		hostPart = s[1:end]
		rest := s[end+1:]
		if rest != "" {
			if !strings.HasPrefix(rest, ":") || len(rest) == 1 {
				return "", "", 0, fmt.Errorf("%q: expected :port after ]", s)
			}
			portPart = rest[1:]
		}
	case strings.Count(s, ":") == 1:
		i := strings.IndexByte(s, ':')
		hostPart, portPart = s[:i], s[i+1:]
		if portPart == "" {
			return "", "", 0, fmt.Errorf("%q: empty port after ':'", s)
		}
	case strings.Count(s, ":") > 1:
		if net.ParseIP(s) == nil {
			return "", "", 0, fmt.Errorf("%q: not an IPv6 address; write [address]:port", s)
		}
	}
	if err := checkHost(hostPart); err != nil {
		return "", "", 0, err
	}
	if strings.ContainsAny(user, " \t\r\n\x00") {
		return "", "", 0, fmt.Errorf("%q: white space in the user name", user)
	}
	if portPart != "" {
		port, err = parsePort(portPart)
		if err != nil {
			return "", "", 0, err
		}
	}
	return user, hostPart, port, nil
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return p, nil
}

// ParseList reads one [user@]host[:port] a line; '#' starts a comment,
// blank lines are skipped.
func ParseList(r io.Reader, file string) ([]Target, error) {
	b, err := readAll(r, file)
	if err != nil {
		return nil, err
	}
	var out []Target
	for n, line := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		u, h, p, err := ParseDest(line)
		if err != nil {
			return nil, errAt(file, n+1, "%v", err)
		}
		if len(out) >= MaxTargets {
			return nil, errAt(file, n+1, "more than %d targets", MaxTargets)
		}
		out = append(out, Target{Name: h, User: u, Host: h, Port: p, Source: file + ":" + strconv.Itoa(n+1)})
	}
	return out, nil
}
