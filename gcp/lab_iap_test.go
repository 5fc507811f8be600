//go:build linux

package gcp_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// iapLab is a relay stand-in in the client namespace that reaches a real
// sshd in the server namespace (as IAP reaches the VM's internal address).
type iapLab struct {
	*probeLab
	relay *gcptest.Relay
}

func newIAPLab(t *testing.T) *iapLab {
	t.Helper()
	p := newProbeLab(t)
	relay := p.api.StartRelay(t, p.lab.Client.Listen(t, "127.0.0.1:0"))
	relay.Set(func(r *gcptest.Relay) {
		r.Backend = func(ctx context.Context, port int) (net.Conn, error) {
			return p.lab.Client.DialContext(ctx, "tcp", net.JoinHostPort(lab.ServerAddr, strconv.Itoa(port)))
		}
	})
	p.env = append(p.env, "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="+relay.CAFile)
	return &iapLab{probeLab: p, relay: relay}
}

// gcloudEnv is what gcloud needs to run hermetically against the
// stand-ins: its own configuration directory, the token file, no prompts,
// no update checks, no usage reports.
func (p *iapLab) gcloudEnv(t *testing.T) []string {
	return append(append([]string(nil), p.env...),
		"CLOUDSDK_CORE_PROJECT="+gcptest.Project,
		"CLOUDSDK_CORE_DISABLE_PROMPTS=1",
		"CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true",
		"CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true",
		"CLOUDSDK_CORE_CHECK_GCE_METADATA=false",
		"CLOUDSDK_PYTHON_SITEPACKAGES=0",
		"NO_PROXY=*", "HTTPS_PROXY=", "HTTP_PROXY=", "https_proxy=", "http_proxy=")
}

func gcloudBinary(t *testing.T) string {
	t.Helper()
	g, err := exec.LookPath("gcloud")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("gcloud is not installed (scripts/test-deps.sh installs it)")
		}
		t.Skip("gcloud is not installed")
	}
	return g
}

// TestLabGcloudThroughRelayStandIn is the proof that the relay stand-in
// speaks IAP's real protocol: Google's own client, gcloud compute
// start-iap-tunnel, carries a real ssh login through it to a real sshd.
// gcloud is a Python program: on a loaded machine it takes tens of seconds
// to start, so the connect deadline is wide.
func TestLabGcloudThroughRelayStandIn(t *testing.T) {
	gcloud := gcloudBinary(t)
	p := newIAPLab(t)
	p.lab.StartSSHD(t, lab.SSHDOptions{})
	proxy := strings.Join([]string{gcloud, "compute", "start-iap-tunnel", gcptest.VM, "22", "--listen-on-stdin",
		"--zone=" + gcptest.Zone, "--project=" + gcptest.Project, "--iap-tunnel-url-override=" + p.relay.URL,
		"--verbosity=warning"}, " ")
	known := filepath.Join(t.TempDir(), "known_hosts")
	r := p.lab.Client.RunEnv(t, p.gcloudEnv(t), "ssh", "-F", "none", "-i", p.key, "-o", "IdentitiesOnly=yes",
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile="+known,
		"-o", "ConnectTimeout=50", "-o", "ProxyCommand="+proxy, "-l", p.user.Name, gcptest.VM, "echo", "through-iap-$((6*7))")
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "through-iap-42") {
		t.Fatalf("ssh through gcloud and the relay stand-in: exit %d\nstdout: %s\nstderr: %s\nrelay saw: %v",
			r.ExitCode, r.Stdout, r.Stderr, p.relay.Requests())
	}
	reqs := p.relay.Requests()
	if len(reqs) == 0 || !strings.HasPrefix(reqs[0], "/v4/connect?") || !strings.Contains(reqs[0], "instance="+gcptest.VM) ||
		!strings.Contains(reqs[0], "interface=nic0") || !strings.Contains(reqs[0], "port=22") {
		t.Fatalf("gcloud asked the relay for %v", reqs)
	}
}

