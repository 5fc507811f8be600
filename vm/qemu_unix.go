//go:build !linux && !windows

package vm

import (
	"context"
	"github.com/sshdoctor/sshdoctor/internal/capped"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// qemuProcesses asks ps for every process's command line. ps joins the
// arguments with spaces, which is enough for QEMU options (they hold no
// spaces unless a file name does).
func qemuProcesses(ctx context.Context) ([]procCmdline, bool, error) {
	cmd := exec.CommandContext(ctx, "ps", "-axww", "-o", "pid=,args=")
	cmd.WaitDelay = time.Second
	out := capped.New(maxCommandOutput)
	cmd.Stdout = out
	if err := cmd.Run(); err != nil {
		return nil, false, err
	}
	var procs []procCmdline
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		pid, err := strconv.Atoi(f[0])
		if err != nil || !IsQEMUBinary(f[1]) {
			continue
		}
		procs = append(procs, procCmdline{pid: pid, argv: f[1:]})
	}
	return procs, true, nil
}

func processName(pid int) string { return "" }
