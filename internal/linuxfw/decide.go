package linuxfw

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/server"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Input is what the read-only commands showed on the host. A nil or
// false member was not read (the tool is missing, or reading needs root).
type Input struct {
	// IptablesSave is iptables-save's output.
	IptablesSave []byte
	// NftJSON is `nft -j list ruleset`.
	NftJSON []byte
	// UFWStatus is `ufw status verbose`.
	UFWStatus string
	// Firewalld is `firewall-cmd --list-all` (the default zone).
	Firewalld string
	// Services resolves a firewalld service name to its TCP ports.
	Services func(string) ([]string, bool)
	// NeedRoot names the commands that were refused for want of root.
	NeedRoot []string
}

// Read reports whether anything at all could be read.
func (in Input) Read() bool {
	return in.IptablesSave != nil || in.NftJSON != nil || in.UFWStatus != "" || in.Firewalld != ""
}

// Decide judges TCP to port from the LAN. The rules the kernel applies
// (nftables, iptables) decide when they could be read; ufw and firewalld
// write those rules, so they name the tool to fix with, and decide on
// their own only when the kernel's rules could not be read (not root).
// ok is false when nothing could be read.
func Decide(in Input, port int) (d Decision, ok bool) {
	pk := server.Packet{DPort: port}
	var kernel []Decision
	nftManaged := bytes.Contains(in.IptablesSave, []byte("nf_tables"))
	if in.IptablesSave != nil {
		if tables, err := server.ParseIptablesSave(bytes.NewReader(in.IptablesSave)); err == nil {
			v := server.EvalIptables(tables, pk)
			kernel = append(kernel, fromVerdict("iptables", v))
		}
	}
	if in.NftJSON != nil {
		if rs, err := server.ParseNftJSON(bytes.NewReader(in.NftJSON)); err == nil {
			skip := func(family, table string) bool {
				if !nftManaged || (family != "ip" && family != "ip6") {
					return false
				}
				switch table {
				case "filter", "nat", "mangle", "raw", "security":
					return true // iptables-nft's tables, judged from iptables-save
				}
				return false
			}
			kernel = append(kernel, fromVerdict("nftables", server.EvalNft(rs, pk, skip)))
		}
	}
	var ufw *UFW
	if u, uok := ParseUFWStatus(in.UFWStatus); uok {
		ufw = &u
	}
	var zone *Zone
	if zs := ParseFirewalldZones(in.Firewalld); len(zs) > 0 {
		// --list-all prints one zone; --list-all-zones marks the default
		// (newer firewalld) or only the active ones.
		zone = &zs[0]
		for i := len(zs) - 1; i >= 0; i-- {
			if zs[i].Active {
				zone = &zs[i]
			}
		}
		for i := range zs {
			if zs[i].Default {
				zone = &zs[i]
			}
		}
	}
	services := in.Services
	if services == nil {
		services = func(s string) ([]string, bool) { p, ok := WellKnownServices[s]; return p, ok }
	}
	if len(kernel) > 0 {
		// Every base chain on the input hook sees the packet; a drop in any
		// one is final. Report the first block, else the most uncertain
		// accept.
		out := Decision{Certain: true, Tool: kernel[0].Tool}
		for _, k := range kernel {
			out.Possible = append(out.Possible, k.Possible...)
			if k.Blocked {
				k.Possible = out.Possible
				attribute(&k, ufw, zone, port)
				return k, true
			}
			out.Certain = out.Certain && k.Certain
		}
		return out, true
	}
	if ufw != nil && ufw.Active {
		return DecideUFW(*ufw, port), true
	}
	if zone != nil {
		return DecideFirewalld(*zone, port, services), true
	}
	if ufw != nil {
		return Decision{Tool: "ufw", Certain: true, Rule: "Status: inactive"}, true
	}
	return Decision{}, false
}

func fromVerdict(tool string, v server.FirewallVerdict) Decision {
	d := Decision{Tool: tool, Blocked: v.Blocked, Certain: v.Certain, Rule: v.Rule, Action: strings.ToLower(v.Action), Where: v.Table, Possible: v.Possible}
	if tool == "nftables" {
		d.Chain = v.Table
	}
	return d
}

// attribute names the tool that wrote the deciding kernel rule: ufw's
// chains are ufw-…, firewalld's nft table is "inet firewalld" (and its
// iptables backend uses chains named after zones).
func attribute(d *Decision, ufw *UFW, zone *Zone, port int) {
	chain := ""
	if strings.HasPrefix(d.Rule, "-A ") {
		if f := strings.Fields(d.Rule); len(f) > 1 {
			chain = f[1]
		}
	}
	switch {
	case strings.HasPrefix(chain, "ufw-") || (ufw != nil && ufw.Active && d.Tool == "iptables" && d.Rule == ":INPUT DROP"):
		d.Tool = "ufw"
		if ufw != nil && strings.HasPrefix(chain, "ufw-user-") {
			// Name the ufw rule behind the kernel's, for the evidence and
			// the fix.
			if u := DecideUFW(*ufw, port); u.Blocked && u.Native != nil {
				d.Native = u.Native
			}
		}
	case strings.HasSuffix(d.Where, " firewalld") || strings.Contains(d.Where, " firewalld ") ||
		strings.HasPrefix(chain, "IN_") || strings.HasPrefix(chain, "INPUT_ZONES") || strings.HasPrefix(chain, "filter_IN_"):
		d.Tool = "firewalld"
		if zone != nil {
			d.Zone = zone.Name
		}
	}
}

// FixCommand is the command that lets TCP port in, for the tool that decided.
func FixCommand(d Decision, port int) string {
	switch d.Tool {
	case "ufw":
		p := strconv.Itoa(port)
		if n := d.Native; n != nil && strings.HasPrefix(n.From, "Anywhere") && (n.To == p || n.To == p+"/tcp") {
			// ufw's own rule for exactly this port: allowing the same
			// port updates that rule in place (inserting an allow ahead of
			// it is refused as an existing rule).
			return "sudo ufw allow " + n.To
		}
		if strings.HasPrefix(d.Rule, "Default:") || strings.HasPrefix(d.Rule, ":INPUT") {
			return "sudo ufw allow " + p + "/tcp"
		}
		// A broader ufw rule denies it: an allow rule must come first.
		return "sudo ufw insert 1 allow " + p + "/tcp"
	case "firewalld":
		z := ""
		if d.Zone != "" {
			z = " --zone=" + d.Zone
		}
		return fmt.Sprintf("sudo firewall-cmd%s --add-port=%d/tcp --permanent\nsudo firewall-cmd --reload", z, port)
	case "nftables":
		f := strings.Fields(d.Chain)
		if len(f) != 3 {
			return fmt.Sprintf("sudo nft list ruleset   # then insert \"tcp dport %d accept\" ahead of the rule that drops it", port)
		}
		return fmt.Sprintf("sudo nft insert rule %s %s %s tcp dport %d accept", f[0], f[1], f[2], port)
	}
	return fmt.Sprintf("sudo iptables -I INPUT -p tcp --dport %d -j ACCEPT", port)
}
