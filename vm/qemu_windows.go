//go:build windows

package vm

import "context"

// qemuProcesses is not implemented on Windows: QEMU's command lines are not
// read there, and the check says so ("not checked").
func qemuProcesses(ctx context.Context) ([]procCmdline, bool, error) {
	return nil, false, nil
}

func processName(pid int) string { return "" }
