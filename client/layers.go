package client

import "sshdoctor/diag"

// layers lists every client check in dependency order.
func (r *Run) layers() []*diag.Check {
	return []*diag.Check{}
}
