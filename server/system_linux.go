//go:build linux

package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const isLinux = true

// maxProcs bounds the /proc scan (a host with more processes is checked
// on the first ones only, and says so).
const maxProcs = 100000

// clockTicks is USER_HZ, 100 on every Linux architecture sshd runs on.
const clockTicks = 100

func bootTime() time.Time {
	b, err := readCapped("/proc/stat", 1<<20)
	if err != nil {
		return time.Time{}
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return time.Unix(n, 0)
		}
	}
	return time.Time{}
}

func pids() ([]int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(maxProcs + 64)
	if err != nil && err != io.EOF {
		return nil, err
	}
	var out []int
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			out = append(out, pid)
		}
	}
	return out, nil
}

func readCmdline(pid int) []string {
	b, err := readCapped(fmt.Sprintf("/proc/%d/cmdline", pid), 64<<10)
	if err != nil || len(b) == 0 {
		return nil
	}
	b = bytes.TrimRight(b, "\x00")
	return strings.Split(string(b), "\x00")
}

func readComm(pid int) string {
	b, _ := readCapped(fmt.Sprintf("/proc/%d/comm", pid), 256)
	return strings.TrimSpace(string(b))
}

// statFields returns ppid and start time from /proc/PID/stat.
func statFields(pid int, boot time.Time) (ppid int, start time.Time) {
	b, err := readCapped(fmt.Sprintf("/proc/%d/stat", pid), 4096)
	if err != nil {
		return 0, time.Time{}
	}
	// The command name may hold spaces and parentheses: fields start
	// after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, time.Time{}
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0, time.Time{}
	}
	ppid, _ = strconv.Atoi(f[1])
	ticks, _ := strconv.ParseInt(f[19], 10, 64)
	if !boot.IsZero() {
		start = boot.Add(time.Duration(ticks) * time.Second / clockTicks)
	}
	return ppid, start
}

func sameNetNS(pid int) tri {
	self, err1 := os.Readlink("/proc/self/ns/net")
	other, err2 := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err1 != nil || err2 != nil {
		return maybe
	}
	return boolTri(self == other)
}

// listSSHDProcs finds sshd processes: by executable when readable, else by
// command name and process title.
func listSSHDProcs() ([]Proc, bool, error) {
	ps, err := pids()
	if err != nil {
		return nil, false, err
	}
	truncated := len(ps) > maxProcs
	boot := bootTime()
	var out []Proc
	for _, pid := range ps {
		comm := readComm(pid)
		if comm != "sshd" && comm != "sshd-session" {
			continue
		}
		argv := readCmdline(pid)
		if len(argv) == 0 {
			continue
		}
		p := Proc{PID: pid}
		p.Exe, _ = os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if p.Exe != "" && !isSSHDName(p.Exe) {
			continue
		}
		parseSSHDArgs(&p, argv)
		if p.Title == "" && len(argv) > 0 && !isSSHDName(argv[0]) {
			continue
		}
		p.PPID, p.Started = statFields(pid, boot)
		p.SameNetNS = sameNetNS(pid)
		out = append(out, p)
	}
	// A process whose parent is another sshd is a per-connection child.
	isSSHD := map[int]bool{}
	for _, p := range out {
		isSSHD[p.PID] = true
	}
	for i := range out {
		if out[i].Title == "" {
			out[i].Listener = !isSSHD[out[i].PPID] && len(out[i].Args) > 0
		}
	}
	return out, truncated, nil
}

// listListeners reads this network namespace's listening TCP sockets and
// the processes that own them (owners need root to see for other users).
func listListeners() ([]Listener, error) {
	var out []Listener
	var firstErr error
	for _, f := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		fh, err := os.Open(f)
		if err != nil {
			if firstErr == nil && !errors.Is(err, os.ErrNotExist) {
				firstErr = err
			}
			continue
		}
		out = append(out, ParseProcNetTCP(fh)...)
		fh.Close()
	}
	if len(out) == 0 && firstErr != nil {
		return nil, firstErr
	}
	want := map[uint64]int{}
	for i, l := range out {
		if l.Inode != 0 {
			want[l.Inode] = i
		}
	}
	ps, _ := pids()
	for _, pid := range ps {
		if len(want) == 0 {
			break
		}
		dir := fmt.Sprintf("/proc/%d/fd", pid)
		d, err := os.Open(dir)
		if err != nil {
			continue
		}
		names, _ := d.Readdirnames(1 << 16)
		d.Close()
		for _, n := range names {
			link, err := os.Readlink(dir + "/" + n)
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			ino, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"), 10, 64)
			if err != nil {
				continue
			}
			if i, ok := want[ino]; ok {
				out[i].PID = pid
				out[i].Comm = readComm(pid)
				out[i].Cmd = capText(strings.Join(readCmdline(pid), " "), 200)
				delete(want, ino)
			}
		}
	}
	return out, nil
}

