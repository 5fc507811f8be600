package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/hostfw"
)

// Connected is what the tcp layer hands on: the address ssh would end up
// using. The connection itself goes to the run's session, on which the
// banner layer reads (so the check costs the server one connection, as
// ssh does).
type Connected struct {
	Settings *Settings
	Addr     netip.Addr
	Elapsed  time.Duration
	// ResetAtConnect: the server accepted and reset before connect()
	// returned (so there is no connection to read a banner from).
	ResetAtConnect bool
}

type tcpKind string

const (
	kindOK          tcpKind = "ok"
	kindRefused     tcpKind = "refused"
	kindTimeout     tcpKind = "timeout"
	kindNoRoute     tcpKind = "no_route"
	kindUnreachable tcpKind = "net_unreachable"
	kindOther       tcpKind = "error"
	// kindResetAfterAccept: the handshake completed and the server reset
	// the connection before connect() returned — an accept-then-reset,
	// which the banner layer reports.
	kindResetAfterAccept tcpKind = "reset"
)

type dialResult struct {
	addr    netip.Addr
	conn    net.Conn
	err     error
	kind    tcpKind
	elapsed time.Duration
}

func classifyDial(err error) tcpKind {
	if err == nil {
		return kindOK
	}
	if k := errnoKind(err); k != "" {
		return k
	}
	if isConnReset(err) {
		return kindResetAfterAccept
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return kindTimeout
	}
	return kindOther
}

