//go:build windows

package winacl

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// ReadFile reads the owner and access list of a file (as SDDL, through
// GetNamedSecurityInfo, the call OpenSSH for Windows makes) and the account
// this process runs as. It never changes anything.
func ReadFile(path string) (*Descriptor, User, error) {
	sd, err := windows.GetNamedSecurityInfo(filepath.FromSlash(path), windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return nil, User{}, err
	}
	d, err := ParseSDDL(sd.String())
	if err != nil {
		return nil, User{}, err
	}
	u, err := CurrentUser()
	return d, u, err
}

// CurrentUser is the account of this process's token, with the SID-history
// comparison OpenSSH makes (same account name, domain and type).
func CurrentUser() (User, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return User{}, err
	}
	sid := tu.User.Sid
	u := User{SID: sid.String()}
	acct, dom, typ, err := sid.LookupAccount("")
	if err != nil {
		return u, nil
	}
	u.Name = dom + `\` + acct
	u.SameAccount = func(s string) bool {
		other, err := windows.StringToSid(s)
		if err != nil {
			return false
		}
		a, d, t, err := other.LookupAccount("")
		return err == nil && t == typ && strings.EqualFold(a, acct) && strings.EqualFold(d, dom)
	}
	return u, nil
}
