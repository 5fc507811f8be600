package server

import (
	"bufio"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/sshconfig"
	"golang.org/x/crypto/ssh"
)

// KeyOption is one authorized_keys option: restrict, from="…", …
type KeyOption struct {
	Name     string // lower-case
	Value    string // dequoted; "" for flags
	HasValue bool
}

// KeyLine is one parsed authorized_keys line. Err is set when sshd would
// skip the line; the other fields hold what could be read.
type KeyLine struct {
	Path string
	Line int
	Text string // the raw line, capped

	Options []KeyOption
	Type    string // the key type word
	Blob    []byte
	Comment string
	Err     string

	// Derived from the options.
	From          string
	Command       string
	Restrict      bool
	CertAuthority bool
	Expiry        time.Time // zero: no expiry-time
	ExpiryRaw     string
}

// Fingerprint is the key's SHA256 fingerprint as ssh-keygen -l prints it.
func (k *KeyLine) Fingerprint() string {
	if len(k.Blob) == 0 {
		return ""
	}
	return sshconfig.KeyFingerprint(k.Blob)
}

// maxKeyLineBytes caps one authorized_keys line: the largest real keys
// (16k-bit RSA certificates with options) are a few kB.
const maxKeyLineBytes = 64 << 10

// maxKeyFileBytes caps how much of one authorized_keys file is read.
const maxKeyFileBytes = 4 << 20

// knownKeyTypes are the key type words sshd reads in authorized_keys
// (sshkey.c keyimpls), mapped to the type of the blob they must hold.
var knownKeyTypes = map[string]string{
	"ssh-ed25519":                                 "ssh-ed25519",
	"ssh-ed25519-cert-v01@openssh.com":            "ssh-ed25519-cert-v01@openssh.com",
	"sk-ssh-ed25519@openssh.com":                  "sk-ssh-ed25519@openssh.com",
	"sk-ssh-ed25519-cert-v01@openssh.com":         "sk-ssh-ed25519-cert-v01@openssh.com",
	"ecdsa-sha2-nistp256":                         "ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384":                         "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521":                         "ecdsa-sha2-nistp521",
	"ecdsa-sha2-nistp256-cert-v01@openssh.com":    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"ecdsa-sha2-nistp384-cert-v01@openssh.com":    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
	"ecdsa-sha2-nistp521-cert-v01@openssh.com":    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
	"sk-ecdsa-sha2-nistp256@openssh.com":          "sk-ecdsa-sha2-nistp256@openssh.com",
	"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"ssh-rsa":                      "ssh-rsa",
	"rsa-sha2-256":                 "ssh-rsa",
	"rsa-sha2-512":                 "ssh-rsa",
	"ssh-rsa-cert-v01@openssh.com": "ssh-rsa-cert-v01@openssh.com",
	"ssh-dss":                      "ssh-dss",
	"ssh-dss-cert-v01@openssh.com": "ssh-dss-cert-v01@openssh.com",
}

// flagOptions are the options without a value (auth-options.c); the
// bool says whether a "no-" form exists.
var flagOptions = map[string]bool{
	"agent-forwarding": true, "port-forwarding": true, "pty": true, "user-rc": true,
	"x11-forwarding": true, "touch-required": true, "verify-required": true,
	"cert-authority": false, "restrict": false,
}

// valueOptions take ="value".
var valueOptions = map[string]bool{
	"command": true, "principals": true, "from": true, "expiry-time": true,
	"environment": true, "permitopen": true, "permitlisten": true, "tunnel": true,
}

// ParseKeyLine parses one authorized_keys line as sshd does
// (auth2-pubkeyfile.c check_authkey_line, auth-options.c sshauthopt_parse).
// ok is false for blank and comment lines. Times without "Z" are read in
// loc (sshd uses the server's local time zone).
func ParseKeyLine(text string, loc *time.Location) (k KeyLine, ok bool) {
	k.Text = capText(text, 300)
	cp := strings.TrimLeft(text, " \t")
	cp = strings.TrimRight(cp, "\r\n")
	if cp == "" || cp[0] == '#' {
		return k, false
	}
	// A line that starts with a key type has no options.
	if typ, rest, ok := readKey(&k, cp); ok {
		k.Type = typ
		k.Comment = strings.TrimSpace(rest)
		return k, true
	}
	// Otherwise options come first, up to unquoted white space.
	end, err := advancePastOptions(cp)
	if err != nil {
		k.Err = "invalid key option string (unterminated quote)"
		return k, true
	}
	opts := cp[:end]
	rest := strings.TrimLeft(cp[end:], " \t")
	if rest == "" {
		switch {
		case k.Err != "":
		case !strings.ContainsAny(opts, "=,\""):
			k.Err = "unknown key type " + quoteShort(opts)
		default:
			k.Err = "no key after the options"
		}
		return k, true
	}
	typ, tail, ok := readKey(&k, rest)
	if !ok {
		if k.Err == "" {
			k.Err = "bad key syntax"
			if !looksLikeOptions(opts) {
				k.Err = "bad key syntax: the line does not start with a key type (a key split across lines?)"
			}
		}
		return k, true
	}
	k.Err = ""
	k.Type = typ
	k.Comment = strings.TrimSpace(tail)
	if err := parseOptions(&k, opts, loc); err != nil {
		k.Err = "bad key options: " + err.Error()
	}
	return k, true
}

