package sshlog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
)

func explainText(t testing.TB, text string) *Analysis {
	t.Helper()
	a, err := Explain([]Input{{Name: "t", R: strings.NewReader(text)}}, ExplainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// errors returns the codes of the error findings, in order.
func errorCodes(a *Analysis) []string {
	var out []string
	for _, f := range a.Findings {
		if f.Severity == diag.SevError {
			out = append(out, f.Code)
		}
	}
	return out
}

func diagnosis(a *Analysis) string {
	if a.Unrecognized {
		return "explain.unrecognized"
	}
	if c := errorCodes(a); len(c) > 0 {
		return c[0]
	}
	return "ok"
}

// TestCorpus runs the classifier on the transcripts recorded with the real
// OpenSSH 9.2 (record_linux_test.go): each scenario's label names the codes
// expected from the client's stderr (and stdout), from ssh -v, and from
// sshd's log; for several codes, the errors must start with them in order.
func TestCorpus(t *testing.T) {
	// Scenario directories have a label; published/ holds texts people
	// posted (TestPublishedCorpus).
	dirs, _ := filepath.Glob("testdata/corpus/*/label")
	for i := range dirs {
		dirs[i] = filepath.Dir(dirs[i])
	}
	if len(dirs) < 25 {
		t.Fatalf("corpus has %d scenarios", len(dirs))
	}
	for _, dir := range dirs {
		labels := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, "label"))), "\n") {
			k, v, _ := strings.Cut(l, "=")
			labels[k] = v
		}
		read := func(names ...string) string {
			var b strings.Builder
			for _, n := range names {
				if x, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
					b.Write(x)
				}
			}
			return b.String()
		}
		for side, text := range map[string]string{
			"client":  read("client.stderr", "client.stdout"),
			"verbose": read("client_v.stderr"),
			"server":  read("sshd.log"),
		} {
			want, ok := labels[side]
			if !ok || text == "" {
				continue // nothing printed (a successful plain run)
			}
			t.Run(filepath.Base(dir)+"/"+side, func(t *testing.T) {
				a := explainText(t, text)
				got := errorCodes(a)
				if want == "ok" {
					if len(got) != 0 || a.Unrecognized {
						t.Fatalf("want no error, got %v (unrecognized %v)", got, a.Unrecognized)
					}
					return
				}
				w := strings.Split(want, ",")
				if len(got) < len(w) || strings.Join(got[:len(w)], ",") != want {
					t.Fatalf("errors %v, want them to start with %v", got, w)
				}
				// The decisive finding names its line.
				if ev := a.Findings[indexOf(a, w[0])].EvidenceValue("line"); ev == "" {
					t.Fatalf("%s has no line evidence", w[0])
				}
			})
		}
	}
}

func indexOf(a *Analysis, code string) int {
	for i, f := range a.Findings {
		if f.Code == code {
			return i
		}
	}
	return -1
}

// TestFixtures: the captured transcripts of the research lab.
func TestFixtures(t *testing.T) {
	want := map[string]string{
		"out_ak_640.server": "ok", "out_ak_666.server": "server.strictmodes", "out_ak_666.stderr": "auth.publickey_denied",
		"out_ak_nobody644.server": "server.strictmodes", "out_ak_otherowner.server": "server.authkeys_unreadable",
		"out_ak_rootowned.server": "server.authkeys_unreadable", "out_badformat.stderr": "ok",
		"out_changed.stderr": "hostkey.changed", "out_changed_nostrict.stderr": "hostkey.changed",
		"out_cipher.server": "kex.no_cipher", "out_cipher.stderr": "kex.no_cipher",
		"out_fake_badproto.stderr": "banner.protocol1", "out_fake_close.stderr": "banner.reset",
		"out_fake_http.stderr": "banner.closed", "out_fake_maxstartups.stderr": "banner.reset",
		"out_fake_rst.stderr": "banner.reset", "out_home_gw.server": "ok", "out_home_ow.server": "server.strictmodes",
		"out_hostkeyalg.server": "kex.no_hostkey_alg", "out_hostkeyalg.stderr": "kex.no_hostkey_alg",
		"out_kex.server": "kex.no_kex_alg", "out_kex.stderr": "kex.no_kex_alg", "out_keyperm.stderr": "ok",
		"out_mac.server": "kex.no_mac", "out_mac.stderr": "kex.no_mac", "out_pubasid.stderr": "ok",
		"out_refused.stderr": "tcp.refused", "out_refused_v.stderr": "tcp.refused", "out_resolve.stderr": "dns.nxdomain",
		"out_resolve2.stderr": "dns.nxdomain", "out_sshdir_777.server": "server.strictmodes",
		"out_sshdir_nobody.server": "server.authkeys_unreadable", "out_success_v.stderr": "ok", "out_success_v.server": "ok",
		"out_target-nxdomain.server": "fwd.connect_failed", "out_target-nxdomain.stderr": "fwd.connect_failed",
		"out_target-proxycmd-bad.stderr": "proxy.command_failed", "out_target-proxycmd-false.stderr": "proxy.failed",
		"out_target-refused.stderr": "fwd.connect_failed", "out_target-via-down-jump.stderr": "tcp.refused",
		"out_timeout.stderr": "banner.timeout", "out_unknown_batch_ask.stderr": "hostkey.unknown",
		"out_unknown_strict.stderr": "hostkey.unknown", "out_unreach6.stderr": "tcp.no_route",
		"out_wrongkey_v.stderr": "ok", "out_wrongkey.server": "ok",
		"v_badpw.stderr": "auth.password_denied", "v_disablefwd.stderr": "fwd.prohibited",
		"v_invaliduser.stderr": "auth.publickey_denied", "v_ltunnel_refused.stderr": "fwd.connect_failed",
		"v_ltunnel_refused.stdout": "explain.unrecognized", "v_maxauth.stderr": "auth.too_many_failures",
		"v_maxstartups.stdout": "banner.throttled", "v_nologin.stdout": "session.nologin_shell",
		"v_pam_badpw.stderr": "auth.publickey_denied", "v_pam_expired.stderr": "session.account_expired",
		"v_permitopen.stderr": "fwd.prohibited", "v_rootpw.stderr": "auth.password_denied",
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			a := explainText(t, readFile(t, filepath.Join("testdata/openssh", name)))
			if got := diagnosis(a); got != w {
				t.Fatalf("diagnosis %s, want %s (findings %v)", got, w, codes(a))
			}
		})
	}
}

