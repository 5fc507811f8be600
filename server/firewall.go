package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// The firewall evaluators answer one question: would a new TCP connection
// from a client (known address, or any) to sshd's port get past the host
// firewall? Each rule matches yes, no or maybe (when it depends on
// something not known, such as the incoming interface); a block that
// happens only through maybe-matches is reported as possible, not certain.

// Packet is the connection attempt evaluated.
type Packet struct {
	Src   netip.Addr // invalid when the client is not known
	DPort int
	V6    bool
}

// tri is a three-valued match.
type tri int

const (
	no tri = iota
	maybe
	yes
)

func and(a, b tri) tri { return min(a, b) }

// FirewallVerdict is the outcome for one packet.
type FirewallVerdict struct {
	Blocked bool   // a rule (or policy) drops or rejects the packet
	Certain bool   // no maybe-match on the way
	Rule    string // the deciding rule, as printed by the tool
	Action  string // DROP, REJECT, policy DROP…
	Table   string // table/chain for nft, table for iptables
	// Possible lists rules that would block if their unknown conditions
	// held (with the condition).
	Possible []string
}

// ---- iptables-save ----

// IptRule is one "-A CHAIN …" line.
type IptRule struct {
	Chain  string
	Text   string
	Line   int
	Target string
	Goto   bool
	args   []string
}

// IptTable is one "*table" section.
type IptTable struct {
	Name     string
	Policies map[string]string
	Rules    map[string][]IptRule
}

// maxFirewallBytes caps firewall dumps read: 64 MiB holds hundreds of
// thousands of rules (a big fail2ban or blocklist setup).
const maxFirewallBytes = 64 << 20

// ParseIptablesSave parses iptables-save output.
func ParseIptablesSave(r io.Reader) (map[string]*IptTable, error) {
	tables := map[string]*IptTable{}
	var cur *IptTable
	sc := bufio.NewScanner(io.LimitReader(r, maxFirewallBytes))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '*':
			cur = &IptTable{Name: line[1:], Policies: map[string]string{}, Rules: map[string][]IptRule{}}
			tables[cur.Name] = cur
		case line == "COMMIT":
			cur = nil
		case line[0] == ':' && cur != nil:
			f := strings.Fields(line[1:])
			if len(f) >= 2 {
				cur.Policies[f[0]] = f[1]
			}
		case strings.HasPrefix(line, "-A ") && cur != nil:
			args := shellFields(line)
			if len(args) < 2 {
				continue
			}
			rl := IptRule{Chain: args[1], Text: capText(line, 300), Line: n, args: args[2:]}
			for i := 2; i+1 < len(args); i++ {
				if args[i] == "-j" || args[i] == "--jump" {
					rl.Target = args[i+1]
				}
				if args[i] == "-g" || args[i] == "--goto" {
					rl.Target, rl.Goto = args[i+1], true
				}
			}
			cur.Rules[rl.Chain] = append(cur.Rules[rl.Chain], rl)
		}
	}
	return tables, sc.Err()
}

// shellFields splits a rule line with double-quote handling (comments).
func shellFields(s string) []string {
	var out []string
	var b strings.Builder
	inQ, have := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && inQ && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			inQ, have = !inQ, true
		case !inQ && (c == ' ' || c == '\t'):
			if have {
				out = append(out, b.String())
				b.Reset()
				have = false
			}
		default:
			b.WriteByte(c)
			have = true
		}
	}
	if have {
		out = append(out, b.String())
	}
	return out
}

