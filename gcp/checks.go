package gcp

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
)

// --- credentials -------------------------------------------------------

func (r *Run) checkCredentials(ctx context.Context, p *diag.Pass) diag.Result {
	if _, err := r.creds.Token(ctx); err != nil {
		if err == ErrNoCredentials {
			return diag.Conclude(nil, r.noCredentials())
		}
		f := diag.NewFinding("gcp.no_credentials").Ev("error", oneLineErr(err)).
			Fix("fix.gcp_login", "gcloud auth login")
		return diag.Conclude(nil, f)
	}
	src := r.creds.Source()
	name := map[string]string{"token_file": "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "adc": "Application Default Credentials",
		"gcloud": "gcloud auth print-access-token"}[src.Kind]
	f := diag.NewFinding("gcp.credentials_source").Arg("source", name).Ev("source", src.Detail)
	if a := r.o.Account; a.Value != "" {
		f.Ev("account", a.Value+" (from "+a.Source+")")
	}
	return diag.Conclude(r.creds, f)
}

// --- instance ----------------------------------------------------------

func (r *Run) checkInstance(ctx context.Context, p *diag.Pass) (*Instance, bool, diag.Result) {
	project, name := r.o.Project.Value, r.o.Instance
	var inst *Instance
	if r.getZone() == "" {
		found, err := r.api.FindInstances(ctx, project, name)
		if err != nil {
			return nil, false, r.instanceLookupFailed(err)
		}
		switch len(found) {
		case 0:
			return nil, false, diag.Conclude(nil, r.instanceNotFound("", nil))
		case 1:
			inst = &found[0]
		default:
			f := diag.NewFinding("gcp.instance_ambiguous").Arg("instance", name).EvInt("count", len(found))
			for _, in := range found {
				f.Ev("zone", lastSegment(in.Zone))
			}
			f.Fix("fix.gcp_pass_zone", "sshdoctor gcp "+name+" --project="+project+" --zone="+lastSegment(found[0].Zone))
			return nil, false, diag.Conclude(nil, f)
		}
		r.setZone(lastSegment(inst.Zone))
	} else {
		var err error
		inst, err = r.api.Instance(ctx, project, r.getZone(), name)
		if err != nil {
			if isNotFound(err) {
				e, _ := asAPIError(err)
				if !strings.Contains(e.Message, "/instances/") && !strings.Contains(e.Message, "/zones/") {
					return nil, false, diag.Conclude(nil, r.projectNotFound(e))
				}
				// Look in the other zones: a wrong --zone is the usual cause.
				var others []Instance
				if found, ferr := r.api.FindInstances(ctx, project, name); ferr == nil {
					others = found
				}
				return nil, false, diag.Conclude(nil, r.instanceNotFound(e.Message, others))
			}
			return nil, false, r.instanceLookupFailed(err)
		}
	}
	r.mu.Lock()
	if nic := primaryNIC(inst); nic != nil {
		r.extIP = externalIPv4(nic)
	}
	r.mu.Unlock()
	return inst, true, diag.Conclude(nil, r.instanceInfo(inst))
}

func (r *Run) instanceLookupFailed(err error) diag.Result {
	if isNotFound(err) {
		e, _ := asAPIError(err)
		return diag.Conclude(nil, r.projectNotFound(e))
	}
	e, ok := asAPIError(err)
	if ok && (e.Status == 403 || e.Status == 401) || err == ErrNoCredentials {
		// Without compute.instances.get nothing else can be seen, and
		// gcloud compute ssh needs it too: a root cause.
		return diag.Conclude(nil, r.apiFinding(err, diag.SevError))
	}
	return diag.Inconclusive(r.apiFinding(err, diag.SevWarning))
}

func (r *Run) projectNotFound(e *APIError) *diag.Finding {
	f := diag.NewFinding("gcp.project_not_found").Arg("project", r.o.Project.Value).
		Ev("project_from", r.o.Project.Source).
		Fix("fix.gcp_list_projects", "gcloud projects list --filter=\"projectId:"+r.o.Project.Value+"*\"")
	if e != nil && e.Message != "" {
		f.Ev("message", diag.Quote([]byte(e.Message), 300))
	}
	return f
}

func (r *Run) instanceNotFound(msg string, others []Instance) *diag.Finding {
	f := diag.NewFinding("gcp.instance_not_found").Arg("instance", r.o.Instance).Arg("project", r.o.Project.Value)
	if z := r.getZone(); z != "" {
		f.Ev("zone", z+" (from "+r.o.Zone.Source+")")
	} else {
		f.Ev("zones", "all (aggregated list)")
	}
	if msg != "" {
		f.Ev("message", diag.Quote([]byte(msg), 300))
	}
	fp := r.fixParams()
	if len(others) > 0 {
		z := lastSegment(others[0].Zone)
		f.Arg("other_zone", z).Ev("found_in_zone", z)
		fp["gcp_other_zone"] = z
	}
	return f.AddFixes(fp)
}

func primaryNIC(inst *Instance) *NetworkInterface {
	if inst == nil || len(inst.NetworkInterfaces) == 0 {
		return nil
	}
	for i := range inst.NetworkInterfaces {
		if inst.NetworkInterfaces[i].Name == "nic0" {
			return &inst.NetworkInterfaces[i]
		}
	}
	return &inst.NetworkInterfaces[0]
}

func externalIPv4(nic *NetworkInterface) string {
	for _, ac := range nic.AccessConfigs {
		if ac.NatIP != "" {
			return ac.NatIP
		}
	}
	return ""
}

func externalIPv6(nic *NetworkInterface) string {
	for _, ac := range nic.IPv6AccessConfigs {
		if ac.ExternalIPv6 != "" {
			return ac.ExternalIPv6
		}
	}
	return ""
}

func serviceAccounts(inst *Instance) []string {
	var out []string
	for _, sa := range inst.ServiceAccounts {
		if sa.Email != "" {
			out = append(out, sa.Email)
		}
	}
	return out
}

// isWindows: Windows images carry the WINDOWS guest OS feature and
// windows-cloud licenses on the boot disk.
func isWindows(inst *Instance) bool {
	for _, d := range inst.Disks {
		if !d.Boot {
			continue
		}
		for _, g := range d.GuestOsFeatures {
			if strings.EqualFold(g.Type, "WINDOWS") {
				return true
			}
		}
		for _, l := range d.Licenses {
			if strings.Contains(l, "/windows-cloud/") {
				return true
			}
		}
	}
	return false
}

func (r *Run) instanceInfo(inst *Instance) *diag.Finding {
	r.setWindows(isWindows(inst))
	f := diag.NewFinding("gcp.instance_found").Arg("instance", inst.Name).Arg("zone", lastSegment(inst.Zone)).
		Ev("status", inst.Status).Ev("zone", lastSegment(inst.Zone)).Ev("machine_type", lastSegment(inst.MachineType))
	if nic := primaryNIC(inst); nic != nil {
		f.Ev("internal_ip", nic.NetworkIP)
		if ip := externalIPv4(nic); ip != "" {
			f.Ev("external_ip", ip)
		}
		if ip := externalIPv6(nic); ip != "" {
			f.Ev("external_ipv6", ip)
		}
		f.Ev("network", resourcePath(nic.Network))
	}
	if len(inst.Tags.Items) > 0 {
		f.Ev("tags", strings.Join(inst.Tags.Items, ", "))
	}
	if sa := serviceAccounts(inst); len(sa) > 0 {
		f.Ev("service_account", strings.Join(sa, ", "))
	}
	if isWindows(inst) {
		f.Ev("os", "windows")
	}
	return f
}

