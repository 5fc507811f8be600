package gcp

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
)

// IAPProbeCheckName is the live tunnel through Identity-Aware Proxy.
const IAPProbeCheckName = "gcp-iap-probe"

// Deadlines of the tunnel probe. The handshake is TLS, the WebSocket
// upgrade, IAP's authorization and its TCP connect to the VM (which IAP
// itself gives up on after about 10 s when a firewall drops it): 20 s.
// OpenSSH sends its banner at once; 10 s covers a slow sshd that looks up
// the client's name first (UseDNS) without waiting on a tarpit.
const (
	iapDialTimeout   = 20 * time.Second
	iapBannerTimeout = 10 * time.Second
	// maxBannerBytes is RFC 4253's limit on lines before the identification
	// string, and the identification itself, with room: 8 KiB.
	maxBannerBytes = 8 << 10
)

// iapHTTPClient is the client for the relay: the custom CA file when one
// is configured, as gcloud trusts it.
func (r *Run) iapHTTPClient() (*http.Client, error) {
	cfg, err := TLSConfigWithCA(r.o.CAFile)
	if err != nil || cfg == nil {
		return &http.Client{}, err
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, Proxy: http.ProxyFromEnvironment}}, nil
}

// IAPProbeRun opens a real tunnel to the VM's port through the relay and
// reads the SSH banner through it. The model's outcome says whether the
// instance was found (no tunnel is tried for an instance that does not
// exist) and lets a 4003 be read against the firewall's verdict.
func (r *Run) IAPProbeRun(ctx context.Context, model *diag.Outcome) diag.Run {
	run := diag.Run{Check: &diag.Check{Name: IAPProbeCheckName}}
	if !checkPassed(model, "gcp-instance") || !checkPassed(model, "gcp-credentials") {
		run.Result = diag.Skip(diag.NewFinding("gcp.probe_skipped"))
		return run
	}
	run.Result = r.iapProbe(ctx, model)
	return run
}

func checkPassed(o *diag.Outcome, name string) bool {
	if o == nil {
		return false
	}
	for _, r := range o.Runs {
		if r.Check.Name == name {
			return r.Result.Status == diag.StatusPass || r.Result.Status == diag.StatusWarn
		}
	}
	return false
}

func (r *Run) iapProbe(ctx context.Context, model *diag.Outcome) diag.Result {
	relay := r.o.IAPURL
	if relay == "" {
		relay = IAPDefaultURL
	}
	u, err := IAPConnectURL(relay, IAPTarget{Project: r.o.Project.Value, Zone: r.getZone(), Instance: r.o.Instance,
		Interface: "nic0", Port: r.o.Port})
	if err != nil {
		return diag.Inconclusive(diag.NewFinding("gcp.iap_relay_unreachable").Ev("relay", relay).Ev("error", oneLineErr(err)))
	}
	hc, err := r.iapHTTPClient()
	if err != nil {
		return diag.Inconclusive(diag.NewFinding("gcp.iap_ca_file").Ev("file", r.o.CAFile).Ev("error", oneLineErr(err)).
			Fix("fix.gcp_iap_ca_file", "gcloud config get-value core/custom_ca_certs_file"))
	}
	token, err := r.creds.Token(ctx)
	if err != nil {
		return diag.Skip(diag.NewFinding("gcp.probe_skipped"))
	}
	dctx, cancel := context.WithTimeout(ctx, iapDialTimeout)
	defer cancel()
	t, err := DialIAP(dctx, u, token, hc)
	if err != nil {
		return diag.Conclude(nil, r.iapDialFinding(err, relay, model))
	}
	defer t.CloseNow()
	bctx, bcancel := context.WithTimeout(ctx, iapBannerTimeout)
	defer bcancel()
	banner, got, err := readBanner(bctx, t)
	if banner != "" {
		return diag.Conclude(nil, diag.NewFinding("gcp.iap_tunnel_ok").Arg("port", strconv.Itoa(r.o.Port)).
			Ev("relay", relay).Ev("banner", banner))
	}
	f := diag.NewFinding("gcp.iap_no_banner").Arg("port", strconv.Itoa(r.o.Port)).Ev("relay", relay).
		EvInt("bytes", len(got))
	if len(got) > 0 {
		f.Ev("received", diag.Quote(got, 120))
	}
	if err != nil {
		var ce *IAPCloseError
		if errors.As(err, &ce) {
			f.EvInt("close_code", ce.Code).Ev("close_reason", diag.Quote([]byte(ce.Reason), 120))
		} else {
			f.Ev("error", oneLineErr(err))
		}
	}
	f.Fix(r.guestFix("fix.gcp_serial_console_sshd"))
	return diag.Conclude(nil, f)
}

