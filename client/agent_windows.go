//go:build windows

package client

import (
	"context"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/winagent"
)

func init() {
	defaultAgent = winagent.OpenSSHPipe
	platformAgentFindings = func(ctx context.Context) []*diag.Finding {
		return winagent.Diagnose(winagent.Gather(ctx))
	}
}
