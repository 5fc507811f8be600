package client

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshconfig"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// KexResult is what the kex layer hands on: the server's offer and what
// ssh would pick. The probe it started on the session's connection waits
// at the host key, in the session.
type KexResult struct {
	Banner   *Banner
	Server   *sshwire.KexInit
	Choice   sshwire.Choice
	Proposal sshwire.Proposal
	Known    *sshconfig.KnownHosts
	KnownFor []sshconfig.KnownHost // entries matching HostName
	HostName string                // the name ssh looks up in known_hosts
	// Unimplemented lists slots where sshdoctor's SSH library shares no
	// algorithm with ssh: the layers after this one cannot be checked.
	Unimplemented []sshwire.Slot
}

// sshQueryTimeout bounds `ssh -Q` (it prints a compiled-in list).
const sshQueryTimeout = 3 * time.Second

func (r *Run) checkKex() *diag.Def[*KexResult] {
	return &diag.Def[*KexResult]{Name: "kex", Doc: "the key exchange offers: what ssh would propose, what the server offers, what they agree on",
		Requires: []diag.Node{r.defs.banner}, Timeout: r.opts.Timeout + 2*time.Second,
		Run: onPath[*KexResult](r.sess, func(ctx context.Context, p *diag.Pass) diag.Result {
			return r.kexOn(ctx, r.sess, diag.ResultOf(p, r.defs.banner))
		})}
}

// kexOn starts the protocol on the session's connection and reads the
// server's KEXINIT. The probe stays in the session, its handshake waiting
// at the host key.
func (r *Run) kexOn(ctx context.Context, sess *session, b *Banner) diag.Result {
	s := b.Settings
	if sess.Conn() == nil {
		return diag.Inconclusive(diag.NewFinding("kex.not_checked").Arg("reason", "no connection"))
	}
	kr := &KexResult{Banner: b, HostName: hostKeyName(s)}
	uf, gf := r.knownHostsFiles(s)
	kr.Known = sshconfig.ReadKnownHosts(append(uf, gf...))
	kr.KnownFor = kr.Known.For(kr.HostName)
	kr.Proposal = r.proposal(ctx, s, kr.KnownFor)
	kr.Unimplemented = sshwire.Unimplemented(kr.Proposal)
	probe := sess.startProbe(b.Ident, sshwire.ProbeConfig{User: s.User, Addr: b.Addr,
		Proposal: kr.Proposal, StepTimeout: r.opts.Timeout, SniffOnly: len(kr.Unimplemented) > 0})
	stop := sess.closeOnCancel(ctx)
	defer stop()
	ki, err := probe.KexInit(ctx)
	if err != nil {
		return diag.Conclude(nil, r.kexClosed(s, b, probe, err))
	}
	kr.Server = ki
	choice, miss := sshwire.Negotiate(kr.Proposal, ki)
	kr.Choice = choice
	info := diag.NewFinding("kex.offer").Arg("software", b.Ident.Software).
		Ev("server_kex", listSummary(ki.Kex)).
		Ev("server_hostkeys", listSummary(ki.HostKey)).
		Ev("server_ciphers", listSummary(ki.CiphersS2C)).
		Ev("server_macs", listSummary(ki.MACsS2C))
	if ki.Strict() {
		info.Ev("strict_kex", "yes")
	}
	info.Arg("kex", choice.Kex).Arg("hostkey", choice.HostKey).Arg("cipher", choice.CipherC2S)
	if len(miss) > 0 {
		return diag.Conclude(nil, r.kexMismatches(ctx, s, b, ki, miss)...)
	}
	info.Ev("ssh_would_use", "kex "+choice.Kex+", host key "+choice.HostKey+", cipher "+choice.CipherC2S+
		", MAC "+choice.MACC2S+", compression "+choice.CompC2S)
	findings := []*diag.Finding{info}
	for _, slot := range kr.Unimplemented {
		findings = append(findings, diag.NewFinding("kex.probe_unsupported").Arg("slot", string(slot)).
			Ev("slot", string(slot)))
	}
	if len(kr.Unimplemented) > 0 {
		// The probe only read the offer: nothing goes on on it.
		sess.Close()
	}
	return diag.Conclude(kr, findings...)
}

