//go:build !windows

package client

import (
	"fmt"
	"os"
	"syscall"
)

// privateKeyTooOpen applies OpenSSH's rule for private key files
// (authfile.c sshkey_perm_ok): a file owned by the user running ssh must
// have no group or other permission bit at all (mode & 077 == 0); files
// owned by someone else are not checked (they may be unreadable instead).
func privateKeyTooOpen(p string) (bool, string) {
	st, err := os.Stat(p)
	if err != nil {
		return false, ""
	}
	mode := fmt.Sprintf("%04o", st.Mode().Perm())
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok || int(s.Uid) != os.Getuid() {
		return false, mode
	}
	return st.Mode().Perm()&0o077 != 0, mode
}
