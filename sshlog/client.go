package sshlog

import (
	"regexp"
	"strings"
	"sync"
)

// A hit is one recognised client line: its rule, its line number, its text
// and the pattern's submatches.
type hit struct {
	rule string
	n    int
	text string
	m    []string
}

type rule struct {
	name string
	re   *regexp.Regexp
}

// ruleDef is a rule as a table writes it: its name and expression.
type ruleDef struct{ name, re string }

// compileRules compiles a table of rules, in its order.
func compileRules(def []ruleDef) []rule {
	out := make([]rule, len(def))
	for i, d := range def {
		out[i] = rule{d.name, regexp.MustCompile(d.re)}
	}
	return out
}

// clientRules recognise what ssh (OpenSSH 7.x–10.x, Debian, macOS, musl and
// Windows builds) and gcloud print. Formats and their versions are in the
// project's research notes; each rule is exercised by real text in
// testdata. Rules are tried in order; the first match wins. They are
// compiled on first use: every sshdoctor process links this package, and
// only the ones that read text pay for some two hundred expressions.
var clientRules = sync.OnceValue(func() []rule {
	def := []ruleDef{
		// configuration
		{"config_perm", `^Bad owner or permissions on (.+)$`},
		{"config_bad", `^(.+?):? line (\d+): Bad configuration option: (.+)$`},
		{"config_terminating", `^(.+): terminating, (\d+) bad configuration options$`},
		{"config_other", `^(.+?):? line (\d+): (Bad port .*|Unsupported option .*|Invalid ProxyJump .*|Bad SSH2 cipher spec .*|Bad key types .*|Bad SSH2 KexAlgorithms .*|Bad SSH2 Mac spec .*|Bad protocol 2 host key algorithms .*|Missing argument\.|Bad number .*|unsupported option .*)$`},
		{"config_other", `^(?:ssh: )?(Bad port '.*'|Unsupported KEX algorithm .*|jumphost loop via .*|inconsistent options: ProxyCommand\+ProxyJump|Can't open user config file .*)$`},
		// name resolution
		{"dns", `^(?:[^ ]*: )?Could not resolve hostname (\S+?): (.+?)\.?\s*$`},
		{"dns_canon", `^(?:ssh: )?Could not resolve host "(.+)"$`},
		// TCP
		{"connect_addr", `^debug1: connect to address (\S+) port (\d+): (.+)$`},
		{"connect_host", `^(?:[^ ]*: )?connect to host (\S+) port (\d+): (.+)$`},
		{"connecting", `^debug1: Connecting to (\S+) \[(.+)\] port (\d+)\.$`},
		{"established", `^debug1: Connection established\.$`},
		// banner exchange
		{"banner_line", `^debug1: (?:kex|ssh)_exchange_identification: banner line (\d+): (.*)$`},
		{"id_closed", `^(?:kex|ssh)_exchange_identification: Connection closed by remote host`},
		{"id_reset", `^(?:kex|ssh)_exchange_identification: read: (Connection reset by peer|.+)$`},
		{"invalid_chars", `^(?:(?:kex|ssh)_exchange_identification: )?banner line contains invalid characters$`},
		{"too_long", `^(?:(?:kex|ssh)_exchange_identification: )?banner line too long$`},
		{"no_version", `^(?:(?:kex|ssh)_exchange_identification: )?No SSH version received in first (\d+) lines from server$`},
		{"proxy_unknown", `^Connection closed by UNKNOWN port 65535$`},
		{"closed_by", `^Connection closed by (\S+) port (\d+)$`},
		{"reset_by", `^Connection reset by (\S+) port (\d+)$`},
		{"banner_timeout", `^Connection timed out during banner exchange$`},
		{"conn_timeout", `^Connection to (\S+) port (\d+) timed out$`},
		{"bad_version", `^Bad remote protocol version identification: '(.*)'$`},
		{"invalid_format", `^banner exchange: Connection to (\S+) port (\d+): invalid format$`},
		{"proto_differ", `^Protocol major versions differ: (\d+) vs\. (\d+)$`},
		{"proto_read", `^banner exchange: Connection to (\S+) port (\d+): could not read protocol version$`},
		{"remote_version", `^debug1: Remote protocol version ([\d.]+), remote software version (.*)$`},
		{"authenticating_to", `^debug1: Authenticating to (\S+) as '(.*)'$`},
		// key exchange
		{"negotiate", `^Unable to negotiate with (\S+) port (\d+): no matching (key exchange method|host key type|cipher|MAC) found\. Their offer: (.*)$`},
		{"bad_hostkey_len", `^Bad server host key: (Invalid key length)$`},
		{"kex_alg", `^debug1: kex: (algorithm|host key algorithm): (.*)$`},
		// host key
		{"changed_banner", `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!`},
		{"fp_header", `^The fingerprint for the (\S+) key sent by the remote host is\s*$`},
		{"fp", `^((?:SHA256|MD5):\S+?)\.?$`},
		{"add_correct", `^Add correct host key in (.+) to get rid of this message\.$`},
		{"offending_ip", `^Offending key for IP in (.+):(\d+)$`},
		{"offending", `^Offending (\S+) key in (.+):(\d+)$`},
		{"keygen_cmd", `^\s*(?:remove with:\s*)?ssh-keygen -f (?:"([^"]+)"|'([^']+)'|(\S+)) -R (?:"([^"]+)"|'([^']+)'|(\S+))\s*$`},
		{"remove_with", `^\s*remove with:\s*$`},
		{"changed_strict", `^(?:(\S+) )?[Hh]ost key for (.+) has changed and you have requested strict checking\.$`},
		{"unknown_strict", `^No (\S+) host key is known for (.+) and you have requested strict checking\.$`},
		{"verify_failed", `^Host key verification failed\.$`},
		{"added", `^Warning: Permanently added '(.+)' \((\S+)\) to the list of known hosts\.$`},
		{"revoked_banner", `WARNING: REVOKED HOST KEY DETECTED!`},
		{"revoked", `^(?:The (\S+) host key for (.+) is marked as revoked\.|(\S+) host key for (.+) was revoked and you have requested strict checking\.)$`},
		{"dns_spoof", `WARNING: POSSIBLE DNS SPOOFING DETECTED!`},
		{"ip_differs", `^Warning: the (\S+) host key for '(.+)' differs from the key for the IP address '(.+)'$`},
		{"mitm_disabled", `^(Password|Keyboard-interactive|Agent forwarding|X11 forwarding|Port forwarding) (?:authentication )?is disabled to avoid man-in-the-middle attacks\.$`},
		{"server_hostkey", `^debug1: Server host key: (\S+) (\S+)$`},
		{"known_matches", `^debug1: Host '(.+)' is known and matches the (\S+) host (key|certificate)\.$`},
		{"found_key", `^debug1: Found (key|CA key) in (.+):(\d+)$`},
		// keys
		{"too_open", `^Permissions (0[0-7]+) for '(.+)' are too open\.$`},
		{"too_open_win", `^Permissions for '(.+)' are too open\.$`},
		{"load_key", `^Load key "(.+)": (.+)$`},
		{"legacy_badperm", `^bad permissions: ignore key: (.+)$`},
		{"id_not_accessible", `^Warning: Identity file (.+) not accessible: (.+?)\.?$`},
		{"no_such_identity", `^no such identity: (.+): No such file or directory$`},
		{"identity_file", `^debug1: identity file (.+) type (-?\d+)$`},
		{"will_attempt", `^debug1: Will attempt key: (.+?)\s*$`},
		{"offering", `^debug1: Offering public key: (.+)$`},
		{"accepts", `^debug1: Server accepts key: (.+)$`},
		{"trying_private", `^debug1: Trying private key: (.+)$`},
		{"skipping", `^debug1: Skipping (?:\S+ )?key (.+?)(?: - |: )(.+)$`},
		// authentication
		{"can_continue", `^debug1: Authentications that can continue: (.+)$`},
		{"next_method", `^debug1: Next authentication method: (.+)$`},
		{"no_more_methods", `^debug1: No more authentication methods to try\.$`},
		{"authenticated", `^Authenticated to (\S+) \((.+)\) using "(.+)"\.$`},
		{"authenticated", `^debug1: Authentication succeeded \((.+)\)\.$`},
		{"partial", `^Authenticated using "(.+)" with partial success\.$`},
		{"denied", `^(?:(.+)@(\S+): )?Permission denied \((.+)\)\.?$`},
		{"denied_retry", `^Permission denied, please try again\.$`},
		{"disconnect_too_many", `^Received disconnect from (\S+)(?: port (\d+))?: ?(\d+): Too many authentication failures`},
		{"disconnect_other", `^Received disconnect from (\S+) port (\d+):(\d+): (.*)$`},
		{"disconnected_from", `^Disconnected from (\S+) port (\d+)$`},
		{"no_mutual", `^sign_and_send_pubkey: no mutual signature supported$`},
		{"no_mutual_test", `^debug1: send_pubkey_test: no mutual signature algorithm$`},
		{"auth_failed", `^Authentication failed\.$`},
		// after login
		{"nologin", `^This account is currently not available\.$`},
		{"expired", `^Your account has expired; please contact your system administrator\.?$`},
		{"pam_nologin", `^System is booting up\. Unprivileged users are not permitted to log in yet\.`},
		{"closed_remote", `^Connection to (\S+) closed by remote host\.$`},
		{"broken_pipe", `^(?:client_loop: send disconnect: (Broken pipe|Connection reset by peer)|packet_write_wait: Connection to (\S+) port (\d+): (Broken pipe)|client_loop: ssh_packet_write_poll: Connection to (\S+) port (\d+): (.+)|Read from remote host (\S+): (Connection reset by peer|Connection timed out))$`},
		{"keepalive", `^Timeout, server (\S+) not responding\.$`},
		{"exit_status", `^debug1: Exit status (-?\d+)$`},
		{"interactive", `^debug1: Entering interactive session\.$`},
		{"transferred", `^Transferred: sent \d+, received \d+ bytes`},
		// forwarding and proxies
		{"channel_failed", `^channel (\d+): open failed: (administratively prohibited|connect failed|unknown channel type|resource shortage|unknown reason)(?:: (.*))?$`},
		{"stdio_failed", `^stdio forwarding failed$`},
		{"rfwd_failed", `^(Warning|Error): remote port forwarding failed for listen port (\d+)$`},
		{"bind_failed", `^bind \[?([^\]]*)\]?:(\d+): (.+)$`},
		{"listen_failed", `^channel_setup_fwd_listener_tcpip: cannot listen to port: (\d+)$`},
		{"local_fwd_failed", `^Could not request local forwarding\.$`},
		{"proxy_jump_set", `^debug1: Setting implicit ProxyCommand from ProxyJump: (.*)$`},
		{"proxy_exec", `^debug1: Executing proxy command: (.*)$`},
		{"shell_error", `^(?:/\S*/)?(?:ba|da|z|k)?sh: (?:line \d+: |\d+: )?(.+?): (No such file or directory|not found|command not found|Permission denied)$`},
		{"version", `^OpenSSH_\S+[, ].*$`},
		{"stdin_note", `^Pseudo-terminal will not be allocated because stdin is not a terminal\.$`},
		// Google Cloud (gcloud, SSH-in-browser, IAP)
		{"gc_iap", `(?:Error while connecting|Code:)\s*\[?(4003|4033|4047)\b:?\s*'?([^'\]]*)'?\]?`},
		{"gc_code", `^\s*Code:\s*(4003|4033|4047)\s*$`},
		{"gc_reason", `^\s*Reason:\s*(.+?)\s*$`},
		{"gc_iap_title", `Connection via Cloud Identity-Aware Proxy Failed`},
		{"gc_meta_large", `Value for field '((?:resource\.properties\.)?metadata\.items\[\d+\]\.value)' is too large(?:: maximum size (\d+) character\(s\); actual size (\d+))?`},
		{"gc_not_propagated", `Could not SSH into the instance\.\s+It is possible that your SSH key has not propagated to the instance yet`},
		{"gc_exit255", `\[(.*ssh(?:\.exe)?)\] exited with return code \[255\]`},
		{"gc_401", `^\s*Error 401\b|\bUnauthorized Error 401\b`},
		{"gc_unauthorized", `^\s*Unauthorized\s*$`},
		{"gc_retrying", `Could not connect, retrying`},
		{"gc_info", `^(?:Waiting for SSH key to propagate\.|Updating project ssh metadata.*|Updating instance ssh metadata.*|External IP address was not found; defaulting to using IAP tunneling\.|Recommendation: .*|WARNING: .*)$`},
		{"gc_error", `^ERROR: \(gcloud\.([a-z0-9_.-]+)\) (.*)$`},
		// harmless -v noise worth counting as recognised
		{"debug", `^debug[123]: `},
		{"banner_art", `^@+$|^@\s.*\s@$|^IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!$|^Someone could be eavesdropping on you right now|^It is also possible that a host key has just been changed\.$|^Please contact your system administrator\.$|^It is required that your private key files are NOT accessible by others\.$|^This private key will be ignored\.$|^It is recommended that your private key files are NOT accessible by others\.$|^Bytes per second: `},
	}
	out := compileRules(def)
	// Other clients and tools (families.go) come after ssh's own words.
	return append(append(append(out, familyRules()...), lsmRules()...), fallbackRules()...)
})

