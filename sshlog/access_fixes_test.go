package sshlog

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/diag"
)

// firstFinding classifies the lines of a recorded sshd log and returns the
// finding of the first line with code.
func firstFinding(t *testing.T, path, code string) *diag.Finding {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		if e, ok := ClassifyServerLine(sc.Text()); ok && e.Code == code {
			return e.Finding()
		}
	}
	t.Fatalf("%s: no line classified %s", path, code)
	return nil
}

func lineFinding(t *testing.T, line, code string) *diag.Finding {
	t.Helper()
	e, ok := ClassifyServerLine(line)
	if !ok || e.Code != code {
		t.Fatalf("%q: classified %q, want %s", line, e.Code, code)
	}
	return e.Finding()
}

// fixList renders fixes as "key: command" lines.
func fixList(f *diag.Finding) []string {
	var out []string
	for _, x := range f.Fixes {
		out = append(out, x.Key+": "+x.Command)
	}
	return out
}

func sameFixes(t *testing.T, what string, f *diag.Finding, want ...string) {
	t.Helper()
	got := fixList(f)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: fixes\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

const (
	wantReload = "fix.access_reload_sshd: sudo sshd -t && (sudo systemctl reload ssh || sudo systemctl reload sshd)"
	rulesGrep  = " | grep -i -E '^(allow|deny)(users|groups)'"
)

// TestAccessRuleFixesFromLog: a refusal by AllowUsers, DenyUsers,
// AllowGroups or DenyGroups read from sshd's log (lines the real sshd
// wrote) gives the catalog's fixes with what the line showed: sshd's rules
// for that user and client, then the test and the reload; the line and
// the groups are not in the log, so no edit command is guessed.
func TestAccessRuleFixesFromLog(t *testing.T) {
	for _, c := range []struct{ corpus, code, user string }{
		{"allowusers", "server.allowusers", "sdu8988e6"},
		{"denyusers", "server.denyusers", "sdu50b287"},
		{"allowgroups", "server.allowgroups", "sdu1b8c10"},
	} {
		f := firstFinding(t, "testdata/corpus/"+c.corpus+"/sshd.log", c.code)
		want := []string{
			"fix.access_show_rules: sudo sshd -T -C user=" + c.user + ",host=127.0.0.1,addr=127.0.0.1" + rulesGrep,
			wantReload,
		}
		if c.code == "server.allowgroups" {
			want = append([]string{"fix.server_add_to_group: "}, want...)
		}
		sameFixes(t, c.corpus, f, want...)
	}
	f := lineFinding(t, "User sshlab from 10.0.0.9 not allowed because a group is listed in DenyGroups", "server.denygroups")
	sameFixes(t, "denygroups", f,
		"fix.access_show_rules: sudo sshd -T -C user=sshlab,host=10.0.0.9,addr=10.0.0.9"+rulesGrep, wantReload)

	// A user name that is shell syntax stays one quoted word.
	f = lineFinding(t, "User a$(id) from 10.0.0.9 not allowed because not listed in AllowUsers", "server.allowusers")
	sameFixes(t, "hostile user", f,
		"fix.access_show_rules: sudo sshd -T -C 'user=a$(id),host=10.0.0.9,addr=10.0.0.9'"+rulesGrep, wantReload)
}

// TestChrootFixesFromLog: sshd names the component of the ChrootDirectory
// it refused; only when that is the directory itself is a writable
// directory inside it a fix, for the user the line did not name (USER).
func TestChrootFixesFromLog(t *testing.T) {
	f := lineFinding(t, `fatal: bad ownership or modes for chroot directory component "/home/"`, "server.chroot")
	sameFixes(t, "component", f, "fix.server_chroot_perms: sudo chown root:root /home/ && sudo chmod go-w /home/")
	f = lineFinding(t, `fatal: bad ownership or modes for chroot directory "/srv/sftp jail"`, "server.chroot")
	sameFixes(t, "the directory", f,
		"fix.server_chroot_perms: sudo chown root:root '/srv/sftp jail' && sudo chmod go-w '/srv/sftp jail'",
		"fix.server_chroot_writable_subdir: sudo mkdir -p '/srv/sftp jail'/upload && sudo chown USER: '/srv/sftp jail'/upload")
}

// TestAKCFixesFromLog: an AuthorizedKeysCommand sshd could not use gives,
// from sshd's line, the fix for what the line names: chown and chmod for
// the file it refused, moving the command out of a refused directory (which
// may be a shared one such as /tmp, and must not be made root's), ls for a
// program it could not stat (a line the real sshd wrote), and running the
// command by hand as advice, since its arguments and user are not in the
// line.
func TestAKCFixesFromLog(t *testing.T) {
	const show = "fix.access_show_akc: sudo sshd -T | grep -i -E '^authorized(keys|principals)command'"
	f := lineFinding(t, `Unsafe AuthorizedKeysCommand "/opt/x/keys": bad ownership or modes for file /opt/x/keys`, "server.akc_error")
	sameFixes(t, "unsafe file", f, "fix.server_fix_akc: sudo chown root: /opt/x/keys && sudo chmod go-w /opt/x/keys", show)
	f = lineFinding(t, `Unsafe AuthorizedKeysCommand "/tmp/x/fail.sh": bad ownership or modes for directory /tmp`, "server.akc_error")
	sameFixes(t, "unsafe directory", f, "fix.access_akc_move: ", show)
	f = firstFinding(t, "testdata/corpus/akc_missing/sshd.log", "server.akc_error")
	sameFixes(t, "missing", f, "fix.server_test_akc: ls -l /nonexistent/akc", show)
	// The line the real sshd wrote for a command in a directory that
	// AuthorizedKeysCommandUser cannot enter.
	f = lineFinding(t, `Could not stat AuthorizedKeysCommand "/tmp/TestLabAuthorizedKeysCommand871485425/001/akc.sh": Permission denied`, "server.akc_error")
	sameFixes(t, "unreachable", f, "fix.access_akc_reach: sudo -u USER ls -l /tmp/TestLabAuthorizedKeysCommand871485425/001/akc.sh", show)
	f = lineFinding(t, "AuthorizedKeysCommand /usr/local/bin/keys failed, status 1", "server.akc_error")
	sameFixes(t, "failed", f, "fix.server_test_akc: ", show)
}

// BenchmarkAccessFindings: a finding with its catalogued fixes, from one
// log line of each of these codes.
func BenchmarkAccessFindings(b *testing.B) {
	lines := []string{
		"User sshlab from 10.0.0.9 not allowed because not listed in AllowUsers",
		"User sshlab from 10.0.0.9 not allowed because a group is listed in DenyGroups",
		`fatal: bad ownership or modes for chroot directory "/srv/sftp"`,
		`Unsafe AuthorizedKeysCommand "/opt/x/keys": bad ownership or modes for file /opt/x/keys`,
	}
	var evs []Event
	for _, l := range lines {
		e, ok := ClassifyServerLine(l)
		if !ok {
			b.Fatalf("%q: not classified", l)
		}
		evs = append(evs, e)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range evs {
			if f := e.Finding(); len(f.Fixes) == 0 {
				b.Fatal("no fixes")
			}
		}
	}
}
