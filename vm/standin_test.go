package vm

// The VirtualBox programs cannot run on test machines: testdata/standin is
// built once and linked as VBoxManage, VBoxHeadless and portholder (see its
// doc comment). Scenario tests replay the real captures in testdata, and
// variants derived from them in code, through it.

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// standinLifetime bounds the stand-in processes a test starts.
const standinLifetime = 3 * time.Minute

var testMainHooks []func()

var (
	standinOnce sync.Once
	standinDir  string
	standinBin  string
	standinErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, h := range testMainHooks {
		h()
	}
	if standinDir != "" {
		os.RemoveAll(standinDir)
	}
	os.Exit(code)
}

// standinBinary builds testdata/standin once per test process.
func standinBinary(t testing.TB) string {
	t.Helper()
	standinOnce.Do(func() {
		standinDir, standinErr = os.MkdirTemp("", "sshdoctor-vm-standin-")
		if standinErr != nil {
			return
		}
		standinBin = filepath.Join(standinDir, "standin")
		out, err := exec.Command("go", "build", "-buildvcs=false", "-o", standinBin, "./testdata/standin").CombinedOutput()
		if err != nil {
			standinErr = fmt.Errorf("building the stand-in: %v: %s", err, out)
		}
	})
	if standinErr != nil {
		t.Fatal(standinErr)
	}
	return standinBin
}

type fakeResp struct {
	Out  string `json:"out"`
	Err  string `json:"err"`
	Code int    `json:"code"`
}

type fakeScenario struct {
	Responses map[string]fakeResp `json:"responses"`
}

// fakeVBox is one scenario's stand-in VBoxManage.
type fakeVBox struct {
	t    testing.TB
	dir  string
	path string
	sc   fakeScenario
	vms  []string
}

func newFakeVBox(t testing.TB) *fakeVBox {
	t.Helper()
	dir := t.TempDir()
	f := &fakeVBox{t: t, dir: dir, path: standinLink(t, dir, "VBoxManage"),
		sc: fakeScenario{Responses: map[string]fakeResp{}}}
	f.write()
	return f
}

// standinLink makes dir/name a link to the stand-in binary.
func standinLink(t testing.TB, dir, name string) string {
	t.Helper()
	exe := standinBinary(t)
	p := filepath.Join(dir, name)
	if err := os.Symlink(exe, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fakeVBox) set(args, out string) *fakeVBox {
	f.sc.Responses[args] = fakeResp{Out: out}
	f.write()
	return f
}

func (f *fakeVBox) fail(args, stderr string, code int) *fakeVBox {
	f.sc.Responses[args] = fakeResp{Err: stderr, Code: code}
	f.write()
	return f
}

// addVM registers a VM answering showvminfo by name and by UUID.
func (f *fakeVBox) addVM(name, uuid, showvminfo string) *fakeVBox {
	f.vms = append(f.vms, fmt.Sprintf("%q {%s}\n", name, uuid))
	f.sc.Responses["list vms"] = fakeResp{Out: strings.Join(f.vms, "")}
	f.sc.Responses["showvminfo "+uuid+" --machinereadable"] = fakeResp{Out: showvminfo}
	f.sc.Responses["showvminfo "+name+" --machinereadable"] = fakeResp{Out: showvminfo}
	f.write()
	return f
}

func (f *fakeVBox) write() {
	data, err := json.Marshal(f.sc)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "scenario.json"), data, 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// calls returns every command the stand-in was asked to run.
func (f *fakeVBox) calls() []string {
	b, _ := os.ReadFile(filepath.Join(f.dir, "calls.log"))
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// assertReadOnly fails when sshdoctor asked VirtualBox to change anything.
func (f *fakeVBox) assertReadOnly() {
	f.t.Helper()
	for _, c := range f.calls() {
		for _, verb := range []string{"modifyvm", "controlvm", "startvm", "natnetwork", "hostonlyif", "guestproperty set", "setextradata"} {
			if strings.HasPrefix(c, verb) {
				f.t.Errorf("sshdoctor ran a changing command: VBoxManage %s", c)
			}
		}
	}
}

// variant applies replacements to a fixture, failing when one does not
// apply (so a scenario cannot silently test the unmodified capture).
func variant(t testing.TB, file string, pairs ...string) string {
	t.Helper()
	return textVariant(t, string(fixture(t, file)), pairs...)
}

// freePort reserves a loopback port number nothing listens on.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
