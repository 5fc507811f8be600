package client

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/sshconfig"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// testKeys reads testdata/keys.txt: "name type base64 comment" lines made
// with ssh-keygen (a CA, a host key, host certificates, a user certificate).
func testKeys(t *testing.T) map[string]*sshwire.Key {
	t.Helper()
	b, err := os.ReadFile("testdata/keys.txt")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*sshwire.Key{}
	for _, l := range strings.Split(string(b), "\n") {
		name, rest, ok := strings.Cut(l, " ")
		if !ok || strings.HasPrefix(l, "#") {
			continue
		}
		k, err := sshwire.ParseAuthorizedKey([]byte(rest))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = k
	}
	return out
}

func knownLines(t *testing.T, lines ...string) []sshconfig.KnownHost {
	t.Helper()
	es, bad, err := sshconfig.ParseKnownHosts(strings.NewReader(strings.Join(lines, "\n")), "kh")
	if err != nil || len(bad) > 0 {
		t.Fatalf("known_hosts: %v %+v", err, bad)
	}
	return es
}

func line(name string, k *sshwire.Key) string { return name + " " + k.Type + " " + k.Base64() }

func TestJudgeHostKey(t *testing.T) {
	k := testKeys(t)
	now := time.Now()
	cases := []struct {
		name    string
		key     *sshwire.Key
		lines   []string
		status  hostStatus
		line    int
		viaCA   bool
		problem string
	}{
		{"known", k["host"], []string{line("h", k["other"]), line("h", k["host"])}, hostOK, 2, false, ""},
		{"changed", k["host"], []string{line("h", k["rsa"]), line("h", k["other"])}, hostChanged, 2, false, ""},
		{"new, other type known", k["host"], []string{line("h", k["rsa"])}, hostNew, 0, false, ""},
		{"revoked", k["host"], []string{"@revoked * " + k["host"].Type + " " + k["host"].Base64(), line("h", k["host"])}, hostRevoked, 1, false, ""},
		{"certificate", k["cert"], []string{"@cert-authority *.example " + k["ca"].Type + " " + k["ca"].Base64()}, hostOK, 1, true, ""},
		{"expired certificate falls back to the plain key", k["expired"],
			[]string{"@cert-authority *.example " + k["ca"].Type + " " + k["ca"].Base64(), line("h", k["host"])}, hostOK, 2, false, "not valid now"},
		{"user certificate as a host key", k["usercert"],
			[]string{"@cert-authority * " + k["ca"].Type + " " + k["ca"].Base64()}, hostNew, 0, false, "not a host certificate"},
		{"revoked CA", k["cert"], []string{"@revoked * " + k["ca"].Type + " " + k["ca"].Base64()}, hostRevoked, 1, false, ""},
	}
	for _, c := range cases {
		v := judgeHostKey(c.key, knownLines(t, c.lines...), "host.example", now)
		got := 0
		if v.found != nil {
			got = v.found.Line
		}
		if v.status != c.status || got != c.line || v.viaCA != c.viaCA || !strings.Contains(v.certProblem, c.problem) {
			t.Errorf("%s: status %s line %d viaCA %v problem %q", c.name, v.status, got, v.viaCA, v.certProblem)
		}
	}
	v := judgeHostKey(k["host"], knownLines(t, line("h", k["rsa"])), "h", now)
	if len(v.otherTypes) != 1 || v.otherTypes[0] != "RSA" {
		t.Fatalf("other types %v", v.otherTypes)
	}
	// A certificate for another name is not accepted through the CA.
	v = judgeHostKey(k["cert"], knownLines(t, "@cert-authority * "+k["ca"].Type+" "+k["ca"].Base64()), "other.example", now)
	if v.status != hostNew || !strings.Contains(v.certProblem, "not other.example") {
		t.Fatalf("principal mismatch: %+v", v)
	}
}

func TestOrderHostKeyAlgs(t *testing.T) {
	k := testKeys(t)
	def := strings.Split("ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256", ",")
	// An ed25519 key is known: the list stays as it is.
	if got := orderHostKeyAlgs(def, knownLines(t, line("h", k["host"]))); strings.Join(got, ",") != strings.Join(def, ",") {
		t.Fatalf("ed25519 known: %v", got)
	}
	// Only RSA known: RSA algorithms (certificate first, as in the list) move up.
	got := orderHostKeyAlgs(def, knownLines(t, line("h", k["rsa"])))
	want := "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-512,rsa-sha2-256,ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256"
	if strings.Join(got, ",") != want {
		t.Fatalf("rsa known:\n got %s\nwant %s", strings.Join(got, ","), want)
	}
	// A @cert-authority line prefers every certificate algorithm.
	got = orderHostKeyAlgs(def[3:], knownLines(t, "@cert-authority * "+k["ca"].Type+" "+k["ca"].Base64()))
	if strings.Join(got, ",") != strings.Join(def[3:], ",") {
		t.Fatalf("no certificate algorithms to prefer: %v", got)
	}
	got = orderHostKeyAlgs([]string{"ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com"}, knownLines(t, "@cert-authority * "+k["ca"].Type+" "+k["ca"].Base64()))
	if got[0] != "ssh-ed25519-cert-v01@openssh.com" {
		t.Fatalf("CA known: %v", got)
	}
}

func TestSigAlgs(t *testing.T) {
	accepted := strings.Split("ssh-ed25519-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256,sk-ssh-ed25519@openssh.com", ",")
	cases := map[string]string{
		"ssh-rsa":                          "rsa-sha2-512,rsa-sha2-256",
		"ssh-rsa-cert-v01@openssh.com":     "rsa-sha2-512,rsa-sha2-256",
		"ssh-ed25519":                      "ssh-ed25519",
		"ecdsa-sha2-nistp384":              "",
		"sk-ssh-ed25519@openssh.com":       "sk-ssh-ed25519@openssh.com",
		"ssh-ed25519-cert-v01@openssh.com": "ssh-ed25519",
		"ssh-dss":                          "",
	}
	for typ, want := range cases {
		if got := strings.Join(sigAlgs(typ, accepted), ","); got != want {
			t.Errorf("%s: %q, want %q", typ, got, want)
		}
	}
	// With ssh-rsa re-enabled (PubkeyAcceptedAlgorithms +ssh-rsa) it comes last.
	if got := strings.Join(sigAlgs("ssh-rsa", append(accepted, "ssh-rsa")), ","); got != "rsa-sha2-512,rsa-sha2-256,ssh-rsa" {
		t.Fatal(got)
	}
}

func TestStrictMode(t *testing.T) {
	for v, want := range map[string]string{"true": "yes", "yes": "yes", "false": "no", "off": "no", "ask": "ask", "accept-new": "accept-new", "": "ask"} {
		c := sshconfig.New("test")
		c.Set("stricthostkeychecking", v)
		if got := strictMode(&Settings{Config: c}); got != want {
			t.Errorf("%q: %q", v, got)
		}
	}
}

func TestExpandPath(t *testing.T) {
	c := sshconfig.New("test")
	s := &Settings{Config: c, Hostname: "h.example", User: "bob", Port: 2222}
	_, home, _ := localUser()
	cases := map[string]string{
		"~/.ssh/id_%r@%h:%p": home + "/.ssh/id_bob@h.example:2222",
		"%d/k%%":             home + "/k%",
		"/k/%n":              "/k/alias",
	}
	for in, want := range cases {
		if got := expandPath(in, s, "alias"); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
