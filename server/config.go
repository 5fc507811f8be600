package server

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/sshconfig"
)

// Origin is where a setting's value was read.
type Origin struct {
	File string
	Line int
	// Match is the Match line the setting sits under ("" at top level).
	Match string
}

func (o Origin) String() string {
	if o.File == "" {
		return "default"
	}
	return o.File + ":" + strconv.Itoa(o.Line)
}

// Settings are sshd options by lower-case keyword. A keyword that sshd
// repeats (AllowUsers, HostKey, ListenAddress…) holds one value per item.
type Settings map[string][]string

// Get returns the first value of keyword ("" when unset).
func (s Settings) Get(k string) string {
	if v := s[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Ignored is a line sshd reads but whose value does not count, because the
// keyword was already set (sshd keeps the first value it reads).
type Ignored struct {
	Keyword string
	Value   string
	At      Origin
	Winner  Origin
	WinVal  string
}

// ConnInfo is the connection a Match block is evaluated for (sshd -C).
type ConnInfo struct {
	User   string
	Groups []string
	Host   string
	Addr   string
	LAddr  string
	LPort  int
	// AddrKnown is false when Addr is a stand-in, so Address-dependent
	// Match blocks are uncertain.
	AddrKnown bool
}

// ConfigFile is an sshd configuration read from files, evaluated for one
// connection the way sshd evaluates it.
type ConfigFile struct {
	Settings Settings
	Origins  map[string]Origin
	Ignored  []Ignored
	Files    []string // every file read, in order
	// Uncertain lists Match lines whose outcome depends on something not
	// known (the client's address when --from is not given).
	Uncertain []string
	// Problems are lines this reader could not understand (sshd -t is the
	// authority on errors; these are only hints).
	Problems []string
}

// accumulating keywords append values across lines instead of keeping the
// first one (servconf.c: "appends to list; doesn't respect
// first-match-wins").
var accumulating = map[string]bool{
	"allowusers": true, "denyusers": true, "allowgroups": true, "denygroups": true,
	"hostkey": true, "hostcertificate": true, "listenaddress": true, "port": true,
	"acceptenv": true, "subsystem": true, "include": true,
}

// multiArg keywords keep all their arguments as one value.
var multiArg = map[string]bool{
	"authorizedkeysfile": true, "authenticationmethods": true, "authorizedkeyscommand": true,
	"forcecommand": true, "setenv": true, "permitopen": true, "permitlisten": true,
	"channeltimeout": true, "ipqos": true, "rekeylimit": true, "persourcepenalties": true,
	"persourcepenaltyexemptlist": true, "logverbose": true, "subsystem": true,
}

// keywordAlias maps the old names sshd still accepts to the option they
// set (servconf.c keywords[]), so a value and its file and line follow the
// alias: RHEL's 50-redhat.conf sets ChallengeResponseAuthentication, and
// "DSAAuthentication no" turns off every public key.
var keywordAlias = map[string]string{
	"challengeresponseauthentication": "kbdinteractiveauthentication",
	"pubkeyacceptedkeytypes":          "pubkeyacceptedalgorithms",
	"hostbasedacceptedkeytypes":       "hostbasedacceptedalgorithms",
	"dsaauthentication":               "pubkeyauthentication",
}

// maxIncludeDepth matches sshd's SERVCONF_MAX_DEPTH.
const maxIncludeDepth = 16

// maxConfigFiles and maxConfigBytes bound a hostile Include glob.
const (
	maxConfigFiles = 256
	maxConfigBytes = 4 << 20
)

// sshdConfigDir is where relative Include paths are resolved (SSHDIR).
const sshdConfigDir = "/etc/ssh"

type cfgParser struct {
	conn    ConnInfo
	cfg     *ConfigFile
	global  map[string]bool // keyword set at top level (first wins)
	match   map[string]bool // keyword set in an applying Match block
	gvals   Settings
	mvals   Settings
	gorig   map[string]Origin
	morig   map[string]Origin
	readB   int
	openErr func(path string) (io.ReadCloser, error)
}

// ReadConfigFile reads path and its Includes and evaluates Match blocks
// for conn. Only a missing or unreadable top-level file is an error.
func ReadConfigFile(path string, conn ConnInfo) (*ConfigFile, error) {
	return readConfig(path, conn, func(p string) (io.ReadCloser, error) { return os.Open(p) })
}

func readConfig(path string, conn ConnInfo, open func(string) (io.ReadCloser, error)) (*ConfigFile, error) {
	p := &cfgParser{conn: conn, cfg: &ConfigFile{}, global: map[string]bool{}, match: map[string]bool{},
		gvals: Settings{}, mvals: Settings{}, gorig: map[string]Origin{}, morig: map[string]Origin{}, openErr: open}
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	active := true
	matchLine := ""
	err = p.parse(f, path, 0, &active, &matchLine, true)
	f.Close()
	if err != nil {
		return nil, err
	}
	// Values from applying Match blocks replace the global ones (sshd's
	// copy_set_server_options), then defaults fill the rest.
	s := Settings{}
	orig := map[string]Origin{}
	for k, v := range p.gvals {
		s[k], orig[k] = v, p.gorig[k]
	}
	for k, v := range p.mvals {
		s[k], orig[k] = v, p.morig[k]
	}
	p.cfg.Settings, p.cfg.Origins = s, orig
	return p.cfg, nil
}

// ParseConfig reads configuration text from r (for tests and fuzzing);
// Includes are not followed.
func ParseConfig(r io.Reader, name string, conn ConnInfo) *ConfigFile {
	cfg, _ := readConfig(name, conn, func(p string) (io.ReadCloser, error) {
		if p == name {
			return io.NopCloser(r), nil
		}
		return nil, os.ErrNotExist
	})
	return cfg
}

func (p *cfgParser) parse(r io.Reader, name string, depth int, active *bool, matchLine *string, top bool) error {
	p.cfg.Files = append(p.cfg.Files, name)
	sc := bufio.NewScanner(io.LimitReader(r, int64(maxConfigBytes-p.readB)))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	n := 0
	for sc.Scan() {
		n++
		p.readB += len(sc.Bytes()) + 1
		kw, args, ok := splitConfigLine(sc.Text())
		if !ok {
			continue
		}
		if canon, ok := keywordAlias[kw]; ok {
			kw = canon
		}
		at := Origin{File: name, Line: n, Match: *matchLine}
		switch kw {
		case "match":
			*active, *matchLine = p.evalMatch(args, at)
			continue
		case "include":
			if depth+1 > maxIncludeDepth {
				p.cfg.Problems = append(p.cfg.Problems, fmt.Sprintf("%s line %d: Include nested too deeply", name, n))
				continue
			}
			for _, pat := range args {
				if !filepath.IsAbs(pat) {
					pat = filepath.Join(sshdConfigDir, pat)
				}
				matches, _ := filepath.Glob(pat)
				sort.Strings(matches)
				for _, m := range matches {
					if len(p.cfg.Files) >= maxConfigFiles {
						p.cfg.Problems = append(p.cfg.Problems, "too many included files; the rest were not read")
						break
					}
					f, err := p.openErr(m)
					if err != nil {
						p.cfg.Problems = append(p.cfg.Problems, fmt.Sprintf("%s: %v", m, errText(err)))
						continue
					}
					saved, savedLine := *active, *matchLine
					_ = p.parse(f, m, depth+1, active, matchLine, false)
					f.Close()
					*active, *matchLine = saved, savedLine
				}
			}
			continue
		}
		if !*active {
			continue
		}
		val := strings.Join(args, " ")
		inMatch := *matchLine != ""
		set, vals, orig := p.global, p.gvals, p.gorig
		if inMatch {
			set, vals, orig = p.match, p.mvals, p.morig
		}
		if accumulating[kw] {
			if !set[kw] {
				orig[kw] = at
				set[kw] = true
				vals[kw] = nil
			}
			if multiArg[kw] {
				vals[kw] = append(vals[kw], val)
			} else {
				vals[kw] = append(vals[kw], args...)
			}
			continue
		}
		if set[kw] {
			if w := vals.Get(kw); !strings.EqualFold(w, val) {
				p.cfg.Ignored = append(p.cfg.Ignored, Ignored{Keyword: kw, Value: val, At: at, Winner: orig[kw], WinVal: w})
			}
			continue
		}
		set[kw] = true
		orig[kw] = at
		vals[kw] = []string{val}
	}
	if sc.Err() != nil {
		p.cfg.Problems = append(p.cfg.Problems, fmt.Sprintf("%s: %v", name, sc.Err()))
	}
	if top {
		*active, *matchLine = true, ""
	}
	return nil
}

// splitConfigLine splits "Keyword args" / "Keyword=args" with sshd's
// quoting; the keyword is lower-cased.
func splitConfigLine(line string) (kw string, args []string, ok bool) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return "", nil, false
	}
	i := strings.IndexAny(line, " \t=")
	if i < 0 {
		return strings.ToLower(line), nil, true
	}
	kw = strings.ToLower(line[:i])
	rest := strings.TrimLeft(line[i:], " \t")
	if strings.HasPrefix(rest, "=") {
		rest = strings.TrimLeft(rest[1:], " \t")
	}
	return kw, splitArgs(rest), true
}