// clientFilter keeps the rules off lines that cannot match them.
var clientFilter = sync.OnceValue(func() *prefilter {
	rules := clientRules()
	res := make([]string, len(rules))
	for i, r := range rules {
		res[i] = r.re.String()
	}
	return newPrefilter(res)
})

// maxPrefixes bounds how many "prefix: " a line may lose before its text
// matches: tools relay what ssh printed after their own words (Vagrant's
// "default: ", borg's "Remote: ", Ansible's "Failed to connect to the
// host via ssh: ").
const maxPrefixes = 4

// matchClient returns the hit for one client line, or ok=false. When the
// whole line matches nothing, the text after each of its first few ": "
// is tried in turn.
func matchClient(n int, text string) (hit, bool) {
	t := strings.TrimRight(text, "\r")
	rules := clientRules()
	var setBuf [256]bool
	set := setBuf[:]
	if len(rules) > len(set) {
		set = make([]bool, len(rules))
	}
	if !clientFilter().candidates(t, set) {
		return hit{}, false
	}
	rest := t
	for k := 0; ; k++ {
		for i, r := range rules {
			if !set[i] {
				continue
			}
			if m := r.re.FindStringSubmatch(rest); m != nil {
				return hit{rule: r.name, n: n, text: t, m: m}, true
			}
		}
		if k == maxPrefixes {
			break
		}
		i := strings.Index(rest, ": ")
		if i < 0 {
			break
		}
		rest = strings.TrimLeft(rest[i+2:], " ")
		if rest == "" {
			break
		}
	}
	return hit{}, false
}

