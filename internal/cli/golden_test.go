package cli

import (
	"net"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// Text output in both languages for a VirtualBox forward bound to
// 127.0.0.1 seen from the LAN, and a Compute Engine firewall that blocks
// SSH. The check command's goldens live with its lab tests (client/).
func TestGoldenTextVMAndGCP(t *testing.T) {
	noRealCredentials(t)
	vbox, _ := filepath.Abs(filepath.Join("..", "..", "vm", "testdata", "vbox-02-vbox70-settings119-nat-fwd-hostonly-vagrant.vbox"))
	for _, lang := range []string{"en", "ja"} {
		s, out, errOut := TestIO(map[string]string{"NO_COLOR": "1", "PATH": ""})
		code := Main([]string{"--lang", lang, "vm", "--file", vbox, "--from", "lan"}, s)
		if code != ExitProblem {
			t.Fatalf("vm %s: exit %d\n%s%s", lang, code, out, errOut)
		}
		repl := map[string]string{vbox: "FILE"}
		// The fix names this host's own LAN address, which differs per machine.
		if as, err := net.InterfaceAddrs(); err == nil {
			for _, a := range as {
				if p, err := netip.ParsePrefix(a.String()); err == nil && !p.Addr().IsLoopback() {
					repl[p.Addr().String()] = "HOST_ADDR"
				}
			}
		}
		got := lab.Normalize(out.String(), repl)
		lab.Golden(t, filepath.Join("testdata", "golden", "vbox_natpf_loopback_only."+lang+".txt"), []byte(got))
	}

	srv := gcptest.New(t)
	srv.RemoveFirewall("default-allow-ssh")
	env := srv.Env()
	env["NO_COLOR"] = "1"
	key := srv.WriteKey(1)
	for _, lang := range []string{"en", "ja"} {
		s, out, errOut := TestIO(env)
		code := Main([]string{"--lang", lang, "gcp", gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone,
			"--source-ip", myIP, "--key", key}, s)
		if code != ExitProblem {
			t.Fatalf("gcp %s: exit %d\n%s%s", lang, code, out, errOut)
		}
		got := lab.Normalize(out.String(), map[string]string{key: "KEY", srv.Dir(): "DIR"})
		lab.Golden(t, filepath.Join("testdata", "golden", "gcp_firewall_blocks_ssh."+lang+".txt"), []byte(got))
	}
}