func codes(a *Analysis) []string {
	var out []string
	for _, f := range a.Findings {
		out = append(out, f.Code+"/"+string(f.Severity))
	}
	return out
}

// TestKeyIgnoredThenDenied: a private key ssh ignored for its mode is the
// cause when authentication then fails, and only a warning otherwise.
func TestKeyIgnoredThenDenied(t *testing.T) {
	a := explainText(t, readFile(t, "testdata/corpus/private_key_too_open/client_v.stderr"))
	f := a.Findings[0]
	if f.Code != "perm.private_key_too_open" || f.Severity != diag.SevError {
		t.Fatalf("first finding %s/%s", f.Code, f.Severity)
	}
	if f.EvidenceValue("server_accepts_this_key") == "" {
		t.Fatal("the -v run shows the server accepted this key; the evidence must say so")
	}
	if !strings.HasPrefix(f.Fixes[0].Command, "chmod 600 /tmp/") {
		t.Fatalf("fix %q", f.Fixes[0].Command)
	}
	ok := explainText(t, readFile(t, "testdata/openssh/out_keyperm.stderr"))
	if ok.Findings[0].Code != "perm.private_key_too_open" || ok.Findings[0].Severity != diag.SevWarning {
		t.Fatalf("without a failed login: %v", codes(ok))
	}
	pub := explainText(t, readFile(t, "testdata/openssh/out_pubasid.stderr"))
	if c := pub.Findings[0].Fixes[0].Command; c != "ssh -i /home/alice/lab/client/id_ed25519" {
		t.Fatalf(".pub given as key: fix %q", c)
	}
}

// TestTooManyFailuresVerbose: from -v, the keys offered in order and the
// key never reached, which the fix offers alone.
func TestTooManyFailuresVerbose(t *testing.T) {
	text := readFile(t, "testdata/corpus/too_many_failures/client_v.stderr")
	a := explainText(t, text)
	f := a.Findings[0]
	if f.Code != "auth.too_many_failures" {
		t.Fatalf("got %v", codes(a))
	}
	var offered, notReached int
	for _, e := range f.Evidence {
		switch e.Key {
		case "offered":
			offered++
		case "not_reached":
			notReached++
		}
	}
	if offered != 2 || notReached != 1 {
		t.Fatalf("offered %d, not reached %d: %v", offered, notReached, f.Evidence)
	}
	if !strings.Contains(f.Fixes[0].Command, "IdentitiesOnly=yes -i /tmp/") || !strings.Contains(f.Fixes[0].Command, " -p 37485 ") {
		t.Fatalf("fix %q", f.Fixes[0].Command)
	}
}

// TestTimeline: the -v steps come out with their line numbers.
func TestTimeline(t *testing.T) {
	a := explainText(t, readFile(t, "testdata/openssh/out_wrongkey_v.stderr"))
	if a.Timeline == nil {
		t.Fatal("no timeline")
	}
	var keys []string
	for _, e := range a.Timeline.Evidence {
		keys = append(keys, e.Key)
	}
	got := strings.Join(keys, " ")
	for _, want := range []string{"connect", "identification", "kex", "host_key", "methods", "key", "auth"} {
		if !strings.Contains(got, want) {
			t.Errorf("timeline lacks %s: %s", want, got)
		}
	}
	// One key rejected, then the other accepted.
	var rejected, accepted bool
	for _, e := range a.Timeline.Evidence {
		if e.Key == "key" && strings.Contains(e.Value, "Offering public key: /home/alice/lab/client/id_other") {
			rejected = true
		}
		if e.Key == "key" && strings.Contains(e.Value, "Server accepts key: /home/alice/lab/client/id_ed25519") {
			accepted = true
		}
	}
	if !rejected || !accepted {
		t.Fatalf("timeline: %v", a.Timeline.Evidence)
	}
	if diagnosis(a) != "ok" {
		t.Fatalf("a run that logged in is not a failure: %v", codes(a))
	}
}

