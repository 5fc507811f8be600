package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
	"github.com/sshdoctor/sshdoctor/internal/reportschema"
)

// noRealCredentials makes every gcp test hermetic: no public-IP lookup, no
// Application Default Credentials, no gcloud.
func noRealCredentials(t *testing.T) {
	t.Helper()
	oldIP, oldADC, oldGcloud := lookupPublicIP, gcpADC, gcloudCommand
	lookupPublicIP = func(context.Context) (netip.Addr, error) {
		t.Error("the public-IP lookup ran in a test")
		return netip.Addr{}, errors.New("not in tests")
	}
	gcpADC = func(context.Context) (string, string, error) {
		return "", "", errors.New("google: could not find default credentials")
	}
	gcloudCommand = filepath.Join(t.TempDir(), "no-gcloud-here")
	t.Cleanup(func() { lookupPublicIP, gcpADC, gcloudCommand = oldIP, oldADC, oldGcloud })
}

type gcpReport struct {
	Result    string            `json:"result"`
	Subject   map[string]string `json:"subject"`
	Diagnosis struct {
		Code  string `json:"code"`
		Title string `json:"title"`
		Fixes []struct {
			Description string `json:"description"`
			Command     string `json:"command"`
		} `json:"fixes"`
	} `json:"diagnosis"`
	Checks []struct {
		Name     string `json:"name"`
		Status   string `json:"status"`
		Findings []struct {
			Code     string            `json:"code"`
			Severity string            `json:"severity"`
			Title    string            `json:"title"`
			Evidence map[string]string `json:"evidence"`
			Fixes    []struct {
				Description string `json:"description"`
				Command     string `json:"command"`
			} `json:"fixes"`
		} `json:"findings"`
	} `json:"checks"`
}

func (r *gcpReport) codes() map[string]string {
	out := map[string]string{}
	for _, c := range r.Checks {
		for _, f := range c.Findings {
			out[f.Code] = f.Severity
		}
	}
	return out
}

func (r *gcpReport) fixCommands() string {
	var b strings.Builder
	for _, f := range r.Diagnosis.Fixes {
		b.WriteString(f.Command + "\n")
	}
	return b.String()
}

// runGCPCase runs sshdoctor gcp against the stand-in and decodes --json.
func runGCPCase(t *testing.T, s *gcptest.Server, env map[string]string, args ...string) (*gcpReport, int, string) {
	t.Helper()
	io, out, errOut := TestIO(env)
	code := Main(append([]string{"gcp", "--json"}, args...), io)
	reportschema.Check(t, out.Bytes())
	var r gcpReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("exit %d, stdout is not one JSON object: %v\n%s\nstderr: %s", code, err, out, errOut)
	}
	if v := s.Violations(); len(v) > 0 {
		t.Errorf("sshdoctor sent requests that could change resources: %v", v)
	}
	return &r, code, out.String()
}

var leftoverPlaceholder = regexp.MustCompile(`\{[a-z][a-z0-9_]*\}`)

func metadataMode(s *gcptest.Server) { s.SetInstanceMetadata("enable-oslogin", "FALSE") }

const myIP = "203.0.113.7"

func allowRule(name string, prio int, src []any, entries ...any) gcptest.JSON {
	return gcptest.JSON{"name": name, "priority": prio, "sourceRanges": src, "allowed": entries}
}

func tcp(ports ...any) gcptest.JSON {
	if len(ports) == 0 {
		return gcptest.JSON{"IPProtocol": "tcp"}
	}
	return gcptest.JSON{"IPProtocol": "tcp", "ports": ports}
}

func hierarchyPolicy(name string, rules ...any) gcptest.JSON {
	return gcptest.JSON{"name": name, "type": "HIERARCHY", "shortName": name + "-short", "displayName": name + "-short", "rules": rules}
}

func policyRule(prio int, action string, src []any, l4 ...any) gcptest.JSON {
	return gcptest.JSON{"kind": "compute#firewallPolicyRule", "priority": prio, "action": action, "direction": "INGRESS",
		"match": gcptest.JSON{"srcIpRanges": src, "layer4Configs": l4}}
}

func l4(proto string, ports ...any) gcptest.JSON {
	if len(ports) == 0 {
		return gcptest.JSON{"ipProtocol": proto}
	}
	return gcptest.JSON{"ipProtocol": proto, "ports": ports}
}

var anywhere = []any{"0.0.0.0/0"}

type gcpCase struct {
	name  string
	setup func(t *testing.T, s *gcptest.Server)
	env   func(env map[string]string, s *gcptest.Server)
	// args replace the defaults (instance, project, zone, source, key)
	args  []string
	extra []string // appended to the defaults
	code  string   // diagnosis code
	exit  int
	has   []string // finding codes that must be reported
	hasnt []string
	fix   []string // substrings of the diagnosis's fix commands
	nofix []string // substrings no fix command may hold
	out   []string // substrings of the JSON output
	// relay, when set, starts the IAP relay stand-in: "RELAY" in args
	// becomes its URL, and its CA is trusted through gcloud's variable.
	relay func(t *testing.T, r *gcptest.Relay)
}

