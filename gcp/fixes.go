package gcp

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// Findings for failed API calls, and the exact commands of fixes.

// apiFinding turns a failed call into a finding of severity sev (401 and a
// disabled Compute API are always errors: nothing can be checked).
func (r *Run) apiFinding(err error, sev diag.Severity) *diag.Finding {
	e, ok := asAPIError(err)
	if !ok {
		// Which call failed is not known here: a sentence without it,
		// never a hole ("Google API ? failed").
		return diag.NewFinding("gcp.call_failed").Sev(sev).Ev("error", oneLineErr(err))
	}
	project := r.o.Project.Value
	var f *diag.Finding
	switch {
	case e.Status == 0 && errorsIsNoCredentials(e.Err):
		return r.noCredentials()
	case e.Status == http.StatusUnauthorized:
		f = diag.NewFinding("gcp.credentials_rejected").Arg("api", e.API).
			Fix("fix.gcp_login", "gcloud auth login").
			Fix("fix.gcp_login_adc", "gcloud auth application-default login")
	case e.Disabled():
		f = diag.NewFinding("gcp.api_disabled").Sev(sev).Arg("api", e.API).Arg("project", project).
			Fix("fix.gcp_enable_api", "gcloud services enable "+e.API+" --project="+project)
	case e.Status == http.StatusForbidden:
		perm := e.Permission
		if perm == "" {
			perm = "-"
		}
		f = diag.NewFinding("gcp.api_permission_denied").Sev(sev).Arg("api", e.API).Arg("method", e.Method).
			Arg("permission", perm).Arg("resource", e.Resource)
		fp := r.fixParams()
		if role := catalog.GCPRole(perm); role != "" {
			f.Arg("role", role)
			fp["gcp_role"] = role
		}
		f.AddFixes(fp)
	default:
		f = diag.NewFinding("gcp.api_error").Sev(sev).Arg("api", e.API).Arg("method", e.Method)
	}
	if e.Status != 0 {
		f.EvInt("http_status", e.Status)
	}
	if e.Message != "" {
		f.Ev("message", diag.Quote([]byte(e.Message), 300))
	}
	if e.Err != nil {
		f.Ev("error", oneLineErr(e.Err))
	}
	f.Ev("call", e.API+" "+e.Method+" "+e.Resource)
	return f
}

func errorsIsNoCredentials(err error) bool { return err == ErrNoCredentials }

func (r *Run) noCredentials() *diag.Finding {
	f := diag.NewFinding("gcp.no_credentials").
		Fix("fix.gcp_login", "gcloud auth login").
		Fix("fix.gcp_login_adc", "gcloud auth application-default login")
	for _, t := range r.creds.Tried() {
		f.Ev("tried", t)
	}
	return f
}

// isNotFound says a call got 404.
func isNotFound(err error) bool {
	e, ok := asAPIError(err)
	return ok && e.Status == http.StatusNotFound
}

// Fix commands.

func (r *Run) startCmd(verb string) string {
	return "gcloud compute instances " + verb + " " + r.o.Instance + " " + r.loc()
}

func (r *Run) serialConsoleCmd() string {
	return "gcloud compute instances add-metadata " + r.o.Instance + " " + r.loc() + " --metadata=serial-port-enable=TRUE\n" +
		"gcloud compute connect-to-serial-port " + r.o.Instance + " " + r.loc()
}

func (r *Run) serialReadCmd() string {
	return "gcloud compute instances get-serial-port-output " + r.o.Instance + " " + r.loc() + " --port=1"
}

// sshCmd is the gcloud ssh command for the user's case.
func (r *Run) sshCmd(user, keyPath string) string {
	cmd := "gcloud compute ssh "
	if user != "" {
		cmd += user + "@"
	}
	cmd += r.o.Instance + " " + r.loc()
	if keyPath != "" && !strings.HasSuffix(keyPath, "google_compute_engine.pub") {
		cmd += " --ssh-key-file=" + strings.TrimSuffix(keyPath, ".pub")
	}
	if r.o.IAP {
		cmd += " --tunnel-through-iap"
	}
	return cmd
}