// looksLikeOptions reports whether s could be an options field.
func looksLikeOptions(s string) bool {
	if strings.ContainsAny(s, "=,\"") {
		return true
	}
	l := strings.ToLower(s)
	_, flag := flagOptions[strings.TrimPrefix(l, "no-")]
	return flag
}

// readKey reads "type base64" from the start of s. On failure k.Err may
// say why (when the type was recognised).
func readKey(k *KeyLine, s string) (typ, rest string, ok bool) {
	word, after := cutSpace(s)
	want, known := knownKeyTypes[word]
	if !known {
		if strings.HasPrefix(word, "-----BEGIN") {
			k.Err = "this is a private key, not a public key line"
		}
		return "", "", false
	}
	after = strings.TrimLeft(after, " \t")
	b64, rest := cutSpace(after)
	if b64 == "" {
		k.Err = "key type " + word + " without key data"
		return "", "", false
	}
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		k.Err = "key data is not valid base64 (a key split across lines or cut short?)"
		return "", "", false
	}
	pk, err := ssh.ParsePublicKey(blob)
	if err != nil {
		k.Err = "key data does not decode as a " + word + " key: " + shortErr(err)
		return "", "", false
	}
	if pk.Type() != want {
		k.Err = "key type mismatch: the line says " + word + " but the key is " + pk.Type()
		return "", "", false
	}
	k.Blob = blob
	return word, rest, true
}

func cutSpace(s string) (word, rest string) {
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// advancePastOptions mirrors sshkey_advance_past_options: the options end
// at the first unquoted space or tab; \" inside quotes is an escaped quote.
func advancePastOptions(s string) (int, error) {
	quoted := false
	i := 0
	for ; i < len(s) && (quoted || (s[i] != ' ' && s[i] != '\t')); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '"' {
			i++
		} else if s[i] == '"' {
			quoted = !quoted
		}
	}
	if i >= len(s) && quoted {
		return i, errors.New("unterminated quote")
	}
	return i, nil
}

// parseOptions parses the comma-separated options.
func parseOptions(k *KeyLine, s string, loc *time.Location) error {
	for len(s) > 0 {
		// Option name: up to '=' or ','.
		i := strings.IndexAny(s, "=,")
		name := s
		if i >= 0 {
			name = s[:i]
		}
		lname := strings.ToLower(name)
		opt := KeyOption{Name: lname}
		switch {
		case valueOptions[lname]:
			if i < 0 || s[i] != '=' || i+1 >= len(s) || s[i+1] != '"' {
				return errors.New(name + ": expected =\"value\"")
			}
			v, n, err := dequote(s[i+1:])
			if err != nil {
				return errors.New(name + ": " + err.Error())
			}
			opt.Value, opt.HasValue = v, true
			s = s[i+1+n:]
		default:
			base := lname
			neg := strings.HasPrefix(base, "no-")
			if neg {
				base = base[3:]
			}
			negatable, known := flagOptions[base]
			if !known || (neg && !negatable) || (i >= 0 && s[i] == '=') {
				return errors.New("unsupported option " + quoteShort(name))
			}
			s = s[len(name):]
		}
		if err := applyOption(k, opt, loc); err != nil {
			return err
		}
		k.Options = append(k.Options, opt)
		if s == "" {
			break
		}
		if s[0] != ',' {
			return errors.New("unexpected end-of-options")
		}
		s = s[1:]
		if s == "" {
			return errors.New("unexpected end-of-options")
		}
	}
	return nil
}

// dequote reads "value" at the start of s: a backslash escapes only a
// double quote (opt_dequote). It returns the value and bytes consumed.
func dequote(s string) (string, int, error) {
	if s == "" || s[0] != '"' {
		return "", 0, errors.New("missing start quote")
	}
	var b strings.Builder
	i := 1
	for ; i < len(s) && s[i] != '"'; i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '"' {
			i++
		}
		b.WriteByte(s[i])
	}
	if i >= len(s) {
		return "", 0, errors.New("missing end quote")
	}
	return b.String(), i + 1, nil
}