// --- project -----------------------------------------------------------

// projectInfo is the project's metadata; MD is nil when it could not be read.
type projectInfo struct {
	MD *Metadata
}

func (r *Run) checkProject(ctx context.Context, p *diag.Pass) (*projectInfo, bool, diag.Result) {
	proj, err := r.api.Project(ctx, r.o.Project.Value)
	if err != nil {
		if isNotFound(err) {
			e, _ := asAPIError(err)
			return nil, false, diag.Conclude(nil, r.projectNotFound(e))
		}
		// Without project metadata the key checks still run on the
		// instance's own, and say what they could not see.
		return &projectInfo{}, true, diag.Conclude(nil, r.apiFinding(err, diag.SevWarning))
	}
	return &projectInfo{MD: &proj.CommonInstanceMetadata}, true, diag.Conclude(nil)
}

func (p *projectInfo) metadata() *Metadata {
	if p == nil {
		return nil
	}
	return p.MD
}

// --- VM status ---------------------------------------------------------

func (r *Run) checkVMStatus(ctx context.Context, p *diag.Pass) (*Instance, bool, diag.Result) {
	inst := diag.ResultOf(p, r.defInstance)
	proj := diag.ResultOf(p, r.defProject)
	var findings []*diag.Finding
	if inst.Status != "RUNNING" {
		f := diag.NewFinding("gcp.instance_not_running").Arg("instance", inst.Name).Arg("status", inst.Status).
			Ev("status", inst.Status)
		if inst.StatusMessage != "" {
			f.Ev("status_message", diag.Quote([]byte(inst.StatusMessage), 200))
		}
		if inst.LastStartTimestamp != "" {
			f.Ev("last_start", inst.LastStartTimestamp)
		}
		switch inst.Status {
		case "TERMINATED", "STOPPED":
			f.Fix("fix.gcp_start", r.startCmd("start"))
		case "SUSPENDED":
			f.Fix("fix.gcp_resume", r.startCmd("resume"))
		case "STOPPING", "SUSPENDING":
			f.Fix("fix.gcp_wait_then_start", r.startCmd("describe")+" --format=\"value(status)\"\n"+r.startCmd("start"))
		default: // PROVISIONING, STAGING, REPAIRING, DEPROVISIONING
			f.Fix("fix.gcp_wait", r.startCmd("describe")+" --format=\"value(status)\"")
		}
		findings = append(findings, f)
	}
	if isWindows(inst) {
		kc := AnalyzeMetadata(inst.Metadata, proj.metadata(), r.o.Now())
		switch {
		case kc.WindowsSSH:
		case kc.WindowsSSHFrom == "" && proj.metadata() == nil:
			findings = append(findings, diag.NewFinding("gcp.windows_ssh_disabled").Sev(diag.SevWarning).
				Arg("instance", inst.Name).Ev("enable-windows-ssh", "not set on the instance; project metadata unreadable").
				Fix("fix.gcp_enable_windows_ssh", "gcloud compute instances add-metadata "+inst.Name+" "+r.loc()+" --metadata=enable-windows-ssh=TRUE"))
		default:
			v := "not set"
			if kc.WindowsSSHFrom != "" {
				v = "FALSE (" + kc.WindowsSSHFrom + " metadata)"
			}
			findings = append(findings, diag.NewFinding("gcp.windows_ssh_disabled").Arg("instance", inst.Name).
				Ev("enable-windows-ssh", v).
				Fix("fix.gcp_enable_windows_ssh", "gcloud compute instances add-metadata "+inst.Name+" "+r.loc()+" --metadata=enable-windows-ssh=TRUE"))
		}
	}
	return inst, true, diag.Conclude(nil, findings...)
}

// --- source address ----------------------------------------------------

// sourceInfo is where the connection comes from.
type sourceInfo struct {
	Prefix netip.Prefix // the address (/32, /128) or range
	Known  bool         // false: the caller's address is unknown (any internet address)
	IAP    bool
}

func (r *Run) checkSource(ctx context.Context, p *diag.Pass) (*sourceInfo, bool, diag.Result) {
	set := func(s *sourceInfo) {
		r.mu.Lock()
		r.source = s.Prefix.String()
		if !s.Known {
			r.source = "unknown"
		}
		r.mu.Unlock()
	}
	switch {
	case r.o.IAP:
		s := &sourceInfo{Prefix: IAPRange, Known: true, IAP: true}
		set(s)
		return s, true, diag.Conclude(nil, diag.NewFinding("gcp.source_address").Arg("source", IAPRange.String()).
			Ev("source", IAPRange.String()).Ev("how", "--iap: Identity-Aware Proxy TCP forwarding"))
	case r.o.SourceIP.IsValid():
		a := r.o.SourceIP.Unmap()
		s := &sourceInfo{Prefix: netip.PrefixFrom(a, a.BitLen()), Known: true}
		set(s)
		return s, true, diag.Conclude(nil, diag.NewFinding("gcp.source_address").Arg("source", a.String()).
			Ev("source", a.String()).Ev("how", "--source-ip"))
	}
	unknown := &sourceInfo{Prefix: netip.MustParsePrefix("0.0.0.0/0")}
	if r.o.NoIPLookup || r.o.LookupPublicIP == nil {
		set(unknown)
		return unknown, true, diag.Conclude(nil, diag.NewFinding("gcp.source_ip_unknown").Sev(diag.SevInfo).
			Ev("how", "--no-ip-lookup: judged for any internet address"))
	}
	a, err := r.o.LookupPublicIP(ctx)
	if err != nil || !a.IsValid() {
		set(unknown)
		f := diag.NewFinding("gcp.source_ip_unknown").Ev("how", PublicIPMethod)
		if err != nil {
			f.Ev("error", oneLineErr(err))
		}
		return unknown, true, diag.Conclude(nil, f)
	}
	a = a.Unmap()
	s := &sourceInfo{Prefix: netip.PrefixFrom(a, a.BitLen()), Known: true}
	set(s)
	return s, true, diag.Conclude(nil, diag.NewFinding("gcp.source_address").Arg("source", a.String()).
		Ev("source", a.String()).Ev("how", PublicIPMethod))
}

// --- boot --------------------------------------------------------------

func (r *Run) checkBoot(ctx context.Context, p *diag.Pass) (*BootReport, bool, diag.Result) {
	inst := diag.ResultOf(p, r.defVMStatus)
	src := diag.ResultOf(p, r.defSource)
	out, err := r.api.SerialOutput(ctx, r.o.Project.Value, r.getZone(), inst.Name)
	if err != nil {
		e, ok := asAPIError(err)
		if ok && e.Status >= 400 && e.Status < 500 && e.Status != 401 {
			// Org policy compute.disableSerialPortLogging, or no
			// permission: a blind spot, not a failure.
			f := diag.NewFinding("gcp.serial_unavailable").EvInt("http_status", e.Status)
			if e.Message != "" {
				f.Ev("message", diag.Quote([]byte(e.Message), 300))
			}
			f.Fix("fix.gcp_read_serial", r.serialReadCmd())
			return nil, true, diag.Conclude(nil, f)
		}
		return nil, false, diag.Inconclusive(r.apiFinding(err, diag.SevWarning))
	}
	br := AnalyzeSerial(out.Contents)
	var findings []*diag.Finding
	windows := isWindows(inst) || br.WindowsBoot
	for _, c := range br.Causes {
		if windows && (c.Cause == CauseSSHDFailed) {
			continue
		}
		if f := r.bootFinding(inst, br, c, src); f != nil {
			findings = append(findings, f)
		}
	}
	info := diag.NewFinding("gcp.boot_analyzed").EvInt("lines", br.Lines)
	if br.BootLine > 0 {
		info.Ev("last_boot", fmt.Sprintf("from line %d (%s marker, %d boot(s) in the buffer)", br.BootLine, br.BootMarker, br.Boots))
	} else {
		info.Ev("last_boot", "no boot start in the buffer (older output overwritten): analysed all of it")
	}
	if !windows {
		info.Ev("sshd", stateText(br.SSHD, br.SSHDLine))
	}
	info.Ev("guest_agent", stateText(br.Agent, br.AgentLine))
	findings = append(findings, info)
	return br, true, diag.Conclude(nil, findings...)
}

