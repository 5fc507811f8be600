package vm

import (
	"context"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
)

// localPortBudget bounds FindingsForLocalPort when its caller's context has
// no deadline: discovery only (no probe), a few VBoxManage commands.
const localPortBudget = 30 * time.Second

// FindingsForLocalPort returns what `sshdoctor vm` would say about the VM
// forward listening on this host's TCP port: its VM's state, whether the
// forward is reachable from where the client is (from: "host", "lan" or
// "vm"), and who holds the port. It returns nil when no VirtualBox VM or
// QEMU process here forwards that port, when from is not understood, and
// when nothing could be read. It never probes the port.
func FindingsForLocalPort(ctx context.Context, port int, from string) []*diag.Finding {
	return findingsForLocalPort(ctx, port, from, Env{})
}

func findingsForLocalPort(ctx context.Context, port int, from string, env Env) []*diag.Finding {
	fr, ok := ParseFrom(from)
	if !ok || port < 1 || port > 65535 {
		return nil
	}
	if _, has := ctx.Deadline(); !has {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, localPortBudget)
		defer cancel()
	}
	r := New(Options{From: fr, Env: env})
	if _, hv, _ := r.findHypervisors(ctx); !hv.vbox && len(hv.qemu) == 0 {
		return nil
	}
	if _, ok := r.discover(ctx); !ok {
		return nil
	}
	var out []*diag.Finding
	for _, m := range r.Machines() {
		guestPort := 0
		for _, n := range m.NICs {
			for _, f := range n.Forwards {
				if f.HostPort == port && protoOr(f.Proto) == "tcp" && (n.Mode == ModeNAT) {
					guestPort = f.GuestPort
				}
			}
			if n.Mode == ModeNATNetwork {
				for _, nn := range r.world.NATNets {
					for _, f := range nn.Forwards {
						if nn.Name == n.Network && f.HostPort == port && protoOr(f.Proto) == "tcp" {
							guestPort = f.GuestPort
						}
					}
				}
			}
		}
		if guestPort == 0 {
			continue
		}
		// Model this machine with the guest port its forward targets, so
		// the forward the client uses is the one judged.
		w := r.world
		w.Port, w.PortSet, w.Named = guestPort, true, true
		one := []*Machine{m}
		sub := &Run{opts: r.opts, env: r.env, world: w, machines: one,
			listeners: r.listeners, listenOK: r.listenOK, listenErr: r.listenErr}
		// Say which VM the port belongs to, even when nothing is wrong with
		// its configuration: a check whose banner failed then points at
		// the guest behind the forward.
		out = append(out, summary(m))
		out = append(out, sub.stateFindings(one)...)
		out = append(out, w.NetworkFindings(m)...)
		if sub.listenOK {
			out = append(out, sub.hostPortFindings(one)...)
		}
	}
	return out
}
