package vm

import (
	"bufio"
	"net/netip"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/inputfile"
)

// Readers of what Windows prints about WSL: `wsl --list --verbose`,
// `wsl --status`, `netsh interface portproxy show all`, %UserProfile%\.wslconfig
// and `Get-NetFirewallHyperVVMSetting`. wsl.exe writes UTF-16LE; every
// reader decodes through inputfile.DecodeBytes, so the text may come in
// either encoding. The column headers of these commands are translated
// with Windows' display language, so no reader depends on them.

// maxWinOutput caps what is read of one command's output or file.
const maxWinOutput = 1 << 20

// WSLDistro is one line of `wsl --list --verbose`.
type WSLDistro struct {
	Name    string
	State   string // as printed ("Running", "Stopped", or a translation)
	Version int    // 1 or 2; 0 when not read
	Default bool   // marked with '*'
	// Running is Yes or No when the state is known, Unknown for a state
	// in a language sshdoctor cannot read.
	Running Tri
}

// winText decodes and caps one output.
func winText(b []byte) string {
	if len(b) > maxWinOutput {
		b = b[:maxWinOutput]
	}
	return strings.ReplaceAll(string(inputfile.DecodeBytes(b)), "\r", "")
}

// ParseWSLList reads `wsl --list --verbose`: a header line, then one line
// per distribution, "* NAME STATE VERSION" (the '*' marks the default).
// ok is false when no line had that shape.
func ParseWSLList(b []byte) (ds []WSLDistro, ok bool) {
	sc := bufio.NewScanner(strings.NewReader(winText(b)))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		def := false
		if strings.HasPrefix(line, "*") {
			def = true
			line = strings.TrimSpace(line[1:])
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		v, err := strconv.Atoi(f[len(f)-1])
		if err != nil || (v != 1 && v != 2) {
			continue // the header, or not a distribution line
		}
		d := WSLDistro{Name: f[0], State: strings.Join(f[1:len(f)-1], " "), Version: v, Default: def}
		switch strings.ToLower(d.State) {
		case "running":
			d.Running = Yes
		case "stopped", "installing", "uninstalling", "converting":
			d.Running = No
		default:
			d.Running = Unknown
		}
		ds = append(ds, d)
		if len(ds) >= maxVMs {
			break
		}
	}
	return ds, len(ds) > 0
}

// ParseWSLRunning reads `wsl --list --running --quiet`: one name a line,
// in no language (so it settles a state ParseWSLList could not read).
func ParseWSLRunning(b []byte) map[string]bool {
	out := map[string]bool{}
	for _, l := range strings.Split(winText(b), "\n") {
		if n := strings.TrimSpace(l); n != "" && !strings.ContainsAny(n, " \t") {
			out[n] = true
		}
	}
	return out
}

// WSLStatus is what `wsl --status` says in English; other languages leave
// it empty (the '*' of the list names the default distribution too).
type WSLStatus struct {
	DefaultDistro  string
	DefaultVersion int
}

// ParseWSLStatus reads the "Default Distribution:" and "Default Version:"
// lines.
func ParseWSLStatus(b []byte) WSLStatus {
	var s WSLStatus
	for _, l := range strings.Split(winText(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "default distribution":
			s.DefaultDistro = v
		case "default version":
			s.DefaultVersion, _ = strconv.Atoi(v)
		}
	}
	return s
}

// PortProxy is one rule of `netsh interface portproxy show all`.
type PortProxy struct {
	Kind        string // "v4tov4", "v4tov6", "v6tov4", "v6tov6"
	ListenAddr  string
	ListenPort  string // as stored: netsh accepts a service name, or garbage
	ConnectAddr string
	ConnectPort string
	Raw         string
}

// ListenPortNum is the listening port, or 0 when netsh stored something
// that is not a port number (a range such as "30000-50000" is stored as a
// name and never listens).
func (p PortProxy) ListenPortNum() int  { return portNum(p.ListenPort) }
func (p PortProxy) ConnectPortNum() int { return portNum(p.ConnectPort) }

func portNum(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0
	}
	return n
}

