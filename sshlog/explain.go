package sshlog

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
)

// Input is one text to explain: a file, standard input, or captured output.
type Input struct {
	Name string // shown in line references when there are several inputs
	R    io.Reader
}

// ExplainOptions bounds Explain.
type ExplainOptions struct {
	// MaxLineBytes caps one line (DefaultMaxLineBytes when 0).
	MaxLineBytes int
	// MaxClientLines caps the ssh/gcloud lines kept for analysis
	// (DefaultMaxClientLines when 0); sshd lines stream without a cap.
	MaxClientLines int
	// Now places year-less syslog stamps; zero means time.Now().
	Now time.Time
	// Scan narrows the sshd part (user, source, since).
	Scan ScanOptions
}

// DefaultMaxClientLines bounds the client transcript kept in memory: an
// `ssh -vvv` run is a few hundred lines; a paste far beyond this is a log,
// whose sshd lines stream anyway.
const DefaultMaxClientLines = 50000

// maxLogins caps the per-user/source summaries reported.
const maxLogins = 20

// modeWindow is how many lines decide, for lines that ssh and sshd both
// print (e.g. "Connection closed by 192.0.2.1 port 22"), which side a text
// comes from.
const modeWindow = 200

// Analysis is what Explain found.
type Analysis struct {
	// Findings in causal order: the first error is the diagnosis.
	Findings []*diag.Finding
	// Timeline rebuilds an ssh -v run step by step (nil without -v lines).
	Timeline *diag.Finding
	// Logins summarise an sshd log per user and source, most recent first.
	Logins []*diag.Finding
	// Summary of the sshd lines (nil when there were none).
	Summary *Summary

	Lines       int // lines read
	ClientLines int // lines from ssh or gcloud
	ServerLines int // lines from sshd
	Recognized  int // lines understood
	Dropped     int // client lines beyond MaxClientLines
	LongLines   int // lines cut at MaxLineBytes
	Junk        int // lines dropped as binary (not text)
	// Unrecognized is true when nothing in the text was understood: the
	// result is explain.unrecognized, never a guess.
	Unrecognized bool
}

