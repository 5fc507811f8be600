package sshlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tests of the problems people meet when they paste: each starts from a
// published text (testdata/corpus/published) and changes only its
// presentation, or asks the question a user would.

func published(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus", "published", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func pasteExplain(t *testing.T, text string, opts ExplainOptions) *Analysis {
	t.Helper()
	a, err := Explain([]Input{{Name: "t", R: strings.NewReader(text)}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func eachLine(text string, f func(string) string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = f(l)
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestPasteFormatting: indentation, quote markers, fences, trailing
// blanks, CRLF and colour change nothing — neither the cause nor the values
// fix commands are built from.
func TestPasteFormatting(t *testing.T) {
	texts := map[string]string{
		"005-legacy-appliance-hostkey.txt":       "kex.no_hostkey_alg",
		"061-hostkey-changed-ed25519-strict.txt": "hostkey.changed",
		"003-vagrant-ssh-mingw-publickey.txt":    "auth.publickey_denied",
		"118-unprotected-key-old-wording.txt":    "perm.private_key_too_open",
		"111-refused-bare-tools-host.txt":        "tcp.refused",
	}
	forms := map[string]func(string) string{
		"indent":   func(s string) string { return "    " + s },
		"one":      func(s string) string { return " " + s },
		"quote":    func(s string) string { return "> " + s },
		"trailing": func(s string) string { return s + "   \t" },
		"crlf":     func(s string) string { return s + "\r" },
		"colour":   func(s string) string { return "\x1b[31m" + s + "\x1b[0m" },
		"stamp":    func(s string) string { return "2025-01-07T10:11:12.1234567Z " + s },
		"vscode":   func(s string) string { return "[16:25:29.721] stderr> " + s },
	}
	for file, want := range texts {
		plain := published(t, file)
		for name, form := range forms {
			text := eachLine(plain, form)
			if name == "quote" {
				text = "```\n" + text + "```\n"
			}
			a := pasteExplain(t, text, ExplainOptions{})
			if got := diagnosisCode(a); got != want {
				t.Errorf("%s as %s: %s, want %s", file, name, got, want)
			}
			for _, f := range a.Findings {
				for _, fx := range f.Fixes {
					if strings.Contains(fx.Command, "'    ") || strings.Contains(fx.Command, "' ") && strings.Contains(fx.Command, "ssh-copy-id '") {
						t.Errorf("%s as %s: fix built from an untrimmed value: %q", file, name, fx.Command)
					}
				}
			}
		}
	}
}

// TestPasteWrappers: what tools put around ssh's and sshd's lines.
func TestPasteWrappers(t *testing.T) {
	server := "userauth_pubkey: key type ssh-rsa not in PubkeyAcceptedAlgorithms [preauth]" // 081
	cases := []struct{ name, text, want string }{
		{"bare sshd[pid]", "sshd[888]: " + server, "server.pubkey_alg_rejected"},
		{"dmesg stamp", "[ 1234.567890] sshd[888]: " + server, "server.pubkey_alg_rejected"},
		{"short-iso", "2024-07-11T16:19:20+0200 web1 sshd[888]: " + server, "server.pubkey_alg_rejected"},
		{"short-precise", "Nov 22 03:10:01.117730 web1 sshd[888]: " + server, "server.pubkey_alg_rejected"},
		{"cat", server, "server.pubkey_alg_rejected"},
		{"json", `{"MESSAGE":"` + server + `","SYSLOG_IDENTIFIER":"sshd","_PID":"888"}`, "server.pubkey_alg_rejected"},
		{"windows sshd.log", "5544 2020-02-28 15:29:01.585 Authentication refused.", "server.strictmodes"},
		{"borg", "Remote: ssh_exchange_identification: Connection closed by remote host\nConnection closed by remote host. Is borg working on the server?", "banner.closed"},
		{"packer", "==> amazon-ebs: Timeout waiting for SSH.", "vm.ssh_wait_timeout"},
		{"vagrant", "    default: Warning: Authentication failure. Retrying...", "vagrant.auth_failure"},
		{"ansible json", published(t, "009-ansible-unreachable-json-publickey.txt"), "auth.publickey_denied"},
		{"ansible yaml", published(t, "030-ansible-msg-block-key-load-public.txt"), "auth.publickey_denied"},
		{"ci stamps", published(t, "031-github-actions-agent-windows.txt"), "agent.not_running"},
	}
	for _, c := range cases {
		if got := diagnosisCode(pasteExplain(t, c.text+"\n", ExplainOptions{})); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestLinesDecideAlone: one sshd line that names its cause is a finding,
// never "no failure".
func TestLinesDecideAlone(t *testing.T) {
	for file, want := range map[string]string{
		"038-syslog-bad-ownership-dir.txt":       "server.strictmodes",
		"079-journal-pubkey-alg-ssh2-node.txt":   "server.pubkey_alg_rejected",
		"082-pubkey-acceptedkeytypes-fedora.txt": "server.pubkey_alg_rejected",
	} {
		a := pasteExplain(t, published(t, file), ExplainOptions{})
		if got := diagnosisCode(a); got != want {
			t.Errorf("%s: %s, want %s", file, got, want)
		}
	}
}

// TestUnknownFailure: a failure nobody taught sshdoctor is named as such,
// with its lines, and is inconclusive — never "no failure".
func TestUnknownFailure(t *testing.T) {
	// ansible/ansible#21431, as published.
	text := `fatal: [96.119.XXX.XXX]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh.", "unreachable": true}` + "\n"
	a := pasteExplain(t, text, ExplainOptions{})
	if got := diagnosisCode(a); got != "explain.unknown_failure" || !a.Unrecognized {
		t.Fatalf("got %s (unrecognized=%v), want explain.unknown_failure, inconclusive", got, a.Unrecognized)
	}
	named := false
	for _, ev := range a.Findings[0].Evidence {
		named = named || strings.Contains(ev.Value, "Failed to connect to the host via ssh.")
	}
	if !named {
		t.Errorf("evidence %v does not name the line", a.Findings[0].Evidence)
	}
	// Ansible's recap of a run that worked reports no failure.
	recap := "PLAY RECAP *********************************************************************\n" +
		"localhost                  : ok=20   changed=3    unreachable=0    failed=0\n"
	if got := diagnosisCode(pasteExplain(t, recap, ExplainOptions{})); got == "explain.unknown_failure" {
		t.Errorf("a recap with failed=0 read as a failure")
	}
	// A success with retries is no failure (Vagrant's boot).
	a = pasteExplain(t, published(t, "016-vagrant-timeout-then-ready.txt"), ExplainOptions{})
	if got := diagnosisCode(a); got != "explain.no_failure" {
		t.Errorf("vagrant boot with retries: %s", got)
	}
}

// TestStrangers: with --user, a log full of scanners says what it shows
// for that user and how much is noise.
func TestStrangers(t *testing.T) {
	text := published(t, "154-journal-short-allowusers-bots.txt")
	a := pasteExplain(t, text, ExplainOptions{Scan: ScanOptions{User: "alice"}})
	codes := map[string]bool{}
	for _, f := range a.Findings {
		codes[f.Code] = true
	}
	if got := diagnosisCode(a); got == "server.allowusers" {
		t.Errorf("another user's refusal taken for alice's: %v", codes)
	}
	if !codes["explain.user_absent"] {
		t.Errorf("no word that the log shows nothing for alice: %v", codes)
	}
	a = pasteExplain(t, text, ExplainOptions{Scan: ScanOptions{User: "root"}})
	found := false
	for _, f := range a.Findings {
		if f.Code == "explain.user_summary" && f.Args["failed"] == "9" && f.Args["others"] == "1" {
			found = true
		}
	}
	if !found {
		t.Errorf("no summary of root's 9 refusals and 1 for ftp: %+v", a.Findings)
	}
	a = pasteExplain(t, text, ExplainOptions{})
	noise := false
	for _, f := range a.Findings {
		noise = noise || f.Code == "explain.scan_noise" && f.Args["sources"] == "3" && f.Args["count"] == "10"
	}
	if !noise {
		t.Errorf("scanning noise not counted")
	}
}
