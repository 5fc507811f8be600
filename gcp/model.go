package gcp

import (
	"encoding/json"
	"strings"
)

// The REST shapes sshdoctor reads, with the field names of the Compute
// Engine v1, OS Login v1, Resource Manager v3, IAM v1 and IAP v1 APIs. Only
// the fields the diagnosis uses are declared; int64 values arrive as JSON
// strings (the APIs' convention) and are kept as strings.

// Instance is compute#instance.
type Instance struct {
	ID                 string             `json:"id"`
	Name               string             `json:"name"`
	Zone               string             `json:"zone"`
	Status             string             `json:"status"`
	StatusMessage      string             `json:"statusMessage"`
	MachineType        string             `json:"machineType"`
	SelfLink           string             `json:"selfLink"`
	LastStartTimestamp string             `json:"lastStartTimestamp"`
	NetworkInterfaces  []NetworkInterface `json:"networkInterfaces"`
	Disks              []AttachedDisk     `json:"disks"`
	Metadata           Metadata           `json:"metadata"`
	Tags               Tags               `json:"tags"`
	ServiceAccounts    []ServiceAccount   `json:"serviceAccounts"`
}

// NetworkInterface is one NIC of an instance.
type NetworkInterface struct {
	Name              string         `json:"name"`
	Network           string         `json:"network"`
	Subnetwork        string         `json:"subnetwork"`
	NetworkIP         string         `json:"networkIP"`
	StackType         string         `json:"stackType"`
	IPv6Address       string         `json:"ipv6Address"`
	AccessConfigs     []AccessConfig `json:"accessConfigs"`
	IPv6AccessConfigs []AccessConfig `json:"ipv6AccessConfigs"`
}

// AccessConfig gives a NIC an external address.
type AccessConfig struct {
	Type         string `json:"type"`
	Name         string `json:"name"`
	NatIP        string `json:"natIP"`
	NetworkTier  string `json:"networkTier"`
	ExternalIPv6 string `json:"externalIpv6"`
}

// AttachedDisk is a disk of an instance.
type AttachedDisk struct {
	Boot            bool     `json:"boot"`
	Source          string   `json:"source"`
	DeviceName      string   `json:"deviceName"`
	DiskSizeGb      string   `json:"diskSizeGb"`
	Licenses        []string `json:"licenses"`
	GuestOsFeatures []struct {
		Type string `json:"type"`
	} `json:"guestOsFeatures"`
}

// Metadata is instance or project metadata.
type Metadata struct {
	Fingerprint string         `json:"fingerprint"`
	Items       []MetadataItem `json:"items"`
}

// MetadataItem is one key and its value (a value may be absent).
type MetadataItem struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

// Get returns the value of key and whether it is set.
func (m Metadata) Get(key string) (string, bool) {
	for _, it := range m.Items {
		if it.Key == key {
			if it.Value == nil {
				return "", true
			}
			return *it.Value, true
		}
	}
	return "", false
}

// Tags are an instance's network tags.
type Tags struct {
	Items       []string `json:"items"`
	Fingerprint string   `json:"fingerprint,omitempty"`
}

// ServiceAccount is the identity the VM runs as.
type ServiceAccount struct {
	Email  string   `json:"email"`
	Scopes []string `json:"scopes"`
}

// InstanceAggregatedList is instances.aggregatedList.
type InstanceAggregatedList struct {
	Items map[string]struct {
		Instances []Instance `json:"instances"`
	} `json:"items"`
	NextPageToken string `json:"nextPageToken"`
}

// Project is compute#project.
type Project struct {
	Name                   string   `json:"name"`
	ID                     string   `json:"id"`
	CommonInstanceMetadata Metadata `json:"commonInstanceMetadata"`
	DefaultServiceAccount  string   `json:"defaultServiceAccount"`
	XpnProjectStatus       string   `json:"xpnProjectStatus"`
}

// Network is compute#network.
type Network struct {
	Name                                  string `json:"name"`
	SelfLink                              string `json:"selfLink"`
	NetworkFirewallPolicyEnforcementOrder string `json:"networkFirewallPolicyEnforcementOrder"`
	FirewallPolicy                        string `json:"firewallPolicy"`
}