func TestGCPScenarios(t *testing.T) {
	noRealCredentials(t)
	past := time.Now().Add(-48 * time.Hour).UTC().Format("2006-01-02T15:04:05-0700")
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	key1 := func(comment string) string { return gcptest.PublicKeyLine(1, comment) }
	loc := "--zone=" + gcptest.Zone + " --project=" + gcptest.Project

	cases := []gcpCase{
		// --- healthy worlds
		{name: "healthy OS Login", code: "ok", exit: 0,
			has: []string{"gcp.credentials_source", "gcp.instance_found", "gcp.source_address", "gcp.external_ip", "gcp.firewall_allows", "gcp.route_ok", "gcp.key_authorized", "gcp.iam_held", "gcp.boot_analyzed", "gcp.oslogin_enabled"}},
		{name: "healthy metadata keys", setup: func(t *testing.T, s *gcptest.Server) { metadataMode(s) },
			extra: []string{"--user", "alice"}, code: "ok", exit: 0, has: []string{"gcp.key_authorized", "gcp.iam_ok"}},
		{name: "metadata keys, user name from $USER", setup: func(t *testing.T, s *gcptest.Server) { metadataMode(s) },
			env:  func(env map[string]string, s *gcptest.Server) { env["USER"] = "Alice" }, // lower-cased as gcloud does
			code: "ok", exit: 0, has: []string{"gcp.key_authorized"}},
		{name: "user@instance form", setup: func(t *testing.T, s *gcptest.Server) { metadataMode(s) },
			args: []string{"alice@" + gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--source-ip", myIP, "--key", "KEY1"},
			code: "ok", exit: 0, has: []string{"gcp.key_authorized"}},

		// --- credentials and API access
		{name: "no credentials", env: func(env map[string]string, s *gcptest.Server) { delete(env, "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE") },
			code: "gcp.no_credentials", exit: 1, fix: []string{"gcloud auth login", "gcloud auth application-default login"},
			out: []string{"gcloud is not installed", "could not find default credentials"}},
		{name: "token rejected", env: func(env map[string]string, s *gcptest.Server) {
			p := filepath.Join(s.Dir(), "stale-token")
			if err := os.WriteFile(p, []byte("ya29.expired"), 0o600); err != nil {
				t.Fatal(err)
			}
			env["CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"] = p
		}, code: "gcp.credentials_rejected", exit: 1, fix: []string{"gcloud auth login"}},
		{name: "instances.get 403", setup: func(t *testing.T, s *gcptest.Server) {
			s.Fail["instances.get"] = gcptest.Forbidden("compute.instances.get", "projects/"+gcptest.Project+"/zones/"+gcptest.Zone+"/instances/"+gcptest.VM)
		}, code: "gcp.api_permission_denied", exit: 1,
			fix: []string{"gcloud projects add-iam-policy-binding " + gcptest.Project + " --member=user:" + gcptest.Account + " --role=roles/compute.viewer"},
			out: []string{`"http_status": "403"`, "compute.instances.get"}},
		{name: "compute API disabled", setup: func(t *testing.T, s *gcptest.Server) {
			s.Fail["instances.get"] = gcptest.Disabled("compute.googleapis.com")
		}, code: "gcp.api_disabled", exit: 1, fix: []string{"gcloud services enable compute.googleapis.com --project=" + gcptest.Project}},
		{name: "project 404", args: []string{gcptest.VM, "--project", "no-such-project", "--zone", gcptest.Zone, "--source-ip", myIP},
			code: "gcp.project_not_found", exit: 1},

		// --- finding the instance
		{name: "instance 404", args: []string{"no-such-vm", "--project", gcptest.Project, "--zone", gcptest.Zone, "--source-ip", myIP},
			code: "gcp.instance_not_found", exit: 1, fix: []string{`gcloud compute instances list --project=` + gcptest.Project + ` --filter="name~no-such-vm"`}},
		{name: "instance in another zone", args: []string{gcptest.VM, "--project", gcptest.Project, "--zone", "europe-west2-b", "--source-ip", myIP},
			code: "gcp.instance_not_found", exit: 1, fix: []string{"--zone=" + gcptest.Zone},
			out: []string{`"found_in_zone": "europe-west2-a"`}},
		{name: "no zone: aggregated list over pages", setup: func(t *testing.T, s *gcptest.Server) {
			s.AggregatedPageSize = 1
			s.Instances = append(s.Instances[1:], s.Instances[0]) // the VM on the last page
		}, args: []string{gcptest.VM, "--project", gcptest.Project, "--source-ip", myIP, "--key", "KEY1"},
			code: "ok", exit: 0, out: []string{`"zone": "europe-west2-a"`}},
		{name: "same name in two zones", setup: func(t *testing.T, s *gcptest.Server) {
			b, _ := json.Marshal(s.VMDoc())
			var copyVM gcptest.JSON
			if err := json.Unmarshal(b, &copyVM); err != nil {
				t.Fatal(err)
			}
			copyVM["zone"] = strings.Replace(copyVM["zone"].(string), "europe-west2-a", "us-central1-f", 1)
			s.Instances = append(s.Instances, copyVM)
		}, args: []string{gcptest.VM, "--project", gcptest.Project, "--source-ip", myIP},
			code: "gcp.instance_ambiguous", exit: 1, fix: []string{"--zone=europe-west2-a"}},

		// --- VM state
		{name: "terminated", setup: func(t *testing.T, s *gcptest.Server) { s.VMDoc()["status"] = "TERMINATED" },
			code: "gcp.instance_not_running", exit: 1,
			fix: []string{"gcloud compute instances start " + gcptest.VM + " " + loc},
			has: []string{"gcp.firewall_allows"}}, // the other layers are still judged
		{name: "suspended", setup: func(t *testing.T, s *gcptest.Server) { s.VMDoc()["status"] = "SUSPENDED" },
			code: "gcp.instance_not_running", exit: 1, fix: []string{"gcloud compute instances resume " + gcptest.VM}},
		{name: "windows without enable-windows-ssh", setup: func(t *testing.T, s *gcptest.Server) {
			w := s.InstanceDoc("faulty-windows-ssh")
			w["status"] = "RUNNING"
			s.Serial["faulty-windows-ssh"] = gcptest.SerialContents("serial-valid-windows-ssh.json")
		}, args: []string{"faulty-windows-ssh", "--project", gcptest.Project, "--zone", gcptest.Zone, "--source-ip", myIP},
			code: "gcp.windows_ssh_disabled", exit: 1,
			fix: []string{"gcloud compute instances add-metadata faulty-windows-ssh " + loc + " --metadata=enable-windows-ssh=TRUE"}},
		{name: "windows with enable-windows-ssh in project", setup: func(t *testing.T, s *gcptest.Server) {
			w := s.InstanceDoc("faulty-windows-ssh")
			w["status"] = "RUNNING"
			s.Serial["faulty-windows-ssh"] = gcptest.SerialContents("serial-valid-windows-ssh.json")
			s.SetProjectMetadata("enable-windows-ssh", "TRUE")
		}, args: []string{"faulty-windows-ssh", "--project", gcptest.Project, "--zone", gcptest.Zone, "--source-ip", myIP},
			code: "gcp.no_external_ip", exit: 1, // the recorded VM has no external address
			hasnt: []string{"gcp.windows_ssh_disabled", "gcp.boot_sshd_failed"}},

		// --- boot (serial port 1, last boot only)
		{name: "real faulty-linux log: sshd restarted, fine", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.SerialContents("serial-faulty-linux-ssh.json")
		}, code: "ok", exit: 0, hasnt: []string{"gcp.boot_sshd_failed"}},
		{name: "real log with disk full and bad modes", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.SerialContents("serial-gce4-faulty-linux-ssh.json")
		}, code: "gcp.boot_disk_full", exit: 1, has: []string{"gcp.boot_sshd_bad_modes"},
			fix: []string{"gcloud compute disks resize valid-linux-ssh --zone=europe-west2-a --project=" + gcptest.Project + " --size=20GB",
				"gcloud compute instances reset " + gcptest.VM}},
		{name: "kernel panic", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.BootLog("Run /init as init process",
				"[    0.971234] VFS: Cannot open root device \"sda1\" or unknown-block(0,0): error -6",
				"[    0.972001] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)",
				"[    0.972950] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 5.10.0-26-cloud-amd64 #1 Debian 5.10.197-1")
		}, code: "gcp.boot_no_root_device", exit: 1, hasnt: []string{"gcp.boot_kernel_panic", "gcp.boot_fs_error"},
			fix: []string{"connect-to-serial-port", "update-initramfs", "dracut"}},
		{name: "kernel panic alone", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.BootLog("Run /init as init process",
				"[    0.972001] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00007f00")
		}, code: "gcp.boot_kernel_panic", exit: 1, out: []string{"Attempted to kill init!"},
			fix: []string{"gcloud compute instances add-metadata " + gcptest.VM + " " + loc + " --metadata=serial-port-enable=TRUE\ngcloud compute connect-to-serial-port " + gcptest.VM + " " + loc}},
		{name: "an old boot's panic is not reported", setup: func(t *testing.T, s *gcptest.Server) {
			old := "SeaBIOS (version 1.8.2-google)\r\n[    0.972001] Kernel panic - not syncing: Attempted to kill init!\r\n"
			s.Serial[gcptest.VM] = old + "SeaBIOS (version 1.8.2-google)\r\n" + gcptest.SerialContents("serial-valid-linux-ssh.json")
		}, code: "ok", exit: 0, hasnt: []string{"gcp.boot_kernel_panic"}, out: []string{"2 boot(s)"}},
		{name: "emergency mode", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.BootLog("Reached target \x1b[0;1;39mLocal File Systems",
				"[ TIME ] Timed out waiting for device /dev/disk/by-uuid/0b4d8a3e-6f2b-4d7e-9a3c-1f2e3d4c5b6a.",
				"[DEPEND] Dependency failed for /mnt/disks/data.",
				"[DEPEND] Dependency failed for Local File Systems.",
				"You are in emergency mode. After logging in, type \"journalctl -xb\" to view",
				"system logs, \"systemctl reboot\" to reboot, \"systemctl default\" or \"exit\"",
				"to boot into default mode.")
		}, code: "gcp.boot_fs_error", exit: 1, has: []string{"gcp.boot_emergency_mode"}},
		{name: "grub shell", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.BootLog("Loading Linux",
				"error: file `/boot/vmlinuz-5.10.0-26-cloud-amd64' not found.",
				"                     GNU GRUB  version 2.06-3~deb11u6",
				"   Minimal BASH-like line editing is supported. For the first word, TAB",
				"grub> ")
		}, code: "gcp.boot_emergency_mode", exit: 1},
		{name: "OOM killed sshd", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.BootLog("",
				"[ 8301.112233] google_guest_ag invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
				"[ 8301.120000] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/ssh.service,task=sshd,pid=612,uid=0",
				"[ 8301.120101] Out of memory: Killed process 612 (sshd) total-vm:15040kB, anon-rss:1024kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:64kB oom_score_adj:0")
		}, code: "gcp.boot_oom", exit: 1, out: []string{"sshd"},
			fix: []string{"gcloud compute instances set-machine-type " + gcptest.VM + " " + loc + " --machine-type="}},
		{name: "OOM of another process is a warning", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.BootLog("",
				"[ 8301.120101] Out of memory: Killed process 4242 (java) total-vm:4015040kB, anon-rss:901024kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:1864kB oom_score_adj:0")
		}, code: "ok", exit: 0, has: []string{"gcp.boot_oom"}},
		{name: "sshd failed to start", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.BootLog("",
				"Nov 17 05:00:01 debian sshd[901]: /etc/ssh/sshd_config line 14: Bad configuration option: PermitRootLogn",
				"Nov 17 05:00:01 debian sshd[901]: /etc/ssh/sshd_config: terminating, 1 bad configuration options",
				"Nov 17 05:00:01 debian systemd[1]: ssh.service: Main process exited, code=exited, status=255/EXCEPTION",
				"Nov 17 05:00:01 debian systemd[1]: ssh.service: Failed with result 'exit-code'.",
				"[FAILED] Failed to start OpenBSD Secure Shell server.")
		}, code: "gcp.boot_sshd_failed", exit: 1, out: []string{"Bad configuration option"}, fix: []string{"connect-to-serial-port"}},
		{name: "guest agent down", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.BootLog("",
				"Nov 17 05:10:00 debian google_guest_agent[473]: CRITICAL instance_setup.go:142 error registering service: metadata server unreachable",
				"Nov 17 05:10:00 debian systemd[1]: google-guest-agent.service: Main process exited, code=exited, status=1/FAILURE",
				"Nov 17 05:10:00 debian systemd[1]: google-guest-agent.service: Failed with result 'exit-code'.",
				"[FAILED] Failed to start Google Compute Engine Guest Agent.")
		}, code: "gcp.guest_agent_down", exit: 1},
		{name: "sshguard blocks me", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.BootLog("",
				`Nov 17 05:20:00 debian sshguard[777]: Blocking "203.0.113.7/32" for 120 secs (3 attacks in 4 secs, after 1 abuses over 4 secs.)`)
		}, code: "gcp.sshguard_blocking", exit: 1},
		{name: "sshguard blocks someone else", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = gcptest.BootLog("",
				`Nov 17 05:20:00 debian sshguard[777]: Blocking "198.51.100.9/32" for 120 secs (3 attacks in 4 secs, after 1 abuses over 4 secs.)`)
		}, code: "ok", exit: 0, has: []string{"gcp.sshguard_blocking"}},
		{name: "serial output disabled by policy", setup: func(t *testing.T, s *gcptest.Server) {
			s.Fail["instances.getSerialPortOutput"] = gcptest.Failure{Status: 400, Body: `{"error":{"code":400,"message":"Serial port output is disabled for this instance by the organization policy constraint compute.disableSerialPortLogging.","errors":[{"reason":"badRequest","domain":"global"}]}}`}
		}, code: "ok", exit: 0, has: []string{"gcp.serial_unavailable"}},

		// --- network path
		{name: "no external IP", setup: func(t *testing.T, s *gcptest.Server) { s.RemoveExternalIP() },
			code: "gcp.no_external_ip", exit: 1, fix: []string{"--tunnel-through-iap"},
			has: []string{"gcp.firewall_allows", "gcp.route_not_applicable"}},
		{name: "--probe with nothing to probe", setup: func(t *testing.T, s *gcptest.Server) { s.RemoveExternalIP() },
			extra: []string{"--probe"}, code: "gcp.no_external_ip", exit: 1, has: []string{"gcp.probe_skipped"}, hasnt: []string{"tcp.connected"}},
		{name: "implied deny", setup: func(t *testing.T, s *gcptest.Server) { s.RemoveFirewall("default-allow-ssh") },
			code: "gcp.firewall_blocks_ssh", exit: 1, out: []string{"implied-deny-ingress"},
			fix: []string{"gcloud compute instances add-tags " + gcptest.VM + " " + loc + " --tags=allow-ssh\n" +
				"gcloud compute firewall-rules create allow-ssh-from-203-0-113-7 --project=" + gcptest.Project +
				" --network=default --direction=INGRESS --action=ALLOW --rules=tcp:22 --source-ranges=203.0.113.7/32 --target-tags=allow-ssh"}},
		{name: "port range 20-30 allows 22", setup: func(t *testing.T, s *gcptest.Server) {
			s.RemoveFirewall("default-allow-ssh")
			s.AddFirewall(allowRule("allow-range", 1000, anywhere, tcp("20-30")))
		}, code: "ok", exit: 0, out: []string{"firewall-rules/allow-range (priority 1000, allow)"}},
		{name: "protocol all allows 22", setup: func(t *testing.T, s *gcptest.Server) {
			s.RemoveFirewall("default-allow-ssh")
			s.AddFirewall(allowRule("allow-everything", 1000, anywhere, gcptest.JSON{"IPProtocol": "all"}))
		}, code: "ok", exit: 0, out: []string{"firewall-rules/allow-everything"}},
		{name: "protocol number 6 allows 22", setup: func(t *testing.T, s *gcptest.Server) {
			s.RemoveFirewall("default-allow-ssh")
			s.AddFirewall(allowRule("allow-six", 1000, anywhere, gcptest.JSON{"IPProtocol": "6", "ports": []any{"22"}}))
		}, code: "ok", exit: 0, out: []string{"firewall-rules/allow-six"}},
		{name: "deny 900 beats allow 1000", setup: func(t *testing.T, s *gcptest.Server) {
			s.AddFirewall(allowRule("allow-ssh-1000", 1000, anywhere, tcp("22")))
			s.AddFirewall(gcptest.JSON{"name": "deny-ssh-900", "priority": 900, "sourceRanges": anywhere, "denied": []any{tcp("22")}})
		}, code: "gcp.firewall_blocks_ssh", exit: 1, out: []string{"firewall-rules/deny-ssh-900 (priority 900, deny)"},
			fix: []string{"--priority=899"}},
		{name: "deny at priority 0 cannot be outranked", setup: func(t *testing.T, s *gcptest.Server) {
			s.AddFirewall(gcptest.JSON{"name": "deny-all-ssh", "priority": 0, "sourceRanges": anywhere, "denied": []any{tcp("22")}})
		}, code: "gcp.firewall_blocks_ssh", exit: 1, nofix: []string{"firewall-rules create"},
			fix: []string{"gcloud compute firewall-rules describe deny-all-ssh --project=" + gcptest.Project}},
		{name: "recorded deny and allow at 900: deny wins the tie", setup: func(t *testing.T, s *gcptest.Server) {
			s.SetTags("faulty-ssh-instance", "gce-secured-instance-test-deny")
		}, code: "gcp.firewall_blocks_ssh", exit: 1, out: []string{"firewall-rules/gce-secured-instance-test-deny (priority 900, deny)"}},
		{name: "hierarchical policy deny", setup: func(t *testing.T, s *gcptest.Server) {
			s.AddPolicy(hierarchyPolicy("123456789012", policyRule(1000, "deny", anywhere, l4("tcp", "22")),
				policyRule(2147483647, "goto_next", anywhere, l4("all"))))
		}, code: "gcp.firewall_blocks_ssh", exit: 1, out: []string{`firewall-policies/123456789012 \"123456789012-short\" rule 1000 (deny)`},
			fix: []string{"gcloud compute firewall-policies rules create 999 --firewall-policy=123456789012 --action=allow --direction=INGRESS --layer4-configs=tcp:22 --src-ip-ranges=203.0.113.7/32"}},
		{name: "goto_next leaves the VPC rule in charge", setup: func(t *testing.T, s *gcptest.Server) {
			s.AddPolicy(hierarchyPolicy("123456789012", policyRule(1000, "goto_next", anywhere, l4("tcp", "22")),
				policyRule(2000, "deny", anywhere, l4("all"))))
		}, code: "ok", exit: 0, out: []string{"firewall-rules/default-allow-ssh"}},
		{name: "recorded hierarchical policies pass on to VPC", setup: func(t *testing.T, s *gcptest.Server) {
			var fp gcptest.JSON
			if err := json.Unmarshal(gcptest.Fixture("fw-policy-effective-firewalls.json"), &fp); err != nil {
				t.Fatal(err)
			}
			s.Firewalls["firewallPolicys"] = fp["firewallPolicys"]
		}, code: "ok", exit: 0, out: []string{"firewall-rules/default-allow-ssh", "3 firewall policy(ies)"}},
		{name: "disabled allow rule", setup: func(t *testing.T, s *gcptest.Server) {
			s.RemoveFirewall("default-allow-ssh")
			r := allowRule("allow-ssh-office", 1000, anywhere, tcp("22"))
			r["disabled"] = true
			s.AddFirewall(r)
		}, code: "gcp.firewall_blocks_ssh", exit: 1,
			fix: []string{"gcloud compute firewall-rules update allow-ssh-office --project=" + gcptest.Project + " --no-disabled"}},
		{name: "target tag the instance lacks", setup: func(t *testing.T, s *gcptest.Server) {
			s.RemoveFirewall("default-allow-ssh")
			r := allowRule("allow-ssh-tagged", 1000, anywhere, tcp("22"))
			r["targetTags"] = []any{"ssh-ok"}
			s.AddFirewall(r)
		}, code: "gcp.firewall_blocks_ssh", exit: 1,
			fix: []string{"gcloud compute instances add-tags " + gcptest.VM + " " + loc + " --tags=ssh-ok"}},
		{name: "source range excludes me", setup: func(t *testing.T, s *gcptest.Server) {
			s.RemoveFirewall("default-allow-ssh")
			s.AddFirewall(allowRule("allow-ssh-office", 1000, []any{"198.51.100.0/24"}, tcp("22")))
		}, code: "gcp.firewall_blocks_ssh", exit: 1,
			fix: []string{"gcloud compute firewall-rules update allow-ssh-office --project=" + gcptest.Project + " --source-ranges=198.51.100.0/24,203.0.113.7/32"}},
		{name: "port 2222 is not allowed", extra: []string{"--port", "2222"}, code: "gcp.firewall_blocks_ssh", exit: 1,
			fix: []string{"firewall-rules update default-allow-ssh --project=" + gcptest.Project + " --rules=tcp:22,tcp:2222"}},
		{name: "port 2222 allowed", extra: []string{"--port", "2222"}, setup: func(t *testing.T, s *gcptest.Server) {
			s.AddFirewall(allowRule("allow-2222", 1000, anywhere, tcp("2222")))
		}, code: "ok", exit: 0, out: []string{"firewall-rules/allow-2222"}},
		{name: "IAP with a rule for 35.235.240.0/20", args: []string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--iap", "--key", "KEY1"},
			setup: func(t *testing.T, s *gcptest.Server) {
				s.RemoveFirewall("default-allow-ssh")
				s.AddFirewall(allowRule("allow-iap", 1000, []any{"35.235.240.0/20"}, tcp("22")))
				s.RemoveExternalIP()
			}, code: "ok", exit: 0, has: []string{"gcp.path_iap", "gcp.route_not_applicable"}, out: []string{"firewall-rules/allow-iap"}},
		{name: "IAP without a rule", args: []string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--iap", "--key", "KEY1"},
			setup: func(t *testing.T, s *gcptest.Server) { s.RemoveFirewall("default-allow-ssh") },
			code:  "gcp.firewall_blocks_ssh", exit: 1,
			fix: []string{"firewall-rules create allow-ssh-from-iap --project=" + gcptest.Project + " --network=default --direction=INGRESS --action=ALLOW --rules=tcp:22 --source-ranges=35.235.240.0/20"}},
		{name: "IAP with half the range", args: []string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--iap", "--key", "KEY1"},
			setup: func(t *testing.T, s *gcptest.Server) {
				s.RemoveFirewall("default-allow-ssh")
				s.AddFirewall(allowRule("allow-iap-half", 1000, []any{"35.235.240.0/21"}, tcp("22")))
			}, code: "gcp.firewall_blocks_ssh", exit: 1,
			out: []string{"35.235.240.0/21: allow by firewall-rules/allow-iap-half", "35.235.248.0/21: deny by implied-deny-ingress"}},
		{name: "unknown source, rules for some ranges only", extra: []string{"--no-ip-lookup"},
			args: []string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--key", "KEY1"},
			setup: func(t *testing.T, s *gcptest.Server) {
				s.RemoveFirewall("default-allow-ssh")
				s.AddFirewall(allowRule("allow-ssh-office", 1000, []any{"198.51.100.0/24"}, tcp("22")))
			}, code: "inconclusive", exit: 3, has: []string{"gcp.firewall_partial", "gcp.source_ip_unknown"},
			out: []string{"198.51.100.0/24: allow"}},
		{name: "unknown source, nothing allowed", extra: []string{"--no-ip-lookup"},
			args:  []string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--key", "KEY1"},
			setup: func(t *testing.T, s *gcptest.Server) { s.RemoveFirewall("default-allow-ssh") },
			code:  "gcp.firewall_blocks_ssh", exit: 1, fix: []string{`--source-ranges="$(dig +short TXT o-o.myaddr.l.google.com @ns1.google.com`}},
		{name: "FQDN rule cannot be evaluated", setup: func(t *testing.T, s *gcptest.Server) {
			p := hierarchyPolicy("123456789012", gcptest.JSON{"priority": 500, "action": "deny", "direction": "INGRESS",
				"match": gcptest.JSON{"srcFqdns": []any{"scanner.example.net"}, "layer4Configs": []any{l4("tcp", "22")}}})
			s.AddPolicy(p)
		}, code: "inconclusive", exit: 3, has: []string{"gcp.firewall_undetermined"}, out: []string{"srcFqdns"}},
		{name: "network policy after classic: VPC allow decides", setup: func(t *testing.T, s *gcptest.Server) {
			s.AddPolicy(gcptest.JSON{"name": "net-policy", "type": "NETWORK", "rules": []any{policyRule(1000, "deny", anywhere, l4("tcp", "22"))}})
		}, code: "ok", exit: 0, out: []string{"firewall-rules/default-allow-ssh", "AFTER_CLASSIC_FIREWALL"}},
		{name: "network policy before classic: its deny decides", setup: func(t *testing.T, s *gcptest.Server) {
			s.AddPolicy(gcptest.JSON{"name": "net-policy", "type": "NETWORK", "rules": []any{policyRule(1000, "deny", anywhere, l4("tcp", "22"))}})
			s.Network["networkFirewallPolicyEnforcementOrder"] = "BEFORE_CLASSIC_FIREWALL"
		}, code: "gcp.firewall_blocks_ssh", exit: 1, out: []string{"network-firewall-policies/net-policy rule 1000 (deny)"},
			fix: []string{"gcloud compute network-firewall-policies rules create 999 --firewall-policy=net-policy --global-firewall-policy --project=" + gcptest.Project}},
		{name: "enforcement order unknown and it matters", setup: func(t *testing.T, s *gcptest.Server) {
			s.AddPolicy(gcptest.JSON{"name": "net-policy", "type": "NETWORK", "rules": []any{policyRule(1000, "deny", anywhere, l4("tcp", "22"))}})
			s.Fail["networks.get"] = gcptest.Forbidden("compute.networks.get", gcptest.NetworkID)
		}, code: "inconclusive", exit: 3, has: []string{"gcp.firewall_undetermined"}},
		{name: "effective firewalls 403", setup: func(t *testing.T, s *gcptest.Server) {
			s.Fail["instances.getEffectiveFirewalls"] = gcptest.Forbidden("compute.instances.getEffectiveFirewalls", "projects/"+gcptest.Project+"/zones/"+gcptest.Zone+"/instances/"+gcptest.VM)
		}, code: "inconclusive", exit: 3, has: []string{"gcp.api_permission_denied"}},
		{name: "no default route", setup: func(t *testing.T, s *gcptest.Server) { s.Routes = s.Routes[1:] },
			code: "gcp.no_default_route", exit: 1,
			fix: []string{"gcloud compute routes create default-internet-v4 --project=" + gcptest.Project + " --network=default --destination-range=0.0.0.0/0 --next-hop-gateway=default-internet-gateway"}},
		{name: "routes over pages", setup: func(t *testing.T, s *gcptest.Server) {
			s.Routes = append(s.Routes[1:], s.Routes[0]) // the default route on the last page
			s.RoutesPageSize = 1
		}, code: "ok", exit: 0, has: []string{"gcp.route_ok"}},
		{name: "replies routed to an appliance", setup: func(t *testing.T, s *gcptest.Server) {
			s.Routes = append(s.Routes, gcptest.JSON{"kind": "compute#route", "name": "to-firewall-appliance",
				"network": "https://www.googleapis.com/compute/v1/" + gcptest.NetworkID, "destRange": "203.0.113.0/24", "priority": 100,
				"nextHopInstance": "https://www.googleapis.com/compute/v1/projects/" + gcptest.Project + "/zones/" + gcptest.Zone + "/instances/fw-appliance"})
		}, code: "ok", exit: 0, has: []string{"gcp.return_route_elsewhere"}},

		// --- permissions
		{name: "OS Login without either role", setup: func(t *testing.T, s *gcptest.Server) {
			s.Revoke("instance", "compute.instances.osLogin")
			s.Revoke("instance", "compute.instances.osAdminLogin")
		}, code: "gcp.iam_missing", exit: 1, out: []string{"compute.instances.osLogin or compute.instances.osAdminLogin"},
			fix: []string{"gcloud compute instances add-iam-policy-binding " + gcptest.VM + " " + loc + " --member=user:" + gcptest.Account + " --role=roles/compute.osLogin"}},
		{name: "OS Login with osLogin only is enough", setup: func(t *testing.T, s *gcptest.Server) {
			s.Revoke("instance", "compute.instances.osAdminLogin")
		}, code: "ok", exit: 0, hasnt: []string{"gcp.iam_missing"}},
		{name: "OS Login with osAdminLogin only is enough", setup: func(t *testing.T, s *gcptest.Server) {
			s.Revoke("instance", "compute.instances.osLogin")
		}, code: "ok", exit: 0, hasnt: []string{"gcp.iam_missing"}},
		{name: "OS Login without actAs on the VM's service account", setup: func(t *testing.T, s *gcptest.Server) {
			s.Revoke("serviceAccount", "iam.serviceAccounts.actAs")
		}, code: "gcp.iam_missing", exit: 1,
			fix: []string{"gcloud iam service-accounts add-iam-policy-binding 12345601-compute@developer.gserviceaccount.com --project=" + gcptest.Project + " --member=user:" + gcptest.Account + " --role=roles/iam.serviceAccountUser"}},
		{name: "IAP without tunnel permission", args: []string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--iap", "--key", "KEY1"},
			setup: func(t *testing.T, s *gcptest.Server) { s.Revoke("iap", "iap.tunnelInstances.accessViaIAP") },
			code:  "gcp.iam_missing", exit: 1, fix: []string{"--role=roles/iap.tunnelResourceAccessor"}},
		{name: "key missing and no right to add it", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.DeleteProjectMetadata("ssh-keys")
			s.Revoke("instance", "compute.instances.setMetadata")
			s.Revoke("project", "compute.projects.setCommonInstanceMetadata")
		}, extra: []string{"--user", "alice"}, code: "gcp.metadata_key_missing", exit: 1, has: []string{"gcp.iam_missing"}},
		{name: "testIamPermissions refused", setup: func(t *testing.T, s *gcptest.Server) {
			s.Fail["instances.testIamPermissions"] = gcptest.Forbidden("compute.instances.testIamPermissions", "x")
		}, code: "inconclusive", exit: 3, has: []string{"gcp.api_permission_denied"}},

		// --- keys, metadata mode
		{name: "key not in metadata", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.DeleteProjectMetadata("ssh-keys")
		}, extra: []string{"--user", "alice"}, code: "gcp.metadata_key_missing", exit: 1,
			fix: []string{"gcloud compute ssh alice@" + gcptest.VM + " " + loc + " --ssh-key-file="}},
		{name: "key registered for another user", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.SetProjectMetadata("ssh-keys", "bob:"+key1("bob@laptop")+"\n")
		}, extra: []string{"--user", "alice"}, code: "gcp.metadata_key_missing", exit: 1, out: []string{`"registered_for": "bob"`},
			fix: []string{"gcloud compute ssh bob@"}},
		{name: "expired google-ssh key", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.SetProjectMetadata("ssh-keys", `alice:`+key1(`google-ssh {"userName":"alice@example.com","expireOn":"`+past+`"}`)+"\n")
		}, extra: []string{"--user", "alice"}, code: "gcp.metadata_key_expired", exit: 1},
		{name: "google-ssh key not yet expired", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.SetInstanceMetadata("ssh-keys", `alice:`+key1(`google-ssh {"userName":"alice@example.com","expireOn":"`+future+`"}`))
		}, extra: []string{"--user", "alice"}, code: "ok", exit: 0, has: []string{"gcp.key_authorized"}},
		{name: "project keys blocked", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.SetInstanceMetadata("block-project-ssh-keys", "TRUE")
		}, extra: []string{"--user", "alice"}, code: "gcp.project_keys_blocked", exit: 1,
			fix: []string{"gcloud compute instances add-metadata " + gcptest.VM + " " + loc + " --metadata=block-project-ssh-keys=FALSE"}},
		{name: "legacy instance sshKeys blocks project keys", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.SetInstanceMetadata("sshKeys", "carol:"+gcptest.PublicKeyLine(3, "carol"))
		}, extra: []string{"--user", "alice"}, code: "gcp.project_keys_blocked", exit: 1, has: []string{"gcp.legacy_sshkeys"}},
		{name: "malformed metadata line", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.SetProjectMetadata("ssh-keys", "alice:ssh-ed25519 !!not-base64!! alice@laptop\n")
		}, extra: []string{"--user", "alice"}, code: "gcp.metadata_key_malformed", exit: 1},
		{name: "metadata near 256 KB", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			var b strings.Builder
			b.WriteString("alice:" + key1("alice") + "\n")
			for i := 0; b.Len() < 240<<10; i++ {
				fmt.Fprintf(&b, "user%d:%s\n", i, gcptest.PublicKeyLine(byte(i%200+10), fmt.Sprint("user", i)))
			}
			s.SetProjectMetadata("ssh-keys", b.String())
		}, extra: []string{"--user", "alice"}, code: "ok", exit: 0, has: []string{"gcp.metadata_too_large"}},
		{name: "no local key", args: []string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--source-ip", myIP},
			code: "inconclusive", exit: 3, has: []string{"gcp.no_local_key"}},
		{name: "gcloud's key found under HOME", args: []string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--source-ip", myIP},
			env: func(env map[string]string, s *gcptest.Server) {
				if err := os.MkdirAll(filepath.Join(env["HOME"], ".ssh"), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(env["HOME"], ".ssh", "google_compute_engine.pub"), []byte(key1("me")+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}, code: "ok", exit: 0, has: []string{"gcp.key_authorized"}},

		// --- keys, OS Login
		{name: "OS Login ignores the metadata key", setup: func(t *testing.T, s *gcptest.Server) {
			s.LoginProfile["sshPublicKeys"] = gcptest.JSON{}
		}, code: "gcp.oslogin_ignores_metadata_keys", exit: 1,
			fix: []string{"gcloud compute os-login ssh-keys add --key-file=", "--metadata=enable-oslogin=FALSE"}},
		{name: "OS Login key missing", setup: func(t *testing.T, s *gcptest.Server) {
			s.LoginProfile["sshPublicKeys"] = gcptest.JSON{}
			s.DeleteProjectMetadata("ssh-keys")
		}, code: "gcp.oslogin_key_missing", exit: 1},
		{name: "OS Login key expired", setup: func(t *testing.T, s *gcptest.Server) {
			s.LoginProfile["sshPublicKeys"] = gcptest.JSON{}
			s.DeleteProjectMetadata("ssh-keys")
			s.AddOSLoginKey(1, time.Now().Add(-time.Hour).UnixMicro())
		}, code: "gcp.oslogin_key_missing", exit: 1, out: []string{`"expired"`}},
		{name: "instance enable-oslogin FALSE overrides project TRUE", setup: func(t *testing.T, s *gcptest.Server) {
			s.SetProjectMetadata("enable-oslogin", "TRUE")
			s.SetInstanceMetadata("enable-oslogin", "FALSE")
			s.LoginProfile["sshPublicKeys"] = gcptest.JSON{}
		}, extra: []string{"--user", "alice"}, code: "ok", exit: 0, hasnt: []string{"gcp.oslogin_enabled"}},
		{name: "project enable-oslogin TRUE applies when the instance says nothing", setup: func(t *testing.T, s *gcptest.Server) {
			s.DeleteInstanceMetadata("enable-oslogin")
			s.SetProjectMetadata("enable-oslogin", "TRUE")
			s.LoginProfile["sshPublicKeys"] = gcptest.JSON{}
		}, code: "gcp.oslogin_ignores_metadata_keys", exit: 1, out: []string{"project metadata"}},
		{name: "OS Login user name", extra: []string{"--user", "alice"}, code: "gcp.oslogin_user_mismatch", exit: 1,
			fix: []string{"gcloud compute ssh " + gcptest.VM + " " + loc}},
		{name: "OS Login needs the account", env: func(env map[string]string, s *gcptest.Server) { delete(env, "CLOUDSDK_CORE_ACCOUNT") },
			code: "inconclusive", exit: 3, has: []string{"gcp.account_unknown"}},
		{name: "OS Login with security keys", setup: func(t *testing.T, s *gcptest.Server) {
			s.SetInstanceMetadata("enable-oslogin-sk", "TRUE")
		}, code: "ok", exit: 0, has: []string{"gcp.oslogin_security_key_required"}},
		{name: "OS Login profile 404", setup: func(t *testing.T, s *gcptest.Server) { s.LoginProfile = nil },
			code: "inconclusive", exit: 3, has: []string{"gcp.api_error"}},
	}

	runGCPScenarios(t, cases)
}

