package vm

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/sshdoctor/sshdoctor/diag"
)

// Hyper-V VMs as one more hypervisor: found, running or not, which switch
// each adapter is on and the addresses the guest reports through its
// integration services. The Default Switch is a NAT of Windows' own: from
// the LAN a VM on it is reached only through a forward on the host.

const (
	winHyperVVMs      = "hyperv-vms"      // Get-VM | Select Name, State | ConvertTo-Json
	winHyperVAdapters = "hyperv-adapters" // Get-VMNetworkAdapter -VMName * | Select VMName, SwitchName, Status, IPAddresses | ConvertTo-Json
)

// HyperVVM is one VM with its adapters.
type HyperVVM struct {
	Name     string
	State    string // Running, Off, Saved, Paused, …
	Adapters []HyperVAdapter
}

// HyperVAdapter is one network adapter of a VM.
type HyperVAdapter struct {
	Switch    string
	Status    string
	Addresses []string
}

// hyperVStates are the VMState values of Hyper-V's WMI class, which
// ConvertTo-Json writes as numbers unless told otherwise.
var hyperVStates = map[int]string{1: "Other", 2: "Running", 3: "Off", 4: "Stopping", 6: "Saved", 9: "Paused", 10: "Starting", 11: "Reset"}

// jsonList reads what ConvertTo-Json writes: one object, or an array of
// them (PowerShell unwraps a one-element list).
func jsonList(b []byte) ([]map[string]json.RawMessage, error) {
	t := strings.TrimSpace(winText(b))
	if t == "" {
		return nil, nil
	}
	if strings.HasPrefix(t, "{") {
		var one map[string]json.RawMessage
		if err := json.Unmarshal([]byte(t), &one); err != nil {
			return nil, err
		}
		return []map[string]json.RawMessage{one}, nil
	}
	var many []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(t), &many); err != nil {
		return nil, err
	}
	return many, nil
}

// jsonString reads a string, a number (a state enum), or the first of a
// list (PowerShell's Status is a list: ["Ok"]).
func jsonString(m map[string]json.RawMessage, key string, enum map[int]string) string {
	raw, ok := m[key]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n int
	if json.Unmarshal(raw, &n) == nil {
		if v, ok := enum[n]; ok {
			return v
		}
		return strconv.Itoa(n)
	}
	var l []json.RawMessage
	if json.Unmarshal(raw, &l) == nil && len(l) > 0 {
		return jsonString(map[string]json.RawMessage{"x": l[0]}, "x", enum)
	}
	return ""
}

func jsonStrings(m map[string]json.RawMessage, key string) []string {
	var l []string
	if raw, ok := m[key]; ok {
		if json.Unmarshal(raw, &l) != nil {
			var s string
			if json.Unmarshal(raw, &s) == nil && s != "" {
				l = []string{s}
			}
		}
	}
	return l
}

// ParseHyperV reads the VM list and the adapter list. The adapter list
// may also be PowerShell's table ("VMName IPAddresses Status" with
// {a, b} lists), as people paste it.
func ParseHyperV(vms, adapters []byte) ([]HyperVVM, error) {
	objs, err := jsonList(vms)
	if err != nil {
		return nil, err
	}
	var out []HyperVVM
	idx := map[string]int{}
	for _, o := range objs {
		name := jsonString(o, "Name", nil)
		if name == "" {
			name = jsonString(o, "VMName", nil)
		}
		if name == "" {
			continue
		}
		idx[strings.ToLower(name)] = len(out)
		out = append(out, HyperVVM{Name: name, State: jsonString(o, "State", hyperVStates)})
		if len(out) >= maxVMs {
			break
		}
	}
	add := func(vm string, a HyperVAdapter) {
		if i, ok := idx[strings.ToLower(vm)]; ok {
			out[i].Adapters = append(out[i].Adapters, a)
		}
	}
	if objs, err := jsonList(adapters); err == nil {
		for _, o := range objs {
			add(jsonString(o, "VMName", nil), HyperVAdapter{Switch: jsonString(o, "SwitchName", nil),
				Status: jsonString(o, "Status", nil), Addresses: jsonStrings(o, "IPAddresses")})
		}
	} else {
		for _, row := range parsePSTable(winText(adapters)) {
			add(row["VMName"], HyperVAdapter{Switch: row["SwitchName"], Status: strings.Trim(row["Status"], "{}"),
				Addresses: psList(row["IPAddresses"])})
		}
	}
	return out, nil
}

// parsePSTable reads a Format-Table listing: a header of property names,
// a line of dashes, then rows whose cells are words or {…} lists.
func parsePSTable(text string) []map[string]string {
	lines := strings.Split(text, "\n")
	var rows []map[string]string
	for i := 1; i < len(lines); i++ {
		if !strings.HasPrefix(strings.TrimSpace(lines[i]), "---") {
			continue
		}
		header := strings.Fields(lines[i-1])
		for _, l := range lines[i+1:] {
			cells := psCells(l)
			if len(cells) == 0 {
				break
			}
			row := map[string]string{}
			for j, h := range header {
				if j < len(cells) {
					row[h] = cells[j]
				}
			}
			rows = append(rows, row)
		}
		break
	}
	return rows
}

