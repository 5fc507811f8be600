package server

import (
	"net/netip"
	"strings"
	"testing"
)

func TestEvalHostsAccess(t *testing.T) {
	allow := ParseHostsAccess(strings.NewReader("# allow\nsshd: 10.0.0.0/8, 192.168.1. EXCEPT 192.168.1.66\n"), "/etc/hosts.allow")
	deny := ParseHostsAccess(strings.NewReader("ALL: \\\n   ALL\n"), "/etc/hosts.deny")
	cases := []struct {
		src  string
		want tri
		line int
	}{
		{"10.2.3.4", no, 2},
		{"192.168.1.5", no, 2},
		{"192.168.1.66", yes, 1},
		{"203.0.113.9", yes, 1},
	}
	for _, c := range cases {
		v := EvalHostsAccess(allow, deny, netip.MustParseAddr(c.src))
		if v.Denied != c.want || v.Rule == nil || v.Rule.Line != c.line {
			t.Errorf("%s: %+v", c.src, v)
		}
	}
	// Unknown client: the allow rule may or may not apply.
	if v := EvalHostsAccess(allow, deny, netip.Addr{}); v.Denied != maybe {
		t.Errorf("unknown client: %+v", v)
	}
	// Only other daemons are denied.
	deny2 := ParseHostsAccess(strings.NewReader("vsftpd: ALL\nsshd: .example.com\n"), "/etc/hosts.deny")
	if v := EvalHostsAccess(nil, deny2, netip.MustParseAddr("10.0.0.1")); v.Denied != maybe {
		t.Errorf("hostname pattern: %+v", v)
	}
	// An explicit deny option in hosts.allow.
	allow3 := ParseHostsAccess(strings.NewReader("sshd: 10.0.0.1 : deny\n"), "/etc/hosts.allow")
	if v := EvalHostsAccess(allow3, nil, netip.MustParseAddr("10.0.0.1")); v.Denied != yes {
		t.Errorf("deny option: %+v", v)
	}
}

func FuzzHostsAccess(f *testing.F) {
	f.Add("sshd: 10.0.0.0/8 EXCEPT 10.0.0.1\nALL: ALL\n", "sshd, vsftpd: [2001:db8::]/32 : allow\n")
	f.Fuzz(func(t *testing.T, a, d string) {
		allow := ParseHostsAccess(strings.NewReader(a), "a")
		deny := ParseHostsAccess(strings.NewReader(d), "d")
		_ = EvalHostsAccess(allow, deny, netip.MustParseAddr("10.0.0.1"))
		_ = EvalHostsAccess(allow, deny, netip.Addr{})
	})
}
