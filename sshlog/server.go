package sshlog

import (
	"bytes"
	"strconv"
	"time"
)

// Kind says what an sshd log line is about, independently of the catalog
// code it may prove.
type Kind uint8

const (
	KindNone        Kind = iota
	KindAccepted         // Accepted <method> for U from A port P
	KindFailed           // Failed <method> for U from A port P (one attempt)
	KindCause            // a reason a login fails (StrictModes, AllowUsers, invalid user…)
	KindAbandoned        // the client gave up during authentication (closed, disconnected)
	KindRefused          // the server ended the attempt itself (too many failures, PAM account)
	KindClosed           // a connection closed or reset before authentication, or a session ended
	KindDropped          // a connection dropped before the banner (MaxStartups, penalty, tcp wrappers)
	KindStartup          // sshd could not start or stopped serving (config, bind, host keys…)
	KindListening        // sshd (re)started and listens
	KindStopped          // sshd was told to stop
	KindSession          // after login: forwarding refused, chroot, client timeout
	KindNegotiation      // key exchange found nothing in common
	KindInfo             // understood, but neither success nor failure
)

var kindNames = [...]string{"none", "accepted", "failed", "cause", "abandoned", "refused", "closed",
	"dropped", "startup", "listening", "stopped", "session", "negotiation", "info"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind" + strconv.Itoa(int(k))
}

// Event is one classified sshd log line.
type Event struct {
	Line int    // 1-based line number in the stream (0 when classified alone)
	Text string // the line as read, capped at MaxEvidence bytes

	Time    time.Time // zero when the line carries no time stamp
	Host    string    // syslog host name
	Ident   string    // syslog identifier: sshd, sshd-session, sshd-auth
	PID     int
	Preauth bool // the message came from the pre-authentication process

	Kind Kind
	// Code is the catalog code this line proves ("" when it proves none,
	// e.g. an accepted login).
	Code     string
	User     string
	Source   string // the client's address (or name, with UseDNS yes)
	Port     int    // the client's port
	Path     string // a file or directory the line names
	FileLine string // file:line, for configuration errors
	Method   string // publickey, password, keyboard-interactive/pam…
	Key      string // key type and fingerprint, e.g. "ED25519 SHA256:…"
	Detail   string // the rest that matters: offer list, reason, shell, target…
}

// MaxEvidence caps a line kept as evidence.
const MaxEvidence = 300

// header is the syslog/journal prefix of a line, as views into the line.
type header struct {
	time    time.Time
	host    []byte
	ident   []byte
	pid     int
	present bool
}

// isSSHDIdent accepts sshd's identifiers, also given as a path.
func isSSHDIdent(id []byte) bool {
	if i := bytes.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	switch string(id) {
	case "sshd", "sshd-session", "sshd-auth":
		return true
	}
	return false
}

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func digits(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > 1<<30 {
			return 0, false
		}
	}
	return n, true
}

// timeCache remembers the last parsed time stamp: consecutive log lines
// usually share it, and parsing dominates otherwise.
type timeCache struct {
	raw []byte
	t   time.Time
	now time.Time
	// shapeOnly skips parsing: the caller only asks whether a line has
	// a header's shape (the normaliser; the scanner parses it after).
	shapeOnly bool
}

func (c *timeCache) lookup(raw []byte, parse func([]byte) (time.Time, bool)) (time.Time, bool) {
	if c != nil && c.shapeOnly {
		return time.Time{}, true
	}
	if c != nil && len(c.raw) > 0 && bytes.Equal(raw, c.raw) {
		return c.t, true
	}
	t, ok := parse(raw)
	if ok && c != nil {
		c.raw = append(c.raw[:0], raw...)
		c.t = t
	}
	return t, ok
}

// parseClassic reads "Nov 22 03:10:01" (no year): the year is the one that
// puts the time not after now+1 day (logs do not come from the future).
func parseClassic(b []byte, now time.Time) (time.Time, bool) {
	if len(b) != 15 || b[3] != ' ' || b[6] != ' ' || b[9] != ':' || b[12] != ':' {
		return time.Time{}, false
	}
	mon := -1
	for i, m := range months {
		// Some locales print the month in lower case ("feb 29").
		if string(b[:3]) == m || (b[0] == m[0]+'a'-'A' && string(b[1:3]) == m[1:]) {
			mon = i
			break
		}
	}
	if mon < 0 {
		return time.Time{}, false
	}
	dayb := b[4:6]
	if dayb[0] == ' ' {
		dayb = dayb[1:]
	}
	day, ok1 := digits(dayb)
	hh, ok2 := digits(b[7:9])
	mm, ok3 := digits(b[10:12])
	ss, ok4 := digits(b[13:15])
	if !ok1 || !ok2 || !ok3 || !ok4 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	if now.IsZero() {
		now = time.Now()
	}
	t := time.Date(now.Year(), time.Month(mon+1), day, hh, mm, ss, 0, time.Local)
	if t.After(now.Add(24 * time.Hour)) {
		t = t.AddDate(-1, 0, 0)
	}
	return t, true
}

