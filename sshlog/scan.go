package sshlog

import (
	"cmp"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"
)

// ScanOptions narrows and bounds ScanServerLog.
type ScanOptions struct {
	// User keeps only lines about this login name ("" = every user).
	User string
	// Source keeps only lines about this client address ("" = every client).
	Source string
	// Since drops lines stamped before it (lines without a time are kept).
	Since time.Time
	// Now places year-less syslog stamps ("Nov 22 03:10:01") in the year
	// that does not put them in the future; zero means time.Now().
	Now time.Time
	// MaxLineBytes caps one line (DefaultMaxLineBytes when 0).
	MaxLineBytes int
	// MaxKeys bounds how many user/source pairs are tracked
	// (DefaultMaxKeys when 0); the least recently seen are forgotten first.
	MaxKeys int
}

// DefaultMaxKeys bounds the user/source table: an internet-facing server's
// auth.log holds thousands of scanner addresses; the most recent ones are
// the ones that matter, and memory must not grow with the log.
const DefaultMaxKeys = 10000

// maxConns bounds the table of open connections (by pid, or by address and
// port in logs without pids) for the same reason.
const maxConns = 4096

// maxContext caps the lines kept with one failure.
const maxContext = 4

// Failure is why one login (or sshd itself) failed: the line that proves
// the cause and the lines around it (the close, the refusal).
type Failure struct {
	Cause   Event
	Context []Event
	seq     int64
}

// KeySummary is what happened for one user and client address.
type KeySummary struct {
	User, Source string
	// Accepted and Failed count finished logins; FailedConns counts
	// connections that failed, finished or not (a log may end first).
	Accepted, Failed, FailedConns int
	// LastSuccess is the line of the latest accepted login (0 when none).
	LastSuccess     int
	LastSuccessTime time.Time
	// LastFailure is the latest failure (nil when none).
	LastFailure *Failure
	// Failing is true when the latest outcome was a failure.
	Failing bool

	lastSeq, successSeq int64
}

// Summary is what ScanServerLog found.
type Summary struct {
	Lines      int // lines read
	SSHDLines  int // lines from sshd or about its systemd unit
	Recognized int // lines classified
	LongLines  int // lines cut at the line cap
	Junk       int // lines dropped as binary (not text)
	First      time.Time
	Last       time.Time
	Accepted   int // accepted logins
	Failed     int // failed logins
	// Keys holds the tracked user/source pairs, most recently active first.
	Keys []*KeySummary
	// Diagnosis is the most recent failure that no later success for the
	// same user and source (or, for sshd itself, no later start) resolved.
	Diagnosis *Failure
	// Server holds sshd-wide failures (start-up errors, throttling), the
	// latest of each code, in the order they last happened.
	Server []*Failure
	// Running is true when the last start/stop line says sshd started,
	// false when it says sshd stopped or failed, nil when the log does
	// not say.
	Running *bool

	keysTruncated bool

	// OtherFailed counts failed logins the User/Source filter left out,
	// OtherSources their distinct client addresses (capped).
	OtherFailed  int
	OtherSources int
	// NoiseFailed counts failed logins for names that do not exist or
	// are not allowed (what scanners try), NoiseSources their addresses.
	NoiseFailed  int
	NoiseSources int
	// NoID counts connections that closed, or spoke no SSH, before
	// sending their identification (port checks, health probes,
	// scanners); NoIDFirst is the first such line.
	NoID      int
	NoIDFirst *Event
}

// maxNoiseSources caps the address sets behind the noise counts.
const maxNoiseSources = 4096

// conn tracks one connection until it ends.
type conn struct {
	seq      int64
	refs     int // table entries naming this connection
	user     string
	source   string
	port     int
	cause    *Event
	failed   *Event
	context  []Event
	done     bool
	recorded bool // the cause was recorded as a failure
	counted  bool // the connection was counted as one failed attempt
	accepted bool // the login succeeded

	// causeV and failedV hold what cause and failed point to, so that a
	// recycled connection reuses them.
	causeV, failedV Event
}

func (c *conn) setCause(e Event) {
	c.causeV = e
	c.cause = &c.causeV
}

func (c *conn) setFailed(e Event) {
	c.failedV = e
	c.failed = &c.failedV
}

// reset starts the connection afresh, keeping its context buffer and its
// table references.
func (c *conn) reset(seq int64) {
	*c = conn{seq: seq, refs: c.refs, context: c.context[:0]}
}