func stateText(s ServiceState, l EvidenceLine) string {
	if s == StateUnknown {
		return "no messages in the last boot"
	}
	return fmt.Sprintf("%s (line %d: %s)", s, l.N, diag.Quote([]byte(l.Text), 160))
}

func (r *Run) bootFinding(inst *Instance, br *BootReport, c BootCause, src *sourceInfo) *diag.Finding {
	var f *diag.Finding
	name := inst.Name
	switch c.Cause {
	case CauseNoRootFS:
		dev := "unknown-block"
		if len(c.Detail) > 0 {
			dev = c.Detail[0]
		}
		f = diag.NewFinding("gcp.boot_no_root_device").Arg("instance", name).Arg("device", dev).
			Fix("fix.gcp_boot_previous_kernel", r.serialConsoleCmd()).
			Fix("fix.gcp_rebuild_initramfs", "sudo update-initramfs -u -k all   # Debian, Ubuntu\nsudo dracut --force --regenerate-all   # RHEL, Rocky, SUSE")
	case CauseSecureBoot:
		f = diag.NewFinding("gcp.boot_secure_boot_violation").Arg("instance", name).
			Fix("fix.gcp_secure_boot_off", r.startCmd("stop")+"\ngcloud compute instances update "+name+" "+r.loc()+" --no-shielded-secure-boot\n"+r.startCmd("start"))
	case CauseBootImage:
		f = diag.NewFinding("gcp.boot_image_missing").Arg("instance", name).
			Fix("fix.gcp_rescue_disk", r.rescueCmd(inst))
	case CauseDiskFull:
		f = diag.NewFinding("gcp.boot_disk_full").Arg("instance", name)
		if cmd, size := r.resizeDiskCmd(inst); cmd != "" {
			f.Arg("size_gb", size).Fix("fix.gcp_resize_disk", cmd)
		}
	case CauseFSError:
		f = diag.NewFinding("gcp.boot_fs_error").Arg("instance", name).
			Fix("fix.gcp_serial_console_fs", r.serialConsoleCmd())
	case CauseOOM:
		procs := strings.Join(c.Detail, ", ")
		if procs == "" {
			procs = "?"
		}
		f = diag.NewFinding("gcp.boot_oom").Arg("instance", name).Arg("processes", procs)
		if !c.Critical {
			f.Sev(diag.SevWarning)
		}
		bigger := biggerMachineType(inst.MachineType)
		f.Arg("machine_type", bigger).Fix("fix.gcp_machine_type",
			r.startCmd("stop")+"\ngcloud compute instances set-machine-type "+name+" "+r.loc()+" --machine-type="+bigger+"\n"+r.startCmd("start"))
	case CausePanic:
		reason := "?"
		if len(c.Detail) > 0 && c.Detail[0] != "" {
			reason = c.Detail[0]
		}
		f = diag.NewFinding("gcp.boot_kernel_panic").Arg("instance", name).Arg("reason", reason).
			Fix("fix.gcp_serial_console_panic", r.serialConsoleCmd()).
			Fix("fix.gcp_reset", r.startCmd("reset"))
	case CauseEmergency:
		f = diag.NewFinding("gcp.boot_emergency_mode").Arg("instance", name).
			Fix("fix.gcp_serial_console_emergency", r.serialConsoleCmd())
	case CauseSSHDFailed:
		f = diag.NewFinding("gcp.boot_sshd_failed").Arg("instance", name).Arg("state", string(br.SSHD)).
			Fix(r.guestFix("fix.gcp_serial_console_sshd"))
	case CauseAgentDown:
		f = diag.NewFinding("gcp.guest_agent_down").Arg("instance", name).Arg("state", string(br.Agent)).
			Fix(r.guestFix("fix.gcp_serial_console_agent"))
	case CauseBadModes:
		path := strings.Join(c.Detail, ", ")
		if path == "" {
			path = "~, ~/.ssh, ~/.ssh/authorized_keys"
		}
		f = diag.NewFinding("gcp.boot_sshd_bad_modes").Arg("instance", name).Arg("path", path).Fix("fix.gcp_serial_console_modes", r.serialConsoleCmd())
	case CauseSSHGuard:
		f = diag.NewFinding("gcp.sshguard_blocking").Arg("instance", name).Arg("blocked", strings.Join(c.Detail, ", ")).
			Sev(diag.SevWarning)
		if src != nil && src.Known && !src.IAP {
			for _, d := range c.Detail {
				if a, err := netip.ParseAddr(d); err == nil && src.Prefix.Contains(a) {
					f.Sev(diag.SevError)
				}
			}
		}
		f.Fix("fix.gcp_serial_console_sshguard", r.serialConsoleCmd())
	default:
		return nil
	}
	for _, l := range c.Lines {
		f.Ev("serial", fmt.Sprintf("line %d: %s", l.N, diag.Quote([]byte(l.Text), 200)))
	}
	f.Fix("fix.gcp_read_serial", r.serialReadCmd())
	return f
}

// --- external IP -------------------------------------------------------

func (r *Run) checkExternalIP(ctx context.Context, p *diag.Pass) diag.Result {
	inst := diag.ResultOf(p, r.defInstance)
	nic := primaryNIC(inst)
	if nic == nil {
		return diag.Inconclusive(diag.NewFinding("gcp.no_network_interface").Arg("instance", inst.Name))
	}
	ext := externalIPv4(nic)
	if r.o.IAP {
		f := diag.NewFinding("gcp.path_iap").Ev("internal_ip", nic.NetworkIP)
		if ext != "" {
			f.Ev("external_ip", ext+" (not used through IAP)")
		}
		return diag.Conclude(nic, f)
	}
	if ext == "" && externalIPv6(nic) == "" {
		f := diag.NewFinding("gcp.no_external_ip").Arg("instance", inst.Name).
			Ev("internal_ip", nic.NetworkIP).Ev("access_configs", "none").
			Fix("fix.gcp_use_iap", r.sshCmd(r.o.User, "")+" --tunnel-through-iap").
			Fix("fix.gcp_add_external_ip", "gcloud compute instances add-access-config "+inst.Name+" "+r.loc()+
				" --network-interface="+nic.Name)
		return diag.Conclude(nic, f)
	}
	shown := ext
	if shown == "" {
		shown = externalIPv6(nic)
	}
	f := diag.NewFinding("gcp.external_ip").Arg("address", shown)
	if ext != "" {
		f.Ev("external_ip", ext)
	}
	if v6 := externalIPv6(nic); v6 != "" {
		f.Ev("external_ipv6", v6)
	}
	return diag.Conclude(nic, f)
}

