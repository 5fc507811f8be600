// Package linuxfw decides whether a Linux host's own firewall lets a TCP
// connection from the LAN reach a port the host listens on — the host side
// of a VM's port forward (VirtualBox NAT and QEMU user networking listen in
// a process on the host, so the host's INPUT path decides). It reads what
// the read-only commands print: nft -j list ruleset and iptables-save
// (judged by the evaluators the server command uses), ufw status verbose
// and firewall-cmd --list-all. The deciding is plain Go, tested on captured
// output; gathering lives with the caller.
package linuxfw

import (
	"bufio"
	"strconv"
	"strings"
)

// maxLines bounds the text parsers.
const maxLines = 20000

// UFW is what `ufw status verbose` shows.
type UFW struct {
	Active bool
	// DefaultIncoming is "deny", "reject" or "allow" ("" when not shown).
	DefaultIncoming string
	Rules           []UFWRule
}

// UFWRule is one line of the rule table, in the order ufw applies them.
type UFWRule struct {
	To, Action, From string
	Line             string // as printed
}

// ParseUFWStatus reads `ufw status verbose` (or plain `ufw status`). ok is
// false when the text is not ufw's status at all (an error, "need to be
// root").
func ParseUFWStatus(text string) (u UFW, ok bool) {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	heading, inTable := false, false
	n := 0
	for sc.Scan() {
		if n++; n > maxLines {
			break
		}
		l := strings.TrimRight(sc.Text(), " \t\r")
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "Status:"):
			ok = true
			u.Active = strings.TrimSpace(strings.TrimPrefix(t, "Status:")) == "active"
		case strings.HasPrefix(t, "Default:"):
			// Default: deny (incoming), allow (outgoing), disabled (routed)
			for _, part := range strings.Split(strings.TrimPrefix(t, "Default:"), ",") {
				part = strings.TrimSpace(part)
				if strings.HasSuffix(part, "(incoming)") {
					u.DefaultIncoming = strings.TrimSpace(strings.TrimSuffix(part, "(incoming)"))
				}
			}
		case strings.HasPrefix(l, "To ") && strings.Contains(l, "Action") && strings.Contains(l, "From"):
			heading = true
		case heading && strings.HasPrefix(t, "--"):
			inTable = true
		case inTable && t != "":
			r := splitUFWRow(l)
			if r.Action != "" {
				u.Rules = append(u.Rules, r)
			}
		}
	}
	return u, ok
}

// splitUFWRow cuts a rule row at its action word: a field wider than its
// column (a long address) pushes the rest right, so columns cannot be
// trusted.
func splitUFWRow(l string) UFWRule {
	r := UFWRule{Line: strings.TrimSpace(l)}
	fields := strings.Fields(l)
	// The action is one of ALLOW, DENY, REJECT, LIMIT, optionally followed
	// by IN, OUT or FWD; find it by word, not by column.
	for i, f := range fields {
		switch f {
		case "ALLOW", "DENY", "REJECT", "LIMIT":
			act := f
			j := i + 1
			if j < len(fields) && (fields[j] == "IN" || fields[j] == "OUT" || fields[j] == "FWD") {
				act += " " + fields[j]
				j++
			}
			r.To = strings.Join(fields[:i], " ")
			r.Action = act
			r.From = strings.Join(fields[j:], " ")
			return r
		}
	}
	return r
}

// tri is a three-valued match.
type tri int

const (
	no tri = iota
	maybe
	yes
)

