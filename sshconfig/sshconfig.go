// Package sshconfig finds the settings the user's ssh would use for a
// destination: `ssh -G` when OpenSSH is installed (it resolves Match,
// Include, aliases and defaults exactly as ssh will), otherwise a fallback
// parser of ~/.ssh/config and /etc/ssh/ssh_config that says it is one.
package sshconfig

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"github.com/sshdoctor/sshdoctor/internal/capped"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is an effective client configuration: lower-case keyword → values
// (one per line of `ssh -G`, in order).
type Config struct {
	values map[string][]string
	// Source says where it came from: "ssh -G" or "fallback parser".
	Source string
	// SSHVersion is `ssh -V` output when known.
	SSHVersion string
	// SharedWith names the destination whose `ssh -G` answer this is, with
	// the name rewritten, when Shared found the two indistinguishable to
	// ssh's configuration ("" when ssh ran for this destination).
	SharedWith string
}

// New returns an empty config.
func New(source string) *Config {
	return &Config{values: map[string][]string{}, Source: source}
}

// Get returns the first value of key ("" when absent).
func (c *Config) Get(key string) string {
	if v := c.values[strings.ToLower(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// All returns every value of key.
func (c *Config) All(key string) []string { return c.values[strings.ToLower(key)] }

// Has reports whether key is present.
func (c *Config) Has(key string) bool { _, ok := c.values[strings.ToLower(key)]; return ok }

// Set replaces key's values.
func (c *Config) Set(key string, vals ...string) { c.values[strings.ToLower(key)] = vals }

// Add appends a value.
func (c *Config) Add(key, val string) {
	k := strings.ToLower(key)
	c.values[k] = append(c.values[k], val)
}

// Fields returns the values of a list keyword such as userknownhostsfile,
// one file or word each, with "none" meaning empty. Quoted values are split
// as OpenSSH splits them (SplitArgs); an unquoted `ssh -G` file list, which
// ssh prints with its spaces unescaped, is put back together (joinFileList).
func (c *Config) Fields(key string) []string {
	var out []string
	for _, v := range c.All(key) {
		var words []string
		if strings.ContainsAny(v, `"'\`) {
			words, _ = SplitArgs(v, false)
		} else {
			words = strings.Fields(v)
			if c.Source == "ssh -G" && fileListKeys[strings.ToLower(key)] {
				words = joinFileList(words)
			}
		}
		for _, f := range words {
			if f != "none" {
				out = append(out, f)
			}
		}
	}
	return out
}

// fileListKeys are the keywords whose value is a list of file names.
var fileListKeys = map[string]bool{"userknownhostsfile": true, "globalknownhostsfile": true}

// List splits a comma-separated algorithm list.
func (c *Config) List(key string) []string {
	v := c.Get(key)
	if v == "" || v == "none" {
		return nil
	}
	return strings.Split(v, ",")
}

// Port returns the port (22 when unset or unparsable).
func (c *Config) Port() int {
	if p, err := strconv.Atoi(c.Get("port")); err == nil && p > 0 && p < 65536 {
		return p
	}
	return 22
}

// ConnectTimeout returns ConnectTimeout, or 0 when ssh would use the
// kernel's (about two minutes for a dropped SYN).
func (c *Config) ConnectTimeout() time.Duration {
	if n, err := strconv.Atoi(c.Get("connecttimeout")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 0
}

// Yes reports whether a flag keyword is on (yes or true).
func (c *Config) Yes(key string) bool {
	switch strings.ToLower(c.Get(key)) {
	case "yes", "true":
		return true
	}
	return false
}

// Parse reads `ssh -G` output.
func Parse(r io.Reader, source string) (*Config, error) {
	c := New(source)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		if k == "" {
			continue
		}
		c.Add(k, v)
		n++
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("ssh -G printed nothing")
	}
	return c, nil
}

// Request is what the user asked ssh for.
type Request struct {
	Host          string
	User          string
	Port          int
	Identities    []string
	ConfigFile    string
	Options       [][2]string
	AddressFamily string // "", "inet", "inet6"
}

// Args returns ssh's command-line arguments for the request (without -G).
func (r Request) Args() []string {
	var a []string
	if r.ConfigFile != "" {
		a = append(a, "-F", r.ConfigFile)
	}
	for _, o := range r.Options {
		a = append(a, "-o", o[0]+"="+o[1])
	}
	if r.Port != 0 {
		a = append(a, "-p", strconv.Itoa(r.Port))
	}
	if r.User != "" {
		a = append(a, "-l", r.User)
	}
	for _, i := range r.Identities {
		a = append(a, "-i", i)
	}
	switch r.AddressFamily {
	case "inet":
		a = append(a, "-4")
	case "inet6":
		a = append(a, "-6")
	}
	return append(a, "--", r.Host)
}

// ClientError is ssh rejecting its configuration.
type ClientError struct {
	// Message is ssh's first error line.
	Message string
	// File and Line locate the bad line when ssh named them.
	File string
	Line int
	// BadPerms is set for "Bad owner or permissions on FILE".
	BadPerms bool
	Stderr   string
	// Problems are every rejected line ssh named, in its order.
	Problems []Problem
	// SSHVersion is `ssh -V` output when known.
	SSHVersion string
}

func (e *ClientError) Error() string { return e.Message }

var (
	lineErrRE  = lazyre.New(`^(.+?):? line (\d+): (.+)$`)
	badPermsRE = lazyre.New(`Bad owner or permissions on (.+)$`)
)

// classifyStderr turns ssh -G's complaint into a ClientError.
func classifyStderr(stderr string) *ClientError {
	e := &ClientError{Stderr: stderr, Problems: ParseProblems(stderr)}
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(strings.TrimRight(l, "\r"))
		if l == "" || strings.HasPrefix(l, "Pseudo-terminal") {
			continue
		}
		if m := badPermsRE.FindStringSubmatch(l); m != nil {
			e.Message, e.File, e.BadPerms = l, strings.TrimSpace(m[1]), true
			return e
		}
		if m := lineErrRE.FindStringSubmatch(l); m != nil && e.File == "" {
			e.Message, e.File = l, m[1]
			e.Line, _ = strconv.Atoi(m[2])
			return e
		}
		if e.Message == "" {
			e.Message = l
		}
	}
	if e.Message == "" {
		e.Message = "ssh -G failed"
	}
	return e
}

// sshGTimeout bounds `ssh -G`: it only reads config files, but a Match exec
// line can run anything, and a hung one must not hang the diagnosis.
var sshGTimeout = 10 * time.Second

// maxOutput caps what is read from ssh -G (its output is ~100 lines).
const maxOutput = 256 * 1024

// ErrNoSSH means no ssh binary was found.
var ErrNoSSH = errors.New("ssh is not installed")

// FromSSH runs `ssh -G` for the request. It returns ErrNoSSH when ssh is
// missing and *ClientError when ssh rejects the configuration.
func FromSSH(ctx context.Context, req Request, env []string) (*Config, error) {
	bin, err := exec.LookPath("ssh")
	if err != nil {
		return nil, ErrNoSSH
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, sshGTimeout)
	defer cancel()
	// -v makes ssh print its version line (what ssh -V prints) before it
	// reads the configuration: one process instead of two. Its debug
	// lines are dropped from what is classified.
	cmd := exec.CommandContext(ctx, bin, append([]string{"-G", "-v"}, req.Args()...)...)
	cmd.Env = env
	cmd.WaitDelay = time.Second
	ownGroup(cmd)
	out, errb := capped.New(maxOutput), capped.New(64*1024)
	cmd.Stdout, cmd.Stderr = out, errb
	runErr := cmd.Run()
	if ctx.Err() != nil {
		if parent.Err() != nil {
			return nil, parent.Err() // interrupted, not timed out
		}
		home, _ := os.UserHomeDir()
		return nil, &TimeoutError{After: sshGTimeout, Commands: CommandLines(req, home)}
	}
	stderr, version := splitVerbose(errb.String())
	if version != "" {
		versions.Store(bin, version)
	} else {
		version = sshVersion(ctx, bin)
	}
	if runErr != nil {
		var ee *exec.ExitError
		if errors.As(runErr, &ee) {
			ce := classifyStderr(stderr)
			ce.SSHVersion = version
			return nil, ce
		}
		return nil, runErr
	}
	c, err := Parse(bytes.NewReader(out.Bytes()), "ssh -G")
	if err != nil {
		return nil, err
	}
	// ssh -G prints the log level -v set, not the user's: not a setting
	// of theirs, so not reported as one.
	delete(c.values, "loglevel")
	c.SSHVersion = version
	return c, nil
}

// splitVerbose separates what ssh -v adds to ssh -G's stderr: the version
// line it prints first (returned when it has ssh -V's form) and its debug
// lines (dropped); the rest is what ssh -G says without -v.
func splitVerbose(stderr string) (rest, version string) {
	var keep []string
	for i, l := range strings.SplitAfter(stderr, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case i == 0 && strings.HasPrefix(t, "OpenSSH"):
			version = t
		case strings.HasPrefix(t, "debug1: "), strings.HasPrefix(t, "debug2: "), strings.HasPrefix(t, "debug3: "):
		default:
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, ""), version
}

// versions caches `ssh -V` by program path: it does not change while
// sshdoctor runs, and a scan or a jump chain asks once per hop.
var versions sync.Map

func sshVersion(ctx context.Context, bin string) string {
	if v, ok := versions.Load(bin); ok {
		return v.(string)
	}
	v := querySSHVersion(ctx, bin)
	if v != "" {
		versions.Store(bin, v)
	}
	return v
}

func querySSHVersion(ctx context.Context, bin string) string {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-V")
	b := capped.New(4096)
	cmd.Stdout, cmd.Stderr = b, b
	if err := cmd.Run(); err != nil {
		return ""
	}
	return strings.TrimSpace(b.String())
}
