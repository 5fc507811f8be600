// Package vm answers "can I reach this guest's sshd from where I am?" for
// VirtualBox and QEMU virtual machines on this host.
//
// It reads the hypervisor's own configuration — VBoxManage output
// (showvminfo --machinereadable, list hostonlyifs/hostonlynets/natnets/
// bridgedifs, guestproperty), a .vbox settings file given with --file, and
// the command lines of running qemu-system-* processes — builds a model of
// every network adapter (NAT with its port forwards, NAT Network, bridged,
// internal network, host-only, generic, not attached) and decides, for a
// client on the host itself, on the host's LAN, or in another guest, whether
// there is a path to the guest's SSH port. Where there is none it names the
// reason with the exact VBoxManage or QEMU command that fixes it: modifyvm
// while the VM is stopped, controlvm while it runs.
//
// It is read-only: it never changes a VM, its settings or its forwards. The
// only commands it runs are VBoxManage's read commands (list, showvminfo,
// guestproperty get, --version) and, on systems without /proc, ps. Every
// command runs under a deadline, every read is capped, and the only network
// traffic it makes is a TCP connection to a forward's host address on this
// machine, when the client is on the host, to read the SSH banner.
//
// # Use from sshdoctor check
//
// FindingsForLocalPort lets `sshdoctor check` add the same findings when its
// target resolves to this machine (or localhost) and the port is the host
// side of a VM forward here:
//
//	fs := vm.FindingsForLocalPort(ctx, 2222, vm.FromHost)
//
// It returns nil when no VirtualBox VM or QEMU process on this host forwards
// that port, so a caller can append the result unconditionally. It runs the
// same discovery as `sshdoctor vm` (bounded by ctx and by each command's own
// deadline) but does not probe the port: check does that itself.
//
// # Platform notes
//
// Who holds a host port is read from /proc/net/tcp{,6} and /proc/*/fd on
// Linux; elsewhere that check reports "not checked". QEMU processes are found
// through /proc on Linux, through ps on other Unix systems, and not at all on
// Windows (reported as not checked).
package vm
