//go:build windows

package client

// On Windows, OpenSSH checks ACLs, not modes; ssh -G reports its verdict,
// and the fallback does not guess.
func fileModeOwner(p string) (mode, uid string) { return "?", "?" }

func configPermsBad(p string) (bool, string, string) { return false, "", "" }
