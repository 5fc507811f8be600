package inventory

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// An Ansible inventory, read into groups before targets are made:
// a group has hosts (with their own variables), variables and children.
// Variables flow from a group to its children and their hosts; a host's
// own variables win (Ansible's order: all < parent < child < host).
type ansGroup struct {
	name     string
	hosts    []ansHost
	vars     map[string]string
	children []string
}

type ansHost struct {
	name   string
	vars   map[string]string
	source string
}

type ansInventory struct {
	groups map[string]*ansGroup
	order  []string
}

func newAnsInventory() *ansInventory {
	inv := &ansInventory{groups: map[string]*ansGroup{}}
	inv.group("all")
	inv.group("ungrouped")
	return inv
}

func (inv *ansInventory) group(name string) *ansGroup {
	g := inv.groups[name]
	if g == nil {
		g = &ansGroup{name: name, vars: map[string]string{}}
		inv.groups[name] = g
		inv.order = append(inv.order, name)
	}
	return g
}

// Variables that say where and as whom to connect (the ansible_ssh_*
// spellings are the older names Ansible still accepts).
var (
	hostVars = []string{"ansible_host", "ansible_ssh_host"}
	portVars = []string{"ansible_port", "ansible_ssh_port"}
	userVars = []string{"ansible_user", "ansible_ssh_user"}
)

func firstVar(vars map[string]string, names []string) string {
	for _, n := range names {
		if v, ok := vars[n]; ok && v != "" {
			return v
		}
	}
	return ""
}

// targets resolves every host once, with its groups and variables.
func (inv *ansInventory) targets(file string) ([]Target, error) {
	// parents of each group, for inheritance
	parents := map[string][]string{}
	for _, name := range inv.order {
		for _, c := range inv.groups[name].children {
			parents[c] = append(parents[c], name)
		}
	}
	// ancestors lists a group and all its ancestors, farthest first.
	var ancestors func(g string, seen map[string]bool, out *[]string)
	ancestors = func(g string, seen map[string]bool, out *[]string) {
		if seen[g] {
			return // a cycle: Ansible refuses it; here it just ends the walk
		}
		seen[g] = true
		for _, p := range parents[g] {
			ancestors(p, seen, out)
		}
		*out = append(*out, g)
	}
	type acc struct {
		groups []string
		vars   map[string]string
		host   map[string]string
		source string
	}
	hosts := map[string]*acc{}
	var order []string
	for _, gname := range inv.order {
		g := inv.groups[gname]
		var chain []string
		ancestors(gname, map[string]bool{}, &chain)
		for _, h := range g.hosts {
			a := hosts[h.name]
			if a == nil {
				a = &acc{vars: map[string]string{}, host: map[string]string{}, source: h.source}
				hosts[h.name] = a
				order = append(order, h.name)
				if len(order) > MaxTargets {
					return nil, fmt.Errorf("%s: more than %d hosts", file, MaxTargets)
				}
			}
			for k, v := range inv.groups["all"].vars {
				if _, ok := a.vars[k]; !ok {
					a.vars[k] = v
				}
			}
			for _, c := range chain {
				for k, v := range inv.groups[c].vars {
					a.vars[k] = v
				}
				if c != "all" && c != "ungrouped" {
					a.groups = append(a.groups, c)
				}
			}
			for k, v := range h.vars {
				a.host[k] = v
			}
		}
	}
	out := make([]Target, 0, len(order))
	for _, name := range order {
		a := hosts[name]
		for k, v := range a.host {
			a.vars[k] = v
		}
		host, port := name, 0
		// An inventory name may carry its port (host:2222, [v6]:2222).
		if u, h, p, err := ParseDest(name); err == nil && u == "" {
			host, port = h, p
		}
		if h := firstVar(a.vars, hostVars); h != "" {
			host = h
		}
		if p := firstVar(a.vars, portVars); p != "" {
			n, err := parsePort(p)
			if err != nil {
				return nil, fmt.Errorf("%s: host %s: ansible_port: %v", a.source, name, err)
			}
			port = n
		}
		if err := checkHost(host); err != nil {
			return nil, fmt.Errorf("%s: host %s: %v", a.source, name, err)
		}
		out = append(out, Target{Name: name, Host: host, Port: port, User: firstVar(a.vars, userVars),
			Groups: mergeSorted(a.groups, nil), Source: a.source, Connection: a.vars["ansible_connection"]})
	}
	return out, nil
}

