package hostfw_test

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/hostfw"
	"github.com/sshdoctor/sshdoctor/report"
)

func read(t testing.TB, n string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", n))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseExcludedCaptured(t *testing.T) {
	cases := []struct {
		file  string
		n     int
		port  int
		start int
		admin bool
	}{
		{"excluded_en.txt", 11, 50010, 50000, true},
		{"excluded_en.txt", 11, 53300, 53286, false},
		{"excluded_ko.txt", 10, 13600, 13543, false},
		{"excluded_docker.txt", 15, 6942, 6897, false},
	}
	for _, c := range cases {
		rs, ok := hostfw.ParseExcludedPortRanges(read(t, c.file))
		if !ok || len(rs) != c.n {
			t.Fatalf("%s: ok=%v %d ranges", c.file, ok, len(rs))
		}
		r, in := hostfw.Excluding(rs, c.port)
		if !in || r.Start != c.start || r.Administered != c.admin {
			t.Errorf("%s port %d: %+v %v", c.file, c.port, r, in)
		}
	}
	rs, _ := hostfw.ParseExcludedPortRanges(read(t, "excluded_en.txt"))
	if _, in := hostfw.Excluding(rs, 2222); in {
		t.Error("2222 reported excluded")
	}
	if _, ok := hostfw.ParseExcludedPortRanges("The requested operation requires elevation.\n"); ok {
		t.Error("no table parsed as one")
	}
}

func TestMacFirewallCaptured(t *testing.T) {
	apps := hostfw.ParseListApps(read(t, "socketfilterfw_listapps.txt"))
	if len(apps) != 9 || !apps["/usr/libexec/sshd-session"] || apps["/usr/sbin/smbd"] {
		t.Fatalf("%v", apps)
	}
	if st := hostfw.ParseGlobalState(read(t, "socketfilterfw_states.txt")); st != 1 {
		t.Fatalf("state %d", st)
	}
	if st := hostfw.ParseGlobalState("Firewall is enabled. (State = 2)\n"); st != 2 {
		t.Fatalf("state %d", st)
	}
	vbox := "/Applications/VirtualBox.app/Contents/Resources/VirtualBoxVM.app/Contents/MacOS/VBoxHeadless"
	code := func(fw hostfw.MacFirewall, bin string) string {
		var c []string
		for _, f := range hostfw.MacFindings(fw, "dev", bin) {
			c = append(c, f.Code+"/"+string(f.Severity))
		}
		return strings.Join(c, ",")
	}
	if c := code(hostfw.MacFirewall{State: 0}, vbox); c != "" {
		t.Errorf("off: %s", c)
	}
	if c := code(hostfw.MacFirewall{State: 2, Apps: apps}, vbox); c != "vm.macos_firewall_block_all/error" {
		t.Errorf("block all: %s", c)
	}
	// A listed, blocked binary (the captured list blocks sshd-session).
	if c := code(hostfw.MacFirewall{State: 1, Apps: apps}, "/usr/libexec/sshd-session"); c != "vm.macos_firewall_blocks_app/error" {
		t.Errorf("blocked: %s", c)
	}
	if c := code(hostfw.MacFirewall{State: 1, Apps: apps}, "/usr/sbin/smbd"); c != "" {
		t.Errorf("allowed: %s", c)
	}
	// Not in the list: only a warning (macOS may still ask).
	if c := code(hostfw.MacFirewall{State: 1, Apps: apps}, vbox); c != "vm.macos_firewall_blocks_app/warning" {
		t.Errorf("unlisted: %s", c)
	}
}

func TestLocalNetworkNote(t *testing.T) {
	f := diag.NewFinding("tcp.no_route")
	if hostfw.LocalNetworkNote(f, "linux", netip.MustParseAddr("192.168.1.20")) ||
		hostfw.LocalNetworkNote(f, "darwin", netip.MustParseAddr("8.8.8.8")) {
		t.Fatal("note where it does not apply")
	}
	if !hostfw.LocalNetworkNote(f, "darwin", netip.MustParseAddr("192.168.1.20")) || len(f.Fixes) != 0 {
		t.Fatalf("%+v", f)
	}
	// Its fix is the code's, given when the note applies.
	f.AddFixes(catalog.Params{catalog.ParamOS: "darwin", "macos_lan": "yes"})
	if len(f.Fixes) == 0 || f.Fixes[0].Key != "fix.macos_local_network" {
		t.Fatalf("%+v", f.Fixes)
	}
}

