package sshconfig

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/inputfile"
)

// TimeoutError says ssh -G did not finish in time. ssh -G only reads
// files; what can make it hang is a command the configuration runs while
// it is evaluated (Match exec), so the lines that run one are named.
type TimeoutError struct {
	After    time.Duration
	Commands []Located
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("ssh -G did not finish within %s", e.After)
}

// Located is a configuration line and where it is.
type Located struct {
	File string
	Line int
	Text string
}

// maxCommandLines caps how many command lines are reported.
const maxCommandLines = 10

// CommandLines lists the lines of the configuration files the request
// reads (following Include) that make ssh run a command while it
// evaluates the configuration: Match … exec.
func CommandLines(req Request, home string) []Located {
	files := []string{}
	if req.ConfigFile != "" {
		files = append(files, req.ConfigFile)
	} else {
		files = append(files, filepath.Join(home, ".ssh", "config"), systemConfig())
	}
	var out []Located
	for _, f := range files {
		out = commandLines(f, home, 0, out)
	}
	return out
}

func commandLines(name, home string, depth int, out []Located) []Located {
	if depth > maxIncludeDepth || len(out) >= maxCommandLines {
		return out
	}
	f, err := inputfile.Open(name) // never a named pipe: that is what may hang
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxConfigBytes))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() && len(out) < maxCommandLines {
		n++
		line := strings.TrimSpace(sc.Text())
		k, v := splitKV(line)
		switch strings.ToLower(k) {
		case "match":
			for _, w := range strings.Fields(v) {
				if strings.EqualFold(w, "exec") || strings.EqualFold(w, "!exec") {
					out = append(out, Located{File: name, Line: n, Text: line})
					break
				}
			}
		case "include":
			for _, pat := range strings.Fields(v) {
				pat = expandTilde(pat, home)
				if !filepath.IsAbs(pat) {
					pat = filepath.Join(home, ".ssh", pat)
				}
				matches, _ := filepath.Glob(pat)
				for _, m := range matches {
					out = commandLines(m, home, depth+1, out)
				}
			}
		}
	}
	return out
}
