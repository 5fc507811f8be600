package client

import (
	"io"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshconfig"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// What a server says after authentication, as recorded in the lab and in
// OpenSSH's and Linux-PAM's sources, and the code each one gets.
func TestSessionVerdict(t *testing.T) {
	r := New(Options{})
	s := &Settings{Config: sshconfig.New("test"), Hostname: "h", User: "alice", Port: 22}
	cases := []struct {
		name    string
		banners string
		res     sshwire.ExecResult
		code    string
		status  diag.Status
	}{
		{"ok", "", sshwire.ExecResult{ExitStatus: 0}, "session.ok", diag.StatusPass},
		{"no home", "", sshwire.ExecResult{ExitStatus: 0, Stderr: []byte("Could not chdir to home directory /home/alice: No such file or directory\n")}, "session.ok", diag.StatusWarn},
		{"nologin", "", sshwire.ExecResult{ExitStatus: 1, Stdout: []byte("This account is currently not available.\n")}, "session.nologin_shell", diag.StatusFail},
		{"false", "", sshwire.ExecResult{ExitStatus: 1}, "session.nologin_shell", diag.StatusFail},
		{"nologin file without PAM", "", sshwire.ExecResult{ExitStatus: 254, Stdout: []byte("System maintenance until 5pm\n")}, "session.pam_nologin", diag.StatusFail},
		{"forced command", "", sshwire.ExecResult{ExitStatus: 3, Stdout: []byte("only rsync allowed\n")}, "session.command_failed", diag.StatusFail},
		{"killed", "", sshwire.ExecResult{ExitStatus: -1, Signal: "KILL"}, "session.command_failed", diag.StatusFail},
		{"closed", "", sshwire.ExecResult{ExitStatus: -1, Closed: true}, "session.closed", diag.StatusFail},
		{"channel refused", "", sshwire.ExecResult{ExitStatus: -1, OpenFailed: "administratively prohibited (1)"}, "session.channel_refused", diag.StatusFail},
	}
	for _, c := range cases {
		res := r.sessionVerdict(s, "exit 0", nil, c.banners, "198.18.0.2", c.res)
		if res.Status != c.status || len(res.Findings) == 0 || res.Findings[0].Code != c.code {
			var codes []string
			for _, f := range res.Findings {
				codes = append(codes, f.Code)
			}
			t.Errorf("%s: status %s codes %v, want %s %s", c.name, res.Status, codes, c.status, c.code)
		}
	}
}

func TestClassifyRefusal(t *testing.T) {
	r := New(Options{})
	s := &Settings{Config: sshconfig.New("test"), Hostname: "h", User: "alice", Port: 22}
	cases := map[string]string{
		"Your account has expired; please contact your system administrator.\n":                                                                          "session.account_expired",
		"System is booting up. Unprivileged users are not permitted to log in yet. Please come back later. For technical details, see pam_nologin(8).\n": "session.pam_nologin",
		"": "session.closed",
	}
	for text, code := range cases {
		f := r.classifyRefusal(s, text, "")
		if f.Code != code {
			t.Errorf("%q: %s, want %s", text, f.Code, code)
		}
		if text != "" && !strings.Contains(f.EvidenceValue("server_message"), strings.TrimSpace(text)[:20]) {
			t.Errorf("%q: evidence %+v", text, f.Evidence)
		}
	}
}

func TestAnyLocal(t *testing.T) {
	if !anyLocal([]netip.Addr{netip.MustParseAddr("127.0.0.1")}) || !anyLocal([]netip.Addr{netip.MustParseAddr("::1")}) {
		t.Fatal("loopback is local")
	}
	// 192.0.2.0/24 is documentation space: never an address of this machine.
	if anyLocal([]netip.Addr{netip.MustParseAddr("192.0.2.7")}) {
		t.Fatal("192.0.2.7 is not local")
	}
}

// A login step that our deadline ended is a timeout, never "the server
// closed the connection".
func TestLoginTimeoutIsNotClosed(t *testing.T) {
	r := New(Options{Timeout: 3 * time.Second})
	s := &Settings{Config: sshconfig.New("test"), Hostname: "h", User: "alice", Port: 22}
	res := r.sessionVerdict(s, "true", nil, "", "198.18.0.2", sshwire.ExecResult{ExitStatus: -1, TimedOut: true, Err: io.EOF})
	if res.Status != diag.StatusFail || res.Findings[0].Code != "session.timeout" {
		t.Fatalf("%s %+v", res.Status, res.Findings[0])
	}
	f := r.closedAfterAuth(s, &sshwire.Probe{}, os.ErrDeadlineExceeded)
	if f.Code != "session.timeout" {
		t.Fatalf("signature step: %s", f.Code)
	}
}