// TestVariants: version, distribution and platform variants of the same
// messages (texts quoted in OpenSSH's sources and in public reports).
func TestVariants(t *testing.T) {
	cases := []struct{ text, want string }{
		{"ssh_exchange_identification: Connection closed by remote host\n", "banner.closed"},
		{"ssh_exchange_identification: read: Connection reset by peer\n", "banner.reset"},
		{"Connection closed by 203.0.113.5 port 22\n", "banner.closed"},
		{"Permission denied (publickey).\n", "auth.publickey_denied"},
		{"Permission denied (publickey,gssapi-keyex,gssapi-with-mic).\n", "auth.publickey_denied"},
		{"alice@web1: Permission denied (password,keyboard-interactive).\n", "auth.methods_mismatch"},
		{"ECDSA host key for example.com has changed and you have requested strict checking.\nHost key verification failed.\n", "hostkey.changed"},
		{"ssh: Could not resolve hostname my-app.devspace: No such host is known. \n", "dns.nxdomain"},
		{"ssh: Could not resolve hostname web1: nodename nor servname provided, or not known\n", "dns.nxdomain"},
		{"ssh: Could not resolve hostname web1: Name does not resolve\n", "dns.nxdomain"},
		{"ssh: Could not resolve hostname web1: Temporary failure in name resolution\n", "dns.tempfail"},
		{"ssh: connect to host 104.198.148.36 port 22: Operation timed out\n", "tcp.timeout"},
		{"ssh: connect to host 10.0.0.5 port 22: Connection timed out\n", "tcp.timeout"},
		{"ssh: connect to host 10.0.0.5 port 22: Network is unreachable\n", "tcp.net_unreachable"},
		{"Unable to negotiate with 192.0.2.9 port 22: no matching host key type found. Their offer: ssh-rsa,ssh-dss\n", "kex.no_hostkey_alg"},
		{"sign_and_send_pubkey: no mutual signature supported\nalice@old: Permission denied (publickey).\n", "auth.no_mutual_sig"},
		{"client_loop: send disconnect: Broken pipe\n", "session.broken_pipe"},
		{"packet_write_wait: Connection to 192.0.2.1 port 22: Broken pipe\n", "session.broken_pipe"},
		{"Timeout, server 127.0.0.1 not responding.\n", "session.keepalive_timeout"},
		{"Connection to web1 closed by remote host.\n", "session.closed"},
		{"Bad owner or permissions on /home/sshlab/.ssh/config\n", "perm.ssh_config"},
		{"/home/alice/.ssh/config: line 2: Bad configuration option: foo\n/home/alice/.ssh/config: terminating, 1 bad configuration options\n", "config.client_error"},
		{"Warning: Identity file /home/alice/nonexistent_key not accessible: No such file or directory.\nalice@h: Permission denied (publickey).\n", "key.missing"},
		{"Bad remote protocol version identification: 'SSH-garbage'\nbanner exchange: Connection to 127.0.0.1 port 2300: invalid format\n", "banner.not_ssh"},
		{"debug1: kex_exchange_identification: banner line 0: HTTP/1.1 400 Bad Request\nkex_exchange_identification: Connection closed by remote host\nConnection closed by 127.0.0.1 port 8080\n", "banner.not_ssh"},
		{"debug1: kex_exchange_identification: banner line 0: Not allowed at this time\nConnection closed by 192.0.2.1 port 22\n", "banner.throttled"},
		{"Received disconnect from 127.0.0.1 port 2302:2: Too many authentication failures\nDisconnected from 127.0.0.1 port 2302\n", "auth.too_many_failures"},
		{"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@       WARNING: REVOKED HOST KEY DETECTED!               @\n", "hostkey.revoked"},
		{"Bad server host key: Invalid key length\n", "kex.bad_hostkey_len"},
		{"Load key \"/home/u/key.ppk\": invalid format\nu@h: Permission denied (publickey).\n", "key.invalid_format"},
		{"Permissions for 'C:\\\\Users\\\\x/.ssh/id_rsa' are too open.\nu@h: Permission denied (publickey).\n", "perm.private_key_too_open"},
		{"Warning: remote port forwarding failed for listen port 8080\n", "fwd.remote_listen_failed"},
		{"bind [127.0.0.1]:8080: Address already in use\nchannel_setup_fwd_listener_tcpip: cannot listen to port: 8080\nCould not request local forwarding.\n", "fwd.local_listen_failed"},
		{"System is booting up. Unprivileged users are not permitted to log in yet. Please come back later. For technical details, see pam_nologin(8).\nConnection closed by 127.0.0.1 port 22\n", "session.pam_nologin"},
		{"Protocol major versions differ: 2 vs. 1\n", "banner.protocol1"},
	}
	for _, c := range cases {
		a := explainText(t, c.text)
		if got := diagnosis(a); got != c.want {
			t.Errorf("%q: diagnosis %s, want %s (%v)", c.text, got, c.want, codes(a))
		}
	}
}

// TestHostKeyChangedSingleQuotes: the Debian hint with single quotes and
// the fix built from it, quoted for the shell.
func TestHostKeyChangedSingleQuotes(t *testing.T) {
	text := strings.ReplaceAll(readFile(t, "testdata/openssh/out_changed.stderr"),
		`ssh-keygen -f "/home/alice/lab/client/known_hosts" -R "[127.0.0.1]:2299"`,
		`ssh-keygen -f '/home/u/.ssh/known_hosts' -R '[10.0.0.6]:2222'`)
	a := explainText(t, text)
	f := a.Findings[0]
	if f.Code != "hostkey.changed" {
		t.Fatal(codes(a))
	}
	var remove string
	for _, fx := range f.Fixes {
		if fx.Key == "fix.hostkey_remove_old" {
			remove = fx.Command
		}
	}
	if remove != "ssh-keygen -R '[10.0.0.6]:2222' -f /home/u/.ssh/known_hosts" {
		t.Fatalf("remove fix %q", remove)
	}
}

