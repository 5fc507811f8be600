//go:build windows

package cli

import "os/exec"

// prepareRun: on Windows the context's kill of ssh itself is all there is.
func prepareRun(c *exec.Cmd) {}
