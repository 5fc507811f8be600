package client

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/winacl"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// keyFileFindings reports problems with identity files the way ssh would
// meet them: a named file that is missing, a file ssh cannot parse, a
// private key it refuses for its permissions (when it reads it). They are
// warnings here; the auth layer makes one the root cause when it is.
func (r *Run) keyFileFindings(s *Settings, list []*offer, authOK bool) []*diag.Finding {
	var out []*diag.Finding
	seen := map[string]bool{}
	// ssh drops an -i file that does not exist, with a warning, before
	// reading its config (so ssh -G lists the defaults instead).
	for _, p := range r.opts.Identities {
		p = expandPath(p, s, r.opts.Host)
		if _, err := os.Stat(p); err != nil && !seen[p] {
			seen[p] = true
			out = append(out, diag.NewFinding("key.missing").Sev(diag.SevWarning).Arg("path", p).
				Ev("file", p).Ev("error", err.Error()).
				Ev("ssh_would_say", "Warning: Identity file "+p+" not accessible: No such file or directory.").
				AddFixes(catalog.Params{"key_dir": filepath.Dir(p)}))
		}
	}
	for _, o := range list {
		kf := o.kf
		if kf == nil || o.extra || seen[kf.Path] {
			continue
		}
		seen[kf.Path] = true
		switch {
		case kf.Private == sshwire.PrivMissing && kf.Public == nil:
			if o.userProvided {
				out = append(out, diag.NewFinding("key.missing").Sev(diag.SevWarning).Arg("path", kf.Path).
					Ev("file", kf.Path).
					Ev("ssh_would_say", "Warning: Identity file "+kf.Path+" not accessible: No such file or directory.").
					AddFixes(catalog.Params{"key_dir": filepath.Dir(kf.Path)}))
			}
		case invalidState(kf.Private) && !o.inAgent && (o.userProvided || kf.Private != sshwire.PrivPublicKey):
			out = append(out, r.invalidKeyFinding(kf, kf.Path).Sev(diag.SevWarning))
		}
		if tooOpen, _ := privateKeyTooOpen(kf.Path); tooOpen && !o.inAgent &&
			(o.result == sshwire.QueryAccepted || strings.HasPrefix(o.skip, "bad permissions")) {
			out = append(out, r.permFinding(kf.Path).Sev(diag.SevWarning))
		}
		if kf.Private == sshwire.PrivEncrypted && !o.inAgent && o.key == nil && o.skip != "" {
			out = append(out, diag.NewFinding("key.passphrase_needed").Arg("path", kf.Path).Ev("file", kf.Path).
				Ev("note", "no public key (.pub) next to it, so ssh must decrypt it before it can even offer it").
				Fix("fix.key_add_to_agent", "ssh-add "+shellQuote(kf.Path)))
		}
	}
	return out
}

func invalidState(p sshwire.PrivateState) bool {
	switch p {
	case sshwire.PrivPuTTY, sshwire.PrivCRLF, sshwire.PrivLayout, sshwire.PrivTruncated, sshwire.PrivInvalid, sshwire.PrivPublicKey,
		sshwire.PrivNotRegular, sshwire.PrivTooLarge:
		return true
	}
	return false
}

// invalidKeyFinding explains why ssh cannot read a private key file, with
// the fix for that kind of file.
func (r *Run) invalidKeyFinding(kf *sshwire.KeyFile, path string) *diag.Finding {
	f := diag.NewFinding("key.invalid_format").Arg("path", path)
	fp := catalog.Params{catalog.ParamOS: runtime.GOOS, "path": path}
	if kf == nil {
		fp["key_dir"] = filepath.Dir(path)
		return f.Arg("reason", "missing").Ev("file", path).AddFixes(fp)
	}
	reason := string(kf.Private)
	if kf.Detail != "" {
		reason = kf.Detail
	}
	f.Arg("reason", reason).Ev("file", path).Ev("found", reason).
		Ev("ssh_would_say", "Load key \""+path+"\": invalid format (OpenSSH built with OpenSSL 3 before 10.4 says \"error in libcrypto\")")
	switch kf.Private {
	case sshwire.PrivPuTTY:
		fp["perm_ppk"], fp["perm_ppk_out"] = path, strings.TrimSuffix(path, ".ppk")+"_openssh"
	case sshwire.PrivCRLF, sshwire.PrivLayout:
		// One rewrite for all: Notepad's copy has CR LF and a BOM.
		fp["perm_layout"] = path
	case sshwire.PrivPublicKey:
		fp["private_key"] = strings.TrimSuffix(path, ".pub")
		fp["ssh_args"] = strings.TrimPrefix(r.sshCommand(""), "ssh ")
		if tooOpen, mode := privateKeyTooOpen(path); tooOpen {
			f.Ev("mode", mode).Ev("ssh_also_says", "Permissions "+mode+" for '"+path+"' are too open.")
		}
	default:
		fp["perm_key_check"] = path
	}
	return f.AddFixes(fp)
}

// permFinding is OpenSSH's "UNPROTECTED PRIVATE KEY FILE!" refusal.
func (r *Run) permFinding(path string) *diag.Finding {
	if aclFinding != nil {
		if f := aclFinding(path, winacl.PrivateKey); f != nil {
			return f
		}
	}
	_, mode := privateKeyTooOpen(path)
	m, uid := fileModeOwner(path)
	if mode == "" {
		mode = m
	}
	return diag.NewFinding("perm.private_key_too_open").Arg("path", path).Arg("mode", mode).
		Ev("file", path).Ev("mode", mode).Ev("owner_uid", uid).
		Ev("ssh_would_say", "Permissions "+mode+" for '"+path+"' are too open. … This private key will be ignored.").
		AddFixes(catalog.Params{catalog.ParamOS: runtime.GOOS, "path": path})
}
