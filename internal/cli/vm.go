package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/vm"
)

// VMOptions is filled from `sshdoctor vm` flags.
type VMOptions struct {
	Name    string
	File    string
	From    string
	Port    int
	PortSet bool
	Timeout time.Duration
	Fix     FixFlags
	// Captured is a directory of saved Windows outputs (WSL).
	Captured string
}

// NewCmdVM builds `sshdoctor vm`. runF replaces the run in tests.
func NewCmdVM(s *IO, g *Globals, runF func(*VMOptions) error) *cobra.Command {
	opts := &VMOptions{}
	cmd := &cobra.Command{
		Use:   "vm [NAME] [--file X.vbox] [--from host|lan|vm] [--port 22]",
		Short: "Can you reach a VirtualBox or QEMU guest's sshd from where you are?",
		Long: `Read VirtualBox's and QEMU's own configuration — network modes, NAT port
forwards, NAT Networks, host-only ranges, who holds each forward's host port —
and decide whether the guest's sshd is reachable from where the ssh client is:
the host itself (--from host, the default), another machine on the host's LAN
(--from lan), or another guest (--from vm). From the host, each SSH forward is
also probed for the guest's SSH banner.

NAME is a VirtualBox VM's name or UUID, or a QEMU process's -name or pid;
without it every VM and QEMU process found is checked. --file reads a .vbox
settings file offline, without VirtualBox. --port is the guest's sshd port.
Read-only: sshdoctor never changes a VM.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("expected at most one VM name, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			opts.PortSet = cmd.Flags().Changed("port")
			if runF != nil {
				return runF(opts)
			}
			return runVM(cmd, s, g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.File, "file", "", "read this .vbox settings file instead of asking VirtualBox")
	f.StringVar(&opts.From, "from", "host", "where the ssh client is: host, lan or vm")
	f.IntVarP(&opts.Port, "port", "p", 22, "the guest's sshd port")
	f.DurationVar(&opts.Timeout, "timeout", vm.DefaultProbeTimeout, "deadline for the SSH banner through a forward")
	f.StringVar(&opts.Captured, "captured", "", "read WSL's and netsh's outputs saved in this directory instead of running them (see docs/platforms.md)")
	addFixFlags(f, &opts.Fix)
	return cmd
}

// vmOptions validates the flags.
func (o *VMOptions) vmOptions() (vm.Options, error) {
	from, ok := vm.ParseFrom(o.From)
	if !ok {
		return vm.Options{}, usagef("--from %q: use host, lan or vm", o.From)
	}
	if o.Port < 1 || o.Port > 65535 {
		return vm.Options{}, usagef("--port %d: port must be from 1 to 65535", o.Port)
	}
	if o.Timeout <= 0 {
		return vm.Options{}, usagef("--timeout %s: must be positive", o.Timeout)
	}
	vo := vm.Options{Name: o.Name, From: from, Port: o.Port, PortSet: o.PortSet, Timeout: o.Timeout, Captured: o.Captured}
	if o.Captured != "" {
		if err := vm.CheckCapturedDir(o.Captured); err != nil {
			return vo, usagef("--captured %v", err)
		}
	}
	if o.File != "" {
		if o.Name != "" {
			return vo, usagef("give either a VM name or --file, not both")
		}
		m, err := vm.ReadVBoxFile(o.File)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				return vo, usagef("--file %s: %v", o.File, pe.Err)
			}
			return vo, usagef("--file %v", err)
		}
		vo.Offline = m
	}
	return vo, nil
}

func runVM(cmd *cobra.Command, s *IO, g *Globals, opts *VMOptions) error {
	vo, err := opts.vmOptions()
	if err != nil {
		return err
	}
	vo.Env.Getenv = s.Getenv
	run := vm.New(vo)
	subject := map[string]string{"from": string(vo.From), "port": strconv.Itoa(vo.Port)}
	header := "sshdoctor vm"
	switch {
	case vo.Offline != nil:
		subject["file"] = opts.File
		subject["vm"] = vo.Offline.Name
		header += " --file " + opts.File
	case vo.Name != "":
		subject["vm"] = vo.Name
		header += " " + vo.Name
	}
	header += " (--from " + string(vo.From) + ", guest port " + strconv.Itoa(vo.Port) + ")"
	if err := opts.Fix.validate(); err != nil {
		return err
	}
	build := func() RunSpec {
		return RunSpec{Command: "vm", Checks: vm.New(vo).Checks(), Header: header, Subject: subject}
	}
	if opts.Fix.Fix {
		in := fixInputs(s, "", "")
		if wd, err := os.Getwd(); err == nil {
			in.Vagrantfile = filepath.Join(wd, "Vagrantfile")
		}
		return runFix(cmd.Context(), s, g, &opts.Fix, in, build)
	}
	return runAndEmit(cmd.Context(), s, g, RunSpec{
		Command: "vm",
		Checks:  run.Checks(),
		Header:  header,
		Subject: subject,
	})
}
