package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// statInfo is what the permission rules need from stat(2).
type statInfo struct {
	Mode     fs.FileMode
	UID, GID uint32
}

// statter is the file system as the checks see it; tests substitute a
// temporary tree, the real one is osStatter.
type statter interface {
	Stat(path string) (statInfo, error)
	RealPath(path string) (string, error)
}

type osStatter struct{}

func (osStatter) Stat(path string) (statInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return statInfo{}, err
	}
	uid, gid, ok := fileOwner(fi)
	if !ok {
		return statInfo{}, errors.New("file ownership is not available on this system")
	}
	return statInfo{Mode: fi.Mode(), UID: uid, GID: gid}, nil
}

func (osStatter) RealPath(path string) (string, error) {
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	return filepath.Abs(p)
}

// permRule decides whether one path is safe for a user: nil when it is,
// else why not.
type permRule func(si statInfo) *permProblem

// permProblem says what is wrong with one path.
type permProblem struct {
	BadOwner bool
	BadMode  bool
	Why      string
}

// upstreamRule is OpenSSH's: owned by root or the user, and neither group-
// nor world-writable (misc.c safe_path: st_mode & 022).
func upstreamRule(uid uint32, db *accountDB) permRule {
	return func(si statInfo) *permProblem {
		var p permProblem
		if si.UID != 0 && si.UID != uid {
			p.BadOwner = true
		}
		if si.Mode.Perm()&0o022 != 0 {
			p.BadMode = true
		}
		if !p.BadOwner && !p.BadMode {
			return nil
		}
		p.Why = describe(si, db, p)
		return &p
	}
}

// debianRule is Debian's and Ubuntu's patched rule (secure_permissions):
// like upstream, but group write is allowed when the group's only member
// is the file's owner, who is the user (user private groups).
func debianRule(uid uint32, db *accountDB) permRule {
	return func(si statInfo) *permProblem {
		var p permProblem
		if si.UID != 0 && si.UID != uid {
			p.BadOwner = true
		}
		if si.Mode.Perm()&0o002 != 0 {
			p.BadMode = true
		}
		if si.Mode.Perm()&0o020 != 0 && !soleMemberGroup(si, uid, db) {
			p.BadMode = true
		}
		if !p.BadOwner && !p.BadMode {
			return nil
		}
		p.Why = describe(si, db, p)
		return &p
	}
}

// soleMemberGroup follows Debian's secure_permissions: every account whose
// primary group is the file's group must be the user, the group may list
// at most one supplementary member and it must be the file's owner, and a
// group without members is insecure.
func soleMemberGroup(si statInfo, uid uint32, db *accountDB) bool {
	g, ok := db.groupByGID(si.GID)
	if !ok {
		return false
	}
	members := 0
	for _, u := range db.users {
		if u.GID == g.GID {
			members++
			if u.UID != uid {
				return false
			}
		}
	}
	owner, ok := db.userByUID(si.UID)
	if !ok {
		return false
	}
	if len(g.Members) > 0 {
		members++
		if g.Members[0] != owner.Name || len(g.Members) > 1 {
			return false
		}
	}
	return members > 0
}

func describe(si statInfo, db *accountDB, p permProblem) string {
	var parts []string
	if p.BadOwner {
		parts = append(parts, "owned by "+db.ownerName(si.UID))
	}
	if p.BadMode {
		w := []string{}
		if si.Mode.Perm()&0o020 != 0 {
			w = append(w, "group")
		}
		if si.Mode.Perm()&0o002 != 0 {
			w = append(w, "others")
		}
		parts = append(parts, fmt.Sprintf("mode %04o: writable by %s", modeBits(si.Mode), strings.Join(w, " and ")))
	}
	return strings.Join(parts, ", ")
}

// modeBits renders permission plus setuid/setgid/sticky bits as chmod
// numbers.
func modeBits(m fs.FileMode) uint32 {
	b := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}

// Violation is the first path StrictModes refuses.
type Violation struct {
	Path  string // the real path sshd names in its log
	IsDir bool
	// NotRegular is set when the file itself is not a regular file.
	NotRegular bool
	// RealPathErr is set when realpath failed.
	RealPathErr string
	Problem     *permProblem
	// InsideHome is true when Path is the home directory or below it.
	InsideHome bool
}

// LogMessage is the text sshd logs for this violation.
func (v *Violation) LogMessage() string {
	switch {
	case v.RealPathErr != "":
		return "realpath " + v.Path + " failed: " + v.RealPathErr
	case v.NotRegular:
		return v.Path + " is not a regular file"
	case v.IsDir:
		return "bad ownership or modes for directory " + v.Path
	}
	return "bad ownership or modes for file " + v.Path
}

