package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/inputfile"
)

// expandTokens expands AuthorizedKeysFile tokens: %% %h %u %U. A
// relative result is relative to the home directory.
func expandTokens(s string, a Account) string {
	p := percentExpand(s, a)
	if !strings.HasPrefix(p, "/") {
		p = strings.TrimSuffix(a.Home, "/") + "/" + p
	}
	return p
}

// percentExpand replaces sshd's %% %h %u %U tokens for the account.
func percentExpand(s string, a Account) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case '%':
			b.WriteByte('%')
		case 'h':
			b.WriteString(a.Home)
		case 'u':
			b.WriteString(a.Name)
		case 'U':
			b.WriteString(strconv.FormatUint(uint64(a.UID), 10))
		default:
			b.WriteByte('%')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// keysResult is what server-authorized-keys passes on.
type keysResult struct {
	Usable []KeyLine // lines sshd would use
	All    []KeyLine // every parsed line, also from refused files
	// Refused maps a file to why sshd skips it.
	Refused map[string]string
	Files   []string
}

// maxKeyProblems caps per-line findings; the rest are counted.
const maxKeyProblems = 10

func (r *run) permRule(d *discovery, uid uint32, db *accountDB) permRule {
	if d.Debian {
		return debianRule(uid, db)
	}
	return upstreamRule(uid, db)
}

