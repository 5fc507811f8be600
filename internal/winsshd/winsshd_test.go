package winsshd

import (
	"os"
	"strings"
	"testing"
)

func TestFromTextCaptured(t *testing.T) {
	b, err := os.ReadFile("testdata/sshd_admin_keys_missing.txt")
	if err != nil {
		t.Fatal(err)
	}
	fs := FromText(string(b))
	if len(fs) != 1 || fs[0].Code != "server.windows_admin_keys" || fs[0].Severity != "error" {
		t.Fatalf("%+v", fs)
	}
	if !strings.Contains(fs[0].Fixes[0].Command, `/inheritance:r /grant "*S-1-5-32-544:F" /grant "*S-1-5-18:F"`) {
		t.Errorf("fix: %s", fs[0].Fixes[0].Command)
	}
	// A user's own file: nothing to say.
	if fs := FromText("debug1: trying public key file C:\\\\Users\\\\alice/.ssh/authorized_keys\n"); len(fs) != 0 {
		t.Errorf("%+v", fs)
	}
	// Trying the shared file without an open failure: a warning.
	if fs := FromText("debug1: trying public key file __PROGRAMDATA__/ssh/administrators_authorized_keys\nAuthentication refused.\n"); len(fs) != 1 || fs[0].Severity != "warning" {
		t.Errorf("%+v", fs)
	}
}

func TestAdminMatchActive(t *testing.T) {
	if !AdminMatchActive("Match Group administrators\n       AuthorizedKeysFile __PROGRAMDATA__/ssh/administrators_authorized_keys\n") {
		t.Error("active block not seen")
	}
	// As commented out in Win32-OpenSSH#1306.
	if AdminMatchActive("#Match Group administrators\n#AuthorizedKeysFile __PROGRAMDATA__/ssh/administrators_authorize\n") {
		t.Error("commented block seen as active")
	}
}

func FuzzFromText(f *testing.F) {
	b, _ := os.ReadFile("testdata/sshd_admin_keys_missing.txt")
	f.Add(string(b))
	f.Fuzz(func(t *testing.T, s string) {
		for _, x := range FromText(s) {
			if len(x.Fixes) != 2 {
				t.Fatalf("%+v", x)
			}
		}
		AdminMatchActive(s)
	})
}
