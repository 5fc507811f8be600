package sshconfig

import (
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// ProblemKind says what ssh found wrong on one configuration line.
type ProblemKind string

const (
	// ProblemUnknownOption is a keyword this ssh does not know
	// ("Bad configuration option: usekeychain").
	ProblemUnknownOption ProblemKind = "unknown_option"
	// ProblemUnknownAlgorithm is an algorithm name this ssh does not know
	// ("Unsupported KEX algorithm", "Bad SSH2 KexAlgorithms").
	ProblemUnknownAlgorithm ProblemKind = "unknown_algorithm"
	// ProblemMatch is a Match line with an attribute this ssh does not know.
	ProblemMatch ProblemKind = "bad_match"
	// ProblemUnsetVariable is ${VAR} in a value with VAR unset.
	ProblemUnsetVariable ProblemKind = "unset_variable"
	// ProblemOther is any other complaint about a line.
	ProblemOther ProblemKind = "other"
)

// Problem is one configuration line ssh rejects.
type Problem struct {
	Kind    ProblemKind
	File    string
	Line    int
	Message string // ssh's own line
	// Option is the keyword (unknown option, unknown algorithm list) or the
	// Match attribute; Value the rejected list or expansion; Name the
	// unknown algorithm or the unset variable.
	Option string
	Value  string
	Name   string
}

var (
	// "FILE: line N: Bad configuration option: kw" (OpenSSH 7–10) and
	// "FILE line N: ..." (the form of most other messages).
	locRE        = lazyre.New(`^(.+?):? line (\d+): (.+)$`)
	badOptionRE  = lazyre.New(`^Bad configuration option: (\S+)`)
	badAlgsRE    = lazyre.New(`^Bad SSH2 (\S+?)(?: spec)? '([^']*)'\.?$`)
	badKeyTypeRE = lazyre.New(`^Bad key types '([^']*)'\.?$`)
	unsupAlgRE   = lazyre.New(`^Unsupported (?:KEX|cipher|MAC|key type|host key|\S+) algorithm "([^"]+)"`)
	unsupMatchRE = lazyre.New(`^Unsupported Match attribute (\S+)`)
	envUnsetRE   = lazyre.New(`env var \$\{([^}]+)\} has no value`)
	envLineRE    = lazyre.New(`^Invalid environment expansion (.+?)\.?$`)
)

// ParseProblems reads every rejected line from ssh's stderr (ssh reports
// them all before "terminating, N bad configuration options"). Context
// lines that precede a located one ("Unsupported KEX algorithm ...",
// "env var ${X} has no value") are folded into it.
func ParseProblems(stderr string) []Problem {
	var out []Problem
	pendingName, pendingAttr := "", ""
	envLine := "" // an unset-variable complaint not yet tied to a line
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(strings.TrimRight(l, "\r"))
		if l == "" {
			continue
		}
		if m := unsupAlgRE.FindStringSubmatch(l); m != nil {
			pendingName = m[1]
			continue
		}
		if m := unsupMatchRE.FindStringSubmatch(l); m != nil {
			pendingAttr = m[1]
			continue
		}
		if m := envUnsetRE.FindStringSubmatch(l); m != nil {
			pendingName, envLine = m[1], l
			continue
		}
		m := locRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		p := Problem{Kind: ProblemOther, File: m[1], Line: n, Message: l}
		rest := m[3]
		switch {
		case badOptionRE.MatchString(rest):
			p.Kind, p.Option = ProblemUnknownOption, strings.ToLower(badOptionRE.FindStringSubmatch(rest)[1])
		case badAlgsRE.MatchString(rest):
			mm := badAlgsRE.FindStringSubmatch(rest)
			p.Kind, p.Option, p.Value, p.Name = ProblemUnknownAlgorithm, algOption(mm[1]), mm[2], pendingName
		case badKeyTypeRE.MatchString(rest):
			p.Kind, p.Value, p.Name = ProblemUnknownAlgorithm, badKeyTypeRE.FindStringSubmatch(rest)[1], pendingName
		case strings.HasPrefix(rest, "Bad Match condition"):
			p.Kind, p.Option = ProblemMatch, strings.ToLower(pendingAttr)
		case envLineRE.MatchString(rest):
			p.Kind, p.Value, p.Name = ProblemUnsetVariable, envLineRE.FindStringSubmatch(rest)[1], pendingName
		}
		pendingName, pendingAttr, envLine = "", "", ""
		out = append(out, p)
	}
	if envLine != "" {
		// ControlPath, IdentityAgent and friends are expanded after the
		// files are read: ssh names the variable but no file or line.
		out = append(out, Problem{Kind: ProblemUnsetVariable, Name: pendingName, Message: envLine})
	}
	return out
}

// algOption maps the word ssh uses in "Bad SSH2 ..." to the keyword.
func algOption(w string) string {
	switch strings.ToLower(w) {
	case "cipher":
		return "ciphers"
	case "mac":
		return "macs"
	}
	return strings.ToLower(w)
}

// Since is the first OpenSSH release that knows a client keyword, Match
// attribute or algorithm name, or the only build that does. From the
// OpenSSH release notes (openssh.com/releasenotes.html) and Apple's
// ssh_config(5) for UseKeychain.
type Since struct {
	Version string // "9.4" ("" when only a vendor build knows it)
	Vendor  string // "Apple's OpenSSH (macOS)" for vendor-only keywords
}

var knownSince = map[string]Since{
	// keywords
	"usekeychain":              {Vendor: "Apple's OpenSSH (macOS)"},
	"addkeystoagent":           {Version: "7.2"},
	"include":                  {Version: "7.3"},
	"proxyjump":                {Version: "7.3"},
	"identityagent":            {Version: "7.3"},
	"setenv":                   {Version: "7.8"},
	"securitykeyprovider":      {Version: "8.2"},
	"pubkeyacceptedalgorithms": {Version: "8.5"},
	"knownhostscommand":        {Version: "8.5"},
	"sessiontype":              {Version: "8.7"},
	"stdinnull":                {Version: "8.7"},
	"forkafterauthentication":  {Version: "8.7"},
	"requiredrsasize":          {Version: "9.1"},
	"enableescapecommandline":  {Version: "9.2"},
	"channeltimeout":           {Version: "9.2"},
	"tag":                      {Version: "9.4"},
	"tagged":                   {Version: "9.4"}, // Match tagged
	"obscurekeystroketiming":   {Version: "9.5"},
	"version":                  {Version: "10.0"}, // Match version
	"refuseconnection":         {Version: "10.0"},
	// algorithm names
	"mlkem768x25519-sha256":              {Version: "9.9"},
	"sntrup761x25519-sha512":             {Version: "9.9"},
	"sntrup761x25519-sha512@openssh.com": {Version: "8.5"},
	"curve25519-sha256":                  {Version: "7.4"},
	"rsa-sha2-256":                       {Version: "7.2"},
	"rsa-sha2-512":                       {Version: "7.2"},
	"sk-ssh-ed25519@openssh.com":         {Version: "8.2"},
	"sk-ecdsa-sha2-nistp256@openssh.com": {Version: "8.2"},
}

// KnownSince says which OpenSSH knows a keyword or algorithm name (false
// when sshdoctor does not know either).
func KnownSince(name string) (Since, bool) {
	s, ok := knownSince[strings.ToLower(name)]
	return s, ok
}
