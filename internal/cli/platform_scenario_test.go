package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Windows and macOS scenarios, run here on captured real output (the
// SOURCES file beside each capture names where it was published): the
// text a person reads in English and Japanese, and the JSON contract.
type platformScenario struct {
	name    string
	args    []string // command and flags; the capture is the last argument
	capture string
	code    string // diagnosis code
	finding string // a finding code that must be reported ("" = none asked)
	exit    int
	en, ja  []string // substrings of the text output
	fix     []string // substrings of the diagnosis's fix commands (JSON)
	notFix  []string // must not appear in any fix command
}

func runScenario(t *testing.T, sc platformScenario) {
	t.Helper()
	args := append(append([]string(nil), sc.args...), sc.capture)
	for _, lang := range []string{"en", "ja"} {
		s, out, errOut := TestIO(map[string]string{"NO_COLOR": "1"})
		code := Main(append([]string{"--lang", lang}, args...), s)
		if code != sc.exit {
			t.Fatalf("%s %s: exit %d, want %d\n%s%s", sc.name, lang, code, sc.exit, out, errOut)
		}
		want := sc.en
		if lang == "ja" {
			want = sc.ja
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s %s: output lacks %q:\n%s", sc.name, lang, w, out)
			}
		}
	}
	s, out, errOut := TestIO(nil)
	if code := Main(append([]string{args[0], "--json"}, args[1:]...), s); code != sc.exit {
		t.Fatalf("%s json: exit %d\n%s%s", sc.name, code, out, errOut)
	}
	var r struct {
		SchemaVersion int `json:"schema_version"`
		Diagnosis     struct {
			Code  string `json:"code"`
			Fixes []struct {
				Command string `json:"command"`
			} `json:"fixes"`
		} `json:"diagnosis"`
		Checks []struct {
			Findings []struct {
				Code  string `json:"code"`
				Fixes []struct {
					Command string `json:"command"`
				} `json:"fixes"`
			} `json:"findings"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", sc.name, err, out)
	}
	if r.SchemaVersion == 0 || r.Diagnosis.Code != sc.code {
		t.Fatalf("%s: diagnosis %q (schema %d), want %q\n%s", sc.name, r.Diagnosis.Code, r.SchemaVersion, sc.code, out)
	}
	var cmds, codes []string
	for _, f := range r.Diagnosis.Fixes {
		cmds = append(cmds, f.Command)
	}
	for _, c := range r.Checks {
		for _, f := range c.Findings {
			codes = append(codes, f.Code)
			for _, x := range f.Fixes {
				cmds = append(cmds, x.Command)
			}
		}
	}
	if sc.finding != "" && !strings.Contains(" "+strings.Join(codes, " ")+" ", " "+sc.finding+" ") {
		t.Errorf("%s: findings %q lack %s", sc.name, codes, sc.finding)
	}
	all := strings.Join(cmds, "\n")
	for _, w := range sc.fix {
		if !strings.Contains(all, w) {
			t.Errorf("%s: fixes lack %q:\n%s", sc.name, w, all)
		}
	}
	for _, w := range sc.notFix {
		if strings.Contains(all, w) {
			t.Errorf("%s: fixes contain %q:\n%s", sc.name, w, all)
		}
	}
}

func capture(t *testing.T, pkg, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", pkg, "testdata", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWindowsKeyACLScenarios(t *testing.T) {
	for _, sc := range []platformScenario{
		{name: "icacls: Everyone may read the key", args: []string{"explain"},
			capture: capture(t, "internal/winacl", "icacls_everyone_rx.txt"), code: "perm.private_key_acl", exit: 1,
			en:     []string{"Windows gives Everyone (S-1-1-0) access to the private key", "not allowed by OpenSSH: Everyone (S-1-1-0):(RX)", "could not judge: USERPROFILE:(M)"},
			ja:     []string{"Everyone (S-1-1-0) が秘密鍵", "OpenSSH が許さないエントリー: Everyone (S-1-1-0):(RX)"},
			fix:    []string{`/remove:g "*S-1-1-0"`, `/grant:r "*S-1-5-18:F"`},
			notFix: []string{"chmod", `/remove:g "USERPROFILE"`}},
		{name: "ssh names OWNER RIGHTS", args: []string{"explain"},
			capture: capture(t, "internal/winacl", "ssh_owner_rights.txt"), code: "perm.private_key_acl", exit: 1,
			en:     []string{"Windows gives OWNER RIGHTS (S-1-3-4) access to the private key C:\\Path\\To\\TempDir\\Keyfile"},
			ja:     []string{"OWNER RIGHTS (S-1-3-4) が秘密鍵 C:\\Path\\To\\TempDir\\Keyfile"},
			fix:    []string{`icacls "C:\Path\To\TempDir\Keyfile" /remove:g "*S-1-3-4"`, "/inheritance:r"},
			notFix: []string{"chmod", "%USERNAME%"}},
		{name: "sshd log: Authenticated Users on administrators_authorized_keys", args: []string{"explain"},
			capture: capture(t, "internal/winacl", "sshd_admin_keys_auth_users.txt"), code: "perm.ssh_file_acl", exit: 1,
			en:     []string{"OpenSSH refuses C:/ProgramData/ssh/administrators_authorized_keys: NT AUTHORITY\\Authenticated Users (S-1-5-11)"},
			ja:     []string{"OpenSSH は C:/ProgramData/ssh/administrators_authorized_keys を拒否します"},
			fix:    []string{`icacls "C:\ProgramData\ssh\administrators_authorized_keys" /inheritance:r /grant "*S-1-5-32-544:F" /grant "*S-1-5-18:F"`},
			notFix: []string{"chmod"}},
		{name: "authorized_keys readable by sshd: fine", args: []string{"explain"},
			capture: capture(t, "internal/winacl", "icacls_authorized_keys.txt"), code: "ok", exit: 0,
			en: []string{"OpenSSH for Windows accepts the access list of authorized_keys"},
			ja: []string{"OpenSSH for Windows は authorized_keys のアクセス制御リストを受け入れます"}},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

func TestWindowsAgentScenarios(t *testing.T) {
	for _, sc := range []platformScenario{
		{name: "ssh-agent service disabled (error 1058)", args: []string{"explain"},
			capture: capture(t, "internal/winagent", "ssh_agent_1058.txt"), code: "ok", finding: "agent.windows_service_stopped", exit: 0,
			en:  []string{"The OpenSSH agent service of Windows is not running (start type: disabled)"},
			ja:  []string{"Windows の OpenSSH エージェント サービスが動いていません (スタートアップの種類: disabled)"},
			fix: []string{"Set-Service -StartupType Automatic", "Start-Service ssh-agent"}, notFix: []string{"eval $(ssh-agent"}},
		{name: "ssh -vvv: no one serves the pipe", args: []string{"explain"},
			capture: capture(t, "internal/winagent", "ssh_vvv_pipe_missing.txt"), code: "ok", finding: "agent.windows_pipe_missing", exit: 0,
			en:  []string{`No agent serves the pipe \\.\pipe\ssh-pageant`},
			ja:  []string{`パイプ \\.\pipe\ssh-pageant を提供しているエージェントがありません`},
			fix: []string{`Get-ChildItem \\.\pipe\`}},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

func TestWindowsServerScenarios(t *testing.T) {
	runScenario(t, platformScenario{name: "administrator's key read from the shared file", args: []string{"explain"},
		capture: capture(t, "internal/winsshd", "sshd_admin_keys_missing.txt"), code: "server.windows_admin_keys", exit: 1,
		en:     []string{`Windows' sshd reads C:\ProgramData\ssh\administrators_authorized_keys for this administrator`},
		ja:     []string{`この管理者の鍵を ~/.ssh/authorized_keys ではなく C:\ProgramData\ssh\administrators_authorized_keys から読みます`},
		fix:    []string{`Add-Content "C:\ProgramData\ssh\administrators_authorized_keys"`, `/grant "*S-1-5-18:F"`},
		notFix: []string{"chmod"}})
}
