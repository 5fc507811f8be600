package server

import "testing"

// TestCanReach: sshd stats an AuthorizedKeysCommand as its user, which
// needs search permission on every directory above it and nothing on the
// file itself.
func TestCanReach(t *testing.T) {
	db := testDB(t)
	f := baseTree()
	f["/etc/ssh/keys/alice"] = file(0o700, 0, 0) // unreadable: stat needs no read
	if p := canReach(f, "/etc/ssh/keys/alice", 1000, []uint32{1000}, db); p != nil {
		t.Fatalf("searchable directories: %+v", p)
	}
	f["/etc/ssh/keys"] = dir(0o750, 0, 1000)
	if p := canReach(f, "/etc/ssh/keys/alice", 1000, []uint32{1000}, db); p != nil {
		t.Fatalf("directory searchable by the user's group: %+v", p)
	}
	f["/etc/ssh/keys"] = dir(0o700, 0, 0)
	if p := canReach(f, "/etc/ssh/keys/alice", 1000, []uint32{1000}, db); p == nil || p.Path != "/etc/ssh/keys" {
		t.Fatalf("root-only directory: %+v", p)
	}
	if p := canReach(f, "/etc/ssh/keys/alice", 0, []uint32{0}, db); p != nil {
		t.Fatalf("root: %+v", p)
	}
	f["/"] = dir(0o700, 0, 0)
	if p := canReach(f, "/prog", 1000, []uint32{1000}, db); p == nil || p.Path != "/" {
		t.Fatalf("a command in a root-only /: %+v", p)
	}
}
