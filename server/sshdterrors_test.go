package server

import (
	"strings"
	"testing"
)

// sshd -t names every bad line, each ended by \r\n on stderr: every line
// becomes a finding, and the quoted output keeps its lines without a
// literal "\r\n" in the text.
func TestSSHDTestEveryBadLine(t *testing.T) {
	r := &run{sys: &System{Root: true}}
	d := &discovery{Binary: "/usr/sbin/sshd", Config: "/etc/ssh/sshd_config"}
	out := "/etc/ssh/sshd_config: line 2: Bad configuration option: Bogus\r\n" +
		"/etc/ssh/sshd_config: line 3: Bad configuration option: Also\r\n" +
		"/etc/ssh/sshd_config: terminating, 2 bad configuration options\r\n"
	fs := r.interpretSSHDErrors(d, out)
	var lines []string
	for _, f := range fs {
		if f.Code != "server.config_error" {
			t.Fatalf("finding %s", f.Code)
		}
		lines = append(lines, f.Args["line"])
		ev := f.EvidenceValue("sshd_output")
		if strings.Contains(ev, `\r`) || strings.Contains(ev, `\n`) || strings.Count(ev, "\n") != 2 {
			t.Fatalf("sshd_output %q", ev)
		}
	}
	if strings.Join(lines, ",") != "2,3" {
		t.Fatalf("lines %v", lines)
	}
}
