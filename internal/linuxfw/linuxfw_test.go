package linuxfw

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func capture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func serverCapture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "server", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ufw status verbose as the real ufw 0.36.2 printed it: the rule table
// read in order, IPv6 rows and other interfaces set aside.
func TestUFWCapture(t *testing.T) {
	u, ok := ParseUFWStatus(capture(t, "ufw_status_verbose_rules.txt"))
	if !ok || !u.Active || u.DefaultIncoming != "deny" || len(u.Rules) != 11 {
		t.Fatalf("parse: ok=%v %+v", ok, u)
	}
	if r := u.Rules[0]; r.To != "22/tcp (OpenSSH)" || r.Action != "ALLOW IN" || r.From != "Anywhere" {
		t.Errorf("first rule %+v", r)
	}
	for _, c := range []struct {
		port    int
		blocked bool
		certain bool
		rule    string
		action  string
	}{
		{22, false, true, "22/tcp (OpenSSH)           ALLOW IN    Anywhere", ""},
		{6003, true, true, "6000:6007/tcp              DENY IN     Anywhere", "deny"},
		{8080, true, true, "8080                       REJECT IN   Anywhere", "reject"},
		// Allowed only from 192.168.1.0/24, which the LAN client may or
		// may not be in; otherwise the default policy drops it.
		{2222, true, false, "Default: deny (incoming)", "policy deny"},
		// Allowed only on eth0, which the LAN may or may not be.
		{3000, true, false, "Default: deny (incoming)", "policy deny"},
		{9999, true, true, "Default: deny (incoming)", "policy deny"},
	} {
		d := DecideUFW(u, c.port)
		if d.Blocked != c.blocked || d.Certain != c.certain || d.Rule != c.rule || d.Action != c.action {
			t.Errorf("port %d: %+v", c.port, d)
		}
		if c.port == 2222 && (len(d.Unless) != 1 || !strings.Contains(d.Unless[0], "(if source 192.168.1.0/24)")) {
			t.Errorf("port 2222: the allow that may apply is not named: %q", d.Unless)
		}
	}
	if d, _ := Decide(Input{UFWStatus: capture(t, "ufw_status_verbose_rules.txt")}, 6003); d.Tool != "ufw" || FixCommand(d, 6003) != "sudo ufw insert 1 allow 6003/tcp" {
		t.Errorf("a range rule denies: %+v %q", d, FixCommand(d, 6003))
	}
	if d, _ := Decide(Input{UFWStatus: capture(t, "ufw_status_verbose_rules.txt")}, 8080); FixCommand(d, 8080) != "sudo ufw allow 8080" {
		t.Errorf("the port's own rule: %q", FixCommand(d, 8080))
	}
	if d, _ := Decide(Input{UFWStatus: capture(t, "ufw_status_verbose_rules.txt")}, 9999); FixCommand(d, 9999) != "sudo ufw allow 9999/tcp" {
		t.Errorf("the default policy: %q", FixCommand(d, 9999))
	}
	// Not ufw's status (not root): nothing read.
	if _, ok := ParseUFWStatus("ERROR: You need to be root to run this script\n"); ok {
		t.Error("an error read as a status")
	}
	if u, ok := ParseUFWStatus("Status: inactive\n"); !ok || u.Active || DecideUFW(u, 22).Blocked {
		t.Errorf("inactive: %+v", u)
	}
}

// firewall-cmd --list-all on a Fedora Workstation: a wide port range is
// open, so 2222 is allowed; a port outside it is rejected by the zone's
// default target.
func TestFirewalldFedoraWorkstation(t *testing.T) {
	zs := ParseFirewalldZones(capture(t, "firewalld_list_all_fedora.txt"))
	if len(zs) != 1 || zs[0].Name != "FedoraWorkstation" || !zs[0].Active || zs[0].Target != "default" ||
		strings.Join(zs[0].Services, " ") != "dhcpv6-client mdns samba-client ssh" || len(zs[0].Ports) != 2 {
		t.Fatalf("parse: %+v", zs)
	}
	in := Input{Firewalld: capture(t, "firewalld_list_all_fedora.txt")}
	if d, ok := Decide(in, 2222); !ok || d.Blocked || d.Rule != "ports: 1025-65535/tcp" {
		t.Errorf("2222: %+v", d)
	}
	if d, _ := Decide(in, 22); d.Blocked || d.Rule != "services: ssh" {
		t.Errorf("22: %+v", d)
	}
	d, _ := Decide(in, 1000)
	if !d.Blocked || !d.Certain || d.Action != "reject" || d.Zone != "FedoraWorkstation" {
		t.Errorf("1000: %+v", d)
	}
	if got := FixCommand(d, 1000); got != "sudo firewall-cmd --zone=FedoraWorkstation --add-port=1000/tcp --permanent\nsudo firewall-cmd --reload" {
		t.Errorf("fix %q", got)
	}
}