// clientFacts indexes the hits of one client transcript.
type clientFacts struct {
	hits   []hit
	byRule map[string][]int // rule → indexes into hits
	lines  []numLine        // every client line, recognised or not
}

type numLine struct {
	n    int
	text string
}

func (c *clientFacts) add(h hit) {
	if c.byRule == nil {
		c.byRule = map[string][]int{}
	}
	c.byRule[h.rule] = append(c.byRule[h.rule], len(c.hits))
	c.hits = append(c.hits, h)
}

func (c *clientFacts) has(rules ...string) bool {
	for _, r := range rules {
		if len(c.byRule[r]) > 0 {
			return true
		}
	}
	return false
}

func (c *clientFacts) first(rules ...string) *hit {
	var best *hit
	for _, r := range rules {
		if ix := c.byRule[r]; len(ix) > 0 {
			h := &c.hits[ix[0]]
			if best == nil || h.n < best.n {
				best = h
			}
		}
	}
	return best
}

func (c *clientFacts) last(rules ...string) *hit {
	var best *hit
	for _, r := range rules {
		if ix := c.byRule[r]; len(ix) > 0 {
			h := &c.hits[ix[len(ix)-1]]
			if best == nil || h.n > best.n {
				best = h
			}
		}
	}
	return best
}

func (c *clientFacts) all(rule string) []*hit {
	var out []*hit
	for _, i := range c.byRule[rule] {
		out = append(out, &c.hits[i])
	}
	return out
}

// after returns the first hit of rule after line n.
func (c *clientFacts) after(rule string, n int) *hit {
	for _, i := range c.byRule[rule] {
		if c.hits[i].n > n {
			return &c.hits[i]
		}
	}
	return nil
}

// before returns the last hit of rule before line n.
func (c *clientFacts) before(rule string, n int) *hit {
	var out *hit
	for _, i := range c.byRule[rule] {
		if c.hits[i].n < n {
			out = &c.hits[i]
		}
	}
	return out
}
