package client

import (
	"bufio"
	"context"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"github.com/sshdoctor/sshdoctor/sshconfig"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// clientErrorFindings turns ssh's rejection of its configuration into one
// finding per rejected line (ssh names them all before it stops), each
// with the fix that fits what is wrong: an option another OpenSSH knows, an
// algorithm this ssh lacks, an unset variable. Lines it cannot place get
// the general finding.
func clientErrorFindings(ctx context.Context, ce *sshconfig.ClientError, req sshconfig.Request) []*diag.Finding {
	if ce.BadPerms || len(ce.Problems) == 0 {
		return []*diag.Finding{clientErrorFinding(ce, req)}
	}
	version := sshVersionNumber(ce.SSHVersion)
	ignore := ignoreLines(ce.Problems)
	var out []*diag.Finding
	for _, p := range ce.Problems {
		if f := problemFinding(ctx, p, version, req, ignore[p.File]); f != nil {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return []*diag.Finding{clientErrorFinding(ce, req)}
	}
	return out
}

func problemFinding(ctx context.Context, p sshconfig.Problem, version string, req sshconfig.Request, ignore string) *diag.Finding {
	line := strconv.Itoa(p.Line)
	where := func(f *diag.Finding) *diag.Finding {
		f.Arg("file", p.File).Arg("line", line).Ev("ssh_said", p.Message)
		if p.File != "command-line" {
			f.Ev("location", p.File+":"+line)
			if text := configLine(p.File, p.Line); text != "" {
				f.Ev("config_line", text)
			}
		}
		return f
	}
	if p.Option == "" && p.File != "command-line" && p.Kind == sshconfig.ProblemUnknownAlgorithm {
		if kw := strings.FieldsFunc(configLine(p.File, p.Line), func(r rune) bool { return r == ' ' || r == '\t' || r == '=' }); len(kw) > 0 {
			p.Option = strings.ToLower(kw[0])
		}
	}
	known := func(f *diag.Finding, name string) *diag.Finding {
		if version != "" {
			f.Ev("ssh_version", version)
		}
		if by := knownBy(name); by != "" {
			f.Ev("known_by", by)
		}
		return f
	}
	switch {
	case p.Kind == sshconfig.ProblemUnknownOption:
		opt := originalSpelling(p.File, p.Line, p.Option)
		f := known(where(diag.NewFinding("config.unknown_option")).Arg("option", opt), p.Option)
		if p.File == "command-line" {
			return f.Fix("fix.config_remove_option", "")
		}
		if knownBy(p.Option) == "" {
			// No OpenSSH sshdoctor knows has it: most likely a typo.
			f.Fix("fix.check_ssh_config_line", "sed -n '"+line+"p' "+shellQuote(p.File))
		}
		return f.Fix("fix.config_ignore_unknown", ignore)
	case p.Kind == sshconfig.ProblemMatch && p.Option != "":
		f := known(where(diag.NewFinding("config.unknown_match")).Arg("attribute", p.Option), p.Option)
		return f.Fix("fix.check_ssh_config_line", "sed -n '"+line+"p' "+shellQuote(p.File))
	case p.Kind == sshconfig.ProblemUnknownAlgorithm && p.Option != "" && p.Name != "":
		f := known(where(diag.NewFinding("config.unknown_algorithm")).
			Arg("option", configKeyword(p.Option)).Arg("algorithm", p.Name).Ev("unknown_algorithm", p.Name), p.Name)
		if keep := knownAlgorithms(ctx, p.Option, p.Value); keep != "" {
			return f.Fix("fix.config_algorithms_known", configKeyword(p.Option)+" "+keep)
		}
		return f.Fix("fix.config_list_algorithms", "ssh -Q "+queryFor(p.Option))
	case p.Kind == sshconfig.ProblemUnsetVariable:
		name := p.Name
		if name == "" {
			name = variableIn(p.Value)
		}
		if name != "" && p.File == "" {
			files := "~/.ssh/config /etc/ssh/ssh_config"
			if req.ConfigFile != "" {
				files = shellQuote(req.ConfigFile)
			}
			f := diag.NewFinding("config.unset_variable_unplaced").Arg("variable", name).Ev("ssh_said", p.Message)
			return f.Fix("fix.config_find_variable", "grep -n -F '${"+name+"}' "+files)
		}
		if name != "" {
			f := where(diag.NewFinding("config.unset_variable")).Arg("variable", name).Ev("value", p.Value)
			return f.Fix("fix.config_set_variable", "")
		}
	}
	f := where(diag.NewFinding("config.client_error")).Arg("message", p.Message)
	fp := catalog.Params{"line": line, "ssh_g_request": strings.Join(quoteAll(req.Args()), " ")}
	if p.File != "command-line" {
		fp["file"] = p.File
	}
	return f.AddFixes(fp)
}

var sshVersionRE = lazyre.New(`OpenSSH_for_Windows_(\d+\.\d+)|OpenSSH_(\d+\.\d+)`)

// sshVersionNumber extracts "9.2" from `ssh -V` output.
func sshVersionNumber(v string) string {
	m := sshVersionRE.FindStringSubmatch(v)
	if m == nil {
		return ""
	}
	if m[1] != "" {
		return m[1]
	}
	return m[2]
}

// knownBy names which OpenSSH knows a keyword or algorithm ("OpenSSH 9.4
// and later", "Apple's OpenSSH (macOS)"), "" when sshdoctor does not know.
func knownBy(name string) string {
	s, ok := sshconfig.KnownSince(name)
	switch {
	case !ok:
		return ""
	case s.Vendor != "":
		return s.Vendor
	}
	return "OpenSSH " + s.Version + " and later"
}

// originalSpelling returns the keyword as the file writes it (ssh reports it
// lower-cased), so the IgnoreUnknown line reads like the user's own.
func originalSpelling(file string, line int, lower string) string {
	text := configLine(file, line)
	if text == "" {
		return lower
	}
	kw := strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\t' || r == '=' })
	if len(kw) > 0 && strings.EqualFold(kw[0], lower) {
		return kw[0]
	}
	return lower
}

// maxConfigLineScan bounds the read of a config file for one line.
const maxConfigLineScan = 1 << 20

// configLine returns line n of file, trimmed ("" when unreadable).
func configLine(file string, n int) string {
	if n <= 0 || file == "" {
		return ""
	}
	fi, err := os.Stat(file)
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxConfigLineScan))
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return strings.TrimSpace(sc.Text())
		}
	}
	return ""
}

