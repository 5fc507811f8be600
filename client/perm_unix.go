//go:build !windows

package client

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

func fileModeOwner(p string) (mode, uid string) {
	st, err := os.Stat(p)
	if err != nil {
		return "?", "?"
	}
	mode = fmt.Sprintf("%04o", st.Mode().Perm())
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		uid = strconv.FormatUint(uint64(s.Uid), 10)
	}
	return mode, uid
}

// configPermsBad is readconf.c's rule: (uid != 0 && uid != getuid()) ||
// (mode & 022) != 0. Debian's patch also accepts group-writable when the
// group holds only the user; ssh -G applies that exactly, this fallback
// does not.
func configPermsBad(p string) (bool, string, string) {
	st, err := os.Stat(p)
	if err != nil {
		return false, "", ""
	}
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return false, "", ""
	}
	bad := (s.Uid != 0 && int(s.Uid) != os.Getuid()) || st.Mode().Perm()&0o022 != 0
	return bad, fmt.Sprintf("%04o", st.Mode().Perm()), strconv.FormatUint(uint64(s.Uid), 10)
}