// The text and JSON a person gets for each host-side finding, in both
// languages, from the captured outputs.
func TestHostScenarios(t *testing.T) {
	rs, _ := hostfw.ParseExcludedPortRanges(read(t, "excluded_docker.txt"))
	r, _ := hostfw.Excluding(rs, 6950)
	excl := hostfw.ExcludedFinding("dev", "ssh,tcp,,6950,,22", 6950, r)
	apps := hostfw.ParseListApps(read(t, "socketfilterfw_listapps.txt"))
	mac := hostfw.MacFindings(hostfw.MacFirewall{State: hostfw.ParseGlobalState("Firewall is enabled. (State = 2)"), Apps: apps}, "dev",
		"/Applications/VirtualBox.app/Contents/Resources/VirtualBoxVM.app/Contents/MacOS/VBoxHeadless")[0]
	ln := diag.NewFinding("tcp.no_route").Arg("addr", "192.168.1.20").Arg("port", "22").Arg("hostname", "nas").Arg("timeout", "5s").Arg("wait", "-")
	hostfw.LocalNetworkNote(ln, "darwin", netip.MustParseAddr("192.168.1.20"))
	ln.AddFixes(catalog.Params{catalog.ParamOS: "darwin", "macos_lan": "yes", "address": "192.168.1.20"})
	cases := []struct {
		f      *diag.Finding
		en, ja string
		fix    string
	}{
		{excl, "host port 6950 is inside a range Windows reserves (6897-6996)", "ホストのポート 6950 は Windows が予約している範囲 (6897-6996)",
			"netsh int ipv4 add excludedportrange protocol=tcp startport=6950 numberofports=1"},
		{mac, "macOS's firewall blocks all incoming connections", "macOS のファイアウォールがすべての受信接続をブロックしています", "socketfilterfw --setblockall off"},
		{ln, "macOS 15 and later refuse LAN connections", "ローカルネットワークの許可がないアプリ", "x-apple.systempreferences"},
	}
	for _, c := range cases {
		o := &diag.Outcome{Runs: []diag.Run{{Check: &diag.Check{Name: "host"}, Result: diag.Conclude(nil, c.f)}}}
		for lang, want := range map[catalog.Lang]string{catalog.EN: c.en, catalog.JA: c.ja} {
			var b bytes.Buffer
			if err := report.Build("vm", lang, o).WriteText(&b, report.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s %s: lacks %q:\n%s", c.f.Code, lang, want, b.String())
			}
		}
		var b bytes.Buffer
		rep := report.Build("vm", catalog.EN, o)
		if err := rep.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		var j struct {
			Diagnosis struct {
				Code  string
				Fixes []struct{ Command string }
			}
		}
		if err := json.Unmarshal(b.Bytes(), &j); err != nil || j.Diagnosis.Code != c.f.Code {
			t.Fatalf("%s: json %v %s", c.f.Code, err, b.String())
		}
		all := ""
		for _, x := range j.Diagnosis.Fixes {
			all += x.Command + "\n"
		}
		if !strings.Contains(all, c.fix) || strings.Contains(all, "chmod") {
			t.Errorf("%s: fixes %q", c.f.Code, all)
		}
	}
}

func FuzzParseExcluded(f *testing.F) {
	for _, n := range []string{"excluded_en.txt", "excluded_ko.txt", "excluded_docker.txt"} {
		f.Add(read(f, n))
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs, _ := hostfw.ParseExcludedPortRanges(s)
		for _, r := range rs {
			if r.Start < 1 || r.End > 65535 || r.Start > r.End {
				t.Fatalf("bad range %+v", r)
			}
		}
		hostfw.ParseListApps(s)
		hostfw.ParseGlobalState(s)
	})
}

func BenchmarkParseExcluded(b *testing.B) {
	s := read(b, "excluded_docker.txt")
	b.ReportAllocs()
	for b.Loop() {
		hostfw.ParseExcludedPortRanges(s)
	}
}
