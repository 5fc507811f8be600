package cli

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/gcp"
	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

// sshdBanner is a listener that answers as OpenSSH does first (the
// identification line, RFC 4253 §4.2), for the relay stand-in to reach;
// the lab tests reach a real sshd instead.
func sshdBanner(t *testing.T, banner string) func(ctx context.Context, port int) (net.Conn, error) {
	return lineServer(t, banner, false)
}

// lineServer writes a line to each connection, then closes it (hangup) or
// waits for the client.
func lineServer(t *testing.T, banner string, hangup bool) func(ctx context.Context, port int) (net.Conn, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte(banner))
			if hangup {
				c.Close()
				continue
			}
			go func() { b := make([]byte, 64); _, _ = c.Read(b); c.Close() }()
		}
	}()
	return func(ctx context.Context, port int) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", ln.Addr().String())
	}
}

func iapArgs(extra ...string) []string {
	return append([]string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--key", "KEY1",
		"--iap", "--probe", "--iap-tunnel-url-override", "RELAY"}, extra...)
}

func allowIAPRule() gcptest.JSON {
	return allowRule("allow-ssh-from-iap", 1000, []any{"35.235.240.0/20"}, tcp("22"))
}

func TestGCPIAPProbeScenarios(t *testing.T) {
	noRealCredentials(t)
	withIAPRule := func(t *testing.T, s *gcptest.Server) { s.AddFirewall(allowIAPRule()) }
	cases := []gcpCase{
		{name: "IAP tunnel reaches sshd", setup: withIAPRule, args: iapArgs(),
			relay: func(t *testing.T, r *gcptest.Relay) {
				r.Backend = sshdBanner(t, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n")
			},
			code: "ok", exit: 0, has: []string{"gcp.iap_tunnel_ok"}, out: []string{"SSH-2.0-OpenSSH_9.6p1"}},
		{name: "IAP 4003 with the firewall open: inside the guest", setup: withIAPRule, args: iapArgs(),
			relay: func(t *testing.T, r *gcptest.Relay) {},
			code:  "gcp.iap_backend_unreachable", exit: 1, fix: []string{"connect-to-serial-port"},
			out: []string{`"close_code": "4003"`, "the firewall allows it"}},
		{name: "IAP 4003 and no rule for IAP", args: iapArgs(),
			setup: func(t *testing.T, s *gcptest.Server) { s.RemoveFirewall("default-allow-ssh") },
			relay: func(t *testing.T, r *gcptest.Relay) {},
			code:  "gcp.firewall_blocks_ssh", exit: 1, has: []string{"gcp.iap_backend_unreachable"}},
		{name: "IAP 4033 not authorized", setup: func(t *testing.T, s *gcptest.Server) {
			withIAPRule(t, s)
			s.Granted["iap"]["iap.tunnelInstances.accessViaIAP"] = false
		}, args: iapArgs(), relay: func(t *testing.T, r *gcptest.Relay) { r.Backend = sshdBanner(t, "SSH-2.0-OpenSSH_9.6\r\n") },
			code: "gcp.iam_missing", exit: 1, has: []string{"gcp.iap_not_authorized"},
			fix: []string{"roles/iap.tunnelResourceAccessor"}},
		{name: "IAP 4047 lookup failed", setup: withIAPRule, args: iapArgs(),
			relay: func(t *testing.T, r *gcptest.Relay) { r.Close, r.CloseReason = 4047, "Failed to lookup instance" },
			code:  "gcp.iap_lookup_failed", exit: 1, fix: []string{"gcloud compute instances list"}},
		{name: "IAP 4004 reauthentication", setup: withIAPRule, args: iapArgs(),
			relay: func(t *testing.T, r *gcptest.Relay) { r.Close, r.CloseReason = 4004, "reauthentication required" },
			code:  "gcp.iap_reauth", exit: 1, fix: []string{"gcloud auth login"}},
		{name: "IAP unknown close code", setup: withIAPRule, args: iapArgs(),
			relay: func(t *testing.T, r *gcptest.Relay) { r.Close, r.CloseReason = 4070, "connection limit" },
			code:  "gcp.iap_closed", exit: 1, out: []string{"4070", "connection limit"}, fix: []string{"--verbosity=debug"}},
		{name: "IAP handshake 403", setup: withIAPRule, args: iapArgs(),
			relay: func(t *testing.T, r *gcptest.Relay) { r.HTTPStatus = 403 },
			code:  "gcp.iap_handshake_refused", exit: 1, fix: []string{"roles/iap.tunnelResourceAccessor"}},
		{name: "IAP relay with an untrusted certificate", setup: withIAPRule, args: iapArgs(),
			env:   func(env map[string]string, s *gcptest.Server) {},
			relay: func(t *testing.T, r *gcptest.Relay) { r.CAFile = "" },
			code:  "gcp.iap_relay_tls", exit: 1, fix: []string{"custom_ca_certs_file"}},
		{name: "IAP banner missing", setup: withIAPRule, args: iapArgs(),
			relay: func(t *testing.T, r *gcptest.Relay) {
				r.Backend = lineServer(t, "220 mail.example.com ESMTP\r\n", true)
			},
			code: "gcp.iap_no_banner", exit: 1, out: []string{"220 mail.example.com"}, fix: []string{"connect-to-serial-port"}},
	}
	runGCPScenarios(t, cases)
}

// The boot patterns of gcloud's vm_boot_troubleshooter, each its own cause.
func TestGCPBootLoaderScenarios(t *testing.T) {
	noRealCredentials(t)
	uefi := "BdsDxe: loading Boot0001 \"UEFI Google PersistentDisk \" from PciRoot(0x0)/Pci(0x3,0x0)/Scsi(0x1,0x0)\r\n"
	cases := []gcpCase{
		{name: "Secure Boot violation", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = uefi + "BdsDxe: failed to load Boot0001 \"UEFI Google PersistentDisk \" from PciRoot(0x0)/Pci(0x3,0x0)/Scsi(0x1,0x0): Security Violation\r\n"
		}, code: "gcp.boot_secure_boot_violation", exit: 1, fix: []string{"--no-shielded-secure-boot"}, out: []string{"Security Violation"}},
		{name: "shim cannot load GRUB", setup: func(t *testing.T, s *gcptest.Server) {
			s.Serial[gcptest.VM] = uefi + "Failed to load image \\EFI\\debian\\grubx64.efi: Not Found\r\nstart_image() returned Not Found\r\n"
		}, code: "gcp.boot_image_missing", exit: 1, fix: []string{"attach-disk RESCUE_VM"}, out: []string{"grubx64.efi"}},
	}
	runGCPScenarios(t, cases)
}