// matchIpt decides whether the rule's conditions match the packet; why
// names the unknown condition for a maybe.
func matchIpt(r *IptRule, p Packet) (tri, string) {
	res, why := yes, ""
	set := func(t tri, w string) {
		if t < res {
			res = t
			if t == maybe {
				why = w
			}
		}
	}
	a := r.args
	for i := 0; i < len(a) && res != no; i++ {
		neg := false
		if a[i] == "!" {
			neg = true
			i++
			if i >= len(a) {
				break
			}
		}
		opt := a[i]
		val := ""
		if i+1 < len(a) {
			val = a[i+1]
		}
		// A "! " may also sit between an option and its value.
		if val == "!" && i+2 < len(a) {
			neg, val = !neg, a[i+2]
			i++
		}
		flip := func(t tri) tri {
			if !neg || t == maybe {
				return t
			}
			if t == yes {
				return no
			}
			return yes
		}
		switch opt {
		case "-j", "--jump", "-g", "--goto":
			i++
			// Target options follow; skip them.
			for i+1 < len(a) && strings.HasPrefix(a[i+1], "--") {
				i++
				if i+1 < len(a) && !strings.HasPrefix(a[i+1], "-") {
					i++
				}
			}
		case "-p", "--protocol":
			i++
			v := strings.ToLower(val)
			set(flip(boolTri(v == "tcp" || v == "6" || v == "all")), "")
		case "-s", "--source":
			i++
			set(flip(addrTri(val, p.Src)), "source "+val)
		case "-d", "--destination":
			i++
			if val == "0.0.0.0/0" || val == "::/0" {
				set(flip(yes), "")
			} else {
				set(maybe, "destination "+val)
			}
		case "-i", "--in-interface":
			i++
			if val == "lo" {
				set(flip(no), "")
			} else {
				set(maybe, "incoming interface "+boolNeg(neg)+val)
			}
		case "-o", "--out-interface":
			i++
		case "-m", "--match":
			i++
		case "--dport", "--destination-port", "--dports", "--destination-ports":
			i++
			set(flip(boolTri(portIn(val, p.DPort, ":"))), "")
		case "--sport", "--source-port", "--sports", "--source-ports":
			i++
			set(maybe, "client port "+val)
		case "--state", "--ctstate":
			i++
			has := false
			for _, s := range strings.Split(val, ",") {
				if s == "NEW" {
					has = true
				}
			}
			set(flip(boolTri(has)), "")
		case "--syn":
			set(flip(yes), "")
		case "--tcp-flags":
			i += 2
			set(maybe, "TCP flags")
		case "--dst-type":
			i++
			if val == "LOCAL" {
				set(flip(yes), "")
			} else {
				set(maybe, "address type "+val)
			}
		case "--comment":
			i++
		case "--match-set":
			i += 2
			set(maybe, "ipset "+val)
		case "-4", "--ipv4", "-6", "--ipv6":
		default:
			if strings.HasPrefix(opt, "-") {
				// An unknown match option: its value (if any) is skipped
				// and the rule is only possibly matching.
				if val != "" && !strings.HasPrefix(val, "-") {
					i++
				}
				set(maybe, strings.TrimLeft(opt, "-")+" "+val)
			}
		}
	}
	return res, why
}

func boolNeg(n bool) string {
	if n {
		return "not "
	}
	return ""
}

func boolTri(b bool) tri {
	if b {
		return yes
	}
	return no
}

// addrTri matches a source spec (addr or addr/len, possibly a mask) against
// the client address.
func addrTri(spec string, src netip.Addr) tri {
	if spec == "0.0.0.0/0" || spec == "::/0" {
		return yes
	}
	best := no
	for _, s := range strings.Split(spec, ",") {
		pfx, err := parsePrefixOrMask(s)
		if err != nil {
			return maybe
		}
		if !src.IsValid() {
			return maybe
		}
		if pfx.Contains(src) {
			best = yes
		}
	}
	return best
}

func parsePrefixOrMask(s string) (netip.Prefix, error) {
	if a, m, ok := strings.Cut(s, "/"); ok && strings.Contains(m, ".") {
		ma, err := netip.ParseAddr(m)
		if err != nil {
			return netip.Prefix{}, err
		}
		bits := 0
		for _, b := range ma.As4() {
			for b&0x80 != 0 {
				bits++
				b <<= 1
			}
		}
		s = a + "/" + strconv.Itoa(bits)
	}
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, err
	}
	return p.Masked(), nil
}

// portIn matches "22", "22,2222", "1000:2000" (sep ":" for iptables).
func portIn(spec string, port int, sep string) bool {
	for _, part := range strings.Split(spec, ",") {
		lo, hi, isRange := strings.Cut(part, sep)
		l, err := parsePortName(lo)
		if err != nil {
			continue
		}
		h := l
		if isRange {
			if hi == "" {
				h = 65535
			} else if h, err = parsePortName(hi); err != nil {
				continue
			}
		}
		if port >= l && port <= h {
			return true
		}
	}
	return false
}

func parsePortName(s string) (int, error) {
	switch strings.ToLower(s) {
	case "ssh":
		return 22, nil
	case "":
		return 0, nil
	}
	return strconv.Atoi(s)
}