// Explain reads ssh client output (plain or -v/-vvv), sshd logs in any
// supported form, and Google Cloud texts — in any mix, from one or more
// inputs — and explains them with the catalog's findings.
func Explain(inputs []Input, opts ExplainOptions) (*Analysis, error) {
	if opts.MaxClientLines <= 0 {
		opts.MaxClientLines = DefaultMaxClientLines
	}
	scan := opts.Scan
	if scan.Now.IsZero() {
		scan.Now = opts.Now
	}
	if scan.MaxLineBytes == 0 {
		scan.MaxLineBytes = opts.MaxLineBytes
	}
	s := newScanner(scan)
	a := &Analysis{}
	facts := &clientFacts{}
	multi := len(inputs) > 1
	// Line numbers are per input; a global offset keeps client hits ordered.
	type span struct {
		base int
		name string
	}
	var spans []span
	offset := 0
	loc := func(n int) string {
		for i := len(spans) - 1; i >= 0; i-- {
			if n > spans[i].base {
				if multi {
					return spans[i].name + ":" + strconv.Itoa(n-spans[i].base)
				}
				return strconv.Itoa(n - spans[i].base)
			}
		}
		return strconv.Itoa(n)
	}
	for _, in := range inputs {
		spans = append(spans, span{base: offset, name: in.Name})
		n, err := explainOne(in, opts, s, facts, a, offset)
		offset += n
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.Name, err)
		}
	}
	sum := s.finish(&lineReader{})
	a.ServerLines = sum.SSHDLines
	for _, h := range facts.hits {
		if h.rule != "" {
			a.Recognized++
		}
	}
	a.Recognized += sum.Recognized
	a.ClientLines = len(facts.lines)

	co := decideClient(facts, loc)
	a.Timeline = co.timeline
	var server []*diag.Finding
	if sum.SSHDLines > 0 {
		a.Summary = sum
		server = serverFindings(sum, loc)
		a.Logins = loginFindings(sum, loc)
	}
	a.Findings = merge(co.findings, server)
	if sum.SSHDLines > 0 {
		a.Findings = append(a.Findings, userFindings(sum, opts.Scan.User)...)
	}
	for _, f := range a.Findings {
		complete(f)
	}
	complete(a.Timeline)
	unknown := errorLines(facts, 5)
	if a.Recognized == 0 && len(unknown) > 0 {
		a.Unrecognized = true
		a.Findings = []*diag.Finding{unknownFailure(unknown, loc)}
		return a, nil
	}
	if a.Recognized == 0 {
		a.Unrecognized = true
		f := diag.NewFinding("explain.unrecognized").Arg("lines", strconv.Itoa(a.Lines))
		for _, l := range firstLines(facts, 3) {
			f.Ev("line", loc(l.n)+": "+quoteText(l.text))
		}
		f.Fix("fix.explain_give_more", "")
		a.Findings = []*diag.Finding{f}
		return a, nil
	}
	if a.Dropped > 0 || a.LongLines > 0 {
		a.Findings = append(a.Findings, diag.NewFinding("explain.input_truncated").
			Arg("dropped", strconv.Itoa(a.Dropped)).Arg("long", strconv.Itoa(a.LongLines)))
	}
	problems := false
	for _, f := range a.Findings {
		if f.Severity == diag.SevError || f.Severity == diag.SevWarning && f.Code != "explain.input_truncated" {
			problems = true
		}
	}
	if !problems && len(unknown) > 0 && !facts.has("authenticated", "exit_status", "interactive", "transferred", "vagrant_ready") {
		// Never "no failure" over lines that say something failed: say
		// which lines are not known yet (inconclusive).
		a.Unrecognized = true
		a.Findings = append(a.Findings, unknownFailure(unknown, loc))
		return a, nil
	}
	if !problems {
		a.Findings = append(a.Findings, diag.NewFinding("explain.no_failure"))
	}
	return a, nil
}

// unknownFailure lists lines that look like errors but match nothing known.
func unknownFailure(lines []numLine, loc locator) *diag.Finding {
	f := diag.NewFinding("explain.unknown_failure")
	for _, l := range lines {
		f.Ev("unknown_line", loc(l.n)+": "+quoteText(l.text))
	}
	f.Fix("fix.explain_give_more", "")
	return f
}

// errorWords mark a line that reports a failure, in any program's words.
var errorWords = []string{"error", "fail", "denied", "refused", "timed out", "timeout", "unable", "cannot", "can't",
	"could not", "couldn't", "not found", "invalid", "fatal", "unreachable", "rejected", "no such", "exception",
	"disconnect", "broken pipe", "not allowed", "not permitted", "incorrect", "unknown host", "closed by",
	"エラー", "失敗", "拒否", "できません", "見つかりません"}

// errorLines returns up to max unrecognised client lines that look like
// errors.
func errorLines(c *clientFacts, max int) []numLine {
	var out []numLine
	hi := 0
	var low []byte
	for _, l := range c.lines {
		for hi < len(c.hits) && c.hits[hi].n < l.n {
			hi++
		}
		if hi < len(c.hits) && c.hits[hi].n == l.n {
			continue
		}
		if looksLikeError(l.text, &low) {
			out = append(out, l)
			if len(out) == max {
				break
			}
		}
	}
	return out
}

func looksLikeError(s string, low *[]byte) bool {
	if len(s) < 6 {
		return false
	}
	b := (*low)[:0]
	for i := 0; i < len(s) && i < 512; i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	// Counters of nothing ("failed=0" in Ansible's recap, "0 errors")
	// report no failure.
	for _, z := range zeroCounts {
		for {
			i := bytes.Index(b, []byte(z))
			if i < 0 {
				break
			}
			b = append(b[:i], b[i+len(z):]...)
		}
	}
	*low = b
	for _, w := range errorWords {
		if bytes.Contains(b, []byte(w)) {
			return true
		}
	}
	return false
}

