package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func open(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func byName(ts []Target) map[string]Target {
	m := map[string]Target{}
	for _, t := range ts {
		m[t.Name] = t
	}
	return m
}

func TestParseList(t *testing.T) {
	in := "# fleet\nweb1\nalice@web2:2222 # trailing comment\n\n[2001:db8::1]:22\n2001:db8::2\nbob@[2001:db8::3]\n"
	ts, err := ParseList(strings.NewReader(in), "hosts.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"web1", "alice@web2:2222", "[2001:db8::1]:22", "2001:db8::2", "bob@2001:db8::3"}
	if len(ts) != len(want) {
		t.Fatalf("got %d targets: %+v", len(ts), ts)
	}
	for i, w := range want {
		if ts[i].Dest() != w {
			t.Errorf("target %d: %q, want %q", i, ts[i].Dest(), w)
		}
	}
	if ts[1].Source != "hosts.txt:3" || ts[1].Port != 2222 || ts[1].User != "alice" {
		t.Errorf("target 1: %+v", ts[1])
	}
	for _, bad := range []string{"web1:0\n", "@web\n", "-oProxyCommand=x\n", "web:\n", "a b\n", "[::1\n", "ssh://web\n"} {
		_, err := ParseList(strings.NewReader("ok\n"+bad), "f")
		if err == nil || !strings.HasPrefix(err.Error(), "f:2: ") {
			t.Errorf("%q: error %v, want one naming f:2", bad, err)
		}
	}
}

func TestAnsibleINIExamples(t *testing.T) {
	ts, err := ParseAnsibleINI(open(t, "ansible_examples_hosts.ini"), "hosts")
	if err != nil {
		t.Fatal(err)
	}
	m := byName(ts)
	// 7 ungrouped + mail[:5] (6) + webservers 6 + www[001:006] (6) + dbservers 5 + db-[99:101] (3), myserver.com once
	if len(ts) != 7+6+6+6+4+3 {
		t.Errorf("got %d hosts", len(ts))
	}
	for _, n := range []string{"mail0.example.com", "mail5.example.com", "www001.example.com", "www006.example.com", "db-99-node.example.com", "db-101-node.example.com"} {
		if _, ok := m[n]; !ok {
			t.Errorf("range host %s missing", n)
		}
	}
	if g := strings.Join(m["myserver.com"].Groups, ","); g != "dbservers,webservers" {
		t.Errorf("myserver.com groups %q", g)
	}
	if g := m["green.bikeshed.org"].Groups; len(g) != 0 {
		t.Errorf("ungrouped host has groups %v", g)
	}
}

func TestAnsibleINIVarsAndChildren(t *testing.T) {
	ts, err := ParseAnsibleINI(open(t, "cchurch_gist_hosts.ini"), "hosts")
	if err != nil {
		t.Fatal(err)
	}
	m := byName(ts)
	if w := m["web1.example.com"]; w.Host != "w1.example.net" || w.Port != 0 {
		t.Errorf("web1: %+v", w)
	}
	if w := m["web2.example.com"]; w.Host != "web2.example.com" || w.Port != 1022 {
		t.Errorf("web2: %+v", w)
	}
	if g := strings.Join(m["db1.example.com"].Groups, ","); g != "dbservers,servers" {
		t.Errorf("db1 groups %q (children must pass their parent on)", g)
	}
	if got := len(GroupFilter(ts, []string{"servers"})); got != 4 {
		t.Errorf("servers group holds %d hosts, want 4", got)
	}
}

func TestAnsibleINIRejectsMalformedHeader(t *testing.T) {
	_, err := ParseAnsibleINI(open(t, "zas-post_example_hosts_inventory.ini"), "inv")
	if err == nil || !strings.HasPrefix(err.Error(), "inv:37: ") {
		t.Fatalf("error %v, want one naming inv:37 ([DB_ALL]:children)", err)
	}
	b, _ := os.ReadFile(filepath.Join("testdata", "zas-post_example_hosts_inventory.ini"))
	fixed := strings.Replace(string(b), "[DB_ALL]:children", "[DB_ALL:children]", 1)
	ts, err := ParseAnsibleINI(strings.NewReader(fixed), "inv")
	if err != nil {
		t.Fatal(err)
	}
	m := byName(ts)
	if l := m["linux1"]; l.Host != "172.31.27.16" || l.User != "ec2-user" {
		t.Errorf("linux1: %+v (group vars must reach the host)", l)
	}
	if l := m["linuxX"]; l.User != "ec2-user" || l.Host != "172.31.8.69" {
		t.Errorf("linuxX: %+v", l)
	}
	w := m["windows2012"]
	if w.Port != 5986 || w.User != "myadmin" || w.SSH() {
		t.Errorf("windows2012: %+v: a winrm host is not an SSH target", w)
	}
	if g := strings.Join(m["10.10.1.1"].Groups, ","); g != "ANOTHER,DB_ALL,prod_ALL,prod_DB" {
		t.Errorf("10.10.1.1 groups %q", g)
	}
}

func TestAnsibleYAMLExample(t *testing.T) {
	ts, err := ParseAnsibleYAML(open(t, "ansible_examples_hosts.yaml"), "hosts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := byName(ts)
	if len(ts) != 4+4+6 {
		t.Errorf("got %d hosts: %v", len(ts), ts)
	}
	if g := m["green.example.com"]; g.Host != "191.168.100.32" {
		t.Errorf("green: %+v", g)
	}
	if g := strings.Join(m["beta.example.org"].Groups, ","); g != "testing,webservers" {
		t.Errorf("beta groups %q", g)
	}
	if _, ok := m["www006.example.com"]; !ok {
		t.Error("YAML range not expanded")
	}
}

func TestAnsibleYAMLVars(t *testing.T) {
	in := `
all:
  vars:
    ansible_user: deploy
  children:
    web:
      vars:
        ansible_port: 2222
      hosts:
        web1:
          ansible_host: 10.0.0.1
        web2:
          ansible_user: root
          ansible_port: "22"
`
	ts, err := ParseAnsibleYAML(strings.NewReader(in), "i.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := byName(ts)
	if w := m["web1"]; w.Dest() != "deploy@10.0.0.1:2222" {
		t.Errorf("web1 %q", w.Dest())
	}
	if w := m["web2"]; w.Dest() != "root@web2:22" {
		t.Errorf("web2 %q", w.Dest())
	}
	for _, bad := range []string{"all: [1, 2]\n", "all:\n  hostz: {}\n", "all:\n  hosts:\n    a:\n      ansible_port: 99999\n", "all:\n  hosts:\n    web[1:\n"} {
		if _, err := ParseAnsibleYAML(strings.NewReader(bad), "b.yml"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestExpandRange(t *testing.T) {
	cases := map[string]string{
		"web[01:03]":       "web01 web02 web03",
		"db-[a:c].x":       "db-a.x db-b.x db-c.x",
		"n[0:20:10]":       "n0 n10 n20",
		"r[1:2]c[a:b]":     "r1ca r1cb r2ca r2cb",
		"[2001:db8::1]":    "[2001:db8::1]",
		"plain.example":    "plain.example",
		"mail[:2].example": "mail0.example mail1.example mail2.example",
	}
	for in, want := range cases {
		got, err := expandRange(in)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("%s: %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"w[3:1]", "w[1:2", "w[a:9]", "w[0:99999999]", "w[0:1:0]"} {
		if _, err := expandRange(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestKnownHosts(t *testing.T) {
	res, err := ParseKnownHosts(open(t, "known_hosts"), "known_hosts")
	if err != nil {
		t.Fatal(err)
	}
	var dests []string
	for _, tg := range res.Targets {
		dests = append(dests, tg.Dest())
	}
	got := strings.Join(dests, " ")
	if !strings.Contains(got, "198.18.0.2") || !strings.Contains(got, "198.18.0.2:2222") {
		t.Errorf("targets %q", got)
	}
	if strings.Contains(got, "*") || strings.Contains(got, "example.com") {
		t.Errorf("patterns listed as hosts: %q", got)
	}
	if res.Hashed != 1 || res.Patterns == 0 {
		t.Errorf("hashed %d patterns %d", res.Hashed, res.Patterns)
	}
	h, err := ParseKnownHosts(open(t, "known_hosts_hashed"), "kh")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Targets) != 0 || h.Hashed == 0 {
		t.Errorf("hashed file: %d targets, %d hashed", len(h.Targets), h.Hashed)
	}
}

func TestSSHConfigHosts(t *testing.T) {
	dir := t.TempDir()
	must := func(name, s string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	must(".ssh/config", "Include conf.d/*\nHost web1 web2 *.corp !bad\n  User x\nHost=\"db1\"\nHost *\n  ServerAliveInterval 5\n")
	must(".ssh/conf.d/a", "Host bastion\n  HostName 10.0.0.1\nHost web1\n")
	ts, err := SSHConfigHosts(filepath.Join(dir, ".ssh/config"), dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range ts {
		names = append(names, tg.Name)
	}
	if got := strings.Join(names, ","); got != "bastion,web1,web2,db1" {
		t.Errorf("hosts %q", got)
	}
}

func TestDetectAnsible(t *testing.T) {
	if DetectAnsible([]byte("# c\n---\nall:\n")) != "yaml" || DetectAnsible([]byte("[web]\nw1\n")) != "ini" || DetectAnsible([]byte("all:\n")) != "yaml" {
		t.Error("detection")
	}
}