// fsUsage is statfs(2) of the filesystem holding path.
func fsUsage(path string) (FSUsage, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return FSUsage{}, err
	}
	var s unix.Stat_t
	if err := unix.Stat(path, &s); err != nil {
		return FSUsage{}, err
	}
	u := FSUsage{Mount: path, Dev: s.Dev,
		Size: st.Blocks * uint64(st.Bsize), Avail: st.Bavail * uint64(st.Bsize),
		Inodes: st.Files, InodesFree: st.Ffree}
	// Percent used as df computes it: used / (used + available to users).
	used := st.Blocks - st.Bfree
	if d := used + st.Bavail; d > 0 {
		u.BlockPercent = int((used*100 + d - 1) / d)
	}
	if st.Files > 0 {
		iused := st.Files - st.Ffree
		u.INodePct = int((iused*100 + st.Files - 1) / st.Files)
	}
	return u, nil
}

// maxKmsgRecords bounds the kernel log read: the ring buffer holds a few
// thousand records.
const maxKmsgRecords = 100000

// kmsgOOM reads the kernel ring buffer (/dev/kmsg, root only) for OOM
// kills since the given time.
func kmsgOOM(since time.Time) ([]OOMEvent, error) {
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	boot := bootTime()
	buf := make([]byte, 8192)
	var out []OOMEvent
	for i := 0; i < maxKmsgRecords; i++ {
		n, err := unix.Read(fd, buf)
		if err != nil {
			if errors.Is(err, syscall.EPIPE) {
				continue // overwritten records: keep reading
			}
			break // EAGAIN: the end
		}
		rec := string(buf[:n])
		head, msg, ok := strings.Cut(rec, ";")
		if !ok {
			continue
		}
		msg, _, _ = strings.Cut(msg, "\n")
		ev, ok := parseOOMLine(msg)
		if !ok {
			continue
		}
		if f := strings.Split(head, ","); len(f) >= 3 && !boot.IsZero() {
			us, _ := strconv.ParseInt(f[2], 10, 64)
			ev.Time = boot.Add(time.Duration(us) * time.Microsecond)
		}
		if !since.IsZero() && !ev.Time.IsZero() && ev.Time.Before(since) {
			continue
		}
		out = append(out, ev)
	}
	return out, nil
}

// selinuxEnforcing is yes when SELinux is enforcing.
func selinuxEnforcing() tri {
	b, err := readCapped("/sys/fs/selinux/enforce", 16)
	if err != nil {
		return no
	}
	return boolTri(strings.TrimSpace(string(b)) == "1")
}

// selinuxLabel returns the security context of path.
func selinuxLabel(path string) (string, error) {
	buf := make([]byte, 256)
	n, err := unix.Getxattr(path, "security.selinux", buf)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(buf[:n]), "\x00"), nil
}

// systemdRunning reports whether systemd is PID 1's service manager.
func systemdRunning() bool {
	st, err := os.Stat("/run/systemd/system")
	return err == nil && st.IsDir()
}

// unitState is one systemd unit's state from `systemctl show`.
type unitState struct {
	Name, Load, Active, Sub, Listen string
}

func parseSystemctlShow(b []byte) []unitState {
	var out []unitState
	var cur unitState
	flush := func() {
		if cur.Name != "" {
			out = append(out, cur)
		}
		cur = unitState{}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			flush()
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "Id":
			cur.Name = v
		case "LoadState":
			cur.Load = v
		case "ActiveState":
			cur.Active = v
		case "SubState":
			cur.Sub = v
		case "Listen":
			cur.Listen = v
		}
	}
	flush()
	return out
}
