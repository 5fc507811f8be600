package catalog_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/catalog"
)

// The source of the module, read to learn which codes explain and the
// checks produce and how each finding gets its fixes.
type source struct {
	fset *token.FileSet
	pkgs map[string][]*ast.File // directory → files
	side map[*ast.File]string   // "explain" or "check"
	// funcs maps a function's name (a declared function or method, or a
	// function literal assigned to a name) to its bodies, per directory.
	funcs map[string]map[string][]*ast.FuncLit
	// assigns maps a resolved object to the expressions assigned to it.
	// The parser's object resolution (without type information) is
	// enough here: findings and codes are local variables, parameters and
	// package-level values, never struct fields named like them.
	assigns map[*ast.Object][]ast.Expr //nolint:staticcheck // SA1019: see above
	// pkgVars maps a package-level name to its value, per directory.
	pkgVars map[string]map[string][]ast.Expr
	// calls maps a function's name to its calls, per directory.
	calls map[string]map[string][]*ast.CallExpr
	// parent of each node, to find the enclosing function.
	parent map[ast.Node]ast.Node
	dirOf  map[*ast.File]string
}

// sideOf names which command a file's findings belong to: explain (the
// classifiers of pasted text and the explain command) or a live check.
func sideOf(dir, file string) string {
	if dir == "sshlog" || (dir == filepath.Join("internal", "cli") && strings.HasPrefix(filepath.Base(file), "explain")) {
		return "explain"
	}
	return "check"
}

func readSource(t *testing.T) *source {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	s := &source{fset: token.NewFileSet(), pkgs: map[string][]*ast.File{}, side: map[*ast.File]string{},
		assigns: map[*ast.Object][]ast.Expr{}, //nolint:staticcheck // SA1019: see source.assigns
		pkgVars: map[string]map[string][]ast.Expr{},
		calls:   map[string]map[string][]*ast.CallExpr{}, parent: map[ast.Node]ast.Node{}, dirOf: map[*ast.File]string{},
		funcs: map[string]map[string][]*ast.FuncLit{}}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		dir := filepath.Dir(rel)
		if dir == "catalog" || dir == "diag" {
			return nil
		}
		af, err := parser.ParseFile(s.fset, path, nil, 0)
		if err != nil {
			return err
		}
		s.pkgs[dir] = append(s.pkgs[dir], af)
		s.side[af] = sideOf(dir, rel)
		s.dirOf[af] = dir
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir, files := range s.pkgs {
		vars := map[string][]ast.Expr{}
		calls := map[string][]*ast.CallExpr{}
		funcs := map[string][]*ast.FuncLit{} // a declaration is kept as a literal of its type and body
		s.pkgVars[dir], s.calls[dir], s.funcs[dir] = vars, calls, funcs
		for _, af := range files {
			var stack []ast.Node
			ast.Inspect(af, func(n ast.Node) bool {
				if n == nil {
					stack = stack[:len(stack)-1]
					return false
				}
				if len(stack) > 0 {
					s.parent[n] = stack[len(stack)-1]
				}
				stack = append(stack, n)
				switch n := n.(type) {
				case *ast.FuncDecl:
					if n.Body != nil {
						funcs[n.Name.Name] = append(funcs[n.Name.Name], &ast.FuncLit{Type: n.Type, Body: n.Body})
					}
				case *ast.AssignStmt:
					if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
						if id, ok := n.Lhs[0].(*ast.Ident); ok {
							if fl, ok := n.Rhs[0].(*ast.FuncLit); ok {
								funcs[id.Name] = append(funcs[id.Name], fl)
							}
						}
					}
					for i, l := range n.Lhs {
						id, ok := l.(*ast.Ident)
						if !ok || id.Obj == nil {
							continue
						}
						if len(n.Rhs) == len(n.Lhs) {
							s.assigns[id.Obj] = append(s.assigns[id.Obj], n.Rhs[i])
						} else if len(n.Rhs) == 1 {
							s.assigns[id.Obj] = append(s.assigns[id.Obj], n.Rhs[0])
						}
					}
				case *ast.ValueSpec:
					for i, id := range n.Names {
						if i < len(n.Values) {
							if id.Obj != nil {
								s.assigns[id.Obj] = append(s.assigns[id.Obj], n.Values[i])
							}
							vars[id.Name] = append(vars[id.Name], n.Values[i])
						}
					}
				case *ast.CallExpr:
					switch fn := n.Fun.(type) {
					case *ast.Ident:
						calls[fn.Name] = append(calls[fn.Name], n)
					case *ast.SelectorExpr:
						calls[fn.Sel.Name] = append(calls[fn.Sel.Name], n)
					}
				}
				return true
			})
		}
	}
	return s
}

