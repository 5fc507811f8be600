package winacl

import (
	"path"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// PurposeOf guesses what ssh uses a file for from its name: the user's
// config and authorized_keys files may be read by others; anything else
// handed to this check is treated as a private key.
func PurposeOf(p string) Purpose {
	base := strings.ToLower(path.Base(strings.ReplaceAll(p, `\`, "/")))
	switch {
	case base == "config", base == "ssh_config", strings.HasSuffix(base, "authorized_keys"), base == "sshd_config":
		return ReadableByOthers
	}
	return PrivateKey
}

// Finding turns a verdict into the finding a person reads, with the icacls
// commands that repair the file; nil when the file passes. A verdict that
// could not be decided gives a warning that names what was not judged.
func Finding(file string, d *Descriptor, u User, p Purpose) *diag.Finding {
	v := Evaluate(d, u, p)
	if v.OK {
		return nil
	}
	code := "perm.private_key_acl"
	fixKey := "fix.icacls_private_key"
	if p == ReadableByOthers {
		code, fixKey = "perm.ssh_file_acl", "fix.icacls_ssh_file"
		if strings.HasSuffix(strings.ToLower(file), "administrators_authorized_keys") {
			fixKey = "fix.icacls_admin_keys"
		}
	}
	var f *diag.Finding
	switch {
	case v.NullDACL:
		f = diag.NewFinding(code).Arg("path", file).Arg("who", "Everyone (no access list)")
	case v.BadOwner:
		f = diag.NewFinding("perm.acl_bad_owner").Arg("path", file).Arg("owner", ownerName(v.Owner))
	case len(v.Offenders) > 0:
		f = diag.NewFinding(code).Arg("path", file).Arg("who", Who(v.Offenders[0]))
	default:
		f = diag.NewFinding("perm.acl_unresolved").Sev(diag.SevWarning).Arg("path", file).Arg("who", Who(v.Unresolved[0]))
	}
	f.Ev("file", file)
	if v.OwnerChecked {
		f.Ev("owner", ownerName(v.Owner))
	} else {
		f.Ev("owner", "not in the listing (icacls does not show it)")
	}
	for _, a := range d.DACL {
		f.Ev("acl_entry", describeType(a))
	}
	for _, a := range v.Offenders {
		f.Ev("not_allowed", Describe(a))
	}
	for _, a := range v.Unresolved {
		f.Ev("not_judged", Describe(a))
	}
	if len(v.Offenders) > 0 {
		a := v.Offenders[0]
		f.Ev("ssh_would_say", "Bad permissions. Try removing permissions for user: "+Who(a)+" on file "+file+".")
	}
	if p == ReadableByOthers {
		f.Ev("rule", "owner: you, SYSTEM, Administrators or TrustedInstaller; write access: only those")
	} else {
		f.Ev("rule", "owner: you, SYSTEM, Administrators or TrustedInstaller; any access: only those")
	}
	var cmds []string
	if fixKey == "fix.icacls_admin_keys" {
		cmds = AdminKeysFix(file)
	} else {
		cmds = FixCommands(file, v, u, p)
	}
	if len(cmds) > 0 {
		f.Fix(fixKey, strings.Join(cmds, "\n"))
	}
	return f
}

func ownerName(sid string) string {
	if n := wellKnownName(sid); n != "" {
		return n + " (" + sid + ")"
	}
	return sid
}

func describeType(a ACE) string {
	s := Describe(a)
	switch a.Type {
	case Allow:
	case Deny:
		s = "deny " + s
	default:
		s = string(a.Type) + " " + s
	}
	return s
}

// Complaint is OpenSSH for Windows naming the entry it refused:
// "Bad permissions. Try removing permissions for user: DOMAIN\name (SID)
// on file PATH."
type Complaint struct {
	Who, SID, Path string
	Line           string
}

// Older builds name the SID alone ("user: S-1-5-11 on file …").
var complaintRE = lazyre.New(`Bad permissions\. Try removing permissions for user: (.+?) on file (.+?)\.(?:\s|\*|$)`)
var whoSIDRE = lazyre.New(`^(.*) \((S-1-[0-9-]+)\)$`)

// Complaints finds ssh's (or sshd's) own naming of the refused entry in
// text, at most a few dozen.
func Complaints(text string) []Complaint {
	var out []Complaint
	seen := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		m := complaintRE.FindStringSubmatch(strings.TrimRight(l, "\r"))
		if m == nil {
			continue
		}
		who, sid, file := m[1], "", m[2]
		if w := whoSIDRE.FindStringSubmatch(who); w != nil {
			who, sid = w[1], w[2]
		} else if validSID(who) {
			sid, who = who, wellKnownName(who)
		}
		if !validSID(sid) || seen[sid+file] {
			continue
		}
		seen[sid+file] = true
		if who == "" {
			who = sid
		}
		who = strings.TrimPrefix(strings.ReplaceAll(who, `\\`, `\`), `\`)
		out = append(out, Complaint{Who: who, SID: sid, Path: file, Line: strings.TrimSpace(l)})
		if len(out) == 32 {
			break
		}
	}
	return out
}

// ComplaintFinding explains ssh's complaint and repairs it whether the
// entry is on the file itself or inherited from its folder.
func ComplaintFinding(c Complaint) *diag.Finding {
	p := PurposeOf(c.Path)
	code, fixKey := "perm.private_key_acl", "fix.icacls_private_key"
	if p == ReadableByOthers {
		code, fixKey = "perm.ssh_file_acl", "fix.icacls_ssh_file"
	}
	who := c.Who + " (" + c.SID + ")"
	if c.Who == c.SID {
		who = c.SID
	}
	f := diag.NewFinding(code).Arg("path", c.Path).Arg("who", who).Ev("file", c.Path).Ev("ssh_said", c.Line)
	if trusted(c.SID) {
		return f // cannot be: ssh accepts these; show what it said
	}
	if strings.HasSuffix(strings.ToLower(c.Path), "administrators_authorized_keys") {
		return f.Fix("fix.icacls_admin_keys", strings.Join(AdminKeysFix(strings.ReplaceAll(c.Path, "/", `\`)), "\n"))
	}
	v := Verdict{Decided: true, Offenders: []ACE{{Type: Allow, SID: c.SID, Name: c.Who, Inherited: true}}}
	cmds := FixCommands(c.Path, v, User{}, p)
	last := cmds[len(cmds)-1]
	cmds = append(cmds[:len(cmds)-1], "icacls "+PSQuote(c.Path)+" /remove:g "+PSQuote("*"+c.SID), last)
	return f.Fix(fixKey, strings.Join(cmds, "\n"))
}
