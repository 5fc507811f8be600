package client

import "strings"

// The person's own invocation as fix parameters (catalog fragments): a fix
// command repeats their -F, -o, -i and destination.

// sshGArgs is the options and destination for `ssh -G`.
func (r *Run) sshGArgs() string {
	return strings.Join(quoteAll(append(r.userArgs(true, 0), r.opts.Host)), " ")
}

// invocationArgs is the options and destination for another program
// (sshdoctor), with port in place of the person's when it is not 0.
func (r *Run) invocationArgs(port int) string {
	return strings.Join(quoteAll(append(r.userArgs(true, port), r.destWithoutPort())), " ")
}

// sshArgs is the options and destination of the person's ssh command.
func (r *Run) sshArgs() string { return strings.TrimPrefix(r.sshCommand(""), "ssh ") }

// copyIDArgs is the options and destination for ssh-copy-id (its -i names
// the key to install, so the person's -i is not passed).
func (r *Run) copyIDArgs() string {
	return strings.Join(quoteAll(append(r.userArgs(false, 0), r.destWithoutPort())), " ")
}