var ruleNameBad = lazyre.New(`[^a-z0-9-]+`)

// ruleName makes a valid firewall rule name ([a-z]([-a-z0-9]*[a-z0-9])?, ≤ 63).
func ruleName(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	n := ruleNameBad.ReplaceAllString(strings.ToLower(strings.Join(keep, "-")), "-")
	n = strings.Trim(n, "-")
	if len(n) > 63 {
		n = strings.TrimRight(n[:63], "-")
	}
	return n
}

// sourceArg is the --source-ranges value; an unknown source is looked up
// in the shell the way sshdoctor (and gcloud) would.
func sourceArg(src *sourceInfo) string {
	if !src.Known {
		return `"$(dig +short TXT ` + myAddrName + ` @` + myAddrNS + ` | tr -d '\"')/32"`
	}
	return src.Prefix.String()
}

func sourceLabel(src *sourceInfo) string {
	switch {
	case src.IAP:
		return "iap"
	case !src.Known:
		return "my-ip"
	}
	return src.Prefix.Addr().String()
}

// firewallCreateCmd writes the VPC rule that lets src reach the VM on the
// port, above priority (0: default 1000), via a network tag.
func (r *Run) firewallCreateCmd(inst *Instance, nic *NetworkInterface, src *sourceInfo, priority int) string {
	const tag = "allow-ssh"
	var b strings.Builder
	if !containsAny(inst.Tags.Items, []string{tag}) {
		b.WriteString("gcloud compute instances add-tags " + r.o.Instance + " " + r.loc() + " --tags=" + tag + "\n")
	}
	portPart := ""
	if r.o.Port != 22 {
		portPart = strconv.Itoa(r.o.Port)
	}
	name := ruleName("allow-ssh", portPart, "from", sourceLabel(src))
	b.WriteString("gcloud compute firewall-rules create " + name + " --project=" + netProject(nic, r.o.Project.Value) +
		" --network=" + lastSegment(nic.Network) + " --direction=INGRESS --action=ALLOW --rules=tcp:" +
		strconv.Itoa(r.o.Port) + " --source-ranges=" + sourceArg(src) + " --target-tags=" + tag)
	if priority > 0 && priority != 1000 {
		b.WriteString(" --priority=" + strconv.Itoa(priority))
	}
	return b.String()
}

func netProject(nic *NetworkInterface, fallback string) string {
	if p := projectOf(nic.Network); p != "" {
		return p
	}
	return fallback
}

// entriesArg writes a rule's allowed list as gcloud's --rules value, plus
// one more entry.
func entriesArg(es []FirewallEntry, extra string) string {
	var parts []string
	for _, e := range es {
		if len(e.Ports) == 0 {
			parts = append(parts, e.IPProtocol)
			continue
		}
		for _, p := range e.Ports {
			parts = append(parts, e.IPProtocol+":"+p)
		}
	}
	return strings.Join(append(parts, extra), ",")
}

