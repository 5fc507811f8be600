// Package winacl evaluates a Windows file's owner and access list the way
// OpenSSH for Windows does before it uses a private key, ~/.ssh/config or
// an authorized_keys file, and writes the icacls commands that repair it.
//
// Everything here is plain Go: a descriptor comes in as text (SDDL, as
// ConvertSecurityDescriptorToStringSecurityDescriptor writes it, or the
// output of icacls), so the rules are tested on any system. Reading a
// file's descriptor is the caller's job (a few lines on Windows).
package winacl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Well-known SIDs the rule names. They are the same on every Windows
// installation and in every language.
const (
	SIDSystem             = "S-1-5-18"
	SIDAdministrators     = "S-1-5-32-544"
	SIDUsers              = "S-1-5-32-545"
	SIDEveryone           = "S-1-1-0"
	SIDAuthenticatedUsers = "S-1-5-11"
	SIDCreatorOwner       = "S-1-3-0"
	SIDOwnerRights        = "S-1-3-4"
	// NT SERVICE\TrustedInstaller: a service SID derived from the service
	// name, so also fixed.
	SIDTrustedInstaller = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
)

// sddlAliases maps the two-letter SID abbreviations of SDDL to SIDs. The
// domain-relative ones (DA, DU, LA, …) are missing on purpose: they need
// the machine's or domain's SID and stay unresolved (kept as written).
var sddlAliases = map[string]string{
	"AN": "S-1-5-7", "AO": "S-1-5-32-548", "AU": SIDAuthenticatedUsers, "BA": SIDAdministrators,
	"BG": "S-1-5-32-546", "BO": "S-1-5-32-551", "BU": SIDUsers, "CO": SIDCreatorOwner, "CG": "S-1-3-1",
	"OW": SIDOwnerRights, "IU": "S-1-5-4", "LS": "S-1-5-19", "NS": "S-1-5-20", "NU": "S-1-5-2",
	"PU": "S-1-5-32-547", "RD": "S-1-5-32-555", "SU": "S-1-5-6", "SY": SIDSystem, "WD": SIDEveryone,
	"AC": "S-1-15-2-1", "SO": "S-1-5-32-549", "PS": "S-1-5-10", "RC": "S-1-5-12", "WR": "S-1-5-33",
	"ER": "S-1-5-32-573", "LU": "S-1-5-32-559", "MU": "S-1-5-32-558", "RU": "S-1-5-32-554",
	"NO": "S-1-5-32-556", "SS": "S-1-18-2", "AS": "S-1-18-1", "RM": "S-1-5-32-580", "HA": "S-1-5-32-578",
}

// Access mask bits (winnt.h) used to describe and judge an entry.
const (
	FileReadData       = 0x1
	FileWriteData      = 0x2
	FileAppendData     = 0x4
	FileReadEA         = 0x8
	FileWriteEA        = 0x10
	FileExecute        = 0x20
	FileDeleteChild    = 0x40
	FileReadAttributes = 0x80
	FileWriteAttrs     = 0x100
	Delete             = 0x10000
	ReadControl        = 0x20000
	WriteDAC           = 0x40000
	WriteOwner         = 0x80000
	Synchronize        = 0x100000
	GenericAll         = 0x10000000
	GenericExecute     = 0x20000000
	GenericWrite       = 0x40000000
	GenericRead        = 0x80000000

	FileAllAccess = 0x1f01ff
	// WriteClass is OpenSSH's SSH_SECURE_WRITE_MASK: the rights no
	// untrusted account may hold on a file that may otherwise be read.
	WriteClass = FileWriteData | FileWriteAttrs | FileWriteEA | FileAppendData | WriteDAC | WriteOwner | Delete
)

var sddlRights = map[string]uint32{
	"GA": GenericAll, "GR": GenericRead, "GW": GenericWrite, "GX": GenericExecute,
	"RC": ReadControl, "SD": Delete, "WD": WriteDAC, "WO": WriteOwner,
	"RP": 0x10, "WP": 0x20, "CC": 0x1, "DC": 0x2, "LC": 0x4, "SW": 0x8, "LO": 0x80, "DT": 0x40, "CR": 0x100,
	"FA": FileAllAccess, "FR": 0x120089, "FW": 0x120116, "FX": 0x1200a0,
	"KA": 0xf003f, "KR": 0x20019, "KW": 0x20006, "KX": 0x20019,
}

// AceType is the kind of an access control entry.
type AceType string

const (
	Allow AceType = "A"
	Deny  AceType = "D"
	// Other entry types (object, callback, audit) are kept with their SDDL
	// letters; OpenSSH ignores every type but plain allow.
)

// ACE is one entry of a DACL.
type ACE struct {
	Type AceType
	// Inherited: the entry comes from the parent folder (SDDL flag ID,
	// icacls "(I)"); icacls /inheritance:r removes it.
	Inherited bool
	// InheritOnly: the entry applies to children only (IO).
	InheritOnly bool
	Mask        uint32
	// SID in S-1-… form when known; Name as icacls printed it (DOMAIN\user)
	// when the entry came from icacls output.
	SID  string
	Name string
	// Raw is the entry as written, for evidence.
	Raw string
}

// Descriptor is the part of a security descriptor the rule reads.
type Descriptor struct {
	Owner string // SID; "" when the text did not carry it (icacls)
	// DACLKnown: the text carried a DACL. NullDACL: it was
	// NO_ACCESS_CONTROL, which grants everyone everything.
	DACLKnown bool
	NullDACL  bool
	Protected bool // P: inheritance blocked
	DACL      []ACE
	// Source says where the descriptor came from: "sddl" or "icacls".
	Source string
}