// paramIndex finds, for an identifier declared as a parameter, the name
// of its function (a declared function, or a function literal assigned to
// a name) and the parameter's position.
func (s *source) paramIndex(id *ast.Ident) (string, int, bool) {
	field, ok := id.Obj.Decl.(*ast.Field)
	if !ok {
		return "", 0, false
	}
	var ft *ast.FuncType
	for n := ast.Node(field); n != nil; n = s.parent[n] {
		if f, ok := n.(*ast.FuncType); ok {
			ft = f
			break
		}
	}
	if ft == nil || ft.Params == nil {
		return "", 0, false
	}
	idx := 0
	found := -1
	for _, f := range ft.Params.List {
		for _, nm := range f.Names {
			if nm.Obj == id.Obj {
				found = idx
			}
			idx++
		}
	}
	if found < 0 {
		return "", 0, false
	}
	switch p := s.parent[ft].(type) {
	case *ast.FuncDecl:
		return p.Name.Name, found, true
	case *ast.FuncLit:
		if as, ok := s.parent[p].(*ast.AssignStmt); ok && len(as.Lhs) == 1 {
			if lid, ok := as.Lhs[0].(*ast.Ident); ok {
				return lid.Name, found, true
			}
		}
	}
	return "", 0, false
}

// identValues returns what may be assigned to id: its assignments in the
// file, the package-level variable of that name, or, for a parameter, the
// arguments of every call of its function in the package.
func (s *source) identValues(dir string, id *ast.Ident) []ast.Expr {
	if id.Obj == nil {
		return s.pkgVars[dir][id.Name]
	}
	if name, i, ok := s.paramIndex(id); ok {
		var out []ast.Expr
		calls := s.calls[dir][name]
		if len(calls) == 0 && ast.IsExported(name) {
			for _, cs := range s.calls {
				calls = append(calls, cs[name]...)
			}
		}
		for _, c := range calls {
			if i < len(c.Args) {
				out = append(out, c.Args[i])
			}
		}
		return out
	}
	return s.assigns[id.Obj]
}

// codesIn returns the catalogued codes an expression may evaluate to: the
// code literals in it and in what its identifiers may hold.
func (s *source) codesIn(dir string, e ast.Node, seen map[ast.Node]bool, out map[string]bool) {
	if e == nil || seen[e] {
		return
	}
	seen[e] = true
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			if v, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING {
				if _, ok := catalog.Lookup(v); ok {
					out[v] = true
				}
			}
		case *ast.Ident:
			for _, v := range s.identValues(dir, n) {
				s.codesIn(dir, v, seen, out)
			}
		case *ast.FuncLit:
			return false
		}
		return true
	})
}

