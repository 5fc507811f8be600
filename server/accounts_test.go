package server

import (
	"strings"
	"testing"
)

const passwdText = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
# a comment
broken line
alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
bob:x:1001:1001::/home/bob:/bin/sh
ubuntu:x:1002:1002::/home/ubuntu:/bin/bash
svc:x:998:998::/var/lib/svc:/usr/sbin/nologin
`

const groupText = `root:x:0:
alice:x:1000:
bob:x:1001:
ops:x:2000:alice,bob
sshusers:x:2001:bob
`

func testDB(t *testing.T) *accountDB {
	t.Helper()
	us, err := ParsePasswd(strings.NewReader(passwdText))
	if err != nil {
		t.Fatal(err)
	}
	gs, err := ParseGroup(strings.NewReader(groupText))
	if err != nil {
		t.Fatal(err)
	}
	return &accountDB{users: us, groups: gs}
}

func TestParseAccounts(t *testing.T) {
	db := testDB(t)
	if len(db.users) != 6 {
		t.Fatalf("users: %d", len(db.users))
	}
	a, ok := db.user("alice")
	if !ok || a.UID != 1000 || a.Home != "/home/alice" || a.Shell != "/bin/bash" {
		t.Fatalf("alice: %+v", a)
	}
	names, gids := db.groupsOf(a)
	if strings.Join(names, ",") != "alice,ops" || len(gids) != 2 {
		t.Fatalf("groups of alice: %v %v", names, gids)
	}
	if m := db.closeMatches("alcie", 5); len(m) != 1 || m[0] != "alice" {
		t.Fatalf("close matches: %v", m)
	}
	if m := db.closeMatches("ALICE", 5); len(m) != 1 {
		t.Fatalf("case-insensitive close match: %v", m)
	}
}

func TestParseShadow(t *testing.T) {
	sh, err := ParseShadow(strings.NewReader("alice:!:19000:0:99999:7:::\nbob:$y$j9T$abc:0:0:99999:7::11000:\nshort:x\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sh) != 2 || sh[0].Password != "!" || sh[0].Expire != -1 || sh[1].Expire != 11000 || sh[1].LastChange != 0 {
		t.Fatalf("%+v", sh)
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"kitten", "sitting", 3}, {"ubuntu", "ubunut", 2}, {"", "ab", 2}, {"same", "same", 0}} {
		if got := editDistance(c.a, c.b, 5); got != c.want {
			t.Errorf("editDistance(%q,%q)=%d want %d", c.a, c.b, got, c.want)
		}
	}
	if editDistance("a", "abcdefgh", 2) != 3 {
		t.Error("limit")
	}
}
