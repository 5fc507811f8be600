package hostfw

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Windows Defender Firewall, as it decides for an inbound TCP connection
// to a port a program listens on (a VM's forward: VBoxHeadless.exe,
// VirtualBoxVM.exe or qemu-system-*.exe):
//
//   - only the profiles of the network the connection arrives on count
//     (Domain, Private, Public); a profile that is off lets everything in;
//   - a profile set to block all inbound connections ("shields up",
//     AllowInboundRules False, netsh's BlockInboundAlways) ignores every
//     allow rule;
//   - among the enabled inbound rules of that profile whose conditions
//     hold, a block rule wins over any allow rule (rule order does not
//     matter; only authenticated-bypass rules override blocks, and they
//     need IPsec the LAN client does not do);
//   - with no rule, the profile's default inbound action decides: Block
//     unless set to Allow.
//
// Sources: Microsoft Learn, "Windows Firewall rules" (rule precedence:
// explicitly defined block rules take precedence over allow rules) and
// "Configure Windows Firewall with the command line" (New-NetFirewallRule,
// netsh advfirewall); the rule and profile formats are in testdata/SOURCES.

// WinRule is one firewall rule with the conditions that matter here.
type WinRule struct {
	Name        string // the rule's ID (PowerShell -Name); "" from netsh
	DisplayName string // what netsh calls "Rule Name"
	Enabled     bool
	Inbound     bool
	Action      string   // "Allow", "Block" (or "Bypass")
	Profiles    []string // Domain, Private, Public; empty = all
	Protocol    string   // "TCP", "UDP", "Any", a number
	LocalPorts  []string // "Any", "2222", "5000-5010", keywords
	RemoteAddrs []string // "Any", "LocalSubnet", addresses, ranges
	LocalAddrs  []string
	Program     string // "Any", "System" or a path
	Service     string // "Any" or a service name
	Interfaces  string // netsh InterfaceTypes; "" or "Any"
	Security    string // netsh Security; "" or "NotRequired"
	GPO         bool   // set by Group Policy: a local command cannot change it
	// Local: the rule is the machine's own (netsh "Rule source: Local
	// Setting", PowerShell PolicyStoreSourceType Local) — ignored on a
	// profile where Group Policy turns local rules off.
	Local bool
}

// WinProfile is one profile's state.
type WinProfile struct {
	Name    string // Domain, Private, Public
	Enabled bool
	// DefaultAllow: the default inbound action is Allow (Block otherwise,
	// which is also what NotConfigured means).
	DefaultAllow bool
	// BlockAll: inbound connections are blocked even when a rule allows
	// them.
	BlockAll bool
	// NoLocalRules: Group Policy applies only its own rules on this
	// profile ("LocalFirewallRules N/A (GPO-store only)",
	// AllowLocalFirewallRules False); the machine's own rules do nothing.
	NoLocalRules bool
}

// WinFirewall is what the host showed: rules, profiles and the category of
// each connected network.
type WinFirewall struct {
	Rules    []WinRule
	Profiles []WinProfile
	// Active are the profiles of the connected networks, with the
	// interface of each (nil: not known, every profile is judged).
	Active []ActiveNet
	// From names the command the rules came from, for the evidence.
	From string
}

// ActiveNet is one connected network and its profile.
type ActiveNet struct {
	Interface string
	Profile   string
}

// ---- netsh text (English) ----