// --- firewall ----------------------------------------------------------

func (r *Run) checkFirewall(ctx context.Context, p *diag.Pass) diag.Result {
	inst := diag.ResultOf(p, r.defInstance)
	src := diag.ResultOf(p, r.defSource)
	nic := primaryNIC(inst)
	if nic == nil {
		return diag.Skip()
	}
	ef, err := r.api.EffectiveFirewalls(ctx, r.o.Project.Value, r.getZone(), inst.Name, nic.Name)
	if err != nil {
		return diag.Inconclusive(r.apiFinding(err, diag.SevWarning))
	}
	var notes []*diag.Finding
	orders := []string{OrderAfterClassic}
	orderNote := "AFTER_CLASSIC_FIREWALL (default)"
	if HasNetworkPolicies(ef) {
		net, err := r.api.Network(ctx, nic.Network)
		switch {
		case err != nil:
			// Unknown order: judge both and trust only agreement.
			orders = []string{OrderAfterClassic, OrderBeforeClassic}
			orderNote = "unknown (networks.get failed): both orders evaluated"
			f := r.apiFinding(err, diag.SevInfo)
			notes = append(notes, f)
		case net.NetworkFirewallPolicyEnforcementOrder != "":
			orders = []string{net.NetworkFirewallPolicyEnforcementOrder}
			orderNote = net.NetworkFirewallPolicyEnforcementOrder
		}
	}

	path := "direct"
	pkt := Packet{Source: src.Prefix, Port: r.o.Port}
	advisory := false // no external IP: judge the IAP path as advice
	switch {
	case src.IAP:
		path = "iap"
		pkt.Dest, _ = netip.ParseAddr(nic.NetworkIP)
	case externalIPv4(nic) == "" && externalIPv6(nic) == "":
		advisory = true
		path = "iap"
		src = &sourceInfo{Prefix: IAPRange, Known: true, IAP: true}
		pkt.Source = IAPRange
		pkt.Dest, _ = netip.ParseAddr(nic.NetworkIP)
	case src.Prefix.Addr().Is6() && externalIPv6(nic) != "":
		pkt.Dest, _ = netip.ParseAddr(externalIPv6(nic))
	default:
		pkt.Dest, _ = netip.ParseAddr(externalIPv4(nic))
		if src.Prefix.Addr().Is6() {
			// ssh to the IPv4 address leaves from an IPv4 address we do not know
			src = &sourceInfo{Prefix: netip.MustParsePrefix("0.0.0.0/0")}
			pkt.Source = src.Prefix
		}
	}
	t := Target{Network: nic.Network, Tags: inst.Tags.Items, ServiceAccounts: serviceAccounts(inst)}

	var rs *Ruleset
	var ev Evaluation
	for i, o := range orders {
		rsi := Compile(ef, o)
		evi := rsi.Evaluate(pkt, t)
		if !src.Known {
			// "any internet address": private and special ranges are not
			// where a person connects from
			evi = evi.Restrict(isPublicRange)
		}
		if i == 0 {
			rs, ev = rsi, evi
			continue
		}
		if evi.Verdict != ev.Verdict {
			ev.Verdict = VerdictUnknown
		}
	}
	sourceText := src.Prefix.String()
	if src.Prefix.IsSingleIP() {
		sourceText = src.Prefix.Addr().String()
	}
	if !src.Known {
		sourceText = src.Prefix.String() // any internet address
	}
	common := func(f *diag.Finding) *diag.Finding {
		f.Arg("source", sourceText).Arg("port", strconv.Itoa(r.o.Port)).Arg("path", path).
			Ev("source", sourceText).Ev("destination", pkt.Dest.String()+":"+strconv.Itoa(r.o.Port)+"/tcp").
			Ev("evaluated", fmt.Sprintf("%d VPC rule(s), %d policy rule(s) in %d firewall policy(ies); enforcement order %s",
				rs.VPCRules, rs.PolicyRules, rs.Policies, orderNote))
		return f
	}

	findings := notes
	switch ev.Verdict {
	case VerdictAllow:
		d := rs.Decision(ev.Segments[0].Rule)
		f := common(diag.NewFinding("gcp.firewall_allows")).Arg("decided_by", describeDecision(d)).
			Ev("decided_by", describeDecision(d))
		if u := ev.Segments[0].Uncertain; u >= 0 {
			f.Ev("not_evaluable_but_irrelevant", describeDecision(rs.Decision(u)))
		}
		findings = append(findings, f)
	case VerdictDeny, VerdictPartial:
		if ev.Verdict == VerdictPartial && !src.Known {
			f := common(diag.NewFinding("gcp.firewall_partial"))
			r.segmentsEvidence(f, rs, ev)
			f.Fix("fix.gcp_pass_source_ip", "sshdoctor gcp "+inst.Name+" --project="+r.o.Project.Value+" --zone="+r.getZone()+
				" --source-ip=\"$(dig +short TXT "+myAddrName+" @"+myAddrNS+" | tr -d '\\\"')\"")
			findings = append(findings, f)
			return diag.Inconclusive(findings...)
		}
		f := common(diag.NewFinding("gcp.firewall_blocks_ssh"))
		if advisory {
			f.Sev(diag.SevWarning)
		}
		deny := denyingSegment(ev)
		d := rs.Decision(deny.Rule)
		f.Arg("decided_by", describeDecision(d)).Ev("decided_by", describeDecision(d))
		if ev.Verdict == VerdictPartial {
			r.segmentsEvidence(f, rs, ev)
		}
		whatIf := func(addVPC *Firewall, policy string, addRule *PolicyRule, tags []string) bool {
			ef2 := *ef
			if addVPC != nil {
				ef2.Firewalls = append(append([]Firewall(nil), ef.Firewalls...), *addVPC)
			}
			if addRule != nil {
				ef2.FirewallPolicys = append([]EffectivePolicy(nil), ef.FirewallPolicys...)
				for i := range ef2.FirewallPolicys {
					if ef2.FirewallPolicys[i].Name == policy {
						ef2.FirewallPolicys[i].Rules = append(append([]PolicyRule(nil), ef2.FirewallPolicys[i].Rules...), *addRule)
					}
				}
			}
			t2 := t
			t2.Tags = append(append([]string(nil), t.Tags...), tags...)
			for _, o := range orders {
				ev := Compile(&ef2, o).Evaluate(pkt, t2)
				if !src.Known {
					ev = ev.Restrict(isPublicRange)
				}
				if ev.Verdict != VerdictAllow {
					return false
				}
			}
			return true
		}
		r.firewallFixes(f, inst, nic, src, rs, pkt, t, d, whatIf)
		findings = append(findings, f)
	case VerdictUnknown:
		f := common(diag.NewFinding("gcp.firewall_undetermined"))
		for _, s := range ev.Segments {
			if s.Verdict == VerdictUnknown {
				d := rs.Decision(s.Rule)
				f.Arg("decided_by", describeDecision(d)).Ev("decided_by", describeDecision(d))
				for _, w := range rs.Why(s.Rule) {
					f.Ev("cannot_evaluate", w)
				}
				break
			}
		}
		if len(orders) > 1 {
			f.Arg("decided_by", "networkFirewallPolicyEnforcementOrder").Ev("cannot_evaluate", "the network's firewall policy enforcement order")
		}
		srcIP := src.Prefix.Addr().String()
		switch {
		case src.IAP:
			srcIP = "35.235.240.123" // any address of the IAP range
		case !src.Known:
			srcIP = `"$(dig +short TXT ` + myAddrName + ` @` + myAddrNS + ` | tr -d '\"')"`
		}
		test := "gcloud network-management connectivity-tests "
		f.Fix("fix.gcp_connectivity_test", test+"create sshdoctor-ssh-check --project="+r.o.Project.Value+
			" --source-ip-address="+srcIP+" --destination-instance=projects/"+r.o.Project.Value+"/zones/"+r.getZone()+
			"/instances/"+inst.Name+" --destination-port="+strconv.Itoa(r.o.Port)+" --protocol=TCP\n"+
			test+"describe sshdoctor-ssh-check --project="+r.o.Project.Value+" --format=\"value(reachabilityDetails.result)\"\n"+
			test+"delete sshdoctor-ssh-check --project="+r.o.Project.Value+" --quiet")
		findings = append(findings, f)
		return diag.Inconclusive(findings...)
	}
	return diag.Conclude(ev, findings...)
}

