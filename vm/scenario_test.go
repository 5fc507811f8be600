package vm

import (
	"bufio"
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/report"
)

const (
	fix01 = "showvminfo-01-vbox5x-macos-nat-ssh127-saved.txt"
	fix02 = "showvminfo-02-vbox5x6x-nat-poweroff-ohai.txt"
	fix03 = "showvminfo-03-vbox5x-windows-nat-2fwd-intnet-sailfish.txt"
	fix04 = "showvminfo-04-vbox31-bridged-mitchellh.txt"

	uuid01 = "37f5d336-bf07-48dd-947c-37e6a56420a7"
	uuid02 = "6294f16b-4f05-4430-afb9-773bdb237aec"
	uuid03 = "5bc88aa7-3372-4122-9d67-52b62310fdc4"
	uuid04 = "8710d3db-d96a-46ed-9004-59fa891fda90"
	name02 = "ubuntu-18.04-amd64_1549746024485_35372"
	name03 = "Sailfish OS Build Engine"
)

// testHostAddrs is the host's LAN address in every scenario (TEST-NET-1:
// it appears only in printed commands, nothing ever connects to it).
var testHostAddrs = []netip.Addr{netip.MustParseAddr("192.0.2.10")}

// scenarioEnv is an environment with the stand-in VBoxManage, no QEMU, no
// listeners (unless a test wants the real ones) and a networks.conf path
// that does not exist.
func scenarioEnv(t testing.TB, f *fakeVBox) Env {
	e := Env{
		Getenv:       func(string) string { return "" },
		NetworksConf: filepath.Join(t.TempDir(), "networks.conf"),
		QEMU:         func(context.Context) ([]*Machine, bool, error) { return nil, true, nil },
		HostAddrs:    func() ([]netip.Addr, error) { return testHostAddrs, nil },
		Listeners:    func(map[int]bool) ([]Listener, bool, error) { return nil, true, nil },
		GOOS:         "linux",
	}
	if f != nil {
		e.VBoxManage = f.path
	} else {
		e.Locations = []string{filepath.Join(t.TempDir(), "VBoxManage")}
	}
	return e
}

type outcome struct {
	o  *diag.Outcome
	en *report.Report
	ja *report.Report
}

// runScenario runs the vm checks and renders the report in both languages,
// failing on any placeholder left unfilled or any untranslated text.
func runScenario(t testing.TB, o Options) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := New(o)
	out, err := diag.Execute(ctx, r.Checks())
	if err != nil {
		t.Fatal(err)
	}
	res := outcome{o: out, en: report.Build("vm", catalog.EN, out), ja: report.Build("vm", catalog.JA, out)}
	for _, rep := range []*report.Report{res.en, res.ja} {
		var sb strings.Builder
		if err := rep.WriteText(&sb, report.TextOptions{}); err != nil {
			t.Fatal(err)
		}
		text := sb.String()
		for _, c := range rep.Checks {
			for _, f := range c.Findings {
				for _, s := range append([]string{f.Title, f.Explanation}, fixDescs(f)...) {
					if strings.Contains(s, "{") && catalog.Placeholders(s) != nil {
						t.Errorf("%s (%s): unfilled placeholder in %q", f.Code, rep.Language, s)
					}
					if rep.Language == "ja" && !hasJapanese(s) {
						t.Errorf("%s: untranslated Japanese text %q", f.Code, s)
					}
				}
			}
		}
		if strings.Contains(text, "{vm}") || strings.Contains(text, "{rule}") {
			t.Errorf("unfilled placeholder in text output:\n%s", text)
		}
	}
	if testing.Verbose() {
		var sb strings.Builder
		_ = res.en.WriteText(&sb, report.TextOptions{})
		t.Log("\n" + sb.String())
	}
	return res
}

func fixDescs(f report.Finding) []string {
	var out []string
	for _, x := range f.Fixes {
		out = append(out, x.Description)
	}
	return out
}

func hasJapanese(s string) bool {
	for _, r := range s {
		if (r >= 0x3040 && r <= 0x30ff) || (r >= 0x4e00 && r <= 0x9fff) {
			return true
		}
	}
	return false
}

