package cli

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/catalog"
)

// Every help text and flag description has a Japanese translation.
func TestHelpIsTranslated(t *testing.T) {
	s, _, _ := TestIO(nil)
	root := NewRootCmd(context.Background(), s, &Globals{})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, txt := range allHelpTexts(root) {
		if !catalog.HasTranslation(txt) {
			t.Errorf("no Japanese for help text %q", txt)
		}
	}
}

// Every literal format given to usagef in this package has a translation.
func TestUsageErrorsAreTranslated(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(nd ast.Node) bool {
			call, ok := nd.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "usagef" || len(call.Args) == 0 {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok {
				t.Errorf("%s: usagef with a non-literal format", fset.Position(call.Pos()))
				return true
			}
			format, _ := strconv.Unquote(lit.Value)
			n++
			if !catalog.HasTranslation(format) {
				t.Errorf("%s: no Japanese for usage error %q", fset.Position(lit.Pos()), format)
			}
			return true
		})
	}
	if n == 0 {
		t.Fatal("found no usagef calls: the scan is broken")
	}
}

func TestJapaneseUsageErrorAndHelp(t *testing.T) {
	s, _, errOut := TestIO(map[string]string{"LANG": "ja_JP.UTF-8"})
	if code := Main([]string{"check", "-p", "0", "host"}, s); code != ExitUsage {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errOut.String(), "ポート") {
		t.Fatalf("usage error not in Japanese: %q", errOut.String())
	}
	s, out, _ := TestIO(map[string]string{})
	Main([]string{"--lang", "ja", "check", "--help"}, s)
	if !strings.Contains(out.String(), "使い方") || !strings.Contains(out.String(), "ssh") {
		t.Fatalf("help not in Japanese: %s", out.String())
	}
	s, _, errOut = TestIO(map[string]string{"LANG": "ja_JP.UTF-8"})
	Main([]string{"check", "--bogus", "host"}, s)
	if !strings.Contains(errOut.String(), "不明なフラグ") {
		t.Fatalf("cobra error not in Japanese: %q", errOut.String())
	}
	_ = os.Getenv
}
