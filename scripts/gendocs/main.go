// Command gendocs writes the man pages and completion scripts that release
// archives and packages ship: OUT/man/*.1 and OUT/completions/*.
//
//	go run ./scripts/gendocs [-date 2026-12-02T00:00:00Z] OUT
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/gendocs"
)

func main() {
	date := flag.String("date", "", "date printed in the man pages, RFC 3339 (default: SOURCE_DATE_EPOCH, else today)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gendocs [-date RFC3339] OUT")
		os.Exit(2)
	}
	out := flag.Arg(0)
	d := time.Now().UTC()
	if *date != "" {
		t, err := time.Parse(time.RFC3339, *date)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gendocs: -date %q: %v\n", *date, err)
			os.Exit(2)
		}
		d = t
	} else if e := os.Getenv("SOURCE_DATE_EPOCH"); e != "" {
		var sec int64
		if _, err := fmt.Sscan(e, &sec); err == nil {
			d = time.Unix(sec, 0).UTC()
		}
	}
	if err := gendocs.ManPages(filepath.Join(out, "man"), d); err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
		os.Exit(1)
	}
	if err := gendocs.CompletionScripts(filepath.Join(out, "completions")); err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
		os.Exit(1)
	}
}
