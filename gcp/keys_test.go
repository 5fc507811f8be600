package gcp

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestParsePublicKey(t *testing.T) {
	line := gcptest.PublicKeyLine(1, "alice@laptop")
	k, err := ParsePublicKey(line)
	if err != nil || k.Type != "ssh-ed25519" || k.Comment != "alice@laptop" || !strings.HasPrefix(k.Fingerprint(), "SHA256:") {
		t.Fatalf("%+v %v", k, err)
	}
	// options before the key, with a quoted space
	k2, err := ParsePublicKey(`from="10.0.0.1,10.0.0.2",command="echo hi there" ` + line)
	if err != nil || !k2.Same(k) {
		t.Fatalf("with options: %+v %v", k2, err)
	}
	for _, bad := range []string{"", "ssh-ed25519", "ssh-ed25519 !!!", "ssh-rsa " + strings.Fields(line)[1], "nonsense AAAA"} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseSSHKeys(t *testing.T) {
	k1, k2 := gcptest.PublicKeyLine(1, "a"), gcptest.PublicKeyLine(2, "")
	value := strings.Join([]string{
		"  alice:" + k1 + "  ",
		"",
		"bob:" + k2,
		"nouser " + k2,
		":" + k2,
		"carol:",
		"dave smith:" + k2,
		`erin:` + strings.TrimSuffix(gcptest.PublicKeyLine(3, ""), " ") + ` google-ssh {"userName":"erin@example.com","expireOn":"2026-05-01T00:00:00+0000"}`,
		`frank:` + gcptest.PublicKeyLine(4, "") + ` google-ssh {"userName":"frank@example.com","expireOn":"2026-07-01T00:00:00Z"}`,
		`gina:` + gcptest.PublicKeyLine(5, "") + ` google-ssh`,
		`hal:` + gcptest.PublicKeyLine(6, "") + ` google-ssh {"expireOn":"tomorrow"}`,
	}, "\n")
	got := ParseSSHKeys(value, "instance ssh-keys", now)
	type want struct {
		user    string
		valid   bool
		expired bool
	}
	wants := []want{{"alice", true, false}, {"bob", true, false}, {"", false, false}, {"", false, false},
		{"carol", false, false}, {"dave smith", false, false}, {"erin", false, true}, {"frank", true, false},
		{"gina", false, false}, {"hal", false, false}}
	if len(got) != len(wants) {
		t.Fatalf("%d entries: %+v", len(got), got)
	}
	for i, w := range wants {
		g := got[i]
		if g.User != w.user || g.Valid() != w.valid || g.Expired != w.expired {
			t.Errorf("line %d %q: user %q valid %v expired %v err %v; want %+v", g.Line, g.Raw, g.User, g.Valid(), g.Expired, g.Err, w)
		}
	}
	if got[0].Line != 1 || got[1].Line != 3 {
		t.Errorf("line numbers %d %d", got[0].Line, got[1].Line)
	}
}

func md(kv ...string) Metadata {
	var m Metadata
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		m.Items = append(m.Items, MetadataItem{Key: kv[i], Value: &v})
	}
	return m
}

func TestAnalyzeMetadataPrecedence(t *testing.T) {
	cases := []struct {
		inst, proj Metadata
		oslogin    bool
		from       string
	}{
		{md(), md(), false, ""},
		{md(), md("enable-oslogin", "TRUE"), true, "project"},
		{md("enable-oslogin", "false"), md("enable-oslogin", "TRUE"), false, "instance"},
		{md("enable-oslogin", "1"), md("enable-oslogin", "FALSE"), true, "instance"},
		{md("enable-oslogin", "maybe"), md("enable-oslogin", "true"), true, "project"}, // unparsable = unset
	}
	for i, c := range cases {
		proj := c.proj
		kc := AnalyzeMetadata(c.inst, &proj, now)
		if kc.OSLogin != c.oslogin || kc.OSLoginFrom != c.from {
			t.Errorf("case %d: oslogin %v from %q", i, kc.OSLogin, kc.OSLoginFrom)
		}
	}
}

