package vm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/hostfw"
	"github.com/sshdoctor/sshdoctor/report"
)

func hostCapture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "hostfw", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A Windows VM whose forward sits in a port range Hyper-V/Docker reserved
// (captured netsh output): the forward can never listen.
func TestVBoxForwardInExcludedRange(t *testing.T) {
	f := newFakeVBox(t).addVM(name03, uuid03, variant(t, fix03, `"guestssh,tcp,127.0.0.1,2222,,22"`, `"guestssh,tcp,127.0.0.1,6950,,22"`))
	env := scenarioEnv(t, f)
	env.GOOS = "windows"
	ranges, ok := hostfw.ParseExcludedPortRanges(hostCapture(t, "excluded_docker.txt"))
	env.hostFacts = func(context.Context) hostFacts { return hostFacts{Excluded: ranges, ExcludedOK: ok} }
	o := runScenario(t, Options{Name: name03, From: FromHost, Env: env})
	fd := o.finding(t, "vm.host_port_excluded")
	wantContains(t, "fixes", commands(fd), "netsh int ipv4 add excludedportrange protocol=tcp startport=6950 numberofports=1")
	for _, c := range []struct {
		lang string
		want string
	}{{"en", "host port 6950 is inside a range Windows reserves (6897-6996)"}, {"ja", "ホストのポート 6950 は Windows が予約している範囲 (6897-6996)"}} {
		var b bytes.Buffer
		rep := o.en
		if c.lang == "ja" {
			rep = o.ja
		}
		_ = rep.WriteText(&b, report.TextOptions{})
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("%s: lacks %q\n%s", c.lang, c.want, b.String())
		}
	}
	var j bytes.Buffer
	if err := o.en.WriteJSON(&j); err != nil || !strings.Contains(j.String(), `"code": "vm.host_port_excluded"`) {
		t.Errorf("json: %v\n%s", err, j.String())
	}
	// The same VM with the port outside every range: nothing to say.
	f2 := newFakeVBox(t).addVM(name03, uuid03, string(fixture(t, fix03)))
	env2 := scenarioEnv(t, f2)
	env2.hostFacts = env.hostFacts
	if o := runScenario(t, Options{Name: name03, From: FromHost, Env: env2}); o.has("vm.host_port_excluded") {
		t.Error("port 2222 reported as excluded")
	}
}

// A Mac VM forwarded on every address, reached from the LAN, with the
// application firewall on and VBoxHeadless not allowed (captured
// socketfilterfw output).
func TestVBoxMacFirewallFromLAN(t *testing.T) {
	f := newFakeVBox(t).addVM("go-virtualbox", uuid01, variant(t, fix01, `VMState="saved"`, `VMState="running"`,
		`"ssh,tcp,127.0.0.1,2222,,22"`, `"ssh,tcp,,2222,,22"`))
	env := scenarioEnv(t, f)
	env.GOOS = "darwin"
	fw := hostfw.MacFirewall{State: hostfw.ParseGlobalState(hostCapture(t, "socketfilterfw_states.txt")),
		Apps: hostfw.ParseListApps(hostCapture(t, "socketfilterfw_listapps.txt"))}
	env.hostFacts = func(context.Context) hostFacts { return hostFacts{Mac: &fw} }
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromLAN, Env: env})
	fd := o.finding(t, "vm.macos_firewall_blocks_app")
	wantContains(t, "fixes", commands(fd), "socketfilterfw --unblockapp "+vboxHeadlessDarwin)
	// From the host itself the application firewall is not in the way.
	if o := runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Env: env}); o.has("vm.macos_firewall_blocks_app") {
		t.Error("firewall finding from the host")
	}
}