func (r *run) checkAuthorizedKeys(ctx context.Context, p *diag.Pass) (*keysResult, bool, diag.Result) {
	d := diag.ResultOf(p, r.sshd)
	e := diag.ResultOf(p, r.effective)
	a := diag.ResultOf(p, r.account)
	res := &keysResult{Refused: map[string]string{}}
	var fileFindings, lineFindings []*diag.Finding
	name := a.Name

	if !isYes(orDefault(e.get("pubkeyauthentication"), "yes")) {
		f := diag.NewFinding("server.pubkey_auth_disabled").Ev("PubkeyAuthentication", "no")
		cmd := ""
		if o, ok := e.origin("pubkeyauthentication"); ok {
			f.Ev("set_in", o.String())
			cmd = fmt.Sprintf("sudo sed -i '%ds/.*/PubkeyAuthentication yes/' %s && %s && %s", o.Line, shq(o.File), d.testCommand(), d.reloadCommand())
		}
		f.Fix("fix.server_enable_pubkey", cmd)
		return res, true, diag.Conclude(nil, f)
	}

	akf := e.get("authorizedkeysfile")
	var paths []string
	if !strings.EqualFold(akf, "none") {
		for _, t := range strings.Fields(akf) {
			paths = append(paths, expandTokens(t, a.Account))
		}
	}
	res.Files = paths
	strict := isYes(orDefault(e.get("strictmodes"), "yes"))
	rule := r.permRule(d, a.UID, a.db)
	enforcing := selinuxEnforcing() == yes
	exists := 0
	now := r.sys.Now()
	var needRoot []string

	for _, path := range paths {
		st, err := r.sys.Stat.Stat(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if errors.Is(err, fs.ErrPermission) && !r.sys.Root {
				needRoot = append(needRoot, path)
				continue
			}
			fileFindings = append(fileFindings, diag.NewFinding("server.not_checked").Arg("item", path).Arg("reason", errText(err)))
			continue
		}
		exists++
		// sshd opens the file as the user first.
		if r.sys.Root {
			if ap := canOpen(r.sys.Stat, path, a.UID, a.GIDs, a.db); ap != nil {
				f := diag.NewFinding("server.authkeys_unreadable").Arg("user", name).Arg("path", path)
				f.Ev("blocked_at", ap.Path).Ev("reason", ap.Why)
				f.Ev("sshd_log", fmt.Sprintf("Could not open user '%s' authorized keys '%s': Permission denied", name, path))
				f.AddFixes(r.accessParams(ap.Path, a))
				fileFindings = append(fileFindings, f)
				res.Refused[path] = "unreadable by the user"
				_ = r.parseKeyFile(path, a, now, res, nil) // refusal reported above; keys listed when readable
				continue
			}
		}
		if !st.Mode.IsRegular() {
			// sshd opens it and refuses it before StrictModes looks
			// (auth2-pubkeyfile.c auth_openfile), with or without it.
			f := diag.NewFinding("server.authkeys_unreadable").Arg("user", name).Arg("path", path)
			f.Ev("sshd_log", fmt.Sprintf("User '%s' authorized keys '%s' is not a regular file", name, path))
			f.AddFixes(catalog.Params{catalog.ParamOS: runtime.GOOS, "path": path, "perm_not_regular": "yes"})
			fileFindings = append(fileFindings, f)
			res.Refused[path] = "not a regular file"
			continue
		}
		if strict {
			if v := safePath(r.sys.Stat, path, a.Home, rule); v != nil {
				f := diag.NewFinding("server.strictmodes").Arg("user", name).Arg("path", v.Path)
				f.Ev("sshd_log", "Authentication refused: "+v.LogMessage())
				if v.Problem != nil && v.Problem.Why != "" {
					f.Ev("reason", v.Problem.Why)
				}
				if d.Debian {
					f.Ev("rule", "Debian: owner root or "+name+"; no world write; group write only for a group whose sole member is the owner")
				} else {
					f.Ev("rule", "owner root or "+name+"; no group or world write on the file and every directory up to the home directory (or up to /)")
				}
				f.AddFixes(r.strictParams(f, v, a))
				fileFindings = append(fileFindings, f)
				res.Refused[path] = v.LogMessage()
				_ = r.parseKeyFile(path, a, now, res, nil) // refusal reported above; keys listed when readable
				continue
			}
		}
		if enforcing && strings.HasPrefix(path, strings.TrimSuffix(a.Home, "/")+"/") {
			for _, target := range []string{path, filepath.Dir(path)} {
				label, err := selinuxLabel(target)
				if err == nil && !strings.Contains(label, ":ssh_home_t:") {
					f := diag.NewFinding("server.selinux_label").Arg("path", target).Arg("label", label)
					f.Ev("expected", "ssh_home_t")
					f.Fix("fix.server_restorecon", "sudo restorecon -Rv "+shq(filepath.Dir(path)))
					fileFindings = append(fileFindings, f)
					res.Refused[path] = "SELinux label " + label
					break
				}
			}
			if res.Refused[path] != "" {
				_ = r.parseKeyFile(path, a, now, res, nil) // refusal reported above; keys listed when readable
				continue
			}
		}
		if err := r.parseKeyFile(path, a, now, res, &lineFindings); err != nil {
			if errors.Is(err, fs.ErrPermission) && !r.sys.Root {
				needRoot = append(needRoot, path)
				continue
			}
			fileFindings = append(fileFindings, diag.NewFinding("server.not_checked").Arg("item", path).Arg("reason", errText(err)))
		}
	}

	// AuthorizedKeysCommand.
	akc := e.get("authorizedkeyscommand")
	akcConfigured := akc != "" && !strings.EqualFold(akc, "none")
	if akcConfigured {
		fs2, lines := r.checkAKC(ctx, d, e, a)
		fileFindings = append(fileFindings, fs2...)
		for _, k := range lines {
			res.All = append(res.All, k)
			if k.Err == "" {
				res.Usable = append(res.Usable, k)
			}
		}
	}

	// Accepted algorithms and expiry decide which valid lines are usable.
	accepted := e.get("pubkeyacceptedalgorithms")
	var usable []KeyLine
	var rejected, expired []KeyLine
	for _, k := range res.Usable {
		if !k.Expiry.IsZero() && !now.Before(k.Expiry) {
			expired = append(expired, k)
			continue
		}
		if accepted != "" && !k.CertAuthority {
			if _, ok := algAccepted(k.Type, accepted); !ok {
				rejected = append(rejected, k)
				continue
			}
		}
		usable = append(usable, k)
	}
	res.Usable = usable
	none := len(usable) == 0
	sev := diag.SevWarning
	if none {
		sev = diag.SevError
	}
	for i, k := range rejected {
		if i >= maxKeyProblems {
			break
		}
		f := diag.NewFinding("server.pubkey_alg_rejected").Sev(sev).Arg("algorithm", k.Type)
		f.Ev("key", fmt.Sprintf("%s:%d: %s %s", k.Path, k.Line, k.Type, k.Fingerprint()))
		f.Ev("PubkeyAcceptedAlgorithms", capText(accepted, 400))
		if o, ok := e.origin("pubkeyacceptedalgorithms"); ok {
			f.Ev("set_in", o.String())
		}
		f.AddFixes(catalog.Params{"algorithm": k.Type})
		lineFindings = append(lineFindings, f)
	}
	for i, k := range expired {
		if i >= maxKeyProblems {
			break
		}
		f := diag.NewFinding("server.key_expired").Sev(sev).Arg("path", k.Path).Arg("line", strconv.Itoa(k.Line)).
			Arg("date", k.Expiry.Format("2006-01-02 15:04 MST"))
		f.Ev("expiry-time", k.ExpiryRaw)
		f.Fix("fix.server_key_expiry", "")
		lineFindings = append(lineFindings, f)
	}
	for _, f := range lineFindings {
		if f.Code == "server.authorized_keys_invalid" {
			f.Sev(sev)
		}
	}
	if len(needRoot) > 0 {
		return nil, false, diag.Inconclusive(append(fileFindings, diag.NewFinding("server.needs_root").Arg("item", strings.Join(needRoot, ", ")).
			Fix("fix.server_run_as_root", "sudo sshdoctor server --user "+shq(name)))...)
	}
	findings := append(fileFindings, lineFindings...)
	if exists == 0 && !akcConfigured {
		f := diag.NewFinding("server.authorized_keys_missing").Arg("user", name).Arg("paths", strings.Join(paths, ", "))
		f.Fix("fix.server_add_key", r.installKeyCommand(a, firstOr(paths, a.Home+"/.ssh/authorized_keys")))
		findings = append(findings, f)
	} else if none && !hasError(findings) {
		f := diag.NewFinding("server.authorized_keys_empty").Arg("user", name)
		f.Ev("files", strings.Join(paths, ", "))
		f.Fix("fix.server_add_key", r.installKeyCommand(a, firstOr(paths, a.Home+"/.ssh/authorized_keys")))
		findings = append(findings, f)
	}
	if !none {
		// A refused file matters only when the usable keys elsewhere are
		// not the ones the client has: warn instead of blocking.
		for _, f := range fileFindings {
			if f.Severity == diag.SevError && f.Code != "server.not_checked" {
				f.Sev(diag.SevWarning)
			}
		}
	}
	return res, true, diag.Conclude(nil, findings...)
}

