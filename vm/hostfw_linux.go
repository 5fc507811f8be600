//go:build linux

package vm

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/capped"
	"github.com/sshdoctor/sshdoctor/internal/linuxfw"
)

const (
	// maxRulesetOutput caps a firewall dump: 64 MiB holds hundreds of
	// thousands of rules (blocklists); a truncated dump is not judged.
	maxRulesetOutput = 64 << 20
	// linuxFirewallTimeout bounds all the read commands together: each
	// answers in well under a second; firewall-cmd asks firewalld over
	// D-Bus, which can stall when the daemon is busy.
	linuxFirewallTimeout = 8 * time.Second
)

func init() {
	gatherHostFacts = func(ctx context.Context) hostFacts {
		in := gatherLinuxFirewall(ctx)
		if !in.Read() && len(in.NeedRoot) == 0 {
			return hostFacts{}
		}
		return hostFacts{Linux: &in}
	}
}

// findSbin finds a firewall tool: PATH first, then the sbin directories a
// non-root PATH often lacks.
func findSbin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// gatherLinuxFirewall runs only commands that read: nft list, iptables-save,
// ufw status, firewall-cmd --state/--list-all.
func gatherLinuxFirewall(ctx context.Context) linuxfw.Input {
	ctx, cancel := context.WithTimeout(ctx, linuxFirewallTimeout)
	defer cancel()
	var in linuxfw.Input
	run := func(name string, args ...string) ([]byte, bool) {
		bin := findSbin(name)
		if bin == "" {
			return nil, false
		}
		out, errb := capped.New(maxRulesetOutput), capped.New(4<<10)
		c := exec.CommandContext(ctx, bin, args...)
		c.Stdout, c.Stderr = out, errb
		err := c.Run()
		msg := string(errb.Bytes()) + string(out.Bytes()[:min(len(out.Bytes()), 512)])
		if err != nil || out.Truncated {
			if os.Geteuid() != 0 || strings.Contains(msg, "ermission denied") || strings.Contains(msg, "not permitted") || strings.Contains(msg, "be root") {
				in.NeedRoot = append(in.NeedRoot, name+" "+strings.Join(args, " "))
			}
			return nil, false
		}
		return out.Bytes(), true
	}
	if b, ok := run("nft", "-j", "list", "ruleset"); ok {
		in.NftJSON = b
	}
	if b, ok := run("iptables-save"); ok {
		in.IptablesSave = b
	}
	if b, ok := run("ufw", "status", "verbose"); ok {
		in.UFWStatus = string(b)
	}
	if b, ok := run("firewall-cmd", "--state"); ok && bytes.HasPrefix(bytes.TrimSpace(b), []byte("running")) {
		if b, ok := run("firewall-cmd", "--list-all"); ok {
			in.Firewalld = string(b)
		}
		in.Services = firewalldService
	}
	return in
}

// firewalldService reads a service's definition: the administrator's copy
// first, then the packaged one.
func firewalldService(name string) ([]string, bool) {
	if strings.ContainsAny(name, "/\\") || name == "" || name[0] == '.' {
		return nil, false
	}
	for _, d := range []string{"/etc/firewalld/services", "/usr/lib/firewalld/services"} {
		f, err := os.Open(filepath.Join(d, name+".xml"))
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(f, 256<<10))
		f.Close()
		if err == nil {
			return linuxfw.ServicePorts(b), true
		}
	}
	p, ok := linuxfw.WellKnownServices[name]
	return p, ok
}
