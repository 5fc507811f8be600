package fix

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"github.com/sshdoctor/sshdoctor/report"
)

// planner adds the steps for one finding.
type planner func(ctx context.Context, p *Plan, r *report.Report, f *report.Finding, in Inputs)

// planners by finding code; a code ending in "*" is a prefix.
var planners = map[string]planner{
	"perm.private_key_too_open": planKeyMode,
	"perm.ssh_config":           planConfigMode,
	"hostkey.changed":           planHostKeyChanged,
	"auth.too_many_failures":    planHostBlock,
	"kex.no_*":                  planHostBlock,
}

// commandPlanners look at every error or warning finding's fix commands,
// whatever its code (a fix shared by many codes).
var commandPlanners []planner

func plannerFor(code string) planner {
	if pl, ok := planners[code]; ok {
		return pl
	}
	for k, pl := range planners {
		if strings.HasSuffix(k, "*") && strings.HasPrefix(code, strings.TrimSuffix(k, "*")) {
			return pl
		}
	}
	return nil
}

// Build makes the plan for a report: one or more steps for each error or
// warning finding whose repair is mechanical, in the report's order.
func Build(ctx context.Context, r *report.Report, in Inputs) *Plan {
	p := &Plan{Steps: []*Step{}}
	if in.GOOS == "" {
		in.GOOS = "linux"
	}
	for ci := range r.Checks {
		for fi := range r.Checks[ci].Findings {
			f := &r.Checks[ci].Findings[fi]
			if f.Severity == "info" {
				if f.Code == "vagrant.ssh_forward" {
					defer planVagrant(ctx, p, r, f, in) // after the rule it complements
				}
				continue
			}
			if pl := plannerFor(f.Code); pl != nil {
				pl(ctx, p, r, f, in)
			}
			for _, pl := range commandPlanners {
				pl(ctx, p, r, f, in)
			}
		}
	}
	return p
}

func (p *Plan) note(in Inputs, code, key string, args map[string]string) {
	p.Notes = append(p.Notes, "["+code+"] "+in.say(key, args))
}