// splitArgs splits a value the way sshd does (OpenSSH's argv_split, with
// a '#' that starts an argument ending the line).
func splitArgs(s string) []string {
	args, _ := sshconfig.SplitArgs(s, true)
	return args
}

// evalMatch decides a Match line for the connection (servconf.c
// match_cfg_line). It returns whether the block applies and the line's
// label for origins.
func (p *cfgParser) evalMatch(args []string, at Origin) (bool, string) {
	label := "Match " + strings.Join(args, " ")
	if len(args) == 0 {
		p.cfg.Problems = append(p.cfg.Problems, fmt.Sprintf("%s: Match without criteria", at))
		return false, label
	}
	result := true
	uncertain := false
	for i := 0; i < len(args); i++ {
		crit := strings.ToLower(args[i])
		if crit == "all" {
			continue
		}
		if i+1 >= len(args) {
			p.cfg.Problems = append(p.cfg.Problems, fmt.Sprintf("%s: Match %s without a value", at, crit))
			return false, label
		}
		arg := args[i+1]
		i++
		c := p.conn
		switch crit {
		case "user":
			if matchPatternList(c.User, arg, false) != 1 {
				result = false
			}
		case "group":
			got := 0
			for _, g := range c.Groups {
				switch matchPatternList(g, arg, false) {
				case -1:
					got = -1
				case 1:
					if got == 0 {
						got = 1
					}
				}
			}
			if got != 1 {
				result = false
			}
		case "host":
			if matchPatternList(c.Host, arg, true) != 1 {
				result = false
			}
			if !c.AddrKnown {
				uncertain = true
			}
		case "address":
			if addrMatchList(c.Addr, arg) != 1 {
				result = false
			}
			if !c.AddrKnown {
				uncertain = true
			}
		case "localaddress":
			if c.LAddr == "" {
				uncertain = true
				result = false
			} else if addrMatchList(c.LAddr, arg) != 1 {
				result = false
			}
		case "localport":
			if strconv.Itoa(c.LPort) != arg {
				result = false
			}
		default:
			// rdomain, invalid-user, version…: not evaluated here.
			uncertain = true
			result = false
		}
	}
	if uncertain {
		p.cfg.Uncertain = append(p.cfg.Uncertain, at.String()+": "+label)
	}
	return result, label
}