// parseISO reads RFC 3339 stamps (rsyslog) and journalctl's short-iso
// "2024-07-11T16:19:20+0200".
func parseISO(b []byte) (time.Time, bool) {
	s := string(b)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700", "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseHeader splits a syslog-style prefix from the message. Recognised
// prefixes: optional "<PRI>", then a classic ("Nov 22 03:10:01"),
// RFC 3339 / short-iso, or short-full ("Fri 2024-07-12 10:00:01 CEST")
// time stamp, an optional host, and "ident[pid]:" or "ident:".
func parseHeader(line []byte, tc *timeCache) (h header, msg []byte) {
	b := line
	if len(b) > 2 && b[0] == '<' {
		if i := bytes.IndexByte(b[:min(len(b), 6)], '>'); i > 1 {
			if _, ok := digits(b[1:i]); ok {
				b = b[i+1:]
			}
		}
	}
	var rest []byte
	var now time.Time
	if tc != nil {
		now = tc.now
	}
	switch {
	case len(b) > 16 && b[3] == ' ' && b[6] == ' ' && b[9] == ':' && b[15] == ' ':
		t, ok := tc.lookup(b[:15], func(r []byte) (time.Time, bool) { return parseClassic(r, now) })
		if !ok {
			return header{}, line
		}
		h.time, rest = t, b[16:]
	case len(b) > 18 && b[3] == ' ' && b[6] == ' ' && b[9] == ':' && b[15] == '.':
		// journalctl -o short-precise: "Nov 22 03:10:01.117730 host …"
		sp := bytes.IndexByte(b[15:], ' ')
		if sp < 0 {
			return header{}, line
		}
		t, ok := tc.lookup(b[:15], func(r []byte) (time.Time, bool) { return parseClassic(r, now) })
		if !ok {
			return header{}, line
		}
		h.time, rest = t, b[15+sp+1:]
	case len(b) > 6 && b[0] == 's' && bareIdent(b) > 0:
		// A bare "sshd[888]: message" (a log without time or host).
		n := bareIdent(b)
		id := b[:n-1]
		if i := bytes.IndexByte(id, '['); i > 0 {
			pid, _ := digits(id[i+1 : len(id)-1])
			h.pid, id = pid, id[:i]
		}
		h.ident, h.present = id, true
		return h, bytes.TrimLeft(b[n:], " ")
	case len(b) > 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T':
		sp := bytes.IndexByte(b, ' ')
		if sp < 0 {
			return header{}, line
		}
		t, ok := tc.lookup(b[:sp], parseISO)
		if !ok {
			return header{}, line
		}
		h.time, rest = t, b[sp+1:]
	case len(b) > 24 && b[3] == ' ' && b[8] == '-' && b[11] == '-' && b[14] == ' ' && b[17] == ':':
		// short-full: "Fri 2024-07-12 10:00:01 CEST host ident[pid]: msg"
		sp := bytes.IndexByte(b[24:], ' ')
		if sp < 0 {
			return header{}, line
		}
		t, err := time.ParseInLocation("2006-01-02 15:04:05", string(b[4:23]), time.Local)
		if err != nil {
			return header{}, line
		}
		h.time, rest = t, b[24+sp+1:]
	default:
		if n := localStamp(b); n > 0 {
			// A month in another language: the time is not read, the
			// rest of the header is.
			rest = b[n:]
			break
		}
		if sp := bytes.IndexByte(b, ' '); sp > 0 && sp+1 < len(b) && hostLike(b[:sp]) && bareIdent(b[sp+1:]) > 0 {
			// "host sshd[pid]: message": a log pasted without its times.
			rest = b
			break
		}
		return header{}, line
	}
	// [host ]ident[pid]: message
	tok := rest
	sp := bytes.IndexByte(tok, ' ')
	if sp < 0 {
		return header{}, line
	}
	first := tok[:sp]
	if len(first) == 0 {
		return header{}, line
	}
	if first[len(first)-1] != ':' {
		h.host = first
		rest = tok[sp+1:]
		sp = bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return header{}, line
		}
		first = rest[:sp]
		if len(first) == 0 || first[len(first)-1] != ':' {
			return header{}, line
		}
	}
	msg = rest[sp+1:]
	id := first[:len(first)-1]
	if i := bytes.IndexByte(id, '['); i > 0 && id[len(id)-1] == ']' {
		pid, ok := digits(id[i+1 : len(id)-1])
		if !ok {
			return header{}, line
		}
		h.pid, id = pid, id[:i]
	}
	h.ident = id
	h.present = true
	return h, msg
}

// trimMessage removes syslog's level words and the pre-/post-auth suffix.
func trimMessage(msg []byte) (m []byte, preauth bool) {
	m = bytes.TrimRight(msg, "\r\n")
	for _, p := range [][]byte{[]byte("error: "), []byte("fatal: "), []byte("Fatal: ")} {
		if bytes.HasPrefix(m, p) {
			m = m[len(p):]
			break
		}
	}
	if bytes.HasSuffix(m, []byte(" [preauth]")) {
		m, preauth = m[:len(m)-len(" [preauth]")], true
	} else if bytes.HasSuffix(m, []byte(" [postauth]")) {
		m = m[:len(m)-len(" [postauth]")]
	}
	return m, preauth
}

// raw is a classified message as views into the line (no allocation); the
// scanner turns the few it keeps into Events.
type raw struct {
	newConn                                                bool // "Connection from": a connection starts
	kind                                                   Kind
	code                                                   string
	user, source, path, fileLine, method, key, detail, tgt []byte
	port                                                   int
	// noID: the client closed (or spoke no SSH) before its identification.
	noID bool
}

func (r *raw) event(h header, preauth bool, line []byte, n int) Event {
	return r.eventWith(h, preauth, line, n, string(h.host), string(h.ident), "", "")
}

// eventWith is event with strings the caller already holds for the host
// and identifier, and for the user and client when non-empty (they must
// spell r.user and r.source).
func (r *raw) eventWith(h header, preauth bool, line []byte, n int, host, ident, user, source string) Event {
	if user == "" {
		user = string(r.user)
	}
	if source == "" {
		source = string(r.source)
	}
	e := Event{Line: n, Time: h.time, Host: host, Ident: ident, PID: h.pid,
		Preauth: preauth, Kind: r.kind, Code: r.code, User: user, Source: source,
		Port: r.port, Path: string(r.path), FileLine: string(r.fileLine), Method: string(r.method),
		Key: string(r.key), Detail: string(r.detail)}
	e.Text = capText(line)
	return e
}

func capText(line []byte) string {
	line = bytes.TrimRight(line, "\r\n")
	if len(line) > MaxEvidence {
		line = line[:MaxEvidence]
	}
	return string(line)
}