// TestMixedClientAndServer: one paste with both sides; the server's cause
// comes before the client's symptom.
func TestMixedClientAndServer(t *testing.T) {
	text := readFile(t, "testdata/openssh/out_sshdir_777.stderr") + readFile(t, "testdata/openssh/out_sshdir_777.server")
	a := explainText(t, text)
	if got := errorCodes(a); len(got) < 2 || got[0] != "server.strictmodes" || got[1] != "auth.publickey_denied" {
		t.Fatalf("errors %v", got)
	}
	// Two inputs: the same, with file names in the line references.
	b, err := Explain([]Input{
		{Name: "client.txt", R: strings.NewReader(readFile(t, "testdata/openssh/out_sshdir_777.stderr"))},
		{Name: "auth.log", R: strings.NewReader(readFile(t, "testdata/openssh/out_sshdir_777.server"))},
	}, ExplainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Findings[0].Code != "server.strictmodes" || !strings.HasPrefix(b.Findings[0].EvidenceValue("line"), "auth.log:2: ") {
		t.Fatalf("%v %v", codes(b), b.Findings[0].Evidence)
	}
}

// TestGoogleCloud: texts from gcloud, IAP and SSH-in-browser as users
// reported them.
func TestGoogleCloud(t *testing.T) {
	cases := []struct{ text, want string }{
		// terraform-google-modules/terraform-google-bastion-host#58
		{"ERROR: (gcloud.beta.compute.start-iap-tunnel) Error while connecting [4003: 'failed to connect to backend'].\nkex_exchange_identification: Connection closed by remote host\nConnection closed by UNKNOWN port 65535\n", "gcp.iap_backend_unreachable"},
		// Google's knowledge base article, console form
		{"Connection via Cloud Identity-Aware Proxy Failed\nCode: 4003\nReason: failed to connect to backend\n", "gcp.iap_backend_unreachable"},
		// google-github-actions/ssh-compute#44
		{"ERROR: (gcloud.compute.start-iap-tunnel) Error while connecting [4033: 'not authorized']\n", "gcp.iap_not_authorized"},
		// hashicorp/packer-plugin-googlecompute#195
		{"ERROR: (gcloud.compute.start-iap-tunnel) While checking if a connection can be made: Error while connecting [4047: 'Failed to lookup instance'].\n", "gcp.instance_not_found"},
		// googlecodelabs/feedback#276
		{"Waiting for SSH key to propagate.\nWarning: Permanently added 'compute.123' (ECDSA) to the list of known hosts.\nPermission denied (publickey,gssapi-keyex,gssapi-with-mic).\nERROR: (gcloud.compute.ssh) Could not SSH into the instance.  It is possible that your SSH key has not propagated to the instance yet. Try running this command again.  If you still cannot connect, verify that the firewall and instance are set to accept ssh traffic.\n", "gcp.key_not_propagated"},
		// kubernetes/kubernetes#37180
		{"Value for field 'resource.properties.metadata.items[2].value' is too large: maximum size 32768 character(s); actual size 33595.\n", "gcp.metadata_too_large"},
		{"ssh: connect to host 34.1.2.3 port 22: Connection timed out\nERROR: (gcloud.compute.ssh) [/usr/bin/ssh] exited with return code [255].\n", "tcp.timeout"},
		{"ERROR: (gcloud.compute.ssh) [/usr/bin/ssh] exited with return code [255].\n", "gcp.ssh_exit_255"},
		{"Unauthorized\n\nError 401\n", "gcp.browser_ssh_unauthorized"},
		{"Could not connect, retrying ...\n", "gcp.ssh_exit_255"},
	}
	for _, c := range cases {
		a := explainText(t, c.text)
		if got := diagnosis(a); got != c.want {
			t.Errorf("%q: diagnosis %s, want %s (%v)", c.text, got, c.want, codes(a))
		}
	}
	// Windows VM behind gcloud: the hint about enable-windows-ssh.
	a := explainText(t, "Permission denied (publickey,keyboard-interactive).\nERROR: (gcloud.compute.ssh) [/usr/bin/ssh] exited with return code [255].\n")
	found := false
	for _, fx := range a.Findings[indexOf(a, "auth.publickey_denied")].Fixes {
		found = found || fx.Key == "fix.gcp_windows_ssh"
	}
	if diagnosis(a) != "auth.publickey_denied" || !found {
		t.Fatalf("%v", codes(a))
	}
}

// A real sshd line with each of the prefixes logs carry.
var serverForms = []struct {
	name   string
	prefix func(ident string, pid int) string
}{
	{"bare", func(string, int) string { return "" }},
	{"syslog", func(id string, pid int) string { return fmt.Sprintf("Nov 22 03:10:01 web1 %s[%d]: ", id, pid) }},
	{"syslog-priority", func(id string, pid int) string { return fmt.Sprintf("<38>Nov  2 03:10:01 web1 %s[%d]: ", id, pid) }},
	{"rfc3339", func(id string, pid int) string {
		return fmt.Sprintf("2026-11-22T03:10:01.117730+09:00 web1 %s[%d]: ", id, pid)
	}},
	{"short-iso", func(id string, pid int) string { return fmt.Sprintf("2024-07-11T16:19:20+0200 web1 %s[%d]: ", id, pid) }},
	{"short-full", func(id string, pid int) string {
		return fmt.Sprintf("Fri 2024-07-12 10:00:01 CEST web1 %s[%d]: ", id, pid)
	}},
}

// TestServerForms: the recorded logs, re-prefixed as syslog, RFC 3339,
// journalctl short-iso/short-full, JSON and export entries, with sshd and
// sshd-session identifiers, give the same diagnosis as the bare lines.
func TestServerForms(t *testing.T) {
	for _, sc := range []struct{ dir, want string }{
		{"strictmodes_sshdir", "server.strictmodes"}, {"allowusers", "server.allowusers"},
		{"invalid_user", "server.invalid_user"}, {"too_many_failures", "auth.too_many_failures"},
		{"kex_mismatch", "kex.no_kex_alg"}, {"account_expired", "server.account_expired"},
		{"pubkey_alg_rejected", "server.pubkey_alg_rejected"}, {"sshd_port_in_use", "server.bind_failed"},
		{"maxstartups", "server.maxstartups"}, {"success", "ok"},
	} {
		lines := strings.Split(strings.TrimSpace(readFile(t, filepath.Join("testdata/corpus", sc.dir, "sshd.log"))), "\n")
		for _, form := range serverForms {
			for _, ident := range []string{"sshd", "sshd-session"} {
				var b strings.Builder
				pid := 4000
				for i, l := range lines {
					// Each connection has its own pid: a new one after a closing line.
					fmt.Fprintf(&b, "%s%s\n", form.prefix(ident, pid), l)
					if strings.HasPrefix(l, "Connection closed") || strings.HasPrefix(l, "Disconnect") || i == 0 {
						pid++
					}
					fmt.Fprintf(&b, "%s CRON[99]: pam_unix(cron:session): session closed for user root\n", "Nov 22 03:10:02 web1")
				}
				checkServer(t, sc.dir+"/"+form.name+"/"+ident, b.String(), sc.want)
			}
		}
		// journalctl -o json and -o export
		var js, ex bytes.Buffer
		pid := 5000
		for i, l := range lines {
			fmt.Fprintf(&js, `{"__REALTIME_TIMESTAMP":"%d","_HOSTNAME":"web1","SYSLOG_IDENTIFIER":"sshd-session","_PID":"%d","MESSAGE":%q}`+"\n", 1731000000000000+i, pid, l)
			fmt.Fprintf(&ex, "__CURSOR=s=abc;i=%d\n__REALTIME_TIMESTAMP=%d\n_PID=%d\nSYSLOG_IDENTIFIER=sshd\n", i, 1731000000000000+i, pid)
			if strings.HasPrefix(l, "Connection closed") || strings.HasPrefix(l, "Disconnect") || i == 0 {
				pid++
			}
			if i%2 == 0 {
				fmt.Fprintf(&ex, "MESSAGE=%s\n\n", l)
			} else { // the binary form of a field
				ex.WriteString("MESSAGE\n")
				var n [8]byte
				binary.LittleEndian.PutUint64(n[:], uint64(len(l)))
				ex.Write(n[:])
				ex.WriteString(l + "\n\n")
			}
		}
		checkServer(t, sc.dir+"/json", js.String(), sc.want)
		checkServer(t, sc.dir+"/export", ex.String(), sc.want)
	}
}

func checkServer(t *testing.T, name, text, want string) {
	t.Helper()
	sum, err := ScanServerLog(strings.NewReader(text), ScanOptions{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got := "ok"
	if sum.Diagnosis != nil {
		got = sum.Diagnosis.Cause.Code
	}
	if got != want {
		t.Errorf("%s: ScanServerLog diagnosis %s, want %s", name, got, want)
	}
	a := explainText(t, text)
	if d := diagnosis(a); d != want {
		t.Errorf("%s: Explain diagnosis %s, want %s (%v)", name, d, want, codes(a))
	}
}

// TestClassifyServerLine: one line in, the code and its fields out.
func TestClassifyServerLine(t *testing.T) {
	cases := []struct {
		line               string
		code, user, source string
		port               int
		path               string
	}{
		{"Nov 22 10:00:01 host sshd[1234]: Accepted publickey for alice from 203.0.113.5 port 51122 ssh2: ED25519 SHA256:czQHAjsiENL3C/Xi/JfOJuSt7kO0UOHKnFNrvADiZJE", "", "alice", "203.0.113.5", 51122, ""},
		{"2024-07-09T15:00:29.099504+02:00 host sshd[19778]: Accepted password for antoine from 127.0.0.1 port 41580 ssh2", "", "antoine", "127.0.0.1", 41580, ""},
		{"May  7 15:12:27 frink sshd-session[32054]: Invalid user admin from 198.51.100.7 port 40022", "server.invalid_user", "admin", "198.51.100.7", 40022, ""},
		{"Invalid user a from b from 198.51.100.7 port 1", "server.invalid_user", "a from b", "198.51.100.7", 1, ""},
		{"Authentication refused: bad ownership or modes for directory /home/sshlab/.ssh", "server.strictmodes", "", "", 0, "/home/sshlab/.ssh"},
		{"Nov 22 10:00:01 host sshd[7]: Could not open user 'sshlab' authorized keys '/home/sshlab/.ssh/authorized_keys': Permission denied", "server.authkeys_unreadable", "sshlab", "", 0, "/home/sshlab/.ssh/authorized_keys"},
		{"Nov 22 10:00:01 host sshd[7]: error: maximum authentication attempts exceeded for invalid user ghost from 127.0.0.1 port 45982 ssh2 [preauth]", "auth.too_many_failures", "ghost", "127.0.0.1", 45982, ""},
		{"Disconnecting: Too many authentication failures for alice [preauth]", "auth.too_many_failures", "alice", "", 0, ""},
		{"userauth_pubkey: key type ssh-rsa not in PubkeyAcceptedKeyTypes [preauth]", "server.pubkey_alg_rejected", "", "", 0, ""},
		{"ROOT LOGIN REFUSED FROM 127.0.0.1 port 47070", "server.root_login_refused", "root", "127.0.0.1", 47070, ""},
		{"User sshlab from 10.0.0.9 not allowed because a group is listed in DenyGroups", "server.denygroups", "sshlab", "10.0.0.9", 0, ""},
		{"User sshlab not allowed because shell /bin/zsh does not exist", "server.shell_missing", "sshlab", "", 0, "/bin/zsh"},
		{"Nov 22 10:00:01 host sshd[1]: fatal: Access denied for user sshlab by PAM account configuration [preauth]", "server.pam_account", "sshlab", "", 0, ""},
		{"pam_unix(sshd:account): account sshlab has expired (account expired)", "server.account_expired", "sshlab", "", 0, ""},
		{"drop connection #0 from [192.0.2.10]:51000 on [198.51.100.1]:22 penalty: failed authentication", "server.penalty", "", "192.0.2.10", 51000, ""},
		{"srclimit_penalise: 192.0.2.10/32: activating ipv4 penalty of 20.000 seconds for penalty: failed authentication", "server.penalty", "", "192.0.2.10", 0, ""},
		{"Nov 22 10:00:01 host sshd[1]: refused connect from host.example (192.0.2.44)", "server.tcp_wrappers", "", "192.0.2.44", 0, ""},
		{"Timeout before authentication for connection from 1.2.3.4 to 5.6.7.8, pid = 1234", "server.login_grace", "", "1.2.3.4", 0, ""},
		{"Missing privilege separation directory: /run/sshd", "server.privsep_dir", "", "", 0, "/run/sshd"},
		{"Unable to load host key: /etc/ssh/ssh_host_ecdsa_key", "server.hostkey_load", "", "", 0, "/etc/ssh/ssh_host_ecdsa_key"},
		{"/home/alice/lab/sshd4_config line 1: unsupported option \"maybe\".", "server.config_error", "", "", 0, "/home/alice/lab/sshd4_config"},
		{"/etc/ssh/sshd_config line 3: Directive 'Port' is not allowed within a Match block", "server.config_error", "", "", 0, "/etc/ssh/sshd_config"},
		{"Unsafe AuthorizedKeysCommand \"/opt/x/fail.sh\": bad ownership or modes for directory /tmp", "server.akc_error", "", "", 0, "/opt/x/fail.sh"},
		{"AuthorizedKeysCommand /usr/local/bin/keys failed, status 1", "server.akc_error", "", "", 0, "/usr/local/bin/keys"},
		{"fatal: bad ownership or modes for chroot directory component \"/home/\"", "server.chroot", "", "", 0, "/home/"},
		{"Received request from 127.0.0.1 port 35492 to connect to host 127.0.0.1 port 2299, but the request was denied.", "fwd.prohibited", "", "127.0.0.1", 35492, ""},
		{"connect_to nosuchhost.invalid: unknown host (Name or service not known)", "fwd.connect_failed", "", "", 0, ""},
		{"Nov 22 10:00:01 host systemd[1]: Failed to start ssh.service - OpenBSD Secure Shell server.", "server.sshd_not_running", "", "", 0, ""},
		{"Connection closed by authenticatinguser sshlab 127.0.0.1 port 1 [preauth]", "explain.auth_abandoned", "sshlab", "127.0.0.1", 1, ""},
		{`{"MESSAGE":"Invalid user x from 192.0.2.1 port 2","SYSLOG_IDENTIFIER":"sshd-session","_PID":"12"}`, "server.invalid_user", "x", "192.0.2.1", 2, ""},
	}
	for _, c := range cases {
		e, ok := ClassifyServerLine(c.line)
		if !ok {
			t.Errorf("%q: not classified", c.line)
			continue
		}
		if e.Code != c.code || e.User != c.user || e.Source != c.source || e.Port != c.port || e.Path != c.path {
			t.Errorf("%q:\n got %q %q %q %d %q\nwant %q %q %q %d %q", c.line, e.Code, e.User, e.Source, e.Port, e.Path,
				c.code, c.user, c.source, c.port, c.path)
		}
	}
	for _, l := range []string{
		"Nov 22 10:00:01 host CRON[5]: pam_unix(cron:session): session opened for user root",
		"hello", "", "Nov 22 10:00:01 host sshd[1]: something sshd never says",
	} {
		if e, ok := ClassifyServerLine(l); ok {
			t.Errorf("%q classified as %+v", l, e)
		}
	}
	e, _ := ClassifyServerLine("Nov 22 10:00:01 host sshd[1234]: Failed password for invalid user ghost from 127.0.0.1 port 45988 ssh2")
	if e.PID != 1234 || e.Host != "host" || e.Ident != "sshd" || e.Time.Month() != time.November || e.Method != "password" {
		t.Errorf("header fields: %+v", e)
	}
	if f := e.Finding(); f == nil || f.Code != "server.invalid_user" || f.EvidenceValue("client") != "127.0.0.1" {
		t.Errorf("finding %+v", f)
	}
}

// TestSummaryPerUser: several connections; the diagnosis is the most
// recent unresolved failure, and a later success resolves a failure.
func TestSummaryPerUser(t *testing.T) {
	log := `Nov 22 03:10:01 web1 sshd[10]: Invalid user bob from 198.51.100.7 port 40022
Nov 22 03:10:01 web1 sshd[10]: Connection closed by invalid user bob 198.51.100.7 port 40022 [preauth]
Nov 22 03:11:00 web1 sshd[11]: Authentication refused: bad ownership or modes for directory /home/alice/.ssh
Nov 22 03:11:00 web1 sshd[11]: Connection closed by authenticating user alice 203.0.113.5 port 5000 [preauth]
Nov 22 03:12:00 web1 sshd[12]: Accepted publickey for carol from 192.0.2.8 port 6000 ssh2: ED25519 SHA256:x
Nov 22 03:13:00 web1 sshd[13]: User dave from 192.0.2.9 not allowed because not listed in AllowUsers
Nov 22 03:13:00 web1 sshd[13]: Connection closed by invalid user dave 192.0.2.9 port 7000 [preauth]
Nov 22 03:14:00 web1 sshd[14]: Accepted publickey for dave from 192.0.2.9 port 7001 ssh2: ED25519 SHA256:y
`
	sum, err := ScanServerLog(strings.NewReader(log), ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Diagnosis == nil || sum.Diagnosis.Cause.Code != "server.strictmodes" || sum.Diagnosis.Cause.User != "alice" {
		t.Fatalf("diagnosis %+v", sum.Diagnosis)
	}
	if sum.Accepted != 2 || sum.Failed != 3 || len(sum.Keys) != 4 {
		t.Fatalf("accepted %d failed %d keys %d", sum.Accepted, sum.Failed, len(sum.Keys))
	}
	if sum.Keys[0].User != "dave" || sum.Keys[0].Failing {
		t.Fatalf("most recent key %+v", sum.Keys[0])
	}
	bob, _ := ScanServerLog(strings.NewReader(log), ScanOptions{User: "bob"})
	if bob.Diagnosis == nil || bob.Diagnosis.Cause.Code != "server.invalid_user" || len(bob.Keys) != 1 {
		t.Fatalf("filtered: %+v", bob.Diagnosis)
	}
	src, _ := ScanServerLog(strings.NewReader(log), ScanOptions{Source: "192.0.2.9"})
	if src.Diagnosis != nil {
		t.Fatalf("dave's failure was resolved by his later login: %+v", src.Diagnosis.Cause)
	}
	since, _ := ScanServerLog(strings.NewReader(log), ScanOptions{Since: time.Date(time.Now().Year(), 11, 22, 3, 11, 30, 0, time.Local), Now: time.Date(time.Now().Year(), 12, 31, 0, 0, 0, 0, time.Local)})
	if since.Diagnosis != nil || since.Accepted != 2 {
		t.Fatalf("since: %+v accepted %d", since.Diagnosis, since.Accepted)
	}
	f := sum.Diagnosis.Finding(nil)
	// ~/.ssh is the user's: it goes back to alice and loses group and
	// world write, as the server check gives it.
	if len(f.Fixes) != 2 || f.Fixes[0].Command != "sudo chown alice: /home/alice/.ssh" || f.Fixes[1].Command != "sudo chmod go-w /home/alice/.ssh" {
		t.Fatalf("fixes %+v", f.Fixes)
	}
}

// TestStartupFailureResolved: a failed start followed by a good one is not
// the diagnosis; a failed start at the end is.
func TestStartupFailureResolved(t *testing.T) {
	bad := readFile(t, "testdata/corpus/sshd_bad_option/sshd.log")
	good := "Server listening on 0.0.0.0 port 22.\n"
	sum, _ := ScanServerLog(strings.NewReader(bad+good), ScanOptions{})
	if sum.Diagnosis != nil || sum.Running == nil || !*sum.Running {
		t.Fatalf("resolved start: %+v", sum.Diagnosis)
	}
	sum, _ = ScanServerLog(strings.NewReader(good+bad), ScanOptions{})
	if sum.Diagnosis == nil || sum.Diagnosis.Cause.Code != "server.config_error" || len(sum.Diagnosis.Context) != 1 {
		t.Fatalf("failed start: %+v", sum.Diagnosis)
	}
}

// TestBounded: long lines are cut, tables stay within their caps.
func TestBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("Invalid user " + strings.Repeat("x", 200000) + " from 192.0.2.1 port 1\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "Invalid user u%d from 192.0.%d.%d port %d\n", i, i/250, i%250, 1000+i)
	}
	sum, err := ScanServerLog(strings.NewReader(b.String()), ScanOptions{MaxKeys: 100, MaxLineBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if sum.LongLines != 1 || sum.Lines != 3001 {
		t.Fatalf("long %d lines %d", sum.LongLines, sum.Lines)
	}
	if len(sum.Keys) > 100 {
		t.Fatalf("%d keys kept, cap 100", len(sum.Keys))
	}
	if sum.Diagnosis == nil || sum.Diagnosis.Cause.User != "u2999" {
		t.Fatalf("most recent failure lost: %+v", sum.Diagnosis)
	}
	a, err := Explain([]Input{{Name: "x", R: strings.NewReader(strings.Repeat("debug1: x\n", 50))}}, ExplainOptions{MaxClientLines: 10})
	if err != nil || a.Dropped != 40 {
		t.Fatalf("dropped %d err %v", a.Dropped, err)
	}
}

// TestUntrustedText: control characters from a log never reach a fix
// command, and evidence is escaped.
func TestUntrustedText(t *testing.T) {
	e, ok := ClassifyServerLine("Authentication refused: bad ownership or modes for directory /home/x\x1b[31m;rm -rf ~")
	if !ok {
		t.Fatal("not classified")
	}
	f := e.Finding()
	if strings.ContainsRune(f.Fixes[0].Command, 0x1b) || strings.Contains(f.EvidenceValue("line"), "\x1b") {
		t.Fatalf("control characters leaked: %q %q", f.Fixes[0].Command, f.EvidenceValue("line"))
	}
	for in, want := range map[string]string{"alice": "alice", "a b": "'a b'", "it's": `'it'\''s'`, "$(x)": "'$(x)'", "[h]:22": "'[h]:22'", "-rf": "'-rf'"} {
		if got, ok := shq(in); !ok || got != want {
			t.Errorf("shq(%q) = %q, want %q", in, got, want)
		}
	}
	if _, ok := shq("a\nb"); ok {
		t.Error("a newline must not be quoted into a command")
	}
}

// TestUnrecognized: nothing known → explain.unrecognized, never a guess.
func TestUnrecognized(t *testing.T) {
	for _, text := range []string{"", "hello\nworld\n", "b''\n", "\x00\x01\x02\n"} {
		a := explainText(t, text)
		if !a.Unrecognized || len(a.Findings) != 1 || a.Findings[0].Code != "explain.unrecognized" {
			t.Errorf("%q: %v", text, codes(a))
		}
	}
}

// TestCodesCatalogued: every code and fix this package can emit is in the
// catalog, in both languages, and every placeholder gets a value.
func TestCodesCatalogued(t *testing.T) {
	var texts []string
	for _, pattern := range []string{"testdata/corpus/*/*", "testdata/openssh/*"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			texts = append(texts, readFile(t, f))
		}
	}
	seen := map[string]bool{}
	for _, text := range texts {
		a := explainText(t, text)
		all := append(append([]*diag.Finding{}, a.Findings...), a.Logins...)
		if a.Timeline != nil {
			all = append(all, a.Timeline)
		}
		for _, f := range all {
			seen[f.Code] = true
			e, ok := catalog.Lookup(f.Code)
			if !ok {
				continue // reported below
			}
			for _, s := range []string{catalog.Fill(e.Title.En, f.Args), catalog.Fill(e.Explanation.Ja, f.Args)} {
				if strings.Contains(s, "{") && len(catalog.Placeholders(s)) > 0 {
					t.Errorf("%s: unfilled placeholder in %q", f.Code, s)
				}
			}
			for _, fx := range f.Fixes {
				if _, ok := catalog.Phrase(fx.Key); !ok {
					t.Errorf("%s: fix %s not catalogued", f.Code, fx.Key)
				}
				if s := catalog.Say(catalog.JA, fx.Key, f.Args); len(catalog.Placeholders(s)) > 0 {
					t.Errorf("%s: unfilled placeholder in fix %q", f.Code, s)
				}
			}
		}
	}
	var missing []string
	for c := range seen {
		if _, ok := catalog.Lookup(c); !ok {
			missing = append(missing, c)
		}
	}
	sort.Strings(missing)
	for _, c := range missing {
		// Codes of explain, proxies, forwarding and the client-auth layers
		// are registered by this area; others belong to other areas.
		if strings.HasPrefix(c, "explain.") || strings.HasPrefix(c, "proxy.") || strings.HasPrefix(c, "fwd.") ||
			strings.HasPrefix(c, "kex.") || strings.HasPrefix(c, "hostkey.") || strings.HasPrefix(c, "auth.") || strings.HasPrefix(c, "key.") {
			t.Errorf("%s is not catalogued", c)
		} else {
			t.Logf("%s is not catalogued yet (another area's code)", c)
		}
	}
}

// sshd start-up failures that name their own code.
func TestStartupFailureCodes(t *testing.T) {
	cases := map[string]string{
		"Privilege separation user sshd does not exist":                     "server.privsep_user",
		"sshd re-exec requires execution with an absolute path":             "server.sshd_relative_path",
		"/usr/lib/openssh/sshd-session does not exist or is not executable": "server.sshd_session_missing",
		"Missing privilege separation directory: /run/sshd":                 "server.privsep_dir",
	}
	for line, want := range cases {
		e, ok := ClassifyServerLine(line)
		if !ok || e.Code != want {
			t.Errorf("%q: %q %v, want %q", line, e.Code, ok, want)
			continue
		}
		if f := e.Finding(); f == nil || f.Code != want {
			t.Errorf("%q: finding %v", line, f)
		}
	}
	e, _ := ClassifyServerLine("Privilege separation user sshd does not exist")
	if e.User != "sshd" {
		t.Errorf("privsep user %q", e.User)
	}
}
