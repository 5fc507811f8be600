// Package hostfw reads what a host's own firewall and port reservations
// say about a port forwarded to a VM: Windows' excluded port ranges
// (Hyper-V, WSL2, Docker reserve them; a program cannot bind a port inside
// one and netstat does not show it), and macOS's application firewall.
// The parsers read command output in any display language; the findings
// carry the fix for that system.
package hostfw

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// Range is one excluded TCP port range.
type Range struct {
	Start, End int
	// Administered: reserved by an administrator (netsh add
	// excludedportrange), marked "*"; the others are taken by Windows
	// services (winnat for Hyper-V, WSL2 and Docker).
	Administered bool
}

func (r Range) String() string {
	s := strconv.Itoa(r.Start) + "-" + strconv.Itoa(r.End)
	if r.Administered {
		s += " (administered)"
	}
	return s
}

// rangeRE matches a data row: two port numbers and an optional "*". The
// headings are translated (Start Port, 시작 포트, Puerto de inicio …); the
// rows are not.
var rangeRE = lazyre.New(`^\s*(\d{1,5})\s+(\d{1,5})\s*(\*)?\s*$`)

// maxLines bounds what the parsers read.
const maxLines = 20000

// ParseExcludedPortRanges reads `netsh int ipv4 show excludedportrange
// protocol=tcp`. ok is false when the text has no table at all.
func ParseExcludedPortRanges(text string) (rs []Range, ok bool) {
	sc := bufio.NewScanner(strings.NewReader(text))
	n := 0
	for sc.Scan() {
		if n++; n > maxLines {
			break
		}
		l := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(l), "----------") {
			ok = true
			continue
		}
		m := rangeRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		if a < 1 || b > 65535 || a > b {
			continue
		}
		rs = append(rs, Range{Start: a, End: b, Administered: m[3] == "*"})
	}
	return rs, ok
}

// Excluding returns the range that holds port, if any.
func Excluding(rs []Range, port int) (Range, bool) {
	for _, r := range rs {
		if port >= r.Start && port <= r.End {
			return r, true
		}
	}
	return Range{}, false
}

// ExcludedFinding says a VM's forward cannot listen: its host port is in a
// range Windows keeps from programs. vm names the VM; rule the forward.
func ExcludedFinding(vm, rule string, port int, r Range) *diag.Finding {
	f := diag.NewFinding("vm.host_port_excluded").Arg("vm", vm).Arg("port", strconv.Itoa(port)).Arg("range", r.String()).
		Ev("forward", rule).Ev("excluded_range", r.String()).
		Ev("command", "netsh int ipv4 show excludedportrange protocol=tcp")
	f.Fix("fix.vm_pick_free_port", "netsh int ipv4 show excludedportrange protocol=tcp")
	if !r.Administered {
		// The documented way to keep a port for yourself: free it from
		// winnat's reservations, reserve it, start winnat again.
		f.Fix("fix.reserve_port_windows", fmt.Sprintf("net stop winnat\nnetsh int ipv4 add excludedportrange protocol=tcp startport=%d numberofports=1\nnet start winnat", port))
	}
	return f
}

// MacFirewall is the state of macOS's application firewall.
type MacFirewall struct {
	// State: 0 off, 1 on, 2 on and blocking all incoming connections; -1
	// not known.
	State int
	// Apps maps an app's path to true when it is set to block incoming
	// connections (--listapps).
	Apps map[string]bool
}

var stateRE = lazyre.New(`\(State = (\d)\)`)

// ParseGlobalState reads `socketfilterfw --getglobalstate` (the last state
// line wins); -1 when there is none.
func ParseGlobalState(text string) int {
	st := -1
	for _, l := range strings.Split(text, "\n") {
		if m := stateRE.FindStringSubmatch(l); m != nil {
			st, _ = strconv.Atoi(m[1])
		}
	}
	return st
}

var appRE = lazyre.New(`^\s*\d+\s*:\s*(.+?)\s*$`)

// ParseListApps reads `socketfilterfw --listapps`: "N : PATH" followed by
// "(Allow|Block incoming connections)".
func ParseListApps(text string) map[string]bool {
	apps := map[string]bool{}
	cur := ""
	for i, l := range strings.Split(text, "\n") {
		if i > maxLines {
			break
		}
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "(Block incoming"):
			if cur != "" {
				apps[cur] = true
			}
			cur = ""
		case strings.HasPrefix(t, "(Allow incoming"):
			if cur != "" {
				apps[cur] = false
			}
			cur = ""
		default:
			if m := appRE.FindStringSubmatch(l); m != nil && strings.HasPrefix(m[1], "/") {
				cur = m[1]
			}
		}
	}
	return apps
}

// MacFindings judges the application firewall for a hypervisor process
// that must accept connections from the LAN (bin is its executable, e.g.
// .../VBoxHeadless). No finding when the firewall is off or allows it.
func MacFindings(fw MacFirewall, vm, bin string) []*diag.Finding {
	base := bin[strings.LastIndex(bin, "/")+1:]
	switch fw.State {
	case 2:
		return []*diag.Finding{diag.NewFinding("vm.macos_firewall_block_all").Arg("vm", vm).
			Ev("firewall", "Firewall is enabled. (State = 2)").
			Fix("fix.macos_firewall_allow_app", "sudo /usr/libexec/ApplicationFirewall/socketfilterfw --setblockall off\nsudo /usr/libexec/ApplicationFirewall/socketfilterfw --add "+shq(bin)+"\nsudo /usr/libexec/ApplicationFirewall/socketfilterfw --unblockapp "+shq(bin))}
	case 1:
		blocked, listed := fw.Apps[bin]
		for p, b := range fw.Apps {
			if !listed && strings.HasSuffix(p, "/"+base) {
				blocked, listed = b, true
			}
		}
		if listed && !blocked {
			return nil
		}
		f := diag.NewFinding("vm.macos_firewall_blocks_app").Arg("vm", vm).Arg("app", base).Ev("firewall", "Firewall is enabled. (State = 1)")
		if listed {
			f.Ev("app_rule", bin+": (Block incoming connections)")
		} else {
			f.Sev(diag.SevWarning).Ev("app_rule", bin+": not in the list (macOS asks once; a dismissed question blocks)")
		}
		return []*diag.Finding{f.Fix("fix.macos_firewall_allow_app", "sudo /usr/libexec/ApplicationFirewall/socketfilterfw --add "+shq(bin)+"\nsudo /usr/libexec/ApplicationFirewall/socketfilterfw --unblockapp "+shq(bin))}
	}
	return nil
}

func shq(s string) string {
	if strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
