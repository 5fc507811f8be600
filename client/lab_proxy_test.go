//go:build linux

package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// iapScript prints what gcloud's IAP tunnel prints when the backend does
// not answer (googlecloudsdk/api_lib/compute/iap_tunnel_websocket.py:
// 'Error while connecting [%s].%s', with the 4003 hint) and exits 1.
const iapScript = `#!/bin/sh
echo "ERROR: (gcloud.compute.start-iap-tunnel) Error while connecting [4003: 'failed to connect to backend']. (Failed to connect to port $2)" >&2
exit 1
`

func TestLabProxyCommand(t *testing.T) {
	lab.Require(t, "socat")
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{}, lab.UserOptions{})
	dest := a.user.Name + "@" + lab.ServerAddr

	// socat as the transport, with ssh's tokens: the whole path checked
	// through it, down to the login.
	socat := "ProxyCommand=socat - TCP:%h:%p,connect-timeout=3"
	d := a.run(t, "-o", socat, "-i", a.priv, dest)
	expect(t, d, "ok", 0)
	if f := d.Finding("proxy.connected"); f == nil || !strings.Contains(f.Evidence["proxy_command"], "TCP:"+lab.ServerAddr+":22") {
		t.Fatalf("proxy layer: %+v\n%s", f, d.Stdout)
	}
	if d.Finding("session.ok") == nil || d.Finding("hostkey.known") == nil {
		t.Fatalf("layers after the proxy:\n%s", d.Stdout)
	}
	if r := a.ssh(t, "-o", socat, "-i", a.priv, dest); r.ExitCode != 0 {
		t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
	}

	// The proxy reaches a closed port: socat's own error, at the proxy layer.
	closed := "ProxyCommand=socat - TCP:%h:2222"
	d = a.run(t, "-o", closed, "-i", a.priv, dest)
	expect(t, d, "proxy.ended", 1)
	mustContain(t, "stderr", evidence(t, d, "proxy.ended", "proxy_stderr"), "Connection refused")
	if r := a.ssh(t, "-o", closed, "-i", a.priv, dest); r.ExitCode != 255 || !strings.Contains(r.Stderr, "Connection refused") {
		t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
	}

	// IAP's 4003, named as explain names it.
	script := filepath.Join(a.dir, "iap-tunnel")
	if err := os.WriteFile(script, []byte(iapScript), 0o755); err != nil {
		t.Fatal(err)
	}
	iap := "ProxyCommand=" + script + " %h %p"
	d = a.run(t, "-o", iap, "-i", a.priv, dest)
	expect(t, d, "gcp.iap_backend_unreachable", 1)
	mustContain(t, "stderr", evidence(t, d, "gcp.iap_backend_unreachable", "proxy_stderr"), "4003")
	if ex := d.Report.Diagnosis.Fixes; len(ex) == 0 {
		t.Fatal("no fixes for 4003")
	}
	r := a.ssh(t, "-o", iap, "-i", a.priv, dest)
	if r.ExitCode != 255 || !strings.Contains(r.Stderr, "4003") || !strings.Contains(r.Stderr, "Connection closed by remote host") {
		t.Fatalf("real ssh: exit %d %q", r.ExitCode, r.Stderr)
	}

	// ProxyCommand none (given first, so it wins over the config's) is the
	// direct path again.
	cfg, _ := os.ReadFile(a.cfgFile)
	if err := os.WriteFile(a.cfgFile, append([]byte("Host "+lab.ServerAddr+"\n  ProxyCommand "+script+" %h %p\n"), cfg...), 0o600); err != nil {
		t.Fatal(err)
	}
	d = a.run(t, "-o", "ProxyCommand=none", "-i", a.priv, dest)
	expect(t, d, "ok", 0)
	if d.Finding("proxy.connected") != nil || d.Finding("tcp.connected") == nil {
		t.Fatalf("ProxyCommand none not respected:\n%s", d.Stdout)
	}
	d = a.run(t, "-i", a.priv, dest)
	expect(t, d, "gcp.iap_backend_unreachable", 1)
}
