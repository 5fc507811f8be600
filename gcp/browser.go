package gcp

import (
	"github.com/sshdoctor/sshdoctor/diag"
)

// browserKeys: SSH-in-browser makes a key of its own and adds it (to
// metadata, or to the OS Login profile), so the local keys do not matter;
// what matters is that it may add it, which the permission check tests.
// Its documented failures: "Unauthorized Error 401" is a Google Workspace
// setting the APIs do not show; "Could not connect, retrying…" is the path
// (IAP's range in the firewall), sshd or the guest agent, checked here.
func (r *Run) browserKeys(inst *Instance, kc KeyConfig) diag.Result {
	f := diag.NewFinding("gcp.browser_ssh").Arg("instance", inst.Name)
	if kc.OSLogin {
		f.Ev("keys", "added to your OS Login profile by the browser")
	} else {
		f.Ev("keys", "added to metadata by the browser; the guest agent must write it into the VM")
	}
	f.Ev("source", IAPRange.String())
	f.Fix("fix.gcp_browser_workspace", "")
	return diag.Conclude(kc, f)
}
