package vm

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/inputfile"
)

// maxSettingsFile caps how much of a .vbox file is read. Real files are a
// few to a few hundred kilobytes; one with thousands of snapshots stays
// well under this.
const maxSettingsFile = 16 << 20

// ReadVBoxFile reads a .vbox settings file (or a VirtualBox .ovf, whose
// vbox:Machine element has the same schema) without VirtualBox.
func ReadVBoxFile(path string) (*Machine, error) {
	// Only a regular file: a named pipe would hang, a device never end.
	// A copy saved as UTF-16 is decoded.
	data, truncated, err := inputfile.ReadFile(path, maxSettingsFile)
	if err != nil {
		return nil, err
	}
	if truncated {
		return nil, fmt.Errorf("%s is larger than %d MiB: not a VirtualBox settings file", path, maxSettingsFile>>20)
	}
	m, err := ParseVBoxXML(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.Source = path
	m.CfgFile = path
	return m, nil
}

// The structs below name elements by local name only, so both namespaces
// VirtualBox has used (http://www.virtualbox.org/ and the older innotek
// one) and the vbox: prefix of an .ovf match.
type xMachine struct {
	Name      string     `xml:"name,attr"`
	UUID      string     `xml:"uuid,attr"`
	StateFile string     `xml:"stateFile,attr"`
	Aborted   string     `xml:"aborted,attr"`
	Version   string     `xml:"version,attr"`
	Hardware  xHardware  `xml:"Hardware"`
	Props     []xGuestPr `xml:"GuestProperties>GuestProperty"`
	Extra     []xExtra   `xml:"ExtraData>ExtraDataItem"`
	// Snapshot elements carry old copies of Hardware: deliberately not
	// mapped, only Machine/Hardware is the current state.
}

type xHardware struct {
	Adapters []xAdapter  `xml:"Network>Adapter"`
	Props    []xGuestPr  `xml:"GuestProperties>GuestProperty"`
	Shared   []xSharedFl `xml:"SharedFolders>SharedFolder"`
}

type xSharedFl struct {
	Name string `xml:"name,attr"`
}

type xExtra struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type xGuestPr struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type xNamed struct {
	Name   string `xml:"name,attr"`
	Driver string `xml:"driver,attr"`
}

type xAdapter struct {
	Slot    string `xml:"slot,attr"`
	Enabled string `xml:"enabled,attr"`
	MAC     string `xml:"MACAddress,attr"`
	Cable   string `xml:"cable,attr"`
	Type    string `xml:"type,attr"`
	// Exactly one attachment element is active; others may be remembered
	// under DisabledModes, which is deliberately not mapped.
	NAT          *xNAT   `xml:"NAT"`
	NATNetwork   *xNamed `xml:"NATNetwork"`
	Bridged      *xNamed `xml:"BridgedInterface"`
	HostIf       *xNamed `xml:"HostInterface"` // legacy name of BridgedInterface
	Internal     *xNamed `xml:"InternalNetwork"`
	HostOnly     *xNamed `xml:"HostOnlyInterface"`
	HostOnlyNet  *xNamed `xml:"HostOnlyNetwork"`
	Generic      *xNamed `xml:"GenericInterface"`
	CloudNetwork *xNamed `xml:"CloudNetwork"`
}

type xNAT struct {
	Network  string   `xml:"network,attr"`
	Forwards []xNATPF `xml:"Forwarding"`
}

type xNATPF struct {
	Name      string  `xml:"name,attr"`
	Proto     *string `xml:"proto,attr"`
	HostIP    string  `xml:"hostip,attr"`
	HostPort  string  `xml:"hostport,attr"`
	GuestIP   string  `xml:"guestip,attr"`
	GuestPort string  `xml:"guestport,attr"`
}

// ParseVBoxXML reads the current machine state from settings XML: the
// adapters under Machine/Hardware/Network, ignoring DisabledModes and the
// copies kept in Snapshot elements. Defaults are the schema's: an adapter
// without enabled= is disabled, one without cable= is connected, one
// without an attachment element is not attached. proto 1 is TCP and 0 UDP;
// a rule without hostip listens on every host address.
func ParseVBoxXML(data []byte) (*Machine, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charsetReader
	dec.Strict = true
	var root, rootVersion string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if root == "" {
				return nil, errors.New("empty document: not a VirtualBox settings file")
			}
			return nil, fmt.Errorf("no Machine element under <%s>: not a VirtualBox settings file", root)
		}
		if err != nil {
			return nil, fmt.Errorf("not valid XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = se.Name.Local
			if root != "VirtualBox" && root != "Envelope" {
				return nil, fmt.Errorf("root element is <%s>, not <VirtualBox>: not a VirtualBox settings file", root)
			}
			for _, a := range se.Attr {
				if a.Name.Local == "version" {
					rootVersion = a.Value
				}
			}
		}
		if se.Name.Local != "Machine" {
			continue
		}
		var xm xMachine
		if err := dec.DecodeElement(&xm, &se); err != nil {
			return nil, fmt.Errorf("not valid XML: %v", err)
		}
		m := xm.machine()
		if m.Settings == "" {
			m.Settings = rootVersion
		}
		return m, nil
	}
}

