package vm

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// The commands sshdoctor prints are pasteable as they are: names are quoted
// for the shell of the host that runs VirtualBox.

var safeWordRE = lazyre.New(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shq quotes s for a POSIX shell (double quotes when that is safe, else
// single quotes) or, on Windows, for cmd.exe and PowerShell (double quotes).
func shq(s string) string { return shqFor(runtime.GOOS, s) }

func shqFor(goos, s string) string {
	if goos == "windows" {
		return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
	}
	if !strings.ContainsAny(s, "\"$`\\!") {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shWord quotes s only when it needs it (for QEMU command lines, which are
// shown as the user would type them).
func shWord(s string) string {
	if s != "" && safeWordRE.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// natpfSpec renders a rule in --natpfN syntax.
func natpfSpec(f Forward) string {
	return fmt.Sprintf("%s,%s,%s,%d,%s,%d", f.Name, protoOr(f.Proto), f.HostIP, f.HostPort, f.GuestIP, f.GuestPort)
}

func protoOr(p string) string {
	if p == "" {
		return "tcp"
	}
	return p
}

// natnetSpec renders a rule in --port-forward-4 syntax.
func natnetSpec(f Forward) string {
	return fmt.Sprintf("%s:%s:[%s]:%d:[%s]:%d", f.Name, protoOr(f.Proto), f.HostIP, f.HostPort, f.GuestIP, f.GuestPort)
}

// natpfCommands replaces (or adds, when old is nil) a NAT rule: modifyvm for
// a stopped VM, controlvm natpfN for a running one. A changed rule is
// deleted and added again: VirtualBox refuses a second rule of the same
// name.
func natpfCommands(m *Machine, slot int, old *Forward, add Forward) string {
	vm := shq(m.Name)
	var lines []string
	if m.Running() == Yes {
		if old != nil {
			lines = append(lines, fmt.Sprintf("VBoxManage controlvm %s natpf%d delete %s", vm, slot, shq(old.Name)))
		}
		lines = append(lines, fmt.Sprintf("VBoxManage controlvm %s natpf%d %s", vm, slot, shq(natpfSpec(add))))
	} else {
		if old != nil {
			lines = append(lines, fmt.Sprintf("VBoxManage modifyvm %s --natpf%d delete %s", vm, slot, shq(old.Name)))
		}
		lines = append(lines, fmt.Sprintf("VBoxManage modifyvm %s --natpf%d %s", vm, slot, shq(natpfSpec(add))))
	}
	return strings.Join(lines, "\n")
}

// natnetCommands replaces (or adds) a NAT Network rule; NAT Networks are
// changed the same way whether guests run or not.
func natnetCommands(network string, old *Forward, add Forward) string {
	var lines []string
	if old != nil {
		lines = append(lines, fmt.Sprintf("VBoxManage natnetwork modify --netname %s --port-forward-4 delete %s", shq(network), shq(old.Name)))
	}
	lines = append(lines, fmt.Sprintf("VBoxManage natnetwork modify --netname %s --port-forward-4 %s", shq(network), shq(natnetSpec(add))))
	return strings.Join(lines, "\n")
}

// hostFwdSpec renders a QEMU hostfwd value.
func hostFwdSpec(f Forward) string {
	h, g := f.HostIP, f.GuestIP
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if strings.Contains(g, ":") {
		g = "[" + g + "]"
	}
	return fmt.Sprintf("%s:%s:%d-%s:%d", protoOr(f.Proto), h, f.HostPort, g, f.GuestPort)
}

// qemuCommandWith returns the machine's command line with one network
// option changed: the old hostfwd replaced, or a new one appended.
func qemuCommandWith(m *Machine, nic *NIC, old *Forward, add Forward) string {
	if len(m.Argv) == 0 {
		return ""
	}
	argv := append([]string(nil), m.Argv...)
	spec := "hostfwd=" + hostFwdSpec(add)
	switch {
	case nic.ArgIndex > 0 && nic.ArgIndex < len(argv) && old != nil:
		argv[nic.ArgIndex] = strings.Replace(argv[nic.ArgIndex], "hostfwd="+old.Raw, spec, 1)
	case nic.ArgIndex > 0 && nic.ArgIndex < len(argv):
		argv[nic.ArgIndex] += "," + spec
	default:
		// QEMU's implied user network: say it explicitly.
		argv = append(argv, "-nic", "user,"+spec)
	}
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = shWord(a)
	}
	return strings.Join(words, " ")
}

// qemuMonitorCommands are the HMP commands that change a running QEMU's
// forwards without a restart (in its monitor: -monitor stdio, the
// "compatmonitor0" console of libvirt, or virsh qemu-monitor-command --hmp).
func qemuMonitorCommands(nic *NIC, old *Forward, add Forward) string {
	id := ""
	if nic.Network != "" {
		id = nic.Network + " "
	}
	var lines []string
	if old != nil {
		h := old.HostIP
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		lines = append(lines, fmt.Sprintf("hostfwd_remove %s%s:%s:%d", id, protoOr(old.Proto), h, old.HostPort))
	}
	lines = append(lines, fmt.Sprintf("hostfwd_add %s%s", id, hostFwdSpec(add)))
	return strings.Join(lines, "\n")
}

// sshCommand is how to reach a forward from where the client is.
func sshCommand(host string, port int) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == 22 {
		return "ssh " + host
	}
	return "ssh -p " + strconv.Itoa(port) + " " + host
}

// startCommand starts (or resumes) a VirtualBox VM.
func startCommand(m *Machine) string {
	if m.State == "paused" {
		return fmt.Sprintf("VBoxManage controlvm %s resume", shq(m.Name))
	}
	return fmt.Sprintf("VBoxManage startvm %s --type headless", shq(m.Name))
}
