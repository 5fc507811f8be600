// Package exporter serves sshdoctor's diagnosis as Prometheus metrics in
// the multi-target exporter pattern (blackbox_exporter's): Prometheus asks
// /probe?target=host:port&module=NAME, the exporter runs check's layers on
// that target once and answers with the result of each layer; /metrics is
// the exporter's own health.
package exporter

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Module is one way of probing, named in the query: who to be, which keys,
// how long to wait, whether to log in.
type Module struct {
	User       string            `yaml:"user"`
	Identities []string          `yaml:"identity_files"`
	SSHConfig  string            `yaml:"ssh_config"` // -F; "" = the exporter user's own
	Options    map[string]string `yaml:"options"`    // -o Key=Value
	// Timeout bounds each network step (check's --timeout).
	Timeout time.Duration `yaml:"timeout"`
	// ProbeTimeout bounds the whole probe; Prometheus's scrape timeout
	// lowers it further.
	ProbeTimeout time.Duration `yaml:"probe_timeout"`
	// NoLogin stops after authentication (the default); set false to log
	// in and run a no-op command.
	NoLogin *bool `yaml:"no_login"`
	// IPProtocol is "", "ip4" or "ip6".
	IPProtocol string `yaml:"ip_protocol"`
}

// Config is the modules file.
type Config struct {
	Modules map[string]Module `yaml:"modules"`
}

// Defaults of a module: a step deadline as check's, a probe deadline
// under Prometheus's default 10 s scrape timeout.
const (
	DefaultTimeout      = 5 * time.Second
	DefaultProbeTimeout = 9 * time.Second
)

// maxConfigBytes caps the modules file: a few modules take a few hundred
// bytes.
const maxConfigBytes = 1 << 20

// DefaultConfig has one module, "ssh": no login, check's defaults.
func DefaultConfig() *Config {
	return &Config{Modules: map[string]Module{"ssh": {}}}
}

// ParseConfig reads a modules file and fills defaults.
func ParseConfig(r io.Reader, name string) (*Config, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxConfigBytes {
		return nil, fmt.Errorf("%s: larger than 1 MiB; not a modules file", name)
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty; it needs a modules: section", name)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(c.Modules) == 0 {
		return nil, fmt.Errorf("%s: no modules", name)
	}
	for n, m := range c.Modules {
		if n == "" || strings.ContainsAny(n, " \t\n&=?/") {
			return nil, fmt.Errorf("%s: module name %q: use letters, digits, '-' and '_'", name, n)
		}
		if m.Timeout < 0 || m.ProbeTimeout < 0 {
			return nil, fmt.Errorf("%s: module %s: timeouts must be positive", name, n)
		}
		switch m.IPProtocol {
		case "", "ip4", "ip6":
		default:
			return nil, fmt.Errorf("%s: module %s: ip_protocol %q: use ip4 or ip6", name, n, m.IPProtocol)
		}
		for k := range m.Options {
			if k == "" || strings.ContainsAny(k, " \t=") {
				return nil, fmt.Errorf("%s: module %s: option %q is not an ssh option name", name, n, k)
			}
		}
	}
	return &c, nil
}

// Fill returns m with its defaults.
func (m Module) Fill() Module {
	if m.Timeout == 0 {
		m.Timeout = DefaultTimeout
	}
	if m.ProbeTimeout == 0 {
		m.ProbeTimeout = DefaultProbeTimeout
	}
	if m.NoLogin == nil {
		t := true
		m.NoLogin = &t
	}
	return m
}

// SortedOptions lists -o options in a stable order.
func (m Module) SortedOptions() []string {
	var out []string
	for k, v := range m.Options {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