type scanner struct {
	opts ScanOptions
	sum  Summary
	seq  int64
	tc   timeCache

	keys    map[string]*KeySummary
	keyBuf  []byte
	conns   map[string]*conn
	connBuf []byte
	// lastHost and lastIdent are the latest host and identifier strings,
	// shared by the events that repeat them.
	lastHost, lastIdent [2]string
	// yes and no back Summary.Running.
	yes, no *bool
	// evictBuf is reused by the table evictions; freeKeys, freeFailures
	// and freeConns hold what they forgot, for reuse.
	freeKeys     []*KeySummary
	freeFailures []*Failure
	freeConns    []*conn
	evictBuf     []evictEntry
	current      *conn // last connection touched (bare logs without pids)

	server map[string]*Failure // latest server-wide failure per code

	noiseSrc, otherSrc map[string]struct{} // addresses behind the noise counts
	// startup is the current unresolved start-up failure burst.
	startup *Failure
}

func newScanner(opts ScanOptions) *scanner {
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	s := &scanner{opts: opts, keys: map[string]*KeySummary{}, conns: map[string]*conn{}, server: map[string]*Failure{},
		noiseSrc: map[string]struct{}{}, otherSrc: map[string]struct{}{}}
	s.tc.now = opts.Now
	if s.tc.now.IsZero() {
		s.tc.now = time.Now()
	}
	return s
}

// ScanServerLog reads an sshd log line by line in constant memory (each
// line capped at MaxLineBytes, bounded tables) and summarises it: logins per
// user and source, sshd-wide failures, and the diagnosis (the most recent
// unresolved failure). Any mix of the supported line forms may appear; a
// journal export (journalctl -o export) is recognised by its fields.
func ScanServerLog(r io.Reader, opts ScanOptions) (*Summary, error) {
	s := newScanner(opts)
	lr := newLineReader(r, opts.MaxLineBytes)
	var j journalEntry
	export := false
	var nz normalizer
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return s.finish(lr), err
		}
		s.sum.Lines++
		if export || (len(line) > 9 && line[0] == '_' && (hasPrefix(line, "__CURSOR=") || hasPrefix(line, "__REALTIME_TIMESTAMP="))) {
			export = true
			if len(line) == 0 {
				if j.fields > 0 {
					s.feedJournal(&j)
				}
				j.reset()
				continue
			}
			if k, v, ok := isExportField(line); ok {
				j.setField(k, v, lr.n)
				continue
			}
			if isFieldName(line) { // binary field: name, size, data
				name := append([]byte(nil), line...)
				n := lr.n
				v, err := lr.binaryField()
				if err != nil {
					return s.finish(lr), err
				}
				j.setField(name, v, n)
				continue
			}
			// Not export after all: fall through as a plain line.
		}
		// A log pasted or relayed (indented, quoted, stamped by a
		// collector) reads like the log itself.
		for _, l := range nz.clean(line) {
			s.feedLine(l, lr.n)
		}
	}
	s.sum.Junk = nz.junk
	if export && j.fields > 0 {
		s.feedJournal(&j)
	}
	return s.finish(lr), nil
}

func (s *scanner) feedJournal(j *journalEntry) {
	h := j.header()
	r, preauth, ok := classifyWithHeader(h, j.message)
	if !ok {
		if h.present && isSSHDIdent(h.ident) {
			s.sum.SSHDLines++
		}
		return
	}
	s.accept(h, preauth, &r, j.message, j.line)
}

// feedLine classifies one line (any supported form) and accounts for it.
// It reports whether the line was recognised as an sshd line.
func (s *scanner) feedLine(line []byte, n int) bool {
	if len(line) > 0 && line[0] == '{' {
		j, ok := parseJournalJSON(line)
		if !ok {
			return false
		}
		j.line = n
		h := j.header()
		r, preauth, ok := classifyWithHeader(h, j.message)
		if !ok {
			return false
		}
		s.accept(h, preauth, &r, j.message, n)
		return true
	}
	h, msg := parseHeader(line, &s.tc)
	return s.feedParsed(h, msg, line, n)
}