func hasError(fs []*diag.Finding) bool {
	for _, f := range fs {
		if f.Severity == diag.SevError {
			return true
		}
	}
	return false
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// parseKeyFile reads path's key lines into res (All always; Usable only
// when lf is non-nil, i.e. the file is one sshd uses). Invalid lines
// become findings in *lf.
func (r *run) parseKeyFile(path string, a *acct, now time.Time, res *keysResult, lf *[]*diag.Finding) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	lines, truncated, err := ParseAuthorizedKeys(f, path, time.Local)
	if err != nil {
		return err
	}
	bad := 0
	for _, k := range lines {
		res.All = append(res.All, k)
		if lf == nil {
			continue
		}
		if k.Err != "" {
			bad++
			if bad <= maxKeyProblems {
				fd := diag.NewFinding("server.authorized_keys_invalid").Arg("path", path).Arg("line", strconv.Itoa(k.Line))
				fd.Ev("problem", k.Err)
				fd.Ev("line_text", diag.Quote([]byte(k.Text), 120))
				fd.Fix("fix.server_fix_key_line", fmt.Sprintf("sudo sed -n '%dp' %s", k.Line, shq(path)))
				*lf = append(*lf, fd)
			}
			continue
		}
		res.Usable = append(res.Usable, k)
	}
	if truncated && lf != nil {
		*lf = append(*lf, diag.NewFinding("server.not_checked").Arg("item", path).Arg("reason", "file larger than 4 MiB; only the start was read"))
	}
	return nil
}