// Cloud Monitoring: the series are written in the API's shape, with the
// clock of the run.
func TestGCPMonitoringScenarios(t *testing.T) {
	noRealCredentials(t)
	now := time.Now()
	flat := func(v float64, n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	cases := []gcpCase{
		{name: "CPU at 100 percent", setup: func(t *testing.T, s *gcptest.Server) {
			s.SetMetric(gcp.MetricCPU, s.Series(gcp.MetricCPU, nil, now, false, append(flat(0.3, 20), flat(0.998, 10)...)...))
		}, code: "gcp.cpu_saturated", exit: 1, fix: []string{"set-machine-type"}, out: []string{"99.8"}},
		{name: "CPU busy but below the threshold", setup: func(t *testing.T, s *gcptest.Server) {
			s.SetMetric(gcp.MetricCPU, s.Series(gcp.MetricCPU, nil, now, false, flat(0.97, 30)...))
		}, code: "ok", exit: 0, has: []string{"gcp.monitoring_read"}, hasnt: []string{"gcp.cpu_saturated"}, out: []string{"97% mean"}},
		{name: "reboot loop", setup: func(t *testing.T, s *gcptest.Server) {
			s.SetMetric(gcp.MetricUptime, s.Series(gcp.MetricUptime, nil, now, true,
				300, 360, 420, 30, 90, 150, 210, 20, 80, 140)) // two resets
		}, code: "gcp.reboot_loop", exit: 1, fix: []string{"get-serial-port-output"}},
		{name: "Ops Agent: memory full", setup: func(t *testing.T, s *gcptest.Server) {
			s.SetMetric(gcp.MetricMemory, s.Series(gcp.MetricMemory, map[string]string{"state": "used"}, now, false, 80, 90, 97.5))
		}, code: "ok", exit: 0, has: []string{"gcp.memory_exhausted"}},
		{name: "Ops Agent: disk full", setup: func(t *testing.T, s *gcptest.Server) {
			s.SetMetric(gcp.MetricDisk, s.Series(gcp.MetricDisk, map[string]string{"state": "used", "device": "sda1"}, now, false, 99.2, 99.9))
		}, code: "gcp.disk_full_metric", exit: 1, fix: []string{"gcloud compute disks resize"}, out: []string{"sda1"}},
		{name: "Monitoring API disabled", setup: func(t *testing.T, s *gcptest.Server) {
			s.Fail["timeSeries.list"] = gcptest.Disabled("monitoring.googleapis.com")
		}, code: "ok", exit: 0, has: []string{"gcp.monitoring_unavailable"}},
	}
	runGCPScenarios(t, cases)
}

// iam.serviceAccounts.actAs is asked for only when gcloud must write the
// metadata of a VM that runs as a service account.
func TestGCPPermissionScenarios(t *testing.T) {
	noRealCredentials(t)
	cases := []gcpCase{
		{name: "key in place: actAs and instances.use not needed", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.Revoke("serviceAccount", "iam.serviceAccounts.actAs")
			s.Revoke("instance", "compute.instances.use")
		}, extra: []string{"--user", "alice"}, code: "ok", exit: 0, has: []string{"gcp.iam_ok"}, hasnt: []string{"gcp.iam_missing"},
			out: []string{"compute.instances.use and iam.serviceAccounts.actAs"}},
		{name: "instance keys only, key missing, no actAs", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.SetInstanceMetadata("block-project-ssh-keys", "TRUE")
			s.Revoke("serviceAccount", "iam.serviceAccounts.actAs")
		}, extra: []string{"--user", "alice"}, code: "gcp.project_keys_blocked", exit: 1, has: []string{"gcp.iam_missing"},
			out: []string{"changing the metadata of a VM that runs as a service account", "gcloud iam service-accounts add-iam-policy-binding"}},
	}
	runGCPScenarios(t, cases)
}