// maxSDDL bounds what ParseSDDL reads: a file's descriptor is a few
// hundred bytes; thousands of entries are not a real file's.
const maxSDDL = 64 << 10

// ErrSyntax is wrapped by every parse error.
var ErrSyntax = errors.New("not a security descriptor")

// ParseSDDL reads a security descriptor in SDDL form (O:, G:, D:, S:
// parts; SACL and group are skipped).
func ParseSDDL(s string) (*Descriptor, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxSDDL {
		return nil, fmt.Errorf("%w: %d bytes is more than a file's descriptor", ErrSyntax, len(s))
	}
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrSyntax)
	}
	d := &Descriptor{Source: "sddl"}
	for len(s) > 0 {
		if len(s) < 2 || s[1] != ':' {
			return nil, fmt.Errorf("%w: expected O:, G:, D: or S: at %q", ErrSyntax, clip(s))
		}
		part := s[0]
		s = s[2:]
		// A part runs to the next "X:" that is not inside parentheses.
		end := len(s)
		depth := 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth--
			case ':':
				if depth == 0 && i > 0 && strings.IndexByte("OGDS", s[i-1]) >= 0 {
					end = i - 1
				}
			}
			if end != len(s) {
				break
			}
		}
		body := s[:end]
		s = s[end:]
		switch part {
		case 'O':
			sid, ok := resolveSID(body)
			if !ok {
				return nil, fmt.Errorf("%w: owner %q", ErrSyntax, clip(body))
			}
			d.Owner = sid
		case 'G', 'S':
			// not read
		case 'D':
			if err := parseDACL(d, body); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: unknown part %q", ErrSyntax, string(part))
		}
	}
	return d, nil
}

func parseDACL(d *Descriptor, body string) error {
	d.DACLKnown = true
	i := strings.IndexByte(body, '(')
	flags := body
	if i >= 0 {
		flags = body[:i]
		body = body[i:]
	} else {
		body = ""
	}
	if strings.Contains(flags, "NO_ACCESS_CONTROL") {
		d.NullDACL = true
	}
	d.Protected = strings.Contains(strings.ReplaceAll(flags, "NO_ACCESS_CONTROL", ""), "P")
	for body != "" {
		if body[0] != '(' {
			return fmt.Errorf("%w: expected ( at %q", ErrSyntax, clip(body))
		}
		j := strings.IndexByte(body, ')')
		if j < 0 {
			return fmt.Errorf("%w: unclosed entry %q", ErrSyntax, clip(body))
		}
		ace, err := parseACE(body[1:j])
		if err != nil {
			return err
		}
		d.DACL = append(d.DACL, ace)
		body = body[j+1:]
	}
	return nil
}

// parseACE reads type;flags;rights;object;inherit-object;sid[;attributes].
func parseACE(s string) (ACE, error) {
	f := strings.Split(s, ";")
	if len(f) < 6 {
		return ACE{}, fmt.Errorf("%w: entry %q has %d fields, not 6", ErrSyntax, clip(s), len(f))
	}
	a := ACE{Type: AceType(f[0]), Raw: "(" + s + ")"}
	for fl := f[1]; fl != ""; {
		if len(fl) < 2 {
			return ACE{}, fmt.Errorf("%w: entry flags %q", ErrSyntax, f[1])
		}
		switch fl[:2] {
		case "ID":
			a.Inherited = true
		case "IO":
			a.InheritOnly = true
		case "CI", "OI", "NP", "SA", "FA", "TP", "CR":
		default:
			return ACE{}, fmt.Errorf("%w: entry flag %q", ErrSyntax, fl[:2])
		}
		fl = fl[2:]
	}
	m, err := parseRights(f[2])
	if err != nil {
		return ACE{}, err
	}
	a.Mask = m
	sid, ok := resolveSID(f[5])
	if !ok {
		return ACE{}, fmt.Errorf("%w: trustee %q", ErrSyntax, clip(f[5]))
	}
	a.SID = sid
	return a, nil
}

func parseRights(r string) (uint32, error) {
	if strings.HasPrefix(r, "0x") || strings.HasPrefix(r, "0X") {
		v, err := strconv.ParseUint(r[2:], 16, 32)
		if err != nil {
			return 0, fmt.Errorf("%w: rights %q", ErrSyntax, r)
		}
		return uint32(v), nil
	}
	if r != "" && r[0] >= '0' && r[0] <= '9' {
		v, err := strconv.ParseUint(r, 0, 32)
		if err != nil {
			return 0, fmt.Errorf("%w: rights %q", ErrSyntax, r)
		}
		return uint32(v), nil
	}
	var m uint32
	for len(r) > 0 {
		if len(r) < 2 {
			return 0, fmt.Errorf("%w: rights %q", ErrSyntax, r)
		}
		v, ok := sddlRights[r[:2]]
		if !ok {
			return 0, fmt.Errorf("%w: right %q", ErrSyntax, r[:2])
		}
		m |= v
		r = r[2:]
	}
	return m, nil
}

// resolveSID turns an SDDL trustee (alias or S-1-…) into a SID string.
// Unknown two-letter aliases stay as they are (domain-relative ones).
func resolveSID(s string) (string, bool) {
	if v, ok := sddlAliases[s]; ok {
		return v, true
	}
	if strings.HasPrefix(s, "S-1-") && validSID(s) {
		return s, true
	}
	if len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' {
		return s, true
	}
	return "", false
}

func validSID(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || len(parts) > 18 {
		return false
	}
	for _, p := range parts[1:] {
		if _, err := strconv.ParseUint(p, 10, 64); err != nil {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