// strictParams are the fix parameters of the path component StrictModes
// refuses: the owner it must have (the user inside the home directory,
// root above it), whether it may lose group and world write, or, for a
// shared system directory (/tmp) that must stay writable, that the keys
// belong elsewhere. The owner goes into f's texts too.
func (r *run) strictParams(f *diag.Finding, v *Violation, a *acct) catalog.Params {
	fp := catalog.Params{catalog.ParamOS: runtime.GOOS, "path": v.Path, "user": a.Name}
	if v.Problem == nil {
		fp["perm_advice"] = "yes"
		return fp
	}
	systemDir := !v.InsideHome && v.IsDir
	if v.Problem.BadOwner {
		owner := a.Name
		if !v.InsideHome {
			owner = "root"
		}
		f.Arg("owner", owner)
		if systemDir && v.Path == "/" {
			fp["perm_advice"] = "yes"
		} else {
			fp["perm_owner"] = owner
		}
	}
	if v.Problem.BadMode {
		st, _ := r.sys.Stat.Stat(v.Path)
		if systemDir && (st.Mode&fs.ModeSticky != 0 || v.Path == "/") {
			fp["perm_shared_dir"] = "yes"
		} else {
			fp["perm_writable"] = "yes"
		}
	}
	return fp
}

// accessParams are the fix parameters that let the user through the path
// component that stops them: the owner's read or search bit when the user
// owns it, the ownership when it is inside the home directory, else the
// bit for others.
func (r *run) accessParams(path string, a *acct) catalog.Params {
	fp := catalog.Params{catalog.ParamOS: runtime.GOOS, "user": a.Name}
	st, err := r.sys.Stat.Stat(path)
	if err != nil {
		fp["perm_advice"] = "yes"
		return fp
	}
	fp["perm_blocked"] = path
	bit := "r"
	if st.Mode.IsDir() {
		bit = "x"
	}
	home := strings.TrimSuffix(a.Home, "/")
	inside := path == home || strings.HasPrefix(path, home+"/")
	switch {
	case st.UID == a.UID:
		fp["perm_grant"] = "u+" + bit
	case inside:
		fp["perm_give"] = "yes"
	default:
		fp["perm_grant"] = "o+" + bit
	}
	return fp
}

// installKeyCommand installs the --key public key for the user (or, with
// no --key, prepares the directory for one).
func (r *run) installKeyCommand(a *acct, path string) string {
	dir := filepath.Dir(path)
	mk := fmt.Sprintf("sudo install -d -m 700 -o %s -g %d %s", shq(a.Name), a.GID, shq(dir))
	if r.opts.Key == nil {
		return fmt.Sprintf("ssh-copy-id %s@THIS-SERVER  # or, here: %s", shq(a.Name), mk)
	}
	line := r.opts.Key.Type + " " + base64.StdEncoding.EncodeToString(r.opts.Key.Blob)
	if r.opts.Key.Comment != "" && simpleWord.MatchString(r.opts.Key.Comment) {
		line += " " + r.opts.Key.Comment
	}
	return fmt.Sprintf("%s && echo '%s' | sudo tee -a %s >/dev/null && sudo chown %s: %s && sudo chmod 600 %s",
		mk, line, shq(path), shq(a.Name), shq(path), shq(path))
}

