package fix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"github.com/sshdoctor/sshdoctor/report"
)

func init() {
	planners["qemu.hostfwd_loopback_only"] = planQEMU
	planners["qemu.hostfwd_bound_address"] = planQEMU
	planners["qemu.hostfwd_missing"] = planQEMU
	planners["vagrant.ssh_forward"] = planVagrant
}

// planQEMU changes a running QEMU's forwards through its human monitor
// (HMP) socket with the hostfwd_remove/hostfwd_add lines the report gives;
// undo runs the inverse lines. Without a monitor socket on QEMU's command
// line there is nothing sshdoctor can reach, and the printed fix stands.
func planQEMU(_ context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	var lines []string
	for _, fx := range f.Fixes {
		ls := strings.Split(strings.TrimSpace(fx.Command), "\n")
		ok := fx.Command != ""
		for _, l := range ls {
			if !strings.HasPrefix(l, "hostfwd_add ") && !strings.HasPrefix(l, "hostfwd_remove ") {
				ok = false
			}
		}
		if ok {
			lines = ls
			break
		}
	}
	pid, err := strconv.Atoi(f.Evidence["pid"])
	if len(lines) == 0 || err != nil || pid <= 1 {
		return
	}
	sock := monitorSocket(pid)
	if sock == "" {
		p.note(in, f.Code, "fix.note.no_monitor", map[string]string{"pid": strconv.Itoa(pid)})
		return
	}
	undo, ok := hmpInverse(lines, f.Evidence["hostfwd"])
	if !ok {
		return
	}
	s := &Step{Code: f.Code, Kind: KindCommand, Path: sock, Command: strings.Join(lines, "\n"), Undo: strings.Join(undo, "\n"),
		Why:     in.say("fix.why.qemu_monitor", map[string]string{"socket": sock, "pid": strconv.Itoa(pid)}),
		Warning: in.say("fix.warn.qemu_recheck", nil)}
	o := &hmpOp{sock: sock, lines: lines, undo: undo}
	s.ops = []op{o}
	p.add(s)
	o.step = s.ID
}

// hmpInverse reverses hostfwd lines: an add is removed by its host side, a
// remove is undone by adding the old rule (old is its raw hostfwd spec).
func hmpInverse(lines []string, old string) ([]string, bool) {
	var out []string
	for i := len(lines) - 1; i >= 0; i-- {
		f := strings.Fields(lines[i])
		if len(f) < 2 || len(f) > 3 {
			return nil, false
		}
		id := ""
		if len(f) == 3 {
			id = f[1] + " "
		}
		spec := f[len(f)-1]
		switch f[0] {
		case "hostfwd_add":
			host, _, ok := strings.Cut(spec, "-")
			if !ok {
				return nil, false
			}
			out = append(out, "hostfwd_remove "+id+host)
		case "hostfwd_remove":
			if old == "" {
				return nil, false
			}
			out = append(out, "hostfwd_add "+id+old)
		}
	}
	return out, true
}

// monitorSocket finds QEMU's HMP unix socket on its command line:
// -monitor unix:PATH,server…, or -chardev socket,id=X,path=PATH,server…
// with -mon chardev=X (not mode=control, which is QMP).
func monitorSocket(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(b) > 1<<20 {
		return ""
	}
	args := strings.Split(string(bytes.TrimRight(b, "\x00")), "\x00")
	chardevs := map[string]string{}
	var mons []string
	for i := 0; i+1 < len(args); i++ {
		a, v := strings.TrimPrefix(args[i], "-"), args[i+1]
		switch a {
		case "-monitor", "monitor":
			if rest, ok := strings.CutPrefix(v, "unix:"); ok {
				path, _, _ := strings.Cut(rest, ",")
				return path
			}
		case "-chardev", "chardev":
			opts := strings.Split(v, ",")
			if opts[0] != "socket" {
				continue
			}
			id, path := "", ""
			for _, o := range opts[1:] {
				if x, ok := strings.CutPrefix(o, "id="); ok {
					id = x
				}
				if x, ok := strings.CutPrefix(o, "path="); ok {
					path = x
				}
			}
			if id != "" && path != "" {
				chardevs[id] = path
			}
		case "-mon", "mon":
			if !strings.Contains(v, "mode=control") {
				for _, o := range strings.Split(v, ",") {
					if x, ok := strings.CutPrefix(o, "chardev="); ok {
						mons = append(mons, x)
					}
				}
			}
		}
	}
	for _, m := range mons {
		if p := chardevs[m]; p != "" {
			return p
		}
	}
	return ""
}