// ClassifyServerLine classifies one sshd log line in any supported form:
// bare (sshd -e / -E), classic syslog, RFC 3339 rsyslog, journalctl
// short/short-iso/short-full, and journalctl -o json. ok is false when the
// line is not an sshd line this package understands. Lines of other
// programs (cron, sudo…) are not sshd lines; systemd's lines about the
// ssh/sshd unit are.
func ClassifyServerLine(line string) (Event, bool) {
	b := []byte(line)
	if len(b) > 0 && b[0] == '{' {
		if j, ok := parseJournalJSON(b); ok {
			return classifyJournal(j, b, 0)
		}
		return Event{}, false
	}
	h, msg := parseHeader(b, nil)
	r, preauth, ok := classifyWithHeader(h, msg)
	if !ok {
		return Event{}, false
	}
	return r.event(h, preauth, b, 0), true
}

func classifyWithHeader(h header, msg []byte) (raw, bool, bool) {
	if h.present && !isSSHDIdent(h.ident) {
		if string(h.ident) == "systemd" {
			r, ok := classifySystemd(msg)
			return r, false, ok
		}
		return raw{}, false, false
	}
	m, preauth := trimMessage(msg)
	r, ok := classifyMessage(m)
	if !ok {
		return raw{}, false, false
	}
	return r, preauth, true
}

// forFromPort parses "U from A port P…" from the right, so a user name
// holding " from " (scanners send anything) cannot shift the fields.
func forFromPort(b []byte) (user, addr []byte, port int, rest []byte, ok bool) {
	pi := bytes.LastIndex(b, []byte(" port "))
	if pi < 0 {
		return nil, nil, 0, nil, false
	}
	fi := bytes.LastIndex(b[:pi], []byte(" from "))
	if fi < 0 {
		return nil, nil, 0, nil, false
	}
	user, addr = b[:fi], b[fi+6:pi]
	after := b[pi+6:]
	end := 0
	for end < len(after) && after[end] >= '0' && after[end] <= '9' {
		end++
	}
	port, ok = digits(after[:end])
	return user, addr, port, after[end:], ok
}

// addrPort parses "A port P…" (connection identifiers of packet.c).
func addrPort(b []byte) (addr []byte, port int, rest []byte, ok bool) {
	pi := bytes.LastIndex(b, []byte(" port "))
	if pi < 0 {
		return nil, 0, nil, false
	}
	addr = b[:pi]
	after := b[pi+6:]
	end := 0
	for end < len(after) && after[end] >= '0' && after[end] <= '9' {
		end++
	}
	port, ok = digits(after[:end])
	return addr, port, after[end:], ok
}

// connID parses packet.c's preamble: "[authenticating user U |invalid user U |user U ]A port P".
func connID(b []byte) (who string, user, addr []byte, port int, ok bool) {
	for _, p := range []string{"authenticating user ", "authenticatinguser ", "invalid user ", "user "} {
		if bytes.HasPrefix(b, []byte(p)) {
			rest := b[len(p):]
			a, prt, _, ok := addrPort(rest)
			if !ok {
				return "", nil, nil, 0, false
			}
			sp := bytes.LastIndexByte(a, ' ')
			if sp < 0 {
				return "", nil, nil, 0, false
			}
			w := p[:len(p)-1]
			if w == "authenticatinguser" {
				w = "authenticating user"
			}
			return w, a[:sp], a[sp+1:], prt, true
		}
	}
	a, prt, _, ok := addrPort(b)
	if !ok || bytes.IndexByte(a, ' ') >= 0 {
		return "", nil, nil, 0, false
	}
	return "", nil, a, prt, true
}

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

func cut(b []byte, s string) ([]byte, bool) {
	if hasPrefix(b, s) {
		return b[len(s):], true
	}
	return b, false
}

func between(b []byte, open, close byte) []byte {
	i := bytes.IndexByte(b, open)
	if i < 0 {
		return nil
	}
	j := bytes.IndexByte(b[i+1:], close)
	if j < 0 {
		return nil
	}
	return b[i+1 : i+1+j]
}