func (o outcome) diagnosis() string { return o.en.Diagnosis.Code }

func (o outcome) finding(t testing.TB, code string) report.Finding {
	t.Helper()
	for _, c := range o.en.Checks {
		for _, f := range c.Findings {
			if f.Code == code {
				return f
			}
		}
	}
	var all []string
	for _, c := range o.en.Checks {
		for _, f := range c.Findings {
			all = append(all, f.Code)
		}
	}
	t.Fatalf("no %s finding; found %v", code, all)
	return report.Finding{}
}

func (o outcome) has(code string) bool {
	for _, c := range o.en.Checks {
		for _, f := range c.Findings {
			if f.Code == code {
				return true
			}
		}
	}
	return false
}

func commands(f report.Finding) string {
	var out []string
	for _, x := range f.Fixes {
		out = append(out, x.Command)
	}
	return strings.Join(out, "\n")
}

func wantDiag(t testing.TB, o outcome, code string, result string, exit int) {
	t.Helper()
	if o.diagnosis() != code || o.en.Result != result || o.en.ExitCode() != exit {
		t.Fatalf("diagnosis %s result %s exit %d, want %s %s %d", o.diagnosis(), o.en.Result, o.en.ExitCode(), code, result, exit)
	}
	if o.ja.Diagnosis.Code != code {
		t.Fatalf("Japanese diagnosis %s", o.ja.Diagnosis.Code)
	}
}

func wantContains(t testing.TB, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}

// ---- VirtualBox scenarios: one per code ----

func TestVBoxLoopbackOnlyFromLANRunning(t *testing.T) {
	f := newFakeVBox(t).addVM("go-virtualbox", uuid01, variant(t, fix01, `VMState="saved"`, `VMState="running"`))
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromLAN, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.natpf_loopback_only", "problem", 1)
	fd := o.finding(t, "vbox.natpf_loopback_only")
	// Running: controlvm, delete then re-add; blank host IP; the warning.
	wantContains(t, "fixes", commands(fd),
		`VBoxManage controlvm "go-virtualbox" natpf1 delete "ssh"`+"\n"+`VBoxManage controlvm "go-virtualbox" natpf1 "ssh,tcp,,2222,,22"`,
		`VBoxManage controlvm "go-virtualbox" natpf1 "ssh,tcp,192.0.2.10,2222,,22"`,
		"ssh -p 2222 127.0.0.1")
	wantContains(t, "fix text", strings.Join(fixDescs(fd), "\n"), "every network the host is on")
	wantContains(t, "Japanese diagnosis", o.ja.Diagnosis.Title+o.ja.Diagnosis.Explanation, "ポートフォワーディング", "0.0.0.0", "ほかのマシン")
	if fd.Evidence["rule"] != "ssh,tcp,127.0.0.1,2222,,22" || fd.Evidence["listens_on"] != "127.0.0.1:2222" {
		t.Errorf("evidence %v", fd.Evidence)
	}
	if !o.has("vagrant.ssh_forward") {
		t.Error("a Vagrant VM (shared folder \"vagrant\") gets the Vagrant note")
	}
	if c := commands(o.finding(t, "vagrant.ssh_forward")); !strings.Contains(c, `host_ip: "0.0.0.0", id: "ssh"`) {
		t.Errorf("vagrant fix %q", c)
	}
	f.assertReadOnly()
}

func TestVBoxLoopbackOnlySavedVM(t *testing.T) {
	f := newFakeVBox(t).addVM("go-virtualbox", uuid01, string(fixture(t, fix01)))
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromLAN, Env: scenarioEnv(t, f)})
	// The VM is saved: that comes first, and the forward fix uses modifyvm.
	wantDiag(t, o, "vbox.vm_not_running", "problem", 1)
	if c := commands(o.finding(t, "vbox.vm_not_running")); c != `VBoxManage startvm "go-virtualbox" --type headless` {
		t.Errorf("start command %q", c)
	}
	wantContains(t, "fixes", commands(o.finding(t, "vbox.natpf_loopback_only")),
		`VBoxManage modifyvm "go-virtualbox" --natpf1 delete "ssh"`+"\n"+`VBoxManage modifyvm "go-virtualbox" --natpf1 "ssh,tcp,,2222,,22"`)
	f.assertReadOnly()
}