// runGCPScenarios runs each case against a fresh stand-in, in English and
// in Japanese.
func runGCPScenarios(t *testing.T, cases []gcpCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := gcptest.New(t)
			if c.setup != nil {
				c.setup(t, s)
			}
			env := s.Env()
			if c.env != nil {
				c.env(env, s)
			}
			key := s.WriteKey(1)
			args := c.args
			if args == nil {
				args = []string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--source-ip", myIP, "--key", key}
			}
			var relayURL string
			if c.relay != nil {
				r := s.StartRelay(t, nil)
				r.Set(func(r *gcptest.Relay) { c.relay(t, r) })
				relayURL = r.URL
				env["CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE"] = r.CAFile
			}
			args = append([]string(nil), args...)
			for i := range args {
				switch args[i] {
				case "KEY1":
					args[i] = key
				case "RELAY":
					args[i] = relayURL
				}
			}
			args = append(append([]string(nil), args...), c.extra...)
			for _, lang := range []string{"en", "ja"} {
				r, code, raw := runGCPCase(t, s, env, append(args, "--lang", lang)...)
				if r.Diagnosis.Code != c.code || code != c.exit {
					t.Fatalf("[%s] diagnosis %s exit %d, want %s exit %d\n%s", lang, r.Diagnosis.Code, code, c.code, c.exit, raw)
				}
				if m := leftoverPlaceholder.FindString(raw); m != "" {
					t.Errorf("[%s] unfilled placeholder %s in the output", lang, m)
				}
				codes := r.codes()
				for _, h := range c.has {
					if _, ok := codes[h]; !ok {
						t.Errorf("[%s] finding %s not reported; got %v", lang, h, codes)
					}
				}
				for _, h := range c.hasnt {
					if _, ok := codes[h]; ok {
						t.Errorf("[%s] finding %s reported, should not be", lang, h)
					}
				}
				for _, f := range c.fix {
					if !strings.Contains(r.fixCommands(), f) {
						t.Errorf("[%s] no fix command contains %q; fixes:\n%s", lang, f, r.fixCommands())
					}
				}
				for _, nf := range c.nofix {
					if strings.Contains(r.fixCommands(), nf) {
						t.Errorf("[%s] a fix command holds %q:\n%s", lang, nf, r.fixCommands())
					}
				}
				for _, o := range c.out {
					if !strings.Contains(raw, o) {
						t.Errorf("[%s] output lacks %q\n%s", lang, o, raw)
					}
				}
				if c.code != "ok" && c.code != "inconclusive" && len(r.Diagnosis.Fixes) == 0 {
					t.Errorf("[%s] diagnosis %s has no fix", lang, c.code)
				}
			}
		})
	}
}

func TestGCPReadOnly(t *testing.T) {
	noRealCredentials(t)
	s := gcptest.New(t)
	s.SetInstanceMetadata("enable-oslogin", "FALSE")
	s.DeleteProjectMetadata("ssh-keys") // make every check do its most
	_, _, _ = runGCPCase(t, s, s.Env(), gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone,
		"--source-ip", myIP, "--key", s.WriteKey(1), "--user", "alice")
	for _, r := range s.Requests() {
		if !strings.HasPrefix(r, "GET ") && !strings.Contains(r, "testIamPermissions") {
			t.Errorf("not a read: %s", r)
		}
	}
	if len(s.Requests()) < 6 {
		t.Errorf("only %d requests: %v", len(s.Requests()), s.Requests())
	}
}

func TestGCPTextOutputJapanese(t *testing.T) {
	noRealCredentials(t)
	s := gcptest.New(t)
	s.RemoveFirewall("default-allow-ssh")
	env := s.Env()
	io, out, _ := TestIO(env)
	code := Main([]string{"gcp", gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone,
		"--source-ip", myIP, "--key", s.WriteKey(1), "--lang", "ja"}, io)
	if code != ExitProblem {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{"ファイアウォール", "診断", "gcloud compute firewall-rules create allow-ssh-from-203-0-113-7"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("Japanese output lacks %q:\n%s", want, out)
		}
	}
}

func TestGCPUsageErrors(t *testing.T) {
	noRealCredentials(t)
	s := gcptest.New(t)
	key := s.WriteKey(1)
	base := []string{"gcp", gcptest.VM, "--zone", gcptest.Zone, "--source-ip", myIP}
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: base, want: "no project"},
		{args: append(base, "--project", gcptest.Project, "--port", "0"), want: "--port 0:"},
		{args: append(base, "--project", gcptest.Project, "--port", "70000"), want: "--port 70000:"},
		{args: append(base, "--project", gcptest.Project, "--iap"), want: "cannot be used together"},
		{args: []string{"gcp", "Bad_Name", "--project", gcptest.Project}, want: "not a Compute Engine instance name"},
		{args: []string{"gcp", "a", "b", "--project", gcptest.Project}, want: "expected one instance name"},
		{args: []string{"gcp", gcptest.VM, "--project", "x"}, want: "not a project ID"},
		{args: []string{"gcp", gcptest.VM, "--project", gcptest.Project, "--zone", "nowhere"}, want: "not a zone name"},
		{args: append(base, "--project", gcptest.Project, "--source-ip", "not-an-ip"), want: "not an IP address"},
		{args: append(base, "--project", gcptest.Project, "--key", filepath.Join(s.Dir(), "missing.pub")), want: "--key"},
		{args: append(base[:4], "--project", gcptest.Project, "--iap-tunnel-url-override", "wss://127.0.0.1:1"), want: "needs --iap"},
		{args: append(base[:4], "--project", gcptest.Project, "--browser", "--probe"), want: "--browser cannot be probed"},
		{args: append(base[:4], "--project", gcptest.Project, "--browser", "--source-ip", myIP), want: "--browser and --source-ip"},
		{args: append(base[:4], "--project", gcptest.Project, "--iap", "--iap-tunnel-url-override", "https://127.0.0.1:1"), want: "TLS only"},
		{args: append(base[:4], "--project", gcptest.Project, "--iap", "--iap-tunnel-url-override", "wss://"), want: "wss://HOST"},
		{args: append(base, "--project", gcptest.Project, "--timeout", "-1s"), want: "--timeout"},
		{args: []string{"gcp", "bob@" + gcptest.VM, "--user", "alice", "--project", gcptest.Project}, want: "differs from --user"},
		{args: append(base, "--project", gcptest.Project, "--key", key),
			env: map[string]string{"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": "ftp://example.invalid/"}, want: "not an http(s) URL"},
	}
	for _, c := range cases {
		env := c.env
		if env == nil {
			env = map[string]string{"HOME": s.Dir(), "CLOUDSDK_CONFIG": filepath.Join(s.Dir(), "none")}
		}
		io, out, errOut := TestIO(env)
		code := Main(c.args, io)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", c.args, code, errOut)
		}
		msg := errOut.String()
		if !strings.Contains(msg, c.want) || strings.Count(msg, "\n") != 1 || out.Len() != 0 {
			t.Errorf("%v: stderr %q, want one line with %q (stdout %q)", c.args, msg, c.want, out)
		}
		if len(s.Requests()) != 0 {
			t.Fatalf("a usage error still called the API: %v", s.Requests())
		}
	}
}

