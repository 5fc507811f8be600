package catalog_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sshdoctor/catalog"
	// Every package that registers catalog entries is linked in here so the
	// test sees the whole table.
	_ "sshdoctor/internal/cli"
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

// TestEveryUsedCodeIsCatalogued parses every non-test Go file of the module
// and checks that each literal code given to diag.NewFinding, each literal
// fix key given to .Fix, and each literal phrase given to catalog.Say
// exists in the catalog.
func TestEveryUsedCodeIsCatalogued(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	used := 0
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
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			argIdx := 0
			kind := ""
			switch sel.Sel.Name {
			case "NewFinding":
				kind = "code"
			case "Fix":
				kind = "phrase"
			case "Say":
				kind, argIdx = "phrase", 1
			default:
				return true
			}
			if len(call.Args) <= argIdx {
				return true
			}
			lit, ok := call.Args[argIdx].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			used++
			pos := fset.Position(lit.Pos())
			switch kind {
			case "code":
				if _, ok := catalog.Lookup(s); !ok {
					t.Errorf("%s: code %q is not in the catalog", pos, s)
				}
			case "phrase":
				if _, ok := catalog.Phrase(s); !ok {
					t.Errorf("%s: phrase %q is not in the catalog", pos, s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used == 0 {
		t.Fatal("found no uses of catalog codes: the scan is broken")
	}
	_ = os.Getenv
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
	root, _ := filepath.Abs("..")
	fset := token.NewFileSet()
	seen := map[string]bool{}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Ev" && sel.Sel.Name != "EvInt") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			k, _ := strconv.Unquote(lit.Value)
			if !seen[k] {
				seen[k] = true
				if _, ok := catalog.Phrase("evidence." + k); !ok {
					t.Errorf("%s: evidence key %q has no label (phrase evidence.%s)", fset.Position(lit.Pos()), k, k)
				}
			}
			return true
		})
		return nil
	})
	if len(seen) < 10 {
		t.Fatalf("found only %d evidence keys: the scan is broken", len(seen))
	}
}

// Every literal sentence sshdoctor writes as an evidence value (a string
// literal with a space in it, given to .Ev) has a Japanese translation,
// which the text renderer applies line by line.
func TestLiteralEvidenceIsTranslated(t *testing.T) {
	root, _ := filepath.Abs("..")
	fset := token.NewFileSet()
	n := 0
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(nd ast.Node) bool {
			call, ok := nd.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Ev" {
				return true
			}
			lit, ok := call.Args[1].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			v, _ := strconv.Unquote(lit.Value)
			if !strings.Contains(v, " ") {
				return true // a word or identifier, not a sentence
			}
			n++
			for _, line := range strings.Split(v, "\n") {
				if !catalog.HasTranslation(line) {
					t.Errorf("%s: evidence text %q has no Japanese", fset.Position(lit.Pos()), line)
				}
			}
			return true
		})
		return nil
	})
	if n == 0 {
		t.Fatal("found no literal evidence sentences: the scan is broken")
	}
}
