package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/reportschema"
)

func TestVMFlags(t *testing.T) {
	s, _, _ := TestIO(nil)
	var got *VMOptions
	run := func(args ...string) error {
		got = nil
		c := NewCmdVM(s, &Globals{}, func(o *VMOptions) error { got = o; return nil })
		c.SetArgs(args)
		c.SilenceErrors, c.SilenceUsage = true, true
		return c.Execute()
	}
	if err := run("web", "--from", "lan", "--port", "2200", "--timeout", "2s"); err != nil ||
		got.Name != "web" || got.From != "lan" || got.Port != 2200 || !got.PortSet || got.Timeout != 2*time.Second {
		t.Fatalf("%v %+v", err, got)
	}
	if err := run(); err != nil || got.Name != "" || got.From != "host" || got.Port != 22 || got.PortSet {
		t.Fatalf("defaults: %v %+v", err, got)
	}
	if err := run("--file", "x.vbox"); err != nil || got.File != "x.vbox" {
		t.Fatalf("%v %+v", err, got)
	}
	if err := run("a", "b"); err == nil {
		t.Error("two names accepted")
	}
}

const testVBox = `<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">
  <Machine uuid="{623842dc-0947-4143-aa4e-7d180c5eb348}" name="web" OSType="Ubuntu_64">
    <Hardware>
      <Network>
        <Adapter slot="0" enabled="true" MACAddress="080027BB1475" type="82540EM">
          <NAT><Forwarding name="ssh" proto="1" hostip="127.0.0.1" hostport="20222" guestport="22"/></NAT>
        </Adapter>
      </Network>
    </Hardware>
  </Machine>
</VirtualBox>
`

func TestVMUsageErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "web.vbox")
	bad := filepath.Join(dir, "bad.vbox")
	if err := os.WriteFile(good, []byte(testVBox), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("<html>not a vbox</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"vm", "--from", "mars"},
		{"vm", "--port", "0"},
		{"vm", "--port", "70000"},
		{"vm", "--timeout", "-1s"},
		{"vm", "--file", filepath.Join(dir, "missing.vbox")},
		{"vm", "--file", bad},
		{"vm", "web", "--file", good},
		{"vm", "a", "b"},
		{"vm", "--bogus"},
	} {
		s, out, errOut := TestIO(nil)
		code := Main(args, s)
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		if code != ExitUsage || len(lines) != 1 || !strings.HasPrefix(lines[0], "sshdoctor: ") || out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

func TestVMFileJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "web.vbox")
	if err := os.WriteFile(path, []byte(testVBox), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		from, diag string
		code       int
	}{{"lan", "vbox.natpf_loopback_only", ExitProblem}, {"host", "ok", ExitOK}} {
		s, out, errOut := TestIO(nil)
		code := Main([]string{"vm", "--json", "--file", path, "--from", c.from, "--lang", "ja"}, s)
		reportschema.Check(t, out.Bytes())
		var r struct {
			Command   string            `json:"command"`
			Subject   map[string]string `json:"subject"`
			Diagnosis struct {
				Code  string `json:"code"`
				Title string `json:"title"`
				Fixes []struct {
					Command string `json:"command"`
				} `json:"fixes"`
			} `json:"diagnosis"`
		}
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("not one JSON object: %v\n%s%s", err, out, errOut)
		}
		if code != c.code || r.Diagnosis.Code != c.diag || r.Command != "vm" || r.Subject["vm"] != "web" || r.Subject["from"] != c.from {
			t.Errorf("--from %s: exit %d %+v", c.from, code, r)
		}
		if c.diag == "vbox.natpf_loopback_only" {
			if !strings.Contains(r.Diagnosis.Title, "ポートフォワーディング") {
				t.Errorf("Japanese title %q", r.Diagnosis.Title)
			}
			if len(r.Diagnosis.Fixes) == 0 || !strings.Contains(r.Diagnosis.Fixes[0].Command, `VBoxManage modifyvm "web" --natpf1 delete "ssh"`) {
				t.Errorf("fixes %+v", r.Diagnosis.Fixes)
			}
		}
	}
}
