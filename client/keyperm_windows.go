//go:build windows

package client

// privateKeyTooOpen: Windows' OpenSSH checks ACLs, not modes; sshdoctor
// does not read ACLs, so the check is not made ("not checked", never a
// false alarm).
func privateKeyTooOpen(p string) (bool, string) { return false, "" }
