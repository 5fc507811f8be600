package server

import (
	"io/fs"
	"strings"
	"testing"
)

// fakeFS is a file tree for the permission rules: path -> stat.
type fakeFS map[string]statInfo

func (f fakeFS) Stat(p string) (statInfo, error) {
	if s, ok := f[p]; ok {
		return s, nil
	}
	return statInfo{}, &fs.PathError{Op: "stat", Path: p, Err: fs.ErrNotExist}
}

func (f fakeFS) RealPath(p string) (string, error) {
	if _, ok := f[p]; !ok {
		return "", &fs.PathError{Op: "realpath", Path: p, Err: fs.ErrNotExist}
	}
	return p, nil
}

func dir(mode fs.FileMode, uid, gid uint32) statInfo {
	return statInfo{Mode: fs.ModeDir | mode, UID: uid, GID: gid}
}
func file(mode fs.FileMode, uid, gid uint32) statInfo {
	return statInfo{Mode: mode, UID: uid, GID: gid}
}

func baseTree() fakeFS {
	return fakeFS{
		"/":                                dir(0o755, 0, 0),
		"/home":                            dir(0o755, 0, 0),
		"/home/alice":                      dir(0o755, 1000, 1000),
		"/home/alice/.ssh":                 dir(0o700, 1000, 1000),
		"/home/alice/.ssh/authorized_keys": file(0o600, 1000, 1000),
		"/tmp":                             dir(0o777|fs.ModeSticky, 0, 0),
		"/tmp/keys":                        file(0o644, 1000, 1000),
		"/etc":                             dir(0o755, 0, 0),
		"/etc/ssh":                         dir(0o755, 0, 0),
		"/etc/ssh/keys":                    dir(0o755, 0, 0),
		"/etc/ssh/keys/alice":              file(0o644, 0, 0),
	}
}

func TestSafePath(t *testing.T) {
	db := testDB(t)
	ak := "/home/alice/.ssh/authorized_keys"
	cases := []struct {
		name    string
		change  func(f fakeFS)
		file    string
		debian  bool
		wantBad string // path sshd names; "" = accepted
		isDir   bool
	}{
		{name: "healthy", file: ak},
		{name: "ssh dir 0777", change: func(f fakeFS) { f["/home/alice/.ssh"] = dir(0o777, 1000, 1000) }, file: ak, wantBad: "/home/alice/.ssh", isDir: true},
		{name: "home o+w", change: func(f fakeFS) { f["/home/alice"] = dir(0o757, 1000, 1000) }, file: ak, wantBad: "/home/alice", isDir: true},
		{name: "home g+w upstream", change: func(f fakeFS) { f["/home/alice"] = dir(0o775, 1000, 1000) }, file: ak, wantBad: "/home/alice", isDir: true},
		{name: "home g+w debian private group", change: func(f fakeFS) { f["/home/alice"] = dir(0o775, 1000, 1000) }, file: ak, debian: true},
		{name: "home g+w debian shared group", change: func(f fakeFS) { f["/home/alice"] = dir(0o775, 1000, 2000) }, file: ak, debian: true, wantBad: "/home/alice", isDir: true},
		{name: "file 0666", change: func(f fakeFS) { f[ak] = file(0o666, 1000, 1000) }, file: ak, wantBad: ak},
		{name: "file 0644 fine", change: func(f fakeFS) { f[ak] = file(0o644, 1000, 1000) }, file: ak},
		{name: "file owned by bob", change: func(f fakeFS) { f[ak] = file(0o644, 1001, 1001) }, file: ak, wantBad: ak},
		{name: "file owned by root", change: func(f fakeFS) { f[ak] = file(0o644, 0, 0) }, file: ak},
		{name: "/home group-writable is outside the walk", change: func(f fakeFS) { f["/home"] = dir(0o775, 0, 0) }, file: ak},
		{name: "outside home walks to /", file: "/tmp/keys", wantBad: "/tmp", isDir: true},
		{name: "root-owned system path", file: "/etc/ssh/keys/alice"},
		{name: "not regular", change: func(f fakeFS) { f[ak] = dir(0o700, 1000, 1000) }, file: ak, wantBad: ak},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := baseTree()
			if c.change != nil {
				c.change(f)
			}
			rule := upstreamRule(1000, db)
			if c.debian {
				rule = debianRule(1000, db)
			}
			v := safePath(f, c.file, "/home/alice", rule)
			if c.wantBad == "" {
				if v != nil {
					t.Fatalf("refused: %s (%+v)", v.LogMessage(), v.Problem)
				}
				return
			}
			if v == nil {
				t.Fatal("accepted")
			}
			if v.Path != c.wantBad || v.IsDir != c.isDir {
				t.Fatalf("got %s (dir %v), want %s (dir %v)", v.Path, v.IsDir, c.wantBad, c.isDir)
			}
		})
	}
}

func TestCanOpen(t *testing.T) {
	db := testDB(t)
	ak := "/home/alice/.ssh/authorized_keys"
	f := baseTree()
	if p := canOpen(f, ak, 1000, []uint32{1000}, db); p != nil {
		t.Fatalf("healthy: %+v", p)
	}
	f[ak] = file(0o600, 0, 0)
	if p := canOpen(f, ak, 1000, []uint32{1000}, db); p == nil || p.Path != ak {
		t.Fatalf("root-owned 0600: %+v", p)
	}
	f = baseTree()
	f["/home/alice/.ssh"] = dir(0o700, 1001, 1001)
	if p := canOpen(f, ak, 1000, []uint32{1000}, db); p == nil || p.Path != "/home/alice/.ssh" || !strings.Contains(p.Why, "search") {
		t.Fatalf(".ssh owned by bob: %+v", p)
	}
	f = baseTree()
	f["/home/alice/.ssh"] = dir(0o750, 1001, 2000)
	if p := canOpen(f, ak, 1000, []uint32{1000, 2000}, db); p != nil {
		t.Fatalf("group access: %+v", p)
	}
	if p := canOpen(f, ak, 0, nil, db); p != nil {
		t.Fatal("root reads everything")
	}
}

func TestSoleMemberGroup(t *testing.T) {
	db := testDB(t)
	// alice's private group (gid 1000): only alice has it as primary.
	if !soleMemberGroup(statInfo{UID: 1000, GID: 1000}, 1000, db) {
		t.Error("private group")
	}
	// ops (2000) lists alice and bob.
	if soleMemberGroup(statInfo{UID: 1000, GID: 2000}, 1000, db) {
		t.Error("shared group")
	}
	// sshusers (2001) lists only bob, but the file belongs to alice.
	if soleMemberGroup(statInfo{UID: 1000, GID: 2001}, 1000, db) {
		t.Error("group whose member is not the owner")
	}
	if soleMemberGroup(statInfo{UID: 1000, GID: 4242}, 1000, db) {
		t.Error("unknown group")
	}
}