// ParseNetshRules reads `netsh advfirewall firewall show rule name=all
// [dir=in] verbose`. The labels are translated on other display languages;
// ok is false when no English rule block was found.
func ParseNetshRules(text string) (rs []WinRule, ok bool) {
	var cur *WinRule
	flush := func() {
		if cur != nil {
			rs = append(rs, *cur)
			cur = nil
		}
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	n := 0
	for sc.Scan() {
		if n++; n > 40*maxLines {
			break
		}
		l := strings.TrimRight(sc.Text(), " \r")
		key, val, found := strings.Cut(l, ":")
		if !found {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if key == "Rule Name" {
			flush()
			ok = true
			cur = &WinRule{DisplayName: val, Enabled: true, Inbound: true, Protocol: "Any", Program: "Any", Service: "Any", Local: true}
			continue
		}
		if cur == nil {
			continue
		}
		switch key {
		case "Enabled":
			cur.Enabled = strings.EqualFold(val, "Yes")
		case "Direction":
			cur.Inbound = strings.EqualFold(val, "In")
		case "Profiles":
			cur.Profiles = splitList(val)
		case "LocalIP":
			cur.LocalAddrs = splitList(val)
		case "RemoteIP":
			cur.RemoteAddrs = splitList(val)
		case "Protocol":
			cur.Protocol = val
		case "LocalPort":
			cur.LocalPorts = splitList(val)
		case "Program":
			cur.Program = val
		case "Service":
			cur.Service = val
		case "InterfaceTypes":
			cur.Interfaces = val
		case "Security":
			cur.Security = val
		case "Rule source":
			cur.Local = strings.EqualFold(val, "Local Setting")
			cur.GPO = !cur.Local
		case "Action":
			cur.Action = val
		}
	}
	flush()
	return rs, ok
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseNetshProfiles reads `netsh advfirewall show allprofiles` (or
// currentprofile): "Domain Profile Settings:", "State ON",
// "Firewall Policy BlockInbound,AllowOutbound".
func ParseNetshProfiles(text string) []WinProfile {
	var ps []WinProfile
	var cur *WinProfile
	for i, l := range strings.Split(text, "\n") {
		if i > maxLines {
			break
		}
		t := strings.TrimSpace(l)
		if name, ok := strings.CutSuffix(t, " Profile Settings:"); ok {
			ps = append(ps, WinProfile{Name: name})
			cur = &ps[len(ps)-1]
			continue
		}
		if cur == nil {
			continue
		}
		f := strings.Fields(t)
		switch {
		case len(f) == 2 && f[0] == "State":
			cur.Enabled = f[1] == "ON"
		case len(f) >= 2 && f[0] == "LocalFirewallRules":
			cur.NoLocalRules = strings.HasPrefix(strings.Join(f[1:], " "), "N/A (GPO-store only)")
		case len(f) == 3 && f[0] == "Firewall" && f[1] == "Policy":
			in, _, _ := strings.Cut(f[2], ",")
			cur.DefaultAllow = in == "AllowInbound"
			cur.BlockAll = in == "BlockInboundAlways"
		}
	}
	return ps
}

// ---- PowerShell (ConvertTo-Json) ----

// PSScript is what the Windows layer runs: the active store (local and
// Group Policy rules merged, as enforced), inbound enabled rules, their
// filters joined by InstanceID, the profiles and the category of each
// connected network. Enums are turned into their names, which PowerShell
// does not translate (the parsers read the numbers ConvertTo-Json gives
// otherwise, too).
const PSScript = `$ErrorActionPreference='Stop'
$r=@(Get-NetFirewallRule -PolicyStore ActiveStore -Direction Inbound -Enabled True|Select-Object Name,DisplayName,@{n='Enabled';e={[string]$_.Enabled}},@{n='Direction';e={[string]$_.Direction}},@{n='Action';e={[string]$_.Action}},@{n='Profile';e={[string]$_.Profile}},@{n='PolicyStoreSourceType';e={[string]$_.PolicyStoreSourceType}})
$p=@(Get-NetFirewallPortFilter -PolicyStore ActiveStore|Select-Object InstanceID,Protocol,LocalPort)
$a=@(Get-NetFirewallAddressFilter -PolicyStore ActiveStore|Select-Object InstanceID,LocalAddress,RemoteAddress)
$ap=@(Get-NetFirewallApplicationFilter -PolicyStore ActiveStore|Select-Object InstanceID,Program)
$s=@(Get-NetFirewallServiceFilter -PolicyStore ActiveStore|Select-Object InstanceID,Service)
$f=@(Get-NetFirewallProfile -PolicyStore ActiveStore|Select-Object Name,@{n='Enabled';e={[string]$_.Enabled}},@{n='DefaultInboundAction';e={[string]$_.DefaultInboundAction}},@{n='AllowInboundRules';e={[string]$_.AllowInboundRules}},@{n='AllowLocalFirewallRules';e={[string]$_.AllowLocalFirewallRules}})
$c=@(Get-NetConnectionProfile|Select-Object InterfaceAlias,@{n='NetworkCategory';e={[string]$_.NetworkCategory}})
[PSCustomObject]@{Rules=$r;Ports=$p;Addresses=$a;Apps=$ap;Services=$s;Profiles=$f;Connections=$c}|ConvertTo-Json -Depth 4 -Compress`

// psList decodes the shapes PowerShell gives a list: an array, a single
// bare value, {"value":[…],"Count":n}, "" for an empty collection, null.
func psList(raw json.RawMessage) []json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return nil
	}
	switch raw[0] {
	case '[':
		var l []json.RawMessage
		if json.Unmarshal(raw, &l) == nil {
			return l
		}
		return nil
	case '{':
		var w struct {
			Value json.RawMessage `json:"value"`
		}
		if json.Unmarshal(raw, &w) == nil && len(w.Value) > 0 && w.Value[0] == '[' {
			return psList(w.Value)
		}
	}
	return []json.RawMessage{raw}
}

// psStrings decodes a string or list of strings (or numbers).
func psStrings(raw json.RawMessage) []string {
	var out []string
	for _, e := range psList(raw) {
		var s string
		if json.Unmarshal(e, &s) == nil {
			out = append(out, splitList(s)...)
			continue
		}
		var n json.Number
		if json.Unmarshal(e, &n) == nil {
			out = append(out, n.String())
		}
	}
	return out
}

// psEnum reads an enum that is a number (ConvertTo-Json) or its name.
func psEnum(raw json.RawMessage, names map[int]string) string {
	raw = bytes.TrimSpace(raw)
	var n int
	if json.Unmarshal(raw, &n) == nil {
		if s, ok := names[n]; ok {
			return s
		}
		return strconv.Itoa(n)
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b)
	}
	return ""
}

var (
	psEnabled   = map[int]string{1: "True", 2: "False"}
	psDirection = map[int]string{1: "Inbound", 2: "Outbound"}
	psAction    = map[int]string{0: "NotConfigured", 2: "Allow", 4: "Block"}
	psGpoBool   = map[int]string{0: "False", 1: "True", 2: "NotConfigured"}
	psCategory  = map[int]string{0: "Public", 1: "Private", 2: "DomainAuthenticated"}
	psStoreType = map[int]string{0: "None", 1: "Local", 2: "GroupPolicy", 3: "Dynamic", 4: "Generated", 5: "Hardcoded"}
)

// psProfiles reads a rule's Profile: a flags number (0 Any, 1 Domain, 2
// Private, 4 Public) or its text ("Domain, Private", "Any").
func psProfiles(raw json.RawMessage) []string {
	var n int
	if json.Unmarshal(bytes.TrimSpace(raw), &n) == nil {
		var out []string
		for _, b := range []struct {
			bit  int
			name string
		}{{1, "Domain"}, {2, "Private"}, {4, "Public"}} {
			if n&b.bit != 0 {
				out = append(out, b.name)
			}
		}
		return out // 0 (Any): every profile
	}
	var out []string
	for _, p := range psStrings(raw) {
		if !strings.EqualFold(p, "Any") {
			out = append(out, p)
		}
	}
	return out
}

// ParseGetNetFirewallRule reads `Get-NetFirewallRule … | ConvertTo-Json`
// (the whole objects or a Select-Object of them).
func ParseGetNetFirewallRule(data []byte) ([]WinRule, error) {
	return parseRules(json.RawMessage(data))
}

func parseRules(raw json.RawMessage) ([]WinRule, error) {
	var out []WinRule
	for _, e := range psList(raw) {
		var r struct {
			Name, DisplayName, InstanceID                              string
			Enabled, Direction, Action, Profile, PolicyStoreSourceType json.RawMessage
		}
		if err := json.Unmarshal(e, &r); err != nil {
			return nil, fmt.Errorf("Get-NetFirewallRule JSON: %w", err)
		}
		name := r.Name
		if name == "" {
			name = r.InstanceID
		}
		src := psEnum(r.PolicyStoreSourceType, psStoreType)
		out = append(out, WinRule{Name: name, DisplayName: r.DisplayName,
			Enabled:  psEnum(r.Enabled, psEnabled) == "True",
			Inbound:  psEnum(r.Direction, psDirection) == "Inbound",
			Action:   psEnum(r.Action, psAction),
			Profiles: psProfiles(r.Profile),
			GPO:      src == "GroupPolicy",
			Local:    src == "Local",
			Protocol: "Any", Program: "Any", Service: "Any"})
	}
	return out, nil
}

// filterRow is one row of any Get-NetFirewall*Filter.
type filterRow struct {
	InstanceID                                       string
	Protocol, LocalPort, LocalAddress, RemoteAddress json.RawMessage
	Program, Service                                 json.RawMessage
}

// ApplyFilters joins `Get-NetFirewallPortFilter | ConvertTo-Json` (and the
// address, application and service filters: any mix of their rows) onto
// rules by InstanceID.
func ApplyFilters(rules []WinRule, filters ...[]byte) error {
	idx := map[string]*WinRule{}
	for i := range rules {
		idx[rules[i].Name] = &rules[i]
	}
	for _, f := range filters {
		for _, e := range psList(json.RawMessage(f)) {
			var row filterRow
			if err := json.Unmarshal(e, &row); err != nil {
				return fmt.Errorf("firewall filter JSON: %w", err)
			}
			r := idx[row.InstanceID]
			if r == nil {
				continue
			}
			if row.Protocol != nil {
				if p := psStrings(row.Protocol); len(p) > 0 {
					r.Protocol = p[0]
				}
			}
			if row.LocalPort != nil {
				r.LocalPorts = psStrings(row.LocalPort)
			}
			if row.LocalAddress != nil {
				r.LocalAddrs = psStrings(row.LocalAddress)
			}
			if row.RemoteAddress != nil {
				r.RemoteAddrs = psStrings(row.RemoteAddress)
			}
			if row.Program != nil {
				if p := psStrings(row.Program); len(p) > 0 {
					r.Program = strings.Join(p, ",")
				}
			}
			if row.Service != nil {
				if p := psStrings(row.Service); len(p) > 0 {
					r.Service = p[0]
				}
			}
		}
	}
	return nil
}

// ParseGetNetFirewallProfile reads `Get-NetFirewallProfile |
// ConvertTo-Json`.
func ParseGetNetFirewallProfile(data []byte) ([]WinProfile, error) {
	var out []WinProfile
	for _, e := range psList(json.RawMessage(data)) {
		var p struct {
			Name, Profile                                                             string
			Enabled, DefaultInboundAction, AllowInboundRules, AllowLocalFirewallRules json.RawMessage
		}
		if err := json.Unmarshal(e, &p); err != nil {
			return nil, fmt.Errorf("Get-NetFirewallProfile JSON: %w", err)
		}
		name := p.Name
		if name == "" {
			name = p.Profile
		}
		out = append(out, WinProfile{Name: name,
			// NotConfigured in the local store means Windows' default: on,
			// block inbound, rules honoured.
			Enabled:      psEnum(p.Enabled, psGpoBool) != "False",
			DefaultAllow: psEnum(p.DefaultInboundAction, psAction) == "Allow",
			BlockAll:     psEnum(p.AllowInboundRules, psGpoBool) == "False",
			NoLocalRules: psEnum(p.AllowLocalFirewallRules, psGpoBool) == "False"})
	}
	return out, nil
}

// ParseConnectionProfiles reads `Get-NetConnectionProfile |
// ConvertTo-Json`: the firewall profile of each connected network.
func ParseConnectionProfiles(data []byte) []ActiveNet {
	var out []ActiveNet
	for _, e := range psList(json.RawMessage(data)) {
		var c struct {
			InterfaceAlias  string
			NetworkCategory json.RawMessage
		}
		if json.Unmarshal(e, &c) != nil {
			continue
		}
		p := psEnum(c.NetworkCategory, psCategory)
		if p == "DomainAuthenticated" {
			p = "Domain"
		}
		out = append(out, ActiveNet{Interface: c.InterfaceAlias, Profile: p})
	}
	return out
}

// ParsePSFirewall reads the combined object PSScript prints.
func ParsePSFirewall(data []byte) (WinFirewall, error) {
	var all struct {
		Rules, Ports, Addresses, Apps, Services, Profiles, Connections json.RawMessage
	}
	if err := json.Unmarshal(bytes.TrimSpace(data), &all); err != nil {
		return WinFirewall{}, fmt.Errorf("firewall JSON: %w", err)
	}
	rules, err := parseRules(all.Rules)
	if err != nil {
		return WinFirewall{}, err
	}
	if err := ApplyFilters(rules, all.Ports, all.Addresses, all.Apps, all.Services); err != nil {
		return WinFirewall{}, err
	}
	profs, err := ParseGetNetFirewallProfile(all.Profiles)
	if err != nil {
		return WinFirewall{}, err
	}
	return WinFirewall{Rules: rules, Profiles: profs, Active: ParseConnectionProfiles(all.Connections), From: "Get-NetFirewallRule -PolicyStore ActiveStore"}, nil
}

// ---- deciding ----

// WinDecision is the outcome on one profile.
type WinDecision struct {
	Profile string
	// Why: "off" (profile disabled), "allowed" (a rule allows), "rule" (a
	// block rule), "block_all" (the profile ignores allow rules),
	// "default" (no rule allows; default inbound action Block).
	Why     string
	Rule    *WinRule // the deciding rule, for "rule" and "allowed"
	Certain bool
	// Possible are rules that would decide otherwise under a condition not
	// known here, with the condition.
	Possible []string
	// NoLocalRules: Group Policy ignores the machine's own rules on this
	// profile, so a local allow rule would not help.
	NoLocalRules bool
}

// Blocked says the connection does not get in.
func (d WinDecision) Blocked() bool {
	return d.Why == "rule" || d.Why == "block_all" || d.Why == "default"
}

// DecideWindows judges an inbound TCP connection from the LAN to port, on
// each profile that applies (the active ones, or all three when they are
// not known). programs are the executables that may own the listener
// (base names such as VBoxHeadless.exe); empty means not known.
func DecideWindows(fw WinFirewall, port int, programs []string) []WinDecision {
	names := activeProfiles(fw)
	var out []WinDecision
	for _, name := range names {
		p := WinProfile{Name: name, Enabled: true}
		for _, x := range fw.Profiles {
			if strings.EqualFold(x.Name, name) {
				p = x
			}
		}
		out = append(out, decideProfile(fw.Rules, p, port, programs))
	}
	return out
}

func activeProfiles(fw WinFirewall) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range fw.Active {
		if a.Profile != "" && !seen[a.Profile] {
			seen[a.Profile] = true
			out = append(out, a.Profile)
		}
	}
	if len(out) == 0 {
		out = []string{"Domain", "Private", "Public"}
	}
	sort.Strings(out)
	return out
}

