package sshlog

import (
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
)

// iapRange is the source range of Identity-Aware Proxy's TCP forwarding:
// a firewall rule must admit it to the VM's SSH port.
const iapRange = "35.235.240.0/20"

// gcloudFindings explains Google Cloud's texts: IAP tunnel errors (gcloud
// and console forms), metadata size errors, gcloud's own summary of an ssh
// failure and SSH-in-browser's errors. gcloud's wrappers ("exited with
// return code [255]", "key has not propagated") are decisive only when no
// line of ssh before them says more.
func gcloudFindings(c *clientFacts, loc locator, add func(*diag.Finding)) {
	ev := func(f *diag.Finding, h *hit) {
		if h != nil {
			lineEv(f, loc, h.n, h.text)
		}
	}
	code := ""
	var first *hit
	if h := c.first("gc_iap"); h != nil {
		code, first = h.m[1], h
	} else if h := c.first("gc_code"); h != nil {
		code, first = h.m[1], h
	}
	if first != nil {
		var f *diag.Finding
		switch code {
		case "4003":
			f = diag.NewFinding("gcp.iap_backend_unreachable").Arg("range", iapRange)
			f.AddFixes(nil)
		case "4033":
			f = diag.NewFinding("gcp.iap_not_authorized").Arg("role", "roles/iap.tunnelResourceAccessor")
			f.AddFixes(nil)
		case "4047":
			f = diag.NewFinding("gcp.instance_not_found")
			f.AddFixes(nil)
		}
		if f != nil {
			ev(f, c.first("gc_iap_title"))
			ev(f, first)
			ev(f, c.after("gc_reason", first.n-1))
			add(f)
		}
	}
	if h := c.first("gc_meta_large"); h != nil {
		// gcloud refused the change: an error here, whatever the live
		// check's default severity (a value near the limit is a warning).
		f := diag.NewFinding("gcp.metadata_too_large").Sev(diag.SevError).Arg("field", quoteText(h.m[1]))
		ev(f, h)
		f.AddFixes(nil)
		add(f)
	}
	if h := c.first("gc_401"); h != nil {
		f := diag.NewFinding("gcp.browser_ssh_unauthorized")
		ev(f, c.before("gc_unauthorized", h.n+1))
		ev(f, h)
		f.Fix("fix.explain_gcp_workspace_admin", "")
		add(f)
	}
	// ssh's own lines decide when there are any; gcloud's summary follows.
	sshSaid := c.has("denied", "connect_host", "dns", "closed_by", "reset_by", "id_closed", "id_reset",
		"negotiate", "verify_failed", "disconnect_too_many", "banner_timeout", "proxy_unknown")
	deniedPK := false
	if d := c.last("denied"); d != nil && strings.Contains(d.m[3], "publickey") {
		deniedPK = true
	}
	if h := c.first("gc_not_propagated"); h != nil {
		f := diag.NewFinding("gcp.key_not_propagated")
		if sshSaid && !deniedPK {
			f.Sev(diag.SevInfo)
		}
		ev(f, h)
		if d := c.last("denied"); d != nil {
			ev(f, d)
		}
		f.Fix("fix.explain_gcp_wait_retry", "")
		f.Fix("fix.explain_gcp_check_oslogin", "")
		// With publickey refused, this is the better explanation: put it
		// before ssh's own finding by adding it now.
		add(f)
	}
	for _, rule := range []string{"gc_exit255", "gc_retrying"} {
		if h := c.first(rule); h != nil {
			f := diag.NewFinding("gcp.ssh_exit_255")
			if sshSaid || c.has("gc_not_propagated", "gc_iap", "gc_code", "gc_401") {
				f.Sev(diag.SevInfo)
			}
			ev(f, h)
			f.Fix("fix.explain_gcp_troubleshoot", "")
			add(f)
			break
		}
	}
}