// The guest agent: the serial log and guest attributes.
func TestGCPGuestAgentScenarios(t *testing.T) {
	noRealCredentials(t)
	noAgent := func(t *testing.T, s *gcptest.Server) {
		metadataMode(s)
		var kept []string
		for _, l := range strings.Split(gcptest.SerialContents("serial-valid-linux-ssh.json"), "\n") {
			low := strings.ToLower(l)
			if !strings.Contains(low, "guest_agent") && !strings.Contains(low, "guest agent") && !strings.Contains(low, "gce agent") {
				kept = append(kept, l)
			}
		}
		s.Serial[gcptest.VM] = strings.Join(kept, "\n")
	}
	cases := []gcpCase{
		{name: "agent version and host keys", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.SetInstanceMetadata("enable-guest-attributes", "TRUE")
			s.GuestAttributes = gcptest.AgentHostKeys()
			s.GuestAttributes["guestInventory/LongName"] = "Debian GNU/Linux 12 (bookworm)"
			s.GuestAttributes["guestInventory/KernelVersion"] = "6.1.0-13-cloud-amd64"
		}, extra: []string{"--user", "alice"}, code: "ok", exit: 0, has: []string{"gcp.guest_agent_seen"},
			hasnt: []string{"gcp.guest_agent_silent"},
			out:   []string{"20231115.00", "ecdsa-sha2-nistp256, ssh-ed25519", "Debian GNU/Linux 12 (bookworm)"}},
		{name: "no trace of the agent", setup: noAgent, extra: []string{"--user", "alice"}, code: "ok", exit: 0,
			has: []string{"gcp.guest_agent_silent"}, out: []string{"enable-guest-attributes=TRUE"}},
		{name: "no trace of the agent, OS Login does not need it for keys", setup: func(t *testing.T, s *gcptest.Server) {
			noAgent(t, s)
			s.SetInstanceMetadata("enable-oslogin", "TRUE")
		}, code: "ok", exit: 0, hasnt: []string{"gcp.guest_agent_silent"}},
		{name: "legacy guest environment", setup: func(t *testing.T, s *gcptest.Server) {
			noAgent(t, s)
			s.Serial[gcptest.VM] += "\r\nJun  1 10:00:00 old-image google_accounts_daemon[611]: Creating a new user account for alice.\r\n"
		}, extra: []string{"--user", "alice"}, code: "ok", exit: 0, has: []string{"gcp.guest_agent_legacy"}},
	}
	runGCPScenarios(t, cases)
}

// Organisation policy over metadata.
func TestGCPOrgPolicyScenarios(t *testing.T) {
	noRealCredentials(t)
	enforce := gcptest.JSON{"rules": []any{gcptest.JSON{"enforce": true}}}
	cases := []gcpCase{
		{name: "requireOsLogin overrides enable-oslogin=FALSE", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.OrgPolicies = map[string]gcptest.JSON{"compute.requireOsLogin": enforce}
		}, extra: []string{"--user", "alice"}, code: "gcp.orgpolicy_requires_oslogin", exit: 1,
			fix: []string{"gcloud compute os-login ssh-keys add"}},
		{name: "requireOsLogin agrees with metadata", setup: func(t *testing.T, s *gcptest.Server) {
			s.OrgPolicies = map[string]gcptest.JSON{"compute.requireOsLogin": enforce}
		}, code: "ok", exit: 0, has: []string{"gcp.orgpolicy_read"}, hasnt: []string{"gcp.orgpolicy_requires_oslogin"}},
		{name: "serial console forbidden", setup: func(t *testing.T, s *gcptest.Server) {
			s.OrgPolicies = map[string]gcptest.JSON{"compute.disableSerialPortAccess": enforce}
		}, code: "ok", exit: 0, has: []string{"gcp.orgpolicy_no_serial_console"}, out: []string{"attach-disk RESCUE_VM"}},
		{name: "no external IP and the organisation forbids one", setup: func(t *testing.T, s *gcptest.Server) {
			s.RemoveExternalIP()
			s.OrgPolicies = map[string]gcptest.JSON{"compute.vmExternalIpAccess": {"rules": []any{gcptest.JSON{"denyAll": true}}}}
		}, code: "gcp.no_external_ip", exit: 1, has: []string{"gcp.orgpolicy_no_external_ip"}},
		{name: "Org Policy API disabled", setup: func(t *testing.T, s *gcptest.Server) {
			s.Fail["policies.getEffectivePolicy"] = gcptest.Disabled("orgpolicy.googleapis.com")
		}, code: "ok", exit: 0, has: []string{"gcp.orgpolicy_unavailable"}},
	}
	runGCPScenarios(t, cases)
}

