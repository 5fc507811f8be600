package gcp

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// The firewall evaluator: given the rules and policies that apply to a NIC
// (instances.getEffectiveFirewalls), decide what happens to an inbound TCP
// connection from a source address or range to a port, and name what
// decided it.
//
// Order of evaluation (Cloud NGFW "Evaluation order for firewall policies
// and rules"): hierarchical policies (organization first, then folders, in
// the order the API lists them), system policies, then — for the default
// enforcement order AFTER_CLASSIC_FIREWALL — VPC firewall rules, global
// network policies, regional network policies; with BEFORE_CLASSIC_FIREWALL
// the network policies come before the VPC rules. The implied ingress deny
// ends the list. Within a policy the matching rule with the lowest priority
// number decides; allow and deny stop evaluation, goto_next passes to the
// next level. VPC rules are sorted by priority with deny winning ties.
// Disabled rules and egress rules are ignored.
//
// Some matchers cannot be judged from the API answer alone (FQDNs,
// geolocations, threat-intelligence lists, address groups, secure tags).
// A rule using one is "maybe matching"; the evaluator follows both branches
// and the verdict is Unknown only when they disagree.

// Verdict of an evaluation.
type Verdict int

const (
	VerdictDeny Verdict = iota
	VerdictAllow
	VerdictUnknown // a rule that cannot be evaluated offline decides
	VerdictPartial // a range: allowed for some addresses, not for others
)

func (v Verdict) String() string {
	switch v {
	case VerdictAllow:
		return "allow"
	case VerdictDeny:
		return "deny"
	case VerdictUnknown:
		return "unknown"
	}
	return "partial"
}

// Layer kinds, in the words of the API's policy types.
const (
	KindHierarchy = "HIERARCHY"
	KindSystem    = "SYSTEM"
	KindVPC       = "VPC"
	KindNetwork   = "NETWORK"
	KindRegional  = "NETWORK_REGIONAL"
	KindImplied   = "IMPLIED"
)

// Enforcement orders of a network (networks.get).
const (
	OrderAfterClassic  = "AFTER_CLASSIC_FIREWALL"
	OrderBeforeClassic = "BEFORE_CLASSIC_FIREWALL"
)

// IANA protocol numbers the APIs accept by name.
var protocolNumbers = map[string]int{
	"icmp": 1, "ipip": 4, "tcp": 6, "udp": 17, "esp": 50, "ah": 51, "sctp": 132,
}

const (
	protoAll     = -1
	protoUnknown = -2
	protoTCP     = 6
)

type action int

const (
	actDeny action = iota // deny sorts before allow at equal priority
	actAllow
	actGoto
	actOther // an action this version does not know
)

type portRange struct{ lo, hi int }

type l4 struct {
	proto int
	ports []portRange // nil: every port
	bad   bool        // unparsable port list
}

// rule is a VPC rule or a policy rule in a uniform shape.
type rule struct {
	kind        string
	policy      string // policy name (ID for hierarchical policies)
	policyLabel string
	name        string
	priority    int
	act         action
	actName     string
	disabled    bool
	level       int

	src      []netip.Prefix
	srcOther []string // source matchers that cannot be evaluated
	dst      []netip.Prefix
	dstOther []string
	l4       []l4

	targetTags      []string
	targetSAs       []string
	targetResources []string
	targetOther     []string

	// from the VPC rule, to write fixes
	vpc *Firewall
}

// Ruleset is a compiled set of rules in evaluation order.
type Ruleset struct {
	rules    []rule
	levelEnd []int // levelEnd[l] is the index after the last rule of level l
	order    string
	// counts for evidence
	VPCRules, PolicyRules, Policies int
}

// Target is the instance side of the match.
type Target struct {
	Network         string   // network URL of the NIC
	Tags            []string // network tags
	ServiceAccounts []string // the VM's service account(s)
}

// Packet is the connection to judge: TCP from Source (an address or a
// range) to Dest:Port. Dest may be the zero Addr when unknown.
type Packet struct {
	Source   netip.Prefix
	Dest     netip.Addr
	Protocol int // IANA number; 0 means TCP
	Port     int
}