// safePath is OpenSSH's safe_path (misc.c), the StrictModes walk: the
// file's real path must be a regular file passing rule, then every parent
// directory up to and including the home directory (or up to / when the
// file is outside home) must pass rule too. It returns nil when sshd
// accepts the path.
func safePath(st statter, file, home string, rule permRule) *Violation {
	buf, err := st.RealPath(file)
	if err != nil {
		return &Violation{Path: file, RealPathErr: errText(err)}
	}
	homedir := ""
	if home != "" {
		if h, err := st.RealPath(home); err == nil {
			homedir = h
		}
	}
	inside := func(p string) bool {
		return homedir != "" && (p == homedir || strings.HasPrefix(p, strings.TrimSuffix(homedir, "/")+"/"))
	}
	si, err := st.Stat(buf)
	if err != nil {
		return &Violation{Path: buf, RealPathErr: errText(err)}
	}
	if !si.Mode.IsRegular() {
		return &Violation{Path: buf, NotRegular: true, InsideHome: inside(buf)}
	}
	if p := rule(si); p != nil {
		return &Violation{Path: buf, Problem: p, InsideHome: inside(buf)}
	}
	for {
		buf = filepath.Dir(buf)
		si, err := st.Stat(buf)
		if err != nil {
			return &Violation{Path: buf, IsDir: true, Problem: &permProblem{Why: errText(err)}, InsideHome: inside(buf)}
		}
		if p := rule(si); p != nil {
			return &Violation{Path: buf, IsDir: true, Problem: p, InsideHome: inside(buf)}
		}
		if homedir != "" && buf == homedir {
			return nil
		}
		if buf == "/" || buf == "." {
			return nil
		}
	}
}

// accessProblem is why a user cannot open a path.
type accessProblem struct {
	Path string // the component that stops the user
	Why  string
}

// canOpen decides whether a process running as uid with groups gids can
// open path for reading, from the mode bits of every component (sshd
// opens authorized_keys with the user's identity). ACLs and LSMs are not
// considered here; SELinux is checked separately.
func canOpen(st statter, path string, uid uint32, gids []uint32, db *accountDB) *accessProblem {
	if uid == 0 {
		return nil
	}
	clean := filepath.Clean(path)
	if !filepath.IsAbs(clean) {
		return nil
	}
	comps := strings.Split(strings.TrimPrefix(clean, "/"), "/")
	cur := "/"
	for i := 0; i <= len(comps); i++ {
		si, err := st.Stat(cur)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // the caller reports missing files itself
			}
			return &accessProblem{Path: cur, Why: errText(err)}
		}
		last := i == len(comps)
		need := fs.FileMode(0o1) // search
		if last {
			need = 0o4 // read
		}
		if !permits(si, uid, gids, need) {
			what := "no search (x) permission"
			if last {
				what = "no read permission"
			}
			return &accessProblem{Path: cur, Why: fmt.Sprintf("%s for %s (mode %04o, owner %s)", what,
				db.ownerName(uid), modeBits(si.Mode), db.ownerName(si.UID))}
		}
		if last {
			return nil
		}
		cur = filepath.Join(cur, comps[i])
	}
	return nil
}

// canReach decides whether a process running as uid with groups gids can
// stat path: search (x) permission on every directory above it, from the
// mode bits as canOpen reads them.
func canReach(st statter, path string, uid uint32, gids []uint32, db *accountDB) *accessProblem {
	dir := filepath.Dir(filepath.Clean(path))
	if uid == 0 || !filepath.IsAbs(dir) {
		return nil
	}
	comps := strings.Split(strings.TrimPrefix(dir, "/"), "/")
	cur := "/"
	for i := 0; i <= len(comps); i++ {
		if i > 0 {
			if comps[i-1] == "" {
				break
			}
			cur = filepath.Join(cur, comps[i-1])
		}
		si, err := st.Stat(cur)
		if err != nil {
			return nil // the caller reports what root cannot stat itself
		}
		if !permits(si, uid, gids, 0o1) {
			return &accessProblem{Path: cur, Why: fmt.Sprintf("no search (x) permission for %s (mode %04o, owner %s)",
				db.ownerName(uid), modeBits(si.Mode), db.ownerName(si.UID))}
		}
	}
	return nil
}

// permits applies the owner/group/other permission classes.
func permits(si statInfo, uid uint32, gids []uint32, need fs.FileMode) bool {
	perm := si.Mode.Perm()
	switch {
	case si.UID == uid:
		return (perm>>6)&need == need
	case containsGID(gids, si.GID):
		return (perm>>3)&need == need
	default:
		return perm&need == need
	}
}

func containsGID(gids []uint32, g uint32) bool {
	for _, x := range gids {
		if x == g {
			return true
		}
	}
	return false
}

// errText renders an error without Go's "op path:" prefix.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
