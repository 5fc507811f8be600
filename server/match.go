package server

import (
	"github.com/sshdoctor/sshdoctor/sshconfig"
	"net/netip"
	"strconv"
	"strings"
)

// The pattern rules below follow OpenSSH's match.c and addrmatch.c, because
// a diagnosis is only right when it decides exactly as sshd decides.

// matchPattern reports whether s matches pattern with sshd's wildcards:
// '*' any run of characters, '?' one character. Matching is exact
// otherwise (callers lower-case when sshd does).
func matchPattern(s, pattern string) bool {
	return sshconfig.MatchPattern(s, pattern)
}

// matchPatternList matches s against a comma-separated list of patterns,
// each optionally negated with '!': 1 when a positive pattern matches and no
// negated one does, -1 when a negated pattern matches, 0 otherwise
// (match.c match_pattern_list).
func matchPatternList(s, list string, lower bool) int {
	if lower {
		s = strings.ToLower(s)
	}
	got := 0
	for _, p := range strings.Split(list, ",") {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if lower {
			p = strings.ToLower(p)
		}
		if matchPattern(s, p) {
			if neg {
				return -1
			}
			got = 1
		}
	}
	return got
}

// parseCIDR parses an address or address/len the way addr_pton_cidr does:
// host bits set under the mask are an error ("inconsistent mask length").
// ok is false when s is not an address at all (then sshd falls back to a
// wildcard match); err is set for a malformed network.
func parseCIDR(s string) (p netip.Prefix, ok bool, bad bool) {
	addrPart, lenPart, hasLen := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addrPart)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false, false
	}
	a = a.Unmap()
	bits := a.BitLen()
	if hasLen {
		n, err := strconv.Atoi(lenPart)
		if err != nil || n < 0 || n > a.BitLen() || lenPart == "" || (len(lenPart) > 1 && lenPart[0] == '0') {
			return netip.Prefix{}, false, true
		}
		bits = n
	}
	pfx := netip.PrefixFrom(a, bits)
	if pfx.Masked().Addr() != a {
		return netip.Prefix{}, false, true
	}
	return pfx, true, false
}

// addrMatchList implements addr_match_list: 1 match, -1 negated match,
// 0 no match, -2 a malformed entry.
func addrMatchList(addr string, list string) int {
	var try netip.Addr
	var haveAddr bool
	if addr != "" {
		a, err := netip.ParseAddr(addr)
		if err != nil {
			return 0
		}
		try, haveAddr = a.Unmap(), true
	}
	ret := 0
	for _, cp := range strings.Split(list, ",") {
		neg := strings.HasPrefix(cp, "!")
		if neg {
			cp = cp[1:]
		}
		if cp == "" {
			return -2
		}
		found := false
		pfx, ok, bad := parseCIDR(cp)
		switch {
		case bad:
			return -2
		case ok:
			found = haveAddr && pfx.Addr().Is4() == try.Is4() && pfx.Contains(try)
		default:
			found = haveAddr && matchPattern(addr, cp)
		}
		if found {
			if neg {
				return -1
			}
			ret = 1
		}
	}
	return ret
}

// matchHostAndIP implements match_host_and_ip: 1 allowed, 0 not, -1 when
// the pattern list is malformed.
func matchHostAndIP(host, ip, patterns string) int {
	mip := addrMatchList(ip, patterns)
	if mip == -2 {
		return -1
	}
	if mip == -1 {
		return 0
	}
	mhost := matchPatternList(host, patterns, true)
	if mhost == -1 {
		return 0
	}
	if mhost == 1 || mip == 1 {
		return 1
	}
	return 0
}

// matchUser implements match_user for AllowUsers/DenyUsers entries:
// "user" or "user@host-or-address-patterns". ip and host may be empty
// when the source is unknown; then a pattern with @ is undecidable and
// hostDependent is true.
func matchUser(user, host, ip, pattern string) (m int, hostDependent bool) {
	at := strings.LastIndexByte(pattern, '@')
	if at < 0 {
		if matchPattern(user, pattern) {
			return 1, false
		}
		return 0, false
	}
	if !matchPattern(user, pattern[:at]) {
		return 0, false
	}
	if ip == "" {
		return 0, true
	}
	if host == "" {
		host = ip
	}
	return matchHostAndIP(host, ip, pattern[at+1:]), false
}
