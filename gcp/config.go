package gcp

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// gcloud's defaults for project, zone and account: the flag, else the
// CLOUDSDK_<SECTION>_<PROPERTY> variable, else the active configuration
// (CLOUDSDK_ACTIVE_CONFIG_NAME, else the file active_config, else
// "default") in the configuration directory (CLOUDSDK_CONFIG, else
// %APPDATA%\gcloud on Windows, else ~/.config/gcloud).

// maxConfigBytes caps reading a gcloud configuration file.
const maxConfigBytes = 1 << 20

// Setting is a value and where it came from ("flag", an environment
// variable name, or the configuration file's path).
type Setting struct {
	Value  string
	Source string
}

// Defaults are the resolved project, zone and account.
type Defaults struct {
	Project, Zone, Account Setting
	// ConfigFile is the active configuration file read ("" if none).
	ConfigFile string
}

// ConfigDir returns gcloud's configuration directory.
func ConfigDir(getenv func(string) string, home string) string {
	if d := getenv("CLOUDSDK_CONFIG"); d != "" {
		return d
	}
	if runtime.GOOS == "windows" {
		if a := getenv("APPDATA"); a != "" {
			return filepath.Join(a, "gcloud")
		}
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "gcloud")
}

var configNameRE = lazyre.New(`^[a-z][-a-z0-9]*$`)

// ResolveDefaults applies flags, environment and the active gcloud
// configuration, in that order.
func ResolveDefaults(project, zone, account string, getenv func(string) string, home string) Defaults {
	var d Defaults
	set := func(dst *Setting, flag, env string) {
		switch {
		case flag != "":
			*dst = Setting{flag, "flag"}
		case getenv(env) != "":
			*dst = Setting{strings.TrimSpace(getenv(env)), env}
		}
	}
	set(&d.Project, project, "CLOUDSDK_CORE_PROJECT")
	set(&d.Zone, zone, "CLOUDSDK_COMPUTE_ZONE")
	set(&d.Account, account, "CLOUDSDK_CORE_ACCOUNT")
	if d.Project.Value != "" && d.Zone.Value != "" && d.Account.Value != "" {
		return d
	}
	dir := ConfigDir(getenv, home)
	if dir == "" {
		return d
	}
	name := strings.TrimSpace(getenv("CLOUDSDK_ACTIVE_CONFIG_NAME"))
	if name == "" {
		if b, err := readCapped(filepath.Join(dir, "active_config")); err == nil {
			name = strings.TrimSpace(string(b))
		}
	}
	if name == "" {
		name = "default"
	}
	if !configNameRE.MatchString(name) {
		return d
	}
	path := filepath.Join(dir, "configurations", "config_"+name)
	b, err := readCapped(path)
	if err != nil {
		return d
	}
	d.ConfigFile = path
	props := parseINI(string(b))
	fill := func(dst *Setting, key string) {
		if dst.Value == "" && props[key] != "" {
			*dst = Setting{props[key], path}
		}
	}
	fill(&d.Project, "core/project")
	fill(&d.Zone, "compute/zone")
	fill(&d.Account, "core/account")
	return d
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxConfigBytes))
}

// parseINI reads gcloud's properties file into "section/key" → value.
func parseINI(s string) map[string]string {
	out := map[string]string{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64<<10), maxConfigBytes)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			k, v, ok = strings.Cut(line, ":")
		}
		if !ok || section == "" {
			continue
		}
		out[section+"/"+strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return out
}

// activeConfigProperty reads one "section/key" of the active gcloud
// configuration ("" when unset or unreadable).
func activeConfigProperty(getenv func(string) string, home, key string) string {
	dir := ConfigDir(getenv, home)
	if dir == "" {
		return ""
	}
	name := strings.TrimSpace(getenv("CLOUDSDK_ACTIVE_CONFIG_NAME"))
	if name == "" {
		if b, err := readCapped(filepath.Join(dir, "active_config")); err == nil {
			name = strings.TrimSpace(string(b))
		}
	}
	if name == "" {
		name = "default"
	}
	if !configNameRE.MatchString(name) {
		return ""
	}
	b, err := readCapped(filepath.Join(dir, "configurations", "config_"+name))
	if err != nil {
		return ""
	}
	return parseINI(string(b))[key]
}