// findingCodes returns the codes of the findings an expression may be:
// it follows method chains (f.Arg(…).Ev(…)) down to diag.NewFinding,
// helpers that take and return a finding, and variables.
func (s *source) findingCodes(dir string, e ast.Expr, seen map[ast.Node]bool, out map[string]bool) (resolved bool) {
	if e == nil || seen[e] {
		return true
	}
	seen[e] = true
	switch e := e.(type) {
	case *ast.ParenExpr:
		return s.findingCodes(dir, e.X, seen, out)
	case *ast.UnaryExpr:
		return s.findingCodes(dir, e.X, seen, out)
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "NewFinding" || isIdent(e.Fun, "NewFinding") {
			if len(e.Args) > 0 {
				s.codesIn(dir, e.Args[0], map[ast.Node]bool{}, out)
			}
			return true
		}
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && findingMethod[sel.Sel.Name] {
			return s.findingCodes(dir, sel.X, seen, out)
		}
		if fns := s.bodiesOf(dir, e.Fun); len(fns) > 0 {
			// A helper that builds or passes on a finding: what it
			// returns; a parameter it returns is this call's argument.
			ok := true
			before := map[string]bool{}
			for k := range out {
				before[k] = true
			}
			for _, fn := range fns {
				for _, r := range returns(fn.Body) {
					if i := paramPos(fn.Type, r); i >= 0 && i < len(e.Args) {
						r = e.Args[i]
					}
					if !s.findingCodes(dir, r, seen, out) {
						ok = false
					}
				}
			}
			if ok {
				return true
			}
			for k := range out {
				if !before[k] {
					delete(out, k)
				}
			}
		}
		ok := false
		for _, a := range e.Args {
			n := len(out)
			if s.findingCodes(dir, a, seen, out) && len(out) > n {
				ok = true
			}
		}
		return ok
	case *ast.Ident:
		if e.Name == "nil" && e.Obj == nil {
			return true
		}
		vals := s.identValues(dir, e)
		if last := s.lastAssign(e); last != nil {
			vals = []ast.Expr{last}
		}
		ok := len(vals) > 0
		for _, v := range vals {
			if !s.findingCodes(dir, v, seen, out) {
				ok = false
			}
		}
		return ok
	case *ast.IndexExpr:
		return s.findingCodes(dir, e.X, seen, out)
	}
	return false
}

// lastAssign returns the value last assigned to id earlier in the block
// that holds the statement using it, if any.
func (s *source) lastAssign(id *ast.Ident) ast.Expr {
	if id.Obj == nil {
		return nil
	}
	var stmt ast.Node = id
	for stmt != nil {
		p := s.parent[stmt]
		if b, ok := p.(*ast.BlockStmt); ok {
			var last ast.Expr
			for _, st := range b.List {
				if st == stmt {
					return last
				}
				if as, ok := st.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
					for i, l := range as.Lhs {
						if lid, ok := l.(*ast.Ident); ok && lid.Obj == id.Obj {
							last = as.Rhs[i]
						}
					}
				}
			}
			return nil
		}
		stmt = p
	}
	return nil
}

// caseCodes adds the codes of the innermost case clause around n whose
// expressions are catalogued codes.
func (s *source) caseCodes(n ast.Node, out map[string]bool) bool {
	for p := s.parent[n]; p != nil; p = s.parent[p] {
		cc, ok := p.(*ast.CaseClause)
		if !ok {
			continue
		}
		found := false
		for _, e := range cc.List {
			if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				if _, ok := catalog.Lookup(v); ok {
					out[v], found = true, true
				}
			}
		}
		if found {
			return true
		}
	}
	return false
}

// bodiesOf returns the bodies a called function may have, and its
// parameters when there is one: the function literal or declaration the
// name refers to, else every function of that name in the package.
func (s *source) bodiesOf(dir string, fun ast.Expr) []*ast.FuncLit {
	switch fn := fun.(type) {
	case *ast.Ident:
		if fn.Obj != nil {
			switch d := fn.Obj.Decl.(type) {
			case *ast.FuncDecl:
				if d.Body != nil {
					return []*ast.FuncLit{{Type: d.Type, Body: d.Body}}
				}
			case *ast.AssignStmt:
				if len(d.Rhs) == 1 {
					if fl, ok := d.Rhs[0].(*ast.FuncLit); ok {
						return []*ast.FuncLit{fl}
					}
				}
			case *ast.Field:
				return nil // a function handed in: unknown here
			}
		}
		return s.funcs[dir][fn.Name]
	case *ast.SelectorExpr:
		return s.funcs[dir][fn.Sel.Name]
	}
	return nil
}

