package server

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadIpt(t testing.TB, name string) map[string]*IptTable {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	tables, err := ParseIptablesSave(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

func loadNft(t testing.TB, name string) *NftRuleset {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ParseNftJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func pkt(src string, port int) Packet {
	p := Packet{DPort: port}
	if src != "" {
		p.Src = netip.MustParseAddr(src)
		p.V6 = p.Src.Is6()
	}
	return p
}

// Real iptables-save outputs (captured in a scratch namespace).
func TestEvalIptables(t *testing.T) {
	drop := loadIpt(t, "iptables_drop22.txt")
	v := EvalIptables(drop, pkt("198.18.0.1", 22))
	if !v.Blocked || !v.Certain || !strings.Contains(v.Rule, "--dport 22 -j DROP") {
		t.Fatalf("drop22: %+v", v)
	}
	if v := EvalIptables(drop, pkt("198.18.0.1", 2222)); v.Blocked {
		t.Fatalf("drop22 on 2222: %+v", v)
	}
	if v := EvalIptables(drop, pkt("", 22)); !v.Blocked || !v.Certain {
		t.Fatalf("drop22 any source: %+v", v)
	}

	pol := loadIpt(t, "iptables_policy_drop.txt")
	cases := []struct {
		src     string
		port    int
		blocked bool
		certain bool
		rule    string
	}{
		{"10.1.2.3", 22, false, true, ""},
		{"203.0.113.7", 22, true, true, "f2b-sshd -s 203.0.113.7/32 -j REJECT"},
		{"192.0.2.50", 22, true, true, ":INPUT DROP"},
		// Port 2222 is open on eth1 only: from an unknown interface it is uncertain.
		{"192.0.2.50", 2222, true, false, ":INPUT DROP"},
		// Without a client address the per-source accept makes it uncertain.
		{"", 22, true, false, ":INPUT DROP"},
	}
	for _, c := range cases {
		v := EvalIptables(pol, pkt(c.src, c.port))
		if v.Blocked != c.blocked || (v.Blocked && v.Certain != c.certain) || !strings.Contains(v.Rule, c.rule) {
			t.Errorf("%s:%d: %+v", c.src, c.port, v)
		}
	}
}

func TestEvalNft(t *testing.T) {
	rs := loadNft(t, "nft_ruleset.json")
	cases := []struct {
		src     string
		port    int
		blocked bool
		rule    string
	}{
		{"10.9.9.9", 22, false, ""},
		{"10.9.9.9", 2222, false, ""},
		{"192.0.2.10", 22, true, "@blocked drop"},
		{"198.51.100.9", 22, true, "@blocked drop"},
		{"203.0.113.5", 22, true, "reject"},
		{"198.18.0.1", 22, false, ""}, // ssh_in accepts the rest
		{"198.18.0.1", 80, true, "policy drop"},
	}
	for _, c := range cases {
		v := EvalNft(rs, pkt(c.src, c.port), nil)
		if v.Blocked != c.blocked || !strings.Contains(v.Rule, c.rule) {
			t.Errorf("%s:%d: %+v", c.src, c.port, v)
		}
	}
	// iptables-nft rules show up in nft's JSON too; with the tables that
	// iptables manages skipped they are not counted twice.
	compat := loadNft(t, "nft_iptables_compat.json")
	if v := EvalNft(compat, pkt("198.18.0.1", 22), nil); !v.Blocked {
		t.Errorf("compat ruleset evaluated alone: %+v", v)
	}
	skip := func(fam, table string) bool { return table == "filter" }
	if v := EvalNft(compat, pkt("198.18.0.1", 22), skip); v.Blocked {
		t.Errorf("compat tables skipped: %+v", v)
	}
}

func TestMatchIptOptions(t *testing.T) {
	rule := func(s string) *IptRule {
		tb, err := ParseIptablesSave(strings.NewReader("*filter\n:INPUT ACCEPT [0:0]\n" + s + "\nCOMMIT\n"))
		if err != nil {
			t.Fatal(err)
		}
		return &tb["filter"].Rules["INPUT"][0]
	}
	p := pkt("10.0.0.1", 22)
	for text, want := range map[string]tri{
		"-A INPUT -p udp --dport 22 -j DROP":                     no,
		"-A INPUT ! -s 10.0.0.0/8 -p tcp -j DROP":                no,
		"-A INPUT -s 10.0.0.0/255.0.0.0 -j DROP":                 yes,
		"-A INPUT -p tcp -m multiport --dports 20:30 -j DROP":    yes,
		"-A INPUT -p tcp -m multiport ! --dports 20:30 -j DROP":  no,
		"-A INPUT -i lo -j DROP":                                 no,
		"-A INPUT ! -i lo -j DROP":                               yes,
		"-A INPUT -i eth0 -j DROP":                               maybe,
		"-A INPUT -m state --state NEW -j DROP":                  yes,
		"-A INPUT -m conntrack --ctstate ESTABLISHED -j DROP":    no,
		"-A INPUT -m set --match-set blocklist src -j DROP":      maybe,
		"-A INPUT -p tcp --syn -j DROP":                          yes,
		"-A INPUT -m recent --rcheck --seconds 60 -j DROP":       maybe,
		"-A INPUT -p tcp -m comment --comment \"a b\" -j REJECT": yes,
	} {
		if got, _ := matchIpt(rule(text), p); got != want {
			t.Errorf("%s: %v, want %v", text, got, want)
		}
	}
}

func FuzzParseIptablesSave(f *testing.F) {
	for _, n := range []string{"iptables_drop22.txt", "iptables_policy_drop.txt"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(string(b))
	}
	f.Add("*filter\n:INPUT DROP [0:0]\n:a - [0:0]\n-A INPUT -j a\n-A a -j INPUT\nCOMMIT\n")
	f.Fuzz(func(t *testing.T, text string) {
		tables, err := ParseIptablesSave(strings.NewReader(text))
		if err != nil {
			return
		}
		for _, src := range []string{"", "10.0.0.1", "2001:db8::1"} {
			_ = EvalIptables(tables, pkt(src, 22))
		}
	})
}

func FuzzParseNftJSON(f *testing.F) {
	for _, n := range []string{"nft_ruleset.json", "nft_iptables_compat.json"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(string(b))
	}
	f.Add(`{"nftables":[{"chain":{"family":"inet","table":"t","name":"c","hook":"input","type":"filter","policy":"drop"}},{"rule":{"family":"inet","table":"t","chain":"c","expr":[{"jump":{"target":"c"}}]}}]}`)
	f.Fuzz(func(t *testing.T, text string) {
		rs, err := ParseNftJSON(strings.NewReader(text))
		if err != nil {
			return
		}
		for _, src := range []string{"", "10.0.0.1", "2001:db8::1"} {
			_ = EvalNft(rs, pkt(src, 22), nil)
		}
	})
}