// slotFor maps an algorithm keyword to the ssh -Q list it is checked
// against.
var slotFor = map[string]sshwire.Slot{
	"kexalgorithms": sshwire.SlotKex, "ciphers": sshwire.SlotCipher, "macs": sshwire.SlotMAC,
	"hostkeyalgorithms": sshwire.SlotHostKey, "pubkeyacceptedalgorithms": sshwire.SlotHostKey,
	"pubkeyacceptedkeytypes": sshwire.SlotHostKey, "casignaturealgorithms": sshwire.SlotHostKey,
	"hostbasedacceptedalgorithms": sshwire.SlotHostKey,
}

func queryFor(option string) string {
	if q := sshQueryName[slotFor[option]]; q != "" {
		return q
	}
	return "help"
}

// knownAlgorithms keeps the names of a rejected list that this ssh knows,
// with the list's +, - or ^ prefix; "" when nothing can be said.
func knownAlgorithms(ctx context.Context, option, value string) string {
	slot, ok := slotFor[option]
	if !ok || value == "" {
		return ""
	}
	known := sshSupports(ctx, slot)
	if len(known) == 0 {
		return ""
	}
	has := map[string]bool{}
	for _, k := range known {
		has[k] = true
	}
	prefix := ""
	if strings.ContainsAny(value[:1], "+-^") {
		prefix, value = value[:1], value[1:]
	}
	var keep []string
	for _, a := range strings.Split(value, ",") {
		if has[a] || strings.ContainsAny(a, "*?") {
			keep = append(keep, a)
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return prefix + strings.Join(keep, ",")
}

// configKeyword spells a lower-case keyword the way ssh_config(5) does.
func configKeyword(lower string) string {
	switch lower {
	case "kexalgorithms":
		return "KexAlgorithms"
	case "ciphers":
		return "Ciphers"
	case "macs":
		return "MACs"
	case "hostkeyalgorithms":
		return "HostKeyAlgorithms"
	case "pubkeyacceptedalgorithms":
		return "PubkeyAcceptedAlgorithms"
	case "pubkeyacceptedkeytypes":
		return "PubkeyAcceptedKeyTypes"
	case "casignaturealgorithms":
		return "CASignatureAlgorithms"
	case "hostbasedacceptedalgorithms":
		return "HostbasedAcceptedAlgorithms"
	}
	return lower
}

var varRE = lazyre.New(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// variableIn returns the first ${VAR} in s that is unset here.
func variableIn(s string) string {
	for _, m := range varRE.FindAllStringSubmatch(s, -1) {
		if _, ok := os.LookupEnv(m[1]); !ok {
			return m[1]
		}
	}
	return ""
}

// ignoreLines builds, for each file, the one IgnoreUnknown line that covers
// every unknown option ssh named in it. IgnoreUnknown keeps its first
// value like most keywords, so the options go on one line, together with
// those of an IgnoreUnknown line the file already has.
func ignoreLines(problems []sshconfig.Problem) map[string]string {
	opts := map[string][]string{}
	seen := map[string]bool{}
	for _, p := range problems {
		if p.Kind != sshconfig.ProblemUnknownOption || p.File == "command-line" {
			continue
		}
		if _, ok := opts[p.File]; !ok {
			opts[p.File] = existingIgnoreUnknown(p.File)
			for _, o := range opts[p.File] {
				seen[p.File+"\x00"+strings.ToLower(o)] = true
			}
		}
		o := originalSpelling(p.File, p.Line, p.Option)
		if k := p.File + "\x00" + strings.ToLower(o); !seen[k] {
			seen[k] = true
			opts[p.File] = append(opts[p.File], o)
		}
	}
	out := map[string]string{}
	for f, o := range opts {
		out[f] = "IgnoreUnknown " + strings.Join(o, ",")
	}
	return out
}

// existingIgnoreUnknown returns the patterns of the first IgnoreUnknown line
// in file.
func existingIgnoreUnknown(file string) []string {
	fi, err := os.Stat(file)
	if err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxConfigLineScan))
	for sc.Scan() {
		kw := strings.FieldsFunc(sc.Text(), func(r rune) bool { return r == ' ' || r == '\t' || r == '=' || r == ',' })
		if len(kw) > 1 && strings.EqualFold(kw[0], "ignoreunknown") {
			return kw[1:]
		}
	}
	return nil
}