// paramPos is the position of the parameter of ft that e names, or -1.
func paramPos(ft *ast.FuncType, e ast.Expr) int {
	id, ok := e.(*ast.Ident)
	if ft == nil || ft.Params == nil || !ok || id.Obj == nil {
		return -1
	}
	i := 0
	for _, f := range ft.Params.List {
		for _, nm := range f.Names {
			if nm.Obj == id.Obj {
				return i
			}
			i++
		}
	}
	return -1
}

// returns lists the first result of each return statement of a body,
// outside the function literals in it.
func returns(b *ast.BlockStmt) []ast.Expr {
	var out []ast.Expr
	ast.Inspect(b, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) > 0 {
				out = append(out, n.Results[0])
			}
		}
		return true
	})
	return out
}

var findingMethod = map[string]bool{"Arg": true, "Ev": true, "EvInt": true, "Sev": true, "Fix": true, "AddFixes": true}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// attach is one place a finding gets fixes.
type attach struct {
	pos      token.Position
	side     string
	catalog  bool   // AddFixes: the code's catalogued fixes
	key      string // Fix: the literal description key, if any
	codes    map[string]bool
	resolved bool
}

// scan returns the codes each side produces and every place fixes are
// attached.
func (s *source) scan() (produced map[string]map[string]bool, attaches []attach) {
	produced = map[string]map[string]bool{"explain": {}, "check": {}}
	for dir, files := range s.pkgs {
		for _, af := range files {
			side := s.side[af]
			ast.Inspect(af, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, isSel := call.Fun.(*ast.SelectorExpr)
				switch {
				case (isSel && sel.Sel.Name == "NewFinding" || isIdent(call.Fun, "NewFinding")) && len(call.Args) > 0:
					got := map[string]bool{}
					s.codesIn(dir, call.Args[0], map[ast.Node]bool{}, got)
					if len(got) == 0 {
						// A code carried in a value (diag.NewFinding(e.Code)):
						// any code the file names may be it.
						s.codesIn(dir, af, map[ast.Node]bool{}, got)
					}
					for c := range got {
						produced[side][c] = true
					}
				case isSel && (sel.Sel.Name == "Fix" && len(call.Args) == 2 || sel.Sel.Name == "AddFixes" && len(call.Args) == 1):
					a := attach{pos: s.fset.Position(call.Pos()), side: side, catalog: sel.Sel.Name == "AddFixes", codes: map[string]bool{}}
					if lit, ok := call.Args[0].(*ast.BasicLit); ok && !a.catalog {
						a.key, _ = strconv.Unquote(lit.Value)
					}
					a.resolved = s.findingCodes(dir, sel.X, map[ast.Node]bool{}, a.codes)
					if !a.resolved || len(a.codes) == 0 {
						// A finding whose code is a value (f :=
						// diag.NewFinding(e.Code)) in a switch on that
						// code: the codes of the case.
						a.resolved = s.caseCodes(call, a.codes)
					}
					attaches = append(attaches, a)
				}
				return true
			})
		}
	}
	return produced, attaches
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestSameFixesInCheckAndExplain: a code that explain and a live check
// both produce gets its fixes from its catalog entry on both sides, and
// only from there, so the two give the same descriptions and, filled with
// the same parameters, the same commands. The codes are those the source
// produces (read from it), not a list kept by hand.
func TestSameFixesInCheckAndExplain(t *testing.T) {
	s := readSource(t)
	produced, attaches := s.scan()
	if len(produced["explain"]) < 20 || len(produced["check"]) < 100 {
		t.Fatalf("found %d codes in explain and %d in the checks: the scan is broken", len(produced["explain"]), len(produced["check"]))
	}
	var shared []string
	for c := range produced["explain"] {
		if produced["check"][c] {
			shared = append(shared, c)
		}
	}
	sort.Strings(shared)
	if len(shared) < 10 {
		t.Fatalf("only %d codes shared by explain and the checks: the scan is broken", len(shared))
	}

	viaCatalog := map[string]map[string]bool{"explain": {}, "check": {}}
	unresolved := 0
	for _, a := range attaches {
		if !a.resolved || len(a.codes) == 0 {
			unresolved++
			t.Errorf("%s: cannot tell which code this fix is for", a.pos)
			continue
		}
		for c := range a.codes {
			if a.catalog {
				viaCatalog[a.side][c] = true
				continue
			}
			if _, ok := catalog.FixSpecs(c); ok {
				t.Errorf("%s: fix %q attached by hand to %s, whose fixes live in the catalog: use AddFixes", a.pos, a.key, c)
			}
		}
	}
	if len(attaches) < 100 {
		t.Fatalf("found only %d places that attach fixes: the scan is broken", len(attaches))
	}

	for _, c := range shared {
		specs, ok := catalog.FixSpecs(c)
		if !ok {
			t.Errorf("%s: produced by explain and a check, but its fixes are not in the catalog: declare them with RegisterFixes and attach them with AddFixes on both sides", c)
			continue
		}
		for _, side := range []string{"explain", "check"} {
			if !viaCatalog[side][c] {
				t.Errorf("%s: %s produces it without its catalogued fixes", c, side)
			}
		}
		// Filled with the same parameters, on each platform, the commands
		// are the catalog's, whichever side asks.
		for _, os := range []string{catalog.OSLinux, catalog.OSDarwin, catalog.OSWindows} {
			p := catalog.Params{catalog.ParamOS: os}
			for _, sp := range specs {
				for _, n := range catalog.Placeholders(sp.Command + " {" + sp.If + "}") {
					p[n] = "v-" + n
				}
			}
			got := catalog.FixesFor(c, p)
			want := 0
			for _, sp := range specs {
				onOS := sp.OS == "" || sp.OS == os || sp.OS == catalog.OSUnix && os != catalog.OSWindows
				withheld := false
				for _, n := range strings.Split(sp.Unless, ",") {
					withheld = withheld || p.Known(n)
				}
				if onOS && !withheld {
					want++
				}
			}
			if len(got) != want {
				t.Errorf("%s on %s: %d fixes, want %d", c, os, len(got), want)
			}
			for _, g := range got {
				// A brace that names no parameter is the command's own
				// (awk's {print $1}, PowerShell's ${env:…}).
				for _, n := range catalog.Placeholders(g.Command) {
					if _, ok := catalog.FixParam(n); ok {
						t.Errorf("%s: command %q keeps the template placeholder {%s}", c, g.Command, n)
					}
				}
			}
		}
	}
	if len(shared) < 50 {
		t.Errorf("found only %d codes shared by explain and the checks: the scan is broken", len(shared))
	}
	t.Logf("%d codes shared by explain and the checks, all with catalogued fixes", len(shared))
}