// EvalIptables evaluates the filter table's INPUT chain for p.
func EvalIptables(tables map[string]*IptTable, p Packet) FirewallVerdict {
	var v FirewallVerdict
	t := tables["filter"]
	if t == nil {
		v.Certain = true
		return v
	}
	ev := iptEval{t: t, p: p, v: &v}
	dec, rule, certain := ev.walk("INPUT", 0, true)
	switch dec {
	case "block":
		v.Blocked, v.Certain, v.Rule, v.Action, v.Table = true, certain, rule.Text, rule.Target, "filter"
	case "accept":
		v.Certain = certain
	default:
		pol := t.Policies["INPUT"]
		v.Certain = certain
		if pol == "DROP" || pol == "REJECT" {
			v.Blocked, v.Rule, v.Action, v.Table = true, ":INPUT "+pol, "policy "+pol, "filter"
		}
	}
	return v
}

type iptEval struct {
	t     *IptTable
	p     Packet
	v     *FirewallVerdict
	steps int
}

// maxRuleSteps bounds evaluation of pathological jump graphs.
const maxRuleSteps = 200000

func isBlockTarget(t string) bool {
	switch t {
	case "DROP", "REJECT", "TARPIT":
		return true
	}
	return false
}

func (e *iptEval) walk(chain string, depth int, certain bool) (string, *IptRule, bool) {
	if depth > 32 {
		return "", nil, false
	}
	rules := e.t.Rules[chain]
	for i := range rules {
		e.steps++
		if e.steps > maxRuleSteps {
			return "", nil, false
		}
		r := &rules[i]
		m, why := matchIpt(r, e.p)
		if m == no {
			continue
		}
		switch {
		case r.Target == "ACCEPT":
			if m == yes {
				return "accept", r, certain
			}
			certain = false
		case isBlockTarget(r.Target):
			if m == yes {
				return "block", r, certain
			}
			e.v.Possible = append(e.v.Possible, r.Text+"  (if "+why+")")
		case r.Target == "RETURN":
			if m == yes {
				return "return", r, certain
			}
			certain = false
		case e.t.Rules[r.Target] != nil || e.t.Policies[r.Target] != "":
			dec, sub, c := e.walk(r.Target, depth+1, certain && m == yes)
			if dec == "accept" || dec == "block" {
				if m == yes {
					return dec, sub, c
				}
				if dec == "block" {
					e.v.Possible = append(e.v.Possible, sub.Text+"  (if "+why+")")
				} else {
					certain = false
				}
				continue
			}
			if r.Goto && m == yes {
				return "return", r, certain
			}
		}
	}
	return "", nil, certain
}

// ---- nftables (nft -j list ruleset) ----

type nftDoc struct {
	Nftables []map[string]json.RawMessage `json:"nftables"`
}

type nftChain struct {
	Family, Table, Name string
	Type, Hook          string
	Prio                int
	Policy              string
	Rules               []nftRule
}

type nftRule struct {
	Expr []map[string]json.RawMessage
	Text string
}

type nftSet struct {
	Elems []json.RawMessage
}

// NftRuleset is a parsed `nft -j list ruleset`.
type NftRuleset struct {
	chains map[string]*nftChain // family/table/name
	sets   map[string]*nftSet   // family/table/name
	order  []string
}

// ParseNftJSON parses the JSON form of the ruleset.
func ParseNftJSON(r io.Reader) (*NftRuleset, error) {
	var doc nftDoc
	dec := json.NewDecoder(io.LimitReader(r, maxFirewallBytes))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("nft JSON: %w", err)
	}
	rs := &NftRuleset{chains: map[string]*nftChain{}, sets: map[string]*nftSet{}}
	for _, obj := range doc.Nftables {
		if raw, ok := obj["chain"]; ok {
			var c struct {
				Family, Table, Name, Type, Hook, Policy string
				Prio                                    json.RawMessage
			}
			if json.Unmarshal(raw, &c) != nil {
				continue
			}
			prio := 0
			_ = json.Unmarshal(c.Prio, &prio)
			k := c.Family + "/" + c.Table + "/" + c.Name
			if _, dup := rs.chains[k]; !dup {
				rs.order = append(rs.order, k)
			}
			rs.chains[k] = &nftChain{Family: c.Family, Table: c.Table, Name: c.Name, Type: c.Type, Hook: c.Hook, Prio: prio, Policy: c.Policy}
		}
		if raw, ok := obj["rule"]; ok {
			var rl struct {
				Family, Table, Chain string
				Expr                 []map[string]json.RawMessage
			}
			if json.Unmarshal(raw, &rl) != nil {
				continue
			}
			k := rl.Family + "/" + rl.Table + "/" + rl.Chain
			c := rs.chains[k]
			if c == nil {
				c = &nftChain{Family: rl.Family, Table: rl.Table, Name: rl.Chain}
				rs.chains[k] = c
				rs.order = append(rs.order, k)
			}
			c.Rules = append(c.Rules, nftRule{Expr: rl.Expr, Text: capText(renderNft(rl.Expr), 300)})
		}
		if raw, ok := obj["set"]; ok {
			var s struct {
				Family, Table, Name string
				Elem                []json.RawMessage
			}
			if json.Unmarshal(raw, &s) != nil {
				continue
			}
			rs.sets[s.Family+"/"+s.Table+"/"+s.Name] = &nftSet{Elems: s.Elem}
		}
	}
	return rs, nil
}

