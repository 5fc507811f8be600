package client

import (
	"strconv"
	"strings"
)

// userArgs returns the options the person gave, in ssh's syntax (which
// sshdoctor shares), so that a fix command reproduces their invocation plus
// the change instead of silently targeting another config, key or port.
// A non-zero port replaces the user's.
func (r *Run) userArgs(identities bool, port int) []string {
	var a []string
	if r.opts.ConfigFile != "" {
		a = append(a, "-F", r.opts.ConfigFile)
	}
	for _, kv := range r.opts.Options {
		a = append(a, "-o", kv.Key+"="+kv.Value)
	}
	if port == 0 {
		port = r.opts.Port
	}
	if port != 0 {
		a = append(a, "-p", strconv.Itoa(port))
	}
	if identities {
		for _, i := range r.opts.Identities {
			a = append(a, "-i", i)
		}
	}
	switch r.opts.AddressFamily {
	case "inet":
		a = append(a, "-4")
	case "inet6":
		a = append(a, "-6")
	}
	return a
}

// command builds "prog [extra…] [the user's options…] destination", each
// word quoted for a POSIX shell.
func (r *Run) command(prog string, identities bool, extra ...string) string {
	return r.commandPort(prog, identities, 0, extra...)
}

// commandPort is command with another port than the user's.
func (r *Run) commandPort(prog string, identities bool, port int, extra ...string) string {
	words := append([]string{prog}, extra...)
	words = append(words, r.userArgs(identities, port)...)
	words = append(words, r.destWithoutPort())
	return strings.Join(quoteAll(words), " ")
}

// sshGCommand is `ssh -G` for the destination with the user's options,
// piped through a grep for the keywords of interest.
func (r *Run) sshGCommand(keywords string) string {
	a := append([]string{"ssh", "-G"}, r.userArgs(true, 0)...)
	a = append(a, r.opts.Host)
	return strings.Join(quoteAll(a), " ") + " | grep -E '^(" + keywords + ") '"
}

// copyIDCommand is ssh-copy-id for pub with the user's config, options and
// port (its -i names the key to install, so the user's -i is not passed).
func (r *Run) copyIDCommand(pub string) string {
	return r.command("ssh-copy-id", false, "-i", pub)
}