// classifyMessage recognises sshd's own messages (see the research notes:
// auth.c, auth2-*.c, packet.c, sshd.c, servconf.c, srclimit.c, channels.c).
func classifyMessage(m []byte) (raw, bool) {
	if len(m) == 0 {
		return raw{}, false
	}
	var r raw
	switch m[0] {
	case 'A':
		if string(m) == "Authentication refused." {
			// Windows OpenSSH: the reason (the file's ACL) is at debug3.
			return raw{kind: KindCause, code: "server.strictmodes", detail: m}, true
		}
		if rest, ok := cut(m, "Accepted "); ok {
			if sp := bytes.IndexByte(rest, ' '); sp > 0 && hasPrefix(rest[sp:], " for ") {
				if u, a, p, tail, ok := forFromPort(rest[sp+5:]); ok {
					r = raw{kind: KindAccepted, method: rest[:sp], user: u, source: a, port: p}
					if k, ok := cut(tail, " ssh2: "); ok {
						r.key = k
					}
					return r, true
				}
			}
			if hasPrefix(rest, "key ") { // Accepted key ED25519 SHA256:… found at F:N
				r = raw{kind: KindInfo, key: rest[4:]}
				if i := bytes.Index(rest, []byte(" found at ")); i > 0 {
					r.key, r.fileLine = rest[4:i], rest[i+10:]
				}
				return r, true
			}
			return raw{}, false
		}
		if rest, ok := cut(m, "Authentication refused: "); ok {
			r = raw{kind: KindCause, code: "server.strictmodes", detail: rest}
			for _, p := range []string{"bad ownership or modes for file ", "bad ownership or modes for directory "} {
				if path, ok := cut(rest, p); ok {
					r.path = path
				}
			}
			return r, true
		}
		if rest, ok := cut(m, "Account "); ok && bytes.HasSuffix(rest, []byte(" has expired")) {
			return raw{kind: KindCause, code: "server.account_expired", user: rest[:len(rest)-len(" has expired")]}, true
		}
		if rest, ok := cut(m, "Access denied for user "); ok {
			if i := bytes.Index(rest, []byte(" by PAM account configuration")); i > 0 {
				return raw{kind: KindRefused, code: "server.pam_account", user: rest[:i]}, true
			}
		}
		if hasPrefix(m, "AuthorizedKeysCommand") || hasPrefix(m, "AuthorizedPrincipalsCommand") {
			return akc(m)
		}
	case 'B':
		if rest, ok := cut(m, "Bind to port "); ok {
			r = raw{kind: KindStartup, code: "server.bind_failed", detail: rest}
			if i := bytes.Index(rest, []byte(" failed: ")); i > 0 {
				r.detail = bytes.TrimSuffix(rest[i+9:], []byte("."))
				if on := bytes.Index(rest[:i], []byte(" on ")); on > 0 {
					r.port, _ = digits(rest[:on])
					r.source = rest[on+4 : i] // the listen address
				}
			} else if on := bytes.Index(rest, []byte(" on ")); on > 0 {
				// The reason cut off (a wrapped paste, systemctl's "faile…use."):
				// the port is still there.
				r.port, _ = digits(rest[:on])
			}
			return r, true
		}
		if hasPrefix(m, "Bad protocol version identification") {
			return raw{kind: KindClosed, detail: m, noID: true}, true
		}
	case 'C':
		if rest, ok := cut(m, "Connection closed by "); ok {
			return closedOrReset(rest)
		}
		if rest, ok := cut(m, "Connection reset by "); ok {
			return closedOrReset(rest)
		}
		if rest, ok := cut(m, "Connection from "); ok {
			if a, p, _, ok := addrPort(bytes.SplitN(rest, []byte(" on "), 2)[0]); ok {
				return raw{kind: KindInfo, source: a, port: p, newConn: true}, true
			}
		}
		if rest, ok := cut(m, "Could not open user '"); ok {
			r = raw{kind: KindCause, code: "server.authkeys_unreadable"}
			if i := bytes.Index(rest, []byte("' authorized keys '")); i > 0 {
				r.user = rest[:i]
				p := rest[i+len("' authorized keys '"):]
				if j := bytes.Index(p, []byte("': ")); j >= 0 {
					r.path, r.detail = p[:j], p[j+3:]
				}
			}
			// A missing file is only a debug note, never a refusal.
			if string(r.detail) == "No such file or directory" {
				return raw{}, false
			}
			return r, true
		}
		if rest, ok := cut(m, "Could not stat AuthorizedKeysCommand"); ok {
			_ = rest
			return akc(m)
		}
		if hasPrefix(m, "Could not stat AuthorizedPrincipalsCommand") {
			return akc(m)
		}
		if rest, ok := cut(m, "Could not load host key: "); ok {
			return raw{kind: KindStartup, code: "server.hostkey_load", path: rest}, true
		}
		if hasPrefix(m, "Cannot bind any address") {
			return raw{kind: KindStartup, code: "server.bind_failed", detail: m}, true
		}
		if rest, ok := cut(m, "Close session: user "); ok {
			_ = rest
			return raw{kind: KindInfo}, true
		}
	case 'D':
		if rest, ok := cut(m, "Disconnecting"); ok {
			// Disconnecting authenticating user U A port P: Too many authentication failures
			// Disconnecting: Too many authentication failures for U (old)
			if bytes.Contains(rest, []byte("Too many authentication failures")) {
				r = raw{kind: KindRefused, code: "auth.too_many_failures"}
				if i := bytes.Index(rest, []byte(": Too many")); i > 0 {
					if _, u, a, p, ok := connID(rest[:i]); ok {
						r.user, r.source, r.port = u, a, p
					}
				}
				if i := bytes.Index(rest, []byte("failures for ")); i > 0 {
					r.user = rest[i+len("failures for "):]
				}
				return r, true
			}
			return raw{kind: KindInfo}, true
		}
		if rest, ok := cut(m, "Disconnected from "); ok {
			if who, u, a, p, ok := connID(rest); ok {
				r = raw{kind: KindClosed, user: u, source: a, port: p}
				if who == "authenticating user" || who == "invalid user" {
					r.kind = KindAbandoned
					r.code = "explain.auth_abandoned"
					if who == "invalid user" {
						r.code = "server.invalid_user"
					}
				}
				return r, true
			}
		}
		if rest, ok := cut(m, "Did not receive identification string from "); ok {
			r = raw{kind: KindClosed, noID: true}
			if a, p, _, ok := addrPort(rest); ok {
				r.source, r.port = a, p
			} else {
				r.source = rest
			}
			return r, true
		}
		if rest, ok := cut(m, "Directive '"); ok {
			_ = rest
		}
	case 'F':
		if rest, ok := cut(m, "Failed "); ok {
			if sp := bytes.IndexByte(rest, ' '); sp > 0 && hasPrefix(rest[sp:], " for ") {
				if u, a, p, tail, ok := forFromPort(rest[sp+5:]); ok {
					r = raw{kind: KindFailed, method: rest[:sp], source: a, port: p}
					r.code = "auth.password_denied"
					if bytes.Equal(r.method, []byte("publickey")) || bytes.HasPrefix(r.method, []byte("publickey")) {
						r.code = "auth.publickey_denied"
					}
					if iu, ok := cut(u, "invalid user "); ok {
						u = iu
						r.code = "server.invalid_user"
					}
					r.user = u
					if k, ok := cut(tail, " ssh2: "); ok {
						r.key = k
					}
					return r, true
				}
			}
		}
	case 'I':
		if rest, ok := cut(m, "Invalid user "); ok {
			if u, a, p, _, ok := forFromPort(rest); ok {
				return raw{kind: KindCause, code: "server.invalid_user", user: u, source: a, port: p}, true
			}
			if i := bytes.LastIndex(rest, []byte(" from ")); i > 0 { // ≤7.x: no port
				return raw{kind: KindCause, code: "server.invalid_user", user: rest[:i], source: rest[i+6:]}, true
			}
		}
	case 'M':
		if rest, ok := cut(m, "Missing privilege separation directory: "); ok {
			return raw{kind: KindStartup, code: "server.privsep_dir", path: rest}, true
		}
	case 'N':
		if hasPrefix(m, "Not allowed at this time") {
			return raw{kind: KindDropped, code: "server.penalty"}, true
		}
	case 'P':
		if rest, ok := cut(m, "PAM: Authentication failure for "); ok {
			rest, _ = cut(rest, "illegal user ")
			if i := bytes.LastIndex(rest, []byte(" from ")); i > 0 {
				return raw{kind: KindFailed, code: "auth.password_denied", method: []byte("keyboard-interactive/pam"), user: rest[:i], source: rest[i+6:]}, true
			}
		}
		if rest, ok := cut(m, "PAM: "); ok {
			// auth-pam.c: "PAM: %s for %s%.100s from %.100s" with
			// pam_strerror's words; the account's state is the cause.
			if r, ok := pamAccount(rest); ok {
				return r, true
			}
		}
		if rest, ok := cut(m, "Postponed "); ok {
			_ = rest
			return raw{kind: KindInfo}, true
		}
		if rest, ok := cut(m, "Privilege separation user "); ok && bytes.HasSuffix(rest, []byte(" does not exist")) {
			return raw{kind: KindStartup, code: "server.privsep_user", user: bytes.TrimSuffix(rest, []byte(" does not exist")), detail: m}, true
		}
		if rest, ok := cut(m, "Partial "); ok {
			_ = rest
			return raw{kind: KindInfo}, true
		}
	case 'R':
		if rest, ok := cut(m, "ROOT LOGIN REFUSED FROM "); ok {
			r = raw{kind: KindCause, code: "server.root_login_refused", user: []byte("root")}
			if a, p, _, ok := addrPort(rest); ok {
				r.source, r.port = a, p
			} else {
				r.source = rest
			}
			return r, true
		}
		if rest, ok := cut(m, "Received disconnect from "); ok {
			if a, p, tail, ok := addrPort(bytes.SplitN(rest, []byte(":"), 2)[0]); ok {
				_ = tail
				return raw{kind: KindInfo, source: a, port: p}, true
			}
			return raw{kind: KindInfo}, true
		}
		if hasPrefix(m, "Received signal ") && bytes.HasSuffix(m, []byte("terminating.")) {
			return raw{kind: KindStopped, detail: m}, true
		}
		if rest, ok := cut(m, "Received request from "); ok && bytes.HasSuffix(rest, []byte("but the request was denied.")) {
			r = raw{kind: KindSession, code: "fwd.prohibited"}
			if i := bytes.Index(rest, []byte(" to connect to host ")); i > 0 {
				if a, p, _, ok := addrPort(rest[:i]); ok {
					r.source, r.port = a, p
				}
				r.tgt = bytes.TrimSuffix(rest[i+len(" to connect to host "):], []byte(", but the request was denied."))
				r.detail = r.tgt
			}
			return r, true
		}
	case 'S':
		if rest, ok := cut(m, "Server listening on "); ok {
			r = raw{kind: KindListening}
			if a, p, _, ok := addrPort(bytes.TrimSuffix(rest, []byte("."))); ok {
				r.source, r.port = a, p
			}
			return r, true
		}
		if hasPrefix(m, "Starting session: ") {
			return raw{kind: KindInfo}, true
		}
	case 'T':
		if rest, ok := cut(m, "Timeout before authentication for "); ok {
			r = raw{kind: KindRefused, code: "server.login_grace"}
			if ca, ok := cut(rest, "connection from "); ok {
				if i := bytes.Index(ca, []byte(" to ")); i > 0 {
					r.source = ca[:i]
				}
			} else if a, p, _, ok := addrPort(rest); ok {
				r.source, r.port = a, p
			}
			return r, true
		}
		if rest, ok := cut(m, "Timeout, client not responding from "); ok {
			r = raw{kind: KindSession, code: "session.keepalive_timeout"}
			if _, u, a, p, ok := connID(rest); ok {
				r.user, r.source, r.port = u, a, p
			}
			return r, true
		}
		if hasPrefix(m, "Transferred: ") {
			return raw{kind: KindInfo}, true
		}
	case 'U':
		if rest, ok := cut(m, "User "); ok {
			return userNotAllowed(rest)
		}
		if rest, ok := cut(m, "Unable to negotiate with "); ok {
			return negotiate(rest)
		}
		if rest, ok := cut(m, "Unable to load host key"); ok {
			r = raw{kind: KindStartup, code: "server.hostkey_load"}
			if p, ok := cut(rest, ": "); ok {
				r.path = p
			} else if q := between(rest, '"', '"'); q != nil {
				r.path = q
				if i := bytes.Index(rest, []byte("\": ")); i > 0 {
					r.detail = rest[i+3:]
				}
			}
			return r, true
		}
		if hasPrefix(m, "Unsafe AuthorizedKeysCommand") || hasPrefix(m, "Unsafe AuthorizedPrincipalsCommand") {
			return akc(m)
		}
	case 'b':
		if rest, ok := cut(m, "banner exchange: Connection from "); ok {
			a, p, _, _ := addrPort(bytes.SplitN(rest, []byte(": "), 2)[0])
			return raw{kind: KindClosed, source: a, port: p, detail: m}, true
		}
		if hasPrefix(m, "beginning MaxStartups throttling") {
			return raw{kind: KindDropped, code: "server.maxstartups", detail: m}, true
		}
		if i := bytes.Index(m, []byte("bad ownership or modes for chroot directory")); i >= 0 {
			r = raw{kind: KindSession, code: "server.chroot", detail: m}
			if q := between(m[i:], '"', '"'); q != nil {
				r.path = q
			}
			return r, true
		}
	case 'c':
		if rest, ok := cut(m, "connect_to "); ok {
			r = raw{kind: KindSession, code: "fwd.connect_failed", tgt: rest, detail: rest}
			if bytes.HasSuffix(rest, []byte(": failed.")) {
				r.tgt = rest[:len(rest)-len(": failed.")]
			} else if i := bytes.Index(rest, []byte(": unknown host")); i > 0 {
				r.tgt = rest[:i]
			}
			return r, true
		}
	case 'd':
		if len(m) > 8 && hasPrefix(m, "debug") && m[5] >= '1' && m[5] <= '3' && m[6] == ':' {
			return classifyDebug(m[8:])
		}
		if rest, ok := cut(m, "drop connection #"); ok {
			r = raw{kind: KindDropped, code: "server.maxstartups", detail: rest}
			if a := between(rest, '[', ']'); a != nil {
				r.source = a
				if i := bytes.Index(rest, []byte("]:")); i > 0 {
					end := i + 2
					for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
						end++
					}
					r.port, _ = digits(rest[i+2 : end])
				}
			}
			if bytes.Contains(rest, []byte("penalty")) || bytes.Contains(rest, []byte("PerSourcePenalties")) {
				r.code = "server.penalty"
			}
			if i := bytes.LastIndex(rest, []byte("] ")); i > 0 {
				if j := bytes.IndexByte(rest[i+2:], ' '); j >= 0 {
					r.detail = rest[i+2+j+1:]
				}
			}
			return r, true
		}
	case 'e':
		if hasPrefix(m, "exited MaxStartups throttling") {
			return raw{kind: KindInfo}, true
		}
	case 'i':
		if hasPrefix(m, "in MaxStartups throttling") {
			return raw{kind: KindDropped, code: "server.maxstartups", detail: m}, true
		}
	case 'k':
		if rest, ok := cut(m, "kex_exchange_identification: "); ok {
			return raw{kind: KindClosed, detail: rest, noID: true}, true
		}
	case 'm':
		if rest, ok := cut(m, "maximum authentication attempts exceeded for "); ok {
			r = raw{kind: KindRefused, code: "auth.too_many_failures"}
			if u, a, p, _, ok := forFromPort(rest); ok {
				u, _ = cut(u, "invalid user ")
				r.user, r.source, r.port = u, a, p
			}
			return r, true
		}
	case 'p':
		if rest, ok := cut(m, "pam_unix(sshd:auth): authentication failure;"); ok {
			r = raw{kind: KindFailed, code: "auth.password_denied", method: []byte("password")}
			if i := bytes.Index(rest, []byte("rhost=")); i >= 0 {
				v := rest[i+6:]
				if j := bytes.IndexByte(v, ' '); j >= 0 {
					v = v[:j]
				}
				r.source = v
			}
			if i := bytes.Index(rest, []byte(" user=")); i >= 0 {
				r.user = bytes.TrimSpace(rest[i+6:])
			}
			return r, true
		}
		if rest, ok := cut(m, "pam_unix(sshd:account): account "); ok {
			if i := bytes.Index(rest, []byte(" has expired")); i > 0 {
				return raw{kind: KindCause, code: "server.account_expired", user: rest[:i]}, true
			}
		}
		if hasPrefix(m, "pam_unix(sshd:session): ") {
			return raw{kind: KindInfo}, true
		}
	case 'r':
		if rest, ok := cut(m, "refused local port forward: "); ok {
			r = raw{kind: KindSession, code: "fwd.prohibited", detail: rest}
			if i := bytes.Index(rest, []byte("target ")); i >= 0 {
				r.tgt = rest[i+7:]
				r.detail = r.tgt
			}
			return r, true
		}
		if rest, ok := cut(m, "refused connect from "); ok {
			r = raw{kind: KindDropped, code: "server.tcp_wrappers", source: rest}
			if a := between(rest, '(', ')'); a != nil {
				r.source = a
			}
			return r, true
		}
	case 's':
		if rest, ok := cut(m, "srclimit_penalise: "); ok {
			r = raw{kind: KindDropped, code: "server.penalty", detail: rest}
			// "ipv4: new 192.0.2.10/32 …" or "192.0.2.10/32: activating …"
			for _, f := range bytes.Fields(rest) {
				f = bytes.TrimSuffix(f, []byte(":"))
				if i := bytes.IndexByte(f, '/'); i > 0 && (bytes.IndexByte(f, '.') > 0 || bytes.Count(f, []byte(":")) > 1) {
					r.source = f[:i]
					break
				}
			}
			if bytes.Contains(rest, []byte("deferred penalty")) {
				r.kind = KindInfo // below the threshold: nothing refused yet
				r.code = ""
			}
			return r, true
		}
		if hasPrefix(m, "sshd: no hostkeys available") {
			return raw{kind: KindStartup, code: "server.hostkey_load", detail: m}, true
		}
		// sshd.c: fatal("sshd re-exec requires execution with an absolute path")
		if hasPrefix(m, "sshd re-exec requires execution with an absolute path") {
			return raw{kind: KindStartup, code: "server.sshd_relative_path", detail: m}, true
		}
	case '/':
		// sshd.c (9.8+): fatal("%s does not exist or is not executable", sshd_session_path)
		if bytes.HasSuffix(m, []byte(" does not exist or is not executable")) {
			return raw{kind: KindStartup, code: "server.sshd_session_missing",
				path: bytes.TrimSuffix(m, []byte(" does not exist or is not executable")), detail: m}, true
		}
	case 'u':
		if rest, ok := cut(m, "userauth_pubkey: "); ok {
			if i := bytes.Index(rest, []byte(" not in PubkeyAccepted")); i > 0 {
				alg := rest[:i]
				alg, _ = cut(alg, "signature algorithm ")
				alg, _ = cut(alg, "key type ")
				return raw{kind: KindCause, code: "server.pubkey_alg_rejected", detail: alg}, true
			}
			if a, ok := cut(rest, "unsupported public key algorithm: "); ok {
				return raw{kind: KindCause, code: "server.pubkey_alg_rejected", detail: a}, true
			}
		}
	}
	// Configuration errors: "<file>: line N: …", "<file> line N: …",
	// "<file>: terminating, N bad configuration options".
	if r, ok := configError(m); ok {
		return r, true
	}
	return raw{}, false
}