// renderNft prints a rule compactly in nft's own words where it can.
func renderNft(expr []map[string]json.RawMessage) string {
	var parts []string
	for _, e := range expr {
		for k, v := range e {
			switch k {
			case "match":
				var m struct {
					Op          string
					Left, Right json.RawMessage
				}
				if json.Unmarshal(v, &m) == nil {
					parts = append(parts, renderOperand(m.Left)+" "+opWord(m.Op)+renderOperand(m.Right))
				}
			case "counter", "comment":
			case "jump", "goto":
				var t struct{ Target string }
				_ = json.Unmarshal(v, &t)
				parts = append(parts, k+" "+t.Target)
			default:
				parts = append(parts, k)
			}
		}
	}
	return strings.Join(parts, " ")
}

func opWord(op string) string {
	switch op {
	case "==", "in", "":
		return ""
	}
	return op + " "
}

func renderOperand(raw json.RawMessage) string {
	var x any
	if json.Unmarshal(raw, &x) != nil {
		return "?"
	}
	return renderAny(x, 0)
}

func renderAny(x any, depth int) string {
	if depth > 8 {
		return "…"
	}
	switch t := x.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case []any:
		var s []string
		for _, e := range t {
			s = append(s, renderAny(e, depth+1))
		}
		return "{ " + strings.Join(s, ", ") + " }"
	case map[string]any:
		if p, ok := t["payload"].(map[string]any); ok {
			return fmt.Sprint(p["protocol"], " ", p["field"])
		}
		if m, ok := t["meta"].(map[string]any); ok {
			return fmt.Sprint("meta ", m["key"])
		}
		if c, ok := t["ct"].(map[string]any); ok {
			return fmt.Sprint("ct ", c["key"])
		}
		if p, ok := t["prefix"].(map[string]any); ok {
			return fmt.Sprint(p["addr"], "/", p["len"])
		}
		if r, ok := t["range"].([]any); ok && len(r) == 2 {
			return renderAny(r[0], depth+1) + "-" + renderAny(r[1], depth+1)
		}
		if s, ok := t["set"]; ok {
			return renderAny(s, depth+1)
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return strings.Join(keys, ",")
	}
	return fmt.Sprint(x)
}

// EvalNft evaluates every base chain on the input path (filter chains on
// the input and prerouting hooks, lowest priority first) for p. skipTable
// names tables to leave out (those iptables-nft manages, already evaluated
// from iptables-save).
func EvalNft(rs *NftRuleset, p Packet, skipTable func(family, table string) bool) FirewallVerdict {
	var v FirewallVerdict
	v.Certain = true
	var base []*nftChain
	for _, k := range rs.order {
		c := rs.chains[k]
		if c.Hook != "input" && c.Hook != "prerouting" {
			continue
		}
		if c.Type != "" && c.Type != "filter" {
			continue
		}
		if !familyApplies(c.Family, p.V6) || (skipTable != nil && skipTable(c.Family, c.Table)) {
			continue
		}
		base = append(base, c)
	}
	sort.SliceStable(base, func(i, j int) bool {
		hi, hj := hookOrder(base[i].Hook), hookOrder(base[j].Hook)
		if hi != hj {
			return hi < hj
		}
		return base[i].Prio < base[j].Prio
	})
	for _, c := range base {
		ev := nftEval{rs: rs, p: p, v: &v, fam: c.Family, table: c.Table}
		dec, rule, certain := ev.walk(c, 0, v.Certain)
		v.Certain = certain
		where := c.Family + " " + c.Table + " " + c.Name
		switch dec {
		case "block":
			v.Blocked, v.Rule, v.Action, v.Table = true, rule, "drop", where
			return v
		case "accept":
			continue
		default:
			if strings.EqualFold(c.Policy, "drop") {
				v.Blocked, v.Rule, v.Action, v.Table = true, "chain "+c.Name+" policy drop", "policy drop", where
				return v
			}
		}
	}
	return v
}

