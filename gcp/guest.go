package gcp

import (
	"context"
	"net/http"
	"sort"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
)

// The guest agent puts metadata keys into the VM. When it is stopped, too
// old or broken, every new key is "Permission denied" although metadata is
// right. Its traces: the serial log (its start line with its version, the
// users and keys it updates) and the guest attributes it writes when
// enable-guest-attributes is TRUE (hostkeys/, and guestInventory/ from the
// OS Config agent).

// GuestAttribute is one item of instances.getGuestAttributes.
type GuestAttribute struct {
	Namespace string `json:"namespace"`
	Key       string `json:"key"`
	Value     string `json:"value"`
}

// GuestAttributes reads the attributes under queryPath ("hostkeys/").
func (c *Client) GuestAttributes(ctx context.Context, project, zone, name, queryPath string) ([]GuestAttribute, error) {
	var out struct {
		QueryValue struct {
			Items []GuestAttribute `json:"items"`
		} `json:"queryValue"`
	}
	err := c.do(ctx, call{api: apiCompute, method: "instances.getGuestAttributes",
		resource:   "projects/" + project + "/zones/" + zone + "/instances/" + name,
		permission: "compute.instances.getGuestAttributes", httpMethod: http.MethodGet,
		url: c.compute("projects/" + esc(project) + "/zones/" + esc(zone) + "/instances/" + esc(name) +
			"/getGuestAttributes?queryPath=" + esc(queryPath))}, &out)
	return out.QueryValue.Items, err
}

func (r *Run) checkGuestAgent(ctx context.Context, p *diag.Pass) diag.Result {
	inst := diag.ResultOf(p, r.defInstance)
	proj := diag.ResultOf(p, r.defProject)
	br := diag.ResultOf(p, r.defBoot)
	if br == nil {
		br = &BootReport{}
	}
	kc := AnalyzeMetadata(inst.Metadata, proj.metadata(), r.o.Now())
	var findings []*diag.Finding
	info := diag.NewFinding("gcp.guest_agent_seen").Arg("instance", inst.Name)
	info.Ev("guest_agent", stateText(br.Agent, br.AgentLine))
	if br.AgentVersion != "" {
		info.Ev("version", br.AgentVersion)
	}
	if br.AgentKeys.N > 0 {
		info.Ev("keys_applied", stateText(StateRunning, br.AgentKeys))
	}
	var projMD Metadata
	if m := proj.metadata(); m != nil {
		projMD = *m
	}
	enabled := guestAttributesEnabled(inst.Metadata, projMD)
	hostKeys := 0
	if !enabled {
		info.Ev("guest_attributes", "not enabled (metadata enable-guest-attributes)")
	} else {
		items, err := r.api.GuestAttributes(ctx, r.o.Project.Value, r.getZone(), inst.Name, "hostkeys/")
		switch e, _ := asAPIError(err); {
		case err == nil:
			var types []string
			for _, it := range items {
				types = append(types, it.Key)
			}
			sort.Strings(types)
			hostKeys = len(types)
			if hostKeys == 0 {
				info.Ev("host_keys", "none written")
			} else {
				info.Ev("host_keys", strings.Join(types, ", "))
			}
		case e != nil && e.Status == http.StatusNotFound:
			info.Ev("host_keys", "none written")
		default:
			info.Ev("error", oneLineErr(err))
		}
		if inv, err := r.api.GuestAttributes(ctx, r.o.Project.Value, r.getZone(), inst.Name, "guestInventory/"); err == nil {
			m := map[string]string{}
			for _, it := range inv {
				m[it.Key] = it.Value
			}
			if os := strings.TrimSpace(m["LongName"] + " " + m["KernelVersion"]); os != "" {
				info.Ev("os", diag.Quote([]byte(os), 120))
			}
			if v := m["OSConfigAgentVersion"]; v != "" {
				info.Ev("os_config_agent", diag.Quote([]byte(v), 60))
			}
		}
	}
	fix := r.serialConsoleCmd()
	switch {
	case br.LegacyAgent && br.Agent == StateUnknown:
		findings = append(findings, diag.NewFinding("gcp.guest_agent_legacy").Arg("instance", inst.Name).
			Fix("fix.gcp_update_guest_agent", fix))
	case !kc.OSLogin && br.Agent == StateUnknown && br.AgentVersion == "" && br.AgentKeys.N == 0 && hostKeys == 0 && !isWindows(inst):
		// metadata keys need the agent, and nothing shows it ran
		f := diag.NewFinding("gcp.guest_agent_silent").Arg("instance", inst.Name).
			Fix(r.guestFix("fix.gcp_serial_console_agent"))
		if !enabled {
			f.Fix("fix.gcp_enable_guest_attributes", "gcloud compute instances add-metadata "+inst.Name+" "+r.loc()+
				" --metadata=enable-guest-attributes=TRUE")
		}
		findings = append(findings, f)
	}
	return diag.Conclude(nil, append(findings, info)...)
}

// guestAttributesEnabled: the instance's value wins over the project's.
func guestAttributesEnabled(inst, proj Metadata) bool {
	for _, md := range []Metadata{inst, proj} {
		if v, ok := md.Get("enable-guest-attributes"); ok {
			b, valid := parseBool(v)
			return valid && b
		}
	}
	return false
}
