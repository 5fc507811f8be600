package sshlog

import (
	"strings"
	"testing"
)

// An AppArmor denial of sshd-session reading authorized_keys, as pasted
// from the kernel log (roddhjav/apparmor.d pull 629): the key file is
// named, and the login fails for it alone.
func TestAppArmorDeniesAuthorizedKeys(t *testing.T) {
	text := "```\n" +
		`apparmor="DENIED" operation="open" class="file" profile="sshd" name="/home/remote/.ssh/authorized_keys"  comm="sshd-session" requested_mask="r" denied_mask="r" fsuid=1005 ouid=0 FSUID="remote" OUID="root"` + "\n" +
		`apparmor="DENIED" operation="exec" class="file" profile="sshd" name="/usr/bin/userdbctl"  comm="sshd-session" requested_mask="x" denied_mask="x" fsuid=0 ouid=0 FSUID="root" OUID="root"` + "\n```\n"
	a := explainText(t, text)
	f := a.Findings[0]
	if f.Code != "server.lsm_denied" || f.Args["lsm"] != "AppArmor" || f.Args["path"] != "/home/remote/.ssh/authorized_keys" {
		t.Fatalf("got %s %v", f.Code, f.Args)
	}
	if len(f.Fixes) == 0 || !strings.Contains(f.Fixes[0].Command, "/etc/apparmor.d/") {
		t.Fatalf("fixes %+v", f.Fixes)
	}
	// The exec denial comes first in another order; the key file still wins.
	lines := strings.Split(text, "\n")
	lines[1], lines[2] = lines[2], lines[1]
	b := explainText(t, strings.Join(lines, "\n"))
	if g := b.Findings[0]; g.Code != "server.lsm_denied" || g.Args["path"] != "/home/remote/.ssh/authorized_keys" {
		t.Fatalf("reordered: %s %v", g.Code, g.Args)
	}
}

// SELinux denials that were not enforced (permissive=1: the access went
// through) are not a cause. The lines are real (SELinuxProject/refpolicy
// pull 422); the enforced variant changes only permissive=1 to =0 and the
// file to a key file, to prove the rule reads both.
func TestSELinuxDenialsOnlyWhenEnforced(t *testing.T) {
	permissive := `type=AVC msg=audit(1634644085.903:245): avc:  denied  { read } for pid=1825 comm="sshd" name="fips_enabled" dev="proc" ino=1387 scontext=system_u:system_r:sshd_t:s0-s0:c0.c1023 tcontext=system_u:object_r:sysctl_crypto_t:s0 tclass=file permissive=1` + "\n"
	a := explainText(t, permissive)
	for _, f := range a.Findings {
		if f.Code == "server.lsm_denied" {
			t.Fatalf("permissive denial reported: %v", f.Args)
		}
	}
	enforced := strings.NewReplacer("permissive=1", "permissive=0", `name="fips_enabled"`, `path="/root/.ssh/authorized_keys"`,
		"sysctl_crypto_t", "admin_home_t").Replace(permissive)
	b := explainText(t, enforced)
	f := b.Findings[0]
	if f.Code != "server.lsm_denied" || f.Args["lsm"] != "SELinux" || f.EvidenceValue("label") != "admin_home_t" {
		t.Fatalf("enforced: %s %v", f.Code, f.Args)
	}
	if len(f.Fixes) == 0 || f.Fixes[0].Command != "sudo restorecon -Rv /root/.ssh" {
		t.Fatalf("enforced fixes: %+v", f.Fixes)
	}
}