// feedParsed is feedLine for a line (not JSON) whose header the caller
// has already parsed.
func (s *scanner) feedParsed(h header, msg, line []byte, n int) bool {
	r, preauth, ok := classifyWithHeader(h, msg)
	if !ok {
		if h.present && isSSHDIdent(h.ident) {
			s.sum.SSHDLines++
		}
		return false
	}
	s.accept(h, preauth, &r, line, n)
	return true
}

func (s *scanner) accept(h header, preauth bool, r *raw, line []byte, n int) {
	s.sum.SSHDLines++
	s.sum.Recognized++
	if !h.time.IsZero() {
		if !s.opts.Since.IsZero() && h.time.Before(s.opts.Since) {
			return
		}
		if s.sum.First.IsZero() {
			s.sum.First = h.time
		}
		s.sum.Last = h.time
	}
	s.seq++
	c := s.connFor(h.pid, r)
	if len(r.user) > 0 && string(r.user) != c.user {
		c.user = string(r.user)
	}
	if len(r.source) > 0 && r.kind != KindStartup && r.kind != KindListening {
		if c.source == "" || string(r.source) != c.source {
			c.source = string(r.source)
		}
		if r.port > 0 {
			c.port = r.port
		}
	}
	ev := func() Event {
		// The host, identifier, user and client repeat from line to line:
		// share the strings already held instead of converting each anew.
		e := r.eventWith(h, preauth, line, n, s.intern(&s.lastHost, h.host), s.intern(&s.lastIdent, h.ident),
			sameString(r.user, c.user), sameString(r.source, c.source))
		return e
	}

	if s.startup != nil && servesLogin(r.kind) {
		// sshd handled a login after the line that looked like a failed
		// start: that error was not fatal (one of several host keys
		// missing, re-read by each connection's process), so sshd runs.
		s.sum.Running = s.flag(&s.yes, true)
		s.startup = nil
	}
	switch r.kind {
	case KindInfo:
		// "Connection from A port P" starts a connection afresh.
		if r.newConn && c.done {
			c.reset(s.seq)
			c.source, c.port = string(r.source), r.port
		}
	case KindAccepted:
		c.done = true
		c.accepted = true
		if s.matches(c.user, c.source) {
			k := s.key(c.user, c.source)
			k.Accepted++
			k.LastSuccess, k.LastSuccessTime, k.successSeq, k.lastSeq = n, h.time, s.seq, s.seq
			k.Failing = false
			s.sum.Accepted++
			// A login from this address also clears its address-only failures
			// (dropped connections, negotiation failures).
			if k2, ok := s.keys[keyString(&s.keyBuf, "", c.source)]; ok && k2.Failing {
				k2.Failing = false
			}
		}
	case KindCause:
		if c.cause == nil {
			c.setCause(ev())
			if c.cause.User == "" {
				c.cause.User = c.user
			}
			if c.cause.Source == "" {
				c.cause.Source = c.source
			}
		} else if len(c.context) < maxContext {
			c.addContext(ev())
		}
		// A cause that names its user and client is already a failure (the
		// log may end before the connection does).
		if c.user != "" && c.source != "" {
			s.recordFailure(c, false)
		}
	case KindFailed:
		if r.code == "server.invalid_user" && c.cause == nil {
			c.setCause(ev())
		} else if c.failed == nil {
			c.setFailed(ev())
		}
	case KindAbandoned, KindRefused:
		e := ev()
		if c.done {
			// A second closing line of a connection already counted.
			if c.cause != nil {
				c.addContext(e)
			}
			return
		}
		if c.cause == nil && r.kind == KindRefused {
			c.setCause(e)
		} else if c.cause == nil && e.Code != "explain.auth_abandoned" && e.Code != "" {
			// "Connection closed by invalid user U": the user is unknown
			// (or refused by Allow/Deny rules logged elsewhere).
			c.setCause(e)
		} else {
			c.addContext(e)
		}
		if c.cause == nil {
			if c.failed != nil {
				c.setCause(*c.failed)
				c.addContext(e)
			} else {
				c.setCause(e)
			}
		}
		s.recordFailure(c, true)
		c.done = true
	case KindClosed:
		if r.noID {
			s.sum.NoID++
			if s.sum.NoIDFirst == nil {
				e := ev()
				s.sum.NoIDFirst = &e
			}
		} else if f := s.sum.NoIDFirst; f != nil && f.Source == "" && len(r.source) > 0 && f.PID != 0 && f.PID == h.pid {
			// "Connection closed by A port P" of the same process names the client.
			f.Source = string(r.source)
		}
		if c.cause != nil && !c.done && len(r.user) == 0 && r.code == "" {
			// A pre-auth close after a cause: context only.
			c.addContext(ev())
		}
		if len(r.source) > 0 {
			c.done = true
		}
	case KindNegotiation, KindDropped:
		e := ev()
		if e.Source == "" {
			s.serverFailure(e)
			return
		}
		if !s.matches("", e.Source) {
			return
		}
		c.setCause(e)
		c.user = ""
		s.recordFailure(c, true)
		c.done = true
	case KindSession:
		e := ev()
		if e.Code == "session.keepalive_timeout" {
			return
		}
		if e.User == "" {
			e.User = c.user
		}
		if e.Source == "" || e.Code == "fwd.prohibited" || e.Code == "fwd.connect_failed" {
			// Forwarding lines name the target or the originator, not the client.
			e.Source = c.source
		}
		if !s.matches(e.User, e.Source) {
			return
		}
		s.seq++
		k := s.key(e.User, e.Source)
		f := &Failure{Cause: e, seq: s.seq}
		k.LastFailure, k.Failing, k.lastSeq = f, true, s.seq
	case KindStartup:
		e := ev()
		if s.startup != nil {
			// More lines of the same failed start (sshd prints several).
			if len(s.startup.Context) < maxContext {
				s.startup.Context = append(s.startup.Context, e)
			}
			s.startup.seq = s.seq
			return
		}
		f := &Failure{Cause: e, seq: s.seq}
		s.startup = f
		s.server[e.Code] = f
		s.sum.Running = s.flag(&s.no, false)
	case KindListening:
		s.sum.Running = s.flag(&s.yes, true)
		s.startup = nil
	case KindStopped:
		s.sum.Running = s.flag(&s.no, false)
		s.startup = nil
	}
}