func closedOrReset(rest []byte) (raw, bool) {
	who, u, a, p, ok := connID(rest)
	if !ok {
		return raw{}, false
	}
	r := raw{kind: KindClosed, user: u, source: a, port: p}
	switch who {
	case "authenticating user":
		r.kind, r.code = KindAbandoned, "explain.auth_abandoned"
	case "invalid user":
		r.kind, r.code = KindAbandoned, "server.invalid_user"
	}
	return r, true
}

func userNotAllowed(rest []byte) (raw, bool) {
	// User U from H not allowed because <why>
	// User U not allowed because shell S does not exist | is not executable | account is locked
	i := bytes.Index(rest, []byte(" not allowed because "))
	if i < 0 {
		if j := bytes.Index(rest, []byte("' authorized keys '")); j > 0 && hasPrefix(rest, "'") {
			r := raw{kind: KindCause, code: "server.authkeys_unreadable", user: rest[1:j], detail: []byte("not a regular file")}
			p := rest[j+len("' authorized keys '"):]
			if k := bytes.IndexByte(p, '\''); k >= 0 {
				r.path = p[:k]
			}
			return r, true
		}
		if j := bytes.Index(rest, []byte(" password has expired")); j > 0 {
			return raw{kind: KindCause, code: "server.account_expired", user: rest[:j], detail: rest[j+1:]}, true
		}
		return raw{}, false
	}
	who, why := rest[:i], rest[i+len(" not allowed because "):]
	r := raw{kind: KindCause, user: who, detail: why}
	if f := bytes.LastIndex(who, []byte(" from ")); f > 0 {
		r.user, r.source = who[:f], who[f+6:]
	}
	switch {
	case hasPrefix(why, "not listed in AllowUsers"):
		r.code = "server.allowusers"
	case hasPrefix(why, "listed in DenyUsers"):
		r.code = "server.denyusers"
	case hasPrefix(why, "none of user's groups are listed in AllowGroups"), hasPrefix(why, "not in any group"):
		r.code = "server.allowgroups"
	case hasPrefix(why, "a group is listed in DenyGroups"):
		r.code = "server.denygroups"
	case hasPrefix(why, "shell "):
		r.code = "server.shell_missing"
		sh := why[6:]
		if j := bytes.LastIndex(sh, []byte(" does not exist")); j > 0 {
			sh = sh[:j]
		} else if j := bytes.LastIndex(sh, []byte(" is not executable")); j > 0 {
			sh = sh[:j]
		}
		r.path = sh
	case hasPrefix(why, "account is locked"):
		r.code = "server.account_locked"
	default:
		return raw{}, false
	}
	return r, true
}

