//go:build !windows

package fix

import (
	"io/fs"
	"os"
	"syscall"
)

func owner(st fs.FileInfo) (int, int) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(s.Uid), int(s.Gid)
	}
	return -1, -1
}

func lchown(path string, uid, gid int) error { return os.Lchown(path, uid, gid) }

func hup(pid int) error { return syscall.Kill(pid, syscall.SIGHUP) }

func term(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }
