//go:build linux

package gcp_test

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
	"github.com/sshdoctor/sshdoctor/internal/lab"
)

func TestMain(m *testing.M) {
	code := m.Run()
	lab.Cleanup()
	os.Exit(code)
}

// probeLab is `sshdoctor gcp --probe` for real: the stand-in API listens
// inside the lab's client namespace, the VM's "external address" is the
// lab server, where real OpenSSH runs (or does not), and sshdoctor runs in
// the client namespace.
type probeLab struct {
	lab  *lab.Lab
	api  *gcptest.Server
	env  []string
	user *lab.User
	key  string // private key
	home string
}

func newProbeLab(t *testing.T) *probeLab {
	t.Helper()
	lab.Require(t, "sshd", "ssh-keygen")
	l := lab.New(t)
	api := gcptest.NewListening(t, l.Client.Listen(t, "127.0.0.1:0"))
	api.SetExternalIP(lab.ServerAddr)
	api.SetInstanceMetadata("enable-oslogin", "FALSE")
	u := lab.AddUser(t, lab.UserOptions{})
	keyDir := t.TempDir()
	priv, pub := lab.NewKey(t, keyDir, "ed25519")
	u.AuthorizeKey(t, pub)
	api.SetProjectMetadata("ssh-keys", u.Name+":"+pub+"\n")
	p := &probeLab{lab: l, api: api, user: u, key: priv}
	envm := api.Env()
	p.home = envm["HOME"]
	envm["SSH_AUTH_SOCK"] = ""
	var keys []string
	for k := range envm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.env = append(p.env, k+"="+envm[k])
	}
	return p
}

func (p *probeLab) doctor(t *testing.T, extra ...string) lab.Doctor {
	t.Helper()
	args := append([]string{"gcp", gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone,
		"--source-ip", lab.ClientAddr, "--user", p.user.Name, "--key", p.key + ".pub", "--probe"}, extra...)
	d := p.lab.Client.RunDoctorEnv(t, p.env, args...)
	if v := p.api.Violations(); len(v) > 0 {
		t.Errorf("writes: %v", v)
	}
	return d
}

func findingCodes(d lab.Doctor) map[string]bool {
	out := map[string]bool{}
	for _, c := range d.Report.Checks {
		for _, f := range c.Findings {
			out[f.Code] = true
		}
	}
	return out
}

func TestLabProbeAgrees(t *testing.T) {
	p := newProbeLab(t)
	p.lab.StartSSHD(t, lab.SSHDOptions{})
	d := p.doctor(t)
	codes := findingCodes(d)
	if !codes["gcp.probe_agrees"] || !codes["gcp.firewall_allows"] {
		t.Fatalf("codes %v\n%s", codes, d.Stdout)
	}
	if d.Report.Target == nil || d.Report.Target.Hostname != lab.ServerAddr || d.Report.Stats == nil || d.Report.Stats.Connections == 0 {
		t.Fatalf("target %+v stats %+v", d.Report.Target, d.Report.Stats)
	}
}

func TestLabProbeRefusedInsideGuest(t *testing.T) {
	p := newProbeLab(t) // no sshd: the guest refuses
	d := p.doctor(t)
	if d.Report.Diagnosis.Code != "gcp.probe_contradicts_model" || d.ExitCode != 1 {
		t.Fatalf("diagnosis %s exit %d\n%s\n%s", d.Report.Diagnosis.Code, d.ExitCode, d.Stdout, d.Stderr)
	}
	if !strings.Contains(d.Stdout, "tcp.refused") {
		t.Fatalf("the probe's own layer is not reported:\n%s", d.Stdout)
	}
}

func TestLabProbeTimeoutInsideGuest(t *testing.T) {
	p := newProbeLab(t)
	p.lab.StartSSHD(t, lab.SSHDOptions{})
	p.lab.Server.MustRun(t, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP")
	d := p.doctor(t)
	if d.Report.Diagnosis.Code != "gcp.probe_contradicts_model" || !strings.Contains(d.Stdout, "tcp.timeout") {
		t.Fatalf("diagnosis %s\n%s", d.Report.Diagnosis.Code, d.Stdout)
	}
}

func TestLabProbeDisagreesWithModel(t *testing.T) {
	p := newProbeLab(t)
	p.lab.StartSSHD(t, lab.SSHDOptions{})
	p.api.RemoveFirewall("default-allow-ssh")
	d := p.doctor(t)
	codes := findingCodes(d)
	if d.Report.Diagnosis.Code != "gcp.firewall_blocks_ssh" || !codes["gcp.probe_disagrees"] {
		t.Fatalf("diagnosis %s codes %v\n%s", d.Report.Diagnosis.Code, codes, d.Stdout)
	}
}
