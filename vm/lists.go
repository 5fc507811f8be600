package vm

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// VMEntry is one line of `VBoxManage list vms` / `list runningvms`.
type VMEntry struct {
	Name string
	UUID string
}

var listVMRE = lazyre.New(`^"(.*)" \{([0-9a-fA-F-]+)\}\s*$`)

// ParseListVMs reads `"name" {uuid}` lines. Names may themselves contain
// quotes and braces; the UUID is the last {…} on the line.
func ParseListVMs(data []byte) []VMEntry {
	var out []VMEntry
	for _, line := range splitLines(data) {
		if sm := listVMRE.FindStringSubmatch(line); sm != nil {
			out = append(out, VMEntry{Name: sm[1], UUID: sm[2]})
		}
	}
	return out
}

// Block is one record of a `VBoxManage list` command: "Key: value" lines.
// Keys keep their spelling; Get is case-insensitive.
type Block struct {
	Keys   []string
	Values map[string]string
	// Sections holds indented lines under a heading line without a value
	// ("Port-forwarding (ipv4)" and its rules).
	Sections map[string][]string
}

// Get returns the value of key, case-insensitively.
func (b Block) Get(key string) string {
	if v, ok := b.Values[key]; ok {
		return v
	}
	for k, v := range b.Values {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// ParseBlocks splits `list hostonlyifs`, `list bridgedifs`, `list
// hostonlynets`, `list natnets` and `list dhcpservers` output into records.
// A record starts at its first key (Name:, NetworkName:), not at a blank
// line: `list hostonlynets` prints a blank line inside each record. Indented
// lines after a heading without a value belong to that heading's section.
func ParseBlocks(data []byte, firstKeys ...string) []Block {
	isFirst := func(k string) bool {
		for _, f := range firstKeys {
			if strings.EqualFold(f, k) {
				return true
			}
		}
		return false
	}
	var out []Block
	var cur *Block
	section := ""
	for _, raw := range splitLines(data) {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		indented := strings.HasPrefix(raw, " ") || strings.HasPrefix(raw, "\t")
		line := strings.TrimSpace(raw)
		if indented && cur != nil && section != "" {
			cur.Sections[section] = append(cur.Sections[section], line)
			continue
		}
		k, v, hasColon := strings.Cut(line, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !hasColon || (v == "" && !indented && looksLikeHeading(line)) {
			// A heading such as "Port-forwarding (ipv4)" or "loopback
			// mappings (ipv4)"; 7.x prints "Port-forwarding (ipv4):"? no,
			// but accept a trailing colon.
			if cur != nil {
				section = strings.TrimSuffix(line, ":")
				if cur.Sections == nil {
					cur.Sections = map[string][]string{}
				}
			}
			continue
		}
		section = ""
		if cur == nil || isFirst(k) {
			out = append(out, Block{Values: map[string]string{}, Sections: map[string][]string{}})
			cur = &out[len(out)-1]
		}
		if _, dup := cur.Values[k]; !dup {
			cur.Keys = append(cur.Keys, k)
		}
		cur.Values[k] = v
	}
	return out
}

// looksLikeHeading tells a section heading from a key with an empty value:
// headings contain a space and a parenthesis.
func looksLikeHeading(line string) bool {
	return strings.Contains(line, "(") && strings.Contains(line, " ")
}

// HostInterface is one `list hostonlyifs` or `list bridgedifs` record.
type HostInterface struct {
	Name    string
	IP      netip.Addr // zero when none
	Mask    string
	Prefix  int // from NetworkMask; -1 when unknown
	DHCP    bool
	Status  string // "Up", "Down"
	Network string // VBoxNetworkName
}

// ParseHostInterfaces reads `list hostonlyifs` / `list bridgedifs`.
func ParseHostInterfaces(data []byte) []HostInterface {
	var out []HostInterface
	for _, b := range ParseBlocks(data, "Name") {
		h := HostInterface{Name: b.Get("Name"), Mask: b.Get("NetworkMask"), Prefix: -1,
			Status: b.Get("Status"), Network: b.Get("VBoxNetworkName"),
			DHCP: strings.EqualFold(b.Get("DHCP"), "Enabled")}
		if a, err := netip.ParseAddr(b.Get("IPAddress")); err == nil {
			h.IP = a
		}
		if m, err := netip.ParseAddr(h.Mask); err == nil && m.Is4() {
			h.Prefix = maskBits(m)
		}
		if h.Name != "" {
			out = append(out, h)
		}
	}
	return out
}

func maskBits(m netip.Addr) int {
	b := m.As4()
	n := 0
	for _, x := range b {
		for i := 7; i >= 0; i-- {
			if x&(1<<i) == 0 {
				return n
			}
			n++
		}
	}
	return n
}

// HostOnlyNet is one `list hostonlynets` record (VirtualBox 7, macOS).
type HostOnlyNet struct {
	Name    string
	Enabled bool
	Mask    string
	LowerIP netip.Addr
	UpperIP netip.Addr
}

// ParseHostOnlyNets reads `list hostonlynets`.
func ParseHostOnlyNets(data []byte) []HostOnlyNet {
	var out []HostOnlyNet
	for _, b := range ParseBlocks(data, "Name") {
		n := HostOnlyNet{Name: b.Get("Name"), Mask: b.Get("NetworkMask"),
			Enabled: strings.EqualFold(b.Get("State"), "Enabled")}
		n.LowerIP, _ = netip.ParseAddr(b.Get("LowerIP"))
		n.UpperIP, _ = netip.ParseAddr(b.Get("UpperIP"))
		if n.Name != "" {
			out = append(out, n)
		}
	}
	return out
}

// NATNetwork is one `list natnets` record with its IPv4 port forwards.
type NATNetwork struct {
	Name     string
	Network  string // CIDR
	Gateway  string
	Enabled  bool
	Forwards []Forward
}

// ParseNATNets reads `list natnets` / `list natnetworks` / `natnetwork list`
// in both the 5.x/6.0 layout (NetworkName:, IP:) and the 7.x one (Name:,
// Gateway:), with the rules under "Port-forwarding (ipv4)".
func ParseNATNets(data []byte) []NATNetwork {
	var out []NATNetwork
	for _, b := range ParseBlocks(data, "NetworkName", "Name") {
		n := NATNetwork{Name: b.Get("NetworkName"), Network: b.Get("Network"), Gateway: b.Get("IP")}
		if n.Name == "" {
			n.Name = b.Get("Name")
		}
		if n.Gateway == "" {
			n.Gateway = b.Get("Gateway")
		}
		n.Enabled = strings.EqualFold(b.Get("Enabled"), "Yes")
		for sec, lines := range b.Sections {
			s := strings.ToLower(sec)
			if !strings.HasPrefix(s, "port-forwarding") || strings.Contains(s, "ipv6") {
				continue
			}
			for _, l := range lines {
				if f, ok := ParseNATNetRule(l); ok {
					n.Forwards = append(n.Forwards, f)
				}
			}
		}
		if n.Name != "" {
			out = append(out, n)
		}
	}
	return out
}

var natNetRuleRE = lazyre.New(`^(.*):(tcp|udp|TCP|UDP):\[([^\]]*)\]:([0-9]+):\[([^\]]*)\]:([0-9]+)$`)

// ParseNATNetRule reads a NAT Network rule "name:proto:[hostip]:hostport:
// [guestip]:guestport".
func ParseNATNetRule(s string) (Forward, bool) {
	s = strings.TrimSpace(s)
	sm := natNetRuleRE.FindStringSubmatch(s)
	if sm == nil {
		return Forward{}, false
	}
	hp, ok1 := parsePortNum(sm[4])
	gp, ok2 := parsePortNum(sm[6])
	if !ok1 || !ok2 {
		return Forward{}, false
	}
	return Forward{Name: sm[1], Proto: strings.ToLower(sm[2]), HostIP: sm[3], HostPort: hp,
		GuestIP: sm[5], GuestPort: gp, Raw: s}, true
}

// ParseGuestProperty reads `VBoxManage guestproperty get VM PROP`: "Value:
// x" (newer versions may add flags after it), or "No value set!".
func ParseGuestProperty(data []byte) (string, bool) {
	for _, line := range splitLines(data) {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "Value:"); ok {
			v = strings.TrimSpace(v)
			// "Value: 10.0.2.15, Timestamp: …, Flags: …" in some versions.
			if i := strings.Index(v, ", Timestamp:"); i >= 0 {
				v = v[:i]
			}
			return v, v != ""
		}
	}
	return "", false
}

// VBoxVersion is VirtualBox's version as `VBoxManage --version` prints it
// (7.0.14r161095, 6.1.28_Ubuntur147628).
type VBoxVersion struct {
	Major, Minor, Patch int
	Raw                 string
}

var versionRE = lazyre.New(`([0-9]+)\.([0-9]+)\.([0-9]+)`)

// ParseVBoxVersion reads the first version number in s.
func ParseVBoxVersion(s string) (VBoxVersion, bool) {
	s = strings.TrimSpace(s)
	sm := versionRE.FindStringSubmatch(s)
	if sm == nil {
		return VBoxVersion{Raw: s}, false
	}
	a, _ := strconv.Atoi(sm[1])
	b, _ := strconv.Atoi(sm[2])
	c, _ := strconv.Atoi(sm[3])
	return VBoxVersion{a, b, c, s}, true
}

// AtLeast compares versions.
func (v VBoxVersion) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

func splitLines(data []byte) []string {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return strings.Split(s, "\n")
}
