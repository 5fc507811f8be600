package server

import (
	"strings"
	"testing"
)

// fail2ban-client's status output (fail2ban 0.11/1.0 layout).
const f2bStatus = "Status\n|- Number of jail:\t2\n`- Jail list:\tsshd, recidive\n"

const f2bJail = "Status for the jail: sshd\n|- Filter\n|  |- Currently failed:\t1\n|  |- Total failed:\t12\n|  `- File list:\t/var/log/auth.log\n`- Actions\n   |- Currently banned:\t2\n   |- Total banned:\t3\n   `- Banned IP list:\t203.0.113.7 2001:db8::7\n"

func TestFail2banParsers(t *testing.T) {
	if got := strings.Join(parseJailList(f2bStatus), ","); got != "sshd,recidive" {
		t.Fatalf("jails %q", got)
	}
	if got := strings.Join(parseBanned(f2bJail), ","); got != "203.0.113.7,2001:db8::7" {
		t.Fatalf("banned %q", got)
	}
	if parseJailList("nonsense") != nil || parseBanned("") != nil {
		t.Fatal("nonsense parsed")
	}
}
