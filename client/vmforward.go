package client

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/vm"
)

// vmForwardTimeout bounds the VM look-up: a few VBoxManage read commands
// when VirtualBox is installed, a scan of running QEMU processes otherwise.
const vmForwardTimeout = 10 * time.Second

// checkVMForward adds what `sshdoctor vm` knows when the target is this
// machine and its port is the host side of a VirtualBox or QEMU forward:
// then the guest, its network mode and the forward's bind address are
// often the real cause of what the other layers saw.
func (r *Run) checkVMForward() *diag.Def[struct{}] {
	return &diag.Def[struct{}]{Name: "vm-forward", Doc: "when the port is on this machine, the VirtualBox or QEMU forward behind it and its guest",
		Requires: []diag.Node{r.defs.dns}, Timeout: vmForwardTimeout,
		Run: func(ctx context.Context, p *diag.Pass) (struct{}, bool, diag.Result) {
			res := diag.ResultOf(p, r.defs.dns)
			if res.Settings.Jump != "" || !anyLocal(res.Addresses) {
				return struct{}{}, true, diag.Skip()
			}
			fs := vm.FindingsForLocalPort(ctx, res.Settings.Port, string(vm.FromHost))
			if len(fs) == 0 {
				return struct{}{}, true, diag.Skip()
			}
			return struct{}{}, true, diag.Conclude(nil, fs...)
		}}
}

// anyLocal reports whether one of the addresses belongs to this machine.
func anyLocal(addrs []netip.Addr) bool {
	var local []netip.Addr
	if ifs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range ifs {
			if pfx, err := netip.ParsePrefix(a.String()); err == nil {
				local = append(local, pfx.Addr().Unmap())
			}
		}
	}
	for _, a := range addrs {
		if a.IsLoopback() || a.IsUnspecified() {
			return true
		}
		for _, l := range local {
			if l == a.Unmap() {
				return true
			}
		}
	}
	return false
}
