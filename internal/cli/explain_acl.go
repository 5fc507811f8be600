package cli

import (
	"bytes"
	"io"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/winacl"
	"github.com/sshdoctor/sshdoctor/internal/winagent"
	"github.com/sshdoctor/sshdoctor/internal/winsshd"
	"github.com/sshdoctor/sshdoctor/sshlog"
)

// maxACLText is how much of each explained input is kept to look for a
// pasted icacls listing: a listing is a few hundred bytes; one at the end
// of a long log is not looked for.
const maxACLText = 256 << 10

// keepHead keeps the first maxACLText bytes written to it.
type keepHead struct{ buf bytes.Buffer }

func (k *keepHead) Write(p []byte) (int, error) {
	if room := maxACLText - k.buf.Len(); room > 0 {
		k.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// teeInputs lets the log reader read each input while its head is kept.
func teeInputs(in []sshlog.Input) ([]sshlog.Input, []*keepHead) {
	out := make([]sshlog.Input, len(in))
	heads := make([]*keepHead, len(in))
	for i, x := range in {
		heads[i] = &keepHead{}
		out[i] = sshlog.Input{Name: x.Name, R: io.TeeReader(x.R, heads[i])}
	}
	return out, heads
}

// aclFindings judges every icacls listing found in the inputs with OpenSSH
// for Windows' rule. The account running ssh is not known here, so names
// icacls prints that are not well-known accounts are left unjudged (a
// warning says so) rather than guessed.
func aclFindings(heads []*keepHead) []*diag.Finding {
	var out []*diag.Finding
	for _, h := range heads {
		out = append(out, winagent.FromText(h.buf.String())...)
		out = append(out, winsshd.FromText(h.buf.String())...)
		for _, c := range winacl.Complaints(h.buf.String()) {
			out = append(out, winacl.ComplaintFinding(c))
		}
		files, err := winacl.ParseIcacls(h.buf.String())
		if err != nil {
			continue
		}
		for _, f := range files {
			if x := winacl.Finding(f.Path, f.Desc, winacl.User{}, winacl.PurposeOf(f.Path)); x != nil {
				out = append(out, x)
			} else {
				ok := diag.NewFinding("perm.acl_ok").Arg("path", f.Path).Ev("file", f.Path)
				for _, a := range f.Desc.DACL {
					ok.Ev("acl_entry", winacl.Describe(a))
				}
				out = append(out, ok.AddFixes(nil))
			}
		}
	}
	return out
}

// mergeACL puts the access-list findings first and drops the generic
// Windows "too open" finding ssh's text gave, which they make precise.
func mergeACL(a *sshlog.Analysis, acl []*diag.Finding) {
	if len(acl) == 0 {
		return
	}
	keyACL, failed := false, false
	for _, f := range acl {
		keyACL = keyACL || f.Code == "perm.private_key_acl"
		failed = failed || f.Severity == diag.SevError
	}
	var rest []*diag.Finding
	for _, f := range a.Findings {
		if f.Code == "explain.unrecognized" || (failed && f.Code == "explain.no_failure") {
			continue
		}
		if keyACL && f.Code == "perm.private_key_too_open" && len(f.Fixes) > 0 && f.Fixes[0].Key == "fix.key_windows_acl" {
			continue
		}
		rest = append(rest, f)
	}
	a.Findings = append(append([]*diag.Finding(nil), acl...), rest...)
	a.Unrecognized = false
}
