//go:build windows

package vm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/capped"
	"github.com/sshdoctor/sshdoctor/internal/inputfile"
)

func init() {
	liveWinSource = func() winSource { return liveWindows{} }
}

// liveWindows runs the read-only commands behind each key. A distribution
// is asked for its address and sockets only when it is already running:
// `wsl -d NAME` would start a stopped one.
type liveWindows struct{}

func (liveWindows) Live() bool { return true }

func (liveWindows) Output(ctx context.Context, key string) ([]byte, error) {
	var argv []string
	switch {
	case key == winWSLList:
		argv = []string{"wsl.exe", "--list", "--verbose"}
	case key == winWSLRunning:
		argv = []string{"wsl.exe", "--list", "--running", "--quiet"}
	case key == winWSLStatus:
		argv = []string{"wsl.exe", "--status"}
	case key == winPortProxy:
		argv = []string{"netsh", "interface", "portproxy", "show", "all"}
	case key == winWSLConfig:
		home := os.Getenv("USERPROFILE")
		if home == "" {
			return nil, errNoSource
		}
		b, _, err := inputfile.ReadFile(filepath.Join(home, ".wslconfig"), maxWinOutput)
		if os.IsNotExist(err) {
			return nil, errNoSource
		}
		return b, err
	case key == winHyperVFW:
		argv = []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
			"Get-NetFirewallHyperVVMSetting -PolicyStore ActiveStore -Name '" + WSLCreatorID + "' | Format-List Name,Enabled,DefaultInboundAction,DefaultOutboundAction,LoopbackEnabled,AllowHostPolicyMerge"}
	case key == winHyperVVMs:
		argv = []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
			"Get-VM | Select-Object Name,@{n='State';e={[string]$_.State}} | ConvertTo-Json"}
	case key == winHyperVAdapters:
		argv = []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
			"Get-VMNetworkAdapter -VMName * | Select-Object VMName,SwitchName,@{n='Status';e={[string]$_.Status}},IPAddresses | ConvertTo-Json"}
	case strings.HasPrefix(key, winWSLAddrPref):
		argv = []string{"wsl.exe", "-d", strings.TrimPrefix(key, winWSLAddrPref), "-e", "hostname", "-I"}
	case strings.HasPrefix(key, winWSLTCPPref):
		argv = []string{"wsl.exe", "-d", strings.TrimPrefix(key, winWSLTCPPref), "-e", "cat", "/proc/net/tcp", "/proc/net/tcp6"}
	default:
		return nil, errNoSource
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, errNoSource
	}
	ctx, cancel := context.WithTimeout(ctx, winCommandTimeout)
	defer cancel()
	out := capped.New(maxWinOutput)
	c := exec.CommandContext(ctx, path, argv[1:]...)
	c.Stdout = out
	if err := c.Run(); err != nil && out.Len() == 0 {
		if ctx.Err() != nil {
			return nil, err // a command that hangs is worth saying
		}
		// wsl.exe with WSL not installed, no Hyper-V module or no right to
		// query it, Windows 10 without the Hyper-V firewall: not read,
		// which is "not checked", not a failure.
		return nil, errNoSource
	}
	return out.Bytes(), nil
}