func TestGCPFlagsAndDefaults(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gcloud")
	if err := os.MkdirAll(filepath.Join(cfg, "configurations"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "active_config"), []byte("work\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "configurations", "config_work"), []byte(
		"[core]\naccount = bob@example.com\nproject = from-config-file\n\n[compute]\nzone = asia-northeast1-b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var got *GCPOptions
	io, _, _ := TestIO(map[string]string{"CLOUDSDK_CONFIG": cfg})
	cmd := NewCmdGCP(io, &Globals{}, func(o *GCPOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"alice@my-vm", "--port", "2222", "--iap", "--key", "a.pub", "--key", "b.pub", "--no-ip-lookup"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Instance != "alice@my-vm" || got.Port != 2222 || !got.IAP || len(got.Keys) != 2 || !got.NoIPLookup {
		t.Fatalf("options %+v", got)
	}
	got.Keys = nil
	o, err := got.gcpOptions(io)
	if err != nil {
		t.Fatal(err)
	}
	if o.Instance != "my-vm" || o.User != "alice" || o.Project.Value != "from-config-file" ||
		o.Zone.Value != "asia-northeast1-b" || o.Account.Value != "bob@example.com" {
		t.Fatalf("defaults from the active configuration: %+v %+v %+v %q %q", o.Project, o.Zone, o.Account, o.Instance, o.User)
	}
	// environment beats the configuration file, the flag beats both
	io2, _, _ := TestIO(map[string]string{"CLOUDSDK_CONFIG": cfg, "CLOUDSDK_CORE_PROJECT": "from-env-var",
		"CLOUDSDK_COMPUTE_ZONE": "us-east1-c"})
	o2, err := (&GCPOptions{Instance: "vm", Project: "from-flag-x", Port: 22, Timeout: time.Second}).gcpOptions(io2)
	if err != nil {
		t.Fatal(err)
	}
	if o2.Project.Value != "from-flag-x" || o2.Project.Source != "flag" || o2.Zone.Value != "us-east1-c" ||
		o2.Zone.Source != "CLOUDSDK_COMPUTE_ZONE" || o2.Account.Value != "bob@example.com" {
		t.Fatalf("precedence: %+v %+v %+v", o2.Project, o2.Zone, o2.Account)
	}
}

// BenchmarkGCPRun is one whole `sshdoctor gcp --json` against the
// stand-in (11 checks, ~10 API calls over loopback, a 312 KB serial log).
func BenchmarkGCPRun(b *testing.B) {
	lookupPublicIP = func(context.Context) (netip.Addr, error) { return netip.Addr{}, errors.New("no") }
	s := gcptest.New(b)
	env := s.Env()
	key := s.WriteKey(1)
	args := []string{"gcp", "--json", gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--source-ip", myIP, "--key", key}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		io, _, _ := TestIO(env)
		if code := Main(args, io); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
