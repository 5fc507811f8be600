package fix

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"github.com/sshdoctor/sshdoctor/report"
	"github.com/sshdoctor/sshdoctor/sshconfig"
)

func init() {
	planners["server.strictmodes"] = planStrictModes
	planners["server.allowusers"] = planSSHDLine
	planners["server.denyusers"] = planSSHDLine
	planners["server.root_login_refused"] = planSSHDLine
	planners["server.pubkey_alg_rejected"] = planSSHDLine
	planners["server.firewall_blocks"] = planFirewall
	planners["server.key_not_authorized"] = planInstallKey
	planners["server.authorized_keys_missing"] = planInstallKey
	planners["server.authorized_keys_empty"] = planInstallKey
}

var strictPathRE = lazyre.New(`bad ownership or modes for (?:directory|file) (.+)$`)

// planStrictModes fixes the owner and mode of the one path sshd's
// StrictModes walk stopped at (the path of its log line), as the report's
// chmod/chown fixes say.
func planStrictModes(_ context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	m := strictPathRE.FindStringSubmatch(f.Evidence["sshd_log"])
	if m == nil {
		return
	}
	path := m[1]
	var chmod bool
	owner := ""
	for _, fx := range f.Fixes {
		if fx.Command == "sudo chmod go-w "+shq(path) || fx.Command == "sudo chmod go-w "+path {
			chmod = true
		}
		if rest, ok := strings.CutPrefix(fx.Command, "sudo chown "); ok {
			if o, pth, ok := strings.Cut(rest, ": "); ok && (pth == path || pth == shq(path)) {
				owner = strings.Trim(o, "'")
			}
		}
	}
	if !chmod && owner == "" {
		return
	}
	st, err := os.Lstat(path)
	if err != nil || st.Mode()&fs.ModeSymlink != 0 {
		p.note(in, f.Code, "fix.note.not_regular", map[string]string{"path": path})
		return
	}
	old := st.Mode().Perm()
	want := old
	if chmod {
		want = old &^ 0o022
	}
	uid, gid := owner2(st)
	s := &Step{Code: f.Code, Kind: KindMode, Path: path, Why: in.say("fix.why.strictmodes", map[string]string{"path": path})}
	mo := &modeOp{path: path, mode: want | st.Mode()&(fs.ModeSticky|fs.ModeSetgid), uid: -1, gid: -1}
	var cmds, undo []string
	if owner != "" {
		u, err := user.Lookup(owner)
		if err != nil {
			p.note(in, f.Code, "fix.note.unreadable", map[string]string{"path": owner, "error": errText(err)})
			return
		}
		mo.uid, _ = strconv.Atoi(u.Uid)
		mo.gid, _ = strconv.Atoi(u.Gid)
		cmds = append(cmds, fmt.Sprintf("chown %s: %s", owner, shq(path)))
		undo = append(undo, fmt.Sprintf("chown %d:%d %s", uid, gid, shq(path)))
	}
	if chmod {
		cmds = append(cmds, fmt.Sprintf("chmod %04o %s", want, shq(path)))
		undo = append(undo, fmt.Sprintf("chmod %04o %s", old, shq(path)))
	}
	s.Command, s.Undo = strings.Join(cmds, "\n"), strings.Join(undo, "\n")
	s.ops = []op{mo}
	p.add(s)
	mo.step = s.ID
}

func owner2(st fs.FileInfo) (int, int) { return owner(st) }