func denyingSegment(ev Evaluation) Segment {
	for _, s := range ev.Segments {
		if s.Verdict == VerdictDeny {
			return s
		}
	}
	return ev.Segments[0]
}

// maxSegmentsShown keeps evidence readable when many rules cut a range.
const maxSegmentsShown = 8

func (r *Run) segmentsEvidence(f *diag.Finding, rs *Ruleset, ev Evaluation) {
	for i, s := range ev.Segments {
		if i == maxSegmentsShown {
			f.Ev("ranges", fmt.Sprintf("… %d more", len(ev.Segments)-i))
			break
		}
		d := describeDecision(rs.Decision(s.Rule))
		f.Ev("ranges", fmt.Sprintf("%s: %s by %s", rangeString(s.From, s.To), s.Verdict, d))
	}
}

// firewallFixes adds the fix for what blocked: first a near miss (one
// change to an existing rule or to the VM's tags that provably lets the
// connection in), then a new rule where one can help.
func (r *Run) firewallFixes(f *diag.Finding, inst *Instance, nic *NetworkInterface, src *sourceInfo,
	rs *Ruleset, pkt Packet, t Target, d Decision, whatIf func(*Firewall, string, *PolicyRule, []string) bool) {
	netProj := netProject(nic, r.o.Project.Value)
	nm := rs.NearMisses(pkt, t)
	for _, m := range nm {
		f.Ev("near_miss", fmt.Sprintf("firewall-rules/%s would allow it but for: %s", m.Rule.Name, m.Reason))
	}
	if len(nm) > 0 {
		m := nm[0]
		f.Arg("near_rule", m.Rule.Name)
		switch m.Reason {
		case "disabled":
			f.Fix("fix.gcp_firewall_enable", "gcloud compute firewall-rules update "+m.Rule.Name+" --project="+netProj+" --no-disabled")
		case "target_tag":
			f.Arg("near_tag", m.Rule.TargetTags[0]).Fix("fix.gcp_add_tag",
				"gcloud compute instances add-tags "+inst.Name+" "+r.loc()+" --tags="+m.Rule.TargetTags[0])
		case "source":
			ranges := append(append([]string(nil), m.Rule.SourceRanges...), sourceArg(src))
			f.Fix("fix.gcp_firewall_add_source", "gcloud compute firewall-rules update "+m.Rule.Name+" --project="+netProj+
				" --source-ranges="+strings.Join(ranges, ","))
		case "port":
			f.Fix("fix.gcp_firewall_add_port", "gcloud compute firewall-rules update "+m.Rule.Name+" --project="+netProj+
				" --rules="+entriesArg(m.Rule.Allowed, "tcp:"+strconv.Itoa(r.o.Port)))
		}
	}
	port := strconv.Itoa(r.o.Port)
	// a new VPC rule, checked by evaluating again with it in place
	vpcRule := func(prio int) bool {
		p := prio
		fw := &Firewall{Name: "sshdoctor-what-if", Network: nic.Network, Direction: "INGRESS", Priority: &p,
			SourceRanges: []string{src.Prefix.String()}, TargetTags: []string{"allow-ssh"},
			Allowed: []FirewallEntry{{IPProtocol: "tcp", Ports: []string{port}}}}
		return whatIf(fw, "", nil, []string{"allow-ssh"})
	}
	policyRule := func(prio int) bool {
		pr := &PolicyRule{Priority: prio, Action: "allow", Direction: "INGRESS",
			Match: PolicyMatch{SrcIPRanges: []string{src.Prefix.String()}, Layer4Configs: []L4Config{{IPProtocol: "tcp", Ports: []string{port}}}}}
		return whatIf(nil, d.Policy, pr, nil)
	}
	created := false
	switch d.Kind {
	case KindImplied:
		if vpcRule(1000) {
			f.Arg("fix_priority", "1000").Fix("fix.gcp_firewall_create", r.firewallCreateCmd(inst, nic, src, 0))
			created = true
		}
	case KindVPC:
		if d.Priority > 0 && vpcRule(d.Priority-1) {
			prio := d.Priority - 1
			f.Arg("fix_priority", strconv.Itoa(prio)).Fix("fix.gcp_firewall_create", r.firewallCreateCmd(inst, nic, src, prio))
			created = true
		}
	case KindHierarchy:
		if prio := freePriorityBelow(d.Priority, d.policyPriorities); prio >= 0 && policyRule(prio) {
			f.Arg("policy", d.Policy).Arg("fix_priority", strconv.Itoa(prio)).Fix("fix.gcp_policy_allow",
				"gcloud compute firewall-policies rules create "+strconv.Itoa(prio)+" --firewall-policy="+d.Policy+
					" --action=allow --direction=INGRESS --layer4-configs=tcp:"+port+" --src-ip-ranges="+sourceArg(src))
		}
		f.Arg("policy", d.Policy).Fix("fix.gcp_policy_describe", "gcloud compute firewall-policies rules describe "+
			strconv.Itoa(d.Priority)+" --firewall-policy="+d.Policy)
		return
	case KindNetwork, KindRegional:
		scope := " --global-firewall-policy"
		if d.Kind == KindRegional {
			scope = " --firewall-policy-region=" + regionOf(r.getZone())
		}
		if prio := freePriorityBelow(d.Priority, d.policyPriorities); prio >= 0 && policyRule(prio) {
			f.Arg("policy", d.Policy).Arg("fix_priority", strconv.Itoa(prio)).Fix("fix.gcp_policy_allow",
				"gcloud compute network-firewall-policies rules create "+strconv.Itoa(prio)+" --firewall-policy="+d.Policy+
					scope+" --project="+netProj+" --action=allow --direction=INGRESS --layer4-configs=tcp:"+
					port+" --src-ip-ranges="+sourceArg(src))
			created = true
		}
	default: // system policies are Google's
		f.Arg("policy", d.Policy)
	}
	if !created && d.Kind == KindVPC {
		// a deny at priority 0, or more denies right above: show the rule
		f.Fix("fix.gcp_firewall_deny_at_zero", "gcloud compute firewall-rules describe "+d.Rule+" --project="+netProj)
	}
}

func regionOf(zone string) string {
	if i := strings.LastIndexByte(zone, '-'); i > 0 {
		return zone[:i]
	}
	return zone
}

// --- route -------------------------------------------------------------

