//go:build windows

package client

import "github.com/sshdoctor/sshdoctor/internal/winacl"

// On Windows there are no modes: fileModeOwner says so, and the access
// list is judged by configPermsBad and the ACL findings instead.
func fileModeOwner(p string) (mode, uid string) { return "?", "?" }

// configPermsBad applies OpenSSH for Windows' rule for the user's config
// (others may read, only the trusted accounts may write).
func configPermsBad(p string) (bool, string, string) {
	d, u, err := winacl.ReadFile(p)
	if err != nil {
		return false, "", ""
	}
	v := winacl.Evaluate(d, u, winacl.ReadableByOthers)
	return v.Decided && !v.OK, "", v.Owner
}