// planSSHDLine edits the line that sets AllowUsers, DenyUsers,
// PermitRootLogin or PubkeyAcceptedAlgorithms (the report's set_in, so a
// drop-in is edited where it sets the value), validates the whole
// configuration with sshd -t, and reloads sshd.
func planSSHDLine(_ context.Context, p *Plan, r *report.Report, f *report.Finding, in Inputs) {
	loc := f.Evidence["set_in"]
	i := strings.LastIndexByte(loc, ':')
	if i <= 0 {
		return
	}
	file := loc[:i]
	lineNo, err := strconv.Atoi(loc[i+1:])
	if err != nil || lineNo < 1 {
		return
	}
	data, err := os.ReadFile(file)
	if err != nil {
		p.note(in, f.Code, "fix.note.unreadable", map[string]string{"path": file, "error": errText(err)})
		return
	}
	lines := strings.SplitAfter(string(data), "\n")
	if lineNo > len(lines) {
		return
	}
	line := lines[lineNo-1]
	nl := ""
	if strings.HasSuffix(line, "\n") {
		nl, line = "\n", strings.TrimSuffix(line, "\n")
	}
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return
	}
	kw := strings.ToLower(fields[0])
	who := ""
	if r.Subject != nil {
		who = r.Subject["user"]
	}
	var nw string
	switch {
	case f.Code == "server.allowusers" && kw == "allowusers" && who != "":
		nw = line + " " + who
	case f.Code == "server.denyusers" && kw == "denyusers" && who != "":
		var keep []string
		for _, pat := range fields[1:] {
			if !strings.Contains(pat, "@") && sshconfig.MatchPattern(who, pat) {
				continue
			}
			keep = append(keep, pat)
		}
		if len(keep) == len(fields)-1 {
			return
		}
		if len(keep) == 0 {
			nw = "#" + line
		} else {
			nw = fields[0] + " " + strings.Join(keep, " ")
		}
	case f.Code == "server.root_login_refused" && kw == "permitrootlogin":
		nw = fields[0] + " prohibit-password"
	case f.Code == "server.pubkey_alg_rejected" && kw == "pubkeyacceptedalgorithms":
		typ := ""
		if k := strings.Fields(f.Evidence["key"]); len(k) >= 2 {
			typ = k[len(k)-2]
		}
		if typ == "" || strings.ContainsAny(typ, ",*?!") {
			return
		}
		nw = fields[0] + " " + strings.Join(fields[1:], " ") + "," + typ
	default:
		return
	}
	lines[lineNo-1] = nw + nl
	nd := []byte(strings.Join(lines, ""))
	main := in.SSHDConfig
	if main == "" {
		main = "/etc/ssh/sshd_config"
	}
	s := &Step{Code: f.Code, Kind: KindEdit, Path: file, Diff: Diff(file, data, nd),
		Why:  in.say("fix.why.sshd_line", map[string]string{"keyword": fields[0], "file": file, "line": strconv.Itoa(lineNo)}),
		Undo: in.say("fix.undo.sshd", map[string]string{"path": file})}
	s.Command = "sshd -t -f " + shq(main) + "\n" + reloadText(main)
	w := &writeOp{path: file, old: data, data: nd, uid: -1, gid: -1}
	s.ops = []op{w}
	s.validate = func(ctx context.Context, e *Env) error {
		if out, err := e.Run(ctx, []string{sshdBinary(), "-t", "-f", main}); err != nil {
			return fmt.Errorf("sshd -t: %s", firstLines(out, 3))
		}
		return sessionKept(ctx, e, main, in)
	}
	s.then = func(ctx context.Context, e *Env) error {
		if err := ReloadSSHD(ctx, e, main); err != nil {
			return err
		}
		// From now on, putting the file back must reload sshd too.
		return e.Backup.markReload(s.ID, file, main)
	}
	p.add(s)
	w.step = s.ID
}

func reloadText(main string) string {
	return "systemctl reload <unit> (when systemd runs this sshd), else kill -HUP $(cat <PidFile of " + main + ">)"
}

// sshdBinary is sshd on PATH, else where distributions install it.
func sshdBinary() string {
	if p, err := exec.LookPath("sshd"); err == nil {
		return p
	}
	return "/usr/sbin/sshd"
}

