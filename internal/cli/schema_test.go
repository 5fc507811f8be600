package cli

import (
	"bytes"
	"encoding/json"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
	"github.com/sshdoctor/sshdoctor/internal/lab"
	"github.com/sshdoctor/sshdoctor/internal/reportschema"
)

// Every command's real --json output, in both languages, is a report the
// published schema accepts; vm, gcp and explain (which need no network) are
// also compared with golden JSON, so that a renamed or retyped field shows
// up as a diff even where the schema would allow it.
func TestJSONSchemaEveryCommand(t *testing.T) {
	noRealCredentials(t)
	vbox, _ := filepath.Abs(filepath.Join("..", "..", "vm", "testdata", "vbox-02-vbox70-settings119-nat-fwd-hostonly-vagrant.vbox"))
	srv := gcptest.New(t)
	srv.RemoveFirewall("default-allow-ssh")
	key := srv.WriteKey(1)
	gcpEnv := srv.Env()

	hostAddrs := map[string]string{vbox: "FILE", key: "KEY", srv.Dir(): "DIR"}
	if as, err := net.InterfaceAddrs(); err == nil {
		for _, a := range as {
			if p, err := netip.ParsePrefix(a.String()); err == nil && !p.Addr().IsLoopback() {
				hostAddrs[p.Addr().String()] = "HOST_ADDR"
			}
		}
	}

	for _, tc := range []struct {
		name   string
		env    map[string]string
		stdin  string
		args   []string
		code   int
		golden string
	}{
		{name: "check", args: []string{"check", "-F", "/dev/null", "--timeout", "1s", "-p", "1", "127.0.0.1"}, code: ExitProblem},
		{name: "server", args: []string{"server", "--user", "root", "--since", "10m"}, code: -1},
		{name: "vm", env: map[string]string{"PATH": ""}, args: []string{"vm", "--file", vbox, "--from", "lan"},
			code: ExitProblem, golden: "vbox_natpf_loopback_only"},
		{name: "gcp", env: gcpEnv, args: []string{"gcp", gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone,
			"--source-ip", myIP, "--key", key}, code: ExitProblem, golden: "gcp_firewall_blocks_ssh"},
		{name: "explain", stdin: "ssh: connect to host 198.18.0.2 port 22: Connection refused\n", args: []string{"explain"},
			code: ExitProblem, golden: "explain_refused"},
	} {
		for _, lang := range []string{"en", "ja"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				s, out, errOut := TestIO(tc.env)
				s.In = strings.NewReader(tc.stdin)
				code := Main(append([]string{"--json", "--lang", lang}, tc.args...), s)
				if tc.code >= 0 && code != tc.code {
					t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
				}
				if err := reportschema.Validate(out.Bytes()); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				if tc.golden != "" {
					got := lab.Normalize(string(stableJSON(t, out.Bytes())), hostAddrs)
					lab.Golden(t, filepath.Join("testdata", "golden", tc.golden+"."+lang+".json"), []byte(got))
				}
			})
		}
	}
}

// stableJSON removes what differs between runs of the same scenario: the
// version of the binary and check durations.
func stableJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	r["version"] = "VERSION"
	if cs, ok := r["checks"].([]any); ok {
		for _, c := range cs {
			c.(map[string]any)["duration_ms"] = 0
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