// freePriorityBelow returns the largest priority < p not used in the
// policy, or -1.
func freePriorityBelow(p int, used []int) int {
	for q := p - 1; q >= 0 && q >= p-1000; q-- {
		if !containsInt(used, q) {
			return q
		}
	}
	return -1
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// biggerMachineType suggests the next size up for an OOM.
func biggerMachineType(machineTypeURL string) string {
	mt := lastSegment(machineTypeURL)
	switch mt {
	case "e2-micro":
		return "e2-small"
	case "e2-small":
		return "e2-medium"
	case "e2-medium", "f1-micro", "g1-small":
		return "e2-standard-2"
	}
	parts := strings.Split(mt, "-")
	if len(parts) == 3 {
		n, err := strconv.Atoi(parts[2])
		if err == nil && n > 0 {
			switch parts[1] {
			case "highcpu":
				return parts[0] + "-standard-" + parts[2]
			case "standard":
				return parts[0] + "-highmem-" + parts[2]
			default:
				return parts[0] + "-" + parts[1] + "-" + strconv.Itoa(2*n)
			}
		}
	}
	return "e2-standard-2"
}

// resizeDiskCmd doubles the boot disk (at least +10 GB).
func (r *Run) resizeDiskCmd(inst *Instance) (string, string) {
	for _, d := range inst.Disks {
		if !d.Boot || d.Source == "" {
			continue
		}
		size, _ := parseInt64(d.DiskSizeGb)
		newSize := size * 2
		if newSize < size+10 {
			newSize = size + 10
		}
		where := "--zone=" + r.getZone()
		if p := resourcePath(d.Source); strings.Contains(p, "/regions/") {
			parts := strings.Split(p, "/")
			for i := range parts {
				if parts[i] == "regions" && i+1 < len(parts) {
					where = "--region=" + parts[i+1]
				}
			}
		}
		cmd := fmt.Sprintf("gcloud compute disks resize %s %s --project=%s --size=%dGB\n%s",
			lastSegment(d.Source), where, projectOrDefault(projectOf(d.Source), r.o.Project.Value), newSize, r.startCmd("reset"))
		return cmd, strconv.FormatInt(newSize, 10)
	}
	return "", ""
}

func projectOrDefault(p, d string) string {
	if p != "" {
		return p
	}
	return d
}

// describeDecision names what decided, in the words of the gcloud
// command groups, so that it reads the same in every language.
func describeDecision(d Decision) string {
	switch d.Kind {
	case KindImplied:
		return "implied-deny-ingress (priority 65535)"
	case KindVPC:
		return fmt.Sprintf("firewall-rules/%s (priority %d, %s)", d.Rule, d.Priority, d.Action)
	}
	group := "network-firewall-policies"
	switch d.Kind {
	case KindHierarchy:
		group = "firewall-policies"
	case KindSystem:
		group = "system-firewall-policies"
	}
	name := d.Policy
	if d.PolicyLabel != "" && d.PolicyLabel != d.Policy {
		name += ` "` + d.PolicyLabel + `"`
	}
	s := fmt.Sprintf("%s/%s rule %d (%s)", group, name, d.Priority, d.Action)
	if d.Rule != "" {
		s = fmt.Sprintf("%s/%s rule %d %q (%s)", group, name, d.Priority, d.Rule, d.Action)
	}
	return s
}

// rangeString prints a segment as a CIDR when it is one, else from-to.
func rangeString(from, to netip.Addr) string {
	if from == to {
		return from.String()
	}
	for bits := 0; bits <= from.BitLen(); bits++ {
		p := netip.PrefixFrom(from, bits).Masked()
		if p.Addr() != from {
			continue
		}
		if _, last := prefixBounds(p); last == to {
			return p.String()
		}
	}
	return from.String() + "-" + to.String()
}

// rescueCmd moves the boot disk to a rescue VM (RESCUE_VM: one the user
// creates in the same zone), where GRUB, shim or the kernel can be
// reinstalled.
func (r *Run) rescueCmd(inst *Instance) string {
	disk := "BOOT_DISK"
	for _, d := range inst.Disks {
		if d.Boot && d.Source != "" {
			disk = lastSegment(d.Source)
		}
	}
	return r.startCmd("stop") + "\ngcloud compute instances detach-disk " + inst.Name + " " + r.loc() + " --disk=" + disk +
		"\ngcloud compute instances attach-disk RESCUE_VM " + r.loc() + " --disk=" + disk
}

// guestFix is a look inside the guest: the Linux phrase with the serial
// console, or on Windows its PowerShell counterpart through the serial
// console's SAC (port 2) or RDP — never a Linux file or command.
func (r *Run) guestFix(linuxKey string) (string, string) {
	if !r.windows() {
		return linuxKey, r.serialConsoleCmd()
	}
	key := "fix.gcp_windows_sshd"
	if linuxKey == "fix.gcp_serial_console_agent" {
		key = "fix.gcp_windows_agent"
	}
	return key, "gcloud compute instances add-metadata " + r.o.Instance + " " + r.loc() + " --metadata=serial-port-enable=TRUE\n" +
		"gcloud compute connect-to-serial-port " + r.o.Instance + " " + r.loc() + " --port=2"
}