// sessionKept refuses a configuration that would lock out the SSH
// session sshdoctor runs in (SSH_CONNECTION): the session's user must
// still pass DenyUsers, AllowUsers and PermitRootLogin for its address,
// and sshd must still listen on the session's port.
func sessionKept(ctx context.Context, e *Env, main string, in Inputs) error {
	conn := strings.Fields(in.getenv("SSH_CONNECTION"))
	if len(conn) != 4 {
		return nil
	}
	who := in.getenv("SUDO_USER")
	if who == "" {
		who = in.getenv("USER")
	}
	if who == "" {
		return nil
	}
	spec := "user=" + who + ",host=" + conn[0] + ",addr=" + conn[0] + ",laddr=" + conn[2] + ",lport=" + conn[3]
	out, err := e.Run(ctx, []string{sshdBinary(), "-T", "-f", main, "-C", spec})
	if err != nil {
		return fmt.Errorf("sshd -T: %v", err)
	}
	var allow []string
	ports := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "denyusers":
			for _, pat := range f[1:] {
				if !strings.Contains(pat, "@") && sshconfig.MatchPattern(who, pat) {
					return fmt.Errorf("this change would lock out your session (%s, DenyUsers %s)", who, pat)
				}
			}
		case "allowusers":
			allow = append(allow, f[1:]...)
		case "permitrootlogin":
			if who == "root" && f[1] == "no" {
				return errors.New("this change would lock out your session (root, PermitRootLogin no)")
			}
		case "port":
			ports[f[1]] = true
		}
	}
	if len(allow) > 0 {
		ok := false
		for _, pat := range allow {
			u, _, _ := strings.Cut(pat, "@")
			if sshconfig.MatchPattern(who, u) {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("this change would lock out your session (%s is not in AllowUsers)", who)
		}
	}
	if len(ports) > 0 && !ports[conn[3]] {
		return fmt.Errorf("this change would lock out your session (sshd would no longer listen on port %s)", conn[3])
	}
	return nil
}

// reloadWait bounds the wait for sshd to re-execute after SIGHUP.
const reloadWait = 3 * time.Second

// ReloadSSHD makes the sshd that reads main reload it, never restart it:
// through systemd when the PidFile's process is in a systemd unit, else
// SIGHUP to that PID; then it waits until sshd has re-executed (it
// rewrites its PidFile).
func ReloadSSHD(ctx context.Context, e *Env, main string) error {
	out, err := e.Run(ctx, []string{sshdBinary(), "-T", "-f", main})
	if err != nil {
		return err
	}
	pidFile := ""
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "pidfile" {
			pidFile = f[1]
		}
	}
	if pidFile == "" || pidFile == "none" {
		return errors.New("sshd has no PidFile: reload it by hand")
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return fmt.Errorf("sshd does not seem to run (%v)", errText(err))
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return fmt.Errorf("%s: no PID", pidFile)
	}
	st, _ := os.Stat(pidFile)
	if unit := serviceUnit(ctx, e, pid); unit != "" {
		if _, err := e.Run(ctx, []string{"systemctl", "reload", unit}); err != nil {
			return err
		}
	} else if err := hup(pid); err != nil {
		return fmt.Errorf("kill -HUP %d: %v", pid, err)
	}
	deadline := time.Now().Add(reloadWait)
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if n, err := os.Stat(pidFile); err == nil && st != nil && !n.ModTime().Equal(st.ModTime()) {
			return nil
		}
	}
	return nil
}

// sshdUnits are the names distributions give sshd's service (Debian and
// Ubuntu: ssh; Fedora, RHEL, Arch, SUSE: sshd).
var sshdUnits = []string{"ssh.service", "sshd.service"}

// serviceUnit names the service manager's unit whose main process is
// pid: from the process's cgroup, else by asking systemctl which of
// sshd's usual units has that MainPID. "" when no service manager runs
// this sshd (then it is reloaded with SIGHUP).
func serviceUnit(ctx context.Context, e *Env, pid int) string {
	if u := systemdUnit(pid); u != "" {
		return u
	}
	if _, err := exec.LookPath("systemctl"); err != nil {
		return ""
	}
	for _, u := range sshdUnits {
		out, err := e.Run(ctx, []string{"systemctl", "show", "--property=MainPID", "--value", u})
		if err == nil && strings.TrimSpace(out) == strconv.Itoa(pid) {
			return u
		}
	}
	return ""
}