func (r *Run) checkRoute(ctx context.Context, p *diag.Pass) diag.Result {
	inst := diag.ResultOf(p, r.defInstance)
	src := diag.ResultOf(p, r.defSource)
	nic := primaryNIC(inst)
	if r.o.IAP || nic == nil || (externalIPv4(nic) == "" && externalIPv6(nic) == "") {
		return diag.Skip(diag.NewFinding("gcp.route_not_applicable"))
	}
	routes, err := r.api.Routes(ctx, nic.Network)
	if err != nil {
		return diag.Inconclusive(r.apiFinding(err, diag.SevWarning))
	}
	dest := src.Prefix.Addr()
	if !src.Known {
		dest = netip.MustParseAddr("0.0.0.0")
	}
	best := bestRoute(routes, dest, inst.Tags.Items, !src.Known)
	defaultDest := "0.0.0.0/0"
	if dest.Is6() {
		defaultDest = "::/0"
	}
	if best == nil {
		f := diag.NewFinding("gcp.no_default_route").Arg("network", lastSegment(nic.Network)).Arg("source", src.Prefix.String()).
			EvInt("routes_in_network", len(routes)).
			Fix("fix.gcp_create_default_route", "gcloud compute routes create default-internet-"+
				map[bool]string{true: "v6", false: "v4"}[dest.Is6()]+" --project="+netProject(nic, r.o.Project.Value)+
				" --network="+lastSegment(nic.Network)+" --destination-range="+defaultDest+" --next-hop-gateway=default-internet-gateway")
		return diag.Conclude(nil, f)
	}
	ev := fmt.Sprintf("routes/%s %s priority %d → %s", best.Name, best.DestRange, best.Priority, lastSegment(best.NextHop()))
	if lastSegment(best.NextHopGateway) == "default-internet-gateway" {
		return diag.Conclude(best, diag.NewFinding("gcp.route_ok").Ev("route", ev))
	}
	f := diag.NewFinding("gcp.return_route_elsewhere").Arg("route", best.Name).Arg("next_hop", lastSegment(best.NextHop())).
		Ev("route", ev).Fix("fix.gcp_describe_route", "gcloud compute routes describe "+best.Name+" --project="+netProject(nic, r.o.Project.Value))
	return diag.Conclude(best, f)
}

// bestRoute is the route the VM uses to answer dest: longest prefix, then
// lowest priority number, among routes without tags or with one of the
// VM's. With anyInternet, only a default route counts.
func bestRoute(routes []Route, dest netip.Addr, tags []string, anyInternet bool) *Route {
	var best *Route
	bestBits := -1
	for i := range routes {
		rt := &routes[i]
		if len(rt.Tags) > 0 && !containsAny(rt.Tags, tags) {
			continue
		}
		pfx, err := netip.ParsePrefix(rt.DestRange)
		if err != nil || pfx.Addr().Is4() != dest.Is4() {
			continue
		}
		if anyInternet && pfx.Bits() != 0 {
			continue
		}
		if !pfx.Contains(dest) {
			continue
		}
		if pfx.Bits() > bestBits || (pfx.Bits() == bestBits && rt.Priority < best.Priority) {
			best, bestBits = rt, pfx.Bits()
		}
	}
	return best
}

// --- permissions -------------------------------------------------------

// requirement is one thing the caller must hold: any of Perms on a
// resource.
type requirement struct {
	target iamTarget
	perms  []string // any one suffices
	sev    diag.Severity
	why    string
}

func (r *Run) checkPermissions(ctx context.Context, p *diag.Pass) diag.Result {
	inst := diag.ResultOf(p, r.defInstance)
	proj := diag.ResultOf(p, r.defProject)
	kc := AnalyzeMetadata(inst.Metadata, proj.metadata(), r.o.Now())
	sas := serviceAccounts(inst)
	var reqs []requirement
	if kc.OSLogin {
		reqs = append(reqs, requirement{iamInstance, []string{"compute.instances.osLogin", "compute.instances.osAdminLogin"}, diag.SevError, "os_login"})
		if len(sas) > 0 {
			reqs = append(reqs, requirement{iamServiceAccount, []string{"iam.serviceAccounts.actAs"}, diag.SevError, "os_login_sa"})
		}
	} else {
		keys, _ := r.localKeys()
		var local []PublicKey
		for _, k := range keys {
			local = append(local, k.Key)
		}
		km := kc.Match(r.sshUser(), local)
		if r.o.Browser || (len(km.Usable) == 0 && len(local) > 0) {
			// gcloud will have to write the key: the instance's metadata
			// when project keys are blocked, else the project's or the
			// instance's.
			perms := []string{"compute.instances.setMetadata"}
			sev := diag.SevWarning
			if r.o.Browser {
				sev = diag.SevError // the browser always adds its key
			}
			if !kc.BlockProjectKeys {
				reqs = append(reqs, requirement{iamProject, []string{"compute.projects.setCommonInstanceMetadata"}, sev, "add_key"})
			}
			reqs = append(reqs, requirement{iamInstance, perms, sev, "add_key"})
			// Writing the metadata of an instance that runs as a service
			// account needs actAs on it; with project keys allowed gcloud
			// writes the project's metadata instead and does not need it.
			// Key-based ssh with the key in place never needs actAs.
			if kc.BlockProjectKeys && len(sas) > 0 {
				reqs = append(reqs, requirement{iamServiceAccount, []string{"iam.serviceAccounts.actAs"}, diag.SevWarning, "add_key_sa"})
			}
		}
	}
	if r.o.IAP {
		reqs = append(reqs, requirement{iamIAPTunnel, []string{"iap.tunnelInstances.accessViaIAP"}, diag.SevError, "iap"})
	}
	if len(reqs) == 0 {
		return diag.Conclude(nil, diag.NewFinding("gcp.iam_ok").Ev("needed", "no IAM permission is needed for metadata-key SSH with the key already in place").
			Ev("compute.instances.get", "held: sshdoctor read the instance as this account").
			Ev("not_needed", "compute.instances.use and iam.serviceAccounts.actAs (Google's troubleshooter asks for them; ssh with the key in place does not)"))
	}
	// one call per resource
	byTarget := map[iamTarget][]string{}
	for _, q := range reqs {
		byTarget[q.target] = append(byTarget[q.target], q.perms...)
	}
	held := map[iamTarget]map[string]bool{}
	var problems []*diag.Finding
	for _, tgt := range []iamTarget{iamInstance, iamProject, iamServiceAccount, iamIAPTunnel} {
		perms := byTarget[tgt]
		if len(perms) == 0 {
			continue
		}
		name := inst.Name
		if tgt == iamServiceAccount {
			name = sas[0]
		}
		h, err := r.api.TestPermissions(ctx, tgt, r.o.Project.Value, r.getZone(), name, perms)
		if err != nil {
			problems = append(problems, r.apiFinding(err, diag.SevWarning))
			continue
		}
		held[tgt] = h
	}
	var findings []*diag.Finding
	var okList []string
	undecided := false
	// "add_key" is satisfied by either the project or the instance permission.
	addKeyHeld := false
	for _, q := range reqs {
		if q.why == "add_key" {
			for _, pm := range q.perms {
				if held[q.target][pm] {
					addKeyHeld = true
				}
			}
		}
	}
	addKeyReported := false
	for _, q := range reqs {
		h, ok := held[q.target]
		if !ok {
			if q.sev == diag.SevError {
				undecided = true
			}
			continue
		}
		have := ""
		for _, pm := range q.perms {
			if h[pm] {
				have = pm
				break
			}
		}
		if q.why == "add_key" {
			if addKeyHeld || addKeyReported {
				if have != "" {
					okList = append(okList, have)
				}
				continue
			}
			addKeyReported = true
		}
		if have != "" {
			okList = append(okList, have)
			continue
		}
		findings = append(findings, r.iamMissing(inst, q, kc))
	}
	for _, pm := range okList {
		findings = append(findings, diag.NewFinding("gcp.iam_held").Arg("permission", pm).Ev("held", pm))
	}
	findings = append(problems, findings...)
	if undecided {
		decided := false
		for _, f := range findings {
			if f.Severity == diag.SevError {
				decided = true
			}
		}
		if !decided {
			return diag.Inconclusive(findings...)
		}
	}
	return diag.Conclude(nil, findings...)
}