// ParseAnsibleINI reads an Ansible inventory in INI form: hosts before any
// section are ungrouped; [g] lists hosts with key=value variables,
// [g:vars] sets group variables, [g:children] names child groups. Host
// names may hold ranges: web[01:10], db-[a:c], node[0:20:5].
func ParseAnsibleINI(r io.Reader, file string) ([]Target, error) {
	b, err := readAll(r, file)
	if err != nil {
		return nil, err
	}
	inv := newAnsInventory()
	section, kind := "ungrouped", ""
	for n, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		src := file + ":" + strconv.Itoa(n+1)
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, errAt(file, n+1, "section header without ]")
			}
			if rest := strings.TrimSpace(line[end+1:]); rest != "" && rest[0] != '#' && rest[0] != ';' {
				return nil, errAt(file, n+1, "text after the section header")
			}
			name := line[1:end]
			kind = ""
			if i := strings.LastIndexByte(name, ':'); i >= 0 {
				name, kind = name[:i], name[i+1:]
				if kind != "vars" && kind != "children" {
					return nil, errAt(file, n+1, "unknown section kind %q (vars or children)", kind)
				}
			}
			if name == "" || strings.ContainsAny(name, " \t") {
				return nil, errAt(file, n+1, "bad group name %q", name)
			}
			section = name
			inv.group(section)
			if section != "all" && section != "ungrouped" {
				inv.group("all").children = appendOnce(inv.group("all").children, section)
			}
			continue
		}
		fields, err := splitINI(line)
		if err != nil {
			return nil, errAt(file, n+1, "%v", err)
		}
		if len(fields) == 0 {
			continue
		}
		g := inv.group(section)
		switch kind {
		case "vars":
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return nil, errAt(file, n+1, "expected key=value in [%s:vars]", section)
			}
			g.vars[strings.TrimSpace(k)] = unquoteINI(strings.TrimSpace(stripComment(v)))
		case "children":
			child := fields[0]
			inv.group(child)
			g.children = appendOnce(g.children, child)
		default:
			vars := map[string]string{}
			for _, kv := range fields[1:] {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "" {
					return nil, errAt(file, n+1, "expected key=value after the host name, got %q", kv)
				}
				vars[k] = unquoteINI(v)
			}
			names, err := expandRange(fields[0])
			if err != nil {
				return nil, errAt(file, n+1, "%v", err)
			}
			for _, h := range names {
				if len(g.hosts) >= MaxTargets {
					return nil, errAt(file, n+1, "more than %d hosts", MaxTargets)
				}
				g.hosts = append(g.hosts, ansHost{name: h, vars: vars, source: src})
			}
		}
	}
	return inv.targets(file)
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func stripComment(v string) string {
	if i := strings.Index(v, " #"); i >= 0 {
		return v[:i]
	}
	return v
}

func unquoteINI(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}