// systemdUnit names the systemd service a process runs in, from
// /proc/PID/cgroup ("" when none).
func systemdUnit(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil || len(b) > 64<<10 {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		for _, part := range strings.Split(l, "/") {
			if strings.HasSuffix(part, ".service") && strings.Contains(part, "ssh") {
				return part
			}
		}
	}
	return ""
}

var iptablesFixRE = lazyre.New(`^sudo (iptables|ip6tables) -I INPUT( -s [0-9a-fA-F:./]+)? -p tcp --dport ([0-9]{1,5}) -j ACCEPT$`)

// planFirewall inserts the ACCEPT rule the report gives (iptables); undo
// deletes exactly that rule.
func planFirewall(_ context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	for _, fx := range f.Fixes {
		m := iptablesFixRE.FindStringSubmatch(fx.Command)
		if m == nil {
			continue
		}
		argv := strings.Fields(strings.TrimPrefix(fx.Command, "sudo "))
		undo := append([]string{argv[0], "-D"}, argv[2:]...)
		s := &Step{Code: f.Code, Kind: KindCommand, Command: strings.Join(argv, " "), Undo: strings.Join(undo, " "),
			Why: in.say("fix.why.firewall", map[string]string{"port": m[3]})}
		o := &runOp{argv: argv, undo: undo}
		s.ops = []op{o}
		p.add(s)
		o.step = s.ID
		return
	}
	for _, fx := range f.Fixes {
		m := nftFixRE.FindStringSubmatch(fx.Command)
		if m == nil {
			continue
		}
		fam, table, chain, expr := m[1], m[2], m[3], m[4]
		argv := []string{"nft", "--echo", "--handle", "insert", "rule", fam, table, chain}
		argv = append(argv, strings.Fields(expr)...)
		s := &Step{Code: f.Code, Kind: KindCommand, Command: strings.Join(argv, " "),
			Undo: "nft delete rule " + fam + " " + table + " " + chain + " handle <the handle nft prints>",
			Why:  in.say("fix.why.firewall", map[string]string{"port": m[7]})}
		o := &nftInsertOp{family: fam, table: table, chain: chain, argv: argv, st: s}
		s.ops = []op{o}
		p.add(s)
		o.step = s.ID
		return
	}
}

// nftFixRE is the nftables fix the server check prints: an accept rule
// inserted at the top of the chain that drops (its own family, table and
// chain), for the client's address when known.
var nftFixRE = lazyre.New(`^sudo nft insert rule (ip|ip6|inet) ([A-Za-z_][A-Za-z0-9_.-]{0,63}) ([A-Za-z_][A-Za-z0-9_.-]{0,63}) ((?:(ip|ip6) saddr ([0-9a-fA-F:./]+) )?tcp dport ([0-9]{1,5}) accept)$`)

// nftHandleRE reads the handle nft --echo --handle prints for the rule it
// inserted ("insert rule inet filter input tcp dport 22 accept # handle 4").
var nftHandleRE = lazyre.New(`(?m)^(?:insert|add) rule (\S+) (\S+) (\S+) (.*) # handle ([0-9]+)$`)

// nftInsertOp inserts one rule and records its handle, so undo deletes
// exactly that rule and nothing a person or a daemon added since.
type nftInsertOp struct {
	step                 int
	family, table, chain string
	argv                 []string
	st                   *Step // its Undo becomes the exact command once the handle is known
}

