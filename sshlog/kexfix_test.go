package sshlog

import (
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

func findingOf(t *testing.T, a *Analysis, code string) *diag.Finding {
	t.Helper()
	for _, f := range a.Findings {
		if f.Code == code {
			return f
		}
	}
	t.Fatalf("no %s in %v", code, codes(a))
	return nil
}

func fixCommands(f *diag.Finding) (keys, cmds []string) {
	for _, x := range f.Fixes {
		keys, cmds = append(keys, x.Key), append(cmds, x.Command)
	}
	return keys, cmds
}

// A negotiation failure gives the catalog's fixes, filled with what the
// text showed: the cheapest algorithm of the server's offer with its cost,
// the port ssh used, and HOST where the text showed no name to match.
func TestKexFixes(t *testing.T) {
	cases := []struct {
		text, code string
		wantKey    string
		wantCmds   []string
		notKeys    []string
	}{
		{"Unable to negotiate with 192.0.2.9 port 2222: no matching host key type found. Their offer: ssh-dss,ssh-rsa\n",
			"kex.no_hostkey_alg", "fix.kex_override_ssh_rsa",
			[]string{"ssh -o HostKeyAlgorithms=+ssh-rsa -p 2222 192.0.2.9", "Host HOST\n  HostKeyAlgorithms +ssh-rsa",
				"sudo ssh-keygen -A && sudo sshd -T | grep -i -E '^(hostkey|hostkeyalgorithms) '"},
			[]string{"fix.kex_server_allow", "fix.kex_upgrade_client", "fix.kex_no_override"}},
		{"Unable to negotiate with 192.0.2.9 port 22: no matching MAC found. Their offer: hmac-md5,hmac-sha1-96\n",
			"kex.no_mac", "fix.kex_override_mac_truncated",
			[]string{"ssh -o MACs=+hmac-sha1-96 192.0.2.9", "sudo sshd -T | grep -i -E '^(kexalgorithms|ciphers|macs) '"},
			[]string{"fix.kex_override_mac_md5", "fix.kex_server_new_hostkeys"}},
		{"Unable to negotiate with 192.0.2.9 port 22: no matching cipher found. Their offer: arcfour,blowfish-cbc\n",
			"kex.no_cipher", "fix.kex_no_override", []string{"ssh -Q cipher"},
			[]string{"fix.kex_override_modern", "fix.kex_config_host"}},
		{"sshd[7]: Unable to negotiate with 198.51.100.7 port 50022: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]\n",
			"kex.no_kex_alg", "fix.kex_server_allow_weak", []string{"sudo sshd -T | grep -i '^kexalgorithms'"},
			[]string{"fix.kex_override_kex_dh1024", "fix.kex_upgrade_server", "fix.kex_server_check", "fix.kex_config_host"}},
		{"ssh: handshake failed: ssh: no common algorithm for key exchange; client offered: [curve25519-sha256], server offered: [diffie-hellman-group1-sha1]\n",
			"kex.no_kex_alg", "fix.family_update_client", nil,
			[]string{"fix.kex_override_kex_dh1024", "fix.kex_config_host"}},
	}
	for _, c := range cases {
		f := findingOf(t, explainText(t, c.text), c.code)
		keys, cmds := fixCommands(f)
		joined := strings.Join(keys, " ")
		if !strings.Contains(" "+joined+" ", " "+c.wantKey+" ") {
			t.Errorf("%s: fixes %v lack %s", c.code, keys, c.wantKey)
		}
		for _, n := range c.notKeys {
			if strings.Contains(" "+joined+" ", " "+n+" ") {
				t.Errorf("%s: fixes %v hold %s", c.code, keys, n)
			}
		}
		for _, w := range c.wantCmds {
			found := false
			for _, got := range cmds {
				found = found || got == w
			}
			if !found {
				t.Errorf("%s: no command %q in %q", c.code, w, cmds)
			}
		}
	}
}

// explain names an algorithm's cost as the check does.
func TestKexCostAsTheCheck(t *testing.T) {
	slots := map[string]sshwire.Slot{"kex.no_kex_alg": sshwire.SlotKex, "kex.no_hostkey_alg": sshwire.SlotHostKey,
		"kex.no_cipher": sshwire.SlotCipher, "kex.no_mac": sshwire.SlotMAC}
	algs := []string{"curve25519-sha256", "diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1",
		"diffie-hellman-group-exchange-sha1", "diffie-hellman-group14-sha256", "ssh-rsa", "ssh-dss",
		"ssh-rsa-cert-v01@openssh.com", "ssh-dss-cert-v01@openssh.com", "rsa-sha2-256", "ssh-ed25519",
		"3des-cbc", "aes128-cbc", "aes256-cbc", "arcfour", "arcfour256", "blowfish-cbc", "cast128-cbc",
		"rijndael-cbc@lysator.liu.se", "aes128-ctr", "chacha20-poly1305@openssh.com", "hmac-md5", "hmac-md5-96",
		"hmac-md5-etm@openssh.com", "hmac-sha1", "hmac-sha1-96", "hmac-sha1-etm@openssh.com",
		"hmac-ripemd160", "hmac-ripemd160@openssh.com", "hmac-sha2-256", "umac-64@openssh.com"}
	for code, slot := range slots {
		for _, a := range algs {
			if got, want := kexCost(code, a), string(sshwire.Weak(slot, a)); got != want {
				t.Errorf("%s %s: explain's cost %q, the check's %q", code, a, got, want)
			}
		}
		for i := range algs {
			offer := algs[i:]
			got, _ := kexOverride(code, offer)
			if want := sshwire.BestOverride(slot, offer, nil); got != want {
				t.Errorf("%s %v: explain re-enables %q, the check %q", code, offer, got, want)
			}
		}
	}
}