// Compile puts the effective firewalls in evaluation order for a network
// with the given enforcement order ("" means the default, after classic).
func Compile(ef *EffectiveFirewalls, order string) *Ruleset {
	rs := &Ruleset{order: order}
	if ef == nil {
		return rs
	}
	var hier, system, network, regional []EffectivePolicy
	for _, p := range ef.FirewallPolicys {
		switch strings.ToUpper(p.Type) {
		case "HIERARCHY":
			hier = append(hier, p)
		case "SYSTEM_GLOBAL", "SYSTEM_REGIONAL":
			system = append(system, p)
		case "NETWORK_REGIONAL":
			regional = append(regional, p)
		default: // NETWORK, and types this version does not know
			network = append(network, p)
		}
	}
	byPriority := func(ps []EffectivePolicy) {
		sort.SliceStable(ps, func(i, j int) bool {
			pi, pj := ps[i].Priority, ps[j].Priority
			if pi == nil || pj == nil {
				return false
			}
			return *pi < *pj
		})
	}
	byPriority(network)
	byPriority(regional)

	addPolicy := func(p EffectivePolicy, kind string) {
		var rules []rule
		for _, pr := range p.Rules {
			if !strings.EqualFold(pr.Direction, "INGRESS") && pr.Direction != "" {
				continue
			}
			rules = append(rules, compilePolicyRule(p, pr, kind))
		}
		rs.Policies++
		rs.PolicyRules += len(rules)
		rs.addLevel(rules)
	}
	addVPC := func() {
		var rules []rule
		for i := range ef.Firewalls {
			f := &ef.Firewalls[i]
			if f.Direction != "" && !strings.EqualFold(f.Direction, "INGRESS") {
				continue
			}
			rules = append(rules, compileFirewall(f))
		}
		rs.VPCRules = len(rules)
		rs.addLevel(rules)
	}
	for _, p := range hier {
		addPolicy(p, KindHierarchy)
	}
	for _, p := range system {
		addPolicy(p, KindSystem)
	}
	if strings.EqualFold(order, OrderBeforeClassic) {
		for _, p := range network {
			addPolicy(p, KindNetwork)
		}
		for _, p := range regional {
			addPolicy(p, KindRegional)
		}
		addVPC()
	} else {
		addVPC()
		for _, p := range network {
			addPolicy(p, KindNetwork)
		}
		for _, p := range regional {
			addPolicy(p, KindRegional)
		}
	}
	return rs
}

// HasNetworkPolicies says whether the enforcement order matters.
func HasNetworkPolicies(ef *EffectiveFirewalls) bool {
	if ef == nil {
		return false
	}
	for _, p := range ef.FirewallPolicys {
		switch strings.ToUpper(p.Type) {
		case "HIERARCHY", "SYSTEM_GLOBAL", "SYSTEM_REGIONAL":
		default:
			return true
		}
	}
	return false
}

func (rs *Ruleset) addLevel(rules []rule) {
	sort.SliceStable(rules, func(i, j int) bool {
		if rules[i].priority != rules[j].priority {
			return rules[i].priority < rules[j].priority
		}
		return rules[i].act < rules[j].act
	})
	level := len(rs.levelEnd)
	for i := range rules {
		rules[i].level = level
	}
	rs.rules = append(rs.rules, rules...)
	rs.levelEnd = append(rs.levelEnd, len(rs.rules))
}

func compileFirewall(f *Firewall) rule {
	r := rule{kind: KindVPC, name: f.Name, priority: 1000, disabled: f.Disabled, vpc: f,
		targetTags: f.TargetTags, targetSAs: f.TargetServiceAccounts}
	if f.Priority != nil {
		r.priority = *f.Priority
	}
	entries := f.Allowed
	r.act, r.actName = actAllow, "allow"
	if len(f.Denied) > 0 {
		entries = f.Denied
		r.act, r.actName = actDeny, "deny"
	}
	for _, e := range entries {
		r.l4 = append(r.l4, compileL4(e.IPProtocol, e.Ports))
	}
	if len(entries) == 0 {
		// a rule with neither allowed nor denied cannot match anything
		r.l4 = []l4{{proto: protoUnknown}}
	}
	switch {
	case len(f.SourceRanges) > 0:
		r.src, r.srcOther = parsePrefixes(f.SourceRanges)
	case len(f.SourceTags) > 0 || len(f.SourceServiceAccounts) > 0:
		// Source tags and service accounts only match traffic from VMs in
		// the same network, never traffic from outside: no source here.
	default:
		// An ingress rule without any source applies to 0.0.0.0/0.
		r.src = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	}
	if len(f.DestinationRanges) > 0 {
		r.dst, r.dstOther = parsePrefixes(f.DestinationRanges)
	}
	return r
}