func (o *nftInsertOp) do(ctx context.Context, e *Env) error {
	out, err := e.Run(ctx, o.argv)
	if err != nil {
		return err
	}
	m := nftHandleRE.FindStringSubmatch(out)
	if m == nil || m[1] != o.family || m[2] != o.table || m[3] != o.chain {
		return fmt.Errorf("nft inserted the rule but printed no handle (%s): remove it by hand with nft -a list chain %s %s %s and nft delete rule … handle N",
			firstLines(out, 2), o.family, o.table, o.chain)
	}
	undo := []string{"nft", "delete", "rule", o.family, o.table, o.chain, "handle", m[5]}
	if o.st != nil {
		o.st.Undo = strings.Join(undo, " ")
	}
	e.Backup.Manifest.Changes = append(e.Backup.Manifest.Changes, Change{Step: o.step, Kind: "nft",
		Path:    o.family + " " + o.table + " " + o.chain,
		Command: []string{strings.TrimSpace(m[4])},
		Undo:    undo, UID: -1, GID: -1})
	return e.Backup.save()
}

// nftRestore deletes the rule an nftInsertOp recorded, after checking
// that its handle still holds that rule (a rule already gone is not an
// error; a handle holding another rule is never deleted).
func nftRestore(ctx context.Context, e *Env, c Change) error {
	if len(c.Undo) != 8 || c.Undo[0] != "nft" || len(c.Command) != 1 {
		return errors.New("bad nftables undo record")
	}
	fam, table, chain, handle := c.Undo[3], c.Undo[4], c.Undo[5], c.Undo[7]
	out, err := e.Run(ctx, []string{"nft", "-a", "list", "chain", fam, table, chain})
	if err != nil {
		return nil // the table or chain is gone, and the rule with it
	}
	for _, l := range strings.Split(out, "\n") {
		rule, h, ok := strings.Cut(strings.TrimSpace(l), " # handle ")
		if !ok || h != handle {
			continue
		}
		if strings.TrimSpace(rule) != c.Command[0] {
			return fmt.Errorf("nft %s %s %s handle %s is now %q, not the rule sshdoctor inserted; not deleted", fam, table, chain, handle, rule)
		}
		_, err := e.Run(ctx, c.Undo)
		return err
	}
	return nil
}

// planInstallKey appends the --key public key to the account's first
// authorized_keys file, creating ~/.ssh (0700) and the file (0600) owned
// by the account when they are missing.
func planInstallKey(_ context.Context, p *Plan, r *report.Report, f *report.Finding, in Inputs) {
	if in.KeyFile == "" || r.Subject == nil || r.Subject["user"] == "" {
		return
	}
	u, err := user.Lookup(r.Subject["user"])
	if err != nil {
		return
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	key, err := os.ReadFile(in.KeyFile)
	if err != nil || len(key) > 16<<10 {
		return
	}
	line := ""
	for _, l := range strings.Split(string(key), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			line = l
			break
		}
	}
	if len(strings.Fields(line)) < 2 || strings.Contains(line, "PRIVATE KEY") {
		return
	}
	path := filepath.Join(u.HomeDir, ".ssh", "authorized_keys")
	for _, k := range []string{"searched", "files"} {
		if v := f.Evidence[k]; v != "" {
			path = strings.TrimSpace(strings.Split(v, ",")[0])
			break
		}
	}
	old, err := os.ReadFile(path)
	missing := errors.Is(err, fs.ErrNotExist)
	if err != nil && !missing {
		return
	}
	nd := string(old)
	if nd != "" && !strings.HasSuffix(nd, "\n") {
		nd += "\n"
	}
	nd += line + "\n"
	s := &Step{Code: f.Code, Kind: KindEdit, Path: path, Diff: Diff(path, old, []byte(nd)),
		Why:  in.say("fix.why.install_key", map[string]string{"user": u.Username, "path": path}),
		Undo: in.say("fix.undo.restore_file", map[string]string{"path": path})}
	if missing {
		s.Undo = in.say("fix.undo.remove_file", map[string]string{"path": path})
	}
	d := &mkdirOp{path: filepath.Dir(path), uid: uid, gid: gid}
	w := &writeOp{path: path, old: old, oldMiss: missing, data: []byte(nd), perm: 0o600, uid: uid, gid: gid}
	s.ops = []op{d, w}
	p.add(s)
	d.step, w.step = s.ID, s.ID
}