// checkAKC examines AuthorizedKeysCommand the way sshd runs it.
func (r *run) checkAKC(ctx context.Context, d *discovery, e *effective, a *acct) ([]*diag.Finding, []KeyLine) {
	cmdline := e.get("authorizedkeyscommand")
	argv := splitArgs(cmdline)
	newF := func(why string) *diag.Finding {
		p := "AuthorizedKeysCommand"
		if len(argv) > 0 {
			p = argv[0]
		}
		f := diag.NewFinding("server.akc_error").Arg("path", p).Ev("problem", why).Ev("AuthorizedKeysCommand", capText(cmdline, 300))
		if o, ok := e.origin("authorizedkeyscommand"); ok {
			f.Ev("set_in", o.String())
		}
		return f
	}
	if len(argv) == 0 || !filepath.IsAbs(argv[0]) {
		return []*diag.Finding{newF("AuthorizedKeysCommand path is not absolute")}, nil
	}
	prog := argv[0]
	// sshd finds the user first, then looks the command up as that user
	// (misc.c subprocess: drop privileges, stat, safe_path).
	cu := e.get("authorizedkeyscommanduser")
	if cu == "" || strings.EqualFold(cu, "none") {
		return []*diag.Finding{newF("AuthorizedKeysCommand set without AuthorizedKeysCommandUser")}, nil
	}
	runUser, ok := a.db.user(cu)
	if !ok {
		return []*diag.Finding{newF(fmt.Sprintf("AuthorizedKeysCommandUser %q not found", cu))}, nil
	}
	if _, err := r.sys.Stat.Stat(prog); err != nil {
		f := newF(fmt.Sprintf("Could not stat AuthorizedKeysCommand %q: %s", prog, errText(err)))
		f.AddFixes(r.akcParams(d, "access_akc_missing", prog))
		return []*diag.Finding{f}, nil
	}
	_, runGIDs := a.db.groupsOf(runUser)
	if p := canReach(r.sys.Stat, prog, runUser.UID, runGIDs, a.db); p != nil {
		f := newF(fmt.Sprintf("Could not stat AuthorizedKeysCommand %q: Permission denied", prog)).Ev("reason", p.Path+": "+p.Why)
		f.AddFixes(r.akcParams(d, "access_akc_unreachable", prog, "access_akc_user", cu))
		return []*diag.Finding{f}, nil
	}
	if v := safePath(r.sys.Stat, prog, "", r.permRule(d, 0, a.db)); v != nil {
		f := newF(fmt.Sprintf("Unsafe AuthorizedKeysCommand %q: %s", prog, v.LogMessage()))
		if v.Problem != nil {
			f.Ev("reason", v.Problem.Why)
		}
		fp := r.akcParams(d)
		switch {
		case v.Problem == nil:
			// Not a regular file, or realpath failed: no chmod helps.
		case !v.IsDir:
			fp["access_akc_unsafe"] = v.Path
		default:
			fp["access_akc_dir"] = v.Path
			if r.mayTighten(v.Path, a.db) {
				fp["access_akc_unsafe"] = v.Path
			}
		}
		f.AddFixes(fp)
		return []*diag.Finding{f}, nil
	}
	if !r.sys.Root {
		return []*diag.Finding{diag.NewFinding("server.needs_root").Arg("item", "AuthorizedKeysCommand (run as "+cu+")")}, nil
	}
	// Expand the tokens sshd fills for key lookups; a command needing the
	// offered key can only be run with --key.
	args := make([]string, 0, len(argv)-1)
	for _, x := range argv[1:] {
		v, ok := r.expandAKC(x, a)
		if !ok {
			return []*diag.Finding{diag.NewFinding("server.not_checked").Arg("item", "AuthorizedKeysCommand").
				Arg("reason", "its arguments need the client's key; give --key to run it")}, nil
		}
		args = append(args, v)
	}
	ctx, cancel := context.WithTimeout(ctx, akcTimeout)
	defer cancel()
	res := runAs(ctx, runUser.UID, runUser.GID, runGIDs, prog, args...)
	if res.Err != nil || res.ExitCode != 0 {
		why := fmt.Sprintf("AuthorizedKeysCommand %s failed, status %d", prog, res.ExitCode)
		if res.Err != nil {
			why = fmt.Sprintf("AuthorizedKeysCommand %s: %v", prog, res.Err)
		}
		f := newF(why)
		if s := bytes.TrimSpace(res.Stderr); len(s) > 0 {
			f.Ev("stderr", diag.Quote(s, 300))
		}
		run := make([]string, 0, 1+len(args))
		for _, x := range append([]string{prog}, args...) {
			run = append(run, shq(x))
		}
		f.AddFixes(r.akcParams(d, "access_akc_failed", prog, "access_akc_user", cu, "access_akc_run", strings.Join(run, " ")))
		return []*diag.Finding{f}, nil
	}
	lines, _, _ := ParseAuthorizedKeys(bytes.NewReader(res.Stdout), "AuthorizedKeysCommand", time.Local)
	return nil, lines
}