func hookOrder(h string) int {
	if h == "prerouting" {
		return 0
	}
	return 1
}

func familyApplies(f string, v6 bool) bool {
	switch f {
	case "inet", "netdev", "bridge":
		return true
	case "ip":
		return !v6
	case "ip6":
		return v6
	}
	return false
}

type nftEval struct {
	rs         *NftRuleset
	p          Packet
	v          *FirewallVerdict
	fam, table string
	steps      int
}

func (e *nftEval) walk(c *nftChain, depth int, certain bool) (string, string, bool) {
	if depth > 32 {
		return "", "", false
	}
	for i := range c.Rules {
		e.steps++
		if e.steps > maxRuleSteps {
			return "", "", false
		}
		r := &c.Rules[i]
		m, why := yes, ""
		for _, ex := range r.Expr {
			if m == no {
				break
			}
			for k, raw := range ex {
				switch k {
				case "match":
					t, w := e.match(raw)
					if t < m {
						m = t
						if t == maybe {
							why = w
						}
					}
				case "accept":
					if m == yes {
						return "accept", r.Text, certain
					}
					certain = false
				case "drop", "reject":
					if m == yes {
						return "block", r.Text, certain
					}
					e.v.Possible = append(e.v.Possible, r.Text+"  (if "+why+")")
				case "return":
					if m == yes {
						return "return", r.Text, certain
					}
					certain = false
				case "jump", "goto":
					var t struct{ Target string }
					_ = json.Unmarshal(raw, &t)
					sub := e.rs.chains[e.fam+"/"+e.table+"/"+t.Target]
					if sub == nil {
						continue
					}
					dec, rule, cc := e.walk(sub, depth+1, certain && m == yes)
					if dec == "accept" || dec == "block" {
						if m == yes {
							return dec, rule, cc
						}
						if dec == "block" {
							e.v.Possible = append(e.v.Possible, rule+"  (if "+why+")")
						} else {
							certain = false
						}
					} else if k == "goto" && m == yes {
						return "return", r.Text, certain
					}
				case "xt":
					// A match iptables-nft could not translate.
					if m == yes {
						m, why = maybe, "iptables extension"
					}
				case "counter", "comment", "log", "meta", "ct", "mangle", "notrack":
				default:
					// limit, quota and similar statements decide per packet.
					if k == "limit" || k == "quota" {
						if m == yes {
							m, why = maybe, k
						}
					}
				}
			}
		}
	}
	return "", "", certain
}

// match evaluates one {"match": …} expression.
func (e *nftEval) match(raw json.RawMessage) (tri, string) {
	var m struct {
		Op          string
		Left, Right json.RawMessage
	}
	if json.Unmarshal(raw, &m) != nil {
		return maybe, "unreadable match"
	}
	var left map[string]map[string]any
	_ = json.Unmarshal(m.Left, &left)
	neg := m.Op == "!="
	flip := func(t tri) tri {
		if !neg || t == maybe {
			return t
		}
		if t == yes {
			return no
		}
		return yes
	}
	if m.Op != "" && m.Op != "==" && m.Op != "!=" && m.Op != "in" {
		return maybe, renderOperand(m.Left) + " " + m.Op + " " + renderOperand(m.Right)
	}
	if pl, ok := left["payload"]; ok {
		proto, _ := pl["protocol"].(string)
		field, _ := pl["field"].(string)
		switch {
		case proto == "tcp" && field == "dport":
			return flip(e.valueHas(m.Right, func(x any) tri { return portTri(x, e.p.DPort) })), ""
		case (proto == "tcp" || proto == "udp" || proto == "th") && field == "sport":
			return maybe, "client port"
		case proto == "udp" || proto == "icmp" || proto == "icmpv6" || proto == "sctp":
			return no, ""
		case (proto == "ip" && field == "saddr") || (proto == "ip6" && field == "saddr"):
			if (proto == "ip6") != e.p.V6 {
				return no, ""
			}
			if !e.p.Src.IsValid() {
				return maybe, "source " + renderOperand(m.Right)
			}
			return flip(e.valueHas(m.Right, func(x any) tri { return addrValTri(x, e.p.Src) })), ""
		case field == "daddr":
			return maybe, "destination " + renderOperand(m.Right)
		case proto == "ip" && field == "protocol", proto == "ip6" && field == "nexthdr":
			return flip(e.valueHas(m.Right, func(x any) tri { return boolTri(x == "tcp" || x == float64(6)) })), ""
		}
		return maybe, renderOperand(m.Left)
	}
	if mk, ok := left["meta"]; ok {
		key, _ := mk["key"].(string)
		switch key {
		case "l4proto", "protocol":
			if key == "protocol" {
				return flip(e.valueHas(m.Right, func(x any) tri {
					want := "ip"
					if e.p.V6 {
						want = "ip6"
					}
					return boolTri(x == want)
				})), ""
			}
			return flip(e.valueHas(m.Right, func(x any) tri { return boolTri(x == "tcp" || x == float64(6)) })), ""
		case "nfproto":
			return flip(e.valueHas(m.Right, func(x any) tri {
				return boolTri((x == "ipv6") == e.p.V6 && (x == "ipv4" || x == "ipv6"))
			})), ""
		case "iifname", "iif":
			t := e.valueHas(m.Right, func(x any) tri {
				if x == "lo" {
					return yes
				}
				return maybe
			})
			if t == yes {
				return flip(no), ""
			}
			return maybe, "incoming interface " + opWord(m.Op) + renderOperand(m.Right)
		}
		return maybe, "meta " + key
	}
	if ck, ok := left["ct"]; ok {
		key, _ := ck["key"].(string)
		if key == "state" {
			return flip(e.valueHas(m.Right, func(x any) tri { return boolTri(x == "new") })), ""
		}
		return maybe, "ct " + key
	}
	if _, ok := left["fib"]; ok {
		return maybe, "fib lookup"
	}
	return maybe, renderOperand(m.Left)
}