// readBanner reads until a line starting "SSH-" (lines before it are
// allowed by RFC 4253), a byte cap, or the deadline.
func readBanner(ctx context.Context, t *IAPTunnel) (string, []byte, error) {
	var got []byte
	buf := make([]byte, 4096)
	for len(got) < maxBannerBytes {
		n, err := t.ReadContext(ctx, buf)
		got = append(got, buf[:n]...)
		for rest := got; ; {
			i := bytes.IndexByte(rest, '\n')
			if i < 0 {
				break
			}
			line := bytes.TrimRight(rest[:i], "\r")
			if bytes.HasPrefix(line, []byte("SSH-")) {
				return diag.Quote(line, 255), got, nil
			}
			rest = rest[i+1:]
		}
		if err != nil {
			return "", got, err
		}
	}
	return "", got, nil
}

// iapDialFinding maps a failed tunnel to its cause: the relay's close
// code, the HTTP status of a refused handshake, or the network/TLS error.
func (r *Run) iapDialFinding(err error, relay string, model *diag.Outcome) *diag.Finding {
	var ce *IAPCloseError
	var he *IAPHandshakeError
	var pe *IAPProtocolError
	var ue x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &ce):
		var f *diag.Finding
		switch ce.Code {
		case IAPCloseBackend:
			f = diag.NewFinding("gcp.iap_backend_unreachable").Arg("range", IAPRange.String())
			fp := r.fixParams()
			allowed, known := modelVerdict(model)
			switch {
			case known && allowed:
				f.Ev("model", "the firewall allows it")
				fp["gcp_firewall_allows"] = "yes"
			case known:
				f.Ev("model", "the firewall blocks it")
			}
			if known {
				fp["gcp_firewall_known"] = "yes"
			}
			if !known || allowed {
				fp["gcp_guest"] = "yes"
				if r.windows() {
					fp["gcp_guest_windows"] = "yes"
				}
			}
			f.AddFixes(fp)
		case IAPCloseNotAuth:
			f = diag.NewFinding("gcp.iap_not_authorized").Arg("role", "roles/iap.tunnelResourceAccessor").
				AddFixes(r.fixParams())
		case IAPCloseLookupFaild:
			f = diag.NewFinding("gcp.iap_lookup_failed").Arg("instance", r.o.Instance).
				Fix("fix.gcp_list_instances", "gcloud compute instances list --project="+r.o.Project.Value+` --filter="name=`+r.o.Instance+`"`)
		case IAPCloseReauth:
			f = diag.NewFinding("gcp.iap_reauth").Fix("fix.gcp_login", "gcloud auth login")
		default:
			f = diag.NewFinding("gcp.iap_closed").Arg("close_code", strconv.Itoa(ce.Code)).
				Fix("fix.gcp_iap_debug", "gcloud compute start-iap-tunnel "+r.o.Instance+" "+strconv.Itoa(r.o.Port)+
					" --listen-on-stdin "+r.loc()+" --verbosity=debug </dev/null")
		}
		return f.Ev("relay", relay).EvInt("close_code", ce.Code).Ev("close_reason", diag.Quote([]byte(ce.Reason), 120))
	case errors.As(err, &he):
		f := diag.NewFinding("gcp.iap_handshake_refused").Arg("http_status", strconv.Itoa(he.Status)).
			Ev("relay", relay).EvInt("http_status", he.Status)
		if he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden {
			f.Fix("fix.gcp_login", "gcloud auth login")
		}
		return f.Fix("fix.gcp_grant_role", "gcloud projects add-iam-policy-binding "+r.o.Project.Value+
			" --member="+r.member()+" --role=roles/iap.tunnelResourceAccessor").Arg("role", "roles/iap.tunnelResourceAccessor")
	case errors.As(err, &pe):
		return diag.NewFinding("gcp.iap_protocol").Ev("relay", relay).Ev("error", oneLineErr(err))
	case errors.As(err, &ue), errors.As(err, &hostErr):
		return diag.NewFinding("gcp.iap_relay_tls").Ev("relay", relay).Ev("error", oneLineErr(err)).
			Fix("fix.gcp_iap_ca_file", "gcloud config set core/custom_ca_certs_file CA_BUNDLE.pem")
	}
	return diag.NewFinding("gcp.iap_relay_unreachable").Ev("relay", relay).Ev("error", oneLineErr(err))
}
