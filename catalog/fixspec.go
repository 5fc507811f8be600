package catalog

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FixSpec is one fix of a code, declared with the code's entry so that
// every command (check, server, vm, gcp, explain) gives the same fixes for
// the same code. Key is the description phrase; Command is a template whose
// {name} parameters are filled (and quoted for the shell) from what the
// finding observed. An empty Command is advice without a command.
type FixSpec struct {
	Key     string
	Command string
	// OS selects the platform the fix is for: "" every platform; OSUnix
	// every platform but Windows; OSWindows, OSDarwin or OSLinux (any
	// other) only there. Windows gets icacls and PowerShell, never chmod.
	OS string
	// If names a parameter: the fix is given only when the finding knows
	// it. It carries a condition of the evidence (a port other than 22, a
	// key ssh never reached) from the call site to the catalog.
	If string
	// Unless names the parameters, separated by commas, whose presence
	// withholds the fix (the client is another program, for which the
	// command does not apply; the server is a git forge the person does
	// not run).
	Unless string
}

// Platforms a fix can be for.
const (
	OSUnix    = "unix"
	OSWindows = "windows"
	OSDarwin  = "darwin"
	OSLinux   = "linux"
)

// ParamOS is the parameter that selects the platform of the fixes, as
// runtime.GOOS names it: "windows" gets PowerShell quoting; a value that
// is neither "windows" nor "darwin" (or none) is taken as Linux.
const ParamOS = "os"

// Params are the values a finding fills its fix commands with, raw (not
// quoted): the filling quotes them for the shell the command is for.
type Params map[string]string

// Param describes one fix parameter.
type Param struct {
	// Placeholder is shown in a command when the value is not known (the
	// style of the documentation: HOST, PORT, USER); "" leaves such a
	// command out instead, for a value no person could type in its place.
	Placeholder string
	// Fragment is set for a value that is already a piece of command line,
	// quoted by whoever built it (the person's own ssh options and
	// destination); it is inserted as it is.
	Fragment bool
}

var (
	fixSpecs   = map[string][]FixSpec{}
	fixParams  = map[string]Param{}
	fixProblem []string
)

// RegisterFixes declares the fixes of codes.
func RegisterFixes(m map[string][]FixSpec) {
	mu.Lock()
	defer mu.Unlock()
	for code, fs := range m {
		if _, dup := fixSpecs[code]; dup {
			fixProblem = append(fixProblem, code+": fixes registered twice")
			continue
		}
		fixSpecs[code] = fs
	}
}

// RegisterParams declares fix parameters.
func RegisterParams(m map[string]Param) {
	mu.Lock()
	defer mu.Unlock()
	for name, p := range m {
		if _, dup := fixParams[name]; dup {
			fixProblem = append(fixProblem, "fix parameter "+name+": registered twice")
			continue
		}
		fixParams[name] = p
	}
}

// FixSpecs returns the fixes declared for code.
func FixSpecs(code string) ([]FixSpec, bool) {
	mu.RLock()
	defer mu.RUnlock()
	fs, ok := fixSpecs[code]
	return fs, ok
}

// FixCodes returns every code with declared fixes, sorted.
func FixCodes() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(fixSpecs))
	for c := range fixSpecs {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// FixParam returns the declaration of a fix parameter.
func FixParam(name string) (Param, bool) {
	mu.RLock()
	defer mu.RUnlock()
	p, ok := fixParams[name]
	return p, ok
}

// FilledFix is a fix of a finding: its description phrase and its
// command. Withheld is set (and Command empty) when a value would have put
// a control or invisible character in the command: a line break or an
// escape taken from a log must not become a second command.
type FilledFix struct {
	Key      string
	Command  string
	Withheld bool
}

// Known reports whether p holds a value for name that the input showed.
func (p Params) Known(name string) bool {
	v, ok := p[name]
	return ok && v != "" && v != Unseen
}

// FixesFor returns the fixes declared for code with their commands filled
// from p, for the platform p names: this is the one way a finding gets
// the fixes of its code.
func FixesFor(code string, p Params) []FilledFix {
	specs, _ := FixSpecs(code)
	os := p[ParamOS]
	windows := os == OSWindows
	var out []FilledFix
	for _, s := range specs {
		switch {
		case !forOS(s.OS, os):
			continue
		case s.If != "" && !p.Known(s.If), s.withheld(p):
			continue
		}
		if unsafeValues(s.Command, p) {
			out = append(out, FilledFix{Key: s.Key, Withheld: true})
			continue
		}
		c, _ := FillCommand(s.Command, p, windows)
		out = append(out, FilledFix{Key: s.Key, Command: c})
	}
	return out
}

// unsafeValues reports whether a value the template uses holds a control
// character (a line break too), a bidirectional or other format character,
// or bytes that are not UTF-8. A fragment, which sshdoctor builds itself,
// may span lines (a ~/.ssh/config block).
func unsafeValues(tmpl string, p Params) bool {
	for _, name := range Placeholders(tmpl) {
		v := p[name]
		if !utf8.ValidString(v) {
			return true
		}
		decl, _ := FixParam(name)
		for _, r := range v {
			if r == '\n' && decl.Fragment {
				continue
			}
			if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0x2028 || r == 0x2029 ||
				unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r) || r == utf8.RuneError {
				return true
			}
		}
	}
	return false
}

