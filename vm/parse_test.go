package vm

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseMachineReadableFixtures(t *testing.T) {
	type nicWant struct {
		slot    int
		mode    Mode
		network string
		cable   Tri
		fwds    []string // natpfSpec of each forward
	}
	cases := []struct {
		file  string
		name  string
		state string
		nics  []nicWant
		vag   bool
	}{
		{"showvminfo-01-vbox5x-macos-nat-ssh127-saved.txt", "go-virtualbox", "saved",
			[]nicWant{{1, ModeNAT, "nat", Yes, []string{"ssh,tcp,127.0.0.1,2222,,22"}}}, true},
		{"showvminfo-02-vbox5x6x-nat-poweroff-ohai.txt", "ubuntu-18.04-amd64_1549746024485_35372", "poweroff",
			[]nicWant{{1, ModeNAT, "nat", Yes, nil}}, true},
		{"showvminfo-03-vbox5x-windows-nat-2fwd-intnet-sailfish.txt", "Sailfish OS Build Engine", "poweroff",
			[]nicWant{
				{1, ModeNAT, "nat", Yes, []string{"guestssh,tcp,127.0.0.1,2222,,22", "guestwww,tcp,127.0.0.1,8080,,9292"}},
				{2, ModeInternal, "SailfishOS-SDK", Yes, nil}}, false},
		{"showvminfo-04-vbox31-bridged-mitchellh.txt", "foo", "poweroff",
			[]nicWant{{1, ModeBridged, "en1: AirPort", Yes, nil}}, false},
		{"showvminfo-05-vbox7-macos-fragment-hostonlynetwork-vagrant.txt", "", "",
			[]nicWant{
				{1, ModeNAT, "nat", Yes, []string{"ssh,tcp,127.0.0.1,2222,,22"}},
				{2, ModeHostOnlyNetwork, "vagrantnet-vbox1", Yes, nil}}, false},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			for _, variant := range []string{"lf", "crlf"} {
				data := fixture(t, c.file)
				if variant == "crlf" {
					data = []byte(strings.ReplaceAll(string(data), "\n", "\r\n"))
				}
				m := ParseMachineReadable(data)
				if m.Name != c.name || m.State != c.state {
					t.Errorf("%s: name %q state %q, want %q %q", variant, m.Name, m.State, c.name, c.state)
				}
				if m.Vagrant != c.vag {
					t.Errorf("%s: Vagrant = %v, want %v", variant, m.Vagrant, c.vag)
				}
				var enabled []NIC
				for _, n := range m.NICs {
					if n.Mode != ModeDisabled {
						enabled = append(enabled, n)
					}
				}
				if len(enabled) != len(c.nics) {
					t.Fatalf("%s: %d enabled NICs %+v, want %d", variant, len(enabled), enabled, len(c.nics))
				}
				for i, w := range c.nics {
					n := enabled[i]
					if n.Slot != w.slot || n.Mode != w.mode || n.Network != w.network || n.Cable != w.cable {
						t.Errorf("%s: NIC %+v, want %+v", variant, n, w)
					}
					var got []string
					for _, f := range n.Forwards {
						got = append(got, natpfSpec(f))
					}
					if strings.Join(got, "|") != strings.Join(w.fwds, "|") {
						t.Errorf("%s: NIC %d forwards %q, want %q", variant, n.Slot, got, w.fwds)
					}
				}
			}
		})
	}
}

