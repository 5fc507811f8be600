package vm

import (
	"sort"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// KV is one key=value pair of `VBoxManage showvminfo --machinereadable`.
type KV struct {
	Key    string
	Value  string
	Quoted bool // the value was a double-quoted string
	Line   int  // 1-based line where the pair starts
}

// maxMultiLine bounds how far a quoted value may run over several lines
// before the parser decides the quote was never meant to close (a raw
// Windows path ending in a backslash, say) and reads that line again as a
// single-line value.
const maxMultiLine = 200

// ParseKV splits machine-readable output into key=value pairs, in order.
// It follows VBoxManage's writer: keys are bare or double-quoted; string
// values are double-quoted with \" and \\ escaped and may span lines;
// numbers and a few odd values (<not set>, 1024x768, ac_enabled=false) are
// bare. It survives what real outputs contain: banner lines of VirtualBox
// 3.x, human-format lines without '=', CRLF line ends, unescaped
// backslashes in Windows paths, trailing blanks and text after a closing
// quote. It never fails: what it cannot read it skips.
func ParseKV(data []byte) []KV {
	text := string(data)
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	var out []KV
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "" {
			continue
		}
		key, rest, ok := splitKey(line)
		if !ok {
			continue // banner, blank, or a stray human-format line
		}
		kv := KV{Key: key, Line: i + 1}
		if !strings.HasPrefix(rest, `"`) {
			kv.Value = strings.TrimSpace(rest)
			out = append(out, kv)
			continue
		}
		kv.Quoted = true
		val, tail, closed := unquote(rest[1:])
		switch {
		case closed && strings.TrimSpace(tail) == "":
			kv.Value = val
		case closed:
			// Text after the closing quote (VideoMode="720,400,0"@0,0 1):
			// keep the whole value as written.
			kv.Value, kv.Quoted = strings.TrimSpace(rest), false
		default:
			// Unterminated on this line. Either a raw string whose
			// backslashes were not escaped ("C:\dir\"), or a value that
			// continues on the next lines.
			trimmed := strings.TrimRight(rest, " \t")
			rawComplete := len(trimmed) >= 2 && strings.HasSuffix(trimmed, `"`)
			if rawComplete && (i+1 >= len(lines) || looksLikePair(lines[i+1])) {
				kv.Value = trimmed[1 : len(trimmed)-1]
				break
			}
			var b strings.Builder
			b.WriteString(rest[1:])
			end := -1
			for j := i + 1; j < len(lines) && j <= i+maxMultiLine; j++ {
				b.WriteString("\n")
				b.WriteString(lines[j])
				if v, t, c := unquote(b.String()); c {
					if strings.TrimSpace(t) == "" {
						kv.Value = v
					} else {
						kv.Value, kv.Quoted = `"`+strings.TrimSpace(b.String()), false
					}
					end = j
					break
				}
			}
			if end < 0 {
				// Never closed: take this line as it is and go on.
				kv.Value = strings.TrimPrefix(strings.TrimRight(rest, " \t"), `"`)
				kv.Quoted = false
			} else {
				i = end
			}
		}
		out = append(out, kv)
	}
	return out
}

// splitKey finds the key of a line: a double-quoted string followed by '=',
// or everything before the first '='.
func splitKey(line string) (key, rest string, ok bool) {
	if strings.HasPrefix(line, `"`) {
		k, tail, closed := unquote(line[1:])
		if closed && strings.HasPrefix(tail, "=") {
			if k == "" {
				return "", "", false
			}
			return k, tail[1:], true
		}
	}
	i := strings.IndexByte(line, '=')
	if i <= 0 {
		return "", "", false
	}
	key = strings.TrimSpace(line[:i])
	if key == "" || strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
		return "", "", false
	}
	return key, line[i+1:], true
}

// unquote reads a string whose opening quote was already consumed, up to the
// first unescaped '"'. \" and \\ are escapes; any other backslash is kept,
// because VBoxManage printed some paths without escaping them.
func unquote(s string) (val, tail string, closed bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			b.WriteByte(s[i+1])
			i++
		case c == '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), "", false
}

var pairRE = lazyre.New(`^(?:"(?:[^"\\]|\\.)*"|[^\s"=][^=]*)=`)

func looksLikePair(line string) bool { return pairRE.MatchString(line) }

var (
	nicKeyRE        = lazyre.New(`^nic([0-9]+)$`)
	forwardingKeyRE = lazyre.New(`^Forwarding\(([0-9]+)\)$`)
	companionKeyRE  = lazyre.New(`^(natnet|nat-network|bridgeadapter|intnet|hostonlyadapter|hostonly-network|generic|cloud-network|macaddress|cableconnected|nictype)([0-9]+)$`)
	vagrantNameRE   = lazyre.New(`_[0-9]{10,}_[0-9]+$`)
)

