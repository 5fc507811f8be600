package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// loadAccounts reads the local passwd and group files.
func (r *run) loadAccounts() (*accountDB, error) {
	db := &accountDB{}
	f, err := os.Open(r.sys.PasswdFile)
	if err != nil {
		return nil, err
	}
	db.users, err = ParsePasswd(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	if g, err := os.Open(r.sys.GroupFile); err == nil {
		db.groups, _ = ParseGroup(g)
		g.Close()
	}
	return db, nil
}

// getent asks NSS (LDAP, SSSD…) for a user missing from the files.
func (r *run) getent(ctx context.Context, db *accountDB, name string) (Account, bool) {
	ge, err := r.sys.LookPath("getent")
	if err != nil {
		return Account{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	res := r.sys.Exec(ctx, ge, "passwd", name)
	if res.ExitCode != 0 {
		return Account{}, false
	}
	us, _ := ParsePasswd(strings.NewReader(string(res.Stdout)))
	for _, u := range us {
		if u.Name == name {
			// Its groups come from NSS too.
			if gr := r.sys.Exec(ctx, ge, "group"); gr.ExitCode == 0 {
				if gs, err := ParseGroup(strings.NewReader(string(gr.Stdout))); err == nil {
					db.groups = gs
				}
			}
			db.users = append(db.users, u)
			return u, true
		}
	}
	return Account{}, false
}

// acct is what server-account passes on.
type acct struct {
	Account
	Groups []string
	GIDs   []uint32
	db     *accountDB
}

func (r *run) checkAccount(ctx context.Context, p *diag.Pass) (*acct, bool, diag.Result) {
	if r.opts.User == "" {
		return nil, false, diag.Skip()
	}
	d := diag.ResultOf(p, r.sshd)
	e := diag.ResultOf(p, r.effective)
	db, err := r.loadAccounts()
	if err != nil {
		return nil, false, diag.Inconclusive(diag.NewFinding("server.not_checked").Arg("item", r.sys.PasswdFile).Arg("reason", errText(err)))
	}
	name := r.opts.User
	u, ok := db.user(name)
	if !ok {
		u, ok = r.getent(ctx, db, name)
	}
	if !ok {
		f := diag.NewFinding("server.invalid_user").Arg("user", name)
		if m := db.closeMatches(name, 5); len(m) > 0 {
			f.Ev("similar_accounts", strings.Join(m, ", "))
		}
		var present []string
		for _, c := range cloudDefaultUsers {
			if cu, ok := db.user(c); ok && !isNoLogin(cu.Shell) {
				present = append(present, c)
			}
		}
		if len(present) > 0 {
			f.Ev("image_default_users_here", strings.Join(present, ", "))
		}
		f.AddFixes(catalog.Params{"user": name})
		return nil, false, diag.Conclude(nil, f)
	}
	a := &acct{Account: u, db: db}
	a.Groups, a.GIDs = db.groupsOf(u)
	var findings []*diag.Finding

	// Home directory.
	if u.Home == "" {
		u.Home = "/"
	}
	if _, err := os.Stat(u.Home); errors.Is(err, fs.ErrNotExist) {
		f := diag.NewFinding("server.home_missing").Arg("user", name).Arg("home", u.Home)
		f.Fix("fix.server_create_home", fmt.Sprintf("sudo mkdir -p %s && sudo chown %s: %s && sudo chmod 755 %s", shq(u.Home), shq(name), shq(u.Home), shq(u.Home)))
		findings = append(findings, f)
	}

	// Shell (auth.c allowed_user, unless ChrootDirectory is set).
	shell := u.Shell
	if shell == "" {
		shell = "/bin/sh"
	}
	chroot := e.get("chrootdirectory")
	if chroot == "" || strings.EqualFold(chroot, "none") {
		st, err := os.Stat(shell)
		switch {
		case err != nil:
			f := diag.NewFinding("server.shell_missing").Arg("user", name).Arg("shell", shell).Ev("error", errText(err))
			f.AddFixes(catalog.Params{"user": name})
			findings = append(findings, f)
		case !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0:
			f := diag.NewFinding("server.shell_missing").Arg("user", name).Arg("shell", shell).Ev("mode", fmt.Sprintf("%04o", modeBits(st.Mode())))
			f.AddFixes(catalog.Params{"user": name})
			findings = append(findings, f)
		case isNoLogin(shell):
			f := diag.NewFinding("server.nologin_shell").Arg("user", name).Arg("shell", shell)
			f.Fix("fix.server_set_shell", "sudo usermod -s /bin/bash "+shq(name))
			findings = append(findings, f)
		}
	}

	// ChrootDirectory is checked by sshd after authentication; ForceCommand
	// replaces whatever the client asks to run.
	findings = append(findings, r.checkChroot(e, a)...)
	if f := forcedCommand(e, name); f != nil {
		findings = append(findings, f)
	}

	// /etc/nologin and /run/nologin refuse everyone but root.
	if u.UID != 0 {
		for _, nl := range r.sys.NologinFiles {
			if _, err := os.Stat(nl); err == nil {
				f := diag.NewFinding("server.pam_nologin").Arg("path", nl)
				if b, err := readCapped(nl, 512); err == nil && len(b) > 0 {
					f.Ev("message", diag.Quote(b, 300))
				}
				f.Fix("fix.server_remove_nologin", "sudo rm "+shq(nl))
				findings = append(findings, f)
				break
			}
		}
	}

	// AllowUsers / DenyUsers / AllowGroups / DenyGroups, in sshd's order.
	ip := ""
	if r.opts.From.IsValid() {
		ip = r.opts.From.String()
	}
	findings = append(findings, r.allowDeny(d, e, a, ip)...)

	// PermitRootLogin.
	if u.UID == 0 {
		switch prl := strings.ToLower(e.get("permitrootlogin")); prl {
		case "no":
			f := diag.NewFinding("server.root_login_refused").Ev("PermitRootLogin", prl)
			if o, ok := e.origin("permitrootlogin"); ok {
				f.Ev("set_in", o.String())
			}
			f.AddFixes(catalog.Params{"user": name})
			findings = append(findings, f)
		case "forced-commands-only":
			// Keys work only on authorized_keys lines with command="…".
			f := diag.NewFinding("server.root_login_refused").Sev(diag.SevWarning).Ev("PermitRootLogin", prl).
				Ev("meaning", "root may log in only with a key whose authorized_keys line has command=")
			f.AddFixes(catalog.Params{"user": name})
			findings = append(findings, f)
		}
	}
	return a, true, diag.Conclude(nil, findings...)
}

// isNoLogin reports the shells that refuse interactive logins.
func isNoLogin(shell string) bool {
	switch filepath.Base(shell) {
	case "nologin", "false":
		return true
	}
	return false
}

var simpleWord = lazyre.New(`^[A-Za-z0-9_.@-]+$`)

func (r *run) allowDeny(d *discovery, e *effective, a *acct, ip string) []*diag.Finding {
	name := a.Name
	rule := func(code, kw string) *diag.Finding {
		f := diag.NewFinding(code).Arg("user", name)
		k := strings.ToLower(kw)
		f.Ev(kw, capText(strings.Join(e.S[k], " "), 400))
		f.Arg("file", d.Config).Arg("line", "?")
		if o, ok := e.origin(k); ok {
			f.Ev("set_in", o.String())
			f.Arg("file", o.File).Arg("line", strconv.Itoa(o.Line))
		}
		if ip != "" {
			f.Ev("client", ip)
		}
		return f
	}
	var hostDep []string
	for _, pat := range e.S["denyusers"] {
		m, dep := matchUser(name, ip, ip, pat)
		if dep {
			hostDep = append(hostDep, "DenyUsers "+pat)
		}
		if m == 1 {
			f := rule("server.denyusers", "DenyUsers").Arg("pattern", pat)
			fp := accessParams(d, name, ip)
			if o, ok := e.origin("denyusers"); ok {
				fp["file"], fp["line"] = o.File, strconv.Itoa(o.Line)
				switch {
				case len(e.S["denyusers"]) == 1:
					// The line holds only this pattern: comment it out.
					fp["access_deny_alone"] = "yes"
				case simpleWord.MatchString(pat):
					fp["access_deny_re"] = regexp.QuoteMeta(pat)
				}
			}
			f.AddFixes(fp)
			return []*diag.Finding{f}
		}
	}
	if allow := e.S["allowusers"]; len(allow) > 0 {
		ok := false
		for _, pat := range allow {
			m, dep := matchUser(name, ip, ip, pat)
			if dep {
				hostDep = append(hostDep, "AllowUsers "+pat)
			}
			if m == 1 {
				ok = true
				break
			}
		}
		if !ok && len(hostDep) == 0 {
			f := rule("server.allowusers", "AllowUsers")
			fp := accessParams(d, name, ip)
			if o, ok := e.origin("allowusers"); ok {
				fp["file"], fp["line"] = o.File, strconv.Itoa(o.Line)
				if simpleWord.MatchString(name) {
					fp["access_add_user"] = name
				}
			}
			f.AddFixes(fp)
			return []*diag.Finding{f}
		}
		if !ok {
			// Whether sshd refuses the user depends on the client's
			// address: adding the bare name would admit it from anywhere,
			// so the edit stays advice.
			f := rule("server.allowusers", "AllowUsers").Sev(diag.SevWarning)
			f.Ev("depends_on_client", strings.Join(hostDep, "; ")+" (give --from to decide)")
			fp := accessParams(d, name, ip)
			if o, ok := e.origin("allowusers"); ok {
				fp["file"], fp["line"] = o.File, strconv.Itoa(o.Line)
			}
			f.AddFixes(fp)
			return []*diag.Finding{f}
		}
	}
	dg, ag := e.S["denygroups"], e.S["allowgroups"]
	if len(dg) > 0 || len(ag) > 0 {
		for _, pat := range dg {
			for i, g := range a.Groups {
				if matchPattern(g, pat) {
					f := rule("server.denygroups", "DenyGroups").Arg("group", g).Ev("group", g)
					fp := accessParams(d, name, ip)
					fp["access_group"] = g
					if a.GIDs[i] != a.GID {
						fp["access_leave_group"] = g
					}
					f.AddFixes(fp)
					return []*diag.Finding{f}
				}
			}
		}
		if len(ag) > 0 {
			ok := false
			for _, pat := range ag {
				for _, g := range a.Groups {
					if matchPattern(g, pat) {
						ok = true
					}
				}
			}
			if !ok {
				f := rule("server.allowgroups", "AllowGroups").Ev("groups_of_user", strings.Join(a.Groups, ", "))
				fp := accessParams(d, name, ip)
				for _, pat := range ag {
					if simpleWord.MatchString(pat) {
						if _, exists := groupNamed(a.db, pat); exists {
							fp["access_allowed_group"] = pat
							break
						}
					}
				}
				f.AddFixes(fp)
				return []*diag.Finding{f}
			}
		}
	}
	return nil
}

// accessParams are the fix parameters every refusal by an access rule
// shares: the user, the connection sshd is asked about (the client's
// address when --from gave it) and this machine's sshd commands.
func accessParams(d *discovery, user, ip string) catalog.Params {
	client := "CLIENT_IP"
	if ip != "" {
		client = ip
	}
	return catalog.Params{
		"user":          user,
		"sshd_spec":     "user=" + user + ",host=" + client + ",addr=" + client,
		"access_sshd":   d.sshdCommand(),
		"test_command":  d.testCommand(),
		"access_reload": d.reloadCommand(),
	}
}

func groupNamed(db *accountDB, name string) (Group, bool) {
	for _, g := range db.groups {
		if g.Name == name {
			return g, true
		}
	}
	return Group{}, false
}

// ---- server-account-status: /etc/shadow ----

func (r *run) checkAccountStatus(ctx context.Context, p *diag.Pass) diag.Result {
	e := diag.ResultOf(p, r.effective)
	a := diag.ResultOf(p, r.account)
	f, err := os.Open(r.sys.ShadowFile)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return diag.Inconclusive(diag.NewFinding("server.needs_root").Arg("item", r.sys.ShadowFile).
				Fix("fix.server_run_as_root", "sudo sshdoctor server --user "+shq(a.Name)))
		}
		if errors.Is(err, fs.ErrNotExist) {
			return diag.Conclude(nil)
		}
		return diag.Inconclusive(diag.NewFinding("server.not_checked").Arg("item", r.sys.ShadowFile).Arg("reason", errText(err)))
	}
	entries, err := ParseShadow(f)
	f.Close()
	if err != nil {
		return diag.Inconclusive(diag.NewFinding("server.not_checked").Arg("item", r.sys.ShadowFile).Arg("reason", errText(err)))
	}
	var sh *Shadow
	for i := range entries {
		if entries[i].Name == a.Name {
			sh = &entries[i]
			break
		}
	}
	if sh == nil {
		return diag.Conclude(nil) // an NSS account: its status is not in the file
	}
	usePAM := isYes(e.get("usepam"))
	today := r.sys.Now().Unix() / 86400
	var findings []*diag.Finding
	name := shq(a.Name)
	if !usePAM && strings.HasPrefix(sh.Password, "!") {
		f := diag.NewFinding("server.account_locked").Arg("user", a.Name)
		f.Ev("shadow_password_field", lockedPrefix(sh.Password))
		f.Ev("UsePAM", "no")
		f.AddFixes(catalog.Params{"user": a.Name})
		findings = append(findings, f)
	}
	// pam_unix refuses from the expiry day on; sshd without PAM from the day after.
	expired := sh.Expire != -1 && ((usePAM && today >= sh.Expire) || (!usePAM && today > sh.Expire))
	if expired {
		date := time.Unix(sh.Expire*86400, 0).UTC().Format("2006-01-02")
		f := diag.NewFinding("server.account_expired").Arg("user", a.Name).Arg("date", date)
		f.Ev("expired_on", date)
		f.AddFixes(catalog.Params{"user": a.Name})
		findings = append(findings, f)
	}
	if usePAM && !expired && (sh.LastChange == 0 || (sh.MaxDays >= 0 && sh.MaxDays < 99999 && sh.LastChange > 0 && today-sh.LastChange > sh.MaxDays)) {
		f := diag.NewFinding("server.password_expired").Arg("user", a.Name).Sev(diag.SevWarning)
		if sh.LastChange == 0 {
			f.Ev("reason", "a password change is forced (last change = 0)")
		} else {
			f.Ev("reason", fmt.Sprintf("last changed %d days ago, maximum %d", today-sh.LastChange, sh.MaxDays))
		}
		f.Fix("fix.server_set_password", "sudo passwd "+name)
		findings = append(findings, f)
	}
	return diag.Conclude(nil, findings...)
}

// lockedPrefix shows the lock marker of a password hash without the hash.
func lockedPrefix(pw string) string {
	if len(pw) <= 2 {
		return pw
	}
	return pw[:1] + "… (locked)"
}