func compilePolicyRule(p EffectivePolicy, pr PolicyRule, kind string) rule {
	r := rule{kind: kind, policy: p.Name, policyLabel: p.Label(), name: pr.RuleName,
		priority: pr.Priority, disabled: pr.Disabled, actName: strings.ToLower(pr.Action),
		targetSAs: pr.TargetServiceAccounts, targetResources: pr.TargetResources,
		targetOther: append([]string(nil), pr.extra...)}
	if nonEmptyJSON(pr.TargetSecureTags) {
		r.targetOther = append(r.targetOther, "targetSecureTags")
	}
	switch r.actName {
	case "allow", "apply_security_profile_group": // inspected, then allowed
		r.act = actAllow
	case "deny":
		r.act = actDeny
	case "goto_next":
		r.act = actGoto
	default:
		r.act = actOther
	}
	m := pr.Match
	r.src, r.srcOther = parsePrefixes(m.SrcIPRanges)
	r.srcOther = append(r.srcOther, m.otherSrc...)
	if len(m.SrcIPRanges) == 0 && len(m.otherSrc) == 0 {
		r.src = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}
	}
	r.dst, r.dstOther = parsePrefixes(m.DestIPRanges)
	r.dstOther = append(r.dstOther, m.otherDest...)
	for _, c := range m.Layer4Configs {
		r.l4 = append(r.l4, compileL4(c.IPProtocol, c.Ports))
	}
	if len(m.Layer4Configs) == 0 {
		r.l4 = []l4{{proto: protoAll}}
	}
	return r
}

func compileL4(proto string, ports []string) l4 {
	out := l4{proto: parseProtocol(proto)}
	for _, p := range ports {
		pr, ok := parsePortRange(p)
		if !ok {
			out.bad = true
			continue
		}
		out.ports = append(out.ports, pr)
	}
	if len(ports) > 0 && out.ports == nil && !out.bad {
		out.bad = true
	}
	return out
}

func parseProtocol(s string) int {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "all" {
		return protoAll
	}
	if n, ok := protocolNumbers[s]; ok {
		return n
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 255 {
		return n
	}
	return protoUnknown
}

func parsePortRange(s string) (portRange, bool) {
	s = strings.TrimSpace(s)
	lo, hi, isRange := strings.Cut(s, "-")
	a, err1 := strconv.Atoi(lo)
	b := a
	var err2 error
	if isRange {
		b, err2 = strconv.Atoi(hi)
	}
	if err1 != nil || err2 != nil || a < 0 || b > 65535 || a > b {
		return portRange{}, false
	}
	return portRange{a, b}, true
}

// parsePrefixes parses CIDR ranges (a bare address is a /32 or /128);
// what does not parse is returned as a matcher that cannot be evaluated.
func parsePrefixes(ss []string) ([]netip.Prefix, []string) {
	var out []netip.Prefix
	var bad []string
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		bad = append(bad, "unparsable range "+strconvQuote(s))
	}
	return out, bad
}

func strconvQuote(s string) string {
	if len(s) > 60 {
		s = s[:60]
	}
	return strconv.Quote(s)
}

// tri is a three-valued match.
type tri int8

const (
	no tri = iota
	maybe
	yes
)

func and(a, b tri) tri {
	if a < b {
		return a
	}
	return b
}

func (r *rule) matchL4(proto, port int) tri {
	res := no
	for _, e := range r.l4 {
		if e.proto != protoAll && e.proto != proto {
			continue
		}
		if e.ports == nil && !e.bad {
			return yes
		}
		for _, pr := range e.ports {
			if port >= pr.lo && port <= pr.hi {
				return yes
			}
		}
		if e.bad {
			res = maybe
		}
	}
	return res
}

func containsAny(list []string, items []string) bool {
	for _, a := range items {
		for _, b := range list {
			if strings.EqualFold(a, b) {
				return true
			}
		}
	}
	return false
}