func decideProfile(rules []WinRule, p WinProfile, port int, programs []string) WinDecision {
	d := WinDecision{Profile: p.Name, Certain: true, NoLocalRules: p.NoLocalRules}
	if !p.Enabled {
		d.Why = "off"
		return d
	}
	if p.BlockAll {
		d.Why = "block_all"
		return d
	}
	var allow *WinRule
	allowMaybe := false
	for i := range rules {
		r := &rules[i]
		if !r.Enabled || !r.Inbound || !inProfile(r, p.Name) || (r.Local && p.NoLocalRules) {
			continue
		}
		m, why := matchWinRule(r, port, programs)
		if m == wNo {
			continue
		}
		switch {
		case strings.EqualFold(r.Action, "Block"):
			if m == wYes {
				d.Why, d.Rule = "rule", r
				return d
			}
			d.Possible = append(d.Possible, ruleLabel(r)+" (Block)  (if "+why+")")
		case strings.EqualFold(r.Action, "Allow"):
			if m == wYes && allow == nil {
				allow = r
			}
			if m == wMaybe {
				allowMaybe = true
				d.Possible = append(d.Possible, ruleLabel(r)+" (Allow)  (if "+why+")")
			}
		}
	}
	if allow != nil {
		d.Why, d.Rule = "allowed", allow
		d.Certain = len(d.Possible) == 0 || !hasBlock(d.Possible)
		return d
	}
	if p.DefaultAllow {
		d.Why = "allowed"
		d.Certain = !hasBlock(d.Possible)
		return d
	}
	d.Why = "default"
	d.Certain = !allowMaybe
	return d
}

