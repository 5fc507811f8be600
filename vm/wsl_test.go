package vm

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

func wslCapture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "wsl", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// utf16le encodes text as wsl.exe writes it.
func utf16le(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func TestParseWSLListCaptured(t *testing.T) {
	for _, enc := range []string{"utf8", "utf16le"} {
		b := wslCapture(t, "wsl-list-12302.txt")
		if enc == "utf16le" {
			b = utf16le(string(b))
		}
		ds, ok := ParseWSLList(b)
		if !ok || len(ds) != 4 {
			t.Fatalf("%s: %v %+v", enc, ok, ds)
		}
		if ds[0].Name != "MyPengwin" || ds[0].Running != Yes || ds[0].Version != 2 || ds[0].Default {
			t.Errorf("%s: %+v", enc, ds[0])
		}
		if ds[3].Name != "docker-desktop-data" || ds[3].Running != No {
			t.Errorf("%s: %+v", enc, ds[3])
		}
	}
	ds, _ := ParseWSLList(wslCapture(t, "wsl-list-kernel156.txt"))
	if len(ds) != 1 || !ds[0].Default || ds[0].Name != "Ubuntu-20.04" {
		t.Fatalf("%+v", ds)
	}
	// A translated header and state: the line is still read; the state is
	// left for `wsl --list --running --quiet` to settle.
	ds, ok := ParseWSLList([]byte("  名前            状態           バージョン\n* Ubuntu-20.04    実行中         2\n"))
	if !ok || ds[0].Running != Unknown || ds[0].Version != 2 {
		t.Fatalf("%+v", ds)
	}
	if _, ok := ParseWSLList([]byte("Windows Subsystem for Linux has no installed distributions.\n")); ok {
		t.Error("a sentence read as a distribution")
	}
}

func TestParseWSLStatusCaptured(t *testing.T) {
	s := ParseWSLStatus(utf16le(string(wslCapture(t, "wsl-status-9448.txt"))))
	if s.DefaultDistro != "Debian" || s.DefaultVersion != 2 {
		t.Fatalf("%+v", s)
	}
	if s := ParseWSLStatus(wslCapture(t, "wsl-status-12302.txt")); s.DefaultDistro != "" || s.DefaultVersion != 1 {
		t.Fatalf("%+v", s)
	}
}

func TestParsePortProxyCaptured(t *testing.T) {
	rs, ok := ParsePortProxy(wslCapture(t, "portproxy-8963.txt"))
	if !ok || len(rs) != 1 {
		t.Fatalf("%v %+v", ok, rs)
	}
	r := rs[0]
	if r.Kind != "v4tov4" || r.ListenAddr != "0.0.0.0" || r.ListenPortNum() != 0 || r.ConnectAddr != "172.23.188.236" {
		t.Errorf("%+v", r)
	}
	// Korean section titles (as in WSL#12410) and a v4tov6 section.
	ko := "\nipv4 수신 대기:             ipv6에 연결:\n\n주소            포트        주소            포트\n--------------- ----------  --------------- ----------\n0.0.0.0         3456        ::1             3456\n"
	rs, ok = ParsePortProxy([]byte(ko))
	if !ok || len(rs) != 1 || rs[0].Kind != "v4tov6" || rs[0].ListenPortNum() != 3456 {
		t.Fatalf("%v %+v", ok, rs)
	}
	if rs, ok := ParsePortProxy(nil); !ok || len(rs) != 0 {
		t.Errorf("empty output: %v %+v", ok, rs)
	}
}

func TestParseWSLConfigCaptured(t *testing.T) {
	c := ParseWSLConfig(wslCapture(t, "wslconfig-11494.txt"))
	if c.Mode != "mirrored" || c.ModeSection != "wsl2" || c.Firewall != Yes || len(c.IgnoredPorts) != 1 || c.IgnoredPorts[0] != 22 {
		t.Fatalf("%+v", c)
	}
	c = ParseWSLConfig(wslCapture(t, "wslconfig-11090.txt"))
	if c.Mode != "mirrored" || c.ModeSection != "experimental" {
		t.Fatalf("%+v", c)
	}
	c = ParseWSLConfig(wslCapture(t, "wslconfig-giggio.txt"))
	if c.Mode != "nat" || c.LocalhostForwarding != Yes {
		t.Fatalf("%+v", c)
	}
	// [wsl2] wins over [experimental], whatever the order.
	c = ParseWSLConfig([]byte("[wsl2]\nnetworkingMode=NAT\n[experimental]\nnetworkingMode=mirrored # old\n"))
	if c.Mode != "nat" || c.ModeSection != "wsl2" {
		t.Fatalf("%+v", c)
	}
}

func TestParseHyperVVMSettingCaptured(t *testing.T) {
	s := ParseHyperVVMSetting(wslCapture(t, "hyperv-vmsetting-block.txt"))
	if !s.Read || s.Enabled != Yes || s.DefaultInboundAction != "Block" || s.AllowHostPolicyMerge != Yes {
		t.Fatalf("%+v", s)
	}
}

// The check on captures, through a directory as --captured gives it.
func TestWSLCheckCaptured(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("wsl-list.txt", utf16le(string(wslCapture(t, "wsl-list-kernel156.txt"))))
	write("wsl-tcp-Ubuntu-20.04.txt", wslCapture(t, "proc-net-tcp-sshd22.txt"))
	write("portproxy.txt", []byte(strings.Replace(string(wslCapture(t, "portproxy-8963.txt")),
		"30000-50000  172.23.188.236  30000-50000", "22          127.0.0.1       22", 1)))
	r := New(Options{Name: "Ubuntu-20.04", From: FromLAN, Captured: dir, Env: Env{GOOS: "linux"}})
	if !r.wslHas(context.Background(), "ubuntu-20.04") || !r.wslAny(context.Background()) {
		t.Fatal("distribution not found")
	}
	res := r.checkWSL(context.Background(), nil)
	for _, f := range res.Findings {
		if f.Severity == "error" {
			t.Errorf("a rule to 127.0.0.1 with localhost forwarding on works: %s %v", f.Code, f.Evidence)
		}
	}
	if res.Status != "pass" {
		t.Errorf("status %s", res.Status)
	}
	// Without any rule, the LAN cannot reach it.
	write("portproxy.txt", nil)
	r = New(Options{Name: "Ubuntu-20.04", From: FromLAN, Captured: dir, Env: Env{GOOS: "linux"}})
	res = r.checkWSL(context.Background(), nil)
	var codes []string
	for _, f := range res.Findings {
		codes = append(codes, f.Code)
	}
	if !strings.Contains(strings.Join(codes, " "), "wsl.lan_needs_portproxy") {
		t.Errorf("%v", codes)
	}
	// Not Windows and nothing captured: no WSL check at all.
	if cs := New(Options{Env: Env{GOOS: "linux"}}).windowsChecks(nil); len(cs) != 0 {
		t.Errorf("%d checks", len(cs))
	}
}

func FuzzParseWSLOutputs(f *testing.F) {
	for _, n := range []string{"wsl-list-12302.txt", "portproxy-8963.txt", "wslconfig-11494.txt", "hyperv-vmsetting-block.txt", "wsl-status-9448.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "wsl", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, _ := ParseWSLList(b)
		for _, d := range ds {
			if d.Version != 1 && d.Version != 2 || d.Name == "" {
				t.Fatalf("%+v", d)
			}
		}
		rs, _ := ParsePortProxy(b)
		for _, r := range rs {
			if n := r.ListenPortNum(); n < 0 || n > 65535 {
				t.Fatalf("%+v", r)
			}
		}
		ParseWSLConfig(b)
		ParseWSLStatus(b)
		ParseHyperVVMSetting(b)
		ParseHostnameI(b)
		vms, _ := ParseHyperV(b, b)
		for _, v := range vms {
			if v.Name == "" {
				t.Fatalf("%+v", v)
			}
		}
	})
}

