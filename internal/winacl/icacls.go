package winacl

import (
	"fmt"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// icaclsNames maps the English names icacls prints for well-known accounts
// to their SIDs. Names in other languages stay unresolved (the evaluation
// then says it cannot tell, rather than guess).
var icaclsNames = map[string]string{
	`nt authority\system`:              SIDSystem,
	`builtin\administrators`:           SIDAdministrators,
	`builtin\users`:                    SIDUsers,
	`everyone`:                         SIDEveryone,
	`nt authority\authenticated users`: SIDAuthenticatedUsers,
	`creator owner`:                    SIDCreatorOwner,
	`owner rights`:                     SIDOwnerRights,
	`nt service\trustedinstaller`:      SIDTrustedInstaller,
	`nt authority\interactive`:         "S-1-5-4",
	`nt authority\network`:             "S-1-5-2",
	`nt authority\local service`:       "S-1-5-19",
	`nt authority\network service`:     "S-1-5-20",
	`application package authority\all application packages`: "S-1-15-2-1",
}

// icacls simple rights and specific rights (icacls /?).
var icaclsRights = map[string]uint32{
	"F": FileAllAccess, "M": 0x1301bf, "RX": 0x1200a9, "R": 0x120089, "W": 0x100116, "D": Delete, "N": 0,
	"DE": Delete, "RC": ReadControl, "WDAC": WriteDAC, "WO": WriteOwner, "S": Synchronize,
	"GR": GenericRead, "GW": GenericWrite, "GE": GenericExecute, "GA": GenericAll,
	"RD": FileReadData, "WD": FileWriteData, "AD": FileAppendData, "REA": FileReadEA, "WEA": FileWriteEA,
	"X": FileExecute, "DC": FileDeleteChild, "RA": FileReadAttributes, "WA": FileWriteAttrs,
	"AS": 0x1000000, "MA": 0x2000000,
}

// aceTail matches "TRUSTEE:(…)(…)" at the end of an icacls line.
var aceTail = lazyre.New(`:((?:\([A-Za-z,]+\))+)$`)

// maxIcacls bounds the text ParseIcacls reads.
const maxIcacls = 1 << 20

// IcaclsFile is one file's entries as icacls listed them.
type IcaclsFile struct {
	Path string
	Desc *Descriptor
}

// ParseIcacls reads the output of `icacls FILE…`: a first line with the
// path and the first entry, continuation lines indented to the column of
// the first entry, and a closing "Successfully processed" line. Text
// around it (a prompt, the command) is skipped.
func ParseIcacls(out string) ([]IcaclsFile, error) {
	if len(out) > maxIcacls {
		return nil, fmt.Errorf("%w: %d bytes of icacls output is more than a listing", ErrSyntax, len(out))
	}
	var files []IcaclsFile
	var cur *IcaclsFile
	col := -1
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	for i, line := range lines {
		line = strings.TrimRight(line, " \t\r")
		m := aceTail.FindStringSubmatchIndex(line)
		if m == nil {
			cur = nil
			continue
		}
		head := line[:m[0]]
		perms := line[m[2]:m[3]]
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if cur != nil && indent > 0 {
			if col < 0 {
				col = indent
			}
			ace, err := icaclsACE(strings.TrimSpace(head), perms, strings.TrimSpace(line))
			if err != nil {
				return nil, err
			}
			cur.Desc.DACL = append(cur.Desc.DACL, ace)
			continue
		}
		if indent > 0 {
			continue
		}
		// A first line: PATH TRUSTEE:(…). The continuation lines are
		// indented to where TRUSTEE starts, which tells a path with spaces
		// from a trustee with spaces.
		cut := trusteeStart(head, nextIndent(lines[i+1:]))
		if cut <= 0 {
			cur = nil
			continue
		}
		files = append(files, IcaclsFile{Path: head[:cut-1], Desc: &Descriptor{Source: "icacls", DACLKnown: true}})
		cur = &files[len(files)-1]
		col = -1
		ace, err := icaclsACE(head[cut:], perms, line[cut:])
		if err != nil {
			return nil, err
		}
		cur.Desc.DACL = append(cur.Desc.DACL, ace)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no icacls listing found", ErrSyntax)
	}
	return files, nil
}

// nextIndent is the indentation of the following continuation line, or -1.
func nextIndent(rest []string) int {
	if len(rest) == 0 {
		return -1
	}
	l := strings.TrimRight(rest[0], " \t\r")
	ind := len(l) - len(strings.TrimLeft(l, " "))
	if ind == 0 || aceTail.FindStringIndex(l) == nil {
		return -1
	}
	return ind
}

// trusteeStart finds where the first trustee begins on a first line.
func trusteeStart(head string, indent int) int {
	if indent > 0 && indent < len(head) && head[indent-1] == ' ' {
		return indent
	}
	// One entry only: a known account name with spaces, else the last word.
	low := strings.ToLower(head)
	for name := range icaclsNames {
		if strings.HasSuffix(low, " "+name) {
			return len(head) - len(name)
		}
	}
	return strings.LastIndexByte(head, ' ') + 1
}

func icaclsACE(trustee, perms, raw string) (ACE, error) {
	a := ACE{Type: Allow, Name: trustee, Raw: raw}
	if sid, ok := icaclsNames[strings.ToLower(trustee)]; ok {
		a.SID = sid
	} else if strings.HasPrefix(trustee, "S-1-") || strings.HasPrefix(trustee, "*S-1-") {
		if s := strings.TrimPrefix(trustee, "*"); validSID(s) {
			a.SID = s
		}
	}
	for _, g := range strings.Split(strings.Trim(perms, "()"), ")(") {
		switch g {
		case "I":
			a.Inherited = true
		case "IO":
			a.InheritOnly = true
		case "OI", "CI", "NP":
		case "DENY":
			a.Type = Deny
		default:
			for _, r := range strings.Split(g, ",") {
				v, ok := icaclsRights[strings.ToUpper(r)]
				if !ok {
					return ACE{}, fmt.Errorf("%w: icacls right %q", ErrSyntax, r)
				}
				a.Mask |= v
			}
		}
	}
	return a, nil
}