// TestNoExplainOnlyFixes: explain's own fix.explain_* phrases remain only
// for codes without catalogued fixes, the catalog's fixes never use one,
// and none is left unused.
func TestNoExplainOnlyFixes(t *testing.T) {
	s := readSource(t)
	_, attaches := s.scan()
	used := map[string]bool{}
	for _, a := range attaches {
		if !strings.HasPrefix(a.key, "fix.explain_") {
			continue
		}
		used[a.key] = true
		for _, c := range sortedKeys(a.codes) {
			if _, ok := catalog.FixSpecs(c); ok {
				t.Errorf("%s: %s still gets explain's own fix %q; its fixes live in the catalog", a.pos, c, a.key)
			}
		}
	}
	for _, c := range catalog.FixCodes() {
		specs, _ := catalog.FixSpecs(c)
		for _, sp := range specs {
			if strings.HasPrefix(sp.Key, "fix.explain_") {
				t.Errorf("%s: catalogued fix %q is one of explain's own phrases", c, sp.Key)
			}
		}
	}
	for _, k := range catalog.PhraseKeys() {
		if strings.HasPrefix(k, "fix.explain_") && !used[k] {
			t.Errorf("phrase %s is used by no fix", k)
		}
	}
	if len(used) == 0 {
		t.Log("no fix.explain_* phrase is left")
	}
}

