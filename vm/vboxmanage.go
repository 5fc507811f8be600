package vm

import (
	"context"
	"errors"
	"fmt"
	"github.com/sshdoctor/sshdoctor/internal/capped"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// vboxManageTimeout bounds one VBoxManage command. The first command after
// boot starts VBoxSVC, which takes a few seconds on a slow disk; a command
// that takes longer than this is stuck on a hung VM session lock.
const vboxManageTimeout = 20 * time.Second

// maxCommandOutput caps what is read from any command. showvminfo of a VM
// with many disks and snapshots is tens of kilobytes.
const maxCommandOutput = 4 << 20

// ErrVMNotFound is returned when VBoxManage does not know the VM.
var ErrVMNotFound = errors.New("VirtualBox does not know this VM")

// VBoxManage runs VirtualBox's command-line tool, read commands only.
type VBoxManage struct {
	Path string
	// Env is the environment of the child; nil means the process's own.
	Env []string
}

// vboxManageLocations are the standard install paths, beside PATH.
func vboxManageLocations(goos string, getenv func(string) string) []string {
	switch goos {
	case "windows":
		var out []string
		for _, env := range []string{"VBOX_MSI_INSTALL_PATH", "VBOX_INSTALL_PATH"} {
			if d := getenv(env); d != "" {
				for _, part := range strings.Split(d, ";") {
					if part = strings.TrimSpace(part); part != "" {
						out = append(out, filepath.Join(part, "VBoxManage.exe"))
					}
				}
			}
		}
		for _, env := range []string{"ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"} {
			if d := getenv(env); d != "" {
				out = append(out, filepath.Join(d, "Oracle", "VirtualBox", "VBoxManage.exe"))
			}
		}
		return append(out, `C:\Program Files\Oracle\VirtualBox\VBoxManage.exe`)
	case "darwin":
		return []string{
			"/Applications/VirtualBox.app/Contents/MacOS/VBoxManage",
			"/usr/local/bin/VBoxManage",
			"/opt/homebrew/bin/VBoxManage",
		}
	default:
		return []string{
			"/usr/bin/VBoxManage",
			"/usr/lib/virtualbox/VBoxManage",
			"/usr/lib64/virtualbox/VBoxManage",
			"/opt/VirtualBox/VBoxManage",
			"/usr/local/bin/VBoxManage",
		}
	}
}

// FindVBoxManage looks for VBoxManage on PATH (as getenv reports it, so a
// caller can hand a different environment) and then in the standard
// install locations for this OS. It returns "" when there is none.
func FindVBoxManage(getenv func(string) string) string {
	return findVBoxManage(getenv, nil)
}

func findVBoxManage(getenv func(string) string, locations []string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	names := []string{"VBoxManage", "vboxmanage"}
	if runtime.GOOS == "windows" {
		names = []string{"VBoxManage.exe"}
	}
	for _, dir := range filepath.SplitList(getenv("PATH")) {
		if dir == "" {
			continue
		}
		for _, n := range names {
			if p := filepath.Join(dir, n); isExecutable(p) {
				return p
			}
		}
	}
	if locations == nil {
		locations = vboxManageLocations(runtime.GOOS, getenv)
	}
	for _, p := range locations {
		if isExecutable(p) {
			return p
		}
	}
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	if err != nil || st.IsDir() {
		return false
	}
	if runtime.GOOS == "windows" {
		return true
	}
	return st.Mode()&0o111 != 0
}

// CommandError is a VBoxManage command that failed.
type CommandError struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *CommandError) Error() string {
	msg := firstLine(e.Stderr)
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("VBoxManage %s: %s", strings.Join(e.Args, " "), msg)
}

func (e *CommandError) Unwrap() error { return e.Err }

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// Run executes VBoxManage with args under vboxManageTimeout and returns
// its standard output (capped).
func (v *VBoxManage) Run(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, vboxManageTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, v.Path, args...)
	cmd.Env = v.Env
	out, errb := capped.New(maxCommandOutput), capped.New(64<<10)
	cmd.Stdout, cmd.Stderr = out, errb
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if err != nil {
		ce := &CommandError{Args: args, Stderr: errb.String(), Err: err}
		if ctx.Err() != nil {
			ce.Err = fmt.Errorf("no answer within %s: %w", vboxManageTimeout, ctx.Err())
		}
		if strings.Contains(ce.Stderr, "VBOX_E_OBJECT_NOT_FOUND") || strings.Contains(ce.Stderr, "Could not find a registered machine") {
			ce.Err = ErrVMNotFound
		}
		return out.Bytes(), ce
	}
	return out.Bytes(), nil
}

// Version runs `VBoxManage --version`.
func (v *VBoxManage) Version(ctx context.Context) (VBoxVersion, error) {
	out, err := v.Run(ctx, "--version")
	if err != nil {
		return VBoxVersion{}, err
	}
	ver, ok := ParseVBoxVersion(string(out))
	if !ok {
		return ver, fmt.Errorf("VBoxManage --version printed %q", firstLine(string(out)))
	}
	return ver, nil
}

// ListVMs runs `list vms` (or `list runningvms` when running).
func (v *VBoxManage) ListVMs(ctx context.Context, running bool) ([]VMEntry, error) {
	what := "vms"
	if running {
		what = "runningvms"
	}
	out, err := v.Run(ctx, "list", what)
	if err != nil {
		return nil, err
	}
	return ParseListVMs(out), nil
}

// ShowVMInfo runs `showvminfo NAME --machinereadable`.
func (v *VBoxManage) ShowVMInfo(ctx context.Context, nameOrUUID string) (*Machine, error) {
	out, err := v.Run(ctx, "showvminfo", nameOrUUID, "--machinereadable")
	if err != nil {
		return nil, err
	}
	m := ParseMachineReadable(out)
	if m.Name == "" && len(m.NICs) == 0 {
		return nil, fmt.Errorf("VBoxManage showvminfo %s printed nothing this program understands", nameOrUUID)
	}
	return m, nil
}

// GuestProperty runs `guestproperty get NAME PROP`; ok is false for "No
// value set!".
func (v *VBoxManage) GuestProperty(ctx context.Context, name, prop string) (string, bool, error) {
	out, err := v.Run(ctx, "guestproperty", "get", name, prop)
	if err != nil {
		return "", false, err
	}
	val, ok := ParseGuestProperty(out)
	return val, ok, nil
}

// List runs `list WHAT` (hostonlyifs, hostonlynets, bridgedifs, natnets).
func (v *VBoxManage) List(ctx context.Context, what string) ([]byte, error) {
	return v.Run(ctx, "list", what)
}
