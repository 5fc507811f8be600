package sshconfig

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
)

// known_hosts as OpenSSH reads it (hostfile.c, sshd(8) "SSH_KNOWN_HOSTS
// FILE FORMAT"): one key per line, "[marker] patterns keytype base64
// [comment]"; patterns are comma-separated with * ? wildcards and !
// negation, "[host]:port" for ports other than 22, or one hashed name
// "|1|salt|HMAC-SHA1(salt, name)". This reader never writes.

// Marker of a known_hosts line.
const (
	MarkerNone          = ""
	MarkerCertAuthority = "@cert-authority"
	MarkerRevoked       = "@revoked"
)

// KnownHost is one key line of a known_hosts file.
type KnownHost struct {
	File    string
	Line    int
	Marker  string
	Hosts   string // the host field as written
	Hashed  bool
	KeyType string // the key type field
	Key     []byte // the decoded key blob
	Comment string
}

// Location is "file:line".
func (k KnownHost) Location() string { return k.File + ":" + strconv.Itoa(k.Line) }

// BadLine is a line ssh would skip.
type BadLine struct {
	File   string
	Line   int
	Reason string
}

// KnownHostsFile says what happened when a file was read.
type KnownHostsFile struct {
	Path    string
	Entries int
	// Err is nil when read, or why not (missing files are normal).
	Err error
}

// KnownHosts is the union of the files ssh reads, in ssh's order.
type KnownHosts struct {
	Entries []KnownHost
	Files   []KnownHostsFile
	Bad     []BadLine
}

// Limits: a known_hosts line is a few hundred bytes (a few KiB for big
// RSA keys or certificates); files of tens of thousands of hosts exist, so
// a file is streamed, and reading stops at maxKnownHostsBytes.
const (
	maxKnownHostsLine  = 64 * 1024
	maxKnownHostsBytes = 64 << 20
)

// ErrTooLarge means a file was cut at the size cap.
var ErrTooLarge = errors.New("file larger than the size cap; only its beginning was read")

// ReadKnownHosts reads the files in order (missing files are recorded, not
// errors).
func ReadKnownHosts(paths []string) *KnownHosts {
	kh := &KnownHosts{}
	for _, p := range paths {
		f := KnownHostsFile{Path: p}
		fh, err := os.Open(p)
		if err != nil {
			f.Err = err
			kh.Files = append(kh.Files, f)
			continue
		}
		lr := &io.LimitedReader{R: fh, N: maxKnownHostsBytes + 1}
		entries, bad, err := ParseKnownHosts(lr, p)
		fh.Close()
		if err == nil && lr.N <= 0 {
			err = ErrTooLarge
		}
		f.Entries, f.Err = len(entries), err
		kh.Entries = append(kh.Entries, entries...)
		kh.Bad = append(kh.Bad, bad...)
		kh.Files = append(kh.Files, f)
	}
	return kh
}

// ParseKnownHosts parses one file's content.
func ParseKnownHosts(r io.Reader, file string) ([]KnownHost, []BadLine, error) {
	var out []KnownHost
	var bad []BadLine
	br := bufio.NewReaderSize(r, 16*1024)
	n := 0
	for {
		line, tooLong, err := readLine(br)
		if err == io.EOF {
			return out, bad, nil
		}
		if err != nil {
			return out, bad, err
		}
		n++
		if tooLong {
			bad = append(bad, BadLine{File: file, Line: n, Reason: "line too long"})
			continue
		}
		if e, reason, ok := parseKnownHostLine(line); ok {
			e.File, e.Line = file, n
			out = append(out, e)
		} else if reason != "" {
			bad = append(bad, BadLine{File: file, Line: n, Reason: reason})
		}
	}
}

// readLine reads one line (without its end). A line over the cap is
// skipped and reported as tooLong. err is only ever set before any byte of
// a line was read (bufio.Reader.ReadLine's contract).
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			if len(buf) > 0 || tooLong {
				return buf, tooLong, nil
			}
			return nil, false, err
		}
		if len(buf)+len(chunk) > maxKnownHostsLine {
			tooLong, buf = true, nil
		} else if !tooLong {
			buf = append(buf, chunk...)
		}
		if !isPrefix {
			return buf, tooLong, nil
		}
	}
}

// parseKnownHostLine parses one line; ok is false for comments and blank
// lines (reason "") and for lines ssh would skip (reason set).
func parseKnownHostLine(line []byte) (KnownHost, string, bool) {
	s := strings.TrimSpace(strings.TrimSuffix(string(line), "\r"))
	if s == "" || s[0] == '#' {
		return KnownHost{}, "", false
	}
	f := strings.Fields(s)
	var e KnownHost
	if strings.HasPrefix(f[0], "@") {
		switch f[0] {
		case MarkerCertAuthority, MarkerRevoked:
			e.Marker = f[0]
		default:
			return e, "unknown marker " + quoteField(f[0]), false
		}
		f = f[1:]
	}
	if len(f) < 3 {
		return e, "fewer than three fields", false
	}
	e.Hosts, e.KeyType = f[0], f[1]
	if _, err := strconv.Atoi(e.KeyType); err == nil {
		return e, "SSH-1 key (no longer used)", false
	}
	blob, err := base64.StdEncoding.DecodeString(f[2])
	if err != nil {
		return e, "key is not valid base64", false
	}
	if t := KeyBlobType(blob); t == "" {
		return e, "key blob is malformed", false
	} else if t != e.KeyType {
		return e, "key type field " + quoteField(e.KeyType) + " does not match the key (" + quoteField(t) + ")", false
	}
	e.Key = blob
	e.Hashed = strings.HasPrefix(e.Hosts, "|1|")
	if len(f) > 3 {
		e.Comment = strings.Join(f[3:], " ")
	}
	return e, "", true
}