// proposal is what the user's ssh would offer: ssh -G's lists, the host
// key algorithms reordered for known keys as ssh does when the list is its
// default.
func (r *Run) proposal(ctx context.Context, s *Settings, known []sshconfig.KnownHost) sshwire.Proposal {
	c := s.Config
	p := sshwire.Proposal{Kex: c.List("kexalgorithms"), HostKey: c.List("hostkeyalgorithms"),
		Ciphers: c.List("ciphers"), MACs: c.List("macs"),
		Compression: sshwire.CompressionList(c.Yes("compression"))}
	if len(known) > 0 {
		ordered := orderHostKeyAlgs(p.HostKey, known)
		if strings.Join(ordered, ",") != strings.Join(p.HostKey, ",") && r.hostKeyAlgsAreDefault(ctx, c.Get("hostkeyalgorithms")) {
			p.HostKey = ordered
		}
	}
	return p
}

// hostKeyAlgsAreDefault tells whether HostKeyAlgorithms was left at ssh's
// default (ssh -G prints the effective list either way).
func (r *Run) hostKeyAlgsAreDefault(ctx context.Context, v string) bool {
	for _, kv := range r.opts.Options {
		if strings.EqualFold(kv.Key, "HostKeyAlgorithms") {
			return false
		}
	}
	if !r.hkaNamed() {
		// No file ssh read names it: ssh's list is its built-in one.
		return true
	}
	d := defaultHostKeyAlgorithms(ctx)
	return d == "" || d == v
}

var kexOption = map[sshwire.Slot]string{
	sshwire.SlotKex: "KexAlgorithms", sshwire.SlotHostKey: "HostKeyAlgorithms",
	sshwire.SlotCipher: "Ciphers", sshwire.SlotMAC: "MACs", sshwire.SlotComp: "Compression",
}

var kexCode = map[sshwire.Slot]string{
	sshwire.SlotKex: "kex.no_kex_alg", sshwire.SlotHostKey: "kex.no_hostkey_alg",
	sshwire.SlotCipher: "kex.no_cipher", sshwire.SlotMAC: "kex.no_mac", sshwire.SlotComp: "kex.no_compression",
}

// What OpenSSH says for each slot (ssherr.c).
var sshNoMatch = map[sshwire.Slot]string{
	sshwire.SlotKex: "no matching key exchange method found", sshwire.SlotHostKey: "no matching host key type found",
	sshwire.SlotCipher: "no matching cipher found", sshwire.SlotMAC: "no matching MAC found",
	sshwire.SlotComp: "no matching compression method found",
}

var sshQueryName = map[sshwire.Slot]string{
	sshwire.SlotKex: "kex", sshwire.SlotHostKey: "key-sig", sshwire.SlotCipher: "cipher", sshwire.SlotMAC: "mac",
}

// supported caches ssh -Q answers by program and query: a compiled-in
// list, the same for every host of a scan or an exporter's probes.
var supported sync.Map

// sshSupports returns what the local ssh implements for a slot (ssh -Q),
// nil when unknown.
func sshSupports(ctx context.Context, slot sshwire.Slot) []string {
	q := sshQueryName[slot]
	if q == "" {
		return nil
	}
	bin, err := exec.LookPath("ssh")
	if err != nil {
		return nil
	}
	key := bin + "\x00" + q
	if v, ok := supported.Load(key); ok {
		return v.([]string)
	}
	list := querySSH(ctx, bin, q)
	if list != nil {
		supported.Store(key, list)
	}
	return list
}

func querySSH(ctx context.Context, bin, q string) []string {
	ctx, cancel := context.WithTimeout(ctx, sshQueryTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-Q", q)
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if err != nil || len(out) > 64*1024 {
		return nil
	}
	return strings.Fields(string(out))
}

// kexAlgToken reports whether an algorithm name is one to write into a
// command or a ~/.ssh/config line as it is: the server chose the name.
func kexAlgToken(a string) bool {
	return a != "" && strings.IndexFunc(a, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@.+_-", r))
	}) < 0
}