var zeroCounts = []string{"failed=0", "unreachable=0", "errors=0", "error=0", " 0 failed", " 0 errors", "ignored=0"}

func firstLines(c *clientFacts, n int) []numLine {
	var out []numLine
	for _, l := range c.lines {
		if strings.TrimSpace(l.text) != "" {
			out = append(out, l)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// explainOne routes the lines of one input: sshd lines stream into the
// scanner, ssh/gcloud lines are kept (bounded) for the transcript analysis.
// It returns the number of lines read.
func explainOne(in Input, opts ExplainOptions, s *scanner, facts *clientFacts, a *Analysis, offset int) (int, error) {
	lr := newLineReader(in.R, opts.MaxLineBytes)
	type pending struct {
		n    int
		text []byte
	}
	var window []pending
	decided := false
	serverMode := false
	strongServer, strongClient := 0, 0
	var j journalEntry
	export := false
	var nz normalizer

	route := func(line []byte, n int) {
		gn := offset + n
		// Lines with a syslog/journal header, or sshd's [preauth] suffix,
		// are sshd's; so are lines only sshd prints.
		h, msg := parseHeader(line, &s.tc)
		if json := len(line) > 0 && line[0] == '{'; h.present || json {
			var fed bool
			if json {
				fed = s.feedLine(line, gn)
			} else {
				// The header is parsed already: do not parse it twice.
				fed = s.feedParsed(h, msg, line, gn)
			}
			if fed {
				return
			}
			if h.present && !(isSSHDIdent(h.ident) && sshdError(msg)) {
				return // another program's syslog line
			}
			// An sshd error no rule knows yet: kept for the lines
			// "not known yet" list.
		}
		text := string(line)
		ch, cok := matchClient(gn, text)
		m, preauth := trimMessage(msg)
		r, sok := classifyMessage(m)
		if sok && cok && ch.rule == "debug" {
			cok = false // a debug message only sshd prints
		}
		toServer := false
		switch {
		case preauth && sok:
			toServer = true
		case sok && !cok:
			toServer = true
		case sok && cok:
			// Printed by both (config errors, closed connections): the
			// file name decides a config error, else the text as a whole.
			if side := configSide(text); side != 0 {
				toServer = side > 0
			} else {
				toServer = serverMode
			}
		case cok && serverMode && weakClientRule(ch.rule):
			// sshd prints these too (its host key's UNPROTECTED banner).
			return
		}
		if toServer {
			s.accept(h, preauth, &r, line, gn)
			return
		}
		if len(facts.lines) >= opts.MaxClientLines {
			a.Dropped++
			return
		}
		facts.lines = append(facts.lines, numLine{n: gn, text: capText(line)})
		if cok {
			facts.add(ch)
		}
	}
	flush := func() {
		serverMode = strongServer > strongClient
		decided = true
		for _, p := range window {
			route(p.text, p.n)
		}
		window = nil
	}
	// feed routes one cleaned line, or keeps it until the side (client
	// or server) is decided. A line ending where a terminal wrapped an
	// ssh message is held for the line that continues it.
	var held []byte
	heldN := 0
	feed := func(line []byte, n int) {
		if !decided {
			// Count strong signals; keep the line for routing once decided.
			h, msg := parseHeader(line, &s.tc)
			m, preauth := trimMessage(msg)
			_, sok := classifyMessage(m)
			ch, cok := matchClient(0, string(line))
			if sok && cok && ch.rule == "debug" {
				cok = false
			}
			switch side := configSide(string(line)); {
			case h.present || preauth || (sok && !cok) || (len(line) > 0 && line[0] == '{') || (sok && side > 0):
				strongServer++
			case cok && !sok && !weakClientRule(ch.rule) || (cok && side < 0):
				strongClient++
			}
			window = append(window, pending{n, append([]byte(nil), line...)})
			if len(window) >= modeWindow {
				flush()
			}
			return
		}
		route(line, n)
	}
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return lr.n, err
		}
		a.Lines++
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
				j.setField(k, v, offset+lr.n)
				continue
			}
			if isFieldName(line) {
				name := append([]byte(nil), line...)
				n := offset + lr.n
				v, err := lr.binaryField()
				if err != nil {
					return lr.n, err
				}
				j.setField(name, v, n)
				continue
			}
		}
		for _, line := range nz.clean(line) {
			n := lr.n
			if held != nil {
				if j, ok := joinWrapped(held, line); ok {
					line, n = j, heldN
				} else {
					feed(held, heldN)
				}
				held = nil
			}
			if wrapCut(line) {
				held, heldN = append([]byte(nil), line...), n
				continue
			}
			feed(line, n)
		}
	}
	if held != nil {
		feed(held, heldN)
	}
	if export && j.fields > 0 {
		s.feedJournal(&j)
	}
	if !decided {
		flush()
	}
	a.LongLines += lr.long
	a.Junk += nz.junk
	return lr.n, nil
}