func (r *Run) dial(ctx context.Context, addr string) (net.Conn, error) {
	r.connections.Add(1)
	if r.opts.Dial != nil {
		return r.opts.Dial(ctx, "tcp", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

func (r *Run) checkTCP() *diag.Def[*Connected] {
	return &diag.Def[*Connected]{Name: "tcp", Doc: "a TCP connection to each address (or the ProxyCommand started), as ssh opens it",
		Requires: []diag.Node{r.defs.dns}, Timeout: r.opts.Timeout + time.Second,
		Run: onPath[*Connected](r.sess, func(ctx context.Context, p *diag.Pass) diag.Result {
			res := diag.ResultOf(p, r.defs.dns)
			s := res.Settings
			if s.ProxyCommand != "" {
				return r.connectProxy(ctx, s)
			}
			port := strconv.Itoa(s.Port)
			results := make([]dialResult, len(res.Addresses))
			var wg sync.WaitGroup
			for i, a := range res.Addresses {
				wg.Add(1)
				go func(i int, a netip.Addr) {
					defer wg.Done()
					dctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
					defer cancel()
					start := time.Now()
					c, err := r.dial(dctx, net.JoinHostPort(a.String(), port))
					results[i] = dialResult{addr: a, conn: c, err: err, kind: classifyDial(err), elapsed: time.Since(start)}
				}(i, a)
			}
			wg.Wait()
			if ctx.Err() == context.Canceled {
				for _, d := range results {
					if d.conn != nil {
						d.conn.Close()
					}
				}
				return diag.Skip()
			}
			// ssh tries the addresses in order and uses the first that works.
			chosen := -1
			for i, d := range results {
				if d.kind == kindOK || d.kind == kindResetAfterAccept {
					if chosen < 0 {
						chosen = i
					} else if d.conn != nil {
						d.conn.Close()
					}
				}
			}
			if chosen < 0 {
				f := r.tcpFailure(s, results)
				if fg := r.forgeOf(s); fg != nil && s.Jump == "" {
					r.forgeTCP(ctx, f, fg, s)
				}
				return diag.Conclude(nil, f)
			}
			ok := results[chosen]
			var findings []*diag.Finding
			findings = append(findings, diag.NewFinding("tcp.connected").Arg("addr", ok.addr.String()).Arg("port", port).
				Ev("address", net.JoinHostPort(ok.addr.String(), port)).Ev("connect_time", ok.elapsed.Round(time.Millisecond).String()))
			if len(results) > 1 && chosen < len(results) {
				var failed []string
				for _, d := range results {
					if d.kind != kindOK && d.kind != kindResetAfterAccept {
						failed = append(failed, d.addr.String()+" ("+string(d.kind)+")")
					}
				}
				if len(failed) > 0 {
					if chosen > 0 {
						wait := sshWait(s, results[:chosen])
						f := diag.NewFinding("tcp.partial").
							Arg("failed", strings.Join(failed, ", ")).Arg("working", ok.addr.String()).Arg("wait", wait).
							Fix("fix.set_connect_timeout", r.command("ssh", true, "-o", "ConnectTimeout=5"))
						for _, d := range results {
							f.Ev(d.addr.String(), describeDial(d))
						}
						findings = append(findings, f)
					} else {
						findings = append(findings, diag.NewFinding("tcp.other_addresses").
							Arg("hostname", s.Hostname).Arg("failed", strings.Join(failed, ", ")))
					}
				}
			}
			if ok.conn != nil {
				r.sess.setConn(ok.conn)
			}
			return diag.Conclude(&Connected{Settings: s, Addr: ok.addr, Elapsed: ok.elapsed,
				ResetAtConnect: ok.kind == kindResetAfterAccept}, findings...)
		})}
}

// sshWait says how long ssh would hang on the failing addresses before the
// working one: ConnectTimeout each for a dropped SYN, or the system's
// default (about two minutes on Linux: 6 SYN retries, 127 s).
func sshWait(s *Settings, before []dialResult) string {
	var total time.Duration
	kernel := false
	for _, d := range before {
		if d.kind == kindTimeout {
			if s.ConnectTimeout > 0 {
				total += s.ConnectTimeout
			} else {
				kernel = true
			}
		}
	}
	switch {
	case kernel:
		return "about 2 minutes"
	case total > 0:
		return total.String()
	default:
		return "no time"
	}
}

func describeDial(d dialResult) string {
	if d.err == nil {
		return "connected in " + d.elapsed.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("%s after %s: %v", d.kind, d.elapsed.Round(time.Millisecond), d.err)
}

// tcpFailure reports the failure of the address ssh tries first (and the
// others as evidence).
func (r *Run) tcpFailure(s *Settings, results []dialResult) *diag.Finding {
	first := results[0]
	addr := first.addr.String()
	port := strconv.Itoa(s.Port)
	hp := net.JoinHostPort(addr, port)
	fp := catalog.Params{catalog.ParamOS: runtime.GOOS, "port": port, "address": addr,
		"ssh_g_args": r.sshGArgs(), "sshdoctor_args": r.invocationArgs(0)}
	var f *diag.Finding
	switch first.kind {
	case kindRefused:
		f = diag.NewFinding("tcp.refused")
		if s.Port != 22 {
			if isLAN(first.addr) {
				fp["lan_forward"] = "yes"
			}
			fp["args_port_22"] = r.invocationArgs(22)
		}
	case kindTimeout:
		wait := "about 2 minutes (the system's TCP connect timeout)"
		if s.ConnectTimeout > 0 {
			wait = s.ConnectTimeout.String() + " (ConnectTimeout)"
		}
		f = diag.NewFinding("tcp.timeout").Arg("timeout", r.opts.Timeout.String()).Arg("wait", wait)
	case kindNoRoute:
		f = diag.NewFinding("tcp.no_route")
		if hostfw.LocalNetworkNote(f, runtime.GOOS, first.addr) {
			fp["macos_lan"] = "yes"
		}
	case kindUnreachable:
		f = diag.NewFinding("tcp.net_unreachable")
		if first.addr.Is6() {
			fp["ipv6"] = "yes"
		}
	default:
		msg := "unknown error"
		if first.err != nil {
			msg = first.err.Error()
		}
		f = diag.NewFinding("tcp.error").Arg("message", msg)
	}
	f.AddFixes(fp)
	f.Arg("addr", addr).Arg("port", port).Arg("hostname", s.Hostname).Arg("timeout", r.opts.Timeout.String())
	if _, ok := f.Args["wait"]; !ok {
		f.Arg("wait", "-")
	}
	f.Ev("address", hp)
	if first.err != nil {
		f.Ev("error", first.err.Error())
	}
	f.Ev("elapsed", first.elapsed.Round(time.Millisecond).String())
	for _, d := range results[1:] {
		f.Ev("also_"+d.addr.String(), describeDial(d))
	}
	if s.Jump != "" {
		f.Ev("jump_host", s.Jump)
	}
	return f
}

// isLAN reports a private, non-loopback address: where a VM port forward
// bound to 127.0.0.1 on that machine would refuse us.
func isLAN(a netip.Addr) bool {
	return a.IsPrivate() || a.IsLinkLocalUnicast() ||
		netip.MustParsePrefix("198.18.0.0/15").Contains(a) || netip.MustParsePrefix("100.64.0.0/10").Contains(a)
}

// destWithoutPort is user@host without any port, for suggested commands.
func (r *Run) destWithoutPort() string {
	if r.opts.User != "" {
		return r.opts.User + "@" + r.opts.Host
	}
	return r.opts.Host
}