// psCells splits a table row on blanks, keeping {a, b} together.
func psCells(l string) []string {
	var cells []string
	var cur strings.Builder
	depth := 0
	for _, r := range l {
		switch {
		case r == '{':
			depth++
		case r == '}' && depth > 0:
			depth--
		case (r == ' ' || r == '\t') && depth == 0:
			if cur.Len() > 0 {
				cells = append(cells, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		cells = append(cells, cur.String())
	}
	return cells
}

// psList reads "{a, b}" (or a bare value) into its items.
func psList(s string) []string {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}")
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" && p != "..." && p != "…" {
			out = append(out, p)
		}
	}
	return out
}

type hypervState struct {
	once sync.Once
	vms  []HyperVVM
	err  error
}

// hypervList reads the VMs once (vm-hypervisor uses it to know Hyper-V
// VMs are here).
func (r *Run) hypervList(ctx context.Context) ([]HyperVVM, error) {
	r.wsl.hv.once.Do(func() {
		src := r.winSourceFor()
		if src == nil {
			return
		}
		vms, err := src.Output(ctx, winHyperVVMs)
		if err != nil {
			if !errors.Is(err, errNoSource) {
				r.wsl.hv.err = err
			}
			return
		}
		ad, _ := src.Output(ctx, winHyperVAdapters)
		r.wsl.hv.vms, r.wsl.hv.err = ParseHyperV(vms, ad)
	})
	return r.wsl.hv.vms, r.wsl.hv.err
}

func (r *Run) checkHyperV(ctx context.Context, _ *diag.Pass) diag.Result {
	vms, err := r.hypervList(ctx)
	if err != nil {
		return diag.Inconclusive(diag.NewFinding("hyperv.list_failed").Ev("error", err.Error()))
	}
	var sel []HyperVVM
	for _, v := range vms {
		if r.opts.Name == "" || strings.EqualFold(v.Name, r.opts.Name) {
			sel = append(sel, v)
		}
	}
	if len(sel) == 0 {
		return diag.Skip()
	}
	var fs []*diag.Finding
	for _, v := range sel {
		fs = append(fs, r.hypervFindings(v)...)
	}
	return diag.Conclude(nil, fs...)
}

func (r *Run) hypervFindings(v HyperVVM) []*diag.Finding {
	name := psArg(v.Name)
	found := diag.NewFinding("hyperv.vm_found").Arg("vm", v.Name).Ev("state", v.State)
	for _, a := range v.Adapters {
		s := a.Switch
		if s == "" {
			s = "(not connected)"
		}
		if len(a.Addresses) > 0 {
			s += ": " + strings.Join(a.Addresses, ", ")
		}
		found.Ev("adapter", s)
	}
	fs := []*diag.Finding{found}
	switch strings.ToLower(v.State) {
	case "running":
	case "paused":
		return append(fs, diag.NewFinding("hyperv.vm_not_running").Arg("vm", v.Name).Arg("state", v.State).
			Fix("fix.hyperv_start", "Resume-VM -Name "+name))
	case "":
		return fs
	default:
		return append(fs, diag.NewFinding("hyperv.vm_not_running").Arg("vm", v.Name).Arg("state", v.State).
			Fix("fix.hyperv_start", "Start-VM -Name "+name))
	}
	if len(v.Adapters) == 0 {
		return fs
	}
	var addrs []string
	connected := false
	defaultSwitch := false
	for _, a := range v.Adapters {
		if a.Switch != "" {
			connected = true
		}
		if strings.EqualFold(a.Switch, "Default Switch") {
			defaultSwitch = true
		}
		for _, s := range a.Addresses {
			if ad, err := netip.ParseAddr(s); err == nil && ad.Is4() {
				addrs = append(addrs, s)
			}
		}
	}
	if !connected {
		return append(fs, diag.NewFinding("hyperv.adapter_disconnected").Arg("vm", v.Name).
			Fix("fix.hyperv_connect", "Connect-VMNetworkAdapter -VMName "+name+" -SwitchName 'Default Switch'"))
	}
	if len(addrs) == 0 {
		fs = append(fs, diag.NewFinding("hyperv.no_address").Arg("vm", v.Name).
			Fix("fix.hyperv_integration", "Get-VMIntegrationService -VMName "+name+" | Format-Table Name,Enabled,PrimaryStatusDescription"))
	}
	if defaultSwitch && r.opts.From == FromLAN {
		target := "ADDRESS"
		if len(addrs) > 0 {
			target = addrs[0]
		}
		fs = append(fs, diag.NewFinding("hyperv.default_switch_lan").Arg("vm", v.Name).
			Fix("fix.hyperv_external_switch", "Get-NetAdapter -Physical | Format-Table Name,Status\nNew-VMSwitch -Name External -NetAdapterName 'ETHERNET' -AllowManagementOS $true\nConnect-VMNetworkAdapter -VMName "+name+" -SwitchName External").
			Fix("fix.wsl_portproxy_add", portproxyAdd("0.0.0.0", r.opts.Port, target, r.opts.Port)+"\n"+
				"New-NetFirewallRule -DisplayName \"Hyper-V sshd (TCP "+strconv.Itoa(r.opts.Port)+")\" -Direction Inbound -Protocol TCP -LocalPort "+strconv.Itoa(r.opts.Port)+" -Action Allow"))
	}
	return fs
}
