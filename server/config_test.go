package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The cloud-image trap: a drop-in read through Include sets
// PasswordAuthentication before the main file does, so the main file's
// line is silently ignored.
func TestReadConfigDropInWins(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "sshd_config")
	writeFile(t, filepath.Join(dir, "sshd_config.d", "50-cloud-init.conf"), "PasswordAuthentication no\n")
	writeFile(t, filepath.Join(dir, "sshd_config.d", "60-extra.conf"), "AllowUsers carol\n")
	writeFile(t, main, "Include "+filepath.Join(dir, "sshd_config.d", "*.conf")+"\n"+
		"Port 2222\nPasswordAuthentication yes\nAllowUsers alice bob\nListenAddress 10.0.0.1\n"+
		"Match User alice\n    PasswordAuthentication yes\n    PermitRootLogin no\n")
	cfg, err := ReadConfigFile(main, ConnInfo{User: "bob", Addr: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Settings.Get("passwordauthentication"); got != "no" {
		t.Fatalf("PasswordAuthentication = %q, want the drop-in's no", got)
	}
	o := cfg.Origins["passwordauthentication"]
	if !strings.HasSuffix(o.File, "50-cloud-init.conf") || o.Line != 1 {
		t.Fatalf("origin %v", o)
	}
	if len(cfg.Ignored) != 1 || cfg.Ignored[0].At.File != main || cfg.Ignored[0].At.Line != 3 {
		t.Fatalf("ignored: %+v", cfg.Ignored)
	}
	// AllowUsers accumulates across files.
	if got := strings.Join(cfg.Settings["allowusers"], " "); got != "carol alice bob" {
		t.Fatalf("AllowUsers = %q", got)
	}
	if len(cfg.Files) != 3 {
		t.Fatalf("files: %v", cfg.Files)
	}
	// For alice, the Match block applies and overrides.
	cfg, _ = ReadConfigFile(main, ConnInfo{User: "alice", Addr: "192.0.2.1"})
	if cfg.Settings.Get("passwordauthentication") != "yes" || cfg.Settings.Get("permitrootlogin") != "no" {
		t.Fatalf("Match User alice: %v", cfg.Settings)
	}
	if o := cfg.Origins["permitrootlogin"]; o.Line != 8 || o.Match != "Match User alice" {
		t.Fatalf("origin in Match: %+v", o)
	}
	s := withDefaults(cfg.Settings)
	if got := strings.Join(s["listenaddress"], ","); got != "10.0.0.1:2222" {
		t.Fatalf("listenaddress %q", got)
	}
	if got := portsOf(s); len(got) != 1 || got[0] != 2222 {
		t.Fatalf("ports %v", got)
	}
}

func TestMatchAddressUncertain(t *testing.T) {
	text := "Match Address 10.0.0.0/8\n  PubkeyAuthentication no\nMatch Group ops\n  AllowTcpForwarding no\n"
	cfg := ParseConfig(strings.NewReader(text), "cfg", ConnInfo{User: "alice", Groups: []string{"ops"}, Addr: "192.0.2.1"})
	if cfg.Settings.Get("pubkeyauthentication") != "" || cfg.Settings.Get("allowtcpforwarding") != "no" {
		t.Fatalf("%v", cfg.Settings)
	}
	if len(cfg.Uncertain) != 1 {
		t.Fatalf("uncertain %v", cfg.Uncertain)
	}
	cfg = ParseConfig(strings.NewReader(text), "cfg", ConnInfo{User: "alice", Addr: "10.1.1.1", AddrKnown: true})
	if cfg.Settings.Get("pubkeyauthentication") != "no" || len(cfg.Uncertain) != 0 {
		t.Fatalf("known address: %v %v", cfg.Settings, cfg.Uncertain)
	}
}

func TestSplitConfigLine(t *testing.T) {
	for in, want := range map[string]string{
		"Port 22":                         "port|22",
		"Port=22":                         "port|22",
		"  AllowUsers  a b   c  ":         "allowusers|a,b,c",
		`AuthorizedKeysCommand "/x y" %u`: "authorizedkeyscommand|/x y,%u",
		"Banner none # trailing":          "banner|none",
	} {
		kw, args, ok := splitConfigLine(in)
		if got := kw + "|" + strings.Join(args, ","); !ok || got != want {
			t.Errorf("splitConfigLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAdjustAlgList(t *testing.T) {
	if got := adjustAlgList("a,b,c", "-b"); got != "a,c" {
		t.Error(got)
	}
	if got := adjustAlgList("a,b", "+ssh-rsa"); got != "a,b,ssh-rsa" {
		t.Error(got)
	}
	if got := adjustAlgList("a,b", "^z"); got != "z,a,b" {
		t.Error(got)
	}
}

func FuzzParseConfig(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "sshd_config"))
	f.Add(string(b))
	f.Add("Include /nonexistent/*.conf\nMatch User a,!b Address 10.0.0.0/8\nPort 1\nMatch all\nPort 2\n")
	f.Add("Match\nMatch Host\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, text string) {
		cfg := ParseConfig(strings.NewReader(text), "cfg", ConnInfo{User: "alice", Groups: []string{"g"}, Addr: "10.0.0.1", AddrKnown: true})
		if cfg == nil {
			t.Fatal("nil config")
		}
		s := withDefaults(cfg.Settings)
		_ = portsOf(s)
	})
}
