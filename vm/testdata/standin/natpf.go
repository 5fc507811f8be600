package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// fakeNATPF makes the stand-in keep NAT rules as state: VBoxManage
// controlvm VM natpfN … (running VM) and modifyvm VM --natpfN … (stopped
// VM) add or delete a Forwarding(i) line under nicN in every showvminfo
// answer of that VM, so a later showvminfo shows the change as VirtualBox
// would. Each call is in calls.log like any other. The error texts are
// the stand-in's own, not captures.
func fakeNATPF(dir string, args []string, sc *fakeScenario) (fakeResp, bool) {
	if len(args) != 4 && len(args) != 5 {
		return fakeResp{}, false
	}
	verb, vm, slotArg := args[0], args[1], args[2]
	var slot string
	switch {
	case verb == "controlvm" && strings.HasPrefix(slotArg, "natpf"):
		slot = strings.TrimPrefix(slotArg, "natpf")
	case verb == "modifyvm" && strings.HasPrefix(slotArg, "--natpf"):
		slot = strings.TrimPrefix(slotArg, "--natpf")
	default:
		return fakeResp{}, false
	}
	var keys []string
	state := ""
	for k, r := range sc.Responses {
		if strings.HasPrefix(k, "showvminfo ") && (strings.Contains(r.Out, "\nname=\""+vm+"\"\n") ||
			strings.HasPrefix(r.Out, "name=\""+vm+"\"\n") || strings.Contains(r.Out, "\nUUID=\""+vm+"\"\n")) {
			keys = append(keys, k)
			if m := regexp.MustCompile(`(?m)^VMState="([a-z]+)"`).FindStringSubmatch(r.Out); m != nil {
				state = m[1]
			}
		}
	}
	if len(keys) == 0 {
		return fakeResp{Code: 1, Err: fmt.Sprintf("VBoxManage: error: Could not find a registered machine named '%s'\n", vm)}, true
	}
	if verb == "controlvm" && state != "running" {
		return fakeResp{Code: 1, Err: fmt.Sprintf("VBoxManage: error: Machine '%s' is not currently running\n", vm)}, true
	}
	if verb == "modifyvm" && state == "running" {
		return fakeResp{Code: 1, Err: fmt.Sprintf("VBoxManage: error: The machine '%s' is already locked for a session (or being unlocked)\n", vm)}, true
	}
	del := len(args) == 5 && args[3] == "delete"
	if !del && len(args) != 4 {
		return fakeResp{}, false
	}
	rule := args[len(args)-1]
	name, _, _ := strings.Cut(rule, ",")
	for _, k := range keys {
		out, err := editForwarding(sc.Responses[k].Out, slot, name, rule, del)
		if err != "" {
			return fakeResp{Code: 1, Err: "VBoxManage: error: " + err + "\n"}, true
		}
		r := sc.Responses[k]
		r.Out = out
		sc.Responses[k] = r
	}
	data, _ := json.Marshal(sc)
	if err := os.WriteFile(filepath.Join(dir, "scenario.json"), data, 0o644); err != nil {
		return fakeResp{Code: 1, Err: err.Error()}, true
	}
	return fakeResp{}, true
}

var forwardingRE = regexp.MustCompile(`^Forwarding\([0-9]+\)="([^"]*)"$`)

// editForwarding deletes the rule called name from nic slot's block, or
// adds rule there, numbering the block's Forwarding lines again.
func editForwarding(text, slot, name, rule string, del bool) (string, string) {
	lines := strings.Split(text, "\n")
	start, end := -1, len(lines)
	nicRE := regexp.MustCompile(`^nic[0-9]+=`)
	for i, l := range lines {
		if strings.HasPrefix(l, "nic"+slot+"=") {
			start = i
			continue
		}
		if start >= 0 && nicRE.MatchString(l) {
			end = i
			break
		}
	}
	if start < 0 {
		return "", "no network adapter " + slot
	}
	var rules []string
	last := start
	for i := start + 1; i < end; i++ {
		if m := forwardingRE.FindStringSubmatch(lines[i]); m != nil {
			rules = append(rules, m[1])
			last = i
		}
	}
	var kept []string
	found := false
	for _, r := range rules {
		if n, _, _ := strings.Cut(r, ","); n == name {
			found = true
			if del {
				continue
			}
		}
		kept = append(kept, r)
	}
	switch {
	case del && !found:
		return "", "A NAT rule of this name does not exist"
	case !del && found:
		return "", "A NAT rule of this name already exists"
	case !del:
		kept = append(kept, rule)
	}
	var block []string
	for i, r := range kept {
		block = append(block, fmt.Sprintf("Forwarding(%d)=%q", i, r))
	}
	var out []string
	for i, l := range lines {
		if i > start && i < end && forwardingRE.MatchString(l) {
			continue
		}
		out = append(out, l)
		if i == last {
			out = append(out, block...)
		}
	}
	return strings.Join(out, "\n"), ""
}

// selfDir is the directory of the link the stand-in was started as, also
// when it was started by name through PATH (as a --fix runs VBoxManage).
func selfDir() string {
	if !strings.ContainsRune(os.Args[0], os.PathSeparator) {
		if p, err := exec.LookPath(os.Args[0]); err == nil {
			return filepath.Dir(p)
		}
	}
	return filepath.Dir(os.Args[0])
}
