//go:build linux

package client_test

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

// A login that hangs (the session's command never ends): reported as a
// timeout, never as "the server closed the connection" (the close was
// sshdoctor's own, at its deadline).
func TestLabLoginHangIsTimeout(t *testing.T) {
	t.Parallel()
	a := newAuthLab(t, lab.SSHDOptions{Config: "ForceCommand sleep 60"}, lab.UserOptions{})
	d := a.run(t, "-i", a.priv, a.dest())
	expect(t, d, "session.timeout", 1)
	if d.Duration > 30*time.Second {
		t.Fatalf("took %v", d.Duration)
	}
}

var maxRSSRE = regexp.MustCompile(`maxrss=(\d+)`)

// The reproduction of a server flooding the session after login: output
// kept under its cap, so memory stays bounded (it grew to 805 MB in 10 s
// when io.Copy went around the cap). Measured as the process's peak RSS.
func TestLabSessionFloodBounded(t *testing.T) {
	t.Parallel()
	lab.Require(t, "time")
	a := newAuthLab(t, lab.SSHDOptions{Config: "ForceCommand cat /dev/zero"}, lab.UserOptions{})
	r := a.lab.Client.RunEnv(t, a.env, lab.Tool(t, "time"), "-f", "maxrss=%M", lab.Binary(t), "--json",
		"check", "-F", a.cfgFile, "--timeout", "5s", "-i", a.priv, a.dest())
	m := maxRSSRE.FindStringSubmatch(r.Stderr)
	if m == nil {
		t.Fatalf("no maxrss in %q", r.Stderr)
	}
	kb, _ := strconv.Atoi(m[1])
	t.Logf("peak RSS %d KB, exit %d, %v", kb, r.ExitCode, r.Duration)
	if kb > 120*1024 {
		t.Fatalf("peak RSS %d MB while the server flooded the session", kb>>10)
	}
	if r.ExitCode != 1 {
		t.Fatalf("exit %d\n%s", r.ExitCode, r.Stdout)
	}
}
