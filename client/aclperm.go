package client

import (
	"context"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/winacl"
)

// aclFinding judges a file's Windows access list the way OpenSSH for
// Windows does and returns the finding (nil when it passes or cannot be
// read). It is set on Windows only; elsewhere modes decide.
var aclFinding func(path string, p winacl.Purpose) *diag.Finding

// defaultAgent is the agent ssh uses when SSH_AUTH_SOCK is unset: none on
// Unix, the OpenSSH pipe on Windows.
var defaultAgent string

// platformAgentFindings, set on Windows, reports what stands between ssh
// and its agent (the service, a stray SSH_AUTH_SOCK, Pageant, git's ssh).
var platformAgentFindings func(ctx context.Context) []*diag.Finding