// shq quotes s for a POSIX shell when it needs it.
func shq(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// psq quotes s for PowerShell.
func psq(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// planMode is the step for a file ssh refuses for its mode or owner:
// chmod (and chown when another user owns it) on Unix, icacls printed for
// the person on Windows.
func planMode(p *Plan, in Inputs, code, path string, strip fs.FileMode, why string) {
	if in.GOOS == "windows" {
		p.add(&Step{Code: code, Kind: KindManual, Path: path, Why: why + " (PowerShell)",
			Command: "icacls.exe " + psq(path) + " /inheritance:r /grant:r \"$($env:USERNAME):(F)\"",
			Undo:    "icacls.exe " + psq(path) + " /reset"})
		return
	}
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() {
		p.note(in, code, "fix.note.not_regular", map[string]string{"path": path})
		return
	}
	old := st.Mode().Perm()
	want := old &^ strip
	uid, gid := owner(st)
	s := &Step{Code: code, Kind: KindMode, Path: path, Why: why}
	var cmds, undo []string
	chown := uid >= 0 && in.UID >= 0 && uid != in.UID && uid != 0
	if chown {
		cmds = append(cmds, fmt.Sprintf("chown %d:%d %s", in.UID, in.GID, shq(path)))
		undo = append(undo, fmt.Sprintf("chown %d:%d %s", uid, gid, shq(path)))
	}
	if want != old || !chown {
		cmds = append(cmds, fmt.Sprintf("chmod %04o %s", want, shq(path)))
		undo = append(undo, fmt.Sprintf("chmod %04o %s", old, shq(path)))
	}
	s.Command = strings.Join(cmds, "\n")
	s.Undo = strings.Join(undo, "\n")
	if chown && in.UID != 0 {
		// Only root gives a file away: printed for the person to run
		// with sudo, never attempted.
		s.Kind = KindManual
		s.Command = "sudo " + strings.ReplaceAll(s.Command, "\n", "\nsudo ")
		s.Undo = "sudo " + strings.ReplaceAll(s.Undo, "\n", "\nsudo ")
		p.add(s)
		return
	}
	m := &modeOp{path: path, mode: want, uid: -1, gid: -1}
	if chown {
		m.uid, m.gid = in.UID, in.GID
	}
	s.ops = []op{m}
	p.add(s)
	m.step = s.ID
}

func planKeyMode(_ context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	path := f.Evidence["file"]
	if path == "" {
		return
	}
	// A private key must be readable by its owner only (sshkey_perm_ok).
	planMode(p, in, f.Code, path, 0o077, in.say("fix.why.key_mode", map[string]string{"path": path}))
}

func planConfigMode(_ context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	path := in.ConfigFile
	if path == "" {
		return
	}
	// ssh's secure_permissions: no write for group or others.
	planMode(p, in, f.Code, path, 0o022, in.say("fix.why.config_mode", map[string]string{"path": path}))
}

// planHostKeyChanged removes exactly the known_hosts line that holds the
// old key (checked by its fingerprint) and, when the person confirmed the
// new key's fingerprint out of band, adds the server's key under the same
// name, hashed when the old entry was.
func planHostKeyChanged(ctx context.Context, p *Plan, r *report.Report, f *report.Finding, in Inputs) {
	loc := f.Evidence["known_hosts"]
	oldFP, newFP, name := f.Evidence["old_fingerprint"], f.Evidence["new_fingerprint"], f.Evidence["known_hosts_name"]
	i := strings.LastIndexByte(loc, ':')
	if i <= 0 || oldFP == "" || name == "" {
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
	kh, ok := parseKH(lines[lineNo-1])
	if !ok || fingerprintOf(kh.key) != oldFP || !matchesName(kh.hosts, name) {
		p.note(in, f.Code, "fix.note.known_hosts_moved", map[string]string{"path": loc})
		return
	}
	args := map[string]string{"name": name, "old": oldFP, "new": newFP, "file": file, "line": strconv.Itoa(lineNo)}
	s := &Step{Code: f.Code, Kind: KindEdit, Path: file, Why: in.say("fix.why.hostkey_remove", args),
		Warning: in.say("fix.warn.hostkey", args),
		Undo:    in.say("fix.undo.restore_file", map[string]string{"path": file})}
	newLines := append(append([]string{}, lines[:lineNo-1]...), lines[lineNo:]...)
	if exp := in.ExpectFingerprint; exp != "" {
		if exp != newFP {
			// The person expects another key than the server shows: remove
			// nothing, this may be an attack.
			p.note(in, f.Code, "fix.note.fingerprint_mismatch", map[string]string{"expected": exp, "new": newFP})
			return
		}
		typ := strings.Fields(f.Evidence["host_key"])
		line, err := scanHostKey(ctx, r, typ, exp)
		if err != nil {
			p.note(in, f.Code, "fix.note.keyscan", map[string]string{"error": errText(err)})
			return
		}
		host := name
		if strings.HasPrefix(kh.hosts, "|1|") {
			host = hashName(name)
		}
		if n := len(newLines); n > 0 && newLines[n-1] == "" {
			newLines = newLines[:n-1]
		}
		if n := len(newLines); n > 0 && !strings.HasSuffix(newLines[n-1], "\n") {
			newLines[n-1] += "\n"
		}
		newLines = append(newLines, host+" "+line+"\n")
		s.Why = in.say("fix.why.hostkey_replace", args)
	}
	nd := []byte(strings.Join(newLines, ""))
	s.Diff = Diff(file, data, nd)
	s.ops = []op{&writeOp{path: file, old: data, data: nd, uid: -1, gid: -1}}
	p.add(s)
	s.ops[0].(*writeOp).step = s.ID
}

// keyscanTimeout bounds ssh-keyscan (-T is per connection; this is the
// whole run).
const keyscanTimeout = "5"

// scanHostKey asks the server for its host key of the type ssh saw and
// returns "type base64" when its fingerprint is expected.
func scanHostKey(ctx context.Context, r *report.Report, hostKey []string, expected string) (string, error) {
	if r.Target == nil || r.Target.Hostname == "" {
		return "", errors.New("no target address in the report")
	}
	addr := r.Target.Hostname
	if len(r.Target.Addresses) > 0 {
		addr = r.Target.Addresses[0]
	}
	argv := []string{"ssh-keyscan", "-T", keyscanTimeout, "-p", strconv.Itoa(max(r.Target.Port, 1))}
	if len(hostKey) > 0 {
		argv = append(argv, "-t", keyscanType(hostKey[0]))
	}
	argv = append(argv, "--", addr)
	out, err := RunCommand(ctx, argv)
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && !strings.HasPrefix(f[0], "#") && fingerprintOf(f[2]) == expected {
			return f[1] + " " + f[2], nil
		}
	}
	return "", fmt.Errorf("the server did not show a key with fingerprint %s", expected)
}

// keyscanType maps a key type name to ssh-keyscan's -t word.
func keyscanType(t string) string {
	switch {
	case strings.Contains(t, "ed25519"):
		return "ed25519"
	case strings.Contains(t, "ecdsa"):
		return "ecdsa"
	case strings.Contains(t, "rsa"):
		return "rsa"
	}
	return "rsa,ecdsa,ed25519"
}

// hostBlockKeys are the keywords a planned Host block may set.
var hostBlockKeys = map[string]bool{
	"identitiesonly": true, "identityfile": true, "kexalgorithms": true, "hostkeyalgorithms": true,
	"pubkeyacceptedalgorithms": true, "pubkeyacceptedkeytypes": true, "ciphers": true, "macs": true,
}

var agentSaveRE = lazyre.New(`^ssh-add -L \| grep -F '?([A-Za-z0-9+/=]+)'? > (\S+)$`)

// planHostBlock writes the Host block the report prints as a fix into the
// ssh config ssh reads, scoped to the host as it was typed, before the
// first Host or Match line so it wins over later blocks without capturing
// the global settings above it.
func planHostBlock(ctx context.Context, p *Plan, r *report.Report, f *report.Finding, in Inputs) {
	var block, save string
	for _, fx := range f.Fixes {
		if strings.HasPrefix(fx.Command, "Host ") && strings.Contains(fx.Command, "\n") && block == "" {
			block = fx.Command
		}
		if strings.HasPrefix(fx.Command, "ssh-add -L | grep -F ") {
			save = fx.Command
		}
	}
	if block == "" || in.ConfigFile == "" {
		return
	}
	lines := strings.Split(strings.TrimSpace(block), "\n")
	var identity string
	for _, l := range lines[1:] {
		kv := strings.Fields(l)
		if len(kv) != 2 || !hostBlockKeys[strings.ToLower(kv[0])] {
			p.note(in, f.Code, "fix.note.unexpected_block", map[string]string{"line": l})
			return
		}
		if strings.EqualFold(kv[0], "IdentityFile") {
			identity = kv[1]
		}
	}
	cfg := in.ConfigFile
	old, err := os.ReadFile(cfg)
	missing := errors.Is(err, fs.ErrNotExist)
	if err != nil && !missing {
		p.note(in, f.Code, "fix.note.unreadable", map[string]string{"path": cfg, "error": errText(err)})
		return
	}
	for _, l := range strings.Split(string(old), "\n") {
		if strings.TrimSpace(l) == lines[0] {
			// A block for this host exists: editing it needs a person.
			p.note(in, f.Code, "fix.note.block_exists", map[string]string{"path": cfg, "host": lines[0]})
			return
		}
	}
	// An agent key with no file: save its public half first, and name it
	// by its absolute path (ssh expands ~ from the password database,
	// which need not be $HOME).
	if identity != "" && save != "" {
		m := agentSaveRE.FindStringSubmatch(save)
		path := expandHome(identity, in.Home)
		if _, err := os.Stat(path); m != nil && m[2] == identity && err != nil {
			for i, l := range lines {
				if kv := strings.Fields(l); len(kv) == 2 && strings.EqualFold(kv[0], "IdentityFile") {
					lines[i] = "  " + kv[0] + " " + path
				}
			}
			pub, err := agentKey(ctx, m[1])
			if err != nil {
				p.note(in, f.Code, "fix.note.agent", map[string]string{"error": errText(err)})
				return
			}
			s := &Step{Code: f.Code, Kind: KindEdit, Path: path, Diff: Diff(path, nil, []byte(pub)),
				Why:  in.say("fix.why.save_agent_pub", map[string]string{"path": path}),
				Undo: in.say("fix.undo.remove_file", map[string]string{"path": path})}
			w := &writeOp{path: path, oldMiss: true, data: []byte(pub), perm: 0o644, uid: in.UID, gid: in.GID}
			s.ops = []op{w}
			p.add(s)
			w.step = s.ID
		}
	}
	text := string(old)
	insert := strings.Join(lines, "\n") + "\n\n"
	at := len(text)
	off := 0
	for _, l := range strings.SplitAfter(text, "\n") {
		fl := strings.Fields(l)
		if len(fl) > 0 && (strings.EqualFold(fl[0], "Host") || strings.EqualFold(fl[0], "Match")) {
			at = off
			break
		}
		off += len(l)
	}
	if at == len(text) && text != "" {
		insert = "\n" + strings.TrimSuffix(insert, "\n")
		if !strings.HasSuffix(text, "\n") {
			insert = "\n" + insert
		}
	}
	nd := []byte(text[:at] + insert + text[at:])
	key := "fix.why.host_block_identities"
	if strings.HasPrefix(f.Code, "kex.") {
		key = "fix.why.host_block_algorithms"
	}
	s := &Step{Code: f.Code, Kind: KindEdit, Path: cfg, Diff: Diff(cfg, old, nd),
		Why:  in.say(key, map[string]string{"host": strings.TrimPrefix(lines[0], "Host "), "path": cfg}),
		Undo: in.say("fix.undo.restore_file", map[string]string{"path": cfg})}
	if missing {
		s.Undo = in.say("fix.undo.remove_file", map[string]string{"path": cfg})
	}
	w := &writeOp{path: cfg, old: old, oldMiss: missing, data: nd, perm: 0o600, uid: in.UID, gid: in.GID}
	s.ops = []op{w}
	p.add(s)
	w.step = s.ID
}

func expandHome(p, home string) string {
	if strings.HasPrefix(p, "~/") && home != "" {
		return filepath.Join(home, p[2:])
	}
	return p
}

// agentKey returns the agent's public key line whose base64 is b64.
func agentKey(ctx context.Context, b64 string) (string, error) {
	out, err := RunCommand(ctx, []string{"ssh-add", "-L"})
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[1] == b64 {
			return strings.TrimSpace(l) + "\n", nil
		}
	}
	return "", errors.New("the key is no longer in the agent")
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
