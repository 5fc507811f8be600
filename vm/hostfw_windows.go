//go:build windows

package vm

import (
	"context"
	"os/exec"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/capped"
	"github.com/sshdoctor/sshdoctor/internal/hostfw"
)

const (
	// maxNetshOutput caps netsh's answer (a few hundred ranges at most).
	maxNetshOutput = 256 << 10
	// maxFirewallJSON caps the rules, filters and profiles PowerShell
	// prints: a host has a few hundred rules, under a megabyte of JSON.
	maxFirewallJSON = 32 << 20
	// windowsFirewallTimeout bounds the PowerShell run: starting
	// PowerShell and enumerating the active store's rules and filters
	// takes seconds on a host with hundreds of rules.
	windowsFirewallTimeout = 25 * time.Second
)

func init() {
	gatherHostFacts = func(ctx context.Context) hostFacts {
		var h hostFacts
		nctx, cancel := context.WithTimeout(ctx, 8*time.Second)
		out := capped.New(maxNetshOutput)
		c := exec.CommandContext(nctx, "netsh", "int", "ipv4", "show", "excludedportrange", "protocol=tcp")
		c.Stdout = out
		if c.Run() == nil {
			h.Excluded, h.ExcludedOK = hostfw.ParseExcludedPortRanges(string(out.Bytes()))
		}
		cancel()

		// The Defender Firewall's rules, filters, profiles and the category
		// of each connected network, read (never changed) through the
		// NetSecurity cmdlets; enums and names do not depend on the
		// display language, as netsh's labels do.
		pctx, cancel := context.WithTimeout(ctx, windowsFirewallTimeout)
		defer cancel()
		js, errb := capped.New(maxFirewallJSON), capped.New(2<<10)
		p := exec.CommandContext(pctx, "powershell.exe", "-NoProfile", "-NonInteractive", "-Command", hostfw.PSScript)
		p.Stdout, p.Stderr = js, errb
		err := p.Run()
		switch {
		case err != nil:
			msg := firstLine(string(errb.Bytes()))
			if msg == "" {
				msg = err.Error()
			}
			h.WindowsUnread = "Get-NetFirewallRule: " + capLen(msg, 200)
		case js.Truncated:
			h.WindowsUnread = "Get-NetFirewallRule: more output than sshdoctor reads"
		default:
			fw, err := hostfw.ParsePSFirewall(js.Bytes())
			if err != nil {
				h.WindowsUnread = err.Error()
			} else {
				h.Windows = &fw
			}
		}
		return h
	}
}

func capLen(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
