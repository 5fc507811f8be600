package lazyre_test

import (
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

func TestCompiledOnFirstUse(t *testing.T) {
	r := lazyre.New(`^a(b+)$`)
	if got := r.FindStringSubmatch("abb"); len(got) != 2 || got[1] != "bb" {
		t.Fatalf("FindStringSubmatch = %q", got)
	}
	first := r.Regexp()
	if again := r.Regexp(); again != first {
		t.Error("compiled twice")
	}
}

func TestCompileAllFindsABadPattern(t *testing.T) {
	lazyre.New(`(unclosed`)
	if _, err := lazyre.CompileAll(); err == nil || !strings.Contains(err.Error(), "missing closing )") {
		t.Errorf("CompileAll = %v, want the bad pattern's error", err)
	}
}
