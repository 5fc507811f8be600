package sshlog

import (
	"path"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
)

// Finding turns a failure from an sshd log into a diag finding with the
// same code, texts and fixes as the live checks: its lines as evidence
// (each "N: text", quoted and capped), the user, client and time, and the
// exact commands for the observed case. loc renders line numbers (nil:
// plain numbers).
func (f *Failure) Finding(loc locator) *diag.Finding {
	return serverFinding(f.Cause, f.Context, loc)
}

// Finding returns the finding one classified line proves (nil when it
// proves none, e.g. an accepted login).
func (e Event) Finding() *diag.Finding {
	if e.Code == "" {
		return nil
	}
	return serverFinding(e, nil, nil)
}

func serverFinding(e Event, ctx []Event, loc locator) *diag.Finding {
	if e.Code == "" {
		return nil
	}
	f := diag.NewFinding(e.Code)
	user, src := e.User, e.Source
	f.Arg("user", orUnknown(user)).Arg("source", orUnknown(src)).Arg("addr", orUnknown(src)).Arg("from", orUnknown(src))
	lineEv(f, loc, e.Line, e.Text)
	for _, c := range ctx {
		lineEv(f, loc, c.Line, c.Text)
	}
	if user != "" {
		f.Ev("user", quoteText(user))
	}
	if src != "" {
		f.Ev("client", quoteText(src))
	}
	if !e.Time.IsZero() {
		f.Ev("time", e.Time.Format("2006-01-02 15:04:05 -0700"))
	}
	defer complete(f)
	switch e.Code {
	case "server.strictmodes":
		f.Arg("path", orUnknown(e.Path)).Arg("reason", orUnknown(e.Detail))
		// Windows' sshd says only "Authentication refused." (the access
		// list is at debug3) or names the file with a Windows path.
		if windowsPath(e.Path) || e.Detail == "Authentication refused." {
			f.AddFixes(windowsKeyParams(e.Path, user))
			break
		}
		f.AddFixes(strictParams(e.Path, e.Detail, user, f))
	case "server.authkeys_unreadable":
		f.Arg("path", orUnknown(e.Path))
		if windowsPath(e.Path) {
			f.AddFixes(windowsKeyParams(e.Path, user))
			break
		}
		f.AddFixes(unreadableParams(e.Path, e.Detail, user))
	case "server.invalid_user", "server.shell_missing", "server.account_locked", "server.account_expired", "server.root_login_refused":
		if e.Code == "server.shell_missing" {
			f.Arg("shell", orUnknown(e.Path))
		}
		f.AddFixes(params("user", user))
	case "server.allowusers", "server.denyusers", "server.allowgroups", "server.denygroups":
		f.Arg("rule", allowRule(e.Code))
		f.AddFixes(params("user", user, "sshd_spec", connSpec(user, src),
			"access_sshd", "sudo sshd", "test_command", "sudo sshd -t", "access_reload", reloadAnyUnit))
	case "server.pam_account":
		f.Fix("fix.explain_pam_account", cmd("sudo chage -l %s", user))
	case "server.pubkey_alg_rejected":
		f.Arg("algorithm", orUnknown(e.Detail)).Arg("alg", orUnknown(e.Detail))
		f.Ev("algorithm", quoteText(e.Detail))
		f.AddFixes(nil)
	case "server.akc_error":
		f.Arg("path", orUnknown(e.Path)).Arg("command", orUnknown(e.Path)).Arg("reason", orUnknown(e.Detail))
		f.AddFixes(akcParams(e.Detail, e.Path))
	case "server.maxstartups":
		f.Fix("fix.explain_maxstartups", "sudo sshd -T | grep -i -E '^(maxstartups|persourcemaxstartups)'")
	case "server.penalty":
		f.Fix("fix.explain_penalty", cmd("sudo sshd -T | grep -i -E '^persourcepenalt'"))
	case "server.tcp_wrappers":
		f.AddFixes(params("source", src))
	case "server.login_grace":
		f.Fix("fix.explain_login_grace", "sudo sshd -T | grep -i -E '^(logingracetime|usedns)'")
	case "server.config_error":
		f.Arg("path", orUnknown(e.Path)).Arg("detail", orUnknown(e.Detail)).Arg("file", orUnknown(e.Path))
		// sshd's own test of its default configuration, as explain gave it.
		fp := params("test_command", "sudo sshd -t")
		if i := strings.LastIndexByte(e.FileLine, ':'); i > 0 {
			f.Arg("line", e.FileLine[i+1:])
			if _, err := strconv.Atoi(e.FileLine[i+1:]); err == nil {
				fp["line"], fp["file"] = e.FileLine[i+1:], e.FileLine[:i]
			}
		}
		if e.FileLine != "" {
			f.Ev("file", quoteText(e.FileLine))
		}
		f.AddFixes(fp)
	case "server.bind_failed":
		f.Arg("port", portOrUnknown(e.Port))
		f.AddFixes(nil)
	case "server.hostkey_load":
		f.Arg("path", orUnknown(e.Path))
		fp := params()
		if strings.Contains(e.Detail, "bad permissions") {
			fp = params("hostkey_bad_perms", e.Path)
		}
		f.AddFixes(fp)
	case "server.privsep_user":
		f.Arg("user", orUnknown(user))
		f.AddFixes(params("user", user))
	case "server.sshd_relative_path":
		f.Fix("fix.server_absolute_path", "sudo $(command -v sshd)")
	case "server.sshd_session_missing":
		f.Arg("path", orUnknown(e.Path))
		f.AddFixes(nil)
	case "server.privsep_dir":
		f.Arg("path", orUnknown(e.Path))
		f.AddFixes(params("privsep_dir", e.Path))
	case "server.sshd_not_running":
		f.AddFixes(nil)
	case "server.chroot":
		f.Arg("path", orUnknown(e.Path))
		// sshd names the component it refused; without "component" it is
		// the ChrootDirectory itself.
		fp := params("user", user, "access_chroot_bad", e.Path)
		if !strings.Contains(e.Detail, "chroot directory component") {
			fp = params("user", user, "access_chroot_bad", e.Path, "access_chroot_top", e.Path)
		}
		f.AddFixes(fp)
	case "kex.no_kex_alg", "kex.no_hostkey_alg", "kex.no_cipher", "kex.no_mac":
		kexFinding(f, e.Code, e.Detail, src, 0, kexServer)
	case "auth.too_many_failures":
		f.AddFixes(params("ssh_args", destArgs("", user, "HOST")))
	case "auth.publickey_denied":
		if e.Key != "" {
			f.Ev("key", quoteText(e.Key))
		}
		f.AddFixes(params("user", user))
	case "auth.password_denied":
		f.Arg("method", orUnknown(e.Method))
		if user == "root" {
			f.Fix("fix.explain_root_login", "sudo sshd -T | grep -i '^permitrootlogin'")
		}
		f.Fix("fix.explain_password_check", cmd("sudo passwd -S %s", user))
	case "explain.auth_abandoned":
		f.Fix("fix.explain_loglevel_verbose", "sudo sshd -T | grep -i '^loglevel'")
		f.Fix("fix.explain_run_server", cmd("sudo sshdoctor server --user %s", user))
	case "fwd.prohibited":
		f.Arg("target", orUnknown(e.Detail))
		f.Fix("fix.explain_server_forwarding", "sudo sshd -T | grep -i -E '^(allowtcpforwarding|disableforwarding|permitopen)'")
	case "fwd.connect_failed":
		f.Arg("target", orUnknown(targetOf(e.Detail)))
		if h, p, ok := hostPort(targetOf(e.Detail)); ok {
			f.Fix("fix.explain_test_target", cmd("nc -vz -w 5 %s %s", h, p))
		} else {
			f.Fix("fix.explain_test_target", "")
		}
	default:
		// Codes of other areas keep their catalogued texts; nothing more to add.
	}
	return f
}