func negotiate(rest []byte) (raw, bool) {
	// A port P: no matching <what> found. Their offer: LIST
	i := bytes.Index(rest, []byte(": no matching "))
	if i < 0 {
		return raw{}, false
	}
	r := raw{kind: KindNegotiation}
	if a, p, _, ok := addrPort(rest[:i]); ok {
		r.source, r.port = a, p
	}
	what := rest[i+len(": no matching "):]
	switch {
	case hasPrefix(what, "key exchange method"):
		r.code = "kex.no_kex_alg"
	case hasPrefix(what, "host key type"):
		r.code = "kex.no_hostkey_alg"
	case hasPrefix(what, "cipher"):
		r.code = "kex.no_cipher"
	case hasPrefix(what, "MAC"):
		r.code = "kex.no_mac"
	default:
		return raw{}, false
	}
	if j := bytes.Index(what, []byte("Their offer: ")); j >= 0 {
		r.detail = what[j+len("Their offer: "):]
	}
	return r, true
}

func akc(m []byte) (raw, bool) {
	r := raw{kind: KindCause, code: "server.akc_error", detail: m}
	if q := between(m, '"', '"'); q != nil {
		r.path = q
	} else if rest, ok := cut(m, "AuthorizedKeysCommand "); ok {
		if sp := bytes.IndexByte(rest, ' '); sp > 0 && rest[0] == '/' {
			r.path = rest[:sp]
		}
	}
	return r, true
}

