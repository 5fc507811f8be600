package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/scan"
)

func TestScanFlags(t *testing.T) {
	s, _, _ := TestIO(nil)
	var got *ScanOptions
	cmd := NewCmdScan(s, &Globals{}, func(o *ScanOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-f", "a.txt", "--ansible", "inv.yml", "--group", "web", "--known-hosts", "--login",
		"--parallel", "3", "--rate", "0", "--timeout", "2s", "-l", "ops", "web1"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Files[0] != "a.txt" || got.Ansible[0] != "inv.yml" || got.Groups[0] != "web" || got.KnownHosts[0] != "~/.ssh/known_hosts" ||
		!got.Login || got.Parallel != 3 || got.Rate != 0 || got.Timeout != 2*time.Second || got.User != "ops" || got.Dests[0] != "web1" {
		t.Fatalf("options %+v", got)
	}
	if rateOption(0) >= 0 || rateOption(5) != 5 {
		t.Fatal("--rate 0 must mean no limit")
	}
	d := &ScanOptions{}
	_ = NewCmdScan(s, &Globals{}, func(o *ScanOptions) error { d = o; return nil }).Execute()
	if d.Parallel != scan.DefaultParallel() || d.Rate != scan.DefaultRate || d.Login {
		t.Fatalf("defaults %+v", d)
	}
}

func TestScanTargetsAndUsageErrors(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "hosts")
	if err := os.WriteFile(list, []byte("web1\nops@web2:2222\nweb1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	inv := filepath.Join(dir, "inv.ini")
	if err := os.WriteFile(inv, []byte("[web]\nw[1:2] ansible_user=deploy\n[win]\nw9 ansible_connection=winrm\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kh := filepath.Join(dir, "kh")
	if err := os.WriteFile(kh, []byte("|1|3eNu/EJj9Qa/QlCnrvN0S4p1Ebo=|EbEpCkLWYMsuM44NWdSbIfd43nc= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE4tXFDe36jMZfIGwalIPb+uwohYy1yyapLvb/MM+6kQ\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := &ScanOptions{Files: []string{list}, Ansible: []string{inv}, KnownHosts: []string{kh}, User: "me"}
	ts, skipped, err := o.targets(func(string) string { return dir })
	if err != nil {
		t.Fatal(err)
	}
	var dests []string
	for _, tg := range ts {
		dests = append(dests, o.checkOptionsFor(tg).Dest+"/"+o.checkOptionsFor(tg).User)
	}
	if got := strings.Join(dests, " "); got != "web1/me ops@web2:2222/ deploy@w1/ deploy@w2/" {
		t.Errorf("targets %q", got)
	}
	if skipped["hashed"] != 1 || skipped["not_ssh"] != 1 {
		t.Errorf("skipped %v", skipped)
	}

	for _, args := range [][]string{
		{"scan"},
		{"scan", "-f", filepath.Join(dir, "missing")},
		{"scan", "--parallel", "0", "web1"},
		{"scan", "--rate", "-1", "web1"},
		{"scan", "--group", "web", "web1"},
		{"scan", "--csv", "--json", "web1"},
		{"scan", "-oProxyCommand=x"},
		{"exporter", "--config", filepath.Join(dir, "missing")},
		{"exporter", "--listen", "nonsense"},
	} {
		s, _, errOut := TestIO(nil)
		if code := Main(args, s); code != ExitUsage || strings.Count(strings.TrimSpace(errOut.String()), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want one line and exit 2", args, code, errOut.String())
		}
	}
}

func TestExporterFlags(t *testing.T) {
	s, _, _ := TestIO(nil)
	var got *ExporterOptions
	cmd := NewCmdExporter(s, &Globals{}, func(o *ExporterOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--listen", "127.0.0.1:0", "--max-concurrent", "4"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Listen != "127.0.0.1:0" || got.MaxConcurrent != 4 {
		t.Fatalf("%+v", got)
	}
	cfg, err := got.config()
	if err != nil || len(cfg.Modules) != 1 {
		t.Fatalf("default modules %v %v", cfg, err)
	}
}
