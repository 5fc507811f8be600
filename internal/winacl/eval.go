package winacl

import (
	"fmt"
	"strings"
)

// The rule, as OpenSSH for Windows applies it (PowerShell/openssh-portable,
// contrib/win32/win32compat/w32-sshfileperm.c, check_secure_file_permission):
//
//   - the owner must be BUILTIN\Administrators, SYSTEM, the user, or
//     NT SERVICE\TrustedInstaller ("Bad owner on …" otherwise);
//   - every ACCESS_ALLOWED entry (no other entry type is looked at, deny
//     entries included) must name Administrators, SYSTEM, the user or
//     TrustedInstaller — or, when the caller allows reading (read_ok), grant
//     none of the write-class rights FILE_WRITE_DATA, FILE_WRITE_ATTRIBUTES,
//     FILE_WRITE_EA, FILE_APPEND_DATA, WRITE_DAC, WRITE_OWNER, DELETE;
//   - an entry for another SID that resolves to the same account name as
//     the user (SID history) is accepted;
//   - a DACL that is not valid (a NULL DACL) fails.
//
// The first entry that breaks it is named: "Bad permissions. Try removing
// permissions for user: DOMAIN\name (SID) on file PATH."
//
// Callers: authfile.c checks private keys with read_ok 0 (no one else may
// have any access at all); readconf.c checks the user's ssh config with
// read_ok 1; sshd checks authorized_keys and
// administrators_authorized_keys with read_ok 1 (openssh-portable#481).

// Purpose selects the read_ok of the rule.
type Purpose int

const (
	// PrivateKey: nobody but the trusted accounts may hold any right.
	PrivateKey Purpose = iota
	// ReadableByOthers: config and authorized_keys files; others may read.
	ReadableByOthers
)

// User is the account ssh runs as (or, for sshd, the account logging in).
type User struct {
	SID  string // S-1-5-21-…; "" when unknown
	Name string // DOMAIN\name as Windows prints it; "" when unknown
	// SameAccount, when set, says whether another SID is this user's
	// (OpenSSH's LookupAccountSid comparison, for SID history). Only the
	// Windows layer can answer it.
	SameAccount func(sid string) bool
}

// Verdict is the rule's answer for one descriptor.
type Verdict struct {
	// Decided is false when the text did not carry enough to apply the
	// rule (localized account names in icacls output, an unresolved
	// alias): then Unresolved lists what could not be judged.
	Decided bool
	OK      bool
	// OwnerChecked: the descriptor carried the owner (SDDL does, icacls
	// does not). BadOwner: the owner is none of the accepted accounts.
	OwnerChecked bool
	BadOwner     bool
	Owner        string
	// Offenders are the entries the rule rejects, in ACL order; ssh names
	// the first.
	Offenders  []ACE
	Unresolved []ACE
	// NullDACL: no access list at all, which lets everyone in.
	NullDACL bool
}

func trusted(sid string) bool {
	return sid == SIDAdministrators || sid == SIDSystem || sid == SIDTrustedInstaller
}

func (u User) is(a ACE) bool {
	if u.SID != "" && a.SID != "" && strings.EqualFold(a.SID, u.SID) {
		return true
	}
	if u.Name != "" && a.Name != "" && strings.EqualFold(a.Name, u.Name) {
		return true
	}
	return a.SID != "" && u.SameAccount != nil && u.SameAccount(a.SID)
}

