package client

import "github.com/sshdoctor/sshdoctor/diag"

// layers lists every client check in dependency order: the order in which
// ssh meets them, so that the first failure is the root cause. The VM
// forward check sits right after name resolution: when the port is the
// host side of a VM's forward, a VM that is stopped or a forward that
// cannot work explains everything the later layers see.
func (r *Run) layers() []*diag.Check {
	return []*diag.Check{
		r.checkConfig(),
		r.checkDNS(),
		r.checkVMForward(),
		r.checkTCP(),
		r.checkBanner(),
		r.checkKex(),
		r.checkHostKey(),
		r.checkAuth().Untyped(),
		r.checkJump().Untyped(),
		r.checkLogin().Untyped(),
	}
}