func (r *rule) matchTarget(t *Target) tri {
	if len(r.targetTags) > 0 && !containsAny(r.targetTags, t.Tags) {
		return no
	}
	if len(r.targetSAs) > 0 && !containsAny(r.targetSAs, t.ServiceAccounts) {
		return no
	}
	if len(r.targetResources) > 0 {
		found := false
		for _, res := range r.targetResources {
			if resourcePath(res) == resourcePath(t.Network) {
				found = true
			}
		}
		if !found {
			return no
		}
	}
	if len(r.targetOther) > 0 {
		return maybe
	}
	return yes
}

func (r *rule) matchDest(d netip.Addr) tri {
	if len(r.dst) == 0 && len(r.dstOther) == 0 {
		return yes
	}
	if d.IsValid() {
		for _, p := range r.dst {
			if p.Contains(d) {
				return yes
			}
		}
		if len(r.dstOther) == 0 {
			return no
		}
	}
	return maybe
}

func (r *rule) matchSource(a netip.Addr) tri {
	for _, p := range r.src {
		if p.Contains(a) {
			return yes
		}
	}
	if len(r.srcOther) > 0 {
		return maybe
	}
	return no
}

// matchStatic is everything but the source; it does not vary across the
// addresses of a range.
func (r *rule) matchStatic(pkt *Packet, t *Target) tri {
	if r.disabled {
		return no
	}
	m := r.matchL4(pkt.Protocol, pkt.Port)
	if m == no {
		return no
	}
	m = and(m, r.matchTarget(t))
	if m == no {
		return no
	}
	return and(m, r.matchDest(pkt.Dest))
}

// Outcome is the result for one address: the verdict and the index of the
// rule that decided (-1: the implied deny). When the verdict is Unknown,
// Rule is the rule that could not be evaluated. Uncertain is a rule that
// could not be evaluated but did not change the verdict (-1: none).
type Outcome struct {
	Verdict   Verdict
	Rule      int
	Uncertain int
}

// evaluator holds per-evaluation scratch space.
type evaluator struct {
	rs     *Ruleset
	static []tri
	res    []Outcome
}

func (rs *Ruleset) newEvaluator(pkt *Packet, t *Target) *evaluator {
	ev := &evaluator{rs: rs, static: make([]tri, len(rs.rules)), res: make([]Outcome, len(rs.rules)+1)}
	for i := range rs.rules {
		ev.static[i] = rs.rules[i].matchStatic(pkt, t)
	}
	return ev
}

// at evaluates one source address. Working backwards from the implied
// deny, res[i] is the outcome of evaluation entering at rule i; a "maybe"
// rule combines the outcome of matching (its action) with that of not
// matching (the next rule), which is exact because evaluation only moves
// forward and so meets each rule at most once.
func (ev *evaluator) at(a netip.Addr) Outcome {
	rules := ev.rs.rules
	n := len(rules)
	ev.res[n] = Outcome{Verdict: VerdictDeny, Rule: -1, Uncertain: -1}
	for i := n - 1; i >= 0; i-- {
		m := ev.static[i]
		if m != no {
			m = and(m, rules[i].matchSource(a))
		}
		if m == no {
			ev.res[i] = ev.res[i+1]
			continue
		}
		var hit Outcome
		switch rules[i].act {
		case actAllow:
			hit = Outcome{Verdict: VerdictAllow, Rule: i, Uncertain: -1}
		case actDeny:
			hit = Outcome{Verdict: VerdictDeny, Rule: i, Uncertain: -1}
		case actGoto:
			hit = ev.res[ev.rs.levelEnd[rules[i].level]]
		default:
			hit = Outcome{Verdict: VerdictUnknown, Rule: i, Uncertain: -1}
		}
		if m == yes {
			ev.res[i] = hit
			continue
		}
		miss := ev.res[i+1]
		if hit.Verdict == miss.Verdict && hit.Verdict != VerdictUnknown {
			out := miss
			if out.Uncertain < 0 {
				out.Uncertain = i
			}
			ev.res[i] = out
			continue
		}
		ev.res[i] = Outcome{Verdict: VerdictUnknown, Rule: i, Uncertain: -1}
	}
	return ev.res[0]
}

// Segment is a run of source addresses with the same outcome.
type Segment struct {
	From, To netip.Addr
	Outcome
}

// Evaluation is the answer for a packet.
type Evaluation struct {
	Verdict  Verdict
	Segments []Segment
	rs       *Ruleset
}