func hasBlock(ps []string) bool {
	for _, p := range ps {
		if strings.Contains(p, "(Block)") {
			return true
		}
	}
	return false
}

func ruleLabel(r *WinRule) string {
	if r.DisplayName != "" {
		return r.DisplayName
	}
	return r.Name
}

func inProfile(r *WinRule, p string) bool {
	if len(r.Profiles) == 0 {
		return true
	}
	for _, x := range r.Profiles {
		if strings.EqualFold(x, p) || strings.EqualFold(x, "Any") {
			return true
		}
	}
	return false
}

type wtri int

const (
	wNo wtri = iota
	wMaybe
	wYes
)

func matchWinRule(r *WinRule, port int, programs []string) (wtri, string) {
	res, why := wYes, ""
	set := func(t wtri, w string) {
		if t < res {
			res, why = t, w
		}
	}
	switch strings.ToUpper(r.Protocol) {
	case "", "ANY", "TCP", "6":
	default:
		return wNo, ""
	}
	set(portsMatch(r.LocalPorts, port), "")
	if res == wNo {
		return wNo, ""
	}
	if t, w := remoteMatch(r.RemoteAddrs); t != wYes {
		set(t, w)
	}
	if !isAny(r.LocalAddrs) {
		set(wMaybe, "the connection is to "+strings.Join(r.LocalAddrs, ","))
	}
	if s := r.Service; s != "" && !strings.EqualFold(s, "Any") {
		return wNo, "" // a service's rule: the VM's process is not a service
	}
	if t, w := programMatch(r.Program, programs); t != wYes {
		set(t, w)
	}
	if it := r.Interfaces; it != "" && !strings.EqualFold(it, "Any") {
		set(wMaybe, "the LAN is on a "+it+" interface")
	}
	if s := r.Security; s != "" && !strings.EqualFold(s, "NotRequired") && strings.EqualFold(r.Action, "Allow") {
		return wNo, "" // allows only IPsec-authenticated peers
	}
	return res, why
}

