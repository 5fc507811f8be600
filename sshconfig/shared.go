package sshconfig

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/netip"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Shared answers FromSSH for many destinations with one `ssh -G` per
// class of destinations that ssh's configuration cannot tell apart.
//
// Starting ssh costs a process and a dynamic link of libcrypto: tens of
// milliseconds of CPU, most of what a scan of a thousand hosts spends on
// this machine's side. Yet for most fleets every host meets the same
// lines of ssh_config. ssh evaluates a configuration without Match
// blocks, %-tokens or hostname canonicalization as a function of which
// Host lines the name matches and of nothing else, and then prints the
// name itself on two lines (host, and hostname unless a HostName line
// applied). So two names that match exactly the same Host lines get the
// same `ssh -G` output but for those two lines, and Shared runs ssh for
// the first of each class and rewrites those lines for the others.
//
// Anything it cannot reason about exactly makes it run ssh for every name:
// a Match line (exec, localnetwork, final…), a %-token, CanonicalizeHostname,
// an Include it cannot read or expand, a name that is not already in the
// form ssh prints (lower case, a canonical address). Failures are never
// shared: a name whose class has no successful answer yet runs ssh itself.
//
// Answers are kept for SharedMaxAge: a long-running exporter sees an
// edited ssh_config within that time, as it would with ssh -G each time.
// At most SharedMaxPlans distinct requests (login names, ports, options)
// are remembered at once, so names chosen by whoever can reach an exporter
// cannot grow it without bound.
//
// The zero value is not usable; make one with NewShared. It is safe for
// concurrent use.
type Shared struct {
	home func() (string, error) // ssh's ~ (the passwd entry's directory)
	ssh  func(ctx context.Context, req Request) (*Config, error)
	now  func() time.Time

	mu    sync.Mutex
	plans map[string]*sharedPlan
	born  time.Time // when plans was started
}

// SharedMaxAge and SharedMaxPlans bound what a Shared remembers.
const (
	SharedMaxAge   = time.Minute
	SharedMaxPlans = 256
)

// NewShared returns an empty Shared.
func NewShared() *Shared {
	return &Shared{home: passwdHome, now: time.Now, ssh: func(ctx context.Context, req Request) (*Config, error) {
		return FromSSH(ctx, req, nil)
	}}
}

// passwdHome is the directory ssh expands ~ to: the passwd entry's, not
// $HOME.
func passwdHome() (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", err
	}
	if u.HomeDir == "" {
		return "", errors.New("no home directory")
	}
	return u.HomeDir, nil
}

// sharedPlan is what the configuration files say about one request (all
// but the host name): whether classes can be shared, and the Host lines
// that tell classes apart.
type sharedPlan struct {
	once   sync.Once
	ok     bool
	reason string // why not, for tests
	hosts  [][]string
	// hostnames lists, for each HostName line (or -o HostName), the Host
	// lines that must all match for it to apply (none: it always does).
	hostnames [][]int

	mu      sync.Mutex
	classes map[string]*sharedClass
}

type sharedClass struct {
	turn chan struct{} // held while a name of the class runs ssh
	cfg  *Config       // nil until one succeeded (read and written holding turn)
	of   string        // the name cfg was made for
	// failed: ssh failed for a name of the class; the others run ssh
	// each, at once, as without Shared.
	failed bool
}