// reloadAnyUnit reloads sshd under the unit name of either family of
// distributions (Debian's ssh, Red Hat's sshd), grouped so that it runs
// only after the test before it succeeded.
const reloadAnyUnit = "(sudo systemctl reload ssh || sudo systemctl reload sshd)"

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return quoteText(s)
}

func portOrUnknown(p int) string {
	if p <= 0 {
		return "?"
	}
	return strconv.Itoa(p)
}

func allowRule(code string) string {
	switch code {
	case "server.allowusers":
		return "AllowUsers"
	case "server.denyusers":
		return "DenyUsers"
	case "server.allowgroups":
		return "AllowGroups"
	}
	return "DenyGroups"
}

// targetOf extracts "host port N" / "host:port" from forwarding details.
func targetOf(d string) string {
	d = strings.TrimSuffix(strings.TrimSuffix(d, ": failed."), ".")
	if i := strings.Index(d, ": unknown host"); i > 0 {
		d = d[:i]
	}
	if i := strings.Index(d, " port "); i > 0 {
		return d[:i] + ":" + strings.TrimSpace(d[i+6:])
	}
	return d
}

func hostPort(s string) (string, string, bool) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return "", "", false
	}
	h, p := strings.Trim(s[:i], "[]"), s[i+1:]
	if _, err := strconv.Atoi(p); err != nil || h == "" {
		return "", "", false
	}
	return h, p, true
}