// ufwPortMatch matches a "To" or port spec ("2222", "22/tcp",
// "80,443/tcp", "6000:6007/tcp", "Anywhere", "Anywhere on eth0",
// "192.168.1.5 2222/tcp", an application profile name) against TCP port.
func ufwToMatch(to string, port int) (tri, string) {
	to = strings.TrimSpace(to)
	if strings.Contains(to, "(v6)") {
		return no, "" // "22/tcp (v6)", "22/tcp (OpenSSH (v6))", "3000 (v6) on eth0"
	}
	// "22/tcp (OpenSSH)": the application profile behind the ports.
	if i := strings.Index(to, " ("); i >= 0 {
		if j := strings.LastIndex(to, ")"); j > i {
			to = to[:i] + to[j+1:]
		}
	}
	res := yes
	why := ""
	f := strings.Fields(to)
	if i := indexOf(f, "on"); i >= 0 {
		// "… on IFACE": the interface the LAN connection arrives on is not
		// known here.
		if i+1 < len(f) && f[i+1] != "lo" {
			res, why = maybe, "interface "+f[i+1]
		} else {
			return no, ""
		}
		f = f[:i]
	}
	if len(f) == 0 {
		return res, why
	}
	if f[0] == "Anywhere" {
		if len(f) == 1 {
			return res, why
		}
		f = f[1:]
	} else if len(f) == 2 || strings.ContainsAny(f[0], ".:") && !strings.Contains(f[0], "/") {
		// An address (and a port): the destination address of a LAN
		// connection is one of the host's, which one is not known.
		res, why = maybe, "destination "+f[0]
		if len(f) == 1 {
			return res, why
		}
		f = f[1:]
	}
	spec := f[0]
	proto := ""
	if p, pr, ok := strings.Cut(spec, "/"); ok {
		spec, proto = p, pr
	}
	if proto != "" && proto != "tcp" {
		return no, ""
	}
	if !isPortSpec(spec) {
		// An application profile (OpenSSH, "Apache Full"): its ports are in
		// /etc/ufw/applications.d.
		return maybe, "application profile " + strings.Join(f, " ")
	}
	if !portIn(spec, port) {
		return no, ""
	}
	return res, why
}

func indexOf(f []string, s string) int {
	for i, x := range f {
		if x == s {
			return i
		}
	}
	return -1
}

func isPortSpec(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != ',' && c != ':' && c != '-' {
			return false
		}
	}
	return true
}

// portIn matches "22", "22,2222", "1000:2000" or "1000-2000".
func portIn(spec string, port int) bool {
	for _, part := range strings.Split(spec, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		if !isRange {
			lo, hi, isRange = strings.Cut(part, "-")
		}
		l, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		h := l
		if isRange {
			if h, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		if port >= l && port <= h {
			return true
		}
	}
	return false
}

// ufwFromMatch: the LAN client's address is not known; "Anywhere" matches,
// an address or network only maybe.
func ufwFromMatch(from string) (tri, string) {
	from = strings.TrimSpace(from)
	if strings.Contains(from, "(v6)") {
		return no, ""
	}
	f := strings.Fields(from)
	if len(f) == 0 || f[0] == "Anywhere" {
		if len(f) > 1 {
			return maybe, "client port " + f[1]
		}
		return yes, ""
	}
	return maybe, "source " + from
}

// Decision is the outcome for one TCP port from the LAN.
type Decision struct {
	// Blocked: a rule or the default policy drops or rejects the
	// connection.
	Blocked bool
	// Certain is false when a rule on the way depends on something not
	// known here (the client's address, the interface).
	Certain bool
	Tool    string // "nftables", "iptables", "ufw", "firewalld"
	Rule    string // the deciding rule, in the tool's own words
	Action  string // drop, reject, policy …
	Where   string // table/chain, zone
	// Possible lists rules that would block under a condition not known
	// here, with the condition; Unless the rules that would let the
	// connection in under one.
	Possible, Unless []string
	// Zone is firewalld's zone, Chain the nft base chain ("family table
	// chain") that decided — for the fix.
	Zone, Chain string
	// Native is the deciding rule in the words of the tool that wrote it
	// (a ufw status line), when the kernel's rule was written by it.
	Native *UFWRule
}

// DecideUFW applies ufw's rules in order for TCP to port from the LAN.
func DecideUFW(u UFW, port int) Decision {
	d := Decision{Tool: "ufw", Certain: true}
	if !u.Active {
		return d
	}
	for _, r := range u.Rules {
		act, dir, _ := strings.Cut(r.Action, " ")
		if dir != "" && dir != "IN" {
			continue
		}
		mt, why := ufwToMatch(r.To, port)
		if mt == no {
			continue
		}
		mf, whyF := ufwFromMatch(r.From)
		if mf == no {
			continue
		}
		m := min(mt, mf)
		if why == "" {
			why = whyF
		}
		block := act == "DENY" || act == "REJECT"
		if m == maybe {
			if block {
				d.Possible = append(d.Possible, r.Line+"  (if "+why+")")
			} else {
				d.Certain = false
				d.Unless = append(d.Unless, r.Line+"  (if "+why+")")
			}
			continue
		}
		rc := r
		d.Native = &rc
		d.Rule = r.Line
		if block {
			d.Blocked, d.Action = true, strings.ToLower(act)
		}
		return d
	}
	switch u.DefaultIncoming {
	case "deny", "reject":
		d.Blocked, d.Rule, d.Action = true, "Default: "+u.DefaultIncoming+" (incoming)", "policy "+u.DefaultIncoming
	case "":
		d.Certain = false
	}
	return d
}
