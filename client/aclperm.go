package client

import (
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/winacl"
)

// aclFinding judges a file's Windows access list the way OpenSSH for
// Windows does and returns the finding (nil when it passes or cannot be
// read). It is set on Windows only; elsewhere modes decide.
var aclFinding func(path string, p winacl.Purpose) *diag.Finding