// Evaluate judges pkt against the rules for the instance t. For a range
// source, the range is cut at every boundary of every rule's source ranges
// (so each piece meets every rule the same way) and each piece is judged
// once: exact, and linear in the number of ranges.
func (rs *Ruleset) Evaluate(pkt Packet, t Target) Evaluation {
	if pkt.Protocol == 0 {
		pkt.Protocol = protoTCP
	}
	ev := rs.newEvaluator(&pkt, &t)
	src := pkt.Source.Masked()
	first, last := prefixBounds(src)
	cuts := []netip.Addr{first}
	for i := range rs.rules {
		if ev.static[i] == no {
			continue
		}
		for _, p := range rs.rules[i].src {
			if p.Addr().Is4() != first.Is4() || !p.Overlaps(src) {
				continue
			}
			lo, hi := prefixBounds(p)
			if lo.Compare(first) > 0 {
				cuts = append(cuts, lo)
			}
			if hi.Compare(last) < 0 {
				cuts = append(cuts, hi.Next())
			}
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].Less(cuts[j]) })
	e := Evaluation{rs: rs}
	for i, c := range cuts {
		if i > 0 && c == cuts[i-1] {
			continue
		}
		o := ev.at(c)
		if n := len(e.Segments); n > 0 && e.Segments[n-1].Outcome == o {
			continue
		}
		if n := len(e.Segments); n > 0 {
			e.Segments[n-1].To = c.Prev()
		}
		e.Segments = append(e.Segments, Segment{From: c, Outcome: o})
	}
	e.Segments[len(e.Segments)-1].To = last
	e.Verdict = aggregate(e.Segments)
	return e
}

// Restrict keeps the segments for which keep(from, to) is true and
// recomputes the verdict (an empty result keeps the original).
func (e Evaluation) Restrict(keep func(from, to netip.Addr) bool) Evaluation {
	out := Evaluation{rs: e.rs}
	for _, s := range e.Segments {
		if keep(s.From, s.To) {
			out.Segments = append(out.Segments, s)
		}
	}
	if len(out.Segments) == 0 {
		return e
	}
	out.Verdict = aggregate(out.Segments)
	return out
}

func aggregate(segs []Segment) Verdict {
	var seen [3]bool
	for _, s := range segs {
		seen[s.Verdict] = true
	}
	switch {
	case seen[VerdictAllow] && seen[VerdictDeny]:
		return VerdictPartial // some addresses get in, others do not
	case seen[VerdictUnknown]:
		return VerdictUnknown
	}
	return segs[0].Verdict
}

// nonPublic are ranges no one connects from over the internet (RFC 6890).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("224.0.0.0/3"),
	netip.MustParsePrefix("fc00::/7"), netip.MustParsePrefix("fe80::/10"), netip.MustParsePrefix("ff00::/8"),
}

// isPublicRange says a range is not wholly inside a non-public range.
func isPublicRange(from, to netip.Addr) bool {
	for _, p := range nonPublic {
		if p.Contains(from) && p.Contains(to) {
			return false
		}
	}
	return true
}

// prefixBounds returns the first and last address of p.
func prefixBounds(p netip.Prefix) (netip.Addr, netip.Addr) {
	p = p.Masked()
	first := p.Addr()
	b := first.As16()
	bits := p.Bits()
	if first.Is4() {
		bits += 96
	}
	for i := bits; i < 128; i++ {
		b[i/8] |= 1 << (7 - uint(i%8))
	}
	last := netip.AddrFrom16(b)
	if first.Is4() {
		last = last.Unmap()
	}
	return first, last
}

// Decision describes what decided: a rule of a policy or the VPC, or the
// implied deny.
type Decision struct {
	Kind        string // KindHierarchy, KindSystem, KindVPC, KindNetwork, KindRegional, KindImplied
	Policy      string // policy name or ID
	PolicyLabel string
	Rule        string // VPC rule name or policy rule name ("" when unnamed)
	Priority    int
	Action      string
	Firewall    *Firewall // the VPC rule, when Kind is KindVPC
	// Priorities in use in the deciding policy (for writing a fix).
	policyPriorities []int
}

// Decision returns what decided outcome o.
func (rs *Ruleset) Decision(idx int) Decision {
	if idx < 0 || idx >= len(rs.rules) {
		return Decision{Kind: KindImplied, Priority: 65535, Action: "deny"}
	}
	r := &rs.rules[idx]
	d := Decision{Kind: r.kind, Policy: r.policy, PolicyLabel: r.policyLabel, Rule: r.name,
		Priority: r.priority, Action: r.actName, Firewall: r.vpc}
	for i := range rs.rules {
		if rs.rules[i].level == r.level {
			d.policyPriorities = append(d.policyPriorities, rs.rules[i].priority)
		}
	}
	return d
}

