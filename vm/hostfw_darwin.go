//go:build darwin

package vm

import (
	"context"
	"os/exec"

	"github.com/sshdoctor/sshdoctor/internal/capped"
	"github.com/sshdoctor/sshdoctor/internal/hostfw"
)

const (
	socketfilterfw       = "/usr/libexec/ApplicationFirewall/socketfilterfw"
	maxSocketfilterfwOut = 256 << 10
)

func init() {
	gatherHostFacts = func(ctx context.Context) hostFacts {
		ctx, cancel := context.WithTimeout(ctx, hostFirewallTimeout)
		defer cancel()
		run := func(arg string) (string, bool) {
			out := capped.New(maxSocketfilterfwOut)
			c := exec.CommandContext(ctx, socketfilterfw, arg)
			c.Stdout = out
			return string(out.Bytes()), c.Run() == nil
		}
		st, ok := run("--getglobalstate")
		if !ok {
			return hostFacts{}
		}
		fw := hostfw.MacFirewall{State: hostfw.ParseGlobalState(st)}
		if fw.State < 0 {
			return hostFacts{}
		}
		if apps, ok := run("--listapps"); ok {
			fw.Apps = hostfw.ParseListApps(apps)
		}
		return hostFacts{Mac: &fw}
	}
}
