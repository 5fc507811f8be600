package sshconfig

import (
	"errors"
	"strings"
)

// ErrUnterminatedQuote is a value whose quote is never closed: OpenSSH
// rejects such a line ("invalid quotes").
var ErrUnterminatedQuote = errors.New("unterminated quote")

// SplitArgs splits a configuration value into arguments exactly as
// OpenSSH's argv_split (misc.c) does for ssh_config and sshd_config lines:
// white space separates arguments; single or double quotes group (and are
// removed); a backslash escapes a quote, a backslash, or (outside quotes) a
// space, and is kept before anything else; a '#' that starts an argument
// ends the line when comment is true (a trailing comment).
func SplitArgs(s string, comment bool) ([]string, error) {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			continue
		}
		if comment && s[i] == '#' {
			break
		}
		cur.Reset()
		var quote byte
		for ; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '\\' && i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '"' || s[i+1] == '\\' || quote == 0 && s[i+1] == ' '):
				i++
				cur.WriteByte(s[i])
				continue
			case quote == 0 && (c == ' ' || c == '\t'):
			case quote == 0 && (c == '"' || c == '\''):
				quote = c
				continue
			case quote != 0 && c == quote:
				quote = 0
				continue
			default:
				cur.WriteByte(c)
				continue
			}
			break // white space outside quotes ends the argument
		}
		if quote != 0 {
			return out, ErrUnterminatedQuote
		}
		out = append(out, cur.String())
	}
	return out, nil
}

// restOfLine lists the client keywords whose value is the rest of the line,
// taken as written (readconf.c copies it whole: a '#' in it is part of the
// command, as `ssh -G` shows).
var restOfLine = map[string]bool{
	"proxycommand": true, "localcommand": true, "remotecommand": true, "knownhostscommand": true,
}

// joinFileList undoes `ssh -G`'s flattening of a file list: it prints the
// files of UserKnownHostsFile/GlobalKnownHostsFile joined by single spaces
// without quoting, after expanding '~', so "/Users/a b/known_hosts" comes
// out as two words. Every file ssh prints there is absolute, so a word
// that does not start a path continues the previous one.
func joinFileList(words []string) []string {
	var out []string
	for _, w := range words {
		if len(out) > 0 && !startsPath(w) {
			out[len(out)-1] += " " + w
			continue
		}
		out = append(out, w)
	}
	return out
}

// startsPath reports whether w can begin a file name as ssh -G prints it:
// absolute (Unix or Windows), home-relative, or a percent/environment
// expansion ssh leaves for later.
func startsPath(w string) bool {
	if w == "" {
		return false
	}
	switch w[0] {
	case '/', '~', '%', '$', '\\':
		return true
	}
	return len(w) >= 3 && w[1] == ':' && (w[2] == '\\' || w[2] == '/') &&
		(w[0] >= 'A' && w[0] <= 'Z' || w[0] >= 'a' && w[0] <= 'z')
}
