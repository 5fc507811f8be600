package winacl

import (
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
)

// FixCommands returns the icacls (and takeown) command lines, for
// PowerShell, that make path pass the rule for u, given verdict v. Every
// trustee is written as *SID where the SID is known, so the commands work
// on a Windows installed in any language.
//
// The owner's own access is granted explicitly before inherited entries
// are cut (icacls /inheritance:r), so the fix cannot lock the user out.
func FixCommands(path string, v Verdict, u User, p Purpose) []string {
	q := PSQuote(path)
	var out []string
	if v.BadOwner {
		// takeown makes the current user the owner; changing the owner to
		// someone else needs an elevated prompt.
		out = append(out, "takeown /F "+q)
	}
	me := "${env:USERDOMAIN}\\${env:USERNAME}"
	if u.SID != "" {
		me = "*" + u.SID
	} else if u.Name != "" {
		me = u.Name
	}
	inherited := v.NullDACL
	// Offenders given directly on the file are removed one by one;
	// inherited ones go with the inheritance. An entry that could not be
	// judged may be the user's own and is never removed.
	var explicit []ACE
	for _, a := range v.Offenders {
		if a.Inherited {
			inherited = true
		} else {
			explicit = append(explicit, a)
		}
	}
	for _, a := range v.Unresolved {
		inherited = inherited || a.Inherited
	}
	if inherited || len(explicit) > 0 {
		grant := "F"
		line := "icacls " + q
		if inherited {
			line += " /inheritance:r"
		}
		line += " /grant:r " + PSQuote(me+":"+grant)
		if p == PrivateKey || v.NullDACL {
			// SYSTEM and Administrators keep what Windows itself needs;
			// they are allowed by the rule.
			line += " /grant:r " + PSQuote("*"+SIDSystem+":F") + " /grant:r " + PSQuote("*"+SIDAdministrators+":F")
		}
		out = append(out, line)
	}
	seen := map[string]bool{}
	for _, a := range explicit {
		t := trustee(a)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, "icacls "+q+" /remove:g "+PSQuote(t))
	}
	if len(out) > 0 {
		out = append(out, "icacls "+q)
	}
	return out
}

// AdminKeysFix is Microsoft's documented repair for
// administrators_authorized_keys: Administrators and SYSTEM only, nothing
// inherited (written with SIDs so it works in every language).
func AdminKeysFix(path string) []string {
	q := PSQuote(path)
	return []string{
		"icacls " + q + " /inheritance:r /grant " + PSQuote("*"+SIDAdministrators+":F") + " /grant " + PSQuote("*"+SIDSystem+":F"),
		"icacls " + q,
	}
}

func trustee(a ACE) string {
	if strings.HasPrefix(a.SID, "S-1-") {
		return "*" + a.SID
	}
	return a.Name
}

// PSQuote is the catalog's PowerShell quoting, the one every fix command
// uses.
func PSQuote(s string) string { return catalog.PSQuote(s) }
