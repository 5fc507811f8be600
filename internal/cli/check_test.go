package cli

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/reportschema"
)

func TestParseDestination(t *testing.T) {
	ok := map[string]Destination{
		"host":                      {Host: "host"},
		"alice@host":                {User: "alice", Host: "host"},
		"alice@host:2222":           {User: "alice", Host: "host", Port: 2222},
		"ssh://bob@host:22":         {User: "bob", Host: "host", Port: 22},
		"ssh://host/":               {Host: "host"},
		"[::1]:2200":                {Host: "::1", Port: 2200},
		"carol@[2001:db8::1]":       {User: "carol", Host: "2001:db8::1"},
		"2001:db8::1":               {Host: "2001:db8::1"},
		"user@corp.example@bastion": {User: "user@corp.example", Host: "bastion"},
		"my-alias":                  {Host: "my-alias"},
	}
	for in, want := range ok {
		got, err := ParseDestination(in)
		if err != nil || got != want {
			t.Errorf("%q: got %+v, %v; want %+v", in, got, err, want)
		}
	}
	bad := []string{"", "@host", "host:", "host:0", "host:65536", "host:abc", "[::1", "[::1]x", "-oProxyCommand=x",
		"http://host", "ssh://host/path", "a b", "1:2:3:zz", "user@"}
	for _, in := range bad {
		if _, err := ParseDestination(in); err == nil {
			t.Errorf("%q: accepted", in)
		} else {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Errorf("%q: %v is not a usage error", in, err)
			}
		}
	}
}