func configError(m []byte) (raw, bool) {
	// "<file>: line N: …" or "<file> line N: …"
	i := bytes.Index(m, []byte(" line "))
	if i > 0 {
		file := bytes.TrimSuffix(m[:i], []byte(":"))
		rest := m[i+6:]
		j := bytes.IndexByte(rest, ':')
		if j > 0 && bytes.IndexByte(file, ' ') < 0 && len(file) > 0 && (file[0] == '/' || hasPrefix(file, "command-line")) {
			if n, ok := digits(rest[:j]); ok {
				detail := bytes.TrimSpace(rest[j+1:])
				if hasPrefix(detail, "Deprecated option") || hasPrefix(detail, "Unsupported option") {
					return raw{kind: KindInfo, path: file, detail: detail}, true
				}
				fl := make([]byte, 0, len(file)+8)
				fl = append(append(append(fl, file...), ':'), strconv.Itoa(n)...)
				return raw{kind: KindStartup, code: "server.config_error", path: file, fileLine: fl, detail: detail}, true
			}
		}
	}
	if j := bytes.Index(m, []byte(": terminating, ")); j > 0 && bytes.HasSuffix(m, []byte("bad configuration options")) {
		return raw{kind: KindStartup, code: "server.config_error", path: m[:j], detail: m[j+2:]}, true
	}
	if hasPrefix(m, "AuthorizedKeysCommand set without AuthorizedKeysCommandUser") {
		return raw{kind: KindStartup, code: "server.config_error", detail: m}, true
	}
	return raw{}, false
}

