package sshconfig

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in      string
		comment bool
		want    []string
		err     bool
	}{
		{`a b  c`, true, []string{"a", "b", "c"}, false},
		{`"/Users/a b/known_hosts" ~/.ssh/kh2`, true, []string{"/Users/a b/known_hosts", "~/.ssh/kh2"}, false},
		{`'/x y' z`, true, []string{"/x y", "z"}, false},
		{`/x\ y z`, true, []string{"/x y", "z"}, false},
		{`"a \" b"`, true, []string{`a " b`}, false},
		{`C:\Users\a\.ssh\id`, true, []string{`C:\Users\a\.ssh\id`}, false},
		{`host # a comment`, true, []string{"host"}, false},
		{`host#notacomment`, true, []string{"host#notacomment"}, false},
		{`host # kept`, false, []string{"host", "#", "kept"}, false},
		{`"#quoted" x`, true, []string{"#quoted", "x"}, false},
		{`a"b c"d`, true, []string{"ab cd"}, false},
		{`"open`, true, nil, true},
		{``, true, nil, false},
	}
	for _, c := range cases {
		got, err := SplitArgs(c.in, c.comment)
		if (err != nil) != c.err {
			t.Errorf("SplitArgs(%q): err %v, want error %v", c.in, err, c.err)
			continue
		}
		if !c.err && !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestJoinFileList(t *testing.T) {
	got := joinFileList([]string{"/Users/a", "b/known_hosts", "/root/.ssh/kh2", `C:\Users\John`, `Smith\.ssh\known_hosts`})
	want := []string{"/Users/a b/known_hosts", "/root/.ssh/kh2", `C:\Users\John Smith\.ssh\known_hosts`}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("joinFileList = %q, want %q", got, want)
	}
}

// TestFieldsAgreeWithSSH reads the same config through the real `ssh -G`
// and through the fallback parser: both must give the files ssh uses, a
// path with spaces whole, and a trailing comment dropped.
func TestFieldsAgreeWithSSH(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ssh is not installed")
		}
		t.Skip("ssh is not installed")
	}
	dir := t.TempDir()
	spaced := filepath.Join(dir, "a b", "known_hosts")
	cfg := filepath.Join(dir, "config")
	text := "Host spaced\n" +
		"  HostName 198.18.0.2 # the lab server\n" +
		"  User alice\n" +
		"  UserKnownHostsFile \"" + spaced + "\" " + filepath.Join(dir, "kh2") + "\n" +
		"  IdentityFile \"" + filepath.Join(dir, "my key") + "\"\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	req := Request{Host: "spaced", ConfigFile: cfg}
	real, err := FromSSH(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("ssh -G: %v", err)
	}
	fb, _, err := Fallback(req, dir)
	if err != nil {
		t.Fatalf("fallback: %v", err)
	}
	want := []string{spaced, filepath.Join(dir, "kh2")}
	for _, c := range []*Config{real, fb} {
		if got := c.Fields("userknownhostsfile"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: userknownhostsfile = %q, want %q", c.Source, got, want)
		}
		if got := c.Get("hostname"); got != "198.18.0.2" {
			t.Errorf("%s: hostname = %q, want 198.18.0.2 (comment dropped)", c.Source, got)
		}
		if got := c.All("identityfile"); len(got) == 0 || got[0] != filepath.Join(dir, "my key") {
			t.Errorf("%s: identityfile = %q", c.Source, got)
		}
	}
}