// valueHas evaluates a right-hand side (value, set, range, prefix, named
// @set) with f on each element: yes if any element matches.
func (e *nftEval) valueHas(raw json.RawMessage, f func(any) tri) tri {
	var x any
	if json.Unmarshal(raw, &x) != nil {
		return maybe
	}
	return e.anyHas(x, f, 0)
}

func (e *nftEval) anyHas(x any, f func(any) tri, depth int) tri {
	if depth > 8 {
		return maybe
	}
	switch t := x.(type) {
	case string:
		if strings.HasPrefix(t, "@") {
			s := e.rs.sets[e.fam+"/"+e.table+"/"+t[1:]]
			if s == nil {
				return maybe
			}
			best := no
			for _, el := range s.Elems {
				var v any
				if json.Unmarshal(el, &v) != nil {
					continue
				}
				best = max(best, e.anyHas(v, f, depth+1))
			}
			return best
		}
		return f(t)
	case []any:
		best := no
		for _, el := range t {
			best = max(best, e.anyHas(el, f, depth+1))
		}
		return best
	case map[string]any:
		if s, ok := t["set"]; ok {
			return e.anyHas(s, f, depth+1)
		}
		if el, ok := t["elem"].(map[string]any); ok {
			return e.anyHas(el["val"], f, depth+1)
		}
		return f(t)
	}
	return f(x)
}

func portTri(x any, port int) tri {
	switch t := x.(type) {
	case float64:
		return boolTri(int(t) == port)
	case string:
		n, err := parsePortName(t)
		if err != nil {
			return maybe
		}
		return boolTri(n == port)
	case map[string]any:
		if r, ok := t["range"].([]any); ok && len(r) == 2 {
			lo, ok1 := r[0].(float64)
			hi, ok2 := r[1].(float64)
			if ok1 && ok2 {
				return boolTri(port >= int(lo) && port <= int(hi))
			}
		}
	}
	return maybe
}

func addrValTri(x any, src netip.Addr) tri {
	switch t := x.(type) {
	case string:
		return addrTri(t, src)
	case map[string]any:
		if p, ok := t["prefix"].(map[string]any); ok {
			a, _ := p["addr"].(string)
			l, _ := p["len"].(float64)
			return addrTri(a+"/"+strconv.Itoa(int(l)), src)
		}
		if r, ok := t["range"].([]any); ok && len(r) == 2 {
			lo, _ := r[0].(string)
			hi, _ := r[1].(string)
			la, err1 := netip.ParseAddr(lo)
			ha, err2 := netip.ParseAddr(hi)
			if err1 != nil || err2 != nil {
				return maybe
			}
			return boolTri(src.Compare(la) >= 0 && src.Compare(ha) <= 0)
		}
	}
	return maybe
}