// FromSSH is sshconfig.FromSSH, sharing answers where that is exact.
func (s *Shared) FromSSH(ctx context.Context, req Request) (*Config, error) {
	if s == nil {
		return FromSSH(ctx, req, nil)
	}
	p := s.plan(req)
	if !p.ok || !printedAsIs(req.Host) {
		return s.ssh(ctx, req)
	}
	key := p.classKey(req.Host)
	p.mu.Lock()
	c := p.classes[key]
	if c == nil {
		c = &sharedClass{turn: make(chan struct{}, 1)}
		p.classes[key] = c
	}
	p.mu.Unlock()

	// One name of a class asks ssh at a time, so the others wait for its
	// answer instead of all starting ssh at once; a wait ends with ctx.
	select {
	case c.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if c.cfg != nil {
		cfg, of := c.cfg, c.of
		<-c.turn
		return p.rewrite(cfg, of, req.Host), nil
	}
	if c.failed {
		<-c.turn
		return s.ssh(ctx, req)
	}
	cfg, err := s.ssh(ctx, req)
	// Kept only when ssh printed the name as the model says it does.
	switch {
	case err == nil && cfg.Get("host") == req.Host && (p.fixedHostname(req.Host) || cfg.Get("hostname") == req.Host):
		c.cfg, c.of = cfg, req.Host
	case ctx.Err() == nil:
		c.failed = true
	}
	<-c.turn
	return cfg, err
}

// printedAsIs reports a name that ssh prints unchanged as both host and
// hostname: lower-case letters, digits, dots, hyphens and underscores
// (not starting with a hyphen, and not made only of what inet_aton may
// read as an address, such as 010.1 or 0x7f.1), or an address in its
// canonical form.
func printedAsIs(h string) bool {
	if h == "" || len(h) > 253 || h[0] == '-' {
		return false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.String() == h && a.Zone() == ""
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return !atonLike(h)
}

// atonLike reports a name inet_aton might take for an IPv4 address: up to
// four dot-separated parts, each decimal, octal or 0x-hexadecimal (an empty
// part counts too, to be safe).
func atonLike(h string) bool {
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		digits := "0123456789"
		if strings.HasPrefix(p, "0x") {
			p, digits = p[2:], "0123456789abcdef"
		}
		if strings.Trim(p, digits) != "" {
			return false
		}
	}
	return true
}

func (p *sharedPlan) classKey(host string) string {
	b := make([]byte, len(p.hosts))
	for i, pats := range p.hosts {
		b[i] = '0'
		if MatchHost(host, pats) {
			b[i] = '1'
		}
	}
	return string(b)
}

// rewrite makes of's answer the answer for host: the host line, and the
// hostname line unless a HostName line applies to the class.
func (p *sharedPlan) rewrite(cfg *Config, of, host string) *Config {
	out := &Config{values: make(map[string][]string, len(cfg.values)), Source: cfg.Source, SSHVersion: cfg.SSHVersion,
		SharedWith: of}
	for k, v := range cfg.values {
		out.values[k] = append([]string(nil), v...)
	}
	out.Set("host", host)
	if !p.fixedHostname(host) {
		out.Set("hostname", host)
	}
	return out
}

// fixedHostname reports whether a HostName line applies to host's class.
func (p *sharedPlan) fixedHostname(host string) bool {
	for _, under := range p.hostnames {
		applies := true
		for _, i := range under {
			applies = applies && MatchHost(host, p.hosts[i])
		}
		if applies {
			return true
		}
	}
	return false
}

func (s *Shared) plan(req Request) *sharedPlan {
	k := planKey(req)
	s.mu.Lock()
	if now := s.now(); s.plans == nil || now.Sub(s.born) > SharedMaxAge || (s.plans[k] == nil && len(s.plans) >= SharedMaxPlans) {
		s.plans, s.born = map[string]*sharedPlan{}, now
	}
	p := s.plans[k]
	if p == nil {
		p = &sharedPlan{classes: map[string]*sharedClass{}}
		s.plans[k] = p
	}
	s.mu.Unlock()
	p.once.Do(func() { p.analyze(req, s.home) })
	return p
}

// planKey is the request without its host name.
func planKey(req Request) string {
	r := req
	r.Host = ""
	return strings.Join(r.Args(), "\x00")
}

// maxSharedHostLines bounds the classes' key (a config with more Host lines
// than this is not shared).
const maxSharedHostLines = 4096

type planReader struct {
	p     *sharedPlan
	home  string
	lines int
}

func (p *sharedPlan) analyze(req Request, home func() (string, error)) {
	fail := func(why string) { p.ok, p.reason, p.hosts, p.hostnames = false, why, nil, nil }
	for _, v := range append([]string{req.User, req.ConfigFile}, req.Identities...) {
		if strings.Contains(v, "%") {
			fail("a %-token on the command line")
			return
		}
	}
	for _, o := range req.Options {
		k := strings.ToLower(o[0])
		if strings.Contains(o[1], "%") || strings.Contains(k, "%") {
			fail("a %-token in -o " + o[0])
			return
		}
		switch k {
		case "host", "match", "include", "canonicalizehostname":
			fail("-o " + o[0])
			return
		case "hostname":
			p.hostnames = append(p.hostnames, nil)
		}
	}
	h, err := home()
	if err != nil {
		fail("no home directory: " + err.Error())
		return
	}
	r := &planReader{p: p, home: h}
	var files []struct{ name, base string }
	switch req.ConfigFile {
	case "none":
	case "":
		files = append(files, struct{ name, base string }{filepath.Join(h, ".ssh", "config"), filepath.Join(h, ".ssh")})
		if runtime.GOOS == "windows" {
			fail("windows") // ssh's paths and case rules differ there
			return
		}
		files = append(files, struct{ name, base string }{systemConfig(), filepath.Dir(systemConfig())})
	default:
		files = append(files, struct{ name, base string }{req.ConfigFile, filepath.Join(h, ".ssh")})
	}
	for _, f := range files {
		if why := r.file(f.name, f.base, nil, 0); why != "" {
			fail(why)
			return
		}
	}
	p.ok = true
}

// file reads one config file; under lists the Host lines that must match
// for the line that included it to apply. It returns why the plan cannot
// be shared, or "".
func (r *planReader) file(name, base string, under []int, depth int) string {
	if depth > maxIncludeDepth {
		return "Include nested too deeply"
	}
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "" // ssh skips a missing file (a missing -F is ssh's own error, not shared)
		}
		return "cannot read " + name
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxConfigBytes))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	cur := under // the Host lines governing the current line
	for sc.Scan() {
		if r.lines++; r.lines > 100000 {
			return "config too long"
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.Contains(line, "%") {
			return "a %-token in " + name
		}
		k, v := splitKV(line)
		switch strings.ToLower(k) {
		case "match":
			return "a Match line in " + name
		case "canonicalizehostname":
			if lv := strings.ToLower(v); lv != "no" && lv != "false" {
				return "CanonicalizeHostname in " + name
			}
		case "host":
			pats, err := SplitArgs(v, true)
			if err != nil {
				return "an unreadable Host line in " + name
			}
			if len(r.p.hosts) >= maxSharedHostLines {
				return "too many Host lines"
			}
			r.p.hosts = append(r.p.hosts, pats)
			cur = append(append([]int(nil), under...), len(r.p.hosts)-1)
		case "hostname":
			r.p.hostnames = append(r.p.hostnames, append([]int(nil), cur...))
		case "include":
			args, err := SplitArgs(v, true)
			if err != nil {
				return "an unreadable Include line in " + name
			}
			for _, pat := range args {
				pat = expandTilde(pat, r.home)
				if !filepath.IsAbs(pat) {
					pat = filepath.Join(base, pat)
				}
				matches, err := filepath.Glob(pat)
				if err != nil {
					return "an Include pattern Go cannot expand as glob(3) does: " + pat
				}
				for _, m := range matches {
					if why := r.file(m, base, cur, depth+1); why != "" {
						return why
					}
				}
			}
		}
	}
	if sc.Err() != nil {
		return "cannot read " + name
	}
	return ""
}

// String is for tests and debugging.
func (p *sharedPlan) String() string {
	if !p.ok {
		return "not shared: " + p.reason
	}
	return strconv.Itoa(len(p.hosts)) + " Host lines"
}
