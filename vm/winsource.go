package vm

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/inputfile"
)

// What sshdoctor reads on a Windows host about WSL, each output named by
// a key. On Windows the keys are commands run with a deadline
// (winsource_windows.go); anywhere, a directory of saved outputs answers
// them (--captured DIR), so that a report sent from a Windows machine can
// be judged elsewhere, and so the tests replay real captures.
const (
	winWSLList     = "wsl-list"      // wsl.exe --list --verbose
	winWSLRunning  = "wsl-running"   // wsl.exe --list --running --quiet
	winWSLStatus   = "wsl-status"    // wsl.exe --status
	winPortProxy   = "portproxy"     // netsh interface portproxy show all
	winWSLConfig   = "wslconfig"     // %UserProfile%\.wslconfig
	winHyperVFW    = "hyperv-fw"     // Get-NetFirewallHyperVVMSetting -PolicyStore ActiveStore -Name WSL
	winWSLAddrPref = "wsl-addr-"     // + distro: wsl.exe -d D -e hostname -I
	winWSLTCPPref  = "wsl-tcp-"      // + distro: wsl.exe -d D -e cat /proc/net/tcp /proc/net/tcp6
	winSourceNone  = "not available" // the error text when a source has no answer
)

// winCommandTimeout bounds one command: wsl.exe answers a list in well
// under a second; PowerShell's start and a query into a running
// distribution take a second or two; a wedged WSL service is reported,
// not waited for.
const winCommandTimeout = 8 * time.Second

// wslCheckTimeout bounds the vm-wsl check: a few lists, then two reads per
// running distribution looked at (at most maxWSLDistros).
const wslCheckTimeout = 6*winCommandTimeout + 4*winCommandTimeout*maxWSLDistros

// maxWSLDistros bounds the distributions looked into in one run.
const maxWSLDistros = 4

// errNoSource says a key has no answer here: not Windows, the command is
// missing, or the captured directory has no such file. Not a failure.
var errNoSource = errors.New(winSourceNone)

// winSource answers the keys above.
type winSource interface {
	Output(ctx context.Context, key string) ([]byte, error)
	// Live is true when the outputs come from this machine (so a fix can
	// be checked), false for a directory of captures.
	Live() bool
}

// capturedDir reads key.txt (or key.json) from a directory.
type capturedDir string

func (d capturedDir) Live() bool { return false }

func (d capturedDir) Output(_ context.Context, key string) ([]byte, error) {
	for _, ext := range []string{".txt", ".json", ""} {
		p := filepath.Join(string(d), capturedName(key)+ext)
		b, _, err := inputfile.ReadFile(p, maxWinOutput)
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, errNoSource
}

// capturedName keeps a distribution's name from leaving the directory.
func capturedName(key string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '_'
		}
		return r
	}, key)
}

// CheckCapturedDir validates a --captured directory.
func CheckCapturedDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return &fs.PathError{Op: "read", Path: dir, Err: errors.New("not a directory")}
	}
	return nil
}

// liveWinSource is set on Windows (winsource_windows.go).
var liveWinSource func() winSource

// winSourceFor picks the captured directory when given, else the live
// system on Windows, else none.
func (r *Run) winSourceFor() winSource {
	if r.opts.Captured != "" {
		return capturedDir(r.opts.Captured)
	}
	if r.env.GOOS == "windows" && liveWinSource != nil {
		return liveWinSource()
	}
	return nil
}