// configSide tells a configuration error's side by its file: +1 for
// sshd_config, -1 for ssh's own configuration, 0 when it is not one.
func configSide(line string) int {
	i := strings.Index(line, " line ")
	if i <= 0 || !strings.Contains(line, ": ") {
		return 0
	}
	file := line[:i]
	switch {
	case strings.Contains(file, "sshd"):
		return 1
	case strings.Contains(file, "ssh_config"), strings.Contains(file, ".ssh/"), strings.HasPrefix(file, "command-line"), strings.Contains(file, "config"):
		return -1
	}
	return 0
}

// weakClientRule names rules that match lines sshd prints too, or noise.
func weakClientRule(rule string) bool {
	switch rule {
	case "closed_by", "reset_by", "id_closed", "id_reset", "banner_art", "too_open", "disconnect_other", "debug":
		return true
	}
	return false
}

// serverFindings: the diagnosis of the sshd lines (the most recent
// unresolved failure) as an error, other standing sshd-wide failures as
// warnings.
func serverFindings(sum *Summary, loc locator) []*diag.Finding {
	var out []*diag.Finding
	if sum.Diagnosis != nil {
		if f := sum.Diagnosis.Finding(loc); f != nil {
			f.Sev(diag.SevError)
			out = append(out, f)
		}
	}
	for _, sf := range sum.Server {
		if sf == sum.Diagnosis {
			continue
		}
		f := sf.Finding(loc)
		if f == nil {
			continue
		}
		f.Sev(diag.SevWarning)
		out = append(out, f)
	}
	if f := noIDFinding(sum, loc); f != nil {
		out = append(out, f)
	}
	if sum.Running != nil && !*sum.Running && (sum.Diagnosis == nil || sum.Diagnosis.Cause.Kind != KindStartup) {
		f := diag.NewFinding("server.sshd_not_running").Sev(diag.SevWarning)
		f.AddFixes(nil)
		out = append(out, f)
	}
	return out
}

// minNoise is how many failed logins for names that do not exist (or may
// not log in) make scanning worth mentioning.
const minNoise = 5

// userFindings say what an sshd log shows for the user asked about, and
// how much of it is scanning noise: strangers trying names that do not
// exist are not that user's problem.
func userFindings(sum *Summary, user string) []*diag.Finding {
	var out []*diag.Finding
	if user != "" {
		acc, fail := 0, 0
		seen := false
		for _, k := range sum.Keys {
			if k.User == user {
				seen = true
				acc += k.Accepted
				fail += max(k.Failed, k.FailedConns)
			}
		}
		if !seen {
			out = append(out, diag.NewFinding("explain.user_absent").Arg("user", quoteText(user)).
				Arg("others", strconv.Itoa(sum.OtherFailed)).Arg("sources", strconv.Itoa(sum.OtherSources)))
		} else {
			out = append(out, diag.NewFinding("explain.user_summary").Arg("user", quoteText(user)).
				Arg("accepted", strconv.Itoa(acc)).Arg("failed", strconv.Itoa(fail)).
				Arg("others", strconv.Itoa(sum.OtherFailed)).Arg("sources", strconv.Itoa(sum.OtherSources)))
		}
	}
	if sum.NoiseFailed >= minNoise {
		out = append(out, diag.NewFinding("explain.scan_noise").Arg("count", strconv.Itoa(sum.NoiseFailed)).
			Arg("sources", strconv.Itoa(sum.NoiseSources)))
	}
	return out
}