func isAny(l []string) bool {
	return len(l) == 0 || (len(l) == 1 && strings.EqualFold(l[0], "Any"))
}

// portsMatch: "Any", numbers and ranges; keywords (RPC, RPCEPMap, IPHTTPS,
// Teredo, PlayToDiscovery, mDNS) name ports of Windows services, never a
// VM's forward.
func portsMatch(ports []string, port int) wtri {
	if isAny(ports) {
		return wYes
	}
	for _, p := range ports {
		lo, hi, isRange := strings.Cut(p, "-")
		l, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			continue
		}
		h := l
		if isRange {
			if h, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
				continue
			}
		}
		if port >= l && port <= h {
			return wYes
		}
	}
	return wNo
}

// remoteMatch: the client is somewhere on the LAN, its address unknown.
// LocalSubnet holds it; other keywords and addresses might.
func remoteMatch(addrs []string) (wtri, string) {
	if isAny(addrs) {
		return wYes, ""
	}
	for _, a := range addrs {
		if strings.EqualFold(a, "LocalSubnet") {
			return wYes, ""
		}
	}
	best := wNo
	for _, a := range addrs {
		// A public address or range cannot hold a LAN client.
		if pr, err := netip.ParsePrefix(a); err == nil && !pr.Addr().IsPrivate() && !pr.Addr().IsLinkLocalUnicast() && pr.Bits() >= 8 {
			continue
		}
		if ad, err := netip.ParseAddr(a); err == nil && !ad.IsPrivate() && !ad.IsLinkLocalUnicast() {
			continue
		}
		best = wMaybe
	}
	if best == wNo {
		return wNo, ""
	}
	return wMaybe, "the client's address is in " + strings.Join(addrs, ",")
}

// programMatch compares the rule's program with the executables that may
// own the listener, by file name, case-insensitively (Windows paths are;
// the rule may spell the directory with %ProgramFiles%).
func programMatch(prog string, programs []string) (wtri, string) {
	if prog == "" || strings.EqualFold(prog, "Any") {
		return wYes, ""
	}
	if strings.EqualFold(prog, "System") {
		return wNo, "" // kernel-mode listeners (SMB, HTTP.sys)
	}
	base := strings.ToLower(prog[strings.LastIndexAny(prog, `\/`)+1:])
	if len(programs) == 0 {
		return wMaybe, "the forward is opened by " + base
	}
	for _, p := range programs {
		if strings.EqualFold(p, base) {
			if len(programs) == 1 {
				return wYes, ""
			}
			return wMaybe, "the VM runs as " + p
		}
	}
	return wNo, ""
}

// psQuote quotes s for PowerShell.
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
