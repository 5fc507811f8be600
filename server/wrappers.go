package server

import (
	"bufio"
	"io"
	"net/netip"
	"strings"
)

// WrapRule is one hosts.allow / hosts.deny rule.
type WrapRule struct {
	File    string
	Line    int
	Daemons string
	Clients string
	Options string
	Text    string
}

// maxWrapBytes caps hosts.allow/deny reads.
const maxWrapBytes = 1 << 20

// ParseHostsAccess reads hosts_access(5) rules: "daemons : clients [:
// options]", with backslash continuation and # comments.
func ParseHostsAccess(r io.Reader, name string) []WrapRule {
	var out []WrapRule
	sc := bufio.NewScanner(io.LimitReader(r, maxWrapBytes))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	n, start := 0, 0
	var cur strings.Builder
	for sc.Scan() {
		n++
		line := sc.Text()
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\"))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(line)
		full := strings.TrimSpace(cur.String())
		cur.Reset()
		if full == "" || full[0] == '#' {
			continue
		}
		parts := splitColons(full)
		if len(parts) < 2 {
			continue
		}
		rl := WrapRule{File: name, Line: start, Daemons: strings.TrimSpace(parts[0]),
			Clients: strings.TrimSpace(parts[1]), Text: capText(full, 200)}
		if len(parts) > 2 {
			rl.Options = strings.TrimSpace(strings.Join(parts[2:], ":"))
		}
		out = append(out, rl)
	}
	return out
}

// splitColons splits on ':' outside [IPv6] brackets.
func splitColons(s string) []string {
	var out []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case ':':
			if depth == 0 {
				out = append(out, s[last:i])
				last = i + 1
			}
		}
	}
	return append(out, s[last:])
}

func wrapTokens(list string) []string {
	return strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// listMatch is tcp_wrappers' list_match with EXCEPT, in three values.
func listMatch(toks []string, fn func(string) tri) tri {
	for i, tok := range toks {
		if tok == "EXCEPT" {
			return no
		}
		m := fn(tok)
		if m == no {
			continue
		}
		j := i + 1
		for j < len(toks) && toks[j] != "EXCEPT" {
			j++
		}
		if j >= len(toks) {
			return m
		}
		ex := listMatch(toks[j+1:], fn)
		switch ex {
		case yes:
			return no
		case maybe:
			return maybe
		}
		return m
	}
	return no
}

func daemonTri(tok string) tri {
	switch {
	case tok == "ALL" || tok == "sshd":
		return yes
	case strings.HasPrefix(tok, "sshd@") || strings.HasPrefix(tok, "ALL@"):
		return maybe
	case strings.ContainsAny(tok, "*?"):
		return boolTri(matchPattern("sshd", tok))
	}
	return no
}

// clientTri matches one client pattern against the client's address
// (invalid when unknown). Name-based patterns are maybe: no DNS is done.
func clientTri(tok string, src netip.Addr) tri {
	if tok == "ALL" {
		return yes
	}
	if !src.IsValid() {
		return maybe
	}
	ip := src.String()
	switch {
	case tok == "LOCAL" || tok == "KNOWN" || tok == "UNKNOWN" || tok == "PARANOID":
		return maybe
	case strings.HasPrefix(tok, "@") || strings.HasPrefix(tok, "/"):
		return maybe
	case strings.HasPrefix(tok, "."):
		return maybe
	case strings.HasSuffix(tok, ".") && src.Is4():
		return boolTri(strings.HasPrefix(ip, tok))
	case strings.HasPrefix(tok, "["):
		t := strings.NewReplacer("[", "", "]", "").Replace(tok)
		return addrTri(t, src)
	case strings.Contains(tok, "/"):
		return addrTri(tok, src)
	case strings.ContainsAny(tok, "*?"):
		if matchPattern(ip, tok) {
			return yes
		}
		return maybe
	}
	if a, err := netip.ParseAddr(tok); err == nil {
		return boolTri(a.Unmap() == src)
	}
	return maybe
}

// WrapVerdict is the outcome of hosts.allow / hosts.deny for sshd.
type WrapVerdict struct {
	Denied tri
	Rule   *WrapRule
}

// EvalHostsAccess applies hosts_access(5): the first matching rule in
// hosts.allow grants, else the first matching rule in hosts.deny denies,
// else access is granted. A trailing "allow"/"deny" option overrides the
// file's meaning.
func EvalHostsAccess(allow, deny []WrapRule, src netip.Addr) WrapVerdict {
	var possible *WrapRule
	uncertain := false
	for li, list := range [][]WrapRule{allow, deny} {
		for i := range list {
			r := &list[i]
			d := listMatch(wrapTokens(r.Daemons), daemonTri)
			if d == no {
				continue
			}
			c := listMatch(wrapTokens(r.Clients), func(t string) tri { return clientTri(t, src) })
			m := and(d, c)
			if m == no {
				continue
			}
			isDeny := li == 1
			opt := strings.ToLower(r.Options)
			if opt == "deny" || strings.HasPrefix(opt, "deny") || strings.HasSuffix(opt, ": deny") {
				isDeny = true
			} else if opt == "allow" || strings.HasPrefix(opt, "allow") || strings.HasSuffix(opt, ": allow") {
				isDeny = false
			}
			if m == maybe {
				if isDeny && possible == nil {
					possible = r
				} else if !isDeny {
					uncertain = true
				}
				continue
			}
			if isDeny {
				if possible != nil || uncertain {
					return WrapVerdict{Denied: maybe, Rule: r}
				}
				return WrapVerdict{Denied: yes, Rule: r}
			}
			if possible != nil {
				return WrapVerdict{Denied: maybe, Rule: possible}
			}
			return WrapVerdict{Denied: no, Rule: r}
		}
	}
	if possible != nil {
		return WrapVerdict{Denied: maybe, Rule: possible}
	}
	return WrapVerdict{Denied: no}
}