// ParseMachineReadable reads `VBoxManage showvminfo NAME --machinereadable`
// into a Machine. Forwarding(i) lines belong to the most recent nicN line
// above them (the index restarts for every adapter); an adapter's companion
// keys (natnetN, bridgeadapterN, macaddressN, cableconnectedN …) carry their
// slot in the key and may come before or after nicN.
func ParseMachineReadable(data []byte) *Machine {
	m := &Machine{Hypervisor: VirtualBox, Source: "VBoxManage showvminfo", Accessible: true}
	type nicAcc struct {
		nic     NIC
		seen    bool // a nicN line was seen
		network map[string]string
	}
	nics := map[int]*nicAcc{}
	get := func(slot int) *nicAcc {
		a := nics[slot]
		if a == nil {
			a = &nicAcc{nic: NIC{Slot: slot}, network: map[string]string{}}
			nics[slot] = a
		}
		return a
	}
	current := 0
	var orphans []Forward
	for _, kv := range ParseKV(data) {
		switch kv.Key {
		case "name":
			m.Name = kv.Value
			if kv.Value == "<inaccessible>" {
				m.Accessible = false
			}
			continue
		case "UUID":
			m.UUID = kv.Value
			continue
		case "CfgFile":
			m.CfgFile = kv.Value
			continue
		case "LogFldr":
			m.LogFolder = kv.Value
			continue
		case "VMState":
			m.State = kv.Value
			continue
		}
		if strings.HasPrefix(kv.Key, "SharedFolderNameMachineMapping") && kv.Value == "vagrant" {
			m.Vagrant = true
			continue
		}
		if sm := nicKeyRE.FindStringSubmatch(kv.Key); sm != nil {
			slot, err := strconv.Atoi(sm[1])
			if err != nil || slot < 1 || slot > 64 {
				continue
			}
			a := get(slot)
			a.seen = true
			a.nic.Mode = ParseMode(kv.Value)
			current = slot
			continue
		}
		if forwardingKeyRE.MatchString(kv.Key) {
			f, ok := ParseNATPF(kv.Value)
			if !ok {
				continue
			}
			if current == 0 {
				orphans = append(orphans, f)
				continue
			}
			a := get(current)
			a.nic.Forwards = append(a.nic.Forwards, f)
			continue
		}
		if sm := companionKeyRE.FindStringSubmatch(kv.Key); sm != nil {
			slot, err := strconv.Atoi(sm[2])
			if err != nil || slot < 1 || slot > 64 {
				continue
			}
			a := get(slot)
			switch sm[1] {
			case "macaddress":
				a.nic.MAC = kv.Value
			case "cableconnected":
				switch strings.ToLower(kv.Value) {
				case "on", "true", "yes":
					a.nic.Cable = Yes
				case "off", "false", "no":
					a.nic.Cable = No
				}
			case "nictype":
				a.nic.Type = kv.Value
			default:
				a.network[sm[1]] = kv.Value
			}
		}
	}
	slots := make([]int, 0, len(nics))
	for s, a := range nics {
		if a.seen {
			slots = append(slots, s)
		}
	}
	sort.Ints(slots)
	for _, s := range slots {
		a := nics[s]
		a.nic.Network = companionFor(a.nic.Mode, a.network)
		if a.nic.Mode == ModeDisabled {
			a.nic.Forwards = nil
		}
		m.NICs = append(m.NICs, a.nic)
	}
	if len(orphans) > 0 {
		// Forwarding lines before any nicN: only seen in hand-trimmed
		// output; give them to the first NAT adapter.
		for i := range m.NICs {
			if m.NICs[i].Mode == ModeNAT {
				m.NICs[i].Forwards = append(orphans, m.NICs[i].Forwards...)
				break
			}
		}
	}
	if vagrantNameRE.MatchString(m.Name) {
		m.Vagrant = true
	}
	return m
}

func companionFor(mode Mode, kv map[string]string) string {
	key := map[Mode]string{
		ModeNAT:             "natnet",
		ModeNATNetwork:      "nat-network",
		ModeBridged:         "bridgeadapter",
		ModeInternal:        "intnet",
		ModeHostOnly:        "hostonlyadapter",
		ModeHostOnlyNetwork: "hostonly-network",
		ModeGeneric:         "generic",
		ModeCloud:           "cloud-network",
	}[mode]
	if key == "" {
		return ""
	}
	return kv[key]
}

// ParseNATPF reads a VirtualBox NAT rule "name,proto,hostip,hostport,
// guestip,guestport" (showvminfo's Forwarding(i) value and the syntax of
// --natpfN). Rule names cannot contain commas, but an extra field is joined
// into the name rather than dropped.
func ParseNATPF(s string) (Forward, bool) {
	parts := strings.Split(strings.TrimSpace(s), ",")
	if len(parts) < 6 {
		return Forward{}, false
	}
	n := len(parts)
	f := Forward{
		Name:    strings.Join(parts[:n-5], ","),
		Proto:   strings.ToLower(strings.TrimSpace(parts[n-5])),
		HostIP:  strings.TrimSpace(parts[n-4]),
		GuestIP: strings.TrimSpace(parts[n-2]),
		Raw:     s,
	}
	var ok1, ok2 bool
	f.HostPort, ok1 = parsePortNum(parts[n-3])
	f.GuestPort, ok2 = parsePortNum(parts[n-1])
	if !ok1 || !ok2 {
		return Forward{}, false
	}
	return f, true
}

func parsePortNum(s string) (int, bool) {
	p, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || p < 0 || p > 65535 {
		return 0, false
	}
	return p, true
}
