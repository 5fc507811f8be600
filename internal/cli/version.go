package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/internal/version"
)

// NewCmdVersion prints the version: one line, or with --json an object with
// version, revision, modified, date, go and platform.
func NewCmdVersion(s *IO, g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			in := version.Get()
			if g != nil && g.JSON {
				enc := json.NewEncoder(s.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(in)
			}
			fmt.Fprintln(s.Out, in.String())
			return nil
		},
	}
}