func TestFillCommandQuotes(t *testing.T) {
	p := catalog.Params{"host": "[h]:2222", "known_hosts": "~/.ssh/known hosts", "user": "o'brien", "port": "22"}
	for _, c := range []struct {
		tmpl    string
		windows bool
		want    string
	}{
		{"ssh-keygen -R '{host}' -f {known_hosts}", false, `ssh-keygen -R '[h]:2222' -f ~/'.ssh/known hosts'`},
		{"id {user}", false, `id 'o'\''brien'`},
		{"echo '{user}'", false, `echo 'o'\''brien'`},
		{`echo "{user} $HOME"`, false, `echo "o'brien $HOME"`},
		{"icacls {known_hosts}", true, `icacls "~/.ssh/known hosts"`},
		{"echo '{user}'", true, `echo 'o''brien'`},
		{"ss 'sport = :{port}'", false, "ss 'sport = :22'"},
		{"ssh -p {port} {address}", false, "ssh -p 22 ADDRESS"},
	} {
		got, ok := catalog.FillCommand(c.tmpl, p, c.windows)
		if !ok || got != c.want {
			t.Errorf("FillCommand(%q) = %q, %v; want %q", c.tmpl, got, ok, c.want)
		}
	}
	if got, ok := catalog.FillCommand("echo '{known_hosts_line}'", p, false); ok || got != "" {
		t.Errorf("a value with no placeholder gave %q, %v; want the command left out", got, ok)
	}
	// A value from a log with a line break or an escape never becomes
	// part of a command, not even through a fragment.
	for _, v := range []string{"h\nrm -rf ~", "h\x1b[2J", "h\u202e"} {
		fx := catalog.FixesFor("auth.too_many_failures", catalog.Params{"config_host": v, "key_path": "k"})
		if strings.Contains(v, "\n") {
			// A fragment is sshdoctor's own text and may span lines;
			// the value key_path may not.
			fx = catalog.FixesFor("auth.too_many_failures", catalog.Params{"config_host": "h", "key_path": v})
		}
		withheld := 0
		for _, f := range fx {
			if f.Withheld {
				withheld++
				if f.Command != "" {
					t.Errorf("withheld fix %s has command %q", f.Key, f.Command)
				}
			} else if strings.Contains(f.Command, v) {
				t.Errorf("fix %s holds %q: %q", f.Key, v, f.Command)
			}
		}
		if withheld == 0 {
			t.Errorf("%q: no fix withheld", v)
		}
	}
}

// A missing key's directory is listed with the platform's own command:
// PowerShell's, with the path quoted for it, on Windows.
func TestKeyDirListingPerPlatform(t *testing.T) {
	for _, code := range []string{"key.missing", "key.invalid_format"} {
		for os, want := range map[string]string{
			catalog.OSLinux:   `ls -l '/home/a b/.ssh'`,
			catalog.OSWindows: `Get-ChildItem -Force -LiteralPath "C:\Users\a b\.ssh"`,
		} {
			dir := "/home/a b/.ssh"
			if os == catalog.OSWindows {
				dir = `C:\Users\a b\.ssh`
			}
			var got []string
			for _, f := range catalog.FixesFor(code, catalog.Params{catalog.ParamOS: os, "key_dir": dir}) {
				if f.Key == "fix.key_missing_path" {
					got = append(got, f.Command)
				}
			}
			if len(got) != 1 || got[0] != want {
				t.Errorf("%s on %s: %q, want %q", code, os, got, want)
			}
		}
	}
}
