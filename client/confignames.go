package client

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/inputfile"
)

// maxConfigScanBytes bounds one configuration file read by configMayName
// (a real ssh_config is a few kilobytes; a larger one is not scanned and
// counts as naming the keyword).
const maxConfigScanBytes = 1 << 20

// maxConfigScanDepth is ssh's own limit on nested Include (readconf.c
// READCONF_MAX_DEPTH).
const maxConfigScanDepth = 16

// configMayName reports whether a configuration file ssh reads for this
// run — the -F file, or ~/.ssh/config and the system file, and what they
// Include — may contain keyword (lower case). It answers false only when
// it read every such file and none has the word anywhere, so ssh cannot
// have set it from a file; any doubt (a file it cannot read, one too
// large, an Include with tokens or too deep) answers true.
func configMayName(configFile, home, keyword string) bool {
	if strings.EqualFold(configFile, "none") {
		return false
	}
	if configFile != "" {
		return fileMayName(configFile, userConfigBase(home), home, keyword, 0)
	}
	if home == "" {
		return true
	}
	return fileMayName(filepath.Join(home, ".ssh", "config"), userConfigBase(home), home, keyword, 0) ||
		fileMayName(systemSSHConfig(), filepath.Dir(systemSSHConfig()), home, keyword, 0)
}

// userConfigBase is where ssh looks for a relative Include of a user
// configuration file (-F files count as user files).
func userConfigBase(home string) string { return filepath.Join(home, ".ssh") }

// systemSSHConfig is the system-wide ssh_config ssh reads without -F.
func systemSSHConfig() string {
	if runtime.GOOS == "windows" {
		return filepath.Join(os.Getenv("ProgramData"), "ssh", "ssh_config")
	}
	return "/etc/ssh/ssh_config"
}

func fileMayName(name, base, home, keyword string, depth int) bool {
	if depth > maxConfigScanDepth {
		return true
	}
	data, truncated, err := inputfile.ReadFile(name, maxConfigScanBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return false // ssh skips a missing file too
	}
	if err != nil || truncated {
		return true
	}
	text := string(data)
	if strings.Contains(strings.ToLower(text), keyword) {
		return true
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		k, v, _ := strings.Cut(line, " ")
		if k2, v2, ok := strings.Cut(line, "="); ok && len(k2) < len(k) {
			k, v = k2, v2
		}
		if k2, v2, ok := strings.Cut(line, "\t"); ok && len(k2) < len(k) {
			k, v = k2, v2
		}
		if !strings.EqualFold(strings.TrimSpace(k), "include") {
			continue
		}
		if strings.ContainsAny(v, "%$\"") {
			return true // tokens, variables or quoting: not followed here
		}
		for _, pat := range strings.Fields(v) {
			if strings.HasPrefix(pat, "~/") {
				pat = filepath.Join(home, pat[2:])
			} else if strings.HasPrefix(pat, "~") {
				return true // another user's home
			}
			if !filepath.IsAbs(pat) {
				pat = filepath.Join(base, pat)
			}
			matches, err := filepath.Glob(pat)
			if err != nil {
				return true
			}
			for _, m := range matches {
				if fileMayName(m, base, home, keyword, depth+1) {
					return true
				}
			}
		}
	}
	return false
}