// OS Login 2FA and security keys: what the user will be asked for.
func TestGCPOSLogin2FAScenarios(t *testing.T) {
	noRealCredentials(t)
	cases := []gcpCase{
		{name: "OS Login 2FA", setup: func(t *testing.T, s *gcptest.Server) {
			s.SetProjectMetadata("enable-oslogin-2fa", "TRUE")
		}, code: "ok", exit: 0, has: []string{"gcp.oslogin_2fa"}, out: []string{"BatchMode", "TRUE (project metadata)"}},
	}
	runGCPScenarios(t, cases)
}

// Windows VMs get PowerShell through SAC, never Linux commands.
func TestGCPWindowsScenarios(t *testing.T) {
	noRealCredentials(t)
	win := func(t *testing.T, s *gcptest.Server) {
		w := s.InstanceDoc("faulty-windows-ssh")
		w["status"] = "RUNNING"
		s.Serial["faulty-windows-ssh"] = gcptest.SerialContents("serial-valid-windows-ssh.json")
		s.SetProjectMetadata("enable-windows-ssh", "TRUE")
		s.AddFirewall(allowIAPRule())
		s.RemoveFirewall("gce-secured-instance-test-deny") // the recorded project denies ssh to this VM
	}
	linux := []string{"systemctl", "iptables", "sudo", "chmod", "authorized_keys"}
	cases := []gcpCase{
		{name: "Windows through IAP, nothing listens", setup: win,
			args:  []string{"faulty-windows-ssh", "--project", gcptest.Project, "--zone", gcptest.Zone, "--iap", "--probe", "--iap-tunnel-url-override", "RELAY"},
			relay: func(t *testing.T, r *gcptest.Relay) {},
			code:  "gcp.iap_backend_unreachable", exit: 1, fix: []string{"--port=2"}, nofix: linux},
		{name: "Windows through IAP, something else answers", setup: win,
			args:  []string{"faulty-windows-ssh", "--project", gcptest.Project, "--zone", gcptest.Zone, "--iap", "--probe", "--iap-tunnel-url-override", "RELAY"},
			relay: func(t *testing.T, r *gcptest.Relay) { r.Backend = lineServer(t, "RDP?\r\n", true) },
			code:  "gcp.iap_no_banner", exit: 1, fix: []string{"--port=2"}, nofix: linux},
	}
	runGCPScenarios(t, cases)
}

// --browser: the path and permissions SSH-in-browser uses.
func TestGCPBrowserScenarios(t *testing.T) {
	noRealCredentials(t)
	browser := []string{gcptest.VM, "--project", gcptest.Project, "--zone", gcptest.Zone, "--browser"}
	cases := []gcpCase{
		{name: "browser, healthy", setup: func(t *testing.T, s *gcptest.Server) { s.AddFirewall(allowIAPRule()) },
			args: browser, code: "ok", exit: 0, has: []string{"gcp.browser_ssh"}, hasnt: []string{"gcp.metadata_key_missing"},
			out: []string{"Unauthorized Error 401"}},
		{name: "browser, IAP's range blocked: Could not connect", setup: func(t *testing.T, s *gcptest.Server) {
			s.RemoveFirewall("default-allow-ssh")
		}, args: browser, code: "gcp.firewall_blocks_ssh", exit: 1, out: []string{"35.235.240.0/20"}},
		{name: "browser with metadata keys, cannot add its key", setup: func(t *testing.T, s *gcptest.Server) {
			metadataMode(s)
			s.Revoke("instance", "compute.instances.setMetadata")
			s.Revoke("project", "compute.projects.setCommonInstanceMetadata")
		}, args: browser, code: "gcp.iam_missing", exit: 1, has: []string{"gcp.browser_ssh"}},
	}
	runGCPScenarios(t, cases)
}