func applyOption(k *KeyLine, o KeyOption, loc *time.Location) error {
	switch o.Name {
	case "restrict":
		k.Restrict = true
	case "cert-authority":
		k.CertAuthority = true
	case "command":
		if k.Command != "" {
			return errors.New(`multiple "command" clauses`)
		}
		k.Command = o.Value
	case "from":
		if k.From != "" {
			return errors.New(`multiple "from" clauses`)
		}
		k.From = o.Value
	case "expiry-time":
		t, err := parseAbsoluteTime(o.Value, loc)
		if err != nil {
			return errors.New("invalid expiry time " + quoteShort(o.Value))
		}
		// sshd keeps the earliest of several expiry times.
		if k.Expiry.IsZero() || t.Before(k.Expiry) {
			k.Expiry, k.ExpiryRaw = t, o.Value
		}
	case "environment":
		name, _, ok := strings.Cut(o.Value, "=")
		if !ok || name == "" {
			return errors.New("invalid environment string")
		}
	case "tunnel":
		if o.Value == "" || strings.Trim(o.Value, "0123456789") != "" {
			return errors.New("invalid tun device")
		}
	}
	return nil
}

// parseAbsoluteTime reads YYYYMMDD[HHMM[SS]][Z] (misc.c parse_absolute_time).
func parseAbsoluteTime(s string, loc *time.Location) (time.Time, error) {
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		s, loc = s[:len(s)-1], time.UTC
	}
	layout := ""
	switch len(s) {
	case 8:
		layout = "20060102"
	case 12:
		layout = "200601021504"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}, errors.New("bad length")
	}
	if strings.Trim(s, "0123456789") != "" {
		return time.Time{}, errors.New("not digits")
	}
	if loc == nil {
		loc = time.Local
	}
	return time.ParseInLocation(layout, s, loc)
}

// ParseAuthorizedKeys reads a whole authorized_keys file (bounded) and
// returns its key lines; long lines are reported as invalid rather than
// read. truncated is true when the file was longer than the cap.
func ParseAuthorizedKeys(r io.Reader, path string, loc *time.Location) (lines []KeyLine, truncated bool, err error) {
	lr := io.LimitReader(r, maxKeyFileBytes+1)
	br := bufio.NewReaderSize(lr, 64<<10)
	n := 0
	total := 0
	for {
		line, long, rerr := readCappedLine(br, maxKeyLineBytes)
		if rerr != nil && line == "" && !long {
			if rerr == io.EOF {
				break
			}
			return lines, truncated, rerr
		}
		n++
		total += len(line)
		if total > maxKeyFileBytes {
			truncated = true
			break
		}
		if long {
			lines = append(lines, KeyLine{Path: path, Line: n, Text: capText(line, 300),
				Err: "line longer than 64 KiB; not examined"})
		} else if k, ok := ParseKeyLine(line, loc); ok {
			k.Path, k.Line = path, n
			lines = append(lines, k)
		}
		if rerr == io.EOF {
			break
		}
	}
	return lines, truncated, nil
}

// readCappedLine reads one line, keeping at most max bytes of it (the
// rest is consumed); long is true when the line was cut.
func readCappedLine(br *bufio.Reader, max int) (line string, long bool, err error) {
	var b []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(b)+len(chunk) <= max {
			b = append(b, chunk...)
		} else {
			long = true
		}
		if err != nil {
			return string(b), long, err
		}
		if !isPrefix {
			return string(b), long, nil
		}
	}
}

// capText cuts s to max bytes, marking the cut.
func capText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

func quoteShort(s string) string {
	return `"` + capText(s, 40) + `"`
}

func shortErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "ssh: ")
	return capText(s, 80)
}

// signatureAlgorithms lists the signature algorithms a key of this type
// can authenticate with; sshd checks the one the client uses against
// PubkeyAcceptedAlgorithms.
func signatureAlgorithms(keyType string) []string {
	switch keyType {
	case "ssh-rsa", "rsa-sha2-256", "rsa-sha2-512":
		return []string{"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}
	case "ssh-rsa-cert-v01@openssh.com":
		return []string{"rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com"}
	}
	return []string{keyType}
}

// algAccepted reports whether some signature algorithm of keyType is in
// the PubkeyAcceptedAlgorithms pattern list, and which.
func algAccepted(keyType, accepted string) (string, bool) {
	for _, a := range signatureAlgorithms(keyType) {
		if matchPatternList(a, accepted, false) == 1 {
			return a, true
		}
	}
	return "", false
}