// Firewall is a VPC firewall rule (compute#firewall).
type Firewall struct {
	Name                  string          `json:"name"`
	Network               string          `json:"network"`
	Direction             string          `json:"direction"`
	Priority              *int            `json:"priority"`
	SourceRanges          []string        `json:"sourceRanges"`
	DestinationRanges     []string        `json:"destinationRanges"`
	SourceTags            []string        `json:"sourceTags"`
	SourceServiceAccounts []string        `json:"sourceServiceAccounts"`
	TargetTags            []string        `json:"targetTags"`
	TargetServiceAccounts []string        `json:"targetServiceAccounts"`
	Allowed               []FirewallEntry `json:"allowed"`
	Denied                []FirewallEntry `json:"denied"`
	Disabled              bool            `json:"disabled"`
}

// FirewallEntry is one protocol (and ports) of a VPC rule.
type FirewallEntry struct {
	IPProtocol string   `json:"IPProtocol"`
	Ports      []string `json:"ports"`
}

// EffectiveFirewalls is instances.getEffectiveFirewalls (and
// networks.getEffectiveFirewalls): VPC rules and firewall policies.
type EffectiveFirewalls struct {
	Firewalls       []Firewall        `json:"firewalls"`
	FirewallPolicys []EffectivePolicy `json:"firewallPolicys"`
}

// EffectivePolicy is one firewall policy that applies to the NIC.
type EffectivePolicy struct {
	Name        string       `json:"name"`
	Type        string       `json:"type"`
	ShortName   string       `json:"shortName"`
	DisplayName string       `json:"displayName"`
	Priority    *int         `json:"priority"`
	Rules       []PolicyRule `json:"rules"`
}

// Label is the name a person knows the policy by.
func (p EffectivePolicy) Label() string {
	switch {
	case p.ShortName != "":
		return p.ShortName
	case p.DisplayName != "":
		return p.DisplayName
	}
	return p.Name
}

// PolicyRule is one rule of a firewall policy. Match and the rule itself
// are kept raw as well, so that matchers this version does not know (FQDNs,
// geolocations, address groups, secure tags, newer fields) are noticed and
// make the rule "cannot be evaluated offline" instead of being ignored.
type PolicyRule struct {
	Priority              int             `json:"priority"`
	Action                string          `json:"action"`
	Direction             string          `json:"direction"`
	Disabled              bool            `json:"disabled"`
	RuleName              string          `json:"ruleName"`
	Description           string          `json:"description"`
	Match                 PolicyMatch     `json:"match"`
	TargetServiceAccounts []string        `json:"targetServiceAccounts"`
	TargetResources       []string        `json:"targetResources"`
	TargetSecureTags      json.RawMessage `json:"targetSecureTags"`
	extra                 []string        // other non-empty target* fields
}

// UnmarshalJSON records unknown non-empty target* fields.
func (r *PolicyRule) UnmarshalJSON(b []byte) error {
	type plain PolicyRule
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = PolicyRule(p)
	for k, v := range raw {
		if !strings.HasPrefix(k, "target") || k == "targetServiceAccounts" || k == "targetResources" {
			continue
		}
		if nonEmptyJSON(v) {
			r.extra = append(r.extra, k)
		}
	}
	return nil
}

// PolicyMatch is the match of a policy rule.
type PolicyMatch struct {
	SrcIPRanges   []string   `json:"srcIpRanges"`
	DestIPRanges  []string   `json:"destIpRanges"`
	Layer4Configs []L4Config `json:"layer4Configs"`
	// other non-empty src*/dest* matchers, by field name
	otherSrc  []string
	otherDest []string
}