// A host key that cannot be loaded is not a stopped sshd when the same
// log shows sshd handling a login after it (kimown/kimown.github.io
// issue 58: older sshd re-reads its host keys in each connection's
// process).
func TestHostKeyErrorThenLoginMeansRunning(t *testing.T) {
	text := "```\n" +
		"Feb  6 02:32:45 k*****o sshd[1615]: error: Could not load host key: /etc/ssh/ssh_host_ed25519_key\n" +
		"Feb  6 02:32:46 k*****o sshd[1615]: Authentication refused: bad ownership or modes for file /home/k*****o/.ssh/authorized_keys\n" +
		"Feb  6 02:32:46 k*****o sshd[1615]: Connection closed by 122.*.*.* [preauth]\n```\n"
	a := explainText(t, text)
	var strict bool
	for _, f := range a.Findings {
		if f.Code == "server.sshd_not_running" {
			t.Fatalf("sshd called stopped although it handled a login")
		}
		strict = strict || f.Code == "server.strictmodes"
	}
	if !strict {
		t.Fatalf("no strictmodes finding")
	}
	// Alone, the same error still says sshd could not start.
	b := explainText(t, "Feb  6 02:32:45 h sshd[1615]: error: Could not load host key: /etc/ssh/ssh_host_ed25519_key\n")
	if b.Findings[0].Code != "server.hostkey_load" {
		t.Fatalf("alone: %s", b.Findings[0].Code)
	}
}

// A bind failure whose reason was cut off (systemctl's ellipsis, a paste
// wrapped after "failed:") still names the port.
func TestBindFailedPortWithoutReason(t *testing.T) {
	for _, c := range []struct{ text, port string }{
		{"Mar 07 04:46:16 DietPi sshd[17819]: error: Bind to port 22 on 0.0.0.0 faile…use.\nMar 07 04:46:16 DietPi sshd[17819]: fatal: Cannot bind any address.\n", "22"},
		{"> Bind to port 8022 on 0.0.0.0 failed:\n> Address already in use.\n> Cannot bind any address.\n", "8022"},
	} {
		a := explainText(t, c.text)
		if f := a.Findings[0]; f.Code != "server.bind_failed" || f.Args["port"] != c.port {
			t.Errorf("%q: %s %v", c.text, f.Code, f.Args)
		}
	}
}

// Connections that close before the SSH identification are a monitor's
// or scanner's, not a failed login (Termix-SSH/Support issue 412: a
// server-stats monitor every 30 seconds); beside a real failure they are
// not the answer (crowdsecurity/crowdsec issue 2175).
func TestClosedBeforeIdentification(t *testing.T) {
	probe := "When server stats monitor is on I get those errors:\n\n" +
		"2026-01-13T09:57:13.043202+01:00 mail sshd[1391397]: error: kex_exchange_identification: Connection closed by remote host\n" +
		"2026-01-13T09:57:13.043649+01:00 mail sshd[1391397]: Connection closed by MY_IP_HOME port 41180\n" +
		"2026-01-13T09:57:43.044688+01:00 mail sshd[1391406]: error: kex_exchange_identification: Connection closed by remote host\n" +
		"2026-01-13T09:57:43.044929+01:00 mail sshd[1391406]: Connection closed by MY_IP_HOME port 41374\n" +
		"Destroyed the container. Deleted the files on volume. Redeploy and restore servers. Still see the errors.\n"
	a := explainText(t, probe)
	f := a.Findings[0]
	if f.Code != "server.no_identification" || f.Args["count"] != "2" || f.EvidenceValue("client") != "MY_IP_HOME" {
		t.Fatalf("probe: %s %v %q", f.Code, f.Args, f.EvidenceValue("client"))
	}
	withKex := "Apr 17 15:42:56 Minimal sshd[1209]: error: kex_exchange_identification: Connection closed by remote host\n" +
		"Apr 17 15:42:56 Minimal sshd[1209]: Connection closed by 157.230.93.26 port 40466\n" +
		"Apr 17 15:43:22 Minimal sshd[1210]: Unable to negotiate with 157.230.93.26 port 38086: no matching key exchange method found. Their offer: diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1 [preauth]\n"
	b := explainText(t, withKex)
	for _, g := range b.Findings {
		if g.Code == "server.no_identification" {
			t.Fatalf("probe lines reported beside a real failure: %s", b.Findings[0].Code)
		}
	}
	if b.Findings[0].Code != "kex.no_kex_alg" {
		t.Fatalf("with a failure: %s", b.Findings[0].Code)
	}
}
