package vm

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// qemuProcesses reads /proc/PID/cmdline of every process whose argv[0] is
// a QEMU system emulator.
func qemuProcesses(ctx context.Context) ([]procCmdline, bool, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, false, err
	}
	var out []procCmdline
	for _, e := range ents {
		if ctx.Err() != nil {
			return out, true, ctx.Err()
		}
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		argv := readCmdline(pid)
		if len(argv) == 0 || !IsQEMUBinary(argv[0]) {
			continue
		}
		out = append(out, procCmdline{pid: pid, argv: argv})
	}
	return out, true, nil
}

// readCmdline returns a process's arguments (capped), or nil when it is
// gone or unreadable.
func readCmdline(pid int) []string {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCmdline))
	if err != nil || len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
}

// processName names a process for a person: argv[0]'s base name, else comm.
func processName(pid int) string {
	if argv := readCmdline(pid); len(argv) > 0 && argv[0] != "" {
		return filepath.Base(argv[0])
	}
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