func TestParseKVQuirks(t *testing.T) {
	in := strings.Join([]string{
		"VirtualBox Command Line Management Interface Version 3.1.2",
		"(C) 2005-2009 Sun Microsystems, Inc.",
		"",
		`name="my \"quoted\" vm"`,
		`CfgFile="C:\\VMs\\a.vbox"`,
		`"SATA-1-0"="C:\SailfishOS\mersdk\mer.vdi"`,
		`"SATA-2-0"="C:\dir\"`,
		`"key=with=equals"="v"`,
		`VideoMode="720,400,0"@0,0 1`,
		`videocapopts=ac_enabled=false`,
		`vrdeproperty[VideoChannel/Enabled]=<not set>`,
		`GuestAdditionsFacility_VirtualBox Base Driver=50,1550641065785`,
		`description="installed with:`,
		`  apt-get install x=1`,
		`done"`,
		`Encryption:     disabled`,
		`usb="off"      `,
		`memory=1024`,
		`unterminated="oops`,
		`after=1`,
	}, "\n")
	kv := map[string]KV{}
	for _, p := range ParseKV([]byte(in)) {
		kv[p.Key] = p
	}
	want := map[string]string{
		"name":                               `my "quoted" vm`,
		"CfgFile":                            `C:\VMs\a.vbox`,
		"SATA-1-0":                           `C:\SailfishOS\mersdk\mer.vdi`,
		"SATA-2-0":                           `C:\dir\`,
		"key=with=equals":                    "v",
		"VideoMode":                          `"720,400,0"@0,0 1`,
		"videocapopts":                       "ac_enabled=false",
		"vrdeproperty[VideoChannel/Enabled]": "<not set>",
		"GuestAdditionsFacility_VirtualBox Base Driver": "50,1550641065785",
		"description":  "installed with:\n  apt-get install x=1\ndone",
		"usb":          "off",
		"memory":       "1024",
		"unterminated": "oops",
		"after":        "1",
	}
	for k, v := range want {
		got, ok := kv[k]
		if !ok {
			t.Errorf("key %q missing", k)
			continue
		}
		if got.Value != v {
			t.Errorf("%s = %q, want %q", k, got.Value, v)
		}
	}
	for k := range kv {
		if strings.HasPrefix(k, "VirtualBox") || strings.HasPrefix(k, "Encryption") || strings.HasPrefix(k, "(C)") {
			t.Errorf("banner or human line parsed as key %q", k)
		}
	}
}

func TestForwardingBelongsToLatestNIC(t *testing.T) {
	in := `natnet1="nat"
nic1="nat"
Forwarding(0)="ssh,tcp,127.0.0.1,2222,,22"
natnet2="10.0.3.0/24"
cableconnected2="off"
nic2="nat"
Forwarding(0)="ssh2,tcp,,2200,10.0.3.20,22"
Forwarding(1)="dns,udp,,5353,,53"
nat-network3="AD-LAB-NET"
nic3="natnetwork"
generic4="VDE"
nic4="Generic"
cloud-network5="oci"
nic5="cloudnetwork"
hostonlyadapter6="VirtualBox Host-Only Ethernet Adapter #2"
nic6="hostonly"
nic7="null"
nic8="none"
`
	m := ParseMachineReadable([]byte(in))
	if len(m.NICs) != 8 {
		t.Fatalf("%d NICs", len(m.NICs))
	}
	if n := m.NIC(1); len(n.Forwards) != 1 || n.Forwards[0].Name != "ssh" {
		t.Errorf("nic1 forwards %+v", n.Forwards)
	}
	n2 := m.NIC(2)
	if len(n2.Forwards) != 2 || n2.Forwards[0].GuestIP != "10.0.3.20" || n2.Forwards[1].Proto != "udp" || n2.Cable != No || n2.Network != "10.0.3.0/24" {
		t.Errorf("nic2 %+v", n2)
	}
	wants := map[int][2]string{3: {"natnetwork", "AD-LAB-NET"}, 4: {"Generic", "VDE"}, 5: {"cloudnetwork", "oci"},
		6: {"hostonly", "VirtualBox Host-Only Ethernet Adapter #2"}, 7: {"null", ""}, 8: {"none", ""}}
	for slot, w := range wants {
		n := m.NIC(slot)
		if string(n.Mode) != w[0] || n.Network != w[1] {
			t.Errorf("nic%d = %s %q, want %s %q", slot, n.Mode, n.Network, w[0], w[1])
		}
	}
	if m.NIC(1).Cable != Unknown {
		t.Errorf("nic1 cable %v: not printed, so not checked", m.NIC(1).Cable)
	}
}

func TestInaccessible(t *testing.T) {
	m := ParseMachineReadable([]byte("name=\"<inaccessible>\"\nUUID=\"1234\"\n"))
	if m.Accessible || m.UUID != "1234" {
		t.Fatalf("%+v", m)
	}
}

func TestParseNATPF(t *testing.T) {
	for in, want := range map[string]string{
		"ssh,tcp,127.0.0.1,2222,,22":     "ssh|tcp|127.0.0.1|2222||22",
		"rdp-dc,tcp,,40100,,40100":       "rdp-dc|tcp||40100||40100",
		"a,b,tcp,,1,10.0.2.15,22":        "a,b|tcp||1|10.0.2.15|22",
		"ssh,tcp,127.0.0.1,99999,,22":    "",
		"short,tcp,,1":                   "",
		"ssh,tcp,127.0.0.1,2222,,notnum": "",
	} {
		f, ok := ParseNATPF(in)
		got := ""
		if ok {
			got = strings.Join([]string{f.Name, f.Proto, f.HostIP, strconv.Itoa(f.HostPort), f.GuestIP, strconv.Itoa(f.GuestPort)}, "|")
		}
		if got != want {
			t.Errorf("ParseNATPF(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseVBoxXMLFixtures(t *testing.T) {
	m, err := ReadVBoxFile(filepath.Join("testdata", "vbox-02-vbox70-settings119-nat-fwd-hostonly-vagrant.vbox"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "vagrant-test_default_1665781960041_56631" || m.Settings != "1.19-linux" || !m.Vagrant {
		t.Errorf("machine %+v", m)
	}
	if m.State != "" || m.Running() != Unknown {
		t.Errorf("state %q: a settings file does not say whether the VM runs", m.State)
	}
	n1 := m.NIC(1)
	// The Snapshot copy holds one rule, the current state two.
	if n1 == nil || n1.Mode != ModeNAT || len(n1.Forwards) != 2 {
		t.Fatalf("nic1 %+v", n1)
	}
	if f := n1.Forwards[1]; f.Name != "tcp7700" || f.HostIP != "" || !f.AllInterfaces() || f.Proto != "tcp" {
		t.Errorf("missing hostip must mean every interface: %+v", f)
	}
	if f := n1.Forwards[0]; !f.Loopback() || f.HostPort != 2222 || f.GuestPort != 22 {
		t.Errorf("ssh rule %+v", f)
	}
	if n2 := m.NIC(2); n2.Mode != ModeHostOnly || n2.Network != "vboxnet0" || n2.Cable != Yes {
		t.Errorf("nic2 %+v (DisabledModes must be ignored, cable defaults to connected)", n2)
	}

	m, err = ReadVBoxFile(filepath.Join("testdata", "vbox-01-vbox43-settings112-bridged-libvirt.vbox"))
	if err != nil {
		t.Fatal(err)
	}
	if n := m.NIC(1); n.Mode != ModeBridged || n.Network != "hns0000000v" {
		t.Errorf("libvirt nic1 %+v: the NAT under DisabledModes is not the attachment", n)
	}
	for s := 2; s <= 8; s++ {
		if n := m.NIC(s); n.Mode != ModeDisabled {
			t.Errorf("nic%d %s, want disabled", s, n.Mode)
		}
	}

	m, err = ReadVBoxFile(filepath.Join("testdata", "vbox-03-vbox50-settings115-ovf-vboxMachine-nat-nxos.ovf"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "edev" || m.Settings != "1.15-macosx" || m.NIC(1).Mode != ModeNAT || len(m.NIC(1).Forwards) != 0 {
		t.Errorf("ovf %+v", m)
	}
}

func TestParseVBoxXMLDefaultsAndErrors(t *testing.T) {
	doc := `<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="1.16-windows">
 <Machine name="w" uuid="{abc}" stateFile="Snapshots/x.sav">
  <Hardware><Network>
   <Adapter slot="0" enabled="true" cable="false"><NAT><Forwarding name="u" proto="0" hostport="53" guestport="53"/><Forwarding name="s" hostport="2200" guestport="22" hostip="192.0.2.7" guestip="10.0.2.9"/></NAT></Adapter>
   <Adapter slot="1" enabled="true"/>
   <Adapter slot="2" enabled="true"><GenericInterface driver="UDPTunnel"/></Adapter>
   <Adapter slot="3"><NAT/></Adapter>
   <Adapter slot="4" enabled="true"><HostInterface name="eth0"/></Adapter>
  </Network>
  <GuestProperties><GuestProperty name="/VirtualBox/GuestInfo/Net/0/V4/IP" value="10.0.2.9" flags=""/></GuestProperties>
  </Hardware>
 </Machine>
</VirtualBox>`
	m, err := ParseVBoxXML([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if m.State != "saved" || m.UUID != "abc" || m.Settings != "1.16-windows" {
		t.Errorf("%+v", m)
	}
	n1 := m.NIC(1)
	if n1.Cable != No || len(n1.Forwards) != 2 || n1.Forwards[0].Proto != "udp" || n1.Forwards[1].Proto != "tcp" || n1.Forwards[1].GuestIP != "10.0.2.9" {
		t.Errorf("nic1 %+v", n1)
	}
	if m.NIC(2).Mode != ModeNotAttached || m.NIC(3).Mode != ModeGeneric || m.NIC(3).Network != "UDPTunnel" ||
		m.NIC(4).Mode != ModeDisabled || m.NIC(5).Mode != ModeBridged {
		t.Errorf("modes %+v", m.NICs)
	}
	if len(m.GuestIPs) != 1 || m.GuestIPs[0].Addr != "10.0.2.9" || !m.GuestIPs[0].Stale {
		t.Errorf("guest IPs %+v", m.GuestIPs)
	}
	for _, bad := range []string{"", "not xml", "<html><body/></html>", "<VirtualBox><Machine name='x'>", "<VirtualBox/>"} {
		if _, err := ParseVBoxXML([]byte(bad)); err == nil {
			t.Errorf("ParseVBoxXML(%q) succeeded", bad)
		}
	}
}

func TestParseLists(t *testing.T) {
	vms := ParseListVMs(fixture(t, "list-gov-vboxmanage-list-vms-1.txt"))
	if len(vms) != 2 || vms[1].Name != "go-virtualbox" || vms[1].UUID != "def44546-e3da-4902-8d15-b91c99c80cbc" {
		t.Errorf("list vms %+v", vms)
	}
	ho := ParseHostInterfaces(fixture(t, "list-ohai-list_hostonlyifs.txt"))
	if len(ho) != 2 || ho[0].Name != "vboxnet0" || ho[0].IP.String() != "192.168.33.1" || ho[0].Prefix != 24 || ho[0].Status != "Down" || ho[1].Status != "Up" {
		t.Errorf("hostonlyifs %+v", ho)
	}
	br := ParseHostInterfaces(fixture(t, "list-vagrant-vbox7-bridgedifs.txt"))
	if len(br) != 5 || br[0].Name != "en1: Wi-Fi (AirPort)" || br[1].IP.String() != "0.0.0.0" {
		t.Errorf("bridgedifs %+v", br)
	}
	nets := ParseHostOnlyNets(fixture(t, "list-vagrant-vbox7-hostonlynets.txt"))
	if len(nets) != 2 || nets[1].Name != "vagrantnet-vbox2" || !nets[1].Enabled || nets[1].LowerIP.String() != "192.168.22.0" {
		t.Errorf("hostonlynets %+v (a blank line inside a record must not split it)", nets)
	}
	nn := ParseNATNets(fixture(t, "list-ohai-list_natnets.txt"))
	if len(nn) != 1 || nn[0].Name != "NatNetwork" || nn[0].Network != "10.0.2.0/24" || nn[0].Gateway != "10.0.2.1" || !nn[0].Enabled || len(nn[0].Forwards) != 0 {
		t.Errorf("natnets %+v", nn)
	}
	v7 := `NAT Networks:

Name:        NatNetwork
Enabled:     Yes
Network:     10.0.2.0/24
Gateway:     10.0.2.1
DHCP Server: Yes
IPv6:        No
Port-forwarding (ipv4)
        ssh-to-storage-1:tcp:[]:3323:[192.168.10.23]:22
        web:tcp:[127.0.0.1]:8080:[10.0.2.5]:80
Port-forwarding (ipv6)
        v6:tcp:[::]:2222:[fd17::5]:22
loopback mappings (ipv4)
        127.0.0.1=2

1 network found
`
	nn = ParseNATNets([]byte(v7))
	if len(nn) != 1 || nn[0].Gateway != "10.0.2.1" || len(nn[0].Forwards) != 2 {
		t.Fatalf("7.x natnets %+v", nn)
	}
	if f := nn[0].Forwards[0]; f.Name != "ssh-to-storage-1" || f.HostIP != "" || f.HostPort != 3323 || f.GuestIP != "192.168.10.23" || f.GuestPort != 22 {
		t.Errorf("rule %+v", f)
	}
	if !nn[0].Forwards[1].Loopback() {
		t.Errorf("rule %+v should be loopback", nn[0].Forwards[1])
	}
	for in, want := range map[string]string{"Value: 10.0.2.15\n": "10.0.2.15", "No value set!\n": "",
		"Value: 192.168.56.101, Timestamp: 1, Flags: \n": "192.168.56.101"} {
		got, _ := ParseGuestProperty([]byte(in))
		if got != want {
			t.Errorf("ParseGuestProperty(%q) = %q", in, got)
		}
	}
	for in, want := range map[string][3]int{"7.0.14r161095\n": {7, 0, 14}, "6.1.28_Ubuntur147628": {6, 1, 28}} {
		v, ok := ParseVBoxVersion(in)
		if !ok || v.Major != want[0] || v.Minor != want[1] || v.Patch != want[2] {
			t.Errorf("ParseVBoxVersion(%q) = %+v", in, v)
		}
	}
	if v, _ := ParseVBoxVersion("6.1.26"); v.AtLeast(6, 1, 28) {
		t.Error("6.1.26 >= 6.1.28")
	}
	if nc := ParseNetworksConf([]byte("# comment\n* 10.0.0.0/8 192.168.0.0/16\n* 2001::/64\n")); len(nc) != 3 {
		t.Errorf("networks.conf %v", nc)
	}
}

func TestParseHostFwdAndQEMUCommandLine(t *testing.T) {
	for in, want := range map[string]string{
		"tcp::2222-:22":                   "tcp||2222||22",
		"tcp:127.0.0.1:2222-:22":          "tcp|127.0.0.1|2222||22",
		":127.0.0.1:2222-10.0.2.20:22":    "tcp|127.0.0.1|2222|10.0.2.20|22",
		"udp::5353-:53":                   "udp||5353||53",
		"tcp:[::1]:2222-:22":              "tcp|::1|2222||22",
		"tcp:[fd00::1]:2222-[fd00::2]:22": "tcp|fd00::1|2222|fd00::2|22",
		"sctp::1-:1":                      "",
		"tcp:2222-22":                     "",
		"tcp::99999-:22":                  "",
	} {
		f, ok := ParseHostFwd(in)
		got := ""
		if ok {
			got = strings.Join([]string{f.Proto, f.HostIP, strconv.Itoa(f.HostPort), f.GuestIP, strconv.Itoa(f.GuestPort)}, "|")
		}
		if got != want {
			t.Errorf("ParseHostFwd(%q) = %q, want %q", in, got, want)
		}
	}
	m := ParseQEMUCommandLine([]string{"/usr/bin/qemu-system-x86_64", "-name", "guest=web,debug-threads=on",
		"-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp::8080-:80", "-device", "virtio-net,netdev=n0",
		"-nic", "user,hostfwd=tcp::2200-:22", "--netdev=tap,id=t0,ifname=tap0", "-device", "e1000,netdev=t0",
		"-netdev", "user,id=lonely"})
	if m.Name != "web" || len(m.NICs) != 4 {
		t.Fatalf("%+v", m)
	}
	if n := m.NICs[0]; n.Mode != ModeNAT || n.Network != "n0" || len(n.Forwards) != 2 || !n.Forwards[0].Loopback() || !n.Forwards[1].AllInterfaces() || n.Cable != Yes {
		t.Errorf("netdev n0 %+v", n)
	}
	if n := m.NICs[1]; n.Mode != ModeNAT || len(n.Forwards) != 1 || n.Forwards[0].HostPort != 2200 {
		t.Errorf("-nic user %+v", n)
	}
	if n := m.NICs[2]; n.Mode != ModeGeneric || n.Network != "tap" {
		t.Errorf("tap %+v", n)
	}
	if n := m.NICs[3]; n.Cable != No {
		t.Errorf("a -netdev without -device is unused: %+v", n)
	}
	if m := ParseQEMUCommandLine([]string{"qemu-system-aarch64", "-m", "512"}); len(m.NICs) != 1 || m.NICs[0].Mode != ModeNAT || len(m.NICs[0].Forwards) != 0 {
		t.Errorf("QEMU's default network is user-mode without forwards: %+v", m.NICs)
	}
	if m := ParseQEMUCommandLine([]string{"qemu-system-x86_64", "-nodefaults"}); len(m.NICs) != 0 {
		t.Errorf("-nodefaults: %+v", m.NICs)
	}
	if m := ParseQEMUCommandLine([]string{"qemu-system-x86_64", "-name", "a,,b", "-net", "nic", "-net", "user,hostfwd=tcp::1-:22"}); m.Name != "a,b" || len(m.NICs) != 1 || len(m.NICs[0].Forwards) != 1 {
		t.Errorf("-name with ,, and -net user: %+v", m)
	}
	if !IsQEMUBinary("/usr/bin/qemu-system-x86_64") || !IsQEMUBinary(`C:\qemu\qemu-system-x86_64.exe`) || IsQEMUBinary("qemu-img") {
		t.Error("IsQEMUBinary")
	}
}

func TestParseProcNetTCP(t *testing.T) {
	data := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:08AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 100 0 0 10 0
   2: 0100007F:08AE 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0
`
	ls := ParseProcNetTCP([]byte(data))
	if len(ls) != 2 || ls[0].Addr.String() != "127.0.0.1" || ls[0].Port != 2222 || ls[0].Inode != 12345 || !ls[1].Wildcard() || ls[1].Port != 22 {
		t.Fatalf("%+v", ls)
	}
	v6 := `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:08AE 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 100 0 0 10 0
`
	ls = ParseProcNetTCP([]byte(v6))
	if len(ls) != 1 || ls[0].Addr.String() != "::1" || ls[0].Port != 2222 {
		t.Fatalf("v6 %+v", ls)
	}
	if got := ListenersOn(ParseProcNetTCP([]byte(data)), 2222, "192.0.2.1"); len(got) != 0 {
		t.Errorf("127.0.0.1:2222 does not take connections to 192.0.2.1: %+v", got)
	}
	if got := ListenersOn(ParseProcNetTCP([]byte(data)), 22, "192.0.2.1"); len(got) != 1 {
		t.Errorf("0.0.0.0:22 takes every address: %+v", got)
	}
}
