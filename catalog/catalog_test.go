package catalog_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/catalog"
	// Every package that registers catalog entries is linked in here so the
	// test sees the whole table.
	_ "github.com/sshdoctor/sshdoctor/internal/cli"
)

func TestCatalogIsComplete(t *testing.T) {
	for _, p := range catalog.Problems() {
		t.Error(p)
	}
	if len(catalog.Codes()) < 3 {
		t.Fatalf("catalog has only %d codes", len(catalog.Codes()))
	}
}

func TestPlaceholders(t *testing.T) {
	got := catalog.Placeholders("a {x} b {y} {x} {Bad}")
	if strings.Join(got, ",") != "x,y" {
		t.Fatalf("Placeholders = %v", got)
	}
	if s := catalog.Fill("{a}-{b}", map[string]string{"a": "1"}); s != "1-{b}" {
		t.Fatalf("Fill = %q", s)
	}
}

// forEachCall parses every non-test Go file of the module (outside
// testdata and hidden directories) and calls f with the function's name
// for each call such as x.NewFinding(...) or NewFinding(...).
func forEachCall(t *testing.T, f func(fset *token.FileSet, name string, call *ast.CallExpr)) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
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
		af, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(af, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				switch fn := call.Fun.(type) {
				case *ast.SelectorExpr:
					f(fset, fn.Sel.Name, call)
				case *ast.Ident: // a call inside the defining package
					f(fset, fn.Name, call)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// stringArg returns call's i-th argument when it is a string literal.
func stringArg(call *ast.CallExpr, i int) (string, token.Pos, bool) {
	if len(call.Args) <= i {
		return "", 0, false
	}
	lit, ok := call.Args[i].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", 0, false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, lit.Pos(), err == nil
}

// TestEveryUsedCodeIsCatalogued checks that each literal code given to
// diag.NewFinding, each literal fix key given to .Fix, and each literal
// phrase given to catalog.Say exists in the catalog.
func TestEveryUsedCodeIsCatalogued(t *testing.T) {
	used := 0
	forEachCall(t, func(fset *token.FileSet, name string, call *ast.CallExpr) {
		var s string
		var pos token.Pos
		var ok bool
		switch name {
		case "NewFinding":
			if s, pos, ok = stringArg(call, 0); ok {
				used++
				if _, found := catalog.Lookup(s); !found {
					t.Errorf("%s: code %q is not in the catalog", fset.Position(pos), s)
				}
			}
			return
		case "Fix":
			s, pos, ok = stringArg(call, 0)
		case "Say":
			s, pos, ok = stringArg(call, 1)
		}
		if ok {
			used++
			if _, found := catalog.Phrase(s); !found {
				t.Errorf("%s: phrase %q is not in the catalog", fset.Position(pos), s)
			}
		}
	})
	if used == 0 {
		t.Fatal("found no uses of catalog codes: the scan is broken")
	}
}

func TestTranslateVerbs(t *testing.T) {
	catalog.RegisterTranslations(map[string]string{"test %q has %d": "テスト %[1]q には %[2]d"})
	if got := catalog.Translate(catalog.JA, "test %q has %d"); got != "テスト %[1]q には %[2]d" {
		t.Fatal(got)
	}
	if got := catalog.Translate(catalog.EN, "test %q has %d"); got != "test %q has %d" {
		t.Fatal(got)
	}
	if got := catalog.Translate(catalog.JA, "no such text"); got != "no such text" {
		t.Fatal(got)
	}
}

// Every literal evidence key given to .Ev or .EvInt has a label in both
// languages, so text output never shows a bare identifier.
func TestEvidenceKeysHaveLabels(t *testing.T) {
	seen := map[string]bool{}
	forEachCall(t, func(fset *token.FileSet, name string, call *ast.CallExpr) {
		if name != "Ev" && name != "EvInt" {
			return
		}
		k, pos, ok := stringArg(call, 0)
		if !ok || seen[k] {
			return
		}
		seen[k] = true
		if _, found := catalog.Phrase("evidence." + k); !found {
			t.Errorf("%s: evidence key %q has no label (phrase evidence.%s)", fset.Position(pos), k, k)
		}
	})
	if len(seen) < 10 {
		t.Fatalf("found only %d evidence keys: the scan is broken", len(seen))
	}
}

// Every literal sentence sshdoctor writes as an evidence value (a string
// literal with a space in it, given to .Ev) has a Japanese translation,
// which the text renderer applies line by line.
func TestLiteralEvidenceIsTranslated(t *testing.T) {
	n := 0
	forEachCall(t, func(fset *token.FileSet, name string, call *ast.CallExpr) {
		if name != "Ev" || len(call.Args) != 2 {
			return
		}
		v, pos, ok := stringArg(call, 1)
		if !ok || !strings.Contains(v, " ") {
			return // not a literal, or a word or identifier rather than a sentence
		}
		n++
		for _, line := range strings.Split(v, "\n") {
			if !catalog.HasTranslation(line) {
				t.Errorf("%s: evidence text %q has no Japanese", fset.Position(pos), line)
			}
		}
	})
	if n == 0 {
		t.Fatal("found no literal evidence sentences: the scan is broken")
	}
}