// ParsePortProxy reads `netsh interface portproxy show all` (or show
// v4tov4). Section titles ("Listen on ipv4:  Connect to ipv4:") are
// translated, so a rule is any line of four fields whose first and third
// are addresses or names and that is not the dashes under the header.
// The kind comes from the last section title seen ("ipv4 ... ipv6").
func ParsePortProxy(b []byte) (rules []PortProxy, ok bool) {
	kind := "v4tov4"
	sawTable := false
	for _, l := range strings.Split(winText(b), "\n") {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "---") {
			sawTable = true
			continue
		}
		low := strings.ToLower(t)
		if strings.HasSuffix(low, ":") && strings.Count(low, "ipv") == 2 {
			i := strings.Index(low, "ipv")
			j := strings.LastIndex(low, "ipv")
			kind = "v" + low[i+3:i+4] + "tov" + low[j+3:j+4]
			continue
		}
		f := strings.Fields(t)
		if len(f) != 4 || !sawTable {
			continue
		}
		rules = append(rules, PortProxy{Kind: kind, ListenAddr: f[0], ListenPort: f[1], ConnectAddr: f[2], ConnectPort: f[3], Raw: t})
		if len(rules) >= 1024 {
			break
		}
	}
	// An empty list prints nothing at all: that is a reading too.
	return rules, sawTable || strings.TrimSpace(winText(b)) == ""
}

// WSLConfig is what %UserProfile%\.wslconfig says about networking.
type WSLConfig struct {
	Present bool
	// Mode is "nat" (the default), "mirrored", or what the file names.
	Mode string
	// ModeSection is the section that set it: "wsl2", "experimental"
	// (the place WSL 2.0 first read it), or "" for the default.
	ModeSection         string
	LocalhostForwarding Tri // Unknown = not set (default on)
	Firewall            Tri // Unknown = not set (default on)
	IgnoredPorts        []int
	Lines               []string // the networking lines, for evidence
}

// ParseWSLConfig reads the ini-style file: [wsl2] networkingMode,
// localhostForwarding, firewall; [experimental] ignoredPorts (and the
// older home of networkingMode).
func ParseWSLConfig(b []byte) WSLConfig {
	c := WSLConfig{Present: true, Mode: "nat"}
	sec := ""
	for _, l := range strings.Split(winText(b), "\n") {
		t := strings.TrimSpace(l)
		if i := strings.IndexAny(t, "#;"); i >= 0 {
			t = strings.TrimSpace(t[:i])
		}
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			sec = strings.ToLower(strings.TrimSpace(t[1 : len(t)-1]))
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if sec != "wsl2" && sec != "experimental" {
			continue
		}
		switch k {
		case "networkingmode":
			// [wsl2] wins over the older [experimental] place.
			if c.ModeSection != "wsl2" || sec == "wsl2" {
				c.Mode, c.ModeSection = strings.ToLower(v), sec
			}
		case "localhostforwarding":
			if sec == "wsl2" {
				c.LocalhostForwarding = triBool(v)
			}
		case "firewall":
			c.Firewall = triBool(v)
		case "ignoredports":
			for _, p := range strings.Split(v, ",") {
				if n := portNum(strings.TrimSpace(p)); n > 0 {
					c.IgnoredPorts = append(c.IgnoredPorts, n)
				}
			}
		default:
			continue
		}
		c.Lines = append(c.Lines, "["+sec+"] "+t)
	}
	return c
}

func triBool(v string) Tri {
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on":
		return Yes
	case "false", "0", "no", "off":
		return No
	}
	return Unknown
}

// HyperVVMSetting is `Get-NetFirewallHyperVVMSetting` for WSL's VM
// creator, as PowerShell lists it ("Name : value" lines).
type HyperVVMSetting struct {
	Read                 bool
	Enabled              Tri
	DefaultInboundAction string // "Allow", "Block", "NotConfigured"
	AllowHostPolicyMerge Tri
	Lines                []string
}

// WSLCreatorID is the VM creator id of WSL in the Hyper-V firewall.
const WSLCreatorID = "{40E0AC32-46A5-438A-A0B2-2B479E8F2E90}"

// ParseHyperVVMSetting reads the list output. The property names are not
// translated; the values True/False/Allow/Block are not either.
func ParseHyperVVMSetting(b []byte) HyperVVMSetting {
	var s HyperVVMSetting
	for _, l := range strings.Split(winText(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch strings.ToLower(k) {
		case "enabled":
			s.Enabled = triBool(v)
		case "defaultinboundaction":
			s.DefaultInboundAction = v
		case "allowhostpolicymerge":
			s.AllowHostPolicyMerge = triBool(v)
		default:
			continue
		}
		s.Read = true
		s.Lines = append(s.Lines, k+" : "+v)
	}
	return s
}

// ParseHostnameI reads `hostname -I`: the distribution's addresses, the
// first IPv4 one being the one NAT mode forwards to.
func ParseHostnameI(b []byte) (first netip.Addr, all []netip.Addr) {
	for _, f := range strings.Fields(winText(b)) {
		a, err := netip.ParseAddr(f)
		if err != nil {
			continue
		}
		all = append(all, a)
		if !first.IsValid() && a.Is4() {
			first = a
		}
	}
	return first, all
}
