package inventory

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/sshconfig"
)

// KnownHostsResult is what a known_hosts file yields. Hashed entries
// (HashKnownHosts yes) store only an HMAC of the name, so they cannot be
// listed: they are counted instead, so the person knows the list is short.
type KnownHostsResult struct {
	Targets  []Target
	Hashed   int // entries skipped because their names are hashed
	Patterns int // host patterns skipped because they hold wildcards or negations
	Bad      int // lines ssh itself would skip
}

// ParseKnownHosts lists the plain host names and addresses of a
// known_hosts file (through the project's own known_hosts parser).
// [host]:port entries keep their port; @revoked and @cert-authority lines
// name no machine and are not listed.
func ParseKnownHosts(r io.Reader, file string) (*KnownHostsResult, error) {
	b, err := readAll(r, file)
	if err != nil {
		return nil, err
	}
	entries, bad, err := sshconfig.ParseKnownHosts(bytes.NewReader(b), file)
	if err != nil {
		return nil, err
	}
	res := &KnownHostsResult{Bad: len(bad)}
	for _, e := range entries {
		if e.Marker != "" {
			continue
		}
		if e.Hashed {
			res.Hashed++
			continue
		}
		for _, pat := range strings.Split(e.Hosts, ",") {
			if pat == "" {
				continue
			}
			if strings.ContainsAny(pat, "*?!") {
				res.Patterns++
				continue
			}
			host, port := pat, 0
			if strings.HasPrefix(pat, "[") {
				end := strings.Index(pat, "]")
				if end < 0 {
					res.Bad++
					continue
				}
				host = pat[1:end]
				if rest := pat[end+1:]; strings.HasPrefix(rest, ":") {
					p, err := parsePort(rest[1:])
					if err != nil {
						res.Bad++
						continue
					}
					if p != 22 {
						port = p
					}
				}
			}
			if checkHost(host) != nil {
				res.Bad++
				continue
			}
			if len(res.Targets) >= MaxTargets {
				return nil, errAt(file, e.Line, "more than %d targets", MaxTargets)
			}
			res.Targets = append(res.Targets, Target{Name: host, Host: host, Port: port,
				Source: file + ":" + strconv.Itoa(e.Line)})
		}
	}
	res.Targets = Dedup(res.Targets)
	return res, nil
}

// SSHConfigHosts lists every concrete Host of an ssh client config: the
// names in Host lines that hold no wildcard (*, ?) and are not negated,
// following Include as ssh does (relative paths under ~/.ssh). Where each
// alias really goes (HostName, Port, User, ProxyJump) is left to `ssh -G`,
// which the check's config layer runs for every target, so the scan sees
// exactly what ssh would.
func SSHConfigHosts(file, home string) ([]Target, error) {
	var out []Target
	seen := map[string]bool{}
	if err := sshConfigFile(file, home, 0, seen, &out); err != nil {
		return nil, err
	}
	return out, nil
}

const maxIncludeDepth = 16

func sshConfigFile(name, home string, depth int, seen map[string]bool, out *[]Target) error {
	if depth > maxIncludeDepth {
		return fmt.Errorf("%s: Include nested too deeply", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := readAll(f, name)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v := splitKV(line)
		switch strings.ToLower(k) {
		case "host":
			for _, pat := range splitArgs(v) {
				if pat == "" || strings.ContainsAny(pat, "*?!") || seen[pat] {
					continue
				}
				seen[pat] = true
				*out = append(*out, Target{Name: pat, Host: pat, Source: name + ":" + strconv.Itoa(n)})
			}
		case "include":
			for _, pat := range splitArgs(v) {
				if strings.HasPrefix(pat, "~/") {
					pat = filepath.Join(home, pat[2:])
				}
				if !filepath.IsAbs(pat) {
					pat = filepath.Join(home, ".ssh", pat)
				}
				matches, _ := filepath.Glob(pat)
				for _, m := range matches {
					if err := sshConfigFile(m, home, depth+1, seen, out); err != nil && !os.IsNotExist(err) {
						return err
					}
				}
			}
		}
	}
	return sc.Err()
}

// splitKV splits "Key value" or "Key=value" as ssh_config does.
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

// splitArgs splits on white space, keeping double-quoted words together.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	inQ := false
	for _, r := range s {
		switch {
		case r == '"':
			inQ = !inQ
		case (r == ' ' || r == '\t') && !inQ:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
