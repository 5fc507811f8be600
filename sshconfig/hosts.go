package sshconfig

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Bounds of HostAliases: it runs while a shell waits for a completion, so
// it reads at most this many files (Include globs can be wide), stops at
// this many names, and gives up when the deadline passes with what it has.
const (
	maxAliasFiles   = 64
	maxAliases      = 2000
	aliasesDeadline = 500 * time.Millisecond
)

// HostAliases lists the concrete names of Host lines in the ssh config
// files (configFile when set, as ssh -F; otherwise ~/.ssh/config and the
// system config), following Include in every block: names a user can type
// after `ssh`. Patterns (*, ?), negations (!name) and Match blocks are left
// out, since no single name stands for them. Unreadable files are skipped:
// this is for shell completion, which must stay silent.
func HostAliases(configFile, home string) []string {
	files := []string{configFile}
	if configFile == "" {
		files = []string{filepath.Join(home, ".ssh", "config"), systemConfig()}
	}
	a := &aliasReader{home: home, seen: map[string]bool{}, deadline: time.Now().Add(aliasesDeadline)}
	for _, f := range files {
		a.file(f, 0)
	}
	sort.Strings(a.names)
	return a.names
}

type aliasReader struct {
	home     string
	names    []string
	seen     map[string]bool
	files    int
	deadline time.Time
}

func (a *aliasReader) full() bool {
	return a.files >= maxAliasFiles || len(a.names) >= maxAliases || time.Now().After(a.deadline)
}

func (a *aliasReader) file(name string, depth int) {
	if depth > maxIncludeDepth || a.full() {
		return
	}
	a.files++
	f, err := os.Open(name)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxConfigBytes))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() && !a.full() {
		k, v := splitKV(strings.TrimSpace(sc.Text()))
		switch strings.ToLower(k) {
		case "host":
			hosts, _ := SplitArgs(v, true)
			for _, h := range hosts {
				if h == "" || strings.ContainsAny(h, "*?!") || a.seen[h] {
					continue
				}
				a.seen[h] = true
				a.names = append(a.names, h)
			}
		case "include":
			incs, _ := SplitArgs(v, true)
			for _, pat := range incs {
				pat = expandTilde(pat, a.home)
				if !filepath.IsAbs(pat) {
					pat = filepath.Join(a.home, ".ssh", pat)
				}
				matches, _ := filepath.Glob(pat)
				for _, m := range matches {
					a.file(m, depth+1)
				}
			}
		}
	}
}
