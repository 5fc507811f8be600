package server

import (
	"context"
	"errors"
	"fmt"
	"github.com/sshdoctor/sshdoctor/internal/capped"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// System is the machine as the checks read it. Real() describes this
// machine; tests point the paths at temporary files.
type System struct {
	Root bool // running with effective uid 0

	PasswdFile, GroupFile, ShadowFile string
	HostsAllow, HostsDeny             string
	NologinFiles                      []string
	OSReleaseFile                     string

	Now  func() time.Time
	Stat statter
	// LookPath finds a program, also in the sbin directories a non-login
	// shell may not have on PATH.
	LookPath func(name string) (string, error)
	// Exec runs a command, bounded by ctx and by the output caps.
	Exec func(ctx context.Context, name string, args ...string) CmdResult
}

// Real returns the System for this machine.
func Real() *System {
	return &System{
		Root:          os.Geteuid() == 0,
		PasswdFile:    "/etc/passwd",
		GroupFile:     "/etc/group",
		ShadowFile:    "/etc/shadow",
		HostsAllow:    "/etc/hosts.allow",
		HostsDeny:     "/etc/hosts.deny",
		NologinFiles:  []string{"/etc/nologin", "/run/nologin", "/var/run/nologin"},
		OSReleaseFile: "/etc/os-release",
		Now:           time.Now,
		Stat:          osStatter{},
		LookPath:      lookPath,
		Exec:          runCommand,
	}
}

// sbinDirs are searched after PATH: sshd, iptables-save and friends live
// there and a plain user's PATH often lacks them.
var sbinDirs = []string{"/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/bin"}

func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range sbinDirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found", name)
}

// CmdResult is a finished command.
type CmdResult struct {
	Stdout, Stderr []byte
	ExitCode       int   // -1 when it did not run or was killed
	Err            error // set when it could not start or timed out
	Truncated      bool  // output was cut at the cap
}

// maxCmdOutput caps what is kept of a command's output: an sshd -T dump is
// a few kB, a firewall dump with big blocklists a few MB.
const maxCmdOutput = 32 << 20

// runCommand runs name with args, with the environment cleared down to
// PATH and a C locale (so messages are parseable), stdin closed, and ctx's
// deadline. Output beyond maxCmdOutput is dropped.
func runCommand(ctx context.Context, name string, args ...string) CmdResult {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "LANG=C", "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0"}
	cmd.Stdin = nil
	out := capped.New(maxCmdOutput)
	errb := capped.New(1 << 20)
	cmd.Stdout, cmd.Stderr = out, errb
	// A child that leaves grandchildren holding the pipes must not hang
	// the check past its deadline.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	r := CmdResult{Stdout: out.Bytes(), Stderr: errb.Bytes(), Truncated: out.Truncated}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		r.ExitCode = ee.ExitCode()
	case ctx.Err() != nil:
		r.ExitCode, r.Err = -1, fmt.Errorf("%s did not finish in time", filepath.Base(name))
	default:
		r.ExitCode, r.Err = -1, err
	}
	return r
}

// streamCommand starts a command whose output is read as it comes (logs);
// the caller reads Stdout and then calls wait.
func streamCommand(ctx context.Context, name string, args ...string) (io.ReadCloser, func() error, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "LANG=C", "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0"}
	cmd.Stderr = io.Discard
	cmd.WaitDelay = time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	return out, cmd.Wait, nil
}

// readCapped reads at most max bytes of a file.
func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, max))
}

// osRelease is the part of /etc/os-release that picks package commands.
type osRelease struct {
	ID, IDLike, Pretty string
}

func readOSRelease(path string) osRelease {
	var o osRelease
	b, err := readCapped(path, 64<<10)
	if err != nil {
		return o
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "ID":
			o.ID = v
		case "ID_LIKE":
			o.IDLike = v
		case "PRETTY_NAME":
			o.Pretty = v
		}
	}
	return o
}

func (o osRelease) like(ids ...string) bool {
	all := " " + o.ID + " " + o.IDLike + " "
	for _, id := range ids {
		if strings.Contains(all, " "+id+" ") {
			return true
		}
	}
	return false
}

// installCommand is the command that installs the OpenSSH server here.
func (o osRelease) installCommand() string {
	switch {
	case o.like("debian", "ubuntu"):
		return "sudo apt-get install -y openssh-server"
	case o.like("fedora", "rhel", "centos", "rocky", "almalinux", "amzn"):
		return "sudo dnf install -y openssh-server"
	case o.like("suse", "opensuse", "sles"):
		return "sudo zypper install -y openssh"
	case o.like("arch"):
		return "sudo pacman -S --noconfirm openssh"
	case o.like("alpine"):
		return "sudo apk add openssh-server"
	}
	return ""
}

// serviceName is the systemd unit name of sshd on this distribution.
func (o osRelease) serviceName() string {
	if o.like("debian", "ubuntu") {
		return "ssh"
	}
	return "sshd"
}
