package fix

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
)

// Consent is how the person agreed (or did not).
type Consent string

const (
	ConsentYes      Consent = "yes"      // --yes
	ConsentAsked    Consent = "asked"    // answered on the terminal
	ConsentDryRun   Consent = "dry_run"  // --dry-run: nothing applied
	ConsentNoTTY    Consent = "no_tty"   // no terminal and no --yes: nothing applied
	ConsentDeclined Consent = "declined" // asked, and nothing was accepted
)

// maxAnswer bounds one answer line.
const maxAnswer = 256

// Ask asks on out for each step that sshdoctor would apply, reading
// answers from in: y applies the step, a (all) this one and every later
// one, q stops asking, anything else (and end of input) means no.
func Ask(in io.Reader, out io.Writer, lang catalog.Lang, p *Plan) []int {
	r := bufio.NewReaderSize(in, maxAnswer)
	var ids []int
	all := false
	for _, s := range p.Steps {
		if s.Kind == KindManual {
			continue
		}
		if all {
			ids = append(ids, s.ID)
			continue
		}
		fmt.Fprint(out, catalog.Say(lang, "fix.ui.ask", map[string]string{"n": fmt.Sprint(s.ID)})+" ")
		line, err := readLine(r)
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes", "はい":
			ids = append(ids, s.ID)
		case "a", "all", "すべて":
			all = true
			ids = append(ids, s.ID)
		case "q", "quit":
			return ids
		}
		if err != nil {
			fmt.Fprintln(out)
			return ids
		}
	}
	return ids
}

// readLine reads one line, at most maxAnswer bytes of it.
func readLine(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		chunk, isPrefix, err := r.ReadLine()
		if b.Len() < maxAnswer {
			b.Write(chunk[:min(len(chunk), maxAnswer-b.Len())])
		}
		if err != nil {
			return b.String(), err
		}
		if !isPrefix {
			return b.String(), nil
		}
	}
}

// Applicable lists the IDs of the steps sshdoctor itself would apply.
func (p *Plan) Applicable() []int {
	var ids []int
	for _, s := range p.Steps {
		if s.Kind != KindManual {
			ids = append(ids, s.ID)
		}
	}
	return ids
}
