package sshconfig

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSharedMatchesSSH: for configurations with Host patterns, negations,
// aliases, HostName lines, conditional Includes, Match lines and tokens,
// every answer Shared gives is exactly what `ssh -G` prints for that
// name, and ssh runs once per class where the configuration allows it.
func TestSharedMatchesSSH(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ssh is not installed")
		}
		t.Skip("ssh is not installed")
	}
	dir := t.TempDir()
	inc := filepath.Join(dir, "inc.conf")
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("inc.conf", "HostName fixed.example\nHost inca*\n  Port 2200\n")
	hosts := []string{"web1", "web2", "a.db", "b.db", "bad.db", "alias", "ib1", "ib2", "inca1", "inca2",
		"x1", "x2", "10.0.0.1", "10.0.0.2", "::1", "2001:db8::7", "Web3", "010.0.0.9", "0x7f.1", "cafe.example"}
	cases := []struct {
		name, config string
		shared       bool
		maxRuns      int // ssh runs at most (when shared)
	}{
		{"all", "Host *\n  User x\n  StrictHostKeyChecking yes\n", true, 2},
		{"patterns", "Host web*\n  Port 2222\nHost *.db !bad.db\n  User dbadmin\nHost alias\n  HostName 10.0.0.5\nHost *\n  IdentityFile ~/.ssh/k\n", true, 9},
		{"global-hostname", "HostName gateway.example\nHost web*\n  Port 2\n", true, 4},
		{"include", "Host i*\n  Include " + inc + "\nHost *\n  User y\n", true, 6},
		{"match", "Match host web*\n  Port 2222\n", false, 0},
		{"token", "Host *\n  ControlPath /tmp/cm-%h\n", false, 0},
		{"canonical", "CanonicalizeHostname yes\n", false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hosts := hosts
			if !c.shared {
				hosts = hosts[:4] // ssh runs for each name either way
			}
			cfg := write(c.name+".conf", c.config)
			s := NewShared()
			var runs atomic.Int32
			s.ssh = func(ctx context.Context, req Request) (*Config, error) {
				runs.Add(1)
				return FromSSH(ctx, req, nil)
			}
			var wg sync.WaitGroup
			got := make([]*Config, len(hosts))
			errs := make([]error, len(hosts))
			for i, h := range hosts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = s.FromSSH(context.Background(), Request{Host: h, ConfigFile: cfg})
				}()
			}
			wg.Wait()
			want := make([]*Config, len(hosts))
			wantErrs := make([]error, len(hosts))
			for i, h := range hosts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					want[i], wantErrs[i] = FromSSH(context.Background(), Request{Host: h, ConfigFile: cfg}, nil)
				}()
			}
			wg.Wait()
			shared := 0
			for i, h := range hosts {
				if wantErrs[i] != nil || errs[i] != nil {
					t.Fatalf("%s: %v / %v", h, wantErrs[i], errs[i])
				}
				if got[i].SharedWith != "" {
					shared++
				}
				if !reflect.DeepEqual(got[i].values, want[i].values) {
					t.Errorf("%s (answer of %q): differs from ssh -G:\n%s", h, got[i].SharedWith, diffValues(got[i].values, want[i].values))
				}
			}
			p := s.plan(Request{ConfigFile: cfg})
			if p.ok != c.shared {
				t.Fatalf("plan %s, want shared=%v", p, c.shared)
			}
			if !c.shared && (shared > 0 || int(runs.Load()) != len(hosts)) {
				t.Errorf("%d answers shared, %d ssh runs for %d names", shared, runs.Load(), len(hosts))
			}
			if c.shared && int(runs.Load()) > c.maxRuns+4 { // Web3, 010.0.0.9, 0x7f.1 and 2001:db8::7's own class run ssh
				t.Errorf("%d ssh runs for %d names, want at most %d", runs.Load(), len(hosts), c.maxRuns+4)
			}
			t.Logf("%s: %d ssh runs, %d shared answers", p, runs.Load(), shared)
		})
	}
}

func diffValues(a, b map[string][]string) string {
	out := ""
	for k, v := range a {
		if !reflect.DeepEqual(v, b[k]) {
			out += fmt.Sprintf("  %s: %q, ssh -G %q\n", k, v, b[k])
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			out += fmt.Sprintf("  %s: absent, ssh -G %q\n", k, v)
		}
	}
	return out
}

// TestSharedForgets: an answer is reused within SharedMaxAge only, and
// more than SharedMaxPlans login names start afresh instead of growing.
func TestSharedForgets(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("Host *\n  Port 22\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := NewShared()
	clock := time.Unix(1e9, 0)
	s.now = func() time.Time { return clock }
	runs := 0
	s.ssh = func(_ context.Context, req Request) (*Config, error) {
		runs++
		c := New("ssh -G")
		c.Set("host", req.Host)
		c.Set("hostname", req.Host)
		c.Set("user", req.User)
		return c, nil
	}
	ask := func(host, user string) *Config {
		c, err := s.FromSSH(context.Background(), Request{Host: host, User: user, ConfigFile: cfg})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ask("a1", "u")
	if c := ask("a2", "u"); runs != 1 || c.SharedWith != "a1" || c.Get("hostname") != "a2" {
		t.Fatalf("runs %d, shared with %q, hostname %q", runs, c.SharedWith, c.Get("hostname"))
	}
	clock = clock.Add(SharedMaxAge + time.Second)
	if ask("a3", "u"); runs != 2 {
		t.Fatalf("an answer older than %s was reused", SharedMaxAge)
	}
	for i := 0; i < 2*SharedMaxPlans; i++ {
		ask("b", fmt.Sprint("user", i))
	}
	s.mu.Lock()
	n := len(s.plans)
	s.mu.Unlock()
	if n > SharedMaxPlans {
		t.Fatalf("%d plans remembered, want at most %d", n, SharedMaxPlans)
	}
}
