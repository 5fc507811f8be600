package scan

import (
	"sort"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/inventory"
	"github.com/sshdoctor/sshdoctor/report"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// Facts are what a report tells about the server, for tables, metrics and
// fleet findings. Empty fields were not observed.
type Facts struct {
	Software    string            // from the identification line, e.g. OpenSSH_9.6p1
	HostKey     string            // "ssh-ed25519 SHA256:…"
	Address     string            // the address:port connected to
	Offers      map[string]string // kex slot → the server's comma-separated offer
	HostChanged bool              // the key differs from known_hosts
}

// slotOfCode maps the key exchange's "no match" codes to their slot.
var slotOfCode = map[string]sshwire.Slot{
	"kex.no_kex_alg": sshwire.SlotKex, "kex.no_hostkey_alg": sshwire.SlotHostKey,
	"kex.no_cipher": sshwire.SlotCipher, "kex.no_mac": sshwire.SlotMAC,
}

// offerEvidence maps kex.offer's evidence to slots.
var offerEvidence = map[string]sshwire.Slot{
	"server_kex": sshwire.SlotKex, "server_hostkeys": sshwire.SlotHostKey,
	"server_ciphers": sshwire.SlotCipher, "server_macs": sshwire.SlotMAC,
}

// FactsOf reads the facts out of a report.
func FactsOf(r *report.Report) Facts {
	f := Facts{Offers: map[string]string{}}
	if r == nil {
		return f
	}
	for _, c := range r.Checks {
		for _, fd := range c.Findings {
			ev := fd.Evidence
			if id := ev["identification"]; id != "" && f.Software == "" {
				f.Software = softwareOf(id)
			}
			if s := ev["server_software"]; s != "" && f.Software == "" {
				f.Software = s
			}
			if hk := ev["host_key"]; hk != "" && f.HostKey == "" {
				f.HostKey = firstLine(hk)
			}
			if a := ev["address"]; a != "" && f.Address == "" && strings.Contains(a, ":") {
				f.Address = firstLine(a)
			}
			if fd.Code == "kex.offer" {
				for k, slot := range offerEvidence {
					if v := ev[k]; v != "" {
						f.Offers[string(slot)] = v
					}
				}
			}
			if slot, ok := slotOfCode[fd.Code]; ok && ev["their_offer"] != "" {
				f.Offers[string(slot)] = ev["their_offer"]
			}
			if fd.Code == "hostkey.changed" {
				f.HostChanged = true
			}
		}
	}
	if f.Address == "" && r.Target != nil && len(r.Target.Addresses) > 0 {
		f.Address = r.Target.Addresses[0] + ":" + strconv.Itoa(r.Target.Port)
	}
	return f
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// softwareOf takes "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3" to "OpenSSH_9.6p1".
func softwareOf(id string) string {
	id = firstLine(id)
	parts := strings.SplitN(id, "-", 3)
	if len(parts) < 3 {
		return ""
	}
	sw := parts[2]
	if i := strings.IndexByte(sw, ' '); i >= 0 {
		sw = sw[:i]
	}
	return sw
}

// DeprecatedOnly lists the slots in which a server offers nothing but
// algorithms current OpenSSH has turned off (ssh-rsa, SHA-1 key
// exchange, CBC ciphers, MD5/SHA-1 MACs…): a client upgrade cuts it off.
func (f Facts) DeprecatedOnly() []string {
	var out []string
	for _, slot := range []sshwire.Slot{sshwire.SlotKex, sshwire.SlotHostKey, sshwire.SlotCipher, sshwire.SlotMAC} {
		offer := f.Offers[string(slot)]
		if offer == "" {
			continue
		}
		n, weak := 0, 0
		for _, a := range strings.Split(offer, ",") {
			if a == "" || strings.HasPrefix(a, "ext-info-") || strings.HasPrefix(a, "kex-strict-") {
				continue
			}
			n++
			if sshwire.Weak(slot, a) != sshwire.WeakNone {
				weak++
			}
		}
		if n > 0 && weak == n {
			out = append(out, string(slot))
		}
	}
	return out
}

// Group is every host that ended with the same root cause.
type Group struct {
	Code    string   `json:"code"`
	Result  string   `json:"result"`
	Title   string   `json:"title"`
	Count   int      `json:"count"`
	Hosts   []string `json:"hosts"`
	Example string   `json:"fix,omitempty"` // the first fix command, when one applies to the group
}

// FleetFinding is something only seen across hosts.
type FleetFinding struct {
	Code  string   `json:"code"`
	Hosts []string `json:"hosts"`
	// Detail is the shared key for fleet.shared_host_key, the deprecated
	// slots for fleet.deprecated_only.
	Detail string `json:"detail,omitempty"`
}

// Fleet finding codes (catalogued in catalog/scan.go).
const (
	FleetSharedHostKey  = "fleet.shared_host_key"
	FleetHostKeyChanged = "fleet.host_key_changed"
	FleetDeprecatedOnly = "fleet.deprecated_only"
)

// Summary is the scan's conclusion.
type Summary struct {
	Hosts       int            `json:"hosts"`
	Results     map[string]int `json:"results"` // ok / problem / inconclusive → count
	Connections int            `json:"connections"`
	Groups      []Group        `json:"groups"`
	Fleet       []FleetFinding `json:"fleet"`
	DurationMS  int64          `json:"duration_ms"`
	Interrupted bool           `json:"interrupted,omitempty"`
	ExitCode    int            `json:"exit_code"`
	NotScanned  map[string]int `json:"not_scanned,omitempty"` // reason → count (hashed known_hosts, winrm hosts…)
}

var verdictRank = map[string]int{"problem": 0, "inconclusive": 1, "ok": 2}

// HostLabel is how a host is named in tables: the inventory name, with the
// destination when it differs.
func HostLabel(t inventory.Target) string {
	d := t.Dest()
	if t.Name == "" || t.Name == t.Host || t.Name == d {
		return d
	}
	return t.Name + " (" + d + ")"
}

// Summarize groups results by root cause and finds the fleet findings.
// titleOf renders a code's title for a whole group, in the caller's
// language, worded without any one host's values ("" when there is no such
// wording: the group then takes its first host's title). A group's fix is
// the first fix command every host of the group was given, so it never
// names one host of many.
func Summarize(results []Result, titleOf func(code string) string) *Summary {
	s := &Summary{Hosts: len(results), Results: map[string]int{"ok": 0, "problem": 0, "inconclusive": 0},
		Groups: []Group{}, Fleet: []FleetFinding{}}
	idx := map[string]int{}
	keys := map[string][]string{} // host key → hosts
	keyAddr := map[string]map[string]bool{}
	var changed []string
	deprecated := map[string][]string{} // slots → hosts
	fixes := map[string][]string{}      // code → the commands every host of its group got, in the first's order
	for i := range results {
		r := &results[i]
		v := r.Verdict()
		s.Results[v]++
		s.Connections += r.Connections()
		code := r.Code()
		label := HostLabel(r.Target)
		gi, ok := idx[code]
		if !ok {
			g := Group{Code: code, Result: v}
			if titleOf != nil {
				g.Title = titleOf(code)
			}
			if g.Title == "" && r.Report != nil {
				g.Title = r.Report.Diagnosis.Title
			}
			fixes[code] = fixCommands(r.Report)
			gi = len(s.Groups)
			idx[code] = gi
			s.Groups = append(s.Groups, g)
		}
		if ok {
			fixes[code] = common(fixes[code], fixCommands(r.Report))
		}
		s.Groups[gi].Count++
		s.Groups[gi].Hosts = append(s.Groups[gi].Hosts, label)

		f := FactsOf(r.Report)
		if f.HostKey != "" {
			addr := f.Address
			if addr == "" {
				addr = r.Target.Host + ":" + strconv.Itoa(r.Target.Port)
			}
			if keyAddr[f.HostKey] == nil {
				keyAddr[f.HostKey] = map[string]bool{}
			}
			// The same machine listed twice (a name and its address) is
			// not a shared key: count distinct addresses.
			if !keyAddr[f.HostKey][addr] {
				keyAddr[f.HostKey][addr] = true
				keys[f.HostKey] = append(keys[f.HostKey], label)
			}
		}
		if f.HostChanged {
			changed = append(changed, label)
		}
		if d := f.DeprecatedOnly(); len(d) > 0 {
			k := strings.Join(d, ",")
			deprecated[k] = append(deprecated[k], label)
		}
	}
	for i := range s.Groups {
		if f := fixes[s.Groups[i].Code]; len(f) > 0 {
			s.Groups[i].Example = f[0]
		}
	}
	sort.SliceStable(s.Groups, func(i, j int) bool {
		a, b := s.Groups[i], s.Groups[j]
		if verdictRank[a.Result] != verdictRank[b.Result] {
			return verdictRank[a.Result] < verdictRank[b.Result]
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Code < b.Code
	})
	var shared []string
	for k, hosts := range keys {
		if len(hosts) > 1 {
			shared = append(shared, k)
		}
	}
	sort.Slice(shared, func(i, j int) bool {
		if len(keys[shared[i]]) != len(keys[shared[j]]) {
			return len(keys[shared[i]]) > len(keys[shared[j]])
		}
		return shared[i] < shared[j]
	})
	for _, k := range shared {
		s.Fleet = append(s.Fleet, FleetFinding{Code: FleetSharedHostKey, Hosts: keys[k], Detail: k})
	}
	if len(changed) > 0 {
		s.Fleet = append(s.Fleet, FleetFinding{Code: FleetHostKeyChanged, Hosts: changed})
	}
	var dk []string
	for k := range deprecated {
		dk = append(dk, k)
	}
	sort.Strings(dk)
	for _, k := range dk {
		s.Fleet = append(s.Fleet, FleetFinding{Code: FleetDeprecatedOnly, Hosts: deprecated[k], Detail: k})
	}
	return s
}

// fixCommands lists the diagnosis's fix commands in order.
func fixCommands(r *report.Report) []string {
	if r == nil {
		return nil
	}
	var out []string
	for _, fx := range r.Diagnosis.Fixes {
		if fx.Command != "" {
			out = append(out, fx.Command)
		}
	}
	return out
}

// common keeps the commands of have that are also in other, in have's order.
func common(have, other []string) []string {
	in := make(map[string]bool, len(other))
	for _, c := range other {
		in[c] = true
	}
	out := have[:0]
	for _, c := range have {
		if in[c] {
			out = append(out, c)
		}
	}
	return out
}