// firewall-cmd --list-all-zones: the active zone (home) decides, not the
// first one printed (block).
func TestFirewalldAllZonesActiveZone(t *testing.T) {
	in := Input{Firewalld: capture(t, "firewalld_list_all_zones_home.txt")}
	zs := ParseFirewalldZones(in.Firewalld)
	if len(zs) != 6 || zs[4].Name != "home" || !zs[4].Active || zs[0].Target != "%%REJECT%%" {
		t.Fatalf("parse: %+v", zs)
	}
	d, _ := Decide(in, 2222)
	if !d.Blocked || d.Zone != "home" || d.Rule != "target: default" || !d.Certain {
		t.Errorf("2222: %+v", d)
	}
	if d, _ := Decide(in, 22); d.Blocked {
		t.Errorf("22 (service ssh): %+v", d)
	}
	// A service whose definition cannot be read makes the answer uncertain
	// and is named.
	in.Services = func(string) ([]string, bool) { return nil, false }
	if d, _ := Decide(in, 2222); !d.Blocked || d.Certain || len(d.Unless) != 4 {
		t.Errorf("unknown services: %+v", d)
	}
}

// Rich rules: deny before allow, source-limited ones only possibly.
func TestFirewalldRichRules(t *testing.T) {
	z := Zone{Name: "public", Target: "default", Ports: []string{"2222/tcp"}, RichRules: []string{
		`rule family="ipv4" source address="10.0.0.0/8" port port="2222" protocol="tcp" drop`,
		`rule family="ipv4" port port="3000-3010" protocol="tcp" reject`,
		`rule family="ipv6" port port="4000" protocol="tcp" accept`,
	}}
	svc := func(s string) ([]string, bool) { p, ok := WellKnownServices[s]; return p, ok }
	if d := DecideFirewalld(z, 2222, svc); d.Blocked || len(d.Possible) != 1 {
		t.Errorf("2222: %+v", d)
	}
	if d := DecideFirewalld(z, 3005, svc); !d.Blocked || d.Action != "reject" || !strings.Contains(d.Rule, "3000-3010") {
		t.Errorf("3005: %+v", d)
	}
	if d := DecideFirewalld(z, 4000, svc); !d.Blocked || d.Rule != "target: default" {
		t.Errorf("4000 (an IPv6-only accept): %+v", d)
	}
	if ps := ServicePorts([]byte(`<?xml version="1.0" encoding="utf-8"?><service><short>SSH</short><port protocol="tcp" port="22"/><port protocol="udp" port="53"/></service>`)); len(ps) != 1 || ps[0] != "22" {
		t.Errorf("service ports %v", ps)
	}
}

// The kernel's rules decide when they can be read: the server command's
// captured iptables-save with a DROP for port 22, and an nftables ruleset.
func TestKernelRulesDecide(t *testing.T) {
	ipt := serverCapture(t, "iptables_drop22.txt")
	d, ok := Decide(Input{IptablesSave: ipt}, 22)
	if !ok || !d.Blocked || d.Tool != "iptables" || !strings.Contains(d.Rule, "--dport 22") {
		t.Fatalf("iptables: %+v", d)
	}
	if FixCommand(d, 22) != "sudo iptables -I INPUT -p tcp --dport 22 -j ACCEPT" {
		t.Errorf("fix %q", FixCommand(d, 22))
	}
	if d, _ := Decide(Input{IptablesSave: ipt}, 2222); d.Blocked {
		t.Errorf("2222 through a DROP for 22: %+v", d)
	}
	// ufw's chains name ufw as the tool even when iptables decided.
	ufwSave := []byte("# Generated by iptables-save v1.8.9 (nf_tables)\n*filter\n:INPUT DROP [0:0]\n:ufw-user-input - [0:0]\n-A INPUT -j ufw-user-input\n-A ufw-user-input -p tcp -m tcp --dport 2222 -j DROP\nCOMMIT\n")
	u := "Status: active\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n\nTo                         Action      From\n--                         ------      ----\n2222/tcp                   DENY IN     Anywhere\n"
	d, _ = Decide(Input{IptablesSave: ufwSave, UFWStatus: u}, 2222)
	if d.Tool != "ufw" || d.Native == nil || FixCommand(d, 2222) != "sudo ufw allow 2222/tcp" {
		t.Errorf("ufw behind iptables: %+v", d)
	}
	if _, ok := Decide(Input{NeedRoot: []string{"nft -j list ruleset"}}, 22); ok {
		t.Error("nothing read, yet decided")
	}
}
