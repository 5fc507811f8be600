package gcp

import (
	"context"
	"net/http"

	"github.com/sshdoctor/sshdoctor/diag"
)

// Organisation policy decides over metadata: compute.requireOsLogin turns
// OS Login on whatever enable-oslogin says, compute.disableSerialPortAccess
// blocks the serial-console fixes, compute.vmExternalIpAccess forbids the
// external address a fix would add. Read with Org Policy v2
// getEffectivePolicy (read-only), through
// CLOUDSDK_API_ENDPOINT_OVERRIDES_ORGPOLICY.

// OrgPolicy is the effective policy (the fields read).
type OrgPolicy struct {
	Name string `json:"name"`
	Spec struct {
		Rules []struct {
			Enforce   *bool           `json:"enforce"`
			AllowAll  bool            `json:"allowAll"`
			DenyAll   bool            `json:"denyAll"`
			Condition *map[string]any `json:"condition"`
			Values    *struct {
				AllowedValues []string `json:"allowedValues"`
				DeniedValues  []string `json:"deniedValues"`
			} `json:"values"`
		} `json:"rules"`
	} `json:"spec"`
}

// Enforced says a boolean constraint is enforced without condition;
// conditional reports a rule with a condition sshdoctor does not evaluate.
func (p *OrgPolicy) Enforced() (enforced, conditional bool) {
	for _, r := range p.Spec.Rules {
		if r.Condition != nil {
			conditional = true
			continue
		}
		if r.Enforce != nil && *r.Enforce {
			enforced = true
		}
	}
	return
}

// Allows says whether a list constraint allows value (known false when a
// conditional rule makes it undecidable offline).
func (p *OrgPolicy) Allows(value string) (allowed, known bool) {
	allowed, known = true, true // no rule: every value is allowed
	for _, r := range p.Spec.Rules {
		if r.Condition != nil {
			known = false
			continue
		}
		switch {
		case r.DenyAll:
			return false, true
		case r.AllowAll:
			allowed = true
		case r.Values != nil:
			for _, d := range r.Values.DeniedValues {
				if d == value {
					return false, true
				}
			}
			if len(r.Values.AllowedValues) > 0 {
				allowed = false
				for _, a := range r.Values.AllowedValues {
					if a == value {
						allowed = true
					}
				}
			}
		}
	}
	return allowed, known
}

// EffectivePolicy reads the effective policy of constraint on the project.
func (c *Client) EffectivePolicy(ctx context.Context, project, constraint string) (*OrgPolicy, error) {
	var out OrgPolicy
	name := "projects/" + project + "/policies/" + constraint
	err := c.do(ctx, call{api: apiOrgPolicy, method: "policies.getEffectivePolicy", resource: name,
		permission: "orgpolicy.policies.list", httpMethod: http.MethodGet,
		url: c.Endpoints.OrgPolicy + "v2/projects/" + esc(project) + "/policies/" + esc(constraint) + ":getEffectivePolicy"}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

const (
	ConstraintRequireOSLogin = "compute.requireOsLogin"
	ConstraintNoSerial       = "compute.disableSerialPortAccess"
	ConstraintExternalIP     = "compute.vmExternalIpAccess"
)

func (r *Run) checkOrgPolicy(ctx context.Context, p *diag.Pass) diag.Result {
	inst := diag.ResultOf(p, r.defInstance)
	proj := diag.ResultOf(p, r.defProject)
	kc := AnalyzeMetadata(inst.Metadata, proj.metadata(), r.o.Now())
	project := r.o.Project.Value
	var findings []*diag.Finding
	info := diag.NewFinding("gcp.orgpolicy_read")

	pol, err := r.api.EffectivePolicy(ctx, project, ConstraintRequireOSLogin)
	if err != nil {
		f := diag.NewFinding("gcp.orgpolicy_unavailable").Ev("error", oneLineErr(err))
		if e, ok := asAPIError(err); ok && e.Disabled() {
			f.Fix("fix.gcp_enable_api", "gcloud services enable "+apiOrgPolicy+" --project="+project).
				Arg("api", apiOrgPolicy).Arg("project", project)
		}
		return diag.Conclude(nil, f)
	}
	enforced, cond := pol.Enforced()
	switch {
	case enforced && !kc.OSLogin:
		findings = append(findings, diag.NewFinding("gcp.orgpolicy_requires_oslogin").Arg("role", "roles/compute.osLogin").
			Ev("constraint", ConstraintRequireOSLogin+": enforced").Ev("metadata", "enable-oslogin is off").
			Fix("fix.gcp_oslogin_key", "gcloud compute os-login ssh-keys add --key-file="+r.osLoginKeyFile()).
			Fix("fix.gcp_grant_instance_role", "gcloud compute instances add-iam-policy-binding "+inst.Name+" "+r.loc()+
				" --member="+r.member()+" --role=roles/compute.osLogin"))
	case enforced:
		info.Ev(ConstraintRequireOSLogin, "enforced")
	case cond:
		info.Ev(ConstraintRequireOSLogin, "conditional (not evaluated)")
	default:
		info.Ev(ConstraintRequireOSLogin, "not enforced")
	}

	if pol, err := r.api.EffectivePolicy(ctx, project, ConstraintNoSerial); err == nil {
		if enforced, _ := pol.Enforced(); enforced {
			findings = append(findings, diag.NewFinding("gcp.orgpolicy_no_serial_console").
				Ev("constraint", ConstraintNoSerial+": enforced").
				Fix("fix.gcp_rescue_disk", r.rescueCmd(inst)))
		} else {
			info.Ev(ConstraintNoSerial, "not enforced")
		}
	}

	nic := primaryNIC(inst)
	if nic != nil && externalIPv4(nic) == "" && !r.o.IAP {
		if pol, err := r.api.EffectivePolicy(ctx, project, ConstraintExternalIP); err == nil {
			value := "projects/" + project + "/zones/" + r.getZone() + "/instances/" + inst.Name
			if allowed, known := pol.Allows(value); known && !allowed {
				findings = append(findings, diag.NewFinding("gcp.orgpolicy_no_external_ip").Arg("instance", inst.Name).
					Ev("constraint", ConstraintExternalIP+": "+value+" not allowed").
					Fix("fix.gcp_use_iap", r.sshCmd(r.o.User, "")+" --tunnel-through-iap"))
			}
		}
	}
	return diag.Conclude(nil, append(findings, info)...)
}

// osLoginKeyFile is the public key gcloud would add.
func (r *Run) osLoginKeyFile() string {
	if len(r.o.KeyFiles) > 0 {
		return r.o.KeyFiles[0]
	}
	return "~/.ssh/google_compute_engine.pub"
}