func init() {
	planners["server.sshd_not_running"] = planStartSSHD
}

var systemctlStartRE = lazyre.New(`^sudo systemctl enable --now ([A-Za-z0-9@._-]+)$`)

// planStartSSHD starts sshd the way the report says this system starts
// it: systemctl enable --now UNIT (undo puts back whether the unit was
// enabled and running), or the sshd binary with its -f config (checked
// with sshd -t first; undo stops the daemon through its PidFile).
func planStartSSHD(ctx context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	for _, fx := range f.Fixes {
		if m := systemctlStartRE.FindStringSubmatch(fx.Command); m != nil {
			unit := m[1]
			undo := []string{"systemctl", "disable", "--now", unit}
			if out, _ := RunCommand(ctx, []string{"systemctl", "is-enabled", unit}); strings.TrimSpace(out) == "enabled" {
				undo = []string{"systemctl", "stop", unit}
			}
			argv := []string{"systemctl", "enable", "--now", unit}
			s := &Step{Code: f.Code, Kind: KindCommand, Command: strings.Join(argv, " "), Undo: strings.Join(undo, " "),
				Why: in.say("fix.why.start_sshd", map[string]string{"how": unit})}
			o := &runOp{argv: argv, undo: undo}
			s.ops = []op{o}
			p.add(s)
			o.step = s.ID
			return
		}
		w, ok := shellWords(fx.Command)
		if !ok || len(w) != 4 || w[0] != "sudo" || filepath.Base(w[1]) != "sshd" || !filepath.IsAbs(w[1]) || w[2] != "-f" {
			continue
		}
		bin, cfg := w[1], w[3]
		s := &Step{Code: f.Code, Kind: KindCommand, Command: shq(bin) + " -t -f " + shq(cfg) + "\n" + shq(bin) + " -f " + shq(cfg),
			Undo: "kill $(cat <PidFile of " + cfg + ">)",
			Why:  in.say("fix.why.start_sshd", map[string]string{"how": cfg})}
		o := &startSSHDOp{bin: bin, cfg: cfg}
		s.ops = []op{o}
		p.add(s)
		o.step = s.ID
		return
	}
}

// startSSHDOp checks a config with sshd -t and starts sshd with it.
type startSSHDOp struct {
	step     int
	bin, cfg string
}

func (o *startSSHDOp) do(ctx context.Context, e *Env) error {
	if out, err := e.Run(ctx, []string{o.bin, "-t", "-f", o.cfg}); err != nil {
		return fmt.Errorf("%w: sshd -t: %s", ErrValidation, firstLines(out, 3))
	}
	e.Backup.Manifest.Changes = append(e.Backup.Manifest.Changes, Change{Step: o.step, Kind: "sshd_started",
		Path: o.cfg, Command: []string{o.bin, "-f", o.cfg}, UID: -1, GID: -1})
	if err := e.Backup.save(); err != nil {
		return err
	}
	_, err := e.Run(ctx, []string{o.bin, "-f", o.cfg})
	return err
}

// StopSSHD stops the sshd daemon that reads main, through its PidFile.
func StopSSHD(ctx context.Context, e *Env, main string) error {
	out, err := e.Run(ctx, []string{sshdBinary(), "-T", "-f", main})
	if err != nil {
		return err
	}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "pidfile" {
			b, err := os.ReadFile(f[1])
			if err != nil {
				return nil // not running: nothing to stop
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil || pid <= 1 {
				return fmt.Errorf("%s: no PID", f[1])
			}
			return term(pid)
		}
	}
	return errors.New("sshd has no PidFile: stop it by hand")
}