// defaultSettings are upstream OpenSSH 9.x defaults for the keywords the
// checks read, used when sshd -T cannot run (not root) and a value is not
// in the files.
var defaultSettings = Settings{
	"port":                         {"22"},
	"addressfamily":                {"any"},
	"listenaddress":                {"0.0.0.0", "::"},
	"permitrootlogin":              {"prohibit-password"},
	"pubkeyauthentication":         {"yes"},
	"passwordauthentication":       {"yes"},
	"kbdinteractiveauthentication": {"yes"},
	"authorizedkeysfile":           {".ssh/authorized_keys .ssh/authorized_keys2"},
	"strictmodes":                  {"yes"},
	"usepam":                       {"no"},
	"maxauthtries":                 {"6"},
	"maxstartups":                  {"10:30:100"},
	"authorizedkeyscommand":        {"none"},
	"authorizedkeyscommanduser":    {"none"},
	"chrootdirectory":              {"none"},
	"forcecommand":                 {"none"},
	"authenticationmethods":        {"any"},
	"revokedkeys":                  {"none"},
	"usedns":                       {"no"},
	"pubkeyacceptedalgorithms":     {"ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256"},
}

// withDefaults returns s completed with defaults for missing keywords, in
// the shape sshd -T prints (ListenAddress addr:port, one item per line).
func withDefaults(s Settings) Settings {
	out := Settings{}
	for k, v := range s {
		out[k] = v
	}
	for k, v := range defaultSettings {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	// PubkeyAcceptedAlgorithms may be given as +list, -list or ^list
	// relative to the default.
	if v := out.Get("pubkeyacceptedalgorithms"); v != "" && strings.ContainsAny(v[:1], "+-^") {
		out["pubkeyacceptedalgorithms"] = []string{adjustAlgList(defaultSettings.Get("pubkeyacceptedalgorithms"), v)}
	}
	// Without ListenAddress sshd listens on the wildcard of each address
	// family AddressFamily allows (servconf.c fill_default_server_options).
	if _, set := s["listenaddress"]; !set {
		switch strings.ToLower(out.Get("addressfamily")) {
		case "inet":
			out["listenaddress"] = []string{"0.0.0.0"}
		case "inet6":
			out["listenaddress"] = []string{"::"}
		}
	}
	// ListenAddress without a port listens on every Port.
	var las []string
	ports := out["port"]
	for _, la := range out["listenaddress"] {
		host, port := splitHostPortLoose(la)
		if port != "" {
			las = append(las, joinHostPort(host, port))
			continue
		}
		for _, p := range ports {
			las = append(las, joinHostPort(host, p))
		}
	}
	out["listenaddress"] = las
	return out
}

// adjustAlgList applies OpenSSH's +/-/^ list modifiers to def.
func adjustAlgList(def, mod string) string {
	list := strings.Split(def, ",")
	items := strings.Split(mod[1:], ",")
	switch mod[0] {
	case '+':
		return strings.Join(append(list, items...), ",")
	case '^':
		return strings.Join(append(items, list...), ",")
	case '-':
		var out []string
		for _, a := range list {
			if matchPatternList(a, mod[1:], false) != 1 {
				out = append(out, a)
			}
		}
		return strings.Join(out, ",")
	}
	return def
}

// splitHostPortLoose splits "addr", "addr:port", "[v6]:port" or "v6".
func splitHostPortLoose(s string) (host, port string) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "", ""
	}
	s = f[0] // drop " rdomain X"
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]"); i > 0 {
			host = s[1:i]
			if strings.HasPrefix(s[i+1:], ":") {
				port = s[i+2:]
			}
			return host, port
		}
	}
	if strings.Count(s, ":") == 1 {
		i := strings.IndexByte(s, ':')
		return s[:i], s[i+1:]
	}
	return s, ""
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}
