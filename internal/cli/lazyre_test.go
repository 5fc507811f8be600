package cli

import (
	"testing"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// Every expression the binary declares compiles: they are compiled on
// first use, so a bad one would otherwise surface only in the run that
// needs it.
func TestEveryLazyExpressionCompiles(t *testing.T) {
	n, err := lazyre.CompileAll()
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Errorf("only %d expressions declared: are the packages linked?", n)
	}
}