func TestKeyMatch(t *testing.T) {
	k1 := gcptest.PublicKeyLine(1, "me")
	local, _ := ParsePublicKey(k1)
	proj := md("ssh-keys", "alice:"+k1+"\nbob:"+k1)
	kc := AnalyzeMetadata(md(), &proj, now)
	if km := kc.Match("alice", []PublicKey{local}); len(km.Usable) != 1 || km.Usable[0].Source != "project ssh-keys" {
		t.Fatalf("project key: %+v", km)
	}
	// blocked at the instance
	kc = AnalyzeMetadata(md("block-project-ssh-keys", "TRUE"), &proj, now)
	if km := kc.Match("alice", []PublicKey{local}); len(km.Usable) != 0 || len(km.Blocked) != 1 {
		t.Fatalf("blocked: %+v", km)
	}
	// legacy instance sshKeys blocks project keys too, and its keys count
	kc = AnalyzeMetadata(md("sshKeys", "carol:"+k1), &proj, now)
	if !kc.BlockProjectKeys || kc.BlockFrom != "sshKeys" || !kc.LegacyInstance {
		t.Fatalf("legacy: %+v", kc)
	}
	if km := kc.Match("carol", []PublicKey{local}); len(km.Usable) != 1 {
		t.Fatalf("legacy instance key not usable: %+v", km)
	}
	// another user's key
	kc = AnalyzeMetadata(md(), &proj, now)
	if km := kc.Match("zed", []PublicKey{local}); len(km.OtherUsers) != 2 {
		t.Fatalf("other users: %+v", km)
	}
	// size near the limit
	big := strings.Repeat("x", MetadataValueLimit-10)
	proj2 := md("ssh-keys", big)
	if kc := AnalyzeMetadata(md(), &proj2, now); len(kc.Large) != 1 || kc.Large[0].Where != "project" {
		t.Fatalf("large: %+v", kc.Large)
	}
}

func TestMatchLoginProfile(t *testing.T) {
	k1 := gcptest.PublicKeyLine(1, "")
	local, _ := ParsePublicKey(k1)
	var lp LoginProfile
	doc := `{"name":"users/a@example.com","posixAccounts":[{"username":"x","primary":false},{"username":"a_example_com","primary":true}],
	  "sshPublicKeys":{"f1":{"key":"` + k1 + `","expirationTimeUsec":"` + "1700000000000000" + `","fingerprint":"f1"}}}`
	if err := json.Unmarshal([]byte(doc), &lp); err != nil {
		t.Fatal(err)
	}
	if lp.PosixUser() != "a_example_com" {
		t.Errorf("posix user %q", lp.PosixUser())
	}
	st := MatchLoginProfile(&lp, []PublicKey{local}, now)
	if st.Found || !st.Expired {
		t.Errorf("expired key: %+v", st)
	}
	lp.SSHPublicKeys["f2"] = OSLoginKey{Key: k1}
	if st := MatchLoginProfile(&lp, []PublicKey{local}, now); !st.Found || st.Expired {
		t.Errorf("a valid copy: %+v", st)
	}
}

func TestReadPublicKeyFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k.pub")
	if err := os.WriteFile(p, []byte("# comment\n\n"+gcptest.PublicKeyLine(1, "c")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPublicKeyFile(p); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.pub")
	if err := os.WriteFile(big, make([]byte, maxKeyFileBytes+10), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPublicKeyFile(big); err == nil {
		t.Fatal("an oversized file was read")
	}
	priv := filepath.Join(dir, "id")
	if err := os.WriteFile(priv, []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPublicKeyFile(priv); err == nil {
		t.Fatal("a private key was taken for a public key")
	}
}

func FuzzParseSSHKeys(f *testing.F) {
	var proj struct {
		CommonInstanceMetadata Metadata `json:"commonInstanceMetadata"`
	}
	if err := json.Unmarshal(gcptest.Fixture("compute-project.json"), &proj); err != nil {
		f.Fatal(err)
	}
	v, _ := proj.CommonInstanceMetadata.Get("ssh-keys")
	f.Add(v)
	f.Add("alice:" + gcptest.PublicKeyLine(1, `google-ssh {"userName":"a@b","expireOn":"2026-01-01T00:00:00+0000"}`))
	f.Add(`usera:ssh-rsa AAAA1234 google-ssh {"userName":"usera@example.com","expireOn":"2095-04-23T12:34:56+0000"}`)
	f.Add("a:b\nc:\n:d\n\n" + `x:from="a b" ` + gcptest.PublicKeyLine(2, ""))
	f.Fuzz(func(t *testing.T, s string) {
		keys := ParseSSHKeys(s, "fuzz", now)
		lines := strings.Count(s, "\n") + 1
		if len(keys) > lines {
			t.Fatalf("%d keys from %d lines", len(keys), lines)
		}
		for _, k := range keys {
			if k.Line < 1 || k.Line > lines {
				t.Fatalf("line %d of %d", k.Line, lines)
			}
			if k.Valid() {
				if k.User == "" || strings.ContainsAny(k.User, " \t\n") || len(k.Key.Blob) == 0 {
					t.Fatalf("valid entry with user %q blob %d", k.User, len(k.Key.Blob))
				}
				// a valid key round-trips through its own line
				again, err := ParsePublicKey(k.Key.Type + " " + base64Blob(k.Key))
				if err != nil || !again.Same(k.Key) {
					t.Fatalf("round trip: %v", err)
				}
			}
		}
		kc := AnalyzeMetadata(Metadata{Items: []MetadataItem{{Key: "ssh-keys", Value: &s}}}, nil, now)
		_ = kc.Match("alice", nil)
	})
}

func base64Blob(k PublicKey) string {
	return strings.Fields(strings.TrimSpace(encodeLine(k)))[1]
}

func encodeLine(k PublicKey) string {
	return k.Type + " " + b64(k.Blob)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
