package server

import (
	"bufio"
	"io"
	"strings"
)

// maxSSHDTLines bounds the sshd -T dump read: real dumps have ~90 lines
// plus one per HostKey, AllowUsers item, Subsystem…
const maxSSHDTLines = 10000

// ParseSSHDT reads `sshd -T` output: one "keyword value" per line, keywords
// lower-case up to 10.4 and mixed case since 10.5 (so they are folded).
// Repeated keywords (hostkey, allowusers, listenaddress…) keep every value
// in order. Lines that are not keyword/value pairs are skipped.
func ParseSSHDT(r io.Reader) Settings {
	s := Settings{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 256<<10)
	n := 0
	for sc.Scan() && n < maxSSHDTLines {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		kw, val, _ := strings.Cut(line, " ")
		kw = strings.ToLower(kw)
		if !isKeyword(kw) {
			continue
		}
		s[kw] = append(s[kw], strings.TrimSpace(val))
	}
	return s
}

func isKeyword(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// isYes reads an sshd boolean.
func isYes(v string) bool {
	switch strings.ToLower(v) {
	case "yes", "true":
		return true
	}
	return false
}