// loginFindings summarise the most recently active user/source pairs.
func loginFindings(sum *Summary, loc locator) []*diag.Finding {
	var out []*diag.Finding
	for _, k := range sum.Keys {
		if len(out) == maxLogins {
			break
		}
		if k.Accepted == 0 && k.Failed == 0 && (k.LastFailure == nil || k.User == "" && k.Source == "") {
			continue
		}
		f := diag.NewFinding("explain.login_summary").
			Arg("user", orUnknown(k.User)).Arg("source", orUnknown(k.Source)).
			Arg("accepted", strconv.Itoa(k.Accepted)).Arg("failed", strconv.Itoa(k.Failed))
		if k.LastFailure != nil {
			lf := k.LastFailure.Cause
			f.Ev("last_failure", lf.Code+" — "+loc(lf.Line)+": "+quoteText(lf.Text))
		}
		if k.LastSuccess > 0 {
			f.Ev("last_success", loc(k.LastSuccess))
		}
		out = append(out, f)
	}
	return out
}

// stage orders findings from different sides causally: what breaks
// earlier on ssh's path explains what comes after.
func stage(code string) int {
	switch {
	case strings.HasPrefix(code, "config."), code == "perm.ssh_config":
		return 0
	case code == "gcp.iap_backend_unreachable", code == "gcp.iap_not_authorized", code == "gcp.instance_not_found",
		code == "gcp.metadata_too_large", code == "gcp.browser_ssh_unauthorized":
		return 1
	case strings.HasPrefix(code, "dns."):
		return 2
	case code == "server.config_error", code == "server.bind_failed", code == "server.hostkey_load",
		code == "server.privsep_dir", code == "server.sshd_not_running":
		return 3
	case strings.HasPrefix(code, "tcp."), code == "vm.ssh_wait_timeout":
		return 4
	case strings.HasPrefix(code, "proxy.command"):
		return 5
	case code == "server.maxstartups", code == "server.penalty", code == "server.tcp_wrappers", code == "server.login_grace":
		return 6
	case strings.HasPrefix(code, "banner."), code == "proxy.failed":
		return 7
	case strings.HasPrefix(code, "kex."):
		return 8
	case strings.HasPrefix(code, "hostkey."):
		return 9
	case strings.HasPrefix(code, "perm."), strings.HasPrefix(code, "key."), strings.HasPrefix(code, "agent."):
		return 10
	case strings.HasPrefix(code, "server."), code == "server.pam_account", code == "explain.auth_abandoned":
		return 11
	case code == "gcp.key_not_propagated":
		return 12
	case strings.HasPrefix(code, "auth."), code == "vagrant.auth_failure":
		return 13
	case strings.HasPrefix(code, "session."), strings.HasPrefix(code, "fwd."):
		return 14
	}
	return 15
}

// merge inserts the sshd findings into the client's causal list: each goes
// before the first client finding of a later stage.
func merge(client, server []*diag.Finding) []*diag.Finding {
	if len(server) == 0 {
		return client
	}
	out := make([]*diag.Finding, 0, len(client)+len(server))
	sort.SliceStable(server, func(i, j int) bool { return stage(server[i].Code) < stage(server[j].Code) })
	si := 0
	for _, cf := range client {
		for si < len(server) && stage(server[si].Code) < stage(cf.Code) {
			out = append(out, server[si])
			si++
		}
		out = append(out, cf)
	}
	return append(out, server[si:]...)
}
