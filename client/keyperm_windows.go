//go:build windows

package client

import (
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/winacl"
)

func init() {
	aclFinding = func(path string, p winacl.Purpose) *diag.Finding {
		d, u, err := winacl.ReadFile(path)
		if err != nil {
			return nil
		}
		return winacl.Finding(path, d, u, p)
	}
}

// privateKeyTooOpen applies OpenSSH for Windows' rule to the key file's
// access list (see internal/winacl); the second value names who else has
// access. A file whose list cannot be read or judged is not reported.
func privateKeyTooOpen(p string) (bool, string) {
	d, u, err := winacl.ReadFile(p)
	if err != nil {
		return false, ""
	}
	v := winacl.Evaluate(d, u, winacl.PrivateKey)
	if v.OK || !v.Decided {
		return false, ""
	}
	var who []string
	for _, a := range v.Offenders {
		who = append(who, winacl.Describe(a))
	}
	if v.BadOwner {
		who = append(who, "owner "+v.Owner)
	}
	return true, strings.Join(who, ", ")
}
