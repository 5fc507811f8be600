package server

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestParseProcNetTCP(t *testing.T) {
	var got []string
	for _, n := range []string{"proc_net_tcp.txt", "proc_net_tcp6.txt"} {
		f, err := os.Open(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ParseProcNetTCP(f) {
			got = append(got, l.String())
			if l.Inode == 0 {
				t.Errorf("no inode: %+v", l)
			}
		}
		f.Close()
	}
	sort.Strings(got)
	if strings.Join(got, " ") != "0.0.0.0:22 127.0.0.1:2222 [::1]:2222 [::]:22" {
		t.Fatalf("listeners %v", got)
	}
}

func TestParseSSHDArgs(t *testing.T) {
	var p Proc
	parseSSHDArgs(&p, []string{"sshd: /usr/sbin/sshd -D -e -f /tmp/x/sshd_config -p 2222 -o LogLevel=VERBOSE [listener] 0 of 10-100 startups"})
	if !p.Listener || p.Config != "/tmp/x/sshd_config" || len(p.Ports) != 1 || p.Ports[0] != 2222 || p.Options[0] != "LogLevel=VERBOSE" {
		t.Fatalf("%+v", p)
	}
	var s Proc
	parseSSHDArgs(&s, []string{"sshd: alice [priv]"})
	if s.Listener || s.Config != "" {
		t.Fatalf("session: %+v", s)
	}
	var a Proc
	parseSSHDArgs(&a, []string{"/usr/sbin/sshd", "-D", "-f/etc/ssh/alt_config"})
	if a.Config != "/etc/ssh/alt_config" {
		t.Fatalf("argv: %+v", a)
	}
}

func TestParseOOMLine(t *testing.T) {
	ev, ok := parseOOMLine("Out of memory: Killed process 1234 (sshd) total-vm:15000kB, anon-rss:100kB")
	if !ok || ev.PID != 1234 || ev.Process != "sshd" {
		t.Fatalf("%+v %v", ev, ok)
	}
	if _, ok := parseOOMLine("sshd[1]: Accepted publickey"); ok {
		t.Fatal("not an OOM line")
	}
}
