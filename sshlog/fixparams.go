package sshlog

import (
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
)

// Explain fills the fixes of a code from the catalog (diag.Finding.AddFixes)
// with what the text showed; a value it did not show is left out of the
// parameters, so the command shows the catalog's placeholder for it.

// params builds fix parameters from name/value pairs, dropping the values
// the text did not show.
func params(kv ...string) catalog.Params {
	p := catalog.Params{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" && kv[i+1] != catalog.Unseen {
			p[kv[i]] = kv[i+1]
		}
	}
	return p
}

// sshArgs is the fix parameter ssh_args for a destination as ssh's
// messages name it (host, or [host]:port): "-p PORT user@host", quoted.
// It is "" when the host is unknown.
func sshArgs(user, name string) string {
	if name == "" || name == catalog.Unseen {
		return ""
	}
	host, port := name, ""
	if h, p, ok := hostPort(name); ok && strings.HasPrefix(name, "[") {
		host, port = h, p
	}
	dest := host
	if user != "" {
		dest = user + "@" + host
	}
	out := catalog.ShellQuote(dest)
	if port != "" && port != "22" {
		out = "-p " + catalog.ShellQuote(port) + " " + out
	}
	return out
}

// hostKeyFileType is the host key type as the server's key file names
// it, or "" when the text named none this can be sure of.
func hostKeyFileType(t string) string {
	t = strings.ToLower(strings.TrimSuffix(strings.ToUpper(t), "-CERT"))
	switch t {
	case "ed25519", "ecdsa", "rsa", "dsa":
		return t
	}
	return ""
}

// os is the platform the transcript came from, as the fix parameter
// catalog.ParamOS: "windows" when its paths or messages are Windows', else
// "" (a POSIX system).
func (c *clientFacts) os() string {
	if c.windowsText() {
		return catalog.OSWindows
	}
	return ""
}

// sshdSpec is the fix parameter sshd_spec for a user the text named: the
// client's address is not in a client's transcript, so it stays the
// placeholder CLIENT_IP. It is "" when the user is unknown.
func sshdSpec(user string) string {
	if user == "" || user == catalog.Unseen {
		return ""
	}
	return "user=" + user + ",host=CLIENT_IP,addr=CLIENT_IP"
}

// destArgs is the fix parameter for the person's options and destination
// (ssh_args, copy_id_args) from what the text showed: "-p PORT " (portOpt,
// already formed) and user@host, quoted; "" when the host is unknown.
func destArgs(portOpt, user, host string) string {
	if host == "" || host == catalog.Unseen {
		return ""
	}
	dest := host
	if user != "" && user != catalog.Unseen {
		dest = user + "@" + host
	}
	return portOpt + catalog.ShellQuote(dest)
}

// connSpec is the fix parameter sshd_spec for the connection a server log
// line names: the client's address stays the placeholder CLIENT_IP when
// the line did not show it. It is "" when the user is unknown.
func connSpec(user, src string) string {
	if src == "" || src == catalog.Unseen {
		return sshdSpec(user)
	}
	if user == "" || user == catalog.Unseen {
		return ""
	}
	return "user=" + user + ",host=" + src + ",addr=" + src
}

// akcParams are the fix parameters of an AuthorizedKeysCommand failure
// from sshd's message: the file or directory its modes were refused for,
// the command it could not stat or that failed. The command's arguments
// and user are not in the message, so running it by hand stays advice.
func akcParams(detail, prog string) catalog.Params {
	p := params("access_sshd", "sudo sshd")
	switch {
	case strings.Contains(detail, "bad ownership or modes for file "):
		p = params("access_sshd", "sudo sshd", "access_akc_unsafe", afterLast(detail, "bad ownership or modes for file "))
	case strings.Contains(detail, "bad ownership or modes for directory "):
		// A directory may be a shared one (/tmp) that must stay as it
		// is; the message does not say, so the fix is to move the command.
		p = params("access_sshd", "sudo sshd", "access_akc_dir", afterLast(detail, "bad ownership or modes for directory "))
	case strings.HasPrefix(detail, "Could not stat ") && strings.HasSuffix(detail, ": Permission denied"):
		// sshd looks the command up as AuthorizedKeysCommandUser, whom
		// the line does not name.
		p = params("access_sshd", "sudo sshd", "access_akc_unreachable", prog)
	case strings.HasPrefix(detail, "Could not stat "):
		p = params("access_sshd", "sudo sshd", "access_akc_missing", prog)
	case strings.Contains(detail, " failed, status "), strings.Contains(detail, " exited on signal "):
		p = params("access_sshd", "sudo sshd", "access_akc_failed", prog)
	}
	return p
}

// afterLast is the text after the last sep in s, up to the end.
func afterLast(s, sep string) string {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(s[i+len(sep):])
}

// dest is the destination the transcript names: the user and host of the
// "Permission denied" line, else of "Authenticating to", and "-p PORT "
// for a port other than 22.
func (c *clientFacts) dest() (user, host, portOpt string) {
	if d := c.last("denied"); d != nil {
		user, host = d.m[1], d.m[2]
	}
	if a := c.last("authenticating_to"); a != nil {
		if user == "" {
			user = a.m[2]
		}
		if h, p, ok := hostPort(a.m[1]); ok {
			if host == "" {
				host = h
			}
			if p != "22" {
				portOpt = "-p " + p + " "
			}
		}
	}
	return user, host, portOpt
}

// destArgs is the fix parameter ssh_args for the destination the
// transcript names; "" when it names none.
func (c *clientFacts) destArgs() string {
	user, host, portOpt := c.dest()
	return destArgs(portOpt, user, host)
}