func TestCheckFlags(t *testing.T) {
	s, _, _ := TestIO(nil)
	var got *CheckOptions
	cmd := NewCmdCheck(s, &Globals{}, func(o *CheckOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-p", "2222", "-l", "bob", "-i", "k1", "-i", "k2", "-F", "cfg", "-o", "ConnectTimeout=3",
		"-o", "User alice", "-4", "--timeout", "1500ms", "--no-login", "host"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Dest != "host" || got.Port != 2222 || got.User != "bob" || len(got.Identities) != 2 || got.ConfigFile != "cfg" ||
		len(got.Options) != 2 || !got.IPv4 || got.Timeout != 1500*time.Millisecond || !got.NoLogin {
		t.Fatalf("%+v", got)
	}
	co, err := (&CheckOptions{Dest: "alice@host:2022", Port: 0, Timeout: time.Second, Options: []string{"User alice"}}).clientOptions()
	if err != nil || co.Port != 2022 || co.User != "alice" || co.Options[0].Key != "User" || co.Options[0].Value != "alice" {
		t.Fatalf("%+v %v", co, err)
	}
	co, _ = (&CheckOptions{Dest: "alice@host:2022", Port: 2200, User: "bob", Timeout: time.Second}).clientOptions()
	if co.Port != 2200 || co.User != "bob" {
		t.Fatalf("flags should win over DEST: %+v", co)
	}
}

func TestUsageErrorsAreOneLineExit2(t *testing.T) {
	cases := [][]string{
		{"check", "-p", "0", "host"},
		{"-p", "99999", "host"},
		{"check", "host:x"},
		{"check", "-o", "=x", "host"},
		{"check", "-o", "NoValue", "host"},
		{"check", "-4", "-6", "host"},
		{"check", "--timeout", "-1s", "host"},
		{"check", "--timeout", "soon", "host"},
		{"check", "-F", "/nonexistent/sshdoctor/cfg", "host"},
		{"check", "a", "b"},
		{"check", "--bogus", "host"},
		{"--lang", "xx", "version"},
		{"nosuchcommand", "x", "y"},
	}
	for _, args := range cases {
		s, out, errOut := TestIO(map[string]string{})
		code := Main(args, s)
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		if code != ExitUsage || len(lines) != 1 || !strings.HasPrefix(lines[0], "sshdoctor: ") || strings.Contains(errOut.String(), "goroutine") {
			t.Errorf("%v: exit %d, stderr %q, stdout %q", args, code, errOut.String(), out.String())
		}
	}
}

func TestLanguageSelection(t *testing.T) {
	cases := []struct {
		flag string
		env  map[string]string
		want string
	}{
		{"", map[string]string{"LANG": "ja_JP.UTF-8"}, "ja"},
		{"", map[string]string{"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"},
		{"", map[string]string{"LC_MESSAGES": "ja", "LANG": "en_US.UTF-8"}, "ja"},
		{"en", map[string]string{"LANG": "ja_JP.UTF-8"}, "en"},
		{"ja", nil, "ja"},
		{"", nil, "en"},
	}
	for _, c := range cases {
		got, err := language(c.flag, func(k string) string { return c.env[k] })
		if err != nil || string(got) != c.want {
			t.Errorf("%q %v: %s %v", c.flag, c.env, got, err)
		}
	}
}

func TestVersion(t *testing.T) {
	s, out, _ := TestIO(nil)
	if code := Main([]string{"version"}, s); code != 0 || !strings.HasPrefix(out.String(), "sshdoctor ") {
		t.Fatalf("%d %q", code, out.String())
	}
}

// Against a port nothing listens on (loopback), --json prints exactly one
// object and the exit code says "problem".
func TestJSONIsOneObject(t *testing.T) {
	s, out, errOut := TestIO(map[string]string{"NO_COLOR": "1"})
	code := Main([]string{"--json", "check", "-F", "/dev/null", "--timeout", "1s", "-p", "1", "127.0.0.1"}, s)
	reportschema.Check(t, out.Bytes())
	dec := json.NewDecoder(strings.NewReader(out.String()))
	var r map[string]any
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%v: %s %s", err, out.String(), errOut.String())
	}
	if dec.More() {
		t.Fatal("more than one JSON value")
	}
	if code != ExitProblem || r["schema_version"].(float64) != 1 || r["result"] != "problem" {
		t.Fatalf("code %d report %v", code, r)
	}
	if d := r["diagnosis"].(map[string]any); d["code"] != "tcp.refused" {
		t.Fatalf("diagnosis %v", d)
	}
	tg := r["target"].(map[string]any)
	if tg["port"].(float64) != 1 || tg["hostname"] != "127.0.0.1" {
		t.Fatalf("target %v", tg)
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Fatal("colour in JSON")
	}
}

func TestNoColorUnlessTerminal(t *testing.T) {
	s, out, _ := TestIO(map[string]string{})
	Main([]string{"check", "-F", "/dev/null", "--timeout", "1s", "-p", "1", "127.0.0.1"}, s)
	if strings.Contains(out.String(), "\x1b[") {
		t.Fatal("colour on a non-terminal")
	}
	s, out, _ = TestIO(map[string]string{"CLICOLOR_FORCE": "1"})
	Main([]string{"check", "-F", "/dev/null", "--timeout", "1s", "-p", "1", "127.0.0.1"}, s)
	if !strings.Contains(out.String(), "\x1b[") {
		t.Fatal("CLICOLOR_FORCE ignored")
	}
	s, out, _ = TestIO(map[string]string{"CLICOLOR_FORCE": "1", "NO_COLOR": "1"})
	Main([]string{"check", "-F", "/dev/null", "--timeout", "1s", "-p", "1", "127.0.0.1"}, s)
	if strings.Contains(out.String(), "\x1b[") {
		t.Fatal("NO_COLOR ignored")
	}
}

func TestInterruptedRunExits130(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, _, _ := TestIO(nil)
	g := &Globals{}
	root := NewRootCmd(ctx, s, g)
	root.SetArgs([]string{"check", "-F", "/dev/null", "-p", "1", "127.0.0.1"})
	err := root.ExecuteContext(ctx)
	if code := exitCode(err, s, g); code != ExitInterrupted {
		t.Fatalf("exit %d (%v)", code, err)
	}
}