func (xm *xMachine) machine() *Machine {
	m := &Machine{Hypervisor: VirtualBox, Name: xm.Name, UUID: strings.Trim(xm.UUID, "{}"),
		Settings: xm.Version, Accessible: true}
	if xm.StateFile != "" {
		m.State = "saved"
	}
	for _, a := range xm.Hardware.Adapters {
		slot, err := strconv.Atoi(strings.TrimSpace(a.Slot))
		if err != nil || slot < 0 || slot > 63 {
			continue
		}
		n := NIC{Slot: slot + 1, MAC: a.MAC, Type: a.Type, Cable: Yes}
		if b, ok := xmlBool(a.Cable); ok && !b {
			n.Cable = No
		}
		if b, _ := xmlBool(a.Enabled); !b {
			n.Mode = ModeDisabled
			m.NICs = append(m.NICs, n)
			continue
		}
		switch {
		case a.NAT != nil:
			n.Mode, n.Network = ModeNAT, a.NAT.Network
			for _, r := range a.NAT.Forwards {
				if f, ok := r.forward(); ok {
					n.Forwards = append(n.Forwards, f)
				}
			}
		case a.NATNetwork != nil:
			n.Mode, n.Network = ModeNATNetwork, a.NATNetwork.Name
		case a.Bridged != nil:
			n.Mode, n.Network = ModeBridged, a.Bridged.Name
		case a.HostIf != nil:
			n.Mode, n.Network = ModeBridged, a.HostIf.Name
		case a.Internal != nil:
			n.Mode, n.Network = ModeInternal, a.Internal.Name
		case a.HostOnly != nil:
			n.Mode, n.Network = ModeHostOnly, a.HostOnly.Name
		case a.HostOnlyNet != nil:
			n.Mode, n.Network = ModeHostOnlyNetwork, a.HostOnlyNet.Name
		case a.Generic != nil:
			n.Mode, n.Network = ModeGeneric, a.Generic.Driver
		case a.CloudNetwork != nil:
			n.Mode, n.Network = ModeCloud, a.CloudNetwork.Name
		default:
			n.Mode = ModeNotAttached
		}
		m.NICs = append(m.NICs, n)
	}
	sortNICs(m.NICs)
	props := append(append([]xGuestPr{}, xm.Hardware.Props...), xm.Props...)
	for _, p := range props {
		if idx, ok := guestIPIndex(p.Name); ok && p.Value != "" {
			m.GuestIPs = append(m.GuestIPs, GuestIP{Index: idx, Addr: p.Value, Stale: true})
		}
	}
	for _, s := range xm.Hardware.Shared {
		if s.Name == "vagrant" {
			m.Vagrant = true
		}
	}
	if vagrantNameRE.MatchString(m.Name) {
		m.Vagrant = true
	}
	return m
}

func sortNICs(n []NIC) {
	for i := 1; i < len(n); i++ {
		for j := i; j > 0 && n[j].Slot < n[j-1].Slot; j-- {
			n[j], n[j-1] = n[j-1], n[j]
		}
	}
}

// guestIPIndex recognises /VirtualBox/GuestInfo/Net/<N>/V4/IP.
func guestIPIndex(name string) (int, bool) {
	const pre, suf = "/VirtualBox/GuestInfo/Net/", "/V4/IP"
	if !strings.HasPrefix(name, pre) || !strings.HasSuffix(name, suf) || len(name) <= len(pre)+len(suf) {
		return 0, false
	}
	n, err := strconv.Atoi(name[len(pre) : len(name)-len(suf)])
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

func (r xNATPF) forward() (Forward, bool) {
	f := Forward{Name: r.Name, Proto: "tcp", HostIP: r.HostIP, GuestIP: r.GuestIP}
	if r.Proto != nil {
		switch strings.TrimSpace(*r.Proto) {
		case "0":
			f.Proto = "udp"
		case "1":
			f.Proto = "tcp"
		default:
			return Forward{}, false
		}
	}
	var ok bool
	if f.HostPort, ok = parsePortNum(r.HostPort); !ok {
		return Forward{}, false
	}
	if f.GuestPort, ok = parsePortNum(r.GuestPort); !ok {
		return Forward{}, false
	}
	f.Raw = fmt.Sprintf("%s,%s,%s,%d,%s,%d", f.Name, f.Proto, f.HostIP, f.HostPort, f.GuestIP, f.GuestPort)
	return f, true
}

func xmlBool(s string) (val, set bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		return true, true
	case "false", "0", "no", "off":
		return false, true
	}
	return false, false
}

// charsetReader accepts the encodings VirtualBox and libvirt have written:
// UTF-8 and ISO-8859-1 (Latin-1; ASCII is a subset of both).
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		data, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		r := make([]rune, len(data))
		for i, b := range data {
			r[i] = rune(b)
		}
		return strings.NewReader(string(r)), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}
