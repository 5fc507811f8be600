package server

import "testing"

func TestMatchPattern(t *testing.T) {
	cases := []struct {
		s, p string
		want bool
	}{
		{"alice", "alice", true},
		{"alice", "al*", true},
		{"alice", "a?ice", true},
		{"alice", "*", true},
		{"alice", "bob", false},
		{"alice", "alic", false},
		{"", "*", true},
		{"", "?", false},
		{"aaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*c", false},
		{"192.168.1.7", "192.168.1.*", true},
	}
	for _, c := range cases {
		if got := matchPattern(c.s, c.p); got != c.want {
			t.Errorf("matchPattern(%q, %q) = %v", c.s, c.p, got)
		}
	}
}

func TestMatchPatternList(t *testing.T) {
	if matchPatternList("alice", "bob,al*", false) != 1 {
		t.Error("positive match")
	}
	if matchPatternList("alice", "*,!alice", false) != -1 {
		t.Error("negation wins")
	}
	if matchPatternList("ALICE", "alice", true) != 1 || matchPatternList("ALICE", "alice", false) != 0 {
		t.Error("case folding")
	}
}

func TestAddrMatchList(t *testing.T) {
	cases := []struct {
		addr, list string
		want       int
	}{
		{"10.1.2.3", "10.0.0.0/8", 1},
		{"10.1.2.3", "192.168.0.0/16,10.1.2.3", 1},
		{"10.1.2.3", "!10.0.0.0/8,*", -1},
		{"10.1.2.3", "10.1.2.*", 1},
		{"10.1.2.3", "10.0.0.1/8", -2}, // host bits set: sshd's "inconsistent mask length"
		{"10.1.2.3", "", -2},
		{"2001:db8::1", "2001:db8::/32", 1},
		{"2001:db8::1", "10.0.0.0/8", 0},
		{"not-an-ip", "10.0.0.0/8", 0},
	}
	for _, c := range cases {
		if got := addrMatchList(c.addr, c.list); got != c.want {
			t.Errorf("addrMatchList(%q, %q) = %d, want %d", c.addr, c.list, got, c.want)
		}
	}
}

func TestMatchUser(t *testing.T) {
	if m, dep := matchUser("alice", "", "", "alice@10.0.0.0/8"); m != 0 || !dep {
		t.Errorf("unknown source: %d %v", m, dep)
	}
	if m, _ := matchUser("alice", "10.2.3.4", "10.2.3.4", "alice@10.0.0.0/8"); m != 1 {
		t.Errorf("inside: %d", m)
	}
	if m, _ := matchUser("alice", "192.0.2.1", "192.0.2.1", "alice@10.0.0.0/8"); m != 0 {
		t.Errorf("outside: %d", m)
	}
	if m, _ := matchUser("alice", "", "", "a*"); m != 1 {
		t.Errorf("plain pattern: %d", m)
	}
}

func TestMatchHostAndIP(t *testing.T) {
	if matchHostAndIP("10.0.0.5", "10.0.0.5", "10.0.0.0/24") != 1 {
		t.Error("cidr")
	}
	if matchHostAndIP("10.0.0.5", "10.0.0.5", "!10.0.0.5,10.0.0.0/24") != 0 {
		t.Error("negated address")
	}
	if matchHostAndIP("10.0.0.5", "10.0.0.5", "10.0.0.1/24") != -1 {
		t.Error("malformed list is an error")
	}
}
