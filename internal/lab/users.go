//go:build linux

package lab

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// UserOptions describes a throw-away account.
type UserOptions struct {
	// Shell defaults to /bin/sh.
	Shell string
	// Locked keeps useradd's "!" password (a locked account); by default
	// the password is "*" (no password, not locked), as on cloud images.
	Locked bool
	// Groups are extra groups to create and join.
	Groups []string
	// Name is a fixed account name (a git service's "git"); by default a
	// unique one. An account of that name must not exist already.
	Name string
}

// User is a real account, removed with its home when the test ends.
type User struct {
	Name     string
	Home     string
	UID, GID int
}

// AddUser creates a real account with a unique name.
func AddUser(t testing.TB, o UserOptions) *User {
	t.Helper()
	if o.Shell == "" {
		o.Shell = "/bin/sh"
	}
	name := "sdu" + uniq()
	if o.Name != "" {
		if exec.Command("id", "-u", o.Name).Run() == nil {
			t.Fatalf("lab: an account %q exists already; the lab does not reuse accounts it did not make", o.Name)
		}
		name = o.Name
	}
	args := []string{"-m", "-s", o.Shell}
	var groups []string
	for _, g := range o.Groups {
		if out, err := exec.Command(Tool(t, "groupadd"), "-f", g).CombinedOutput(); err != nil {
			t.Fatalf("lab: groupadd %s: %v: %s", g, err, out)
		}
		groups = append(groups, g)
	}
	if len(groups) > 0 {
		args = append(args, "-G", strings.Join(groups, ","))
	}
	args = append(args, name)
	if out, err := exec.Command(Tool(t, "useradd"), args...).CombinedOutput(); err != nil {
		t.Fatalf("lab: useradd: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("userdel", "-r", "-f", name).Run() })
	if !o.Locked {
		if out, err := exec.Command(Tool(t, "usermod"), "-p", "*", name).CombinedOutput(); err != nil {
			t.Fatalf("lab: usermod: %v: %s", err, out)
		}
	}
	u := &User{Name: name, Home: "/home/" + name}
	out, err := exec.Command("id", "-u", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	u.UID, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	out, err = exec.Command("id", "-g", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	u.GID, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	return u
}

// AuthorizeKey writes ~/.ssh/authorized_keys (0600, in a 0700 ~/.ssh, owned
// by the user) with the given lines.
func (u *User) AuthorizeKey(t testing.TB, lines ...string) string {
	t.Helper()
	dir := filepath.Join(u.Home, ".ssh")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{dir, p} {
		if err := os.Chown(f, u.UID, u.GID); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// NewKey makes a key pair without a passphrase in dir and returns the
// private key path and the public key line.
func NewKey(t testing.TB, dir, typ string) (priv, pub string) {
	t.Helper()
	priv = filepath.Join(dir, "id_"+typ+"_"+uniq())
	args := []string{"-q", "-N", "", "-t", typ, "-f", priv, "-C", "lab-" + typ}
	if typ == "rsa" {
		args = append(args, "-b", "2048")
	}
	if out, err := exec.Command(Tool(t, "ssh-keygen"), args...).CombinedOutput(); err != nil {
		t.Fatalf("lab: ssh-keygen: %v: %s", err, out)
	}
	b, err := os.ReadFile(priv + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return priv, strings.TrimSpace(string(b))
}

// Chpasswd gives an account a password, so that PAM asks for one. Tests
// never type it: they only see that ssh would ask.
func Chpasswd(name, password string) ([]byte, error) {
	p, err := lookTool("chpasswd")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(p)
	cmd.Stdin = strings.NewReader(name + ":" + password + "\n")
	return cmd.CombinedOutput()
}
