package linuxfw

import (
	"bufio"
	"encoding/xml"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// Zone is one zone as `firewall-cmd --list-all` prints it.
type Zone struct {
	Name    string
	Active  bool
	Default bool
	// Target: "default" (reject what no rule allows), "ACCEPT", "DROP",
	// "%%REJECT%%".
	Target     string
	Interfaces []string
	Sources    []string
	Services   []string
	Ports      []string // "2222/tcp", "6000-6010/tcp"
	RichRules  []string
}

// ParseFirewalldZones reads `firewall-cmd --list-all` (one zone) or
// `--list-all-zones` (several, separated by blank lines).
func ParseFirewalldZones(text string) []Zone {
	var zs []Zone
	var cur *Zone
	inRich := false
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	n := 0
	for sc.Scan() {
		if n++; n > maxLines {
			break
		}
		l := strings.TrimRight(sc.Text(), " \r")
		if strings.TrimSpace(l) == "" {
			inRich = false
			continue
		}
		if l[0] != ' ' && l[0] != '\t' {
			// "public (active)", "trusted", "home (default, active)"
			name, rest, _ := strings.Cut(l, " ")
			zs = append(zs, Zone{Name: name, Active: strings.Contains(rest, "active"), Default: strings.Contains(rest, "default")})
			cur = &zs[len(zs)-1]
			inRich = false
			continue
		}
		if cur == nil {
			continue
		}
		t := strings.TrimSpace(l)
		if inRich && strings.HasPrefix(t, "rule") {
			cur.RichRules = append(cur.RichRules, t)
			continue
		}
		key, val, ok := strings.Cut(t, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch key {
		case "target":
			cur.Target = val
		case "interfaces":
			cur.Interfaces = strings.Fields(val)
		case "sources":
			cur.Sources = strings.Fields(val)
		case "services":
			cur.Services = strings.Fields(val)
		case "ports":
			cur.Ports = strings.Fields(val)
		case "rich rules":
			inRich = true
			if strings.HasPrefix(val, "rule") {
				cur.RichRules = append(cur.RichRules, val)
			}
		default:
			inRich = false
		}
	}
	return zs
}

// ServicePorts reads a firewalld service definition
// (/usr/lib/firewalld/services/NAME.xml) and returns its TCP ports.
func ServicePorts(data []byte) []string {
	var s struct {
		Ports []struct {
			Protocol string `xml:"protocol,attr"`
			Port     string `xml:"port,attr"`
		} `xml:"port"`
	}
	if xml.Unmarshal(data, &s) != nil {
		return nil
	}
	var out []string
	for _, p := range s.Ports {
		if p.Protocol == "tcp" {
			out = append(out, p.Port)
		}
	}
	return out
}

var (
	richPortRE    = lazyre.New(`\bport port="([^"]+)" protocol="([^"]+)"`)
	richServiceRE = lazyre.New(`\bservice name="([^"]+)"`)
	richSourceRE  = lazyre.New(`\bsource (?:NOT )?(?:address|ipset|mac)="([^"]+)"`)
	richFamilyRE  = lazyre.New(`\bfamily="([^"]+)"`)
	richActionRE  = lazyre.New(`\b(accept|reject|drop)\b[^"]*$`)
)

// DecideFirewalld judges TCP to port from the LAN in zone z, as firewalld
// builds its rules: rich rules that deny, then those that allow, then the
// zone's services and ports, then its target. services resolves a service
// name to its TCP ports (nil: unknown).
func DecideFirewalld(z Zone, port int, services func(string) ([]string, bool)) Decision {
	d := Decision{Tool: "firewalld", Certain: true, Where: "zone " + z.Name, Zone: z.Name}
	if strings.EqualFold(z.Target, "ACCEPT") {
		d.Rule = "target: ACCEPT"
		return d
	}
	type rich struct {
		text   string
		action string
		m      tri
		why    string
	}
	var rs []rich
	for _, r := range z.RichRules {
		if f := richFamilyRE.FindStringSubmatch(r); f != nil && f[1] != "ipv4" {
			continue
		}
		a := richActionRE.FindStringSubmatch(r)
		if a == nil {
			continue // log or audit only, or a limit we cannot read
		}
		m, why := yes, ""
		switch {
		case richPortRE.MatchString(r):
			p := richPortRE.FindStringSubmatch(r)
			if p[2] != "tcp" || !portIn(p[1], port) {
				m = no
			}
		case richServiceRE.MatchString(r):
			name := richServiceRE.FindStringSubmatch(r)[1]
			ports, ok := services(name)
			switch {
			case !ok:
				m, why = maybe, "service "+name
			case !anyPort(ports, port):
				m = no
			}
		case strings.Contains(r, " protocol value=") || strings.Contains(r, "icmp-") || strings.Contains(r, "forward-port") || strings.Contains(r, "masquerade"):
			m = no
		}
		if m != no {
			if s := richSourceRE.FindStringSubmatch(r); s != nil {
				m, why = maybe, "source "+s[1]
			}
			if strings.Contains(r, "destination") {
				m, why = maybe, "destination"
			}
		}
		rs = append(rs, rich{text: r, action: a[1], m: m, why: why})
	}
	for _, r := range rs {
		if r.m == no || r.action == "accept" {
			continue
		}
		if r.m == maybe {
			d.Possible = append(d.Possible, "rule "+r.text+"  (if "+r.why+")")
			continue
		}
		d.Blocked, d.Rule, d.Action = true, r.text, r.action
		return d
	}
	for _, r := range rs {
		if r.m == yes && r.action == "accept" {
			d.Rule = r.text
			return d
		}
		if r.m == maybe && r.action == "accept" {
			d.Certain = false
			d.Unless = append(d.Unless, "rule "+r.text+"  (if "+r.why+")")
		}
	}
	for _, p := range z.Ports {
		spec, proto, _ := strings.Cut(p, "/")
		if proto == "tcp" && portIn(spec, port) {
			d.Rule = "ports: " + p
			return d
		}
	}
	for _, s := range z.Services {
		ports, ok := services(s)
		if !ok {
			d.Certain = false
			d.Unless = append(d.Unless, "services: "+s+"  (if it includes "+itoa(port)+"/tcp)")
			continue
		}
		if anyPort(ports, port) {
			d.Rule = "services: " + s
			return d
		}
	}
	switch strings.ToUpper(z.Target) {
	case "DROP":
		d.Blocked, d.Rule, d.Action = true, "target: DROP", "drop"
	default:
		// "default" and "%%REJECT%%" reject with icmp-host-prohibited: the
		// client sees "No route to host".
		d.Blocked, d.Rule, d.Action = true, "target: "+z.Target, "reject"
	}
	return d
}

func anyPort(specs []string, port int) bool {
	for _, s := range specs {
		if portIn(s, port) {
			return true
		}
	}
	return false
}

// WellKnownServices are the TCP ports of the firewalld services an SSH
// forward meets most, for when their definitions cannot be read.
var WellKnownServices = map[string][]string{
	"ssh":           {"22"},
	"dhcpv6-client": nil,
	"mdns":          nil,
	"cockpit":       {"9090"},
	"http":          {"80"},
	"https":         {"443"},
	"samba-client":  {"139", "445"},
}