// hmpOp sends lines to a QEMU monitor.
type hmpOp struct {
	step        int
	sock        string
	lines, undo []string
}

func (o *hmpOp) do(ctx context.Context, e *Env) error {
	e.Backup.Manifest.Changes = append(e.Backup.Manifest.Changes, Change{Step: o.step, Kind: "hmp", Path: o.sock,
		Command: o.lines, Undo: o.undo, UID: -1, GID: -1})
	if err := e.Backup.save(); err != nil {
		return err
	}
	return HMP(ctx, o.sock, o.lines)
}

// hmpTimeout bounds one monitor conversation: QEMU answers at once.
const hmpTimeout = 5 * time.Second

// HMP runs lines in the QEMU human monitor at sock and stops at the first
// line QEMU complains about.
func HMP(ctx context.Context, sock string, lines []string) error {
	return hmp(ctx, sock, lines, false)
}

// hmpRestore runs undo lines, going on past a line that fails so that as
// much as possible is put back; a rule already gone is not an error.
func hmpRestore(ctx context.Context, sock string, lines []string) error {
	return hmp(ctx, sock, lines, true)
}

func hmp(ctx context.Context, sock string, lines []string, keepGoing bool) error {
	ctx, cancel := context.WithTimeout(ctx, hmpTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return err
	}
	defer c.Close()
	dl, _ := ctx.Deadline()
	if err := c.SetDeadline(dl); err != nil {
		return fmt.Errorf("QEMU monitor %s: %v", sock, err)
	}
	if _, err := readPrompt(c); err != nil {
		return fmt.Errorf("QEMU monitor %s: %v", sock, err)
	}
	var errs []error
	for _, l := range lines {
		if _, err := c.Write([]byte(l + "\n")); err != nil {
			return err
		}
		out, err := readPrompt(c)
		if err != nil {
			return fmt.Errorf("QEMU monitor %s: %v", sock, err)
		}
		if msg := hmpComplaint(out, l); msg != "" {
			if keepGoing && strings.HasPrefix(l, "hostfwd_remove ") && strings.Contains(msg, "not found") {
				continue
			}
			err := fmt.Errorf("QEMU monitor: %s: %s", l, msg)
			if !keepGoing {
				return err
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// hmpPromptCap bounds what is read before a prompt.
const hmpPromptCap = 64 << 10

func readPrompt(c net.Conn) (string, error) {
	var b []byte
	buf := make([]byte, 4096)
	for len(b) < hmpPromptCap {
		n, err := c.Read(buf)
		b = append(b, buf[:n]...)
		if bytes.HasSuffix(bytes.TrimRight(b, " "), []byte("(qemu)")) {
			return string(b), nil
		}
		if err != nil {
			return string(b), err
		}
	}
	return string(b), errors.New("no monitor prompt")
}

// hmpFailure are the words of QEMU's monitor when a command fails
// ("Could not set up host forwarding rule", "host forwarding rule for …
// not found", "Invalid parameter", "unknown command"); success is silent
// or says "… removed".
var hmpFailure = []string{"not found", "Could not", "nvalid", "rror", "unknown command", "failed"}

// hmpComplaint is the monitor's output for line, without the echo, the
// terminal escapes and the prompt, when it reports a failure.
func hmpComplaint(out, line string) string {
	var kept []string
	for _, l := range strings.Split(out, "\n") {
		l = stripEscapes(strings.TrimSpace(l))
		l = strings.TrimSpace(strings.TrimSuffix(l, "(qemu)"))
		if l == "" || strings.HasSuffix(l, line) {
			continue
		}
		kept = append(kept, l)
	}
	msg := strings.Join(kept, " ")
	for _, w := range hmpFailure {
		if strings.Contains(msg, w) {
			return msg
		}
	}
	return ""
}

// stripEscapes removes ANSI escape sequences (QEMU's readline echoes
// with them).
func stripEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			i++
			if i < len(s) && s[i] == '[' {
				for i+1 < len(s) && !(s[i+1] >= '@' && s[i+1] <= '~') {
					i++
				}
				i++
			}
			continue
		}
		if s[i] >= 0x20 || s[i] == '\t' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// planVagrant: for a Vagrant VM whose forward sshdoctor re-creates, the
// Vagrantfile must say the same, or the next vagrant up rewrites
// VirtualBox's rule. With a Vagrantfile in the working directory (where
// vagrant runs) the forwarded_port line with id "ssh" is replaced, or
// added before the file's last "end", shown as a diff; otherwise the line
// is printed.
func planVagrant(_ context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	vbox := false
	for _, s := range p.Steps {
		vbox = vbox || strings.HasPrefix(s.Code, "vbox.natpf_")
	}
	want := ""
	for _, fx := range f.Fixes {
		if strings.HasPrefix(fx.Command, "config.vm.network \"forwarded_port\"") {
			want = fx.Command
		}
	}
	if !vbox || want == "" {
		return
	}
	path := in.Vagrantfile
	old, err := os.ReadFile(path)
	if path == "" || err != nil {
		p.add(&Step{Code: f.Code, Kind: KindManual, Command: want,
			Why: in.say("fix.why.vagrant", nil), Undo: in.say("fix.undo.vagrant", nil)})
		return
	}
	lines := strings.SplitAfter(string(old), "\n")
	replaced, lastEnd := false, -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.Contains(t, "forwarded_port") && strings.Contains(t, `id: "ssh"`) && !strings.HasPrefix(t, "#") {
			indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
			lines[i] = indent + want + "\n"
			replaced = true
		}
		if t == "end" {
			lastEnd = i
		}
	}
	if !replaced {
		if lastEnd < 0 {
			p.note(in, f.Code, "fix.note.unexpected_block", map[string]string{"line": path})
			return
		}
		lines = append(lines[:lastEnd], append([]string{"  " + want + "\n"}, lines[lastEnd:]...)...)
	}
	nd := []byte(strings.Join(lines, ""))
	s := &Step{Code: f.Code, Kind: KindEdit, Path: path, Diff: Diff(path, old, nd),
		Why:  in.say("fix.why.vagrant", nil),
		Undo: in.say("fix.undo.restore_file", map[string]string{"path": path})}
	w := &writeOp{path: path, old: old, data: nd, uid: -1, gid: -1}
	s.ops = []op{w}
	p.add(s)
	w.step = s.ID
}

func init() {
	for _, c := range []string{"vbox.natpf_loopback_only", "vbox.natpf_bound_address", "vbox.natpf_missing", "vbox.natpf_guest_port"} {
		planners[c] = planVBoxNATPF
	}
}

// shellWords splits a command line the report prints: words separated by
// spaces, "…" (with \" inside) and '…' (with '\” for a quote) quoting.
// Anything else a shell would interpret is refused.
func shellWords(s string) ([]string, bool) {
	var out []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		case c == '"':
			in = true
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && s[j+1] == '"' {
					j++
				} else if s[j] == '$' || s[j] == '`' || s[j] == '\\' {
					return nil, false
				}
				cur.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, false
			}
			i = j
		case c == '\'':
			in = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '\\' && i+1 < len(s) && s[i+1] == '\'':
			in = true
			cur.WriteByte('\'')
			i++
		case strings.IndexByte("$`\\|&;<>()*?[]{}~#!\t\n", c) >= 0:
			return nil, false
		default:
			in = true
			cur.WriteByte(c)
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out, true
}

var natpfSlotRE = lazyre.New(`^(?:--)?natpf([1-8])$`)

// planVBoxNATPF re-creates a VirtualBox NAT rule with the VBoxManage lines
// the report gives (controlvm for a running VM, modifyvm for a stopped
// one): on the LAN address when the report offers it, else on every
// address. Undo deletes the new rule and adds the old one back (from the
// rule the report quotes).
func planVBoxNATPF(_ context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	type cand struct {
		lines [][]string
		spec  []string
	}
	var best *cand
	for _, fx := range f.Fixes {
		c := &cand{}
		ok := fx.Command != ""
		for _, l := range strings.Split(strings.TrimSpace(fx.Command), "\n") {
			w, good := shellWords(l)
			// VBoxManage controlvm VM natpfN … | VBoxManage modifyvm VM --natpfN …
			if !good || len(w) < 5 || w[0] != "VBoxManage" || (w[1] != "controlvm" && w[1] != "modifyvm") || !natpfSlotRE.MatchString(w[3]) ||
				(w[1] == "controlvm") == strings.HasPrefix(w[3], "--") {
				ok = false
				break
			}
			c.lines = append(c.lines, w)
			if w[4] != "delete" {
				c.spec = strings.Split(w[4], ",")
			}
		}
		if !ok || len(c.spec) != 6 {
			continue
		}
		// Prefer a rule on one (LAN) address over every address.
		if best == nil || (c.spec[2] != "" && best.spec[2] == "") {
			best = c
		}
	}
	if best == nil {
		return
	}
	first := best.lines[0]
	vmName, verb, slot := first[2], first[1], first[3]
	var undo [][]string
	undo = append(undo, []string{"VBoxManage", verb, vmName, slot, "delete", best.spec[0]})
	if old := f.Evidence["rule"]; old != "" && f.Code != "vbox.natpf_missing" {
		if len(strings.Split(old, ",")) != 6 {
			return
		}
		undo = append(undo, []string{"VBoxManage", verb, vmName, slot, old})
	}
	var cmd, und []string
	for _, l := range best.lines {
		cmd = append(cmd, strings.Join(l, " "))
	}
	for _, l := range undo {
		und = append(und, strings.Join(l, " "))
	}
	s := &Step{Code: f.Code, Kind: KindCommand, Command: strings.Join(cmd, "\n"), Undo: strings.Join(und, "\n"),
		Why: in.say("fix.why.vbox_natpf", map[string]string{"vm": vmName, "spec": strings.Join(best.spec, ",")})}
	ops := []op{}
	for i, l := range best.lines {
		o := &runOp{argv: l}
		if i == len(best.lines)-1 {
			// The new rule's undo deletes it and restores the old one.
			o.undo = nil
		}
		ops = append(ops, o)
	}
	// Record the whole undo once, before the first command, so a partial
	// apply is reversed as far as it went.
	rec := &vboxUndoOp{undo: undo}
	s.ops = append([]op{rec}, ops...)
	p.add(s)
	rec.step = s.ID
	for _, o := range ops {
		o.(*runOp).step = s.ID
	}
}

// vboxUndoOp records the VBoxManage lines that undo a NAT change.
type vboxUndoOp struct {
	step int
	undo [][]string
}

func (o *vboxUndoOp) do(ctx context.Context, e *Env) error {
	for i := len(o.undo) - 1; i >= 0; i-- {
		// restore runs newest first: record in reverse so the delete of the
		// new rule runs before the old rule is added back.
		e.Backup.Manifest.Changes = append(e.Backup.Manifest.Changes, Change{Step: o.step, Kind: "command",
			Undo: o.undo[i], UID: -1, GID: -1, Tolerant: i == 0})
	}
	return e.Backup.save()
}
