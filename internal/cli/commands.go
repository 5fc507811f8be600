package cli

import "github.com/spf13/cobra"

// extraCommands are the commands beside check and version, one file each.
func extraCommands(s *IO, g *Globals) []*cobra.Command {
	return []*cobra.Command{
		NewCmdServer(s, g, nil),
		NewCmdVM(s, g, nil),
		NewCmdGCP(s, g, nil),
		NewCmdExplain(s, g, nil),
		NewCmdFix(s, g, nil),
		NewCmdScan(s, g, nil),
		NewCmdExporter(s, g, nil),
	}
}
