package client

import "sshdoctor/diag"

// layers lists every client check in dependency order: the order in which
// ssh meets them, so that the first failure is the root cause.
func (r *Run) layers() []*diag.Check {
	return []*diag.Check{
		r.checkConfig(),
		r.checkDNS(),
		r.checkTCP(),
		r.checkBanner(),
		r.checkKex(),
		r.checkHostKey(),
		r.checkAuth(),
		r.checkLogin(),
		r.checkVMForward(),
	}
}
