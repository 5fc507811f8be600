package sshconfig

import (
	"bufio"
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readExpect reads "name|line line …" as recorded with `ssh-keygen -F name
// -f FILE` (OpenSSH 9.2) when the testdata was made.
func readExpect(t *testing.T, p string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, lines, ok := strings.Cut(sc.Text(), "|")
		if ok {
			out[name] = strings.TrimSpace(lines)
		}
	}
	return out
}

func lineNumbers(es []KnownHost) string {
	var out []string
	for _, e := range es {
		out = append(out, strconv.Itoa(e.Line))
	}
	return strings.Join(out, " ")
}

// The lines that match each name are the ones ssh-keygen -F found.
func TestKnownHostsMatchesSSHKeygen(t *testing.T) {
	for file, expect := range map[string]string{"testdata/known_hosts": "testdata/expect.txt", "testdata/known_hosts_hashed": "testdata/expect_hashed.txt"} {
		kh := ReadKnownHosts([]string{file, "testdata/does_not_exist"})
		if len(kh.Files) != 2 || kh.Files[0].Err != nil || !strings.Contains(kh.Files[1].String(), "not present") {
			t.Fatalf("files %+v", kh.Files)
		}
		for name, want := range readExpect(t, expect) {
			if got := lineNumbers(kh.For(name)); got != want {
				t.Errorf("%s: %s matches lines %q, ssh-keygen -F found %q", file, name, got, want)
			}
		}
	}
}

func TestKnownHostsParse(t *testing.T) {
	kh := ReadKnownHosts([]string{"testdata/known_hosts"})
	bad := map[int]bool{}
	for _, b := range kh.Bad {
		bad[b.Line] = true
	}
	if !bad[10] || !bad[11] || !bad[12] || len(kh.Bad) != 3 {
		t.Fatalf("bad lines %+v", kh.Bad)
	}
	var ca, rev, hashed int
	for _, e := range kh.Entries {
		switch e.Marker {
		case MarkerCertAuthority:
			ca++
		case MarkerRevoked:
			rev++
		}
		if e.Hashed {
			hashed++
		}
		if e.Line == 5 && e.Comment != "a comment" {
			t.Errorf("comment %q", e.Comment)
		}
	}
	if ca != 1 || rev != 1 || hashed != 1 || len(kh.Entries) != 7 {
		t.Fatalf("entries %d ca %d revoked %d hashed %d", len(kh.Entries), ca, rev, hashed)
	}
	if KnownHostsName("Host.Example", 22) != "host.example" || KnownHostsName("h", 2222) != "[h]:2222" {
		t.Fatal("KnownHostsName")
	}
	e := kh.Entries[0]
	if fp := KeyFingerprint(e.Key); !strings.HasPrefix(fp, "SHA256:") || len(fp) != 50 {
		t.Fatalf("fingerprint %q", fp)
	}
	// A hashed name made here matches, and only its own name.
	h := KnownHost{Hosts: HashName("[10.0.0.6]:2222", bytes.Repeat([]byte{7}, 20)), Hashed: true}
	if !h.Matches("[10.0.0.6]:2222") || h.Matches("10.0.0.6") {
		t.Fatal("HashName")
	}
}

func TestKnownHostsLongLine(t *testing.T) {
	long := strings.Repeat("a", maxKnownHostsLine+10)
	es, bad, err := ParseKnownHosts(strings.NewReader("x "+long+"\nhost ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE4tXFDe36jMZfIGwalIPb+uwohYy1yyapLvb/MM+6kQ\n"), "f")
	if err != nil || len(bad) != 1 || bad[0].Line != 1 || len(es) != 1 || es[0].Line != 2 {
		t.Fatalf("entries %+v bad %+v err %v", es, bad, err)
	}
}

func TestMatchPattern(t *testing.T) {
	cases := []struct {
		s, p string
		want bool
	}{
		{"a.example.com", "*.example.com", true},
		{"example.com", "*.example.com", false},
		{"host1", "host?", true},
		{"host12", "host?", false},
		{"", "*", true},
		{"abc", "a*c", true},
		{"abc", "a*b", false},
		{"[1.2.3.4]:22", "[1.2.3.4]:22", true},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*a*c", false},
	}
	for _, c := range cases {
		if got := MatchPattern(c.s, c.p); got != c.want {
			t.Errorf("MatchPattern(%q, %q) = %v", c.s, c.p, got)
		}
	}
	if MatchPatternList("bad.example.com", "*.example.com,!bad.example.com") != -1 ||
		MatchPatternList("a.example.com", "*.example.com,!bad.example.com") != 1 ||
		MatchPatternList("x", "a,b") != 0 {
		t.Fatal("MatchPatternList")
	}
}

// reference translates a pattern to a regular expression.
func reference(s, p string) bool {
	var b strings.Builder
	b.WriteString("^")
	for _, c := range p {
		switch c {
		case '*':
			b.WriteString("(?s:.*)")
		case '?':
			b.WriteString("(?s:.)")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(s)
}

// FuzzMatchPattern checks the iterative matcher against a regular
// expression (on ASCII, as host names are).
func FuzzMatchPattern(f *testing.F) {
	f.Add("a.example.com", "*.example.com")
	f.Add("host12", "host?")
	f.Add("[1.2.3.4]:2222", "[1.2.3.*]:22*")
	f.Fuzz(func(t *testing.T, s, p string) {
		if len(s) > 200 || len(p) > 50 || !ascii(s) || !ascii(p) {
			return
		}
		if got, want := MatchPattern(s, p), reference(s, p); got != want {
			t.Fatalf("MatchPattern(%q, %q) = %v, regexp says %v", s, p, got, want)
		}
	})
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// FuzzParseKnownHosts: any content parses without panicking, line numbers
// stay in order, and every entry has a key whose type matches its field.
func FuzzParseKnownHosts(f *testing.F) {
	for _, p := range []string{"testdata/known_hosts", "testdata/known_hosts_hashed"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("@cert-authority\n\n\r\n#x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, bad, err := ParseKnownHosts(bytes.NewReader(b), "f")
		if err != nil {
			t.Fatal(err)
		}
		last := 0
		for _, e := range es {
			if e.Line <= last {
				t.Fatalf("line %d after %d", e.Line, last)
			}
			last = e.Line
			if KeyBlobType(e.Key) != e.KeyType {
				t.Fatalf("type %q vs key %q", e.KeyType, KeyBlobType(e.Key))
			}
			e.Matches("host")
			e.Matches("[host]:22")
		}
		for _, x := range bad {
			if x.Reason == "" {
				t.Fatal("bad line without a reason")
			}
		}
	})
}