func TestVBoxLoopbackOnlyWindowsNameWithSpaces(t *testing.T) {
	f := newFakeVBox(t).addVM(name03, uuid03, string(fixture(t, fix03)))
	o := runScenario(t, Options{Name: name03, From: FromVM, Env: scenarioEnv(t, f)})
	// NIC 2 (internal network) does reach another guest on SailfishOS-SDK.
	wantDiag(t, o, "vbox.vm_not_running", "problem", 1)
	if o.has("vbox.natpf_loopback_only") || o.has("vbox.mode_unreachable") {
		t.Error("from another guest the internal network is a path: no reachability error expected")
	}
	o = runScenario(t, Options{Name: uuid03, From: FromLAN, Env: scenarioEnv(t, f)})
	wantContains(t, "fixes", commands(o.finding(t, "vbox.natpf_loopback_only")),
		`VBoxManage modifyvm "Sailfish OS Build Engine" --natpf1 delete "guestssh"`)
}

func TestVBoxBoundAddress(t *testing.T) {
	// Bound to an address this host does not have: VirtualBox cannot listen.
	f := newFakeVBox(t).addVM("go-virtualbox", uuid01, variant(t, fix01, `VMState="saved"`, `VMState="running"`,
		`"ssh,tcp,127.0.0.1,2222,,22"`, `"ssh,tcp,198.18.77.7,2222,,22"`))
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.natpf_bound_address", "problem", 1)
	fd := o.finding(t, "vbox.natpf_bound_address")
	if fd.Severity != "error" || fd.Evidence["address_on_this_host"] != "no" {
		t.Errorf("%s %v", fd.Severity, fd.Evidence)
	}
	// Bound to the host's own LAN address: works, but not via localhost.
	// (Powered off, so nothing is probed.)
	f = newFakeVBox(t).addVM("go-virtualbox", uuid01, variant(t, fix01, `VMState="saved"`, `VMState="poweroff"`,
		`"ssh,tcp,127.0.0.1,2222,,22"`, `"ssh,tcp,192.0.2.10,2222,,22"`))
	o = runScenario(t, Options{From: FromHost, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "ok", "ok", 0)
	fd = o.finding(t, "vbox.natpf_bound_address")
	if fd.Severity != "warning" || commands(fd) != "ssh -p 2222 192.0.2.10" {
		t.Errorf("%s %q", fd.Severity, commands(fd))
	}
	if o.finding(t, "vbox.vm_not_running").Severity != "info" {
		t.Error("without a VM name, a stopped VM is a note")
	}
}

func TestVBoxNATPFMissing(t *testing.T) {
	f := newFakeVBox(t).addVM(name02, uuid02, variant(t, fix02, `VMState="poweroff"`, `VMState="running"`))
	env := scenarioEnv(t, f)
	// 2222 is taken on the host: the suggested forward moves on.
	env.Listeners = func(map[int]bool) ([]Listener, bool, error) {
		return []Listener{{Addr: netip.MustParseAddr("127.0.0.1"), Port: 2222}}, true, nil
	}
	o := runScenario(t, Options{Name: name02, From: FromHost, Env: env})
	wantDiag(t, o, "vbox.natpf_missing", "problem", 1)
	fd := o.finding(t, "vbox.natpf_missing")
	if c := commands(fd); c != `VBoxManage controlvm "ubuntu-18.04-amd64_1549746024485_35372" natpf1 "ssh,tcp,127.0.0.1,2223,,22"`+"\nssh -p 2223 127.0.0.1" {
		t.Errorf("commands %q", c)
	}
	f.assertReadOnly()
}

func TestVBoxGuestPort(t *testing.T) {
	show := variant(t, fix03, `"guestssh,tcp,127.0.0.1,2222,,22"`, `"guestssh,tcp,127.0.0.1,2222,,2200"`)
	f := newFakeVBox(t).addVM(name03, uuid03, show)
	o := runScenario(t, Options{Name: name03, From: FromHost, Port: 22, PortSet: true, Env: scenarioEnv(t, f)})
	if !o.has("vbox.natpf_guest_port") || o.finding(t, "vbox.natpf_guest_port").Severity != "error" {
		t.Fatal("an explicit --port 22 and a rule to 2200: error")
	}
	wantContains(t, "fix", commands(o.finding(t, "vbox.natpf_guest_port")),
		`VBoxManage modifyvm "Sailfish OS Build Engine" --natpf1 delete "guestssh"`+"\n"+
			`VBoxManage modifyvm "Sailfish OS Build Engine" --natpf1 "guestssh,tcp,127.0.0.1,2222,,22"`)
	// Without --port, the rule's own guest port may be right: a note.
	o = runScenario(t, Options{Name: name03, From: FromHost, Env: scenarioEnv(t, f)})
	if fd := o.finding(t, "vbox.natpf_guest_port"); fd.Severity != "info" || !strings.Contains(commands(fd), "--port 2200") {
		t.Errorf("%s %q", fd.Severity, commands(fd))
	}
	if o.has("vbox.natpf_missing") {
		t.Error("the ssh rule is taken as the forward when --port was not given")
	}
}

func TestVBoxModeUnreachableFromHost(t *testing.T) {
	show := variant(t, fix03, `nic1="nat"`, `nic1="null"`, `VMState="poweroff"`, `VMState="running"`)
	f := newFakeVBox(t).addVM(name03, uuid03, show).set("list hostonlyifs", string(fixture(t, "list-ohai-list_hostonlyifs.txt")))
	o := runScenario(t, Options{Name: name03, From: FromHost, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.mode_unreachable", "problem", 1)
	fd := o.finding(t, "vbox.mode_unreachable")
	wantContains(t, "evidence", fd.Evidence["adapters"], `1 (null)`, `2 (intnet "SailfishOS-SDK")`)
	wantContains(t, "fixes", commands(fd),
		"VBoxManage controlvm \"Sailfish OS Build Engine\" acpipowerbutton\nVBoxManage modifyvm \"Sailfish OS Build Engine\" --nic1 hostonly --hostonlyadapter1 \"vboxnet1\"",
		// 2222 is guestssh's host port on this adapter already.
		`--nic1 nat --natpf1 "ssh,tcp,127.0.0.1,2223,,22"`)
	wantContains(t, "Japanese explanation", o.ja.Diagnosis.Explanation, "内部ネットワーク", "ホストオンリー アダプター", "ブリッジ アダプター")
}

func TestVBoxModeUnreachableHostOnlyFromLAN(t *testing.T) {
	show := variant(t, fix04, `bridgeadapter1="en1: AirPort"`, `hostonlyadapter1="vboxnet0"`,
		`nic1="bridged"`, `nic1="hostonly"`, `VMState="poweroff"`, `VMState="running"`)
	f := newFakeVBox(t).addVM("foo", uuid04, show).
		set("list hostonlyifs", string(fixture(t, "list-gov-vboxmanage-list-hostonlyifs-1.txt"))).
		set("list bridgedifs", string(fixture(t, "list-ohai-list_bridgedifs.txt")))
	o := runScenario(t, Options{Name: "foo", From: FromLAN, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.mode_unreachable", "problem", 1)
	wantContains(t, "fixes", commands(o.finding(t, "vbox.mode_unreachable")),
		`VBoxManage modifyvm "foo" --nic1 bridged --bridgeadapter1 "eno1"`,
		`--nic1 nat --natpf1 "ssh,tcp,,2222,,22"`)
	// The same VM from the host: host-only is a path.
	o = runScenario(t, Options{Name: "foo", From: FromHost, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "ok", "ok", 0)
}

func TestVBoxHostOnlyRange(t *testing.T) {
	show := variant(t, fix04, `bridgeadapter1="en1: AirPort"`, `hostonlyadapter1="vboxnet0"`,
		`nic1="bridged"`, `nic1="hostonly"`, `VMState="poweroff"`, `VMState="running"`)
	f := newFakeVBox(t).addVM("foo", uuid04, show).
		set("list hostonlyifs", string(fixture(t, "list-ohai-list_hostonlyifs.txt"))) // vboxnet0 192.168.33.1
	env := scenarioEnv(t, f)
	o := runScenario(t, Options{Name: "foo", From: FromHost, Env: env})
	wantDiag(t, o, "vbox.hostonly_range", "problem", 1)
	fd := o.finding(t, "vbox.hostonly_range")
	wantContains(t, "fixes", commands(fd), "echo '* 192.168.33.0/24' | sudo tee -a "+env.NetworksConf,
		`VBoxManage hostonlyif ipconfig "vboxnet0" --ip 192.168.56.1 --netmask 255.255.255.0`)
	if fd.Evidence["networks_conf"] != env.NetworksConf+": absent" {
		t.Errorf("evidence %v", fd.Evidence)
	}
	// networks.conf allowing the range: no finding.
	if err := os.WriteFile(env.NetworksConf, []byte("* 192.168.0.0/16\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if o = runScenario(t, Options{Name: "foo", From: FromHost, Env: env}); o.has("vbox.hostonly_range") {
		t.Error("networks.conf allows 192.168.0.0/16")
	}
	// Before 6.1.28 there was no restriction.
	os.Remove(env.NetworksConf)
	f.set("--version", "6.1.26r145957\n")
	if o = runScenario(t, Options{Name: "foo", From: FromHost, Env: env}); o.has("vbox.hostonly_range") {
		t.Error("VirtualBox 6.1.26 does not restrict host-only ranges")
	}
}

func TestVBoxCableDisconnected(t *testing.T) {
	f := newFakeVBox(t).addVM("go-virtualbox", uuid01, variant(t, fix01, `VMState="saved"`, `VMState="running"`,
		`cableconnected1="on"`, `cableconnected1="off"`))
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.cable_disconnected", "problem", 1)
	if c := commands(o.finding(t, "vbox.cable_disconnected")); c != `VBoxManage controlvm "go-virtualbox" setlinkstate1 on` {
		t.Errorf("%q", c)
	}
}

func TestVBoxGuestIPStale(t *testing.T) {
	f := newFakeVBox(t).addVM("foo", uuid04, string(fixture(t, fix04))).
		set("guestproperty get foo /VirtualBox/GuestInfo/Net/Count", "Value: 1\n").
		set("guestproperty get foo /VirtualBox/GuestInfo/Net/0/V4/IP", "Value: 192.168.1.131\n")
	o := runScenario(t, Options{From: FromLAN, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "ok", "ok", 0) // bridged reaches the LAN; the VM is off, but unnamed
	fd := o.finding(t, "vbox.guest_ip")
	if fd.Severity != "info" || !strings.HasPrefix(fd.Evidence["stale"], "yes") || !strings.Contains(fd.Title, "192.168.1.131") {
		t.Errorf("%v %q", fd.Evidence, fd.Title)
	}
}

func TestVBoxNotInstalled(t *testing.T) {
	o := runScenario(t, Options{From: FromHost, Env: scenarioEnv(t, nil)})
	wantDiag(t, o, "inconclusive", "inconclusive", 3)
	if fd := o.finding(t, "vbox.not_installed"); !strings.Contains(commands(fd), "sshdoctor vm --file ~/") {
		t.Errorf("%q", commands(fd))
	}
	o = runScenario(t, Options{Name: "web", From: FromHost, Env: scenarioEnv(t, nil)})
	wantDiag(t, o, "vbox.not_installed", "problem", 1)
	if c := commands(o.finding(t, "vbox.not_installed")); c != `sshdoctor vm --file ~/"VirtualBox VMs/web/web.vbox"` {
		t.Errorf("%q", c)
	}
}

func TestVBoxVMNotFound(t *testing.T) {
	f := newFakeVBox(t).addVM("go-virtualbox", uuid01, string(fixture(t, fix01))).addVM("Ubuntu", "2e16b1fc-675d-4a7a-a9a1-e89a8bde7874", string(fixture(t, fix02)))
	o := runScenario(t, Options{Name: "go-virtualbx", From: FromHost, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.vm_not_found", "problem", 1)
	wantContains(t, "evidence", o.finding(t, "vbox.vm_not_found").Evidence["machines_here"], `"go-virtualbox"`, `"Ubuntu"`)
}

func TestVBoxManageFailed(t *testing.T) {
	f := newFakeVBox(t).fail("list vms", "VBoxManage: error: Failed to create the VirtualBox object!\n", 1)
	o := runScenario(t, Options{From: FromHost, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "inconclusive", "inconclusive", 3)
	fd := o.finding(t, "vbox.vboxmanage_failed")
	wantContains(t, "evidence", fd.Evidence["stderr"], "Failed to create the VirtualBox object")
}

func TestVBoxInaccessibleAndNoVMs(t *testing.T) {
	f := newFakeVBox(t).addVM("gone", "11111111-2222-3333-4444-555555555555", "name=\"<inaccessible>\"\nUUID=\"11111111-2222-3333-4444-555555555555\"\n")
	o := runScenario(t, Options{Name: "gone", From: FromHost, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.vm_inaccessible", "problem", 1)

	o = runScenario(t, Options{From: FromHost, Env: scenarioEnv(t, newFakeVBox(t))})
	wantDiag(t, o, "inconclusive", "inconclusive", 3)
	o.finding(t, "vbox.no_vms")
}

// ---- forwards on this host, with stand-in processes ----

// startStandin runs the test binary under name with args and waits until
// it listens.
func startStandin(t testing.TB, name string, args ...string) *exec.Cmd {
	t.Helper()
	p := standinLink(t, t.TempDir(), name)
	ctx, cancel := context.WithTimeout(context.Background(), standinLifetime)
	cmd := exec.CommandContext(ctx, p, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening") {
		t.Fatalf("%s did not start: %q %v", name, line, err)
	}
	return cmd
}

func runningVMWithForward(t testing.TB, rule string) *fakeVBox {
	return newFakeVBox(t).addVM("go-virtualbox", uuid01, variant(t, fix01, `VMState="saved"`, `VMState="running"`,
		`"ssh,tcp,127.0.0.1,2222,,22"`, `"`+rule+`"`))
}

func realListeners(t testing.TB, f *fakeVBox) Env {
	env := scenarioEnv(t, f)
	env.Listeners = HostListeners
	return env
}

func TestVBoxForwardNotListening(t *testing.T) {
	if _, ok, _ := HostListeners(nil); !ok {
		needProc(t)
	}
	p := freePort(t)
	f := runningVMWithForward(t, "ssh,tcp,127.0.0.1,"+strconv.Itoa(p)+",,22")
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Timeout: 2 * time.Second, Env: realListeners(t, f)})
	wantDiag(t, o, "vbox.forward_not_listening", "problem", 1)
	wantContains(t, "fix", commands(o.finding(t, "vbox.forward_not_listening")), "NAT: Failed to redirect")
}

func TestVBoxForwardNoAnswer(t *testing.T) {
	if _, ok, _ := HostListeners(nil); !ok {
		needProc(t)
	}
	p, dead := freePort(t), freePort(t)
	startStandin(t, "VBoxHeadless", "--startvm", uuid01, "--listen", "127.0.0.1:"+strconv.Itoa(p), "--to", "127.0.0.1:"+strconv.Itoa(dead))
	f := runningVMWithForward(t, "ssh,tcp,,"+strconv.Itoa(p)+",,22")
	start := time.Now()
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Timeout: 2 * time.Second, Env: realListeners(t, f)})
	wantDiag(t, o, "vbox.forward_no_answer", "problem", 1)
	if fd := o.finding(t, "vbox.forward_no_answer"); fd.Evidence["outcome"] != "closed" {
		t.Errorf("evidence %v", fd.Evidence)
	}
	if o.has("vbox.host_port_in_use") {
		t.Error("the port is held by VirtualBox (VBoxHeadless for this VM): not in use by another")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestVBoxForwardNotSSH(t *testing.T) {
	if _, ok, _ := HostListeners(nil); !ok {
		needProc(t)
	}
	p := freePort(t)
	startStandin(t, "VBoxHeadless", "--startvm", uuid01, "--listen", "127.0.0.1:"+strconv.Itoa(p), "--greet", "HTTP/1.1 400 Bad Request\r\nServer: x\r\n\r\n")
	f := runningVMWithForward(t, "ssh,tcp,127.0.0.1,"+strconv.Itoa(p)+",,22")
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Timeout: 2 * time.Second, Env: realListeners(t, f)})
	wantDiag(t, o, "vbox.forward_not_ssh", "problem", 1)
	wantContains(t, "evidence", o.finding(t, "vbox.forward_not_ssh").Evidence["received"], `HTTP/1.1 400 Bad Request\r\n`)
}

func TestVBoxHostPortInUse(t *testing.T) {
	if _, ok, _ := HostListeners(nil); !ok {
		needProc(t)
	}
	p := freePort(t)
	holder := startStandin(t, "portholder", "--listen", "127.0.0.1:"+strconv.Itoa(p), "--hold")
	f := runningVMWithForward(t, "ssh,tcp,127.0.0.1,"+strconv.Itoa(p)+",,22")
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Timeout: 2 * time.Second, Env: realListeners(t, f)})
	wantDiag(t, o, "vbox.host_port_in_use", "problem", 1)
	fd := o.finding(t, "vbox.host_port_in_use")
	if want := "portholder (pid " + strconv.Itoa(holder.Process.Pid) + ")"; fd.Evidence["held_by"] != want {
		t.Errorf("held_by %q, want %q", fd.Evidence["held_by"], want)
	}
	wantContains(t, "title", fd.Title, "portholder")
	wantContains(t, "fixes", commands(fd), "sudo ss -ltnp 'sport = :"+strconv.Itoa(p)+"'", `VBoxManage controlvm "go-virtualbox" natpf1 delete "ssh"`)

	// Another VM's VirtualBox process holds it.
	p2 := freePort(t)
	startStandin(t, "VBoxHeadless", "--startvm", "99999999-0000-0000-0000-000000000000", "--listen", "127.0.0.1:"+strconv.Itoa(p2), "--hold")
	f = runningVMWithForward(t, "ssh,tcp,127.0.0.1,"+strconv.Itoa(p2)+",,22")
	o = runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Timeout: 2 * time.Second, Env: realListeners(t, f)})
	wantDiag(t, o, "vbox.host_port_in_use", "problem", 1)
	wantContains(t, "title", o.finding(t, "vbox.host_port_in_use").Title, "VBoxHeadless")
}

func TestFindingsForLocalPort(t *testing.T) {
	f := newFakeVBox(t).addVM("go-virtualbox", uuid01, variant(t, fix01, `VMState="saved"`, `VMState="running"`)).
		addVM(name02, uuid02, string(fixture(t, fix02)))
	env := scenarioEnv(t, f)
	fs := findingsForLocalPort(context.Background(), 2222, "lan", env)
	codes := map[string]bool{}
	for _, x := range fs {
		codes[x.Code] = true
	}
	if !codes["vbox.natpf_loopback_only"] || codes["vbox.vm_not_running"] {
		t.Errorf("port 2222 from the LAN: %v", codes)
	}
	if fs := findingsForLocalPort(context.Background(), 2223, "lan", env); fs != nil {
		t.Errorf("no VM forwards 2223: %v", fs)
	}
	if fs := findingsForLocalPort(context.Background(), 2222, "mars", env); fs != nil {
		t.Errorf("bad from: %v", fs)
	}
}

func TestVBoxNATNetwork(t *testing.T) {
	show := variant(t, fix02, `natnet1="nat"`, `nat-network1="NatNetwork"`, `nic1="nat"`, `nic1="natnetwork"`,
		`VMState="poweroff"`, `VMState="running"`)
	natnets := `NetworkName:    NatNetwork
IP:             10.0.2.1
Network:        10.0.2.0/24
IPv6 Enabled:   No
IPv6 Prefix:    fd17:625c:f037:2::/64
DHCP Enabled:   Yes
Enabled:        Yes
Port-forwarding (ipv4)
        ssh:tcp:[127.0.0.1]:2022:[10.0.2.4]:22
loopback mappings (ipv4)
        127.0.0.1=2
`
	f := newFakeVBox(t).addVM(name02, uuid02, show).set("list natnets", natnets)
	o := runScenario(t, Options{Name: name02, From: FromLAN, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.natpf_loopback_only", "problem", 1)
	wantContains(t, "fixes", commands(o.finding(t, "vbox.natpf_loopback_only")),
		`VBoxManage natnetwork modify --netname "NatNetwork" --port-forward-4 delete "ssh"`+"\n"+
			`VBoxManage natnetwork modify --netname "NatNetwork" --port-forward-4 "ssh:tcp:[]:2022:[10.0.2.4]:22"`)
	// Another guest on the same NAT Network needs no forward.
	o = runScenario(t, Options{Name: name02, From: FromVM, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "ok", "ok", 0)

	// No rule: the fix needs the guest's address, which Guest Additions tell.
	f = newFakeVBox(t).addVM(name02, uuid02, show).set("list natnets", string(fixture(t, "list-ohai-list_natnets.txt"))).
		set("guestproperty get "+name02+" /VirtualBox/GuestInfo/Net/Count", "Value: 1\n").
		set("guestproperty get "+name02+" /VirtualBox/GuestInfo/Net/0/V4/IP", "Value: 10.0.2.5\n")
	o = runScenario(t, Options{Name: name02, From: FromHost, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.natpf_missing", "problem", 1)
	wantContains(t, "fixes", commands(o.finding(t, "vbox.natpf_missing")),
		`VBoxManage natnetwork modify --netname "NatNetwork" --port-forward-4 "ssh:tcp:[127.0.0.1]:2222:[10.0.2.5]:22"`)
	if fd := o.finding(t, "vbox.guest_ip"); fd.Evidence["stale"] != "no" {
		t.Errorf("running VM: %v", fd.Evidence)
	}
}

func TestVBox700ReadsForwardsFromSettings(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vm.vbox")
	if err := os.WriteFile(cfg, fixture(t, "vbox-02-vbox70-settings119-nat-fwd-hostonly-vagrant.vbox"), 0o644); err != nil {
		t.Fatal(err)
	}
	// 7.0.0 printed no Forwarding lines for an adapter with two rules.
	show := variant(t, fix02, `VMState="poweroff"`, `VMState="running"`,
		`CfgFile="/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372/ubuntu-18.04-amd64_1549746024485_35372.vbox"`,
		`CfgFile="`+cfg+`"`)
	f := newFakeVBox(t).addVM(name02, uuid02, show).set("--version", "7.0.0r153978\n")
	o := runScenario(t, Options{Name: name02, From: FromLAN, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.natpf_loopback_only", "problem", 1)
	// With another version the same output means: no rule.
	f.set("--version", "7.0.2r154219\n")
	o = runScenario(t, Options{Name: name02, From: FromLAN, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.natpf_missing", "problem", 1)
}

func TestVBoxForwardNotListeningReadsLog(t *testing.T) {
	logDir := t.TempDir()
	p := freePort(t)
	line := "00:00:01.503611 NAT: Failed to redirect TCP 127.0.0.1:" + strconv.Itoa(p) + " -> 0.0.0.0:22 (Unknown error)"
	if err := os.WriteFile(filepath.Join(logDir, "VBox.log"), []byte("00:00:01.0 VirtualBox VM 7.0.14\n"+line+"\n00:00:02.0 other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFakeVBox(t).addVM("go-virtualbox", uuid01, variant(t, fix01, `VMState="saved"`, `VMState="running"`,
		`"ssh,tcp,127.0.0.1,2222,,22"`, `"ssh,tcp,127.0.0.1,`+strconv.Itoa(p)+`,,22"`,
		`LogFldr="/Users/fix/VirtualBox VMs/go-virtualbox/Logs"`, `LogFldr="`+logDir+`"`))
	o := runScenario(t, Options{Name: "go-virtualbox", From: FromHost, Timeout: 2 * time.Second, Env: scenarioEnv(t, f)})
	wantDiag(t, o, "vbox.forward_not_listening", "problem", 1)
	if got := o.finding(t, "vbox.forward_not_listening").Evidence["log_lines"]; got != line {
		t.Errorf("log_lines %q", got)
	}
}

// needProc skips a test that reads /proc where there is none (not Linux);
// under CI=true a skip is a failure.
func needProc(t *testing.T) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("needs /proc, and CI=true forbids skipping")
	}
	t.Skip("needs /proc")
}