// splitINI splits a host line on white space (quotes keep spaces), and
// drops a trailing comment.
func splitINI(line string) ([]string, error) {
	var out []string
	var cur strings.Builder
	var q rune
	for _, r := range line {
		switch {
		case q != 0:
			if r == q {
				q = 0
			}
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			q = r
			cur.WriteRune(r)
		case r == '#' && cur.Len() == 0:
			return out, nil
		case r == ' ' || r == '\t':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if q != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out, nil
}

// expandRange expands Ansible's host ranges: [01:10] (leading zeros kept),
// [a:f], with an optional stride [0:20:5]; several ranges multiply.
func expandRange(name string) ([]string, error) {
	i := strings.IndexByte(name, '[')
	if i < 0 {
		return []string{name}, nil
	}
	// [v6]:port or a bare [v6] is an address, not a range.
	if end := strings.IndexByte(name, ']'); i == 0 && end > 0 && net.ParseIP(name[1:end]) != nil {
		return []string{name}, nil
	}
	j := strings.IndexByte(name[i:], ']')
	if j < 0 {
		return nil, fmt.Errorf("host %q: range without ]", name)
	}
	j += i
	spec := strings.Split(name[i+1:j], ":")
	if len(spec) < 2 || len(spec) > 3 {
		return nil, fmt.Errorf("host %q: a range is [start:end] or [start:end:stride]", name)
	}
	stride := 1
	if len(spec) == 3 {
		s, err := strconv.Atoi(spec[2])
		if err != nil || s < 1 {
			return nil, fmt.Errorf("host %q: bad stride %q", name, spec[2])
		}
		stride = s
	}
	var items []string
	if spec[0] == "" {
		spec[0] = "0" // Ansible's default start
	}
	if a, errA := strconv.Atoi(spec[0]); errA == nil {
		bnd, errB := strconv.Atoi(spec[1])
		if errB != nil || bnd < a || a < 0 {
			return nil, fmt.Errorf("host %q: bad numeric range", name)
		}
		if (bnd-a)/stride+1 > MaxTargets {
			return nil, fmt.Errorf("host %q: range of more than %d hosts", name, MaxTargets)
		}
		width := 0
		if len(spec[0]) > 1 && spec[0][0] == '0' {
			width = len(spec[0])
		}
		for k := a; k <= bnd; k += stride {
			items = append(items, fmt.Sprintf("%0*d", width, k))
		}
	} else if len(spec[0]) == 1 && len(spec[1]) == 1 && isLetter(spec[0][0]) && isLetter(spec[1][0]) && spec[0][0] <= spec[1][0] {
		for c := int(spec[0][0]); c <= int(spec[1][0]); c += stride {
			items = append(items, string(rune(c)))
		}
	} else {
		return nil, fmt.Errorf("host %q: a range is numbers [01:10] or letters [a:f]", name)
	}
	rest, err := expandRange(name[j+1:])
	if err != nil {
		return nil, err
	}
	if len(items)*len(rest) > MaxTargets {
		return nil, fmt.Errorf("host %q: range of more than %d hosts", name, MaxTargets)
	}
	out := make([]string, 0, len(items)*len(rest))
	for _, it := range items {
		for _, r := range rest {
			out = append(out, name[:i]+it+r)
		}
	}
	return out, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// ParseAnsibleYAML reads an Ansible inventory in YAML form:
//
//	all:
//	  hosts: {name: {vars…}}
//	  vars: {…}
//	  children: {group: {hosts:…, vars:…, children:…}}
func ParseAnsibleYAML(r io.Reader, file string) ([]Target, error) {
	b, err := readAll(r, file)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, errAt(file, root.Line, "an inventory is a mapping of group names")
	}
	inv := newAnsInventory()
	count := 0
	var walkGroup func(name string, n *yaml.Node, depth int) error
	walkGroup = func(name string, n *yaml.Node, depth int) error {
		if depth > 64 {
			return errAt(file, n.Line, "groups nested too deeply")
		}
		g := inv.group(name)
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return errAt(file, n.Line, "group %s: expected hosts, vars or children", name)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch k.Value {
			case "hosts":
				if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
					continue
				}
				if v.Kind != yaml.MappingNode {
					return errAt(file, v.Line, "group %s: hosts must be a mapping of host names", name)
				}
				for j := 0; j+1 < len(v.Content); j += 2 {
					hk, hv := v.Content[j], v.Content[j+1]
					vars, err := scalarMap(hv, file)
					if err != nil {
						return err
					}
					names, err := expandRange(hk.Value)
					if err != nil {
						return errAt(file, hk.Line, "%v", err)
					}
					for _, h := range names {
						count++
						if count > MaxTargets {
							return errAt(file, hk.Line, "more than %d hosts", MaxTargets)
						}
						g.hosts = append(g.hosts, ansHost{name: h, vars: vars, source: file + ":" + strconv.Itoa(hk.Line)})
					}
				}
			case "vars":
				vars, err := scalarMap(v, file)
				if err != nil {
					return err
				}
				for kk, vv := range vars {
					g.vars[kk] = vv
				}
			case "children":
				if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
					continue
				}
				if v.Kind != yaml.MappingNode {
					return errAt(file, v.Line, "group %s: children must be a mapping of group names", name)
				}
				for j := 0; j+1 < len(v.Content); j += 2 {
					child := v.Content[j].Value
					g.children = appendOnce(g.children, child)
					if err := walkGroup(child, v.Content[j+1], depth+1); err != nil {
						return err
					}
				}
			default:
				return errAt(file, k.Line, "group %s: unknown key %q (hosts, vars or children)", name, k.Value)
			}
		}
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		name := root.Content[i].Value
		if name != "all" {
			inv.group("all").children = appendOnce(inv.group("all").children, name)
		}
		if err := walkGroup(name, root.Content[i+1], 0); err != nil {
			return nil, err
		}
	}
	return inv.targets(file)
}

// scalarMap reads a mapping of variables, keeping scalar values as text
// (ports may be written as numbers); nested values are ignored, as no
// connection variable is nested.
func scalarMap(n *yaml.Node, file string) (map[string]string, error) {
	out := map[string]string{}
	if n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return out, nil
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil, errAt(file, n.Line, "expected a mapping of variables")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.ScalarNode {
			out[k.Value] = v.Value
		}
	}
	return out, nil
}

// GroupFilter keeps the targets in any of the groups (nil keeps all).
func GroupFilter(ts []Target, groups []string) []Target {
	if len(groups) == 0 {
		return ts
	}
	want := map[string]bool{}
	for _, g := range groups {
		want[g] = true
	}
	var out []Target
	for _, t := range ts {
		for _, g := range t.Groups {
			if want[g] {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// DetectAnsible tells an Ansible YAML inventory from an INI one by its
// first meaningful line.
func DetectAnsible(b []byte) string {
	for _, line := range strings.Split(string(b), "\n") {
		s := strings.TrimSpace(line)
		if s == "" || s[0] == '#' || s[0] == ';' {
			continue
		}
		if s == "---" || strings.HasSuffix(s, ":") || strings.Contains(s, ": ") {
			return "yaml"
		}
		return "ini"
	}
	return "ini"
}
