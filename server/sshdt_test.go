package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSSHDTFixture(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "sshd_T.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := ParseSSHDT(f)
	for k, want := range map[string]string{
		"port": "2299", "listenaddress": "127.0.0.1:2299", "permitrootlogin": "without-password",
		"usepam": "no", "authorizedkeysfile": ".ssh/authorized_keys", "strictmodes": "yes", "maxstartups": "10:30:100",
	} {
		if got := s.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(s.Get("pubkeyacceptedalgorithms"), "ssh-ed25519") {
		t.Error("pubkeyacceptedalgorithms")
	}
	if got := portsOf(s); len(got) != 1 || got[0] != 2299 {
		t.Errorf("ports %v", got)
	}
}

// OpenSSH 10.5 prints mixed-case keywords; repeated keywords keep every value.
func TestParseSSHDTMixedCaseAndRepeats(t *testing.T) {
	s := ParseSSHDT(strings.NewReader("Port 22\nPort 2222\nListenAddress [::]:22\nAllowUsers alice\nAllowUsers bob@10.0.0.0/8\nnot a keyword line: x\n"))
	if strings.Join(s["port"], ",") != "22,2222" || strings.Join(s["allowusers"], ",") != "alice,bob@10.0.0.0/8" {
		t.Fatalf("%v", s)
	}
	if got := portsOf(s); len(got) != 1 || got[0] != 22 {
		t.Fatalf("ports from ListenAddress: %v", got)
	}
}

func FuzzParseSSHDT(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "sshd_T.txt"))
	f.Add(string(b))
	f.Add("Port 22\nListenAddress [::1]:2222 rdomain x\n")
	f.Fuzz(func(t *testing.T, text string) {
		s := ParseSSHDT(strings.NewReader(text))
		for k := range s {
			if k != strings.ToLower(k) {
				t.Fatalf("keyword %q not folded", k)
			}
		}
		for _, p := range portsOf(s) {
			if p < 1 || p > 65535 {
				t.Fatalf("port %d", p)
			}
		}
	})
}