// TestLabGcloudSeesRelayRefusal: gcloud reads the stand-in's close codes as
// it reads IAP's (with --listen-on-stdin it reports them and exits 0).
func TestLabGcloudSeesRelayRefusal(t *testing.T) {
	gcloud := gcloudBinary(t)
	p := newIAPLab(t) // no sshd: the relay cannot reach the backend
	run := func(instance string) lab.Result {
		return p.lab.Client.RunEnv(t, p.gcloudEnv(t), gcloud, "compute", "start-iap-tunnel", instance, "22",
			"--listen-on-stdin", "--zone="+gcptest.Zone, "--project="+gcptest.Project,
			"--iap-tunnel-url-override="+p.relay.URL, "--verbosity=warning")
	}
	r := run(gcptest.VM)
	if !strings.Contains(r.Stderr, "[4003: 'failed to connect to backend']") || !strings.Contains(r.Stderr, "Failed to connect to port 22") {
		t.Fatalf("gcloud, nothing listening: exit %d\nstdout: %s\nstderr: %s", r.ExitCode, r.Stdout, r.Stderr)
	}
	p.api.Lock(func() { p.api.Granted["iap"]["iap.tunnelInstances.accessViaIAP"] = false })
	r = run(gcptest.VM)
	if !strings.Contains(r.Stderr, "[4033: 'not authorized']") {
		t.Fatalf("gcloud, no IAP permission: exit %d\nstdout: %s\nstderr: %s", r.ExitCode, r.Stdout, r.Stderr)
	}
}

func (p *iapLab) doctorIAP(t *testing.T, extra ...string) lab.Doctor {
	t.Helper()
	args := append([]string{"gcp", gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone,
		"--iap", "--iap-tunnel-url-override", p.relay.URL, "--user", p.user.Name, "--key", p.key + ".pub", "--probe"}, extra...)
	d := p.lab.Client.RunDoctorEnv(t, p.env, args...)
	if v := p.api.Violations(); len(v) > 0 {
		t.Errorf("writes: %v", v)
	}
	return d
}

// TestLabIAPProbeReadsBanner: sshdoctor's own tunnel (Go, no gcloud)
// reaches the real sshd through the relay stand-in and quotes its banner.
func TestLabIAPProbeReadsBanner(t *testing.T) {
	p := newIAPLab(t)
	p.api.AddFirewall(allowIAP())
	p.lab.StartSSHD(t, lab.SSHDOptions{})
	d := p.doctorIAP(t)
	f := d.Finding("gcp.iap_tunnel_ok")
	if f == nil || !strings.HasPrefix(f.Evidence["banner"], "SSH-2.0-OpenSSH") || f.Evidence["relay"] != p.relay.URL {
		t.Fatalf("exit %d\n%s\n%s", d.ExitCode, d.Stdout, d.Stderr)
	}
	if reqs := p.relay.Requests(); len(reqs) != 2 { // one run in English, one in Japanese
		t.Fatalf("one tunnel a run expected, the relay saw %v", reqs)
	}
	if d.Duration > 10*time.Second {
		t.Errorf("the probe took %s", d.Duration)
	}
}

// TestLabIAPProbeNoSSHD: the relay cannot reach the port (4003) although
// the firewall model lets IAP in: the cause is inside the guest.
func TestLabIAPProbeNoSSHD(t *testing.T) {
	p := newIAPLab(t)
	p.api.AddFirewall(allowIAP())
	d := p.doctorIAP(t)
	f := d.Finding("gcp.iap_backend_unreachable")
	if f == nil || f.Evidence["close_code"] != "4003" || f.Evidence["model"] != "the firewall allows it" || d.ExitCode != 1 {
		t.Fatalf("exit %d\n%s\n%s", d.ExitCode, d.Stdout, d.Stderr)
	}
}

// TestLabIAPProbeNotSSH: something that is not sshd answers on the port.
func TestLabIAPProbeNotSSH(t *testing.T) {
	p := newIAPLab(t)
	p.api.AddFirewall(allowIAP())
	ln := p.lab.Server.Listen(t, lab.ServerAddr+":22")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			c.Close()
		}
	}()
	d := p.doctorIAP(t)
	f := d.Finding("gcp.iap_no_banner")
	if f == nil || !strings.Contains(f.Evidence["received"], "HTTP/1.1 400") || d.Report.Diagnosis.Code != "gcp.iap_no_banner" {
		t.Fatalf("exit %d\n%s\n%s", d.ExitCode, d.Stdout, d.Stderr)
	}
}

func allowIAP() gcptest.JSON {
	return gcptest.JSON{"name": "allow-ssh-from-iap", "priority": 1000, "sourceRanges": []any{"35.235.240.0/20"},
		"allowed": []any{gcptest.JSON{"IPProtocol": "tcp", "ports": []any{"22"}}}}
}
