package server

import (
	"os"
	"strings"
	"testing"
)

func winCapture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/windows/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseSCCaptured(t *testing.T) {
	s := ParseSC(winCapture(t, "sc-query-audiosrv.txt"), winCapture(t, "sc-qc-sshd-beaker.txt"))
	if s.Missing || s.State != "RUNNING" || s.StartType != "AUTO_START" || s.Binary != `C:\Windows\System32\OpenSSH\sshd.exe` || !strings.HasPrefix(s.ExitCode, "0") {
		t.Fatalf("%+v", s)
	}
	// sc's answer for a service that does not exist (its wording is
	// translated; the number is not).
	if s := ParseSC([]byte("[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\n\nThe specified service does not exist as an installed service.\n"), nil); !s.Missing {
		t.Fatalf("%+v", s)
	}
}

func TestParseDefaultShellCaptured(t *testing.T) {
	if got := ParseDefaultShell(winCapture(t, "reg-defaultshell-1028.txt")); got != `c:\Windows\System32\bash.exe` {
		t.Errorf("%q", got)
	}
	if got := ParseDefaultShell(winCapture(t, "reg-defaultshell-936.txt")); got != `C:\windows\System32\WindowsPowerShell\v1.0\powershell.exe` {
		t.Errorf("%q", got)
	}
	if got := ParseDefaultShell([]byte("ERROR: The system was unable to find the specified registry key or value.\n")); got != "" {
		t.Errorf("%q", got)
	}
}

func TestParseLocalGroup(t *testing.T) {
	// The layout of `net localgroup Administrators` (header and closing
	// sentence in the display language).
	out := "Alias name     Administrators\nComment        Administrators have complete and unrestricted access to the computer/domain\n\nMembers\n\n-------------------------------------------------------------------------------\nAdministrator\nCONTOSO\\Domain Admins\nalice\nThe command completed successfully.\n"
	m := ParseLocalGroup([]byte(out))
	if len(m) != 3 || !memberIs(m, "ALICE") || memberIs(m, "bob") || !memberIs(m, "administrator") {
		t.Fatalf("%q", m)
	}
}

func TestEventMessagesCaptured(t *testing.T) {
	got := eventMessages(winCapture(t, "events-1719.txt"))
	if got != "Authentication refused.\nFailed publickey for USER from ...\n" {
		t.Fatalf("%q", got)
	}
}

func FuzzWindowsServerParsers(f *testing.F) {
	for _, n := range []string{"sc-qc-sshd-beaker.txt", "sc-query-audiosrv.txt", "reg-defaultshell-1028.txt", "events-1719.txt"} {
		f.Add(winCapture(f, n))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseSC(b, b)
		ParseDefaultShell(b)
		ParseLocalGroup(b)
		eventMessages(b)
	})
}