// akcParams are the fix parameters of an AuthorizedKeysCommand finding:
// this machine's sshd, and the name/value pairs kv.
func (r *run) akcParams(d *discovery, kv ...string) catalog.Params {
	p := catalog.Params{"access_sshd": d.sshdCommand()}
	for i := 0; i+1 < len(kv); i += 2 {
		p[kv[i]] = kv[i+1]
	}
	return p
}

// mayTighten reports whether chown root and chmod go-w may be given for a
// directory: not a shared one others must keep writing to (sticky, such
// as /tmp), not "/", not an account's home directory.
func (r *run) mayTighten(dir string, db *accountDB) bool {
	st, err := r.sys.Stat.Stat(dir)
	if err != nil || dir == "/" || st.Mode&fs.ModeSticky != 0 {
		return false
	}
	for _, u := range db.users {
		if u.Home != "" && filepath.Clean(u.Home) == dir {
			return false
		}
	}
	return true
}

func (r *run) expandAKC(s string, a *acct) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case '%':
			b.WriteByte('%')
		case 'u':
			b.WriteString(a.Name)
		case 'U':
			b.WriteString(strconv.FormatUint(uint64(a.UID), 10))
		case 'h':
			b.WriteString(a.Home)
		case 'k', 't', 'f':
			if r.opts.Key == nil {
				return "", false
			}
			switch s[i] {
			case 'k':
				b.WriteString(base64.StdEncoding.EncodeToString(r.opts.Key.Blob))
			case 't':
				b.WriteString(r.opts.Key.Type)
			default:
				b.WriteString(r.opts.Key.Fingerprint())
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}

// ---- server-key: is --key authorized, and would it be accepted? ----