func (r *Run) iamMissing(inst *Instance, q requirement, kc KeyConfig) *diag.Finding {
	perm := strings.Join(q.perms, " or ")
	role := catalog.GCPRole(q.perms[0])
	f := diag.NewFinding("gcp.iam_missing").Sev(q.sev).Arg("permission", perm).Arg("role", role)
	switch q.target {
	case iamInstance:
		f.Arg("resource", "instance "+inst.Name)
		if q.why == "os_login" {
			f.Arg("role", "roles/compute.osLogin").Ev("either_suffices", "compute.instances.osLogin (roles/compute.osLogin) or compute.instances.osAdminLogin (roles/compute.osAdminLogin, with sudo)")
			role = "roles/compute.osLogin"
		}
		f.Fix("fix.gcp_grant_instance_role", "gcloud compute instances add-iam-policy-binding "+inst.Name+" "+r.loc()+
			" --member="+r.member()+" --role="+role)
	case iamProject:
		f.Arg("resource", "project "+r.o.Project.Value).Fix("fix.gcp_grant_role",
			"gcloud projects add-iam-policy-binding "+r.o.Project.Value+" --member="+r.member()+" --role="+role)
	case iamServiceAccount:
		sa := serviceAccounts(inst)[0]
		f.Arg("resource", "service account "+sa).Fix("fix.gcp_grant_sa_role",
			"gcloud iam service-accounts add-iam-policy-binding "+sa+" --project="+r.o.Project.Value+
				" --member="+r.member()+" --role="+role)
	case iamIAPTunnel:
		f.Arg("resource", "IAP tunnel to "+inst.Name).Fix("fix.gcp_grant_role",
			"gcloud projects add-iam-policy-binding "+r.o.Project.Value+" --member="+r.member()+" --role="+role)
	}
	switch q.why {
	case "add_key":
		f.Ev("needed_for", "adding your key to metadata (gcloud compute ssh does this)")
	case "add_key_sa":
		f.Ev("needed_for", "changing the metadata of a VM that runs as a service account")
	}
	if a := r.o.Account.Value; a != "" {
		f.Ev("account", a)
	}
	return f
}

// --- keys --------------------------------------------------------------

func (r *Run) checkKeys(ctx context.Context, p *diag.Pass) diag.Result {
	inst := diag.ResultOf(p, r.defInstance)
	proj := diag.ResultOf(p, r.defProject)
	now := r.o.Now()
	kc := AnalyzeMetadata(inst.Metadata, proj.metadata(), now)
	if r.o.Browser {
		return r.browserKeys(inst, kc)
	}
	keys, keyProblems := r.localKeys()
	var local []PublicKey
	for _, k := range keys {
		local = append(local, k.Key)
	}
	var findings []*diag.Finding
	fps := func(f *diag.Finding) {
		for _, k := range keys {
			f.Ev("local_key", k.Path+" "+k.Key.Type+" "+k.Key.Fingerprint())
		}
	}
	keyPath := ""
	if len(keys) > 0 {
		keyPath = keys[0].Path
	}

	// size and legacy keys concern both modes
	for _, lv := range kc.Large {
		f := diag.NewFinding("gcp.metadata_too_large").Arg("key", lv.Key).
			Arg("bytes", strconv.Itoa(lv.Bytes)).Arg("limit", strconv.Itoa(MetadataValueLimit)).
			Ev("size", fmt.Sprintf("%s %s: %d bytes of %d", lv.Where, lv.Key, lv.Bytes, MetadataValueLimit))
		if lv.Bytes >= MetadataValueLimit-1024 {
			f.Sev(diag.SevError)
		}
		findings = append(findings, f.AddFixes(r.fixParams()))
	}
	if kc.LegacyInstance {
		findings = append(findings, diag.NewFinding("gcp.legacy_sshkeys").
			Ev("metadata", "instance sshKeys (legacy): project keys are ignored while it exists"))
	}
	if kc.LegacyProject {
		findings = append(findings, diag.NewFinding("gcp.legacy_sshkeys").Sev(diag.SevInfo).
			Ev("metadata", "project sshKeys (legacy)"))
	}
	if len(keys) == 0 {
		f := diag.NewFinding("gcp.no_local_key").Fix("fix.gcp_ssh_creates_key", r.sshCmd(r.o.User, ""))
		for _, pr := range keyProblems {
			f.Ev("key_file", pr)
		}
		if len(r.o.KeyFiles) == 0 {
			f.Ev("looked_for", "~/.ssh/google_compute_engine.pub and ssh's default identities")
		}
		findings = append(findings, f)
		return diag.Inconclusive(findings...)
	}
	if kc.OSLogin {
		return r.checkOSLoginKeys(ctx, inst, kc, keys, local, findings, fps, keyPath)
	}

	user := r.sshUser()
	if user == "" {
		f := diag.NewFinding("gcp.user_unknown").Fix("fix.gcp_pass_user", "sshdoctor gcp "+inst.Name+" --project="+r.o.Project.Value+" --user=NAME")
		return diag.Inconclusive(append(findings, f)...)
	}
	r.setLogin(user)
	km := kc.Match(user, local)
	where := func(f *diag.Finding, mks []MetadataKey) {
		for _, mk := range mks {
			f.Ev("metadata", fmt.Sprintf("%s line %d: %s", mk.Source, mk.Line, diag.Quote([]byte(abbreviateKeyLine(mk.Raw)), 200)))
		}
	}
	switch {
	case len(km.Usable) > 0:
		f := diag.NewFinding("gcp.key_authorized").Arg("user", user)
		where(f, km.Usable)
		fps(f)
		findings = append(findings, f)
	case len(km.Blocked) > 0:
		f := diag.NewFinding("gcp.project_keys_blocked").Arg("user", user).Arg("instance", inst.Name).Ev("blocked_by", kc.BlockFrom)
		where(f, km.Blocked)
		if kc.BlockFrom == "block-project-ssh-keys" {
			f.Fix("fix.gcp_unblock_project_keys", "gcloud compute instances add-metadata "+inst.Name+" "+r.loc()+" --metadata=block-project-ssh-keys=FALSE")
		}
		f.Fix("fix.gcp_ssh_adds_key", r.sshCmd(user, keyPath))
		findings = append(findings, f)
	case len(km.Expired) > 0:
		mk := km.Expired[0]
		f := diag.NewFinding("gcp.metadata_key_expired").Arg("user", user).Arg("expired", mk.ExpireOn.UTC().Format("2006-01-02 15:04:05Z"))
		where(f, km.Expired)
		f.Fix("fix.gcp_ssh_adds_key", r.sshCmd(user, keyPath))
		findings = append(findings, f)
	case len(km.Malformed) > 0:
		mk := km.Malformed[0]
		f := diag.NewFinding("gcp.metadata_key_malformed").Arg("user", user).Arg("reason", mk.Err.Error())
		where(f, km.Malformed)
		f.Fix("fix.gcp_ssh_adds_key", r.sshCmd(user, keyPath))
		findings = append(findings, f)
	default:
		if !kc.ProjectKnown {
			f := diag.NewFinding("gcp.metadata_key_missing").Sev(diag.SevWarning).Arg("user", user).
				Ev("project_metadata", "could not be read: the key may be there")
			fps(f)
			return diag.Inconclusive(append(findings, f)...)
		}
		f := diag.NewFinding("gcp.metadata_key_missing").Arg("user", user)
		fps(f)
		f.EvInt("instance_keys", len(kc.Instance))
		if kc.BlockProjectKeys {
			f.Ev("project_keys", "blocked ("+kc.BlockFrom+")")
		} else {
			f.EvInt("project_keys", len(kc.Project))
		}
		if len(km.OtherUsers) > 0 {
			other := km.OtherUsers[0].User
			f.Arg("other_user", other).Ev("registered_for", other)
			where(f, km.OtherUsers)
			f.Fix("fix.gcp_use_other_user", r.sshCmd(other, keyPath))
		}
		if users := metadataUsers(kc); users != "" {
			f.Ev("users_with_keys", users)
		}
		f.Fix("fix.gcp_ssh_adds_key", r.sshCmd(user, keyPath))
		findings = append(findings, f)
	}
	return diag.Conclude(kc, findings...)
}

