package gcp

import (
	"os"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
)

// ProbeCheckName is the check that sets the live probe beside the model.
const ProbeCheckName = "gcp-probe"

// ProbeRun compares the model (this package's checks) with a live probe
// (the client layers run against the external address): a connection the
// firewall model lets through but that times out or is refused points
// inside the guest; one the model blocks but that connects means the model
// was fed the wrong source address, or the rules changed. probe is nil
// when nothing could be probed.
func (r *Run) ProbeRun(model, probe *diag.Outcome) diag.Run {
	port := r.o.Port
	run := diag.Run{Check: &diag.Check{Name: ProbeCheckName}}
	if probe == nil {
		run.Result = diag.Skip(diag.NewFinding("gcp.probe_skipped"))
		return run
	}
	allowed, known := modelVerdict(model)
	reached, code := probeResult(probe)
	p := strconv.Itoa(port)
	switch {
	case code == "":
		// the probe did not get as far as TCP (it was skipped or stopped
		// earlier): nothing to compare
		run.Result = diag.Skip(diag.NewFinding("gcp.probe_skipped"))
	case !known:
		run.Result = diag.Conclude(nil, diag.NewFinding("gcp.probe_agrees").Arg("probe", code).Ev("probe", code).
			Ev("model", "no firewall verdict"))
	case allowed && !reached:
		run.Result = diag.Conclude(nil, diag.NewFinding("gcp.probe_contradicts_model").Arg("probe", code).Arg("port", p).
			Ev("model", "the firewall allows it").Ev("probe", code).
			Fix(r.guestFix("fix.gcp_probe_serial")))
	case !allowed && reached:
		run.Result = diag.Conclude(nil, diag.NewFinding("gcp.probe_disagrees").Arg("port", p).
			Ev("model", "the firewall blocks it").Ev("probe", "connected"))
	default:
		run.Result = diag.Conclude(nil, diag.NewFinding("gcp.probe_agrees").Arg("probe", code).Ev("probe", code))
	}
	return run
}

// modelVerdict reads the firewall check's result.
func modelVerdict(o *diag.Outcome) (allowed, known bool) {
	if o == nil {
		return false, false
	}
	for _, r := range o.Runs {
		if r.Check.Name != "gcp-firewall" {
			continue
		}
		for _, f := range r.Result.Findings {
			switch f.Code {
			case "gcp.firewall_allows":
				return true, true
			case "gcp.firewall_blocks_ssh":
				if f.Severity == diag.SevError {
					return false, true
				}
			}
		}
	}
	return false, false
}

// probeResult reads the client's TCP layer: reached, or the code of how it
// failed ("tcp.ok" when it connected).
func probeResult(o *diag.Outcome) (bool, string) {
	for _, r := range o.Runs {
		if r.Check.Name != "tcp" {
			continue
		}
		switch r.Result.Status {
		case diag.StatusPass, diag.StatusWarn:
			return true, "tcp.ok"
		case diag.StatusFail, diag.StatusError:
			for _, f := range r.Result.Findings {
				if f.Severity == diag.SevError || f.Severity == diag.SevWarning {
					return false, f.Code
				}
			}
			return false, "tcp.failed"
		}
	}
	return false, ""
}

// ProbeIdentities are the private keys beside the local public keys, for
// the live probe to offer (as ssh -i would).
func (r *Run) ProbeIdentities() []string {
	keys, _ := r.localKeys()
	var out []string
	for _, k := range keys {
		priv := strings.TrimSuffix(k.Path, ".pub")
		if priv == k.Path {
			continue
		}
		if st, err := os.Stat(priv); err == nil && st.Mode().IsRegular() {
			out = append(out, priv)
		}
	}
	return out
}