// intern returns b as a string, reusing one of the two latest strings
// when it spells the same text (sshd and sshd-session, two hosts, take
// turns line by line).
func (s *scanner) intern(last *[2]string, b []byte) string {
	switch string(b) {
	case last[0]:
		return last[0]
	case last[1]:
		last[0], last[1] = last[1], last[0]
		return last[0]
	}
	last[1] = last[0]
	last[0] = string(b)
	return last[0]
}

// sameString returns known when it spells b (no conversion), else "" to
// let the event convert b itself.
func sameString(b []byte, known string) string {
	if len(b) > 0 && string(b) == known {
		return known
	}
	return ""
}

// flag returns *p, first allocated to hold v: the summary's Running
// answers share one allocation per value instead of one per line.
func (s *scanner) flag(p **bool, v bool) *bool {
	if *p == nil {
		*p = new(bool)
		**p = v
	}
	return *p
}

func (c *conn) addContext(e Event) {
	if len(c.context) < maxContext {
		c.context = append(c.context, e)
	}
}

func (s *scanner) serverFailure(e Event) {
	if !s.opts.Since.IsZero() && !e.Time.IsZero() && e.Time.Before(s.opts.Since) {
		return
	}
	if f, ok := s.server[e.Code]; ok {
		f.Cause, f.seq = e, s.seq
		return
	}
	s.server[e.Code] = &Failure{Cause: e, seq: s.seq}
}

// recordFailure makes the connection's cause the latest failure of its
// user and source; final counts one failed login.
func (s *scanner) recordFailure(c *conn, final bool) {
	if c.cause == nil {
		return
	}
	first := !c.counted
	c.counted = true
	if first && isNoise(c.cause.Code) {
		s.sum.NoiseFailed++
		s.sum.NoiseSources += s.noteSource(s.noiseSrc, c.source)
	}
	if !s.matches(c.user, c.source) {
		if first {
			s.sum.OtherFailed++
			s.sum.OtherSources += s.noteSource(s.otherSrc, c.source)
		}
		return
	}
	k := s.key(c.user, c.source)
	var f *Failure
	if lf := k.LastFailure; lf != nil {
		// The key's previous failure is replaced and referenced nowhere
		// else until finish: rewrite it in place (its context buffer too)
		// instead of allocating one per failed connection.
		lf.Cause, lf.Context, lf.seq = *c.cause, append(lf.Context[:0], c.context...), s.seq
		f = lf
	} else if n := len(s.freeFailures); n > 0 {
		// A failure of a forgotten key.
		f = s.freeFailures[n-1]
		s.freeFailures = s.freeFailures[:n-1]
		f.Cause, f.Context, f.seq = *c.cause, append(f.Context[:0], c.context...), s.seq
	} else {
		f = &Failure{Cause: *c.cause, Context: append([]Event(nil), c.context...), seq: s.seq}
	}
	if f.Cause.User == "" {
		f.Cause.User = c.user
	}
	if f.Cause.Source == "" {
		f.Cause.Source = c.source
	}
	k.LastFailure, k.Failing, k.lastSeq = f, true, s.seq
	c.recorded = true
	if first {
		k.FailedConns++
	}
	if final {
		k.Failed++
		s.sum.Failed++
	}
}

