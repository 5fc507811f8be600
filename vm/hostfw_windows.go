//go:build windows

package vm

import (
	"context"
	"os/exec"

	"github.com/sshdoctor/sshdoctor/internal/capped"
	"github.com/sshdoctor/sshdoctor/internal/hostfw"
)

// maxNetshOutput caps netsh's answer (a few hundred ranges at most).
const maxNetshOutput = 256 << 10

func init() {
	gatherHostFacts = func(ctx context.Context) hostFacts {
		ctx, cancel := context.WithTimeout(ctx, hostFirewallTimeout)
		defer cancel()
		out := capped.New(maxNetshOutput)
		c := exec.CommandContext(ctx, "netsh", "int", "ipv4", "show", "excludedportrange", "protocol=tcp")
		c.Stdout = out
		if c.Run() != nil {
			return hostFacts{}
		}
		rs, ok := hostfw.ParseExcludedPortRanges(string(out.Bytes()))
		return hostFacts{Excluded: rs, ExcludedOK: ok}
	}
}
