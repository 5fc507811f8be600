package vm

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// maxProcNet caps /proc/net/tcp{,6}: 150 bytes a socket, so a host with
// hundreds of thousands of sockets still fits.
const maxProcNet = 64 << 20

// HostListeners returns the TCP listeners of this network namespace, with
// their owning processes for the ports in owners (every port when owners
// is nil: finding owners means reading every process's descriptors). ok is
// false when this platform cannot tell.
func HostListeners(owners map[int]bool) ([]Listener, bool, error) {
	// /proc/net is /proc/self/net, the namespace of the process's main
	// thread; thread-self is the calling thread's, which is the one that
	// matters when a program has moved a thread elsewhere. Pin the thread
	// while reading.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	dir := "/proc/thread-self/net"
	if _, err := os.Stat(dir); err != nil {
		dir = "/proc/net" // Linux before 3.17
	}
	var all []Listener
	read := false
	for _, p := range []string{dir + "/tcp", dir + "/tcp6"} {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(f, maxProcNet))
		f.Close()
		if err != nil {
			continue
		}
		read = true
		all = append(all, ParseProcNetTCP(data)...)
	}
	if !read {
		return nil, false, nil
	}
	var wanted []Listener
	for _, l := range all {
		if owners == nil || owners[l.Port] {
			wanted = append(wanted, l)
		}
	}
	found := socketOwners(wanted)
	for i := range all {
		if pid, ok := found[all[i].Inode]; ok {
			all[i].PID = pid
			all[i].Name = processName(pid)
			all[i].Args = readCmdline(pid)
		}
	}
	return all, true, nil
}

// socketOwners maps socket inodes to the first process holding them, by
// reading the /proc/PID/fd links ("socket:[12345]").
func socketOwners(ls []Listener) map[uint64]int {
	want := map[uint64]bool{}
	for _, l := range ls {
		want[l.Inode] = true
	}
	out := map[uint64]int{}
	if len(want) == 0 {
		return out
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", p.Name(), "fd")
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(dir, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			ino, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"), 10, 64)
			if err != nil || !want[ino] {
				continue
			}
			if _, seen := out[ino]; !seen {
				out[ino] = pid
			}
		}
		if len(out) == len(want) {
			break
		}
	}
	return out
}
