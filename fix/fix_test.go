package fix

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/report"
)

func testInputs(t *testing.T) Inputs {
	in := DefaultInputs(catalog.EN)
	in.Home = t.TempDir()
	in.GOOS = "linux"
	return in
}

// sshdReport is a server report whose AllowUsers line is at file:1.
func sshdReport(file string) *report.Report {
	return &report.Report{Subject: map[string]string{"user": "alice"}, Checks: []report.Check{{Name: "account",
		Findings: []report.Finding{{Code: "server.allowusers", Severity: "error",
			Evidence: map[string]string{"set_in": file + ":1"}}}}}}
}

// A configuration that sshd -t rejects is put back at once, byte for
// byte, and sshd is not reloaded.
func TestValidationFailureRestores(t *testing.T) {
	in := testInputs(t)
	cfg := filepath.Join(t.TempDir(), "sshd_config")
	orig := "AllowUsers bob\nPort 22\n"
	if err := os.WriteFile(cfg, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	in.SSHDConfig = cfg
	p := Build(context.Background(), sshdReport(cfg), in)
	if len(p.Steps) != 1 || !strings.Contains(p.Steps[0].Diff, "+AllowUsers bob alice\n") {
		t.Fatalf("plan %+v", p.Steps)
	}
	b, err := NewBackup(in.Home, time.Now(), "server")
	if err != nil {
		t.Fatal(err)
	}
	var ran [][]string
	var seen string
	env := &Env{Backup: b, Run: func(_ context.Context, argv []string) (string, error) {
		ran = append(ran, argv)
		if len(argv) > 1 && argv[1] == "-t" {
			data, _ := os.ReadFile(cfg)
			seen = string(data)
			return "line 1: Bad configuration option", errors.New("exit status 255")
		}
		return "", nil
	}}
	done, err := Apply(context.Background(), env, p, p.Applicable())
	if !errors.Is(err, ErrValidation) || len(done) != 0 {
		t.Fatalf("apply: %v %v", done, err)
	}
	if seen != "AllowUsers bob alice\nPort 22\n" {
		t.Fatalf("sshd -t saw %q", seen)
	}
	if data, _ := os.ReadFile(cfg); string(data) != orig {
		t.Fatalf("not restored: %q", data)
	}
	if st, _ := os.Stat(cfg); st.Mode().Perm() != 0o644 {
		t.Fatalf("mode not kept: %v", st.Mode())
	}
	if len(ran) != 1 {
		t.Fatalf("commands after a failed validation: %v", ran)
	}
	if len(b.Manifest.Changes) != 0 {
		t.Fatalf("manifest keeps rolled back changes: %+v", b.Manifest.Changes)
	}
}

// A file that changed between plan and apply is not overwritten.
func TestChangedSincePlan(t *testing.T) {
	in := testInputs(t)
	cfg := filepath.Join(t.TempDir(), "sshd_config")
	if err := os.WriteFile(cfg, []byte("AllowUsers bob\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in.SSHDConfig = cfg
	p := Build(context.Background(), sshdReport(cfg), in)
	if err := os.WriteFile(cfg, []byte("AllowUsers carol\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := NewBackup(in.Home, time.Now(), "server")
	_, err := Apply(context.Background(), &Env{Backup: b, Run: RunCommand}, p, p.Applicable())
	if err == nil || !strings.Contains(err.Error(), "changed since the plan") {
		t.Fatalf("apply: %v", err)
	}
	if data, _ := os.ReadFile(cfg); string(data) != "AllowUsers carol\n" {
		t.Fatalf("overwritten: %q", data)
	}
}

func TestAsk(t *testing.T) {
	p := &Plan{}
	for range 4 {
		p.add(&Step{Kind: KindEdit})
	}
	p.Steps[1].Kind = KindManual
	cases := []struct {
		in   string
		want []int
	}{
		{"y\nn\ny\n", []int{1, 4}},
		{"n\na\n", []int{3, 4}},
		{"", nil},
		{"yes\nq\n", []int{1}},
		{strings.Repeat("y", 10000) + "\ny\n", []int{3}},
		{"Y", []int{1}},
	}
	for _, c := range cases {
		var out bytes.Buffer
		got := Ask(strings.NewReader(c.in), &out, catalog.EN, p)
		if len(got) != len(c.want) {
			t.Errorf("%.20q: got %v want %v", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%.20q: got %v want %v", c.in, got, c.want)
			}
		}
		if !strings.Contains(out.String(), "Apply step 1?") {
			t.Errorf("prompt %q", out.String())
		}
	}
}

func TestDiff(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\ng\n"
	got := Diff("f", []byte(old), []byte("a\nb\nc\nX\ne\nf\ng\n"))
	want := "--- f\n+++ f\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+X\n e\n f\n g\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := Diff("f", nil, []byte("x\n")); got != "--- f\n+++ f\n@@ -0,0 +1 @@\n+x\n" {
		t.Fatalf("new file: %q", got)
	}
	if Diff("f", []byte(old), []byte(old)) != "" {
		t.Fatal("no change must give no diff")
	}
}

func TestMatchesName(t *testing.T) {
	h := hashName("[198.18.0.2]:2222")
	if !matchesName(h, "[198.18.0.2]:2222") || matchesName(h, "198.18.0.2") {
		t.Fatal("hashed")
	}
	if !matchesName("a,b,198.18.0.2", "198.18.0.2") || matchesName("198.18.0.*", "198.18.0.2") {
		t.Fatal("plain")
	}
}

// On Windows the key fix is icacls, printed for the person, never chmod.
func TestWindowsKeyModeIsIcacls(t *testing.T) {
	in := testInputs(t)
	in.GOOS = "windows"
	r := &report.Report{Checks: []report.Check{{Findings: []report.Finding{{Code: "perm.private_key_too_open",
		Severity: "error", Evidence: map[string]string{"file": `C:\Users\a b\.ssh\id_ed25519`}}}}}}
	p := Build(context.Background(), r, in)
	if len(p.Steps) != 1 || p.Steps[0].Kind != KindManual || !strings.HasPrefix(p.Steps[0].Command, `icacls.exe 'C:\Users\a b\.ssh\id_ed25519' /inheritance:r`) ||
		strings.Contains(p.Steps[0].Command, "chmod") || len(p.Applicable()) != 0 {
		t.Fatalf("%+v", p.Steps)
	}
}

// A change that would shut out the SSH session sshdoctor runs in is
// refused (and the file put back), even though sshd -t accepts it.
func TestRefusesToCutTheSession(t *testing.T) {
	in := testInputs(t)
	cfg := filepath.Join(t.TempDir(), "sshd_config")
	orig := "AllowUsers carol\n"
	if err := os.WriteFile(cfg, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	in.SSHDConfig = cfg
	env := map[string]string{"SSH_CONNECTION": "198.18.0.1 50000 198.18.0.2 22", "SUDO_USER": "alice"}
	in.Getenv = func(k string) string { return env[k] }
	r := sshdReport(cfg)
	r.Subject["user"] = "bob"
	p := Build(context.Background(), r, in)
	b, _ := NewBackup(in.Home, time.Now(), "server")
	var spec string
	run := func(_ context.Context, argv []string) (string, error) {
		if len(argv) > 1 && argv[1] == "-T" {
			spec = argv[len(argv)-1]
			data, _ := os.ReadFile(cfg)
			return strings.ToLower(string(data)) + "port 22\n", nil
		}
		return "", nil
	}
	_, err := Apply(context.Background(), &Env{Backup: b, Run: run}, p, p.Applicable())
	if !errors.Is(err, ErrValidation) || !strings.Contains(err.Error(), "lock out your session") {
		t.Fatalf("apply: %v", err)
	}
	if spec != "user=alice,host=198.18.0.1,addr=198.18.0.1,laddr=198.18.0.2,lport=22" {
		t.Fatalf("sshd -T -C %q", spec)
	}
	if data, _ := os.ReadFile(cfg); string(data) != orig {
		t.Fatalf("not restored: %q", data)
	}
	// The session's own user may be added: allowed.
	env["SUDO_USER"] = "bob"
	b2, _ := NewBackup(in.Home, time.Now(), "server")
	p = Build(context.Background(), r, in)
	p.Steps[0].then = nil // no sshd to reload here
	if _, err := Apply(context.Background(), &Env{Backup: b2, Run: run}, p, p.Applicable()); err != nil {
		t.Fatalf("apply for the session's user: %v", err)
	}
	if data, _ := os.ReadFile(cfg); string(data) != "AllowUsers carol bob\n" {
		t.Fatalf("config %q", data)
	}
}

func BenchmarkBuild(b *testing.B) {
	dir := b.TempDir()
	key := filepath.Join(dir, "id")
	if err := os.WriteFile(key, []byte("k"), 0o644); err != nil {
		b.Fatal(err)
	}
	in := DefaultInputs(catalog.EN)
	in.Home, in.GOOS, in.ConfigFile = dir, "linux", filepath.Join(dir, "config")
	r := &report.Report{Target: &report.Target{Host: "h"}}
	for i := range 20 {
		c := report.Check{Name: "c" + strconv.Itoa(i)}
		for j := range 10 {
			c.Findings = append(c.Findings, report.Finding{Code: "tcp.connected", Severity: "info",
				Evidence: map[string]string{"n": strconv.Itoa(j)}})
		}
		r.Checks = append(r.Checks, c)
	}
	r.Checks[19].Findings = append(r.Checks[19].Findings, report.Finding{Code: "perm.private_key_too_open", Severity: "error",
		Evidence: map[string]string{"file": key}})
	b.ReportAllocs()
	for b.Loop() {
		if p := Build(context.Background(), r, in); len(p.Steps) != 1 {
			b.Fatal(len(p.Steps))
		}
	}
}

func BenchmarkDiff(b *testing.B) {
	var sb strings.Builder
	for i := range 2000 {
		sb.WriteString("Host h" + strconv.Itoa(i) + "\n  User u\n")
	}
	old := []byte(sb.String())
	nw := []byte("Host x\n  IdentitiesOnly yes\n\n" + sb.String())
	b.ReportAllocs()
	for b.Loop() {
		if Diff("f", old, nw) == "" {
			b.Fatal("no diff")
		}
	}
}

// A VirtualBox NAT rule bound to 127.0.0.1 is re-created on the LAN
// address (the narrower of the two the report offers) with controlvm for
// a running VM and modifyvm for a stopped one; undo deletes the new rule
// and adds the old one back, in that order.
func TestVBoxNATRuleRecreated(t *testing.T) {
	for _, c := range []struct{ verb, slot string }{{"controlvm", "natpf1"}, {"modifyvm", "--natpf1"}} {
		cmd := func(hostIP string) string {
			return "VBoxManage " + c.verb + ` "my vm" ` + c.slot + ` delete "ssh"` + "\n" +
				"VBoxManage " + c.verb + ` "my vm" ` + c.slot + ` "ssh,tcp,` + hostIP + `,2222,,22"`
		}
		r := &report.Report{Checks: []report.Check{{Findings: []report.Finding{{Code: "vbox.natpf_loopback_only", Severity: "error",
			Evidence: map[string]string{"rule": "ssh,tcp,127.0.0.1,2222,,22"},
			Fixes:    []report.Fix{{Command: cmd("")}, {Command: cmd("192.168.1.20")}, {Command: "ssh -p 2222 127.0.0.1"}}}}}}}
		in := testInputs(t)
		p := Build(context.Background(), r, in)
		if len(p.Steps) != 1 {
			t.Fatalf("%s: plan %+v", c.verb, p.Steps)
		}
		wantUndo := "VBoxManage " + c.verb + " my vm " + c.slot + " delete ssh\nVBoxManage " + c.verb + " my vm " + c.slot + " ssh,tcp,127.0.0.1,2222,,22"
		if st := p.Steps[0]; !strings.HasSuffix(st.Command, "ssh,tcp,192.168.1.20,2222,,22") || st.Undo != wantUndo {
			t.Fatalf("%s: step %+v", c.verb, st)
		}
		var ran []string
		run := func(_ context.Context, argv []string) (string, error) {
			ran = append(ran, strings.Join(argv, "|"))
			return "", nil
		}
		b, _ := NewBackup(in.Home, time.Now(), "vm")
		if _, err := Apply(context.Background(), &Env{Backup: b, Run: run}, p, p.Applicable()); err != nil {
			t.Fatal(err)
		}
		pre := "VBoxManage|" + c.verb + "|my vm|" + c.slot + "|"
		if strings.Join(ran, "\n") != pre+"delete|ssh\n"+pre+"ssh,tcp,192.168.1.20,2222,,22" {
			t.Fatalf("%s: ran %q", c.verb, ran)
		}
		ran = nil
		if _, err := Undo(context.Background(), &Env{Run: run}, b.Dir); err != nil {
			t.Fatal(err)
		}
		if strings.Join(ran, "\n") != pre+"delete|ssh\n"+pre+"ssh,tcp,127.0.0.1,2222,,22" {
			t.Fatalf("%s: undo ran %q", c.verb, ran)
		}
	}
}

func TestShellWords(t *testing.T) {
	for in, want := range map[string]string{
		`VBoxManage controlvm "my vm" natpf1 "ssh,tcp,,2222,,22"`: "VBoxManage|controlvm|my vm|natpf1|ssh,tcp,,2222,,22",
		`a 'it'\''s' b`: "a|it's|b",
		`a "x\"y"`:      `a|x"y`,
	} {
		w, ok := shellWords(in)
		if !ok || strings.Join(w, "|") != want {
			t.Errorf("%s: %q %v", in, w, ok)
		}
	}
	for _, bad := range []string{`a $(b)`, `a; b`, `a "$x"`, `a | b`, `a "open`} {
		if _, ok := shellWords(bad); ok {
			t.Errorf("%s accepted", bad)
		}
	}
}

// A Vagrant VM: beside the VBoxManage step, the Vagrantfile's ssh
// forwarded_port line is replaced, shown as a diff.
func TestVagrantfileDiff(t *testing.T) {
	in := testInputs(t)
	in.Vagrantfile = filepath.Join(t.TempDir(), "Vagrantfile")
	if err := os.WriteFile(in.Vagrantfile, []byte("Vagrant.configure(\"2\") do |config|\n  config.vm.box = \"debian/bookworm64\"\n"+
		"  config.vm.network \"forwarded_port\", guest: 22, host: 2222, host_ip: \"127.0.0.1\", id: \"ssh\"\nend\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := `config.vm.network "forwarded_port", guest: 22, host: 2222, host_ip: "0.0.0.0", id: "ssh"`
	r := &report.Report{Checks: []report.Check{{Findings: []report.Finding{
		{Code: "vagrant.ssh_forward", Severity: "info", Fixes: []report.Fix{{Command: "vagrant ssh-config"}, {Command: want}}},
		{Code: "vbox.natpf_loopback_only", Severity: "error", Evidence: map[string]string{"rule": "ssh,tcp,127.0.0.1,2222,,22"},
			Fixes: []report.Fix{{Command: "VBoxManage controlvm \"p_default_1\" natpf1 delete \"ssh\"\nVBoxManage controlvm \"p_default_1\" natpf1 \"ssh,tcp,,2222,,22\""}}},
	}}}}
	p := Build(context.Background(), r, in)
	if len(p.Steps) != 2 || p.Steps[1].Code != "vagrant.ssh_forward" ||
		!strings.Contains(p.Steps[1].Diff, "-  config.vm.network \"forwarded_port\", guest: 22, host: 2222, host_ip: \"127.0.0.1\", id: \"ssh\"\n+  "+want+"\n") {
		t.Fatalf("plan %+v", p.Steps)
	}
	// Without a forward to fix, nothing is planned for Vagrant.
	r.Checks[0].Findings = r.Checks[0].Findings[:1]
	if p := Build(context.Background(), r, in); len(p.Steps) != 0 {
		t.Fatalf("plan without a forward fix: %+v", p.Steps)
	}
}
