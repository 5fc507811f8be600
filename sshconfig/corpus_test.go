package sshconfig

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// corpusKeys are the settings compared between the real `ssh -G` and the
// fallback parser on every file of the corpus.
var corpusKeys = []string{"hostname", "port", "user", "identityfile", "userknownhostsfile", "proxyjump",
	"proxycommand", "identitiesonly", "forwardagent", "stricthostkeychecking", "connecttimeout", "addressfamily"}

var matchExecRE = regexp.MustCompile(`(?i)^(\s*)match\b.*\bexec\b.*$`)

// corpusHosts lists the concrete Host names of a file (no wildcard, no
// negation), and one name that only wildcard blocks match.
func corpusHosts(text string) []string {
	hosts := []string{"sshdoctor-corpus.example"}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		k, v := splitKV(strings.TrimSpace(sc.Text()))
		if !strings.EqualFold(k, "host") {
			continue
		}
		pats, _ := SplitArgs(v, true)
		for _, p := range pats {
			if strings.ContainsAny(p, "*?!%") || seen[p] || len(hosts) >= 5 {
				continue
			}
			seen[p] = true
			hosts = append(hosts, p)
		}
	}
	return hosts
}

func normValue(key, v, home string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "~/") {
		v = home + v[1:]
	}
	switch strings.ToLower(v) {
	case "yes", "true":
		return "yes"
	case "no", "false":
		return "no"
	}
	if key == "hostname" {
		return strings.ToLower(v)
	}
	return v
}

// TestCorpusFallbackAgreesWithSSH runs every real client config of the
// corpus (testdata/corpus, sources in SOURCES) through the real ssh -G and
// through the fallback parser used where OpenSSH is not installed. Where
// ssh accepts the file, every compared value must agree, except inside
// Match blocks, which the fallback says it does not evaluate; where ssh
// rejects it, the reader must name the file and line ssh names.
func TestCorpusFallbackAgreesWithSSH(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ssh is not installed")
		}
		t.Skip("ssh is not installed")
	}
	files, _ := filepath.Glob("testdata/corpus/*.conf")
	if len(files) < 60 {
		t.Fatalf("corpus has %d client configs, want at least 60", len(files))
	}
	accepted, rejected, compared := 0, 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// ssh expands ~ with the account's home directory (getpwuid), not $HOME.
		home := pwHome(t)
		dir := t.TempDir()
		// Match exec runs a command while ssh reads its config: neutralised.
		text := matchExecRE.ReplaceAllString(string(b), "${1}Match exec false")
		cfg := filepath.Join(dir, "config")
		if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
		for _, h := range corpusHosts(text) {
			req := Request{Host: h, ConfigFile: cfg}
			real, err := FromSSH(context.Background(), req, env)
			if err != nil {
				ce, ok := err.(*ClientError)
				if !ok {
					t.Errorf("%s host %s: %v", f, h, err)
					continue
				}
				rejected++
				t.Logf("%s: ssh rejects it: %s", filepath.Base(f), strings.TrimSpace(ce.Message))
				for _, p := range ce.Problems {
					if strings.Contains(p.Message, "Bad configuration option") && (p.Kind != ProblemUnknownOption || p.Option == "") ||
						strings.Contains(p.Message, "Bad Match condition") && p.Kind != ProblemMatch {
						t.Errorf("%s: %q read as %+v", f, p.Message, p)
					}
				}
				for _, l := range strings.Split(ce.Stderr, "\n") {
					if m := locRE.FindStringSubmatch(strings.TrimSpace(l)); m != nil && m[1] == cfg {
						found := false
						for _, p := range ce.Problems {
							found = found || p.File == cfg && l != "" && strings.Contains(l, " "+itoa(p.Line)+": ")
						}
						if !found {
							t.Errorf("%s: ssh says %q, problems %+v", f, l, ce.Problems)
						}
					}
				}
				break // the same lines for every host
			}
			accepted++
			fb, unsupported, err := Fallback(req, home)
			if err != nil {
				t.Errorf("%s host %s: fallback: %v", f, h, err)
				continue
			}
			if len(unsupported) > 0 {
				continue // Match blocks: the fallback says it did not evaluate them
			}
			compared++
			for _, k := range corpusKeys {
				var rv, fv []string
				for _, v := range real.All(k) {
					rv = append(rv, normValue(k, v, home))
				}
				if !real.Has(k) {
					continue
				}
				for _, v := range fb.All(k) {
					fv = append(fv, normValue(k, v, home))
				}
				if k == "userknownhostsfile" {
					rv, fv = real.Fields(k), fb.Fields(k)
					for i := range fv {
						fv[i] = normValue(k, fv[i], home)
					}
				}
				if k == "identityfile" {
					sort.Strings(rv)
					sort.Strings(fv)
				}
				if strings.Join(rv, "|") != strings.Join(fv, "|") {
					t.Errorf("%s host %s: %s: ssh -G %q, fallback %q", filepath.Base(f), h, k, rv, fv)
				}
			}
		}
	}
	t.Logf("%d files; host queries: %d accepted (%d compared, the rest use Match), %d files rejected by ssh", len(files), accepted, compared, rejected)
}

func pwHome(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.HomeDir
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