// classifySystemd recognises systemd's lines about the ssh/sshd unit.
func classifySystemd(m []byte) (raw, bool) {
	isUnit := bytes.Contains(m, []byte("ssh.service")) || bytes.Contains(m, []byte("sshd.service")) ||
		bytes.Contains(m, []byte("OpenBSD Secure Shell")) || bytes.Contains(m, []byte("OpenSSH"))
	if !isUnit {
		return raw{}, false
	}
	switch {
	case bytes.Contains(m, []byte("Failed to start")), bytes.Contains(m, []byte("Failed with result")),
		bytes.Contains(m, []byte("Start request repeated too quickly")), bytes.Contains(m, []byte("Main process exited, code=exited")):
		return raw{kind: KindStartup, code: "server.sshd_not_running", detail: m}, true
	case bytes.Contains(m, []byte("Started ")):
		return raw{kind: KindListening, detail: m}, true
	case bytes.Contains(m, []byte("Stopped ")), bytes.Contains(m, []byte("Stopping ")):
		return raw{kind: KindStopped, detail: m}, true
	}
	return raw{kind: KindInfo}, true
}

// classifyDebug reads the few debug messages (LogLevel DEBUG, Windows
// OpenSSH's sshd.log) that name a cause the INFO log leaves out.
func classifyDebug(m []byte) (raw, bool) {
	if rest, ok := cut(m, "Could not open authorized keys '"); ok {
		r := raw{kind: KindCause, code: "server.authkeys_unreadable"}
		if j := bytes.Index(rest, []byte("': ")); j >= 0 {
			r.path, r.detail = rest[:j], rest[j+3:]
		}
		if string(r.detail) == "No such file or directory" {
			return raw{}, false
		}
		return r, true
	}
	if rest, ok := cut(m, "Bad permissions. Try removing permissions for user: "); ok {
		r := raw{kind: KindCause, code: "server.strictmodes", detail: m}
		if i := bytes.Index(rest, []byte(" on file ")); i >= 0 {
			r.path = bytes.TrimSuffix(rest[i+9:], []byte("."))
		}
		// The client checks its own config file the same way.
		if bytes.HasSuffix(r.path, []byte("config")) {
			return raw{}, false
		}
		return r, true
	}
	return raw{}, false
}

// bareIdent measures a leading "sshd[123]:" (or sshd-session, sshd-auth,
// with or without the pid) followed by a space; 0 when there is none.
func bareIdent(b []byte) int {
	for _, id := range []string{"sshd-session", "sshd-auth", "sshd"} {
		if !hasPrefix(b, id) {
			continue
		}
		i := len(id)
		if i < len(b) && b[i] == '[' {
			j := bytes.IndexByte(b[i:], ']')
			if j < 2 {
				return 0
			}
			if _, ok := digits(b[i+1 : i+j]); !ok {
				return 0
			}
			i += j + 1
		}
		if i+1 < len(b) && b[i] == ':' && b[i+1] == ' ' {
			return i + 1
		}
		return 0
	}
	return 0
}

// localStamp measures a syslog time stamp whose month is not English:
// "janv. 29 20:44:09 ", "12月 03 09:49:19 ", "Mär 5 10:00:01.123 ". The
// month is 3–5 letters with an optional dot, or a number and 月, or any
// word in another script; then a day and hh:mm:ss. It returns the length
// with the space after, 0 when b does not start so.
func localStamp(b []byte) int {
	sp := bytes.IndexByte(b, ' ')
	if sp < 1 || sp > 12 {
		return 0
	}
	mon := bytes.TrimSuffix(b[:sp], []byte("."))
	letters, digitsN, other := 0, 0, 0
	for _, c := range mon {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters++
		case c >= '0' && c <= '9':
			digitsN++
		case c >= 0x80:
			other++
		default:
			return 0
		}
	}
	switch {
	case other > 0 && digitsN > 0 && !bytes.HasSuffix(mon, []byte("月")):
		return 0
	case other == 0 && (digitsN > 0 || letters < 3 || letters > 5):
		return 0
	}
	i := sp + 1
	if i < len(b) && b[i] == ' ' {
		i++
	}
	d := i
	for i < len(b) && i-d < 2 && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if day, ok := digits(b[d:i]); !ok || day < 1 || day > 31 || i >= len(b) || b[i] != ' ' {
		return 0
	}
	i++
	if n := clock(b[i:]); n >= 8 {
		i += n
	} else {
		return 0
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i >= len(b) || b[i] != ' ' {
		return 0
	}
	return i + 1
}

// hostLike accepts a syslog host name (letters, digits, dots, dashes,
// underscores; redacted with stars).
func hostLike(b []byte) bool {
	if len(b) == 0 || len(b) > 253 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '*') {
			return false
		}
	}
	return true
}

// pamAccount reads "User account has expired for U from H" and the other
// account states PAM's account stack reports after "PAM: ".
func pamAccount(rest []byte) (raw, bool) {
	for _, st := range []struct{ words, code string }{
		{"User account has expired for ", "server.account_expired"},
		{"Authentication token is no longer valid; new one required for ", "server.password_expired"},
	} {
		if u, ok := cut(rest, st.words); ok {
			r := raw{kind: KindCause, code: st.code, detail: rest[:len(st.words)-len(" for ")]}
			u, _ = cut(u, "illegal user ")
			if i := bytes.LastIndex(u, []byte(" from ")); i > 0 {
				r.user, r.source = u[:i], u[i+6:]
			} else {
				r.user = u
			}
			return r, true
		}
	}
	return raw{}, false
}
