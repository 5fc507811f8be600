package sshconfig

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Fallback builds the configuration without OpenSSH: command-line options,
// then the user's config (or -F), then the system config, first value
// wins, then ssh's defaults. Match blocks are not evaluated (their lines
// are skipped, and Unsupported lists them) — the source says so.
func Fallback(req Request, home string) (*Config, []string, error) {
	c := New("fallback parser")
	p := &parser{c: c, host: req.Host, home: home}
	for _, o := range req.Options {
		p.set(o[0], o[1])
	}
	if req.Port != 0 {
		p.set("port", strconv.Itoa(req.Port))
	}
	if req.User != "" {
		p.set("user", req.User)
	}
	for _, i := range req.Identities {
		p.set("identityfile", i)
	}
	switch req.AddressFamily {
	case "inet", "inet6":
		p.set("addressfamily", req.AddressFamily)
	}
	files := []string{}
	if req.ConfigFile != "" {
		files = append(files, req.ConfigFile)
	} else {
		files = append(files, filepath.Join(home, ".ssh", "config"), systemConfig())
	}
	for i, f := range files {
		if err := p.file(f, 0); err != nil {
			if os.IsNotExist(err) && (req.ConfigFile == "" || i > 0) {
				continue
			}
			return nil, p.unsupported, err
		}
	}
	p.defaults(req)
	return c, p.unsupported, nil
}

func systemConfig() string {
	if runtime.GOOS == "windows" {
		return filepath.Join(os.Getenv("ProgramData"), "ssh", "ssh_config")
	}
	return "/etc/ssh/ssh_config"
}

type parser struct {
	c           *Config
	host        string
	home        string
	unsupported []string
}

// multi lists keywords that accumulate instead of first-wins.
var multi = map[string]bool{"identityfile": true, "certificatefile": true, "localforward": true,
	"remoteforward": true, "dynamicforward": true, "sendenv": true, "setenv": true}

func (p *parser) set(k, v string) {
	k = strings.ToLower(k)
	if multi[k] {
		if k == "identityfile" || k == "certificatefile" {
			// readconf.c add_identity_file: a file already listed is not
			// added again.
			for _, have := range p.c.All(k) {
				if have == v {
					return
				}
			}
		}
		p.c.Add(k, v)
		return
	}
	if !p.c.Has(k) {
		p.c.Set(k, v)
	}
}

const maxIncludeDepth = 16

// maxConfigBytes caps a config file: real ones are a few kilobytes.
const maxConfigBytes = 4 << 20

func (p *parser) file(name string, depth int) error {
	if depth > maxIncludeDepth {
		return fmt.Errorf("%s: Include nested too deeply", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return p.parse(io.LimitReader(f, maxConfigBytes), name, depth)
}

func (p *parser) parse(r io.Reader, name string, depth int) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	active := true
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v := splitKV(line)
		if k == "" {
			continue
		}
		switch strings.ToLower(k) {
		case "host":
			pats, _ := SplitArgs(v, true)
			active = MatchHost(p.host, pats)
			continue
		case "match":
			active = false
			p.unsupported = append(p.unsupported, fmt.Sprintf("%s:%d: Match %s", name, lineNo, v))
			continue
		case "include":
			if !active {
				continue
			}
			incs, _ := SplitArgs(v, true)
			for _, pat := range incs {
				pat = expandTilde(pat, p.home)
				if !filepath.IsAbs(pat) {
					pat = filepath.Join(p.home, ".ssh", pat)
				}
				matches, _ := filepath.Glob(pat)
				for _, m := range matches {
					if err := p.file(m, depth+1); err != nil && !os.IsNotExist(err) {
						return err
					}
				}
			}
			continue
		}
		if active {
			p.set(k, value(k, v))
		}
	}
	return sc.Err()
}

func splitKV(line string) (string, string) {
	i := strings.IndexAny(line, " \t=")
	if i < 0 {
		return line, ""
	}
	k := line[:i]
	v := strings.TrimLeft(line[i:], " \t")
	v = strings.TrimPrefix(v, "=")
	return k, strings.TrimSpace(v)
}

// value is what ssh keeps of a line's value: the rest of the line for a
// command keyword, else its arguments as OpenSSH splits them (quotes
// removed, a trailing "# comment" dropped). A list keyword keeps each
// argument quoted when it holds white space, so Config.Fields splits it
// back the same way.
func value(k, v string) string {
	k = strings.ToLower(k)
	if restOfLine[k] {
		return v
	}
	args, _ := SplitArgs(v, true)
	if fileListKeys[k] {
		for i, a := range args {
			if strings.ContainsAny(a, " \t") {
				args[i] = `"` + a + `"`
			}
		}
	}
	return strings.Join(args, " ")
}

func expandTilde(s, home string) string {
	if s == "~" {
		return home
	}
	if strings.HasPrefix(s, "~/") {
		return filepath.Join(home, s[2:])
	}
	return s
}

// MatchHost applies ssh_config Host patterns: any positive match and no
// negated match.
func MatchHost(host string, patterns []string) bool {
	matched := false
	for _, pat := range patterns {
		neg := strings.HasPrefix(pat, "!")
		pat = strings.TrimPrefix(pat, "!")
		ok := MatchPattern(strings.ToLower(host), strings.ToLower(pat))
		if ok && neg {
			return false
		}
		if ok {
			matched = true
		}
	}
	return matched
}

func (p *parser) defaults(req Request) {
	hn := p.c.Get("hostname")
	if hn == "" {
		hn = req.Host
	} else {
		hn = strings.ReplaceAll(hn, "%h", req.Host)
		hn = strings.ReplaceAll(hn, "%%", "%")
	}
	p.c.Set("host", req.Host)
	p.c.Set("hostname", numericHost(hn))
	if !p.c.Has("user") {
		name := ""
		if u, err := user.Current(); err == nil {
			name = u.Username
			if i := strings.LastIndex(name, `\`); i >= 0 {
				name = name[i+1:]
			}
		}
		p.c.Set("user", name)
	}
	def := map[string]string{
		"port": "22", "addressfamily": "any", "connecttimeout": "none",
		"stricthostkeychecking": "ask", "batchmode": "no", "identitiesonly": "no",
		"pubkeyauthentication": "true", "passwordauthentication": "yes",
		"kbdinteractiveauthentication": "yes", "checkhostip": "no", "hashknownhosts": "no",
		"numberofpasswordprompts": "3", "loglevel": "INFO", "forwardagent": "no",
	}
	for k, v := range def {
		if !p.c.Has(k) {
			p.c.Set(k, v)
		}
	}
	if !p.c.Has("userknownhostsfile") {
		p.c.Set("userknownhostsfile", filepath.Join(p.home, ".ssh", "known_hosts")+" "+filepath.Join(p.home, ".ssh", "known_hosts2"))
	}
	if !p.c.Has("globalknownhostsfile") {
		p.c.Set("globalknownhostsfile", "/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2")
	}
	if !p.c.Has("identityfile") {
		for _, n := range []string{"id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa"} {
			p.c.Add("identityfile", "~/.ssh/"+n)
		}
	}
}

// numericHost writes a dotted IPv4 address the way ssh prints it after
// parsing it as an address (inet_aton: "000.000.000.000" is 0.0.0.0, a
// leading 0 means octal); any other name is returned as it is.
func numericHost(h string) string {
	parts := strings.Split(h, ".")
	if len(parts) != 4 {
		return h
	}
	out := make([]string, 4)
	for i, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return h
		}
		n, err := strconv.ParseUint(p, 0, 8)
		if err != nil {
			return h
		}
		out[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(out, ".")
}