func (r *Run) kexMismatches(ctx context.Context, s *Settings, b *Banner, ki *sshwire.KexInit, miss []sshwire.Mismatch) []*diag.Finding {
	host, port, _ := net.SplitHostPort(b.Addr)
	// The algorithm of each slot ssh can be told to re-enable, and the
	// options and ~/.ssh/config lines of them all.
	algs := make([]string, len(miss))
	var overrides, cfgLines []string
	for i, m := range miss {
		if m.Slot == sshwire.SlotComp {
			continue
		}
		algs[i] = sshwire.BestOverride(m.Slot, m.Theirs, sshSupports(ctx, m.Slot))
		if kexAlgToken(algs[i]) {
			overrides = append(overrides, "-o "+kexOption[m.Slot]+"=+"+algs[i])
			cfgLines = append(cfgLines, "  "+kexOption[m.Slot]+" +"+algs[i])
		}
	}
	var out []*diag.Finding
	for i, m := range miss {
		f := diag.NewFinding(kexCode[m.Slot])
		opt := kexOption[m.Slot]
		theirs := listSummary(m.Theirs)
		raw := theirs
		if m.Slot == sshwire.SlotKex {
			raw = rawListSummary(ki.RawKex)
		}
		f.Arg("peer", s.Hostname).Arg("option", opt).Arg("their_offer", theirs).Arg("algorithm", "-")
		f.Ev("their_offer", raw).Ev("our_offer", listSummary(m.Ours))
		if m.Direction != "" {
			f.Ev("direction", m.Direction)
		}
		f.Ev("ssh_would_say", "Unable to negotiate with "+host+" port "+port+": "+sshNoMatch[m.Slot]+". Their offer: "+raw)
		f.Ev("server_software", b.Ident.Software)
		fp := catalog.Params{"ssh_args": r.sshArgs(), "config_host": r.opts.Host}
		if fg := r.forgeOf(s); fg != nil {
			// The person does not run the forge's sshd: no server fix.
			fp["forge"] = fg.Name
		}
		switch alg := algs[i]; {
		case m.Slot == sshwire.SlotComp:
			fp["kex_compression"] = map[bool]string{true: "no", false: "yes"}[s.Config.Yes("compression")]
		case alg == "":
			fp["kex_no_override"] = "yes"
		default:
			f.Arg("algorithm", alg)
			w := sshwire.Weak(m.Slot, alg)
			f.Ev("security_cost", string(w))
			fp["kex_alg"], fp[kexCostParam(w)] = alg, "yes"
		}
		if len(overrides) > 1 {
			// One command and one Host block for them all, on the first.
			fp["kex_several"] = "yes"
			if len(out) == 0 {
				fp["kex_overrides"] = strings.Join(overrides, " ")
				fp["kex_config"] = "Host " + r.opts.Host + "\n" + strings.Join(cfgLines, "\n")
			}
		}
		out = append(out, f.AddFixes(fp))
	}
	return out
}

// kexCostParam is the fix parameter that names what re-enabling an
// algorithm of this weakness costs.
func kexCostParam(w sshwire.Weakness) string {
	if w == sshwire.WeakNone {
		return "kex_cost_modern"
	}
	return "kex_cost_" + string(w)
}

// kexClosed reports a server that sent no usable KEXINIT.
func (r *Run) kexClosed(s *Settings, b *Banner, probe *sshwire.Probe, err error) *diag.Finding {
	n, first := probe.Received()
	var f *diag.Finding
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		f = diag.NewFinding("kex.timeout").Arg("timeout", r.opts.Timeout.String())
	case errors.Is(err, sshwire.ErrNotKexInit) || n > 0 && !sshwire.IsClosed(err):
		f = diag.NewFinding("kex.invalid")
	default:
		f = diag.NewFinding("kex.closed")
	}
	f.Arg("hostname", s.Hostname).Arg("software", b.Ident.Software).
		Ev("address", b.Addr).Ev("server_software", b.Ident.Software).Ev("error", err.Error()).EvInt("bytes_after_identification", n)
	if len(first) > 0 {
		f.Ev("received", diag.Quote(first, 120))
	}
	_, port, _ := net.SplitHostPort(b.Addr)
	p := catalog.Params{"port": port}
	if strings.Contains(b.Ident.Software, "for_Windows") {
		p["windows_server"] = "yes"
	}
	return f.AddFixes(p)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// sshCommand is the user's ssh command with extra options, for fixes.
func (r *Run) sshCommand(opts string) string {
	c := "ssh"
	if opts != "" {
		c += " " + opts
	}
	if r.opts.ConfigFile != "" {
		c += " -F " + shellQuote(r.opts.ConfigFile)
	}
	if r.opts.Port != 0 {
		c += " -p " + strconv.Itoa(r.opts.Port)
	}
	return c + " " + shellQuote(r.destWithoutPort())
}
