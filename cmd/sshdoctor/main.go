// Command sshdoctor tells exactly why ssh to a machine fails and how to fix it.
package main

import (
	"os"

	"github.com/sshdoctor/sshdoctor/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.System()))
}