// isNoise names the failures scanners cause: names that do not exist or
// may not log in.
func isNoise(code string) bool {
	switch code {
	case "server.invalid_user", "server.allowusers", "server.denyusers", "server.allowgroups", "server.denygroups", "server.root_login_refused":
		return true
	}
	return false
}

// noteSource adds addr to set and returns 1 when it is new (the set is
// capped: beyond it, nothing more is counted).
func (s *scanner) noteSource(set map[string]struct{}, addr string) int {
	if addr == "" || len(set) >= maxNoiseSources {
		return 0
	}
	if _, ok := set[addr]; ok {
		return 0
	}
	set[addr] = struct{}{}
	return 1
}

// matches applies the User and Source filters. A line without a user
// matches a User filter only through a matching Source filter.
func (s *scanner) matches(user, source string) bool {
	if s.opts.User != "" && user != s.opts.User && !(user == "" && s.opts.Source != "" && source == s.opts.Source) {
		return false
	}
	if s.opts.Source != "" && source != s.opts.Source {
		return false
	}
	return true
}

func keyString(buf *[]byte, user, source string) string {
	b := append((*buf)[:0], user...)
	b = append(b, 0)
	b = append(b, source...)
	*buf = b
	return string(b)
}

func (s *scanner) key(user, source string) *KeySummary {
	b := append(s.keyBuf[:0], user...)
	b = append(b, 0)
	b = append(b, source...)
	s.keyBuf = b
	if k, ok := s.keys[string(b)]; ok {
		return k
	}
	if len(s.keys) >= s.opts.MaxKeys {
		s.evictKeys()
	}
	var k *KeySummary
	if n := len(s.freeKeys); n > 0 {
		k = s.freeKeys[n-1]
		s.freeKeys = s.freeKeys[:n-1]
		*k = KeySummary{User: user, Source: source}
	} else {
		k = &KeySummary{User: user, Source: source}
	}
	s.keys[string(b)] = k
	return k
}

// evictKeys forgets the least recently active half of the key table, but
// never the key holding the current diagnosis candidate.
func (s *scanner) evictKeys() {
	s.sum.keysTruncated = true
	all := s.evictBuf[:0]
	var best int64 = -1
	for id, k := range s.keys {
		all = append(all, evictEntry{id, k.lastSeq})
		if k.Failing && k.LastFailure != nil && k.LastFailure.seq > best {
			best = k.LastFailure.seq
		}
	}
	sortEvict(all)
	for _, x := range all[:len(all)/2] {
		k := s.keys[x.id]
		if k.Failing && k.LastFailure != nil && k.LastFailure.seq == best {
			continue
		}
		delete(s.keys, x.id)
		// Nothing else refers to a key or its failure until finish:
		// recycle both.
		if k.LastFailure != nil {
			s.freeFailures = append(s.freeFailures, k.LastFailure)
		}
		s.freeKeys = append(s.freeKeys, k)
	}
	clear(all)
	s.evictBuf = all[:0]
}

// evictEntry is one table entry and when it was last active.
type evictEntry struct {
	id  string
	seq int64
}

// sortEvict orders entries oldest first (typed: no reflection per swap).
func sortEvict(all []evictEntry) {
	slices.SortFunc(all, func(a, b evictEntry) int { return cmp.Compare(a.seq, b.seq) })
}