// withheld reports whether p holds one of the parameters that withhold s.
func (s FixSpec) withheld(p Params) bool {
	for _, n := range s.unless() {
		if p.Known(n) {
			return true
		}
	}
	return false
}

func (s FixSpec) unless() []string {
	if s.Unless == "" {
		return nil
	}
	return strings.Split(s.Unless, ",")
}

// forOS reports whether a fix for platform spec applies on os.
func forOS(spec, os string) bool {
	switch spec {
	case "":
		return true
	case OSUnix:
		return os != OSWindows
	case OSLinux:
		return os != OSWindows && os != OSDarwin
	}
	return spec == os
}

// FillCommand fills a command template. A value is quoted for where its
// placeholder stands: bare, inside '…' or inside "…" of a POSIX shell, or
// of PowerShell when windows is set. A value the input did not show
// becomes its parameter's placeholder; ok is false (and the command "")
// when that parameter has none.
func FillCommand(tmpl string, p Params, windows bool) (cmd string, ok bool) {
	if tmpl == "" {
		return "", true
	}
	var sb strings.Builder
	quote := byte(0) // the quote the template is inside at this point
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '{' {
			if m := placeholderRE.FindStringSubmatchIndex(tmpl[i:]); m != nil && m[0] == 0 {
				name := tmpl[i+m[2] : i+m[3]]
				if !p.Known(name) {
					decl, _ := FixParam(name)
					if decl.Placeholder == "" {
						return "", false
					}
					sb.WriteString(decl.Placeholder)
				} else if decl, _ := FixParam(name); decl.Fragment {
					sb.WriteString(p[name])
				} else {
					sb.WriteString(quoteFor(p[name], quote, windows))
				}
				i += m[1] - 1
				continue
			}
		}
		switch {
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case quote == c:
			quote = 0
		case !windows && quote == '"' && c == '\\' && i+1 < len(tmpl):
			sb.WriteByte(c)
			i++
			c = tmpl[i]
		}
		sb.WriteByte(c)
	}
	return sb.String(), true
}

// quoteFor quotes v for a place in a command line: bare (quote 0), or
// inside single or double quotes.
func quoteFor(v string, quote byte, windows bool) string {
	switch {
	case quote == '\'' && windows:
		return strings.ReplaceAll(v, "'", "''")
	case quote == '\'':
		return strings.ReplaceAll(v, "'", `'\''`)
	case quote == '"' && windows:
		return strings.NewReplacer("`", "``", "$", "`$", `"`, "`\"").Replace(v)
	case quote == '"':
		return strings.NewReplacer(`\`, `\\`, "$", `\$`, "`", "\\`", `"`, `\"`).Replace(v)
	case windows:
		return PSQuote(v)
	}
	return ShellQuote(v)
}

// ShellQuote quotes s for a POSIX shell when it needs it. A leading "~/"
// stays outside the quotes, so the shell still expands it to the home
// directory; a word that starts with "-" is quoted so it is not read as
// an option.
func ShellQuote(s string) string {
	if len(s) > 2 && strings.HasPrefix(s, "~/") {
		return "~/" + ShellQuote(s[2:])
	}
	if s != "" && !strings.HasPrefix(s, "-") && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// PSQuote quotes s as one PowerShell argument: in double quotes (so
// ${env:…} expands) unless it holds a character PowerShell would expand
// there, then in single quotes.
func PSQuote(s string) string {
	if strings.HasPrefix(s, "${env:") {
		return `"` + s + `"`
	}
	if strings.ContainsAny(s, "$`\"") {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return `"` + s + `"`
}

// fixProblems lists what is wrong with the declared fixes: a description
// that is not a phrase, a parameter nobody declared, a platform or
// condition that cannot be met, fixes for a code without an entry.
func fixProblems() []string {
	out := append([]string(nil), fixProblem...)
	for code, specs := range fixSpecs {
		if _, ok := entries[code]; !ok {
			out = append(out, fmt.Sprintf("%s: fixes for a code that is not catalogued", code))
		}
		for _, s := range specs {
			if _, ok := phrases[s.Key]; !ok {
				out = append(out, fmt.Sprintf("%s: fix %q is not a phrase", code, s.Key))
			}
			switch s.OS {
			case "", OSUnix, OSWindows, OSDarwin, OSLinux:
			default:
				out = append(out, fmt.Sprintf("%s: fix %q is for platform %q", code, s.Key, s.OS))
			}
			names := Placeholders(s.Command)
			for _, n := range append([]string{s.If}, s.unless()...) {
				if n != "" {
					names = append(names, n)
				}
			}
			for _, n := range names {
				if _, ok := fixParams[n]; !ok {
					out = append(out, fmt.Sprintf("%s: fix %q uses parameter {%s}, which is not declared", code, s.Key, n))
				}
			}
		}
	}
	return out
}
