package server

import (
	"fmt"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
)

// expandChroot expands ChrootDirectory's tokens as sshd does before it
// chroots (session.c do_setusercontext: tilde_expand_filename, then
// percent_expand with %h home, %u user name, %U numeric uid, %% a '%').
func expandChroot(v string, a Account) string {
	if strings.HasPrefix(v, "~/") {
		v = a.Home + v[1:]
	} else if v == "~" {
		v = a.Home
	}
	return percentExpand(v, a)
}

// chrootComponents lists the paths safely_chroot (session.c) stats, from
// "/" down to the directory itself.
func chrootComponents(path string) []string {
	out := []string{"/"}
	for i := 1; i < len(path); i++ {
		if path[i] == '/' {
			out = append(out, path[:i])
		}
	}
	if p := strings.TrimRight(path, "/"); p != "" {
		out = append(out, p)
	}
	return out
}

// checkChroot walks the user's ChrootDirectory the way sshd does after a
// successful login: every component must exist, be a directory, be owned
// by root and not be writable by group or others — otherwise sshd ends the
// session at once ("bad ownership or modes for chroot directory"), which
// the client sees as a closed connection right after authentication.
func (r *run) checkChroot(e *effective, a *acct) []*diag.Finding {
	raw := e.get("chrootdirectory")
	if raw == "" || strings.EqualFold(raw, "none") {
		return nil
	}
	path := expandChroot(raw, a.Account)
	at := ""
	if o, ok := e.origin("chrootdirectory"); ok {
		at = o.String()
	}
	finding := func(component, why string) *diag.Finding {
		f := diag.NewFinding("server.chroot").Arg("path", path).Ev("ChrootDirectory", raw).Ev("chroot_path", path).
			Ev("component", component).Ev("problem", why)
		if at != "" {
			f.Ev("set_in", at)
		}
		return f
	}
	if !strings.HasPrefix(path, "/") {
		f := finding(path, "does not begin at /")
		return []*diag.Finding{f.AddFixes(catalog.Params{"user": a.Name, "access_chroot_relative": "yes"})}
	}
	for _, c := range chrootComponents(path) {
		st, err := r.sys.Stat.Stat(c)
		if err != nil {
			f := finding(c, errText(err))
			return []*diag.Finding{f.AddFixes(catalog.Params{"user": a.Name, "access_chroot_missing": path})}
		}
		if st.UID != 0 || modeBits(st.Mode)&0o022 != 0 {
			why := fmt.Sprintf("owner uid %d, mode %04o: sshd wants root and no group or other write", st.UID, modeBits(st.Mode))
			f := finding(c, why)
			fp := catalog.Params{"user": a.Name, "access_chroot_bad": c}
			if c == path {
				// The user may have wanted to write there: a directory of
				// theirs inside the chroot keeps the chroot safe.
				fp["access_chroot_top"] = path
			}
			return []*diag.Finding{f.AddFixes(fp)}
		}
		if !st.Mode.IsDir() {
			f := finding(c, "not a directory")
			return []*diag.Finding{f.AddFixes(catalog.Params{"user": a.Name, "access_chroot_missing": path})}
		}
	}
	return []*diag.Finding{diag.NewFinding("server.chroot_ok").Arg("user", a.Name).Arg("path", path).Ev("ChrootDirectory", raw)}
}

// forcedCommand says what ForceCommand (and an internal-sftp subsystem)
// mean for this user: `ssh host cmd` does not run cmd.
func forcedCommand(e *effective, user string) *diag.Finding {
	fc := e.get("forcecommand")
	if fc == "" || strings.EqualFold(fc, "none") {
		return nil
	}
	code := "server.force_command"
	if strings.EqualFold(strings.Fields(fc)[0], "internal-sftp") {
		code = "server.sftp_only"
	}
	f := diag.NewFinding(code).Arg("user", user).Arg("command", capText(fc, 200)).Ev("ForceCommand", capText(fc, 400))
	if o, ok := e.origin("forcecommand"); ok {
		f.Ev("set_in", o.String())
	}
	return f
}
