package client

import "github.com/sshdoctor/sshdoctor/diag"

// defs are a run's checks, built once so that a check's Requires and its
// dependents' ResultOf name the same values.
type defs struct {
	config    *diag.Def[*Settings]
	dns       *diag.Def[*Resolved]
	vmForward *diag.Def[struct{}]
	tcp       *diag.Def[*Connected]
	banner    *diag.Def[*Banner]
	kex       *diag.Def[*KexResult]
	hostKey   *diag.Def[*HostKeyResult]
	auth      *diag.Def[*AuthResult]
	jump      *diag.Def[struct{}]
	login     *diag.Def[struct{}]
}

// buildDefs builds the checks in dependency order (each names the ones
// built before it as prerequisites).
func (r *Run) buildDefs() {
	r.defs.config = r.checkConfig()
	r.defs.dns = r.checkDNS()
	r.defs.vmForward = r.checkVMForward()
	r.defs.tcp = r.checkTCP()
	r.defs.banner = r.checkBanner()
	r.defs.kex = r.checkKex()
	r.defs.hostKey = r.checkHostKey()
	r.defs.auth = r.checkAuth()
	r.defs.jump = r.checkJump()
	r.defs.login = r.checkLogin()
}

// layers lists every client check in dependency order: the order in which
// ssh meets them, so that the first failure is the root cause. The VM
// forward check sits right after name resolution: when the port is the
// host side of a VM's forward, a VM that is stopped or a forward that
// cannot work explains everything the later layers see.
func (r *Run) layers() []*diag.Check {
	d := r.defs
	return diag.Untyped(d.config, d.dns, d.vmForward, d.tcp, d.banner, d.kex, d.hostKey, d.auth, d.jump, d.login)
}