// pseudoAlgs are not algorithms but extension markers in KEXINIT lists.
func realAlgs(list string) []string {
	var out []string
	for _, a := range strings.Split(list, ",") {
		a = strings.TrimSpace(a)
		if a == "" || strings.HasPrefix(a, "ext-info-") || strings.HasPrefix(a, "kex-strict-") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// windowsPath reports a Windows path as sshd and ssh print it:
// C:\\Users\\a/.ssh/config, C:/ProgramData/ssh/…, __PROGRAMDATA__/ssh/….
func windowsPath(p string) bool {
	return len(p) > 2 && (p[1] == ':' && (p[2] == '\\' || p[2] == '/') && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z')) ||
		strings.HasPrefix(p, "__PROGRAMDATA__") || strings.HasPrefix(p, `\\`)
}

// winPath writes p the way Windows commands take it.
func winPath(p string) string {
	p = strings.ReplaceAll(p, `\\`, `\`)
	p = strings.ReplaceAll(p, "__PROGRAMDATA__", `C:\ProgramData`)
	return strings.ReplaceAll(p, "/", `\`)
}

// windowsKeyParams are the fix parameters of an authorized keys file
// Windows' sshd refused (p "" when the log did not name it): Windows'
// platform, the file as Windows commands take it, and whether it is the
// administrators' file, which Administrators own.
func windowsKeyParams(p, user string) catalog.Params {
	w := ""
	if p != "" {
		w = winPath(p)
	}
	fp := params(catalog.ParamOS, catalog.OSWindows, "path", w, "user", user)
	if l := strings.ToLower(w); strings.Contains(l, "administrators_authorized_keys") || strings.Contains(l, `\programdata\`) {
		fp["perm_admin_keys"] = "yes"
	}
	return fp
}

// strictParams are the fix parameters of a path StrictModes refused, from
// sshd's message: the file and ~/.ssh are the user's, so they go back to
// the user when the log names the user; any path loses group and world
// write. A directory above ~/.ssh may rightly be root's, so its owner is
// left to the person (advice). The owner goes into f's texts too.
func strictParams(p, detail, user string, f *diag.Finding) catalog.Params {
	if p == "" {
		return params("perm_advice", "yes")
	}
	fp := params("path", p, "user", user, "perm_writable", "yes")
	if user != "" && (strings.Contains(detail, "for file ") || strings.HasSuffix(p, "/.ssh")) {
		fp["perm_owner"] = user
		f.Arg("owner", user)
	} else {
		fp["perm_advice"] = "yes"
	}
	return fp
}

// unreadableParams are the fix parameters of an authorized keys file sshd
// could not open as the user: a file in ~/.ssh goes back to the user with
// its directory, its SELinux labels restored; elsewhere (a directory of
// keys root keeps) the owner is left to the person.
func unreadableParams(p, detail, user string) catalog.Params {
	switch {
	case p == "":
		return params("perm_advice", "yes")
	case detail == "not a regular file":
		return params("path", p, "perm_not_regular", "yes")
	}
	dir := path.Dir(p)
	fp := params("path", p, "user", user, "perm_label_dir", dir)
	if path.Base(dir) == ".ssh" {
		fp["perm_ssh_dir"] = dir
	} else {
		fp["perm_advice"] = "yes"
	}
	return fp
}