// UnmarshalJSON keeps the known fields and notes unknown non-empty ones.
func (m *PolicyMatch) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*m = PolicyMatch{}
	for k, v := range raw {
		var err error
		switch {
		case k == "srcIpRanges":
			err = json.Unmarshal(v, &m.SrcIPRanges)
		case k == "destIpRanges":
			err = json.Unmarshal(v, &m.DestIPRanges)
		case k == "layer4Configs":
			err = json.Unmarshal(v, &m.Layer4Configs)
		case strings.HasPrefix(k, "src"):
			if nonEmptyJSON(v) {
				m.otherSrc = append(m.otherSrc, k)
			}
		case strings.HasPrefix(k, "dest"):
			if nonEmptyJSON(v) {
				m.otherDest = append(m.otherDest, k)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// L4Config is a protocol and ports of a policy rule.
type L4Config struct {
	IPProtocol string   `json:"ipProtocol"`
	Ports      []string `json:"ports"`
}

func nonEmptyJSON(v json.RawMessage) bool {
	s := strings.TrimSpace(string(v))
	switch s {
	case "", "null", "[]", "{}", `""`, "false":
		return false
	}
	return true
}

// Route is compute#route.
type Route struct {
	Name             string   `json:"name"`
	Network          string   `json:"network"`
	DestRange        string   `json:"destRange"`
	Priority         int      `json:"priority"`
	Tags             []string `json:"tags"`
	NextHopGateway   string   `json:"nextHopGateway"`
	NextHopInstance  string   `json:"nextHopInstance"`
	NextHopIP        string   `json:"nextHopIp"`
	NextHopNetwork   string   `json:"nextHopNetwork"`
	NextHopPeering   string   `json:"nextHopPeering"`
	NextHopVpnTunnel string   `json:"nextHopVpnTunnel"`
	NextHopIlb       string   `json:"nextHopIlb"`
	RouteType        string   `json:"routeType"`
}

// NextHop describes where the route sends packets.
func (r Route) NextHop() string {
	for _, v := range []string{r.NextHopGateway, r.NextHopInstance, r.NextHopIP, r.NextHopIlb,
		r.NextHopVpnTunnel, r.NextHopPeering, r.NextHopNetwork} {
		if v != "" {
			return v
		}
	}
	return ""
}

// RouteList is one page of routes.list.
type RouteList struct {
	Items         []Route `json:"items"`
	NextPageToken string  `json:"nextPageToken"`
}

// SerialPortOutput is instances.getSerialPortOutput.
type SerialPortOutput struct {
	Contents string `json:"contents"`
	Start    string `json:"start"`
	Next     string `json:"next"`
}

// LoginProfile is OS Login's users.getLoginProfile.
type LoginProfile struct {
	Name          string                `json:"name"`
	PosixAccounts []PosixAccount        `json:"posixAccounts"`
	SSHPublicKeys map[string]OSLoginKey `json:"sshPublicKeys"`
}

// PosixAccount is the account OS Login creates on the VM.
type PosixAccount struct {
	Username            string `json:"username"`
	Primary             bool   `json:"primary"`
	SystemID            string `json:"systemId"`
	OperatingSystemType string `json:"operatingSystemType"`
}

// OSLoginKey is a key in the login profile.
type OSLoginKey struct {
	Key                string `json:"key"`
	ExpirationTimeUsec string `json:"expirationTimeUsec"`
	Fingerprint        string `json:"fingerprint"`
}

// permissionSet is the body and the answer of every testIamPermissions.
type permissionSet struct {
	Permissions []string `json:"permissions"`
}

// lastSegment returns what follows the last "/" of a resource URL.
func lastSegment(u string) string {
	u = strings.TrimRight(u, "/")
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		return u[i+1:]
	}
	return u
}

// resourcePath strips the scheme, host and API version from a resource URL,
// keeping "projects/…", so URLs from different API hosts compare equal.
func resourcePath(u string) string {
	if i := strings.Index(u, "projects/"); i >= 0 {
		return strings.TrimRight(u[i:], "/")
	}
	return strings.TrimRight(u, "/")
}

// projectOf returns the project named in a resource URL.
func projectOf(u string) string {
	p := resourcePath(u)
	if !strings.HasPrefix(p, "projects/") {
		return ""
	}
	p = p[len("projects/"):]
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return p
}