// Evaluate applies the rule to d for user u.
func Evaluate(d *Descriptor, u User, p Purpose) Verdict {
	v := Verdict{Owner: d.Owner}
	if d.NullDACL {
		v.Decided, v.NullDACL = true, true
		return v
	}
	if d.Owner != "" {
		v.OwnerChecked = true
		v.BadOwner = !trusted(d.Owner) && !(u.SID != "" && strings.EqualFold(d.Owner, u.SID))
	}
	for _, a := range d.DACL {
		if a.Type != Allow {
			continue
		}
		if trusted(a.SID) || u.is(a) {
			continue
		}
		if p == ReadableByOthers && a.Mask&WriteClass == 0 {
			continue
		}
		if !knownOther(a, u) {
			v.Unresolved = append(v.Unresolved, a)
			continue
		}
		v.Offenders = append(v.Offenders, a)
	}
	v.Decided = len(v.Unresolved) == 0 || len(v.Offenders) > 0 || v.BadOwner
	v.OK = !v.BadOwner && len(v.Offenders) == 0 && len(v.Unresolved) == 0
	return v
}

// knownOther: the entry certainly names someone other than the user and
// the trusted accounts. A well-known group is; a name icacls printed that
// is not in the English table, or a domain-relative alias, might be a
// translated "Administrators" or the user under another spelling.
func knownOther(a ACE, u User) bool {
	if a.SID == "" {
		return false // a name only, and not a known one
	}
	if strings.HasPrefix(a.SID, "S-1-") {
		if strings.HasPrefix(a.SID, "S-1-5-21-") && u.SID == "" && u.SameAccount == nil {
			// an account SID, and the user's own SID is not known
			return false
		}
		return true
	}
	return false // unresolved two-letter alias
}

// Who names an entry's trustee for people: the name icacls printed, the
// well-known name of a SID, or the SID.
func Who(a ACE) string {
	if a.Name != "" {
		if strings.HasPrefix(a.SID, "S-1-") && !strings.EqualFold(strings.TrimPrefix(a.Name, "*"), a.SID) {
			return a.Name + " (" + a.SID + ")"
		}
		return a.Name
	}
	if n := wellKnownName(a.SID); n != "" {
		return n + " (" + a.SID + ")"
	}
	return a.SID
}

func wellKnownName(sid string) string {
	for n, s := range icaclsNames {
		if s == sid {
			return properName(n)
		}
	}
	return ""
}

var proper = map[string]string{
	`nt authority\system`: `NT AUTHORITY\SYSTEM`, `builtin\administrators`: `BUILTIN\Administrators`,
	`builtin\users`: `BUILTIN\Users`, `everyone`: `Everyone`,
	`nt authority\authenticated users`: `NT AUTHORITY\Authenticated Users`, `creator owner`: `CREATOR OWNER`,
	`owner rights`: `OWNER RIGHTS`, `nt service\trustedinstaller`: `NT SERVICE\TrustedInstaller`,
	`nt authority\interactive`: `NT AUTHORITY\INTERACTIVE`, `nt authority\network`: `NT AUTHORITY\NETWORK`,
	`nt authority\local service`: `NT AUTHORITY\LOCAL SERVICE`, `nt authority\network service`: `NT AUTHORITY\NETWORK SERVICE`,
	`application package authority\all application packages`: `APPLICATION PACKAGE AUTHORITY\ALL APPLICATION PACKAGES`,
}

func properName(n string) string {
	if p, ok := proper[n]; ok {
		return p
	}
	return n
}

// Rights describes a mask in icacls' letters: F, M, RX, R, W, or the
// specific rights.
func Rights(m uint32) string {
	for _, s := range []string{"F", "M", "RX", "R", "W"} {
		if icaclsRights[s] == m {
			return s
		}
	}
	if m == 0 {
		return "N"
	}
	var out []string
	for _, s := range []string{"GA", "GR", "GW", "GE", "DE", "RC", "WDAC", "WO", "S", "RD", "WD", "AD", "REA", "WEA", "X", "DC", "RA", "WA"} {
		if m&icaclsRights[s] != 0 {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return fmt.Sprintf("0x%x", m)
	}
	return strings.Join(out, ",")
}

// Describe is one line for evidence: who holds which rights, and whether
// the entry is inherited.
func Describe(a ACE) string {
	s := Who(a) + ":(" + Rights(a.Mask) + ")"
	if a.Inherited {
		s += " inherited"
	}
	return s
}