func (r *run) checkKey(ctx context.Context, p *diag.Pass) diag.Result {
	if r.opts.Key == nil {
		return diag.Skip()
	}
	e := diag.ResultOf(p, r.effective)
	a := diag.ResultOf(p, r.account)
	res := diag.ResultOf(p, r.keys)
	key := r.opts.Key
	fp := key.Fingerprint()
	var found *KeyLine
	for i := range res.Usable {
		if bytes.Equal(res.Usable[i].Blob, key.Blob) && !res.Usable[i].CertAuthority {
			found = &res.Usable[i]
			break
		}
	}
	if found == nil {
		b64 := base64.StdEncoding.EncodeToString(key.Blob)
		for _, k := range res.All {
			if bytes.Equal(k.Blob, key.Blob) || (k.Err != "" && len(b64) > 40 && strings.Contains(k.Text, b64[:40])) {
				// On a line sshd does not use: say which and why.
				why := k.Err
				if why == "" {
					why = res.Refused[k.Path]
				}
				if why == "" && !k.Expiry.IsZero() {
					why = "expired " + k.Expiry.Format("2006-01-02")
				}
				if why == "" {
					why = "key type not in PubkeyAcceptedAlgorithms"
				}
				f := diag.NewFinding("server.key_not_authorized").Arg("user", a.Name).Arg("fingerprint", fp)
				f.Ev("found_at", fmt.Sprintf("%s:%d", k.Path, k.Line)).Ev("but", why)
				f.Fix("fix.server_add_key", r.installKeyCommand(a, firstOr(res.Files, a.Home+"/.ssh/authorized_keys")))
				return diag.Conclude(nil, f)
			}
		}
		f := diag.NewFinding("server.key_not_authorized").Arg("user", a.Name).Arg("fingerprint", fp)
		f.Ev("key", key.Type+" "+fp)
		f.Ev("searched", strings.Join(res.Files, ", "))
		f.Fix("fix.server_add_key", r.installKeyCommand(a, firstOr(res.Files, a.Home+"/.ssh/authorized_keys")))
		return diag.Conclude(nil, f)
	}
	var findings []*diag.Finding
	info := diag.NewFinding("server.key_authorized").Arg("path", found.Path).Arg("line", strconv.Itoa(found.Line))
	info.Ev("key", key.Type+" "+fp)
	if len(found.Options) > 0 {
		var opts []string
		for _, o := range found.Options {
			if o.HasValue {
				opts = append(opts, o.Name+"="+strconv.Quote(capText(o.Value, 100)))
			} else {
				opts = append(opts, o.Name)
			}
		}
		info.Ev("options", strings.Join(opts, ","))
	}
	if found.Command != "" {
		info.Ev("forced_command", diag.Quote([]byte(found.Command), 200))
	}
	if found.Restrict {
		info.Ev("restrict", "no port, agent or X11 forwarding, no pty, no ~/.ssh/rc unless re-allowed")
	}
	if found.Comment != "" {
		info.Ev("comment", diag.Quote([]byte(found.Comment), 100))
	}
	findings = append(findings, info)

	if found.From != "" {
		info.Ev("from", found.From)
		if r.opts.From.IsValid() {
			ip := r.opts.From.String()
			switch matchHostAndIP(ip, ip, found.From) {
			case 1:
			case -1:
				f := diag.NewFinding("server.key_from_denied").Arg("from", ip).Arg("path", found.Path).Arg("line", strconv.Itoa(found.Line))
				f.Ev("from=", found.From).Ev("problem", "the from= pattern list is malformed, so sshd refuses the key from everywhere")
				f.Fix("fix.server_key_from", "")
				findings = append(findings, f)
			default:
				f := diag.NewFinding("server.key_from_denied").Arg("from", ip).Arg("path", found.Path).Arg("line", strconv.Itoa(found.Line))
				f.Ev("from=", found.From)
				f.Ev("sshd_log", fmt.Sprintf("Authentication tried for %s with correct key but not from a permitted host (host=%s, ip=%s, required=%s).", a.Name, ip, ip, found.From))
				cmd := ""
				if found.Path != "AuthorizedKeysCommand" {
					cmd = fmt.Sprintf(`sudo sed -i '%ds/from="/from="%s,/' %s`, found.Line, ip, shq(found.Path))
				}
				f.Fix("fix.server_key_from", cmd)
				findings = append(findings, f)
			}
		}
	}
	// RevokedKeys in the plain one-key-per-line form.
	if rk := e.get("revokedkeys"); rk != "" && !strings.EqualFold(rk, "none") {
		if b, err := readCapped(rk, maxKeyFileBytes); err == nil {
			if bytes.HasPrefix(b, []byte("SSHKRL")) {
				info.Ev("revoked_keys", rk+": a binary KRL, not checked")
			} else if lines, _, _ := ParseAuthorizedKeys(bytes.NewReader(b), rk, time.Local); true {
				for _, k := range lines {
					if bytes.Equal(k.Blob, key.Blob) {
						f := diag.NewFinding("server.key_revoked").Arg("file", rk)
						f.Ev("line", fmt.Sprintf("%s:%d", rk, k.Line))
						f.Fix("fix.server_new_key", "ssh-keygen -t ed25519")
						findings = append(findings, f)
						break
					}
				}
			}
		}
	}
	return diag.Conclude(nil, findings...)
}

// ReadPublicKey reads the public key named by --key: an authorized_keys
// style line (a .pub file), or a private key path whose .pub sits next to
// it.
func ReadPublicKey(path string) (*KeyLine, error) {
	// Only regular files (a named pipe would hang); a key saved as UTF-16
	// by PowerShell's `>` is decoded.
	b, _, err := inputfile.ReadFile(path, 256<<10)
	if err != nil {
		return nil, errors.New(errText(err))
	}
	if bytes.Contains(b, []byte("PRIVATE KEY-----")) {
		pb, _, err := inputfile.ReadFile(path+".pub", 256<<10)
		if err != nil {
			return nil, fmt.Errorf("%s is a private key and %s.pub cannot be read: %s", path, path, errText(err))
		}
		b = pb
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, ok := ParseKeyLine(line, time.Local)
		if !ok {
			continue
		}
		if k.Err != "" {
			return nil, fmt.Errorf("%s: %s", path, k.Err)
		}
		return &k, nil
	}
	return nil, fmt.Errorf("%s holds no public key", path)
}