func quoteField(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return strconv.Quote(s)
}

// KeyBlobType returns the type string at the start of an SSH key blob, or
// "" when the blob is malformed.
func KeyBlobType(blob []byte) string {
	if len(blob) < 4 {
		return ""
	}
	n := binary.BigEndian.Uint32(blob)
	if n == 0 || n > 128 || int(n) > len(blob)-4 {
		return ""
	}
	t := string(blob[4 : 4+n])
	for _, c := range []byte(t) {
		if c < 0x21 || c > 0x7e {
			return ""
		}
	}
	return t
}

// KeyFingerprint is OpenSSH's default fingerprint: SHA256:base64(sha256(blob))
// without padding.
func KeyFingerprint(blob []byte) string {
	sum := sha256.Sum256(blob)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// KnownHostsName is the name ssh looks a host up under: the host itself for
// port 22, "[host]:port" otherwise (misc.c put_host_port), lower-cased.
func KnownHostsName(host string, port int) string {
	host = strings.ToLower(host)
	if port == 22 || port == 0 {
		return host
	}
	return "[" + host + "]:" + strconv.Itoa(port)
}

// Matches reports whether the line's host field matches name the way
// OpenSSH does: a hashed entry by its HMAC, otherwise the pattern list,
// where any matching negated pattern rules the line out.
func (k KnownHost) Matches(name string) bool {
	name = strings.ToLower(name)
	if k.Hashed {
		return hashedMatch(k.Hosts, name)
	}
	return MatchPatternList(name, strings.ToLower(k.Hosts)) == 1
}

func hashedMatch(field, name string) bool {
	parts := strings.Split(field, "|")
	// "", "1", salt, hash
	if len(parts) != 4 || parts[1] != "1" {
		return false
	}
	salt, err1 := base64.StdEncoding.DecodeString(parts[2])
	want, err2 := base64.StdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) != sha1.Size {
		return false
	}
	m := hmac.New(sha1.New, salt)
	m.Write([]byte(name))
	return hmac.Equal(m.Sum(nil), want)
}

// HashName returns a hashed known_hosts host field for name with salt, as
// ssh-keygen -H writes it (for tests and for showing a hashed line).
func HashName(name string, salt []byte) string {
	m := hmac.New(sha1.New, salt)
	m.Write([]byte(strings.ToLower(name)))
	return "|1|" + base64.StdEncoding.EncodeToString(salt) + "|" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// MatchPatternList is OpenSSH's match_pattern_list: 1 when name matches a
// pattern of the comma-separated list and no negated one, -1 when a negated
// pattern matches, 0 otherwise.
func MatchPatternList(name, list string) int {
	got := 0
	for _, p := range strings.Split(list, ",") {
		if p == "" {
			continue
		}
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if MatchPattern(name, p) {
			if neg {
				return -1
			}
			got = 1
		}
	}
	return got
}

// MatchPattern matches s against a pattern with * (any run) and ? (one
// character), iteratively (no exponential backtracking).
func MatchPattern(s, p string) bool {
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			si++
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// For returns the entries whose host field matches name, in file order.
func (kh *KnownHosts) For(name string) []KnownHost {
	var out []KnownHost
	for _, e := range kh.Entries {
		if e.Matches(name) {
			out = append(out, e)
		}
	}
	return out
}

// IsAddress reports whether host is an IP literal (ssh then skips the
// separate CheckHostIP lookup).
func IsAddress(host string) bool {
	return net.ParseIP(strings.Trim(host, "[]")) != nil
}

// Line renders a known_hosts line for name and key (what a user appends
// after checking the fingerprint).
func Line(name, keyType string, blob []byte) string {
	return name + " " + keyType + " " + base64.StdEncoding.EncodeToString(blob)
}

// SameKey reports whether two key blobs are the same key.
func SameKey(a, b []byte) bool { return bytes.Equal(a, b) }

// String describes a file read result for evidence.
func (f KnownHostsFile) String() string {
	switch {
	case f.Err == nil:
		return fmt.Sprintf("%s: %d keys", f.Path, f.Entries)
	case errors.Is(f.Err, os.ErrNotExist):
		return f.Path + ": not present"
	default:
		return fmt.Sprintf("%s: %v", f.Path, f.Err)
	}
}