// connFor finds the connection a line belongs to: by pid when the log has
// pids, else by client address and port, else the last one touched.
func (s *scanner) connFor(pid int, r *raw) *conn {
	var id []byte
	switch {
	case pid > 0:
		id = strconv.AppendInt(append(s.connBuf[:0], 'p'), int64(pid), 10)
	case len(r.source) > 0 && r.port > 0 && r.kind != KindStartup && r.kind != KindListening && r.code != "fwd.prohibited":
		id = append(append(append(s.connBuf[:0], 'a'), r.source...), ' ')
		id = strconv.AppendInt(id, int64(r.port), 10)
	default:
		if s.current != nil && !s.current.done {
			return s.current
		}
		// A line without pid or port after the last connection ended
		// belongs to the next one: start it anonymously.
		id = strconv.AppendInt(append(s.connBuf[:0], '-'), s.seq, 10)
	}
	s.connBuf = id
	if c, ok := s.conns[string(id)]; ok {
		s.current = c
		return c
	}
	// In logs without pids, the first line naming the client's port
	// continues the anonymous connection begun by lines without one.
	if pid == 0 && id[0] == 'a' && s.current != nil && !s.current.done && s.current.port == 0 &&
		(s.current.source == "" || s.current.source == string(r.source)) {
		s.conns[string(id)] = s.current
		s.current.refs++
		return s.current
	}
	if len(s.conns) >= maxConns {
		s.evictConns()
	}
	var c *conn
	if n := len(s.freeConns); n > 0 {
		c = s.freeConns[n-1]
		s.freeConns = s.freeConns[:n-1]
		c.reset(s.seq)
	} else {
		c = &conn{seq: s.seq}
	}
	c.refs = 1
	s.conns[string(id)] = c
	s.current = c
	return c
}

func (s *scanner) evictConns() {
	all := s.evictBuf[:0]
	for id, c := range s.conns {
		all = append(all, evictEntry{id, c.seq})
	}
	sortEvict(all)
	for _, x := range all[:len(all)/2] {
		c := s.conns[x.id]
		if c == s.current {
			s.current = nil
		}
		delete(s.conns, x.id)
		// A connection no table entry names is referenced nowhere else
		// (failures copy what they keep): recycle it.
		if c.refs--; c.refs == 0 {
			s.freeConns = append(s.freeConns, c)
		}
	}
	clear(all)
	s.evictBuf = all[:0]
}

func (s *scanner) finish(lr *lineReader) *Summary {
	sum := &s.sum
	sum.LongLines = lr.long
	sum.Keys = sum.Keys[:0]
	for _, k := range s.keys {
		sum.Keys = append(sum.Keys, k)
	}
	sort.Slice(sum.Keys, func(i, j int) bool { return sum.Keys[i].lastSeq > sum.Keys[j].lastSeq })
	// A cause that decides alone ("Authentication refused: bad ownership
	// or modes …", "key type ssh-rsa not in PubkeyAcceptedAlgorithms") is a
	// failure even when the log names no user or client for it, or ends
	// before the connection does — unless that connection then logged in.
	for _, c := range s.conns {
		if c.cause != nil && !c.recorded && !c.accepted && c.cause.Code != "" && c.cause.Code != "explain.auth_abandoned" {
			s.seq++
			s.recordFailure(c, false)
		}
	}
	if len(s.conns) > 0 {
		sum.Keys = sum.Keys[:0]
		for _, k := range s.keys {
			sum.Keys = append(sum.Keys, k)
		}
		sort.Slice(sum.Keys, func(i, j int) bool { return sum.Keys[i].lastSeq > sum.Keys[j].lastSeq })
	}
	var best *Failure
	for _, k := range sum.Keys {
		if k.Failing && k.LastFailure != nil && (best == nil || k.LastFailure.seq > best.seq) {
			best = k.LastFailure
		}
	}
	sum.Server = sum.Server[:0]
	for _, f := range s.server {
		sum.Server = append(sum.Server, f)
	}
	sort.Slice(sum.Server, func(i, j int) bool { return sum.Server[i].seq < sum.Server[j].seq })
	if s.startup != nil && (best == nil || s.startup.seq > best.seq) {
		best = s.startup
	}
	for _, f := range sum.Server {
		if f.Cause.Kind == KindDropped && (best == nil || f.seq > best.seq) {
			best = f
		}
	}
	sum.Diagnosis = best
	return sum
}

// servesLogin tells the kinds of line only a serving sshd writes: an
// authentication attempt and its outcome.
func servesLogin(k Kind) bool {
	switch k {
	case KindAccepted, KindFailed, KindCause, KindAbandoned, KindRefused:
		return true
	}
	return false
}
