package inventory

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func seed(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkTargets holds for every reader: a target has a host that cannot be
// taken for an option, a port in range, and it renders to a destination
// that parses back to the same user, host and port.
func checkTargets(t *testing.T, ts []Target) {
	for _, tg := range ts {
		if tg.Host == "" || strings.HasPrefix(tg.Host, "-") {
			t.Fatalf("bad host in %+v", tg)
		}
		if tg.Port < 0 || tg.Port > 65535 {
			t.Fatalf("bad port in %+v", tg)
		}
		if err := checkHost(tg.Host); err != nil {
			t.Fatalf("%+v: %v", tg, err)
		}
		u, h, p, err := ParseDest(tg.Dest())
		if err != nil {
			t.Fatalf("%+v renders as %q, which does not parse: %v", tg, tg.Dest(), err)
		}
		if u != tg.User || h != tg.Host || p != tg.Port {
			t.Fatalf("%+v renders as %q, which parses back to %q %q %d", tg, tg.Dest(), u, h, p)
		}
	}
}

func FuzzParseList(f *testing.F) {
	f.Add([]byte("web1\nalice@web2:2222 # c\n[2001:db8::1]:22\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := ParseList(bytes.NewReader(b), "f")
		if err == nil {
			checkTargets(t, ts)
		}
	})
}

func FuzzParseAnsibleINI(f *testing.F) {
	seed(f, "ansible_examples_hosts.ini", "cchurch_gist_hosts.ini", "zas-post_example_hosts_inventory.ini")
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := ParseAnsibleINI(bytes.NewReader(b), "f")
		if err == nil {
			checkTargets(t, ts)
		}
	})
}

func FuzzParseAnsibleYAML(f *testing.F) {
	seed(f, "ansible_examples_hosts.yaml")
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := ParseAnsibleYAML(bytes.NewReader(b), "f")
		if err == nil {
			checkTargets(t, ts)
		}
	})
}

func FuzzParseKnownHosts(f *testing.F) {
	seed(f, "known_hosts", "known_hosts_hashed")
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := ParseKnownHosts(bytes.NewReader(b), "f")
		if err == nil {
			checkTargets(t, res.Targets)
		}
	})
}