func (r *Run) checkOSLoginKeys(ctx context.Context, inst *Instance, kc KeyConfig, keys []localKey, local []PublicKey,
	findings []*diag.Finding, fps func(*diag.Finding), keyPath string) diag.Result {
	account := r.o.Account.Value
	pub := keyPath
	info := diag.NewFinding("gcp.oslogin_enabled").Ev("enable-oslogin", "TRUE ("+kc.OSLoginFrom+" metadata)")
	if kc.TwoFactor {
		info.Ev("enable-oslogin-2fa", "TRUE: ssh asks for a second factor")
	}
	findings = append(findings, info)
	if kc.TwoFactor {
		// sshd asks through keyboard-interactive after the key: a
		// verification code, a phone prompt or a security key, whichever
		// 2-Step Verification method the account has
		findings = append(findings, diag.NewFinding("gcp.oslogin_2fa").
			Ev("enable-oslogin-2fa", "TRUE ("+settingFrom(inst.Metadata, "enable-oslogin-2fa")+" metadata)").
			Fix("fix.gcp_2fa_interactive", r.sshCmd("", keyPath)))
	}
	if account == "" {
		f := diag.NewFinding("gcp.account_unknown").
			Fix("fix.gcp_pass_account", "sshdoctor gcp "+inst.Name+" --project="+r.o.Project.Value+" --account=\"$(gcloud config get-value account)\"")
		return diag.Inconclusive(append(findings, f)...)
	}
	lp, err := r.api.LoginProfile(ctx, account, r.o.Project.Value)
	if err != nil {
		return diag.Inconclusive(append(findings, r.apiFinding(err, diag.SevWarning))...)
	}
	st := MatchLoginProfile(lp, local, r.o.Now())
	posix := lp.PosixUser()
	r.setLogin(posix)
	km := kc.Match(r.sshUser(), local)
	inMetadata := append(append([]MetadataKey(nil), km.Usable...), km.Blocked...)
	if len(inMetadata) == 0 {
		// the key for any user counts: OS Login ignores them all
		for _, mk := range append(append([]MetadataKey(nil), kc.Instance...), kc.Project...) {
			for _, l := range local {
				if mk.Valid() && l.Same(mk.Key) {
					inMetadata = append(inMetadata, mk)
				}
			}
		}
	}
	switch {
	case st.Found:
		f := diag.NewFinding("gcp.key_authorized").Arg("user", posix).Ev("oslogin_profile", "users/"+account)
		if !st.Expiry.IsZero() {
			f.Ev("expires", st.Expiry.UTC().Format("2006-01-02 15:04:05Z"))
		}
		fps(f)
		findings = append(findings, f)
	case len(inMetadata) > 0 && !st.Expired:
		f := diag.NewFinding("gcp.oslogin_ignores_metadata_keys").Arg("account", account).Arg("instance", inst.Name).
			Ev("enable-oslogin", "TRUE ("+kc.OSLoginFrom+" metadata)").EvInt("profile_keys", st.Count)
		for _, mk := range inMetadata {
			f.Ev("metadata", fmt.Sprintf("%s line %d (ignored)", mk.Source, mk.Line))
		}
		fps(f)
		f.Fix("fix.gcp_oslogin_add_key", "gcloud compute os-login ssh-keys add --key-file="+pub+" --project="+r.o.Project.Value)
		if kc.OSLoginFrom == "instance" || kc.OSLoginFrom == "project" {
			f.Fix("fix.gcp_disable_oslogin_instance", "gcloud compute instances add-metadata "+inst.Name+" "+r.loc()+" --metadata=enable-oslogin=FALSE")
		}
		findings = append(findings, f)
	default:
		f := diag.NewFinding("gcp.oslogin_key_missing").Arg("account", account).EvInt("profile_keys", st.Count)
		if st.Expired {
			f.Ev("expired", st.Expiry.UTC().Format("2006-01-02 15:04:05Z"))
		}
		fps(f)
		f.Fix("fix.gcp_oslogin_add_key", "gcloud compute os-login ssh-keys add --key-file="+pub+" --project="+r.o.Project.Value)
		findings = append(findings, f)
	}
	if posix != "" && r.o.User != "" && r.o.User != posix {
		f := diag.NewFinding("gcp.oslogin_user_mismatch").Arg("user", r.o.User).Arg("posix_user", posix).
			Ev("posix_user", posix).Fix("fix.gcp_oslogin_user", r.sshCmd("", keyPath))
		findings = append(findings, f)
	}
	if kc.SecurityKey {
		sk := false
		for _, k := range keys {
			if k.Key.SecurityKey() {
				sk = true
			}
		}
		if !sk {
			findings = append(findings, diag.NewFinding("gcp.oslogin_security_key_required").
				Ev("enable-oslogin-sk", "TRUE"))
		} else {
			findings = append(findings, diag.NewFinding("gcp.oslogin_security_key_touch").Ev("enable-oslogin-sk", "TRUE"))
		}
	}
	return diag.Conclude(kc, findings...)
}

// abbreviateKeyLine shortens the base64 blob for evidence.
func abbreviateKeyLine(line string) string {
	fields := strings.Fields(line)
	for i, f := range fields {
		if len(f) > 40 && i > 0 {
			fields[i] = f[:12] + "…" + f[len(f)-8:]
		}
	}
	return strings.Join(fields, " ")
}

// metadataUsers lists who has keys in metadata (first ten).
func metadataUsers(kc KeyConfig) string {
	seen := map[string]bool{}
	for _, mk := range append(append([]MetadataKey(nil), kc.Instance...), kc.Project...) {
		if mk.User != "" && mk.Valid() {
			seen[mk.User] = true
		}
	}
	var users []string
	for u := range seen {
		users = append(users, u)
	}
	sort.Strings(users)
	if len(users) > 10 {
		users = append(users[:10], "…")
	}
	return strings.Join(users, ", ")
}

// settingFrom says whether a metadata key is set on the instance or comes
// from the project.
func settingFrom(inst Metadata, key string) string {
	if _, ok := inst.Get(key); ok {
		return "instance"
	}
	return "project"
}
