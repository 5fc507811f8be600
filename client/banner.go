package client

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

var errResetAtConnect = errors.New("the server accepted the connection and reset it at once")

// Banner is what the banner layer hands on: the server's identification
// (the connection it came on stays with the session, where the kex layer
// goes on with the handshake).
type Banner struct {
	Settings *Settings
	Addr     string // host:port that answered
	Ident    sshwire.Ident
}

func (r *Run) checkBanner() *diag.Def[*Banner] {
	return &diag.Def[*Banner]{Name: "banner", Doc: "the server's identification line, read as ssh reads it",
		Requires: []diag.Node{r.defs.tcp}, Timeout: r.opts.Timeout + time.Second,
		Run: onPath[*Banner](r.sess, func(ctx context.Context, p *diag.Pass) diag.Result {
			c := diag.ResultOf(p, r.defs.tcp)
			conn := r.sess.Conn()
			if c.ResetAtConnect || conn == nil {
				id := sshwire.Ident{Outcome: sshwire.OutcomeReset, Err: errResetAtConnect}
				return diag.Conclude(nil, r.bannerFailure(c.Settings, c.Addr.String(), strconv.Itoa(c.Settings.Port), id))
			}
			// The exchange is bounded by its own deadline; closing the
			// connection on cancellation (Ctrl-C) ends it at once.
			stop := r.sess.closeOnCancel(ctx)
			defer stop()
			id := sshwire.Exchange(conn, r.opts.Timeout, sshwire.DefaultMaxBytes)
			s := c.Settings
			port := strconv.Itoa(s.Port)
			host := c.Addr.String()
			if !c.Addr.IsValid() {
				host = s.Hostname // through a ProxyCommand: no address of our own
			}
			hp := net.JoinHostPort(host, port)
			b := &Banner{Settings: s, Addr: hp, Ident: id}
			if ta, ok := conn.LocalAddr().(*net.TCPAddr); ok {
				r.setConnAddrs(ta.IP.String(), hp)
			}
			if id.Outcome == sshwire.OutcomeOK {
				return diag.Conclude(b, diag.NewFinding("banner.server").
					Arg("software", id.Software).Arg("proto", id.Proto).Arg("line", id.Line).
					Ev("identification", id.Line).Ev("elapsed", id.Elapsed.Round(time.Millisecond).String()))
			}
			f := r.bannerFailure(s, host, port, id)
			if id.Outcome == sshwire.OutcomeThrottled {
				// The address the server most likely saw (on a LAN; behind
				// NAT it sees the public one, which the phrase says).
				local := "YOUR.ADDRESS"
				if ta, ok := conn.LocalAddr().(*net.TCPAddr); ok {
					local = ta.IP.String()
				}
				f.Arg("local_addr", local).AddFixes(catalog.Params{"port": port, "local_addr": local})
			}
			return diag.Conclude(nil, f)
		})}
}

func (r *Run) bannerFailure(s *Settings, addr, port string, id sshwire.Ident) *diag.Finding {
	host := s.Hostname
	fp := catalog.Params{"port": port}
	var f *diag.Finding
	switch id.Outcome {
	case sshwire.OutcomeClosed, sshwire.OutcomeReset:
		code := "banner.closed"
		if id.Outcome == sshwire.OutcomeReset {
			code = "banner.reset"
		}
		f = diag.NewFinding(code).AddFixes(fp)
	case sshwire.OutcomeThrottled:
		said := ""
		if len(id.PreLines) > 0 {
			said = id.PreLines[0]
		}
		// Its fixes are given by the caller, which knows the local address.
		f = diag.NewFinding("banner.throttled").Arg("said", said)
	case sshwire.OutcomeTimeout:
		f = diag.NewFinding("banner.timeout").Arg("timeout", r.opts.Timeout.String()).
			Arg("lines", strconv.Itoa(id.PreCount))
		if a, err := netip.ParseAddr(addr); err == nil && anyLocal([]netip.Addr{a}) {
			// A forward on this machine that accepts and stays silent is
			// the classic sign of a guest that is paused or without sshd.
			fp["local_forward"] = "yes"
		}
		f.AddFixes(fp)
	case sshwire.OutcomeNotSSH:
		proto := id.Protocol
		if proto == "" {
			proto = "an unknown protocol"
		} else {
			fp["protocol"] = proto
		}
		f = diag.NewFinding("banner.not_ssh").AddFixes(fp)
		f.Arg("protocol", proto)
		if proto != "an unknown protocol" {
			f.Ev("protocol", proto)
		}
	case sshwire.OutcomeProtocol1:
		f = diag.NewFinding("banner.protocol1").Arg("line", id.Line).AddFixes(fp)
	default:
		f = diag.NewFinding("banner.invalid").Arg("line", id.Line).Fix("fix.right_port_unknown", "sudo ss -ltnp | grep -w "+port)
	}
	f.Arg("addr", addr).Arg("port", port).Arg("hostname", host)
	f.Ev("address", net.JoinHostPort(addr, port))
	if len(id.First) > 0 {
		f.Ev("received", diag.Quote(id.First, 120))
	} else {
		f.Ev("received", "nothing")
	}
	if id.PreCount > 0 {
		f.EvInt("lines_before_identification", id.PreCount)
		f.Ev("first_lines", strings.Join(id.PreLines, "\n"))
	}
	f.EvInt("bytes", id.Bytes)
	f.Ev("after", id.Elapsed.Round(time.Millisecond).String())
	if id.Err != nil {
		f.Ev("error", id.Err.Error())
	}
	return f
}
