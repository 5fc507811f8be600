package server

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Account is one /etc/passwd entry.
type Account struct {
	Name  string
	UID   uint32
	GID   uint32
	Home  string
	Shell string
}

// Shadow is the part of an /etc/shadow entry that decides logins. Day
// counts are days since 1970-01-01; -1 means empty (no limit).
type Shadow struct {
	Name       string
	Password   string
	LastChange int64
	MaxDays    int64
	Expire     int64
}

// Group is one /etc/group entry.
type Group struct {
	Name    string
	GID     uint32
	Members []string
}

// maxDBBytes caps how much of passwd, group or shadow is read: far above
// any real file (100k accounts), small enough to stay harmless.
const maxDBBytes = 16 << 20

// colonLines calls fn with the fields of each non-comment line.
func colonLines(r io.Reader, fn func(f []string)) error {
	sc := bufio.NewScanner(io.LimitReader(r, maxDBBytes))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		fn(strings.Split(line, ":"))
	}
	return sc.Err()
}

// ParsePasswd reads /etc/passwd-format text; malformed lines are skipped
// as getpwent skips them.
func ParsePasswd(r io.Reader) ([]Account, error) {
	var out []Account
	err := colonLines(r, func(f []string) {
		if len(f) < 7 || f[0] == "" {
			return
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil {
			return
		}
		out = append(out, Account{Name: f[0], UID: uint32(uid), GID: uint32(gid), Home: f[5], Shell: f[6]})
	})
	return out, err
}

// ParseGroup reads /etc/group-format text.
func ParseGroup(r io.Reader) ([]Group, error) {
	var out []Group
	err := colonLines(r, func(f []string) {
		if len(f) < 4 || f[0] == "" {
			return
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return
		}
		g := Group{Name: f[0], GID: uint32(gid)}
		for _, m := range strings.Split(f[3], ",") {
			if m = strings.TrimSpace(m); m != "" {
				g.Members = append(g.Members, m)
			}
		}
		out = append(out, g)
	})
	return out, err
}

// ParseShadow reads /etc/shadow-format text.
func ParseShadow(r io.Reader) ([]Shadow, error) {
	var out []Shadow
	num := func(s string) int64 {
		if s == "" {
			return -1
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return -1
		}
		return n
	}
	err := colonLines(r, func(f []string) {
		if len(f) < 8 || f[0] == "" {
			return
		}
		out = append(out, Shadow{Name: f[0], Password: f[1], LastChange: num(f[2]), MaxDays: num(f[4]), Expire: num(f[7])})
	})
	return out, err
}

// accountDB is the local account database as sshd sees it through NSS
// files.
type accountDB struct {
	users  []Account
	groups []Group
}

func (db *accountDB) user(name string) (Account, bool) {
	for _, u := range db.users {
		if u.Name == name {
			return u, true
		}
	}
	return Account{}, false
}

func (db *accountDB) userByUID(uid uint32) (Account, bool) {
	for _, u := range db.users {
		if u.UID == uid {
			return u, true
		}
	}
	return Account{}, false
}

func (db *accountDB) groupByGID(gid uint32) (Group, bool) {
	for _, g := range db.groups {
		if g.GID == gid {
			return g, true
		}
	}
	return Group{}, false
}

// groupsOf returns the names and ids of u's primary and supplementary
// groups (getgrouplist).
func (db *accountDB) groupsOf(u Account) (names []string, gids []uint32) {
	seen := map[uint32]bool{}
	if g, ok := db.groupByGID(u.GID); ok {
		names = append(names, g.Name)
	}
	gids = append(gids, u.GID)
	seen[u.GID] = true
	for _, g := range db.groups {
		for _, m := range g.Members {
			if m == u.Name && !seen[g.GID] {
				seen[g.GID] = true
				names = append(names, g.Name)
				gids = append(gids, g.GID)
			}
		}
	}
	return names, gids
}

// ownerName renders a uid as "name (uid N)" or "uid N".
func (db *accountDB) ownerName(uid uint32) string {
	if u, ok := db.userByUID(uid); ok {
		return u.Name
	}
	return "uid " + strconv.FormatUint(uint64(uid), 10)
}

// closeMatches returns account names within edit distance 2 of name (or
// equal ignoring case), at most max of them, login-capable ones first.
func (db *accountDB) closeMatches(name string, max int) []string {
	var out []string
	for _, u := range db.users {
		if len(out) >= max {
			break
		}
		if strings.EqualFold(u.Name, name) || editDistance(strings.ToLower(u.Name), strings.ToLower(name), 2) <= 2 {
			out = append(out, u.Name)
		}
	}
	return out
}

// editDistance is Levenshtein distance, giving up (returning limit+1) once
// it is certain to exceed limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	if len(a) > 64 || len(b) > 64 {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// cloudDefaultUsers are the login names cloud and distribution images
// create; when someone tries a name that does not exist, the right one is
// usually among these.
var cloudDefaultUsers = []string{"ubuntu", "ec2-user", "debian", "admin", "centos", "fedora", "rocky", "almalinux", "azureuser", "opc", "core", "cloud-user", "bitnami", "vagrant", "pi"}