func BenchmarkParsePortProxy(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("\nListen on ipv4:             Connect to ipv4:\n\nAddress         Port        Address         Port\n--------------- ----------  --------------- ----------\n")
	for i := 0; i < 200; i++ {
		sb.WriteString("0.0.0.0         2222        172.23.188.236  22\n")
	}
	in := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		ParsePortProxy(in)
	}
}

func TestParseHyperV(t *testing.T) {
	// The VM list as ConvertTo-Json writes one VM (an object, State a
	// number), and the adapter table of the pastebin capture.
	vms, err := ParseHyperV([]byte(`{"Name":  "XXX", "State":  2}`), wslCapture(t, "hyperv-adapters-pastebin.txt"))
	if err != nil || len(vms) != 1 || vms[0].State != "Running" || len(vms[0].Adapters) != 1 ||
		vms[0].Adapters[0].Status != "Ok" || len(vms[0].Adapters[0].Addresses) != 0 {
		t.Fatalf("%v %+v", err, vms)
	}
	// An array, State as a name, adapters as JSON with a one-element
	// Status list and addresses.
	vms, err = ParseHyperV(utf16le(`[{"Name":"web","State":"Off"},{"Name":"db","State":3}]`),
		[]byte(`[{"VMName":"web","SwitchName":"Default Switch","Status":["Ok"],"IPAddresses":["172.29.16.5","fe80::1"]}]`))
	if err != nil || len(vms) != 2 || vms[0].State != "Off" || vms[1].State != "Off" || vms[0].Adapters[0].Switch != "Default Switch" || len(vms[0].Adapters[0].Addresses) != 2 {
		t.Fatalf("%v %+v", err, vms)
	}
	if _, err := ParseHyperV([]byte("Get-VM : The term 'Get-VM' is not recognized"), nil); err == nil {
		t.Error("an error text read as a VM list")
	}
	if c := psCells(`web {172.29.16.5, fe80::1} {Ok}`); len(c) != 3 || psList(c[1])[1] != "fe80::1" {
		t.Errorf("%q", c)
	}
}
