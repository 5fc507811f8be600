package client

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/report"
)

// Resolved is what the dns layer hands on: addresses in the order ssh
// would try them.
type Resolved struct {
	Settings  *Settings
	Addresses []netip.Addr
}

// lookupIP is the resolver; tests may replace it.
var lookupIP = func(ctx context.Context, host string) ([]net.IPAddr, error) {
	return net.DefaultResolver.LookupIPAddr(ctx, host)
}

func (r *Run) checkDNS() *diag.Def[*Resolved] {
	return &diag.Def[*Resolved]{Name: "dns", Doc: "the addresses the host name resolves to, in the order ssh tries them",
		Requires: []diag.Node{r.defs.config}, Timeout: r.opts.Timeout + time.Second,
		Run: typed[*Resolved](func(ctx context.Context, p *diag.Pass) diag.Result {
			s := diag.ResultOf(p, r.defs.config)
			if s.ProxyCommand != "" {
				// ssh resolves nothing: the command connects.
				return diag.Conclude(&Resolved{Settings: s}, diag.NewFinding("dns.via_proxy").Arg("hostname", s.Hostname))
			}
			host := s.Hostname
			fam := s.AddressFamily
			var addrs []netip.Addr
			literal := false
			if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
				addrs, literal = []netip.Addr{a.Unmap()}, true
			} else {
				lctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
				defer cancel()
				ips, err := lookupIP(lctx, host)
				if err != nil {
					return diag.Conclude(nil, r.dnsFinding(host, err))
				}
				for _, ip := range ips {
					if a, ok := netip.AddrFromSlice(ip.IP); ok {
						addrs = append(addrs, a.Unmap())
					}
				}
			}
			all := addrs
			addrs = filterFamily(addrs, fam)
			if len(addrs) == 0 {
				family := "IPv4"
				if fam == "inet6" {
					family = "IPv6"
				}
				return diag.Conclude(nil, diag.NewFinding("dns.no_address").Arg("hostname", host).
					Arg("family", family).Arg("addresses", joinAddrs(all)).
					Ev("addresses", joinAddrs(all)).Ev("addressfamily", fam).
					Fix("fix.other_family", ""))
			}
			r.setTarget(func(t *report.Target) {
				t.Addresses = t.Addresses[:0]
				for _, a := range addrs {
					t.Addresses = append(t.Addresses, a.String())
				}
			})
			f := diag.NewFinding("dns.resolved").Arg("hostname", host).Arg("addresses", joinAddrs(addrs))
			if literal {
				f = diag.NewFinding("dns.literal").Arg("hostname", host)
			}
			return diag.Conclude(&Resolved{Settings: s, Addresses: addrs}, f)
		})}
}

func filterFamily(in []netip.Addr, fam string) []netip.Addr {
	var out []netip.Addr
	for _, a := range in {
		switch {
		case fam == "inet" && !a.Is4():
		case fam == "inet6" && !a.Is6():
		default:
			out = append(out, a)
		}
	}
	return out
}

func joinAddrs(a []netip.Addr) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = x.String()
	}
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ", ")
}

func (r *Run) dnsFinding(host string, err error) *diag.Finding {
	var de *net.DNSError
	fp := catalog.Params{catalog.ParamOS: runtime.GOOS, "hostname": host, "ssh_g_args": r.sshGArgs()}
	if errors.As(err, &de) && de.IsNotFound {
		return diag.NewFinding("dns.nxdomain").Arg("hostname", host).
			Ev("resolver_said", de.Err).Ev("name", host).
			AddFixes(fp)
	}
	f := diag.NewFinding("dns.tempfail").Arg("hostname", host).Ev("resolver_said", err.Error())
	if errors.As(err, &de) && de.Server != "" {
		f.Ev("dns_server", de.Server)
	}
	return f.AddFixes(fp)
}