// Why returns, for a rule that could not be evaluated, the matchers that
// made it so.
func (rs *Ruleset) Why(idx int) []string {
	if idx < 0 || idx >= len(rs.rules) {
		return nil
	}
	r := &rs.rules[idx]
	var out []string
	out = append(out, r.srcOther...)
	out = append(out, r.dstOther...)
	out = append(out, r.targetOther...)
	if r.act == actOther {
		out = append(out, "action "+strconvQuote(r.actName))
	}
	for _, e := range r.l4 {
		if e.bad {
			out = append(out, "unparsable ports")
			break
		}
	}
	return out
}

// Rules returns the number of rules evaluated.
func (rs *Ruleset) Rules() int { return len(rs.rules) }

// NearMiss is a VPC allow rule that would let the connection in if one
// thing about it (or about the instance) were different.
type NearMiss struct {
	Rule   *Firewall
	Reason string // "disabled", "target_tag", "source", "port"
}

// NearMisses finds VPC allow rules that fail on exactly one point and
// checks that fixing that point really turns the verdict into allow for the
// whole source (a higher-priority deny would make the fix useless).
func (rs *Ruleset) NearMisses(pkt Packet, t Target) []NearMiss {
	if pkt.Protocol == 0 {
		pkt.Protocol = protoTCP
	}
	var out []NearMiss
	src := pkt.Source.Masked()
	for i := range rs.rules {
		r := &rs.rules[i]
		if r.kind != KindVPC || r.act != actAllow || r.vpc == nil {
			continue
		}
		l4ok := r.matchL4(pkt.Protocol, pkt.Port) == yes
		tgtok := r.matchTarget(&t) == yes
		dstok := r.matchDest(pkt.Dest) == yes
		srcok := false
		for _, p := range r.src {
			if p.Contains(src.Addr()) && p.Bits() <= src.Bits() {
				srcok = true
			}
		}
		failing := 0
		for _, ok := range []bool{!r.disabled, l4ok, tgtok, dstok, srcok} {
			if !ok {
				failing++
			}
		}
		if failing != 1 {
			continue
		}
		var reason string
		clone := rs.clone()
		c := &clone.rules[i]
		t2 := t
		switch {
		case r.disabled:
			reason = "disabled"
			c.disabled = false
		case !tgtok:
			if len(r.targetTags) == 0 {
				continue // a service-account target cannot be fixed by a tag
			}
			reason = "target_tag"
			t2.Tags = append(append([]string(nil), t.Tags...), r.targetTags[0])
		case !srcok:
			// only a rule written for this port: widening the source of
			// a rule that opens every port would open far more than SSH
			if !r.namesPort(pkt.Protocol, pkt.Port) {
				continue
			}
			reason = "source"
			c.src = append(append([]netip.Prefix(nil), c.src...), src)
		case !l4ok:
			// only an SSH rule (tcp:22) when another port was asked for
			if pkt.Port == 22 || !r.namesPort(protoTCP, 22) {
				continue
			}
			reason = "port"
			c.l4 = append(append([]l4(nil), c.l4...), l4{proto: pkt.Protocol, ports: []portRange{{pkt.Port, pkt.Port}}})
		default:
			continue // destination ranges: not something to widen lightly
		}
		if clone.Evaluate(pkt, t2).Verdict == VerdictAllow {
			out = append(out, NearMiss{Rule: r.vpc, Reason: reason})
		}
	}
	return out
}

// namesPort says the rule lists port for proto explicitly, alone or in a
// narrow range (at most maxNarrowRange ports).
func (r *rule) namesPort(proto, port int) bool {
	const maxNarrowRange = 100
	for _, e := range r.l4 {
		if e.proto != proto {
			continue
		}
		for _, pr := range e.ports {
			if port >= pr.lo && port <= pr.hi && pr.hi-pr.lo < maxNarrowRange {
				return true
			}
		}
	}
	return false
}

func (rs *Ruleset) clone() *Ruleset {
	c := *rs
	c.rules = append([]rule(nil), rs.rules...)
	return &c
}
