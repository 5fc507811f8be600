// Package gendocs writes what the release ships beside the binary: man
// pages generated from the command tree (cobra/doc) and the shell
// completion scripts. It is not linked into sshdoctor itself.
package gendocs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/sshdoctor/sshdoctor/internal/cli"
)

// Completions are the script files written, by shell.
var Completions = map[string]string{
	"bash":       "sshdoctor.bash",
	"zsh":        "_sshdoctor",
	"fish":       "sshdoctor.fish",
	"powershell": "sshdoctor.ps1",
}

func root() *cobra.Command {
	s, _, _ := cli.TestIO(nil) // English, no environment: the same text on every machine
	r := cli.NewRootCmd(context.Background(), s, &cli.Globals{})
	r.DisableAutoGenTag = true
	r.InitDefaultHelpCmd()
	r.InitDefaultCompletionCmd()
	return r
}

// ManPages writes one section-1 page per command into dir. date is the
// date printed in the pages (a release passes its commit date so that the
// pages do not change from one build to the next).
func ManPages(dir string, date time.Time) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return doc.GenManTree(root(), &doc.GenManHeader{Title: "SSHDOCTOR", Section: "1", Date: &date,
		Source: "sshdoctor", Manual: "sshdoctor manual"}, dir)
}

// CompletionScripts writes a completion script for every shell into dir.
func CompletionScripts(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r := root()
	for shell, name := range Completions {
		var b bytes.Buffer
		var err error
		switch shell {
		case "bash":
			err = r.GenBashCompletionV2(&b, true)
		case "zsh":
			err = r.GenZshCompletion(&b)
		case "fish":
			err = r.GenFishCompletion(&b, true)
		case "powershell":
			err = r.GenPowerShellCompletionWithDesc(&b)
		}
		if err != nil {
			return fmt.Errorf("%s completion: %w", shell, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
