package gcp

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

const testNet = "https://www.googleapis.com/compute/v1/projects/p/global/networks/default"

func mustEF(t testing.TB, doc any) *EffectiveFirewalls {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var ef EffectiveFirewalls
	if err := json.Unmarshal(b, &ef); err != nil {
		t.Fatal(err)
	}
	return &ef
}

type m = map[string]any

func vpc(name string, prio int, action string, src []any, entries ...any) m {
	r := m{"name": name, "priority": prio, "direction": "INGRESS", "sourceRanges": src, "network": testNet}
	r[action] = entries
	return r
}

func pkt(src string, port int) Packet {
	p, err := netip.ParsePrefix(src)
	if err != nil {
		a := netip.MustParseAddr(src)
		p = netip.PrefixFrom(a, a.BitLen())
	}
	return Packet{Source: p, Dest: netip.MustParseAddr("34.0.0.1"), Port: port}
}

func TestEvaluateTable(t *testing.T) {
	tcp22 := m{"IPProtocol": "tcp", "ports": []any{"22"}}
	any0 := []any{"0.0.0.0/0"}
	pol := func(typ, name string, rules ...any) m {
		return m{"name": name, "type": typ, "shortName": name, "rules": rules}
	}
	prule := func(prio int, action string, src []any, l4 ...any) m {
		return m{"priority": prio, "action": action, "direction": "INGRESS", "match": m{"srcIpRanges": src, "layer4Configs": l4}}
	}
	l4tcp22 := m{"ipProtocol": "tcp", "ports": []any{"22"}}
	cases := []struct {
		name    string
		doc     m
		order   string
		pkt     Packet
		target  Target
		verdict Verdict
		rule    string // deciding rule ("" = implied deny)
	}{
		{"empty: implied deny", m{}, "", pkt("203.0.113.7", 22), Target{}, VerdictDeny, ""},
		{"allow 22", m{"firewalls": []any{vpc("a", 1000, "allowed", any0, tcp22)}}, "", pkt("203.0.113.7", 22), Target{}, VerdictAllow, "a"},
		{"port range 20-30", m{"firewalls": []any{vpc("r", 1000, "allowed", any0, m{"IPProtocol": "tcp", "ports": []any{"20-30"}})}}, "", pkt("1.2.3.4", 22), Target{}, VerdictAllow, "r"},
		{"range excludes 31", m{"firewalls": []any{vpc("r", 1000, "allowed", any0, m{"IPProtocol": "tcp", "ports": []any{"20-30"}})}}, "", pkt("1.2.3.4", 31), Target{}, VerdictDeny, ""},
		{"ports absent = all", m{"firewalls": []any{vpc("r", 1000, "allowed", any0, m{"IPProtocol": "tcp"})}}, "", pkt("1.2.3.4", 2222), Target{}, VerdictAllow, "r"},
		{"protocol all", m{"firewalls": []any{vpc("all", 1000, "allowed", any0, m{"IPProtocol": "all"})}}, "", pkt("1.2.3.4", 22), Target{}, VerdictAllow, "all"},
		{"protocol number 6", m{"firewalls": []any{vpc("six", 1000, "allowed", any0, m{"IPProtocol": "6", "ports": []any{"22"}})}}, "", pkt("1.2.3.4", 22), Target{}, VerdictAllow, "six"},
		{"udp does not allow tcp", m{"firewalls": []any{vpc("u", 1000, "allowed", any0, m{"IPProtocol": "udp"})}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, ""},
		{"deny 900 beats allow 1000", m{"firewalls": []any{vpc("allow", 1000, "allowed", any0, tcp22), vpc("deny", 900, "denied", any0, tcp22)}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, "deny"},
		{"allow 900 beats deny 1000", m{"firewalls": []any{vpc("allow", 900, "allowed", any0, tcp22), vpc("deny", 1000, "denied", any0, tcp22)}}, "", pkt("1.2.3.4", 22), Target{}, VerdictAllow, "allow"},
		{"deny wins a tie", m{"firewalls": []any{vpc("allow", 1000, "allowed", any0, tcp22), vpc("deny", 1000, "denied", any0, tcp22)}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, "deny"},
		{"disabled allow ignored", m{"firewalls": []any{func() m { r := vpc("a", 1000, "allowed", any0, tcp22); r["disabled"] = true; return r }()}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, ""},
		{"egress ignored", m{"firewalls": []any{func() m { r := vpc("a", 1000, "allowed", any0, tcp22); r["direction"] = "EGRESS"; return r }()}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, ""},
		{"target tag missing", m{"firewalls": []any{func() m { r := vpc("a", 1000, "allowed", any0, tcp22); r["targetTags"] = []any{"ssh"}; return r }()}}, "", pkt("1.2.3.4", 22), Target{Tags: []string{"web"}}, VerdictDeny, ""},
		{"target tag present", m{"firewalls": []any{func() m { r := vpc("a", 1000, "allowed", any0, tcp22); r["targetTags"] = []any{"ssh"}; return r }()}}, "", pkt("1.2.3.4", 22), Target{Tags: []string{"web", "ssh"}}, VerdictAllow, "a"},
		{"target service account", m{"firewalls": []any{func() m {
			r := vpc("a", 1000, "allowed", any0, tcp22)
			r["targetServiceAccounts"] = []any{"vm@p.iam.gserviceaccount.com"}
			return r
		}()}}, "", pkt("1.2.3.4", 22), Target{ServiceAccounts: []string{"vm@p.iam.gserviceaccount.com"}}, VerdictAllow, "a"},
		{"source tags never match outside traffic", m{"firewalls": []any{m{"name": "t", "priority": 1000, "sourceTags": []any{"bastion"}, "allowed": []any{tcp22}}}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, ""},
		{"no source at all = 0.0.0.0/0", m{"firewalls": []any{m{"name": "n", "priority": 1000, "allowed": []any{tcp22}}}}, "", pkt("1.2.3.4", 22), Target{}, VerdictAllow, "n"},
		{"source range excludes", m{"firewalls": []any{vpc("a", 1000, "allowed", []any{"198.51.100.0/24"}, tcp22)}}, "", pkt("203.0.113.7", 22), Target{}, VerdictDeny, ""},
		{"hierarchy deny first", m{"firewalls": []any{vpc("a", 0, "allowed", any0, tcp22)},
			"firewallPolicys": []any{pol("HIERARCHY", "org", prule(1000, "deny", any0, l4tcp22))}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, "org/1000"},
		{"goto_next passes to VPC", m{"firewalls": []any{vpc("a", 1000, "allowed", any0, tcp22)},
			"firewallPolicys": []any{pol("HIERARCHY", "org", prule(1000, "goto_next", any0, l4tcp22), prule(2000, "deny", any0, m{"ipProtocol": "all"}))}}, "", pkt("1.2.3.4", 22), Target{}, VerdictAllow, "a"},
		{"org goto_next, folder deny", m{"firewalls": []any{vpc("a", 1000, "allowed", any0, tcp22)},
			"firewallPolicys": []any{pol("HIERARCHY", "org", prule(1000, "goto_next", any0, l4tcp22)), pol("HIERARCHY", "folder", prule(5, "deny", any0, l4tcp22))}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, "folder/5"},
		{"hierarchy allow skips VPC deny", m{"firewalls": []any{vpc("d", 0, "denied", any0, tcp22)},
			"firewallPolicys": []any{pol("HIERARCHY", "org", prule(1000, "allow", any0, l4tcp22))}}, "", pkt("1.2.3.4", 22), Target{}, VerdictAllow, "org/1000"},
		{"network policy after classic", m{"firewalls": []any{vpc("a", 1000, "allowed", any0, tcp22)},
			"firewallPolicys": []any{pol("NETWORK", "net", prule(1, "deny", any0, l4tcp22))}}, OrderAfterClassic, pkt("1.2.3.4", 22), Target{}, VerdictAllow, "a"},
		{"network policy before classic", m{"firewalls": []any{vpc("a", 1000, "allowed", any0, tcp22)},
			"firewallPolicys": []any{pol("NETWORK", "net", prule(1, "deny", any0, l4tcp22))}}, OrderBeforeClassic, pkt("1.2.3.4", 22), Target{}, VerdictDeny, "net/1"},
		{"network policy after VPC no-match decides", m{"firewallPolicys": []any{pol("NETWORK", "net", prule(1, "allow", any0, l4tcp22))}}, OrderAfterClassic, pkt("1.2.3.4", 22), Target{}, VerdictAllow, "net/1"},
		{"system policy before VPC", m{"firewalls": []any{vpc("a", 1000, "allowed", any0, tcp22)},
			"firewallPolicys": []any{pol("SYSTEM_REGIONAL", "sys", prule(1, "deny", any0, l4tcp22))}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, "sys/1"},
		{"unknown matcher that matters", m{"firewalls": []any{vpc("a", 1000, "allowed", any0, tcp22)},
			"firewallPolicys": []any{pol("HIERARCHY", "org", m{"priority": 10, "action": "deny", "direction": "INGRESS",
				"match": m{"srcFqdns": []any{"x.example"}, "layer4Configs": []any{l4tcp22}}})}}, "", pkt("1.2.3.4", 22), Target{}, VerdictUnknown, "org/10"},
		{"unknown matcher that does not matter", m{"firewalls": []any{vpc("d", 1000, "denied", any0, tcp22)},
			"firewallPolicys": []any{pol("HIERARCHY", "org", m{"priority": 10, "action": "deny", "direction": "INGRESS",
				"match": m{"srcRegionCodes": []any{"XX"}, "layer4Configs": []any{l4tcp22}}})}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, "d"},
		{"secure-tag target unknown", m{"firewallPolicys": []any{pol("NETWORK", "net", m{"priority": 10, "action": "allow", "direction": "INGRESS",
			"targetSecureTags": []any{m{"name": "tagValues/1", "state": "EFFECTIVE"}},
			"match":            m{"srcIpRanges": any0, "layer4Configs": []any{l4tcp22}}})}}, "", pkt("1.2.3.4", 22), Target{}, VerdictUnknown, "net/10"},
		{"IAP range fully allowed", m{"firewalls": []any{vpc("iap", 1000, "allowed", []any{"35.235.240.0/20"}, tcp22)}}, "", pkt("35.235.240.0/20", 22), Target{}, VerdictAllow, "iap"},
		{"IAP range half allowed", m{"firewalls": []any{vpc("iap", 1000, "allowed", []any{"35.235.240.0/21"}, tcp22)}}, "", pkt("35.235.240.0/20", 22), Target{}, VerdictPartial, "iap"},
		{"IPv6 source needs a v6 range", m{"firewalls": []any{vpc("a", 1000, "allowed", any0, tcp22)}}, "", pkt("2001:db8::1", 22), Target{}, VerdictDeny, ""},
		{"IPv6 range", m{"firewalls": []any{vpc("a6", 1000, "allowed", []any{"::/0"}, tcp22)}}, "", pkt("2001:db8::1", 22), Target{}, VerdictAllow, "a6"},
		{"destination range", m{"firewalls": []any{func() m {
			r := vpc("d", 1000, "allowed", any0, tcp22)
			r["destinationRanges"] = []any{"10.0.0.0/8"}
			return r
		}()}}, "", pkt("1.2.3.4", 22), Target{}, VerdictDeny, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := Compile(mustEF(t, c.doc), c.order)
			ev := rs.Evaluate(c.pkt, c.target)
			if ev.Verdict != c.verdict {
				t.Fatalf("verdict %s, want %s (segments %+v)", ev.Verdict, c.verdict, ev.Segments)
			}
			d := rs.Decision(ev.Segments[0].Rule)
			if ev.Verdict == VerdictDeny || ev.Verdict == VerdictUnknown {
				d = rs.Decision(denyingOrUnknown(ev).Rule)
			}
			got := d.Rule
			if d.Kind != KindVPC && d.Kind != KindImplied {
				got = d.Policy + "/" + strconv.Itoa(d.Priority)
			}
			if d.Kind == KindImplied {
				got = ""
			}
			if got != c.rule {
				t.Errorf("decided by %q (%s), want %q", got, describeDecision(d), c.rule)
			}
		})
	}
}

func denyingOrUnknown(ev Evaluation) Segment {
	for _, s := range ev.Segments {
		if s.Verdict != VerdictAllow {
			return s
		}
	}
	return ev.Segments[0]
}

// The recorded effective firewalls with hierarchical policies (three
// policies, goto_next catch-alls, a same-priority allow/deny pair).
func TestEvaluateRecordedPolicies(t *testing.T) {
	var ef EffectiveFirewalls
	if err := json.Unmarshal(gcptest.Fixture("fw-policy-effective-firewalls.json"), &ef); err != nil {
		t.Fatal(err)
	}
	rs := Compile(&ef, "")
	if rs.Policies != 3 || rs.VPCRules == 0 {
		t.Fatalf("compiled %d policies, %d VPC rules", rs.Policies, rs.VPCRules)
	}
	check := func(src string, port int, tgt Target, want Verdict, by string) {
		t.Helper()
		ev := rs.Evaluate(pkt(src, port), tgt)
		d := describeDecision(rs.Decision(ev.Segments[0].Rule))
		if ev.Verdict != want || !strings.Contains(d, by) {
			t.Errorf("%s:%d → %s by %s, want %s by %q", src, port, ev.Verdict, d, want, by)
		}
	}
	check("203.0.113.7", 22, Target{}, VerdictAllow, "default-allow-ssh")
	check("10.101.0.1", 2001, Target{}, VerdictAllow, "firewall-policies/856256210981") // parent folder rule 9000
	check("10.101.0.1", 2003, Target{}, VerdictAllow, "firewall-policies/203310830110") // sub-folder after goto_next
	check("10.104.0.1", 80, Target{}, VerdictDeny, "test-sorting-policy-same-ip")       // deny wins the tie
	check("10.100.0.5", 1001, Target{}, VerdictDeny, "fw-test-800")                     // deny 800 before allow 900
	check("10.100.0.5", 1006, Target{}, VerdictAllow, "fw-test-900")                    // allow 900 before deny 950
	check("10.100.0.5", 1006, Target{Tags: []string{"bar"}}, VerdictAllow, "fw-test-900")
}

// --- fuzzing against a reference model --------------------------------

// The reference model is deliberately naive and independent: its own
// structs, net.ParseCIDR, every rule checked in full for every address,
// and "cannot evaluate" handled by trying every combination.

type refL4 struct {
	Proto  string   `json:"IPProtocol"`
	PProto string   `json:"ipProtocol"`
	Ports  []string `json:"ports"`
}

type refRule struct {
	Name, Direction, Action, RuleName string
	Priority                          *int
	Disabled                          bool
	SourceRanges, SourceTags          []string
	DestinationRanges                 []string
	TargetTags, TargetServiceAccounts []string
	TargetResources                   []string
	TargetSecureTags                  []any
	Allowed, Denied                   []refL4
	Match                             *struct {
		SrcIPRanges   []string `json:"srcIpRanges"`
		SrcFqdns      []string `json:"srcFqdns"`
		DestIPRanges  []string `json:"destIpRanges"`
		Layer4Configs []refL4  `json:"layer4Configs"`
	}
}

type refDoc struct {
	Firewalls       []refRule
	FirewallPolicys []struct {
		Name, Type string
		Rules      []refRule
	}
}

type refTri int

const (
	refNo refTri = iota
	refMaybe
	refYes
)

func refIn(ranges []string, ip net.IP) bool {
	for _, r := range ranges {
		if !strings.Contains(r, "/") {
			if net.ParseIP(r).Equal(ip) {
				return true
			}
			continue
		}
		_, n, err := net.ParseCIDR(r)
		if err == nil && n.Contains(ip) && (n.IP.To4() != nil) == (ip.To4() != nil) {
			return true
		}
	}
	return false
}

func refBad(ranges []string) bool {
	for _, r := range ranges {
		if _, _, err := net.ParseCIDR(r); err != nil && net.ParseIP(r) == nil {
			return true
		}
	}
	return false
}

// refSource: in a range → yes; else an unparsable range → maybe; else no.
func refSource(ranges []string, ip net.IP) refTri {
	switch {
	case refIn(ranges, ip):
		return refYes
	case refBad(ranges):
		return refMaybe
	}
	return refNo
}

func refL4Match(es []refL4, port int, absentMeansAll bool) refTri {
	if len(es) == 0 {
		if absentMeansAll {
			return refYes
		}
		return refNo
	}
	res := refNo
	for _, e := range es {
		p := e.Proto + e.PProto
		if p != "tcp" && p != "6" && p != "all" {
			continue
		}
		if len(e.Ports) == 0 {
			return refYes
		}
		for _, s := range e.Ports {
			lo, hi := s, s
			if a, b, ok := strings.Cut(s, "-"); ok {
				lo, hi = a, b
			}
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil || a < 0 || b > 65535 || a > b {
				res = refMaybe
				continue
			}
			if port >= a && port <= b {
				return refYes
			}
		}
	}
	return res
}

func refAnd(ts ...refTri) refTri {
	out := refYes
	for _, t := range ts {
		if t < out {
			out = t
		}
	}
	return out
}

func has(list []string, items []string) bool {
	for _, a := range list {
		for _, b := range items {
			if a == b {
				return true
			}
		}
	}
	return false
}

func refMatch(r refRule, policy bool, src, dst net.IP, port int, tags, sas []string, network string) refTri {
	if r.Disabled || (r.Direction != "" && r.Direction != "INGRESS") {
		return refNo
	}
	var l4, tgt, dest, source refTri
	tgt = refYes
	if !policy {
		l4 = refL4Match(append(r.Allowed, r.Denied...), port, false)
		if len(r.TargetTags) > 0 && !has(r.TargetTags, tags) {
			tgt = refNo
		}
		if len(r.TargetServiceAccounts) > 0 && !has(r.TargetServiceAccounts, sas) {
			tgt = refNo
		}
		dest = refYes
		if len(r.DestinationRanges) > 0 && !refIn(r.DestinationRanges, dst) {
			dest = refNo
		}
		switch {
		case len(r.SourceRanges) > 0:
			source = refSource(r.SourceRanges, src)
		case len(r.SourceTags) > 0:
			source = refNo
		default:
			source = map[bool]refTri{true: refYes, false: refNo}[src.To4() != nil]
		}
		return refAnd(l4, tgt, dest, source)
	}
	mt := r.Match
	l4 = refL4Match(mt.Layer4Configs, port, true)
	if len(r.TargetServiceAccounts) > 0 && !has(r.TargetServiceAccounts, sas) {
		tgt = refNo
	}
	if len(r.TargetResources) > 0 && !has(r.TargetResources, []string{network}) {
		tgt = refNo
	}
	if tgt == refYes && len(r.TargetSecureTags) > 0 {
		tgt = refMaybe
	}
	dest = refYes
	if len(mt.DestIPRanges) > 0 && !refIn(mt.DestIPRanges, dst) {
		dest = refNo
	}
	switch {
	case refSource(mt.SrcIPRanges, src) != refNo:
		source = refSource(mt.SrcIPRanges, src)
	case len(mt.SrcFqdns) > 0:
		source = refMaybe
	case len(mt.SrcIPRanges) == 0:
		source = refYes
	default:
		source = refNo
	}
	return refAnd(l4, tgt, dest, source)
}

type refLevel struct {
	rules  []refRule
	policy bool
	name   string
}

func refLevels(d refDoc, order string) []refLevel {
	var hier, sys, net1, reg []refLevel
	for _, p := range d.FirewallPolicys {
		l := refLevel{rules: p.Rules, policy: true, name: p.Name}
		switch p.Type {
		case "HIERARCHY":
			hier = append(hier, l)
		case "SYSTEM_GLOBAL", "SYSTEM_REGIONAL":
			sys = append(sys, l)
		case "NETWORK_REGIONAL":
			reg = append(reg, l)
		default:
			net1 = append(net1, l)
		}
	}
	v := []refLevel{{rules: d.Firewalls, name: "vpc"}}
	out := slices.Concat(hier, sys)
	if order == OrderBeforeClassic {
		return append(append(append(out, net1...), reg...), v...)
	}
	return append(append(append(out, v...), net1...), reg...)
}

func actRank(a string) int {
	switch a {
	case "deny":
		return 0
	case "allow", "apply_security_profile_group":
		return 1
	case "goto_next":
		return 2
	}
	return 3
}

// refEvaluate returns "allow", "deny" or "unknown" and the deciding rule
// ("level/name-or-priority", "" = implied) when no rule was uncertain.
func refEvaluate(d refDoc, order string, src, dst net.IP, port int, tags, sas []string, network string) (string, string, bool) {
	levels := refLevels(d, order)
	type key struct{ l, i int }
	var maybes []key
	for li, l := range levels {
		for i, r := range l.rules {
			if refMatch(r, l.policy, src, dst, port, tags, sas, network) == refMaybe {
				maybes = append(maybes, key{li, i})
			}
		}
	}
	if len(maybes) > 6 {
		return "", "", false
	}
	verdicts := map[string]bool{}
	decider := ""
	for mask := 0; mask < 1<<len(maybes); mask++ {
		assumed := map[key]bool{}
		for b, k := range maybes {
			assumed[k] = mask&(1<<b) != 0
		}
		v, by := "deny", ""
	levels:
		for li, l := range levels {
			best := -1
			for i, r := range l.rules {
				mt := refMatch(r, l.policy, src, dst, port, tags, sas, network)
				if mt == refMaybe {
					if !assumed[key{li, i}] {
						continue
					}
				} else if mt != refYes {
					continue
				}
				if best < 0 || refLess(l, i, best) {
					best = i
				}
			}
			if best < 0 {
				continue
			}
			r := l.rules[best]
			act := refAction(r, l.policy)
			switch act {
			case "goto_next":
				continue levels
			case "allow", "apply_security_profile_group":
				v = "allow"
			case "deny":
				v = "deny"
			default:
				v = "unknown"
			}
			by = l.name + "/" + refName(r, l.policy)
			break
		}
		verdicts[v] = true
		decider = by
	}
	if len(verdicts) != 1 || verdicts["unknown"] {
		return "unknown", "", true
	}
	for v := range verdicts {
		if len(maybes) > 0 {
			decider = "?"
		}
		return v, decider, true
	}
	return "", "", false
}

func refPrio(r refRule) int {
	if r.Priority == nil {
		return 1000
	}
	return *r.Priority
}

func refAction(r refRule, policy bool) string {
	if policy {
		return strings.ToLower(r.Action)
	}
	if len(r.Denied) > 0 {
		return "deny"
	}
	return "allow"
}

func refName(r refRule, policy bool) string {
	if policy {
		return strconv.Itoa(refPrio(r))
	}
	return r.Name
}

func refLess(l refLevel, i, j int) bool {
	a, b := l.rules[i], l.rules[j]
	if refPrio(a) != refPrio(b) {
		return refPrio(a) < refPrio(b)
	}
	return actRank(refAction(a, l.policy)) < actRank(refAction(b, l.policy))
}

// fz turns fuzz bytes into choices.
type fz struct {
	b []byte
	i int
}

func (f *fz) n(k int) int {
	if f.i >= len(f.b) || k <= 1 {
		f.i++
		return 0
	}
	v := int(f.b[f.i]) % k
	f.i++
	return v
}

func pick[T any](f *fz, xs ...T) T { return xs[f.n(len(xs))] }

func (f *fz) some(pool []string, max int) []any {
	n := f.n(max + 1)
	var out []any
	for i := 0; i < n; i++ {
		out = append(out, pick(f, pool...))
	}
	return out
}

var (
	fzRanges = []string{"0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/24", "10.0.0.128/25", "10.0.1.0/24", "10.0.0.7/32",
		"10.0.0.7", "10.0.0.64/26", "192.0.2.0/24", "::/0", "10.0.1.128/30", "bogus"}
	fzPorts  = []string{"22", "20-30", "2222", "0-65535", "abc", "30-20", "22-22", "1-21", "23-65535"}
	fzProtos = []string{"tcp", "udp", "all", "6", "17", "icmp", "sctp"}
)

func (f *fz) entries(key string) []any {
	n := 1 + f.n(2)
	var out []any
	for i := 0; i < n; i++ {
		e := m{key: pick(f, fzProtos...)}
		if ps := f.some(fzPorts, 2); len(ps) > 0 {
			e["ports"] = ps
		}
		out = append(out, e)
	}
	return out
}

func genDoc(f *fz) m {
	var fws []any
	for i, n := 0, f.n(6); i < n; i++ {
		r := m{"name": fmt.Sprintf("vpc%d", i), "network": testNet}
		if f.n(4) > 0 {
			r["priority"] = pick(f, 0, 500, 900, 1000, 1000, 65534, 65535)
		}
		r["direction"] = pick(f, "INGRESS", "INGRESS", "INGRESS", "EGRESS")
		r[pick(f, "allowed", "allowed", "denied")] = f.entries("IPProtocol")
		switch f.n(4) {
		case 0:
			r["sourceTags"] = []any{"web"}
		case 1:
		default:
			if s := f.some(fzRanges, 2); len(s) > 0 {
				r["sourceRanges"] = s
			}
		}
		switch f.n(4) {
		case 0:
			r["targetTags"] = []any{pick(f, "web", "db")}
		case 1:
			r["targetServiceAccounts"] = []any{pick(f, "sa1@x", "sa2@x")}
		}
		if f.n(5) == 0 {
			r["destinationRanges"] = []any{pick(f, "34.0.0.1/32", "35.0.0.0/8")}
		}
		if f.n(4) == 0 {
			r["disabled"] = true
		}
		fws = append(fws, r)
	}
	var pols []any
	for i, n := 0, f.n(4); i < n; i++ {
		p := m{"name": fmt.Sprintf("pol%d", i), "type": pick(f, "HIERARCHY", "HIERARCHY", "NETWORK", "NETWORK_REGIONAL", "SYSTEM_GLOBAL")}
		var rules []any
		for j, k := 0, f.n(5); j < k; j++ {
			match := m{}
			if s := f.some(fzRanges, 2); len(s) > 0 {
				match["srcIpRanges"] = s
			}
			if f.n(5) == 0 {
				match["srcFqdns"] = []any{"x.example"}
			}
			if f.n(3) > 0 {
				match["layer4Configs"] = f.entries("ipProtocol")
			}
			if f.n(6) == 0 {
				match["destIpRanges"] = []any{pick(f, "34.0.0.1/32", "35.0.0.0/8")}
			}
			r := m{"priority": pick(f, 100, 1000, 1000, 2000, 2147483647),
				"action":    pick(f, "allow", "deny", "goto_next", "goto_next", "apply_security_profile_group", "weird"),
				"direction": pick(f, "INGRESS", "INGRESS", "EGRESS"), "match": match}
			switch f.n(6) {
			case 0:
				r["targetServiceAccounts"] = []any{pick(f, "sa1@x", "sa2@x")}
			case 1:
				r["targetSecureTags"] = []any{m{"name": "tagValues/1"}}
			case 2:
				r["targetResources"] = []any{pick(f, testNet, "https://www.googleapis.com/compute/v1/projects/p/global/networks/other")}
			}
			if f.n(6) == 0 {
				r["disabled"] = true
			}
			rules = append(rules, r)
		}
		p["rules"] = rules
		pols = append(pols, p)
	}
	return m{"firewalls": fws, "firewallPolicys": pols}
}

func fuzzFirewall(t *testing.T, data []byte) {
	f := &fz{b: data}
	doc := genDoc(f)
	order := pick(f, OrderAfterClassic, OrderBeforeClassic)
	tgt := Target{Network: testNet}
	if f.n(2) == 0 {
		tgt.Tags = append(tgt.Tags, "web")
	}
	if f.n(2) == 0 {
		tgt.Tags = append(tgt.Tags, "db")
	}
	if f.n(2) == 0 {
		tgt.ServiceAccounts = []string{"sa1@x"}
	}
	port := pick(f, 22, 22, 25, 2222, 20, 30, 31)
	dst := netip.MustParseAddr(pick(f, "34.0.0.1", "35.1.2.3"))
	bits := 24 + f.n(9)
	base := netip.AddrFrom4([4]byte{10, 0, byte(f.n(2)), byte(f.n(256))})
	src := netip.PrefixFrom(base, bits).Masked()

	raw, _ := json.Marshal(doc)
	var ef EffectiveFirewalls
	if err := json.Unmarshal(raw, &ef); err != nil {
		t.Fatal(err)
	}
	var rd refDoc
	if err := json.Unmarshal(raw, &rd); err != nil {
		t.Fatal(err)
	}
	rs := Compile(&ef, order)
	ev := rs.Evaluate(Packet{Source: src, Dest: dst, Port: port}, tgt)
	// every address of the range against the reference, one by one
	first, last := prefixBounds(src)
	seg := 0
	seen := map[Verdict]bool{}
	for a := first; ; a = a.Next() {
		for ev.Segments[seg].To.Less(a) {
			seg++
		}
		s := ev.Segments[seg]
		if s.From.Compare(a) > 0 {
			t.Fatalf("segments leave a gap at %s: %+v", a, ev.Segments)
		}
		want, wantBy, ok := refEvaluate(rd, order, net.IP(a.AsSlice()), net.IP(dst.AsSlice()), port, tgt.Tags, tgt.ServiceAccounts, testNet)
		if ok {
			got := s.Verdict.String()
			if got != want {
				t.Fatalf("%s port %d order %s: got %s (by %s), reference %s (by %s)\n%s", a, port, order, got,
					describeDecision(rs.Decision(s.Rule)), want, wantBy, raw)
			}
			if want != "unknown" && wantBy != "?" {
				d := rs.Decision(s.Rule)
				gotBy := ""
				switch d.Kind {
				case KindImplied:
				case KindVPC:
					gotBy = "vpc/" + d.Rule
				default:
					gotBy = d.Policy + "/" + strconv.Itoa(d.Priority)
				}
				if gotBy != wantBy {
					t.Fatalf("%s: decided by %q, reference %q\n%s", a, gotBy, wantBy, raw)
				}
			}
		}
		seen[s.Verdict] = true
		if a == last {
			break
		}
	}
	if ev.Segments[len(ev.Segments)-1].To != last {
		t.Fatalf("segments end at %s, range at %s", ev.Segments[len(ev.Segments)-1].To, last)
	}
	if want := aggregate(ev.Segments); ev.Verdict != want {
		t.Fatalf("verdict %s, segments say %s", ev.Verdict, want)
	}
	for i := 1; i < len(ev.Segments); i++ {
		if ev.Segments[i].Outcome == ev.Segments[i-1].Outcome {
			t.Fatalf("adjacent segments not merged: %+v", ev.Segments)
		}
	}
	// near misses must be what they claim: fixing them allows
	for _, nm := range rs.NearMisses(Packet{Source: src, Dest: dst, Port: port}, tgt) {
		if nm.Rule == nil || nm.Reason == "" {
			t.Fatalf("empty near miss %+v", nm)
		}
	}
}

func FuzzFirewallAgainstReference(f *testing.F) {
	for i := 0; i < 40; i++ {
		seed := make([]byte, 200)
		for j := range seed {
			seed[j] = byte((i*131 + j*17 + j*j*7) % 256)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		fuzzFirewall(t, data)
	})
}

// A deterministic sweep so that plain `go test` covers the model too.
func TestFirewallAgainstReferenceSweep(t *testing.T) {
	for i := 0; i < 3000; i++ {
		data := make([]byte, 256)
		x := uint32(i*2654435761 + 1)
		for j := range data {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			data[j] = byte(x)
		}
		fuzzFirewall(t, data)
	}
}

func TestNearMisses(t *testing.T) {
	tcp22 := m{"IPProtocol": "tcp", "ports": []any{"22"}}
	doc := m{"firewalls": []any{
		func() m { r := vpc("off", 1000, "allowed", []any{"0.0.0.0/0"}, tcp22); r["disabled"] = true; return r }(),
		func() m {
			r := vpc("tagged", 1000, "allowed", []any{"0.0.0.0/0"}, tcp22)
			r["targetTags"] = []any{"ssh"}
			return r
		}(),
		vpc("office", 1000, "allowed", []any{"198.51.100.0/24"}, tcp22),
		vpc("internal", 1000, "allowed", []any{"10.0.0.0/8"}, m{"IPProtocol": "tcp", "ports": []any{"0-65535"}}),
		vpc("rdp", 1000, "allowed", []any{"0.0.0.0/0"}, m{"IPProtocol": "tcp", "ports": []any{"3389"}}),
	}}
	rs := Compile(mustEF(t, doc), "")
	got := map[string]string{}
	for _, nm := range rs.NearMisses(pkt("203.0.113.7", 22), Target{}) {
		got[nm.Rule.Name] = nm.Reason
	}
	want := map[string]string{"off": "disabled", "tagged": "target_tag", "office": "source"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("near misses %v, want %v", got, want)
	}
	// port near miss: only an SSH rule, only for another port
	got = map[string]string{}
	rs = Compile(mustEF(t, m{"firewalls": []any{vpc("ssh", 1000, "allowed", []any{"0.0.0.0/0"}, tcp22)}}), "")
	for _, nm := range rs.NearMisses(pkt("203.0.113.7", 2222), Target{}) {
		got[nm.Rule.Name] = nm.Reason
	}
	if got["ssh"] != "port" {
		t.Errorf("port near miss: %v", got)
	}
	// a deny above makes a near miss useless
	doc["firewalls"] = append(doc["firewalls"].([]any), vpc("deny", 10, "denied", []any{"0.0.0.0/0"}, tcp22))
	rs = Compile(mustEF(t, doc), "")
	if nm := rs.NearMisses(pkt("203.0.113.7", 22), Target{}); len(nm) != 0 {
		t.Errorf("near misses under a deny: %+v", nm)
	}
}

func TestPrefixBoundsAndRangeString(t *testing.T) {
	for _, c := range []struct{ p, first, last string }{
		{"35.235.240.0/20", "35.235.240.0", "35.235.255.255"},
		{"0.0.0.0/0", "0.0.0.0", "255.255.255.255"},
		{"10.0.0.7/32", "10.0.0.7", "10.0.0.7"},
		{"2001:db8::/126", "2001:db8::", "2001:db8::3"},
	} {
		f, l := prefixBounds(netip.MustParsePrefix(c.p))
		if f.String() != c.first || l.String() != c.last {
			t.Errorf("%s: %s-%s", c.p, f, l)
		}
		if got := rangeString(f, l); got != c.p && !(c.first == c.last && got == c.first) {
			t.Errorf("rangeString(%s) = %s", c.p, got)
		}
	}
	if got := rangeString(netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.5")); got != "10.0.0.1-10.0.0.5" {
		t.Errorf("rangeString = %s", got)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	var ef EffectiveFirewalls
	if err := json.Unmarshal(gcptest.Fixture("fw-policy-effective-firewalls.json"), &ef); err != nil {
		b.Fatal(err)
	}
	// a large project: 300 more VPC rules with assorted ranges and ports
	for i := 0; i < 300; i++ {
		p := 1000 + i
		ef.Firewalls = append(ef.Firewalls, Firewall{Name: fmt.Sprintf("r%d", i), Priority: &p, Direction: "INGRESS",
			SourceRanges: []string{fmt.Sprintf("%d.%d.0.0/16", 11+i%200, i%256)},
			Allowed:      []FirewallEntry{{IPProtocol: "tcp", Ports: []string{strconv.Itoa(1000 + i)}}}})
	}
	rs := Compile(&ef, "")
	tgt := Target{Network: testNet, Tags: []string{"web"}}
	b.Run("single-address", func(b *testing.B) {
		p := pkt("203.0.113.7", 22)
		for i := 0; i < b.N; i++ {
			_ = rs.Evaluate(p, tgt)
		}
	})
	b.Run("iap-range", func(b *testing.B) {
		p := pkt("35.235.240.0/20", 22)
		for i := 0; i < b.N; i++ {
			_ = rs.Evaluate(p, tgt)
		}
	})
	b.Run("any-internet-address", func(b *testing.B) {
		p := pkt("0.0.0.0/0", 22)
		for i := 0; i < b.N; i++ {
			_ = rs.Evaluate(p, tgt)
		}
	})
	b.Run("compile", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_ = Compile(&ef, "")
		}
	})
}

var _ = sort.Strings
