package sshwire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/sshdoctor/sshdoctor/internal/capped"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// A Probe drives one SSH connection step by step, the way ssh would use
// it, so that each layer of the diagnosis can look at its step and decide
// whether to go on: the server's KEXINIT, the host key, the methods the
// server allows (the "none" request), publickey queries that never sign,
// and — only when asked — a login with a key the server accepted and a
// no-op command.
//
// It runs golang.org/x/crypto/ssh's client handshake on the connection
// whose identification exchange the banner layer already did: the bytes
// read so far are replayed, our identification is not sent twice (and is
// the same string x/crypto hashes into the exchange).
//
// Every step is bounded: the connection's deadline is pushed forward by
// StepTimeout at each step, and a cancelled context ends the step.
type Probe struct {
	cfg  ProbeConfig
	conn *replayConn

	events chan event
	quit   chan struct{}
	once   sync.Once

	pending *event // an event that awaits our reply
	client  *ssh.Client
	doneErr error
	done    bool

	bannerMu sync.Mutex
	banners  []string
	bannerN  int
}

// ProbeConfig says how the probe talks.
type ProbeConfig struct {
	User string
	// Addr is "host:port" (x/crypto passes it to the host key callback).
	Addr string
	// Proposal is the user's ssh's lists; algorithms x/crypto does not
	// implement are left out of what the probe offers.
	Proposal Proposal
	// StepTimeout bounds each step (read deadlines on the connection).
	StepTimeout time.Duration
	// SniffOnly reads the server's KEXINIT and nothing more (used when
	// x/crypto shares no algorithm with the user's ssh for some slot).
	SniffOnly bool
}

type evKind int

const (
	evHostKey evKind = iota
	evAuth
	evAccepted
	evDone
)

type event struct {
	kind    evKind
	key     ssh.PublicKey
	allowed []string
	partial []string
	err     error
	client  *ssh.Client
	reply   chan reply
}

type reply struct {
	ok   bool
	auth ssh.AuthMethod
	err  error
}

// Sentinels returned into x/crypto's handshake.
var (
	errStopped      = errors.New("sshdoctor: probe stopped")
	errDeclined     = errors.New("sshdoctor: key accepted; not signing (query only)")
	errHostKeyCheck = errors.New("sshdoctor: host key not trusted, stopping as ssh would")
	// ErrClosed means the probe was closed.
	ErrClosed = errors.New("probe closed")
)

// ErrServerClosed: the server closed the connection instead of answering.
type ErrServerClosed struct{ Err error }

func (e ErrServerClosed) Error() string { return "the server closed the connection: " + e.Err.Error() }
func (e ErrServerClosed) Unwrap() error { return e.Err }

// Supported algorithms of x/crypto, for filtering what the probe offers.
func supported() ssh.Algorithms {
	s, in := ssh.SupportedAlgorithms(), ssh.InsecureAlgorithms()
	s.KeyExchanges = append(append(s.KeyExchanges, in.KeyExchanges...), "curve25519-sha256@libssh.org", "diffie-hellman-group-exchange-sha1")
	s.Ciphers = append(s.Ciphers, in.Ciphers...)
	s.MACs = append(s.MACs, in.MACs...)
	s.HostKeys = append(s.HostKeys, in.HostKeys...)
	return s
}

func filter(ours, impl []string) []string {
	var out []string
	for _, a := range ours {
		if contains(impl, a) && !contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// Unimplemented lists, per slot, whether x/crypto shares nothing with the
// proposal (the probe cannot go past key exchange then).
func Unimplemented(p Proposal) []Slot {
	s := supported()
	var out []Slot
	if len(filter(p.Kex, s.KeyExchanges)) == 0 {
		out = append(out, SlotKex)
	}
	if len(filter(p.HostKey, s.HostKeys)) == 0 {
		out = append(out, SlotHostKey)
	}
	if len(filter(p.Ciphers, s.Ciphers)) == 0 {
		out = append(out, SlotCipher)
	}
	if len(filter(p.MACs, s.MACs)) == 0 {
		aead := false
		for _, c := range filter(p.Ciphers, s.Ciphers) {
			aead = aead || IsAEAD(c)
		}
		if !aead {
			out = append(out, SlotMAC)
		}
	}
	return out
}

// StartProbe takes over conn, on which Exchange has already read the
// server's identification id, and starts the handshake in the background.
func StartProbe(conn net.Conn, id Ident, cfg ProbeConfig) *Probe {
	if cfg.StepTimeout <= 0 {
		cfg.StepTimeout = 5 * time.Second
	}
	p := &Probe{cfg: cfg, events: make(chan event), quit: make(chan struct{})}
	prefix := append(append(append([]byte(nil), id.Raw...), '\r', '\n'), id.Rest...)
	p.conn = newReplayConn(conn, prefix, []byte(ClientIdent), id.Rest)
	_ = conn.SetDeadline(time.Now().Add(cfg.StepTimeout))
	if cfg.SniffOnly {
		go p.sniffOnly()
	} else {
		go p.handshake()
	}
	return p
}

func (p *Probe) sniffOnly() {
	buf := make([]byte, 4096)
	for {
		if p.conn.sniff.finished() {
			return
		}
		if _, err := p.conn.Read(buf); err != nil {
			return
		}
	}
}

func (p *Probe) handshake() {
	impl := supported()
	pr := p.cfg.Proposal
	macs := filter(pr.MACs, impl.MACs)
	if len(macs) == 0 {
		// Only AEAD ciphers are usable (Unimplemented checked it); an
		// empty list would make x/crypto offer its defaults instead, so
		// offer a name no one implements.
		macs = []string{"none@sshdoctor.invalid"}
	}
	cfg := &ssh.ClientConfig{
		User:              p.cfg.User,
		ClientVersion:     ClientIdent[:len(ClientIdent)-2],
		HostKeyAlgorithms: filter(pr.HostKey, impl.HostKeys),
		Config: ssh.Config{
			KeyExchanges: filter(pr.Kex, impl.KeyExchanges),
			Ciphers:      filter(pr.Ciphers, impl.Ciphers),
			MACs:         macs,
		},
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			r := p.emit(event{kind: evHostKey, key: key, reply: make(chan reply, 1)})
			if r.err != nil {
				return r.err
			}
			if !r.ok {
				return errHostKeyCheck
			}
			return nil
		},
		BannerCallback: func(msg string) error { p.addBanner(msg); return nil },
		AuthCallback: func(ac *ssh.ClientAuthContext) (ssh.AuthMethod, error) {
			r := p.emit(event{kind: evAuth, allowed: ac.AllowedMethods, partial: ac.PartialSuccessMethods,
				reply: make(chan reply, 1)})
			if r.err != nil {
				return nil, r.err
			}
			if r.auth == nil {
				return nil, errStopped
			}
			return r.auth, nil
		},
	}
	c, chans, reqs, err := ssh.NewClientConn(p.conn, p.cfg.Addr, cfg)
	var cl *ssh.Client
	if err == nil {
		cl = ssh.NewClient(c, chans, reqs)
	}
	r := p.emit(event{kind: evDone, err: err, client: cl})
	if r.err != nil && cl != nil {
		cl.Close()
	}
}

// emit hands an event to the caller and waits for its reply (if the event
// takes one), or for Close.
func (p *Probe) emit(e event) reply {
	select {
	case p.events <- e:
	case <-p.quit:
		return reply{err: ErrClosed}
	}
	if e.reply == nil {
		return reply{}
	}
	select {
	case r := <-e.reply:
		return r
	case <-p.quit:
		return reply{err: ErrClosed}
	}
}

// next returns the event awaiting a reply, or waits for the next one.
func (p *Probe) next(ctx context.Context) (*event, error) {
	if p.pending != nil {
		return p.pending, nil
	}
	if p.done {
		if p.doneErr != nil {
			return nil, p.doneErr
		}
		return nil, errors.New("the handshake is over")
	}
	p.extend()
	select {
	case e := <-p.events:
		if e.kind == evDone {
			p.done, p.doneErr, p.client = true, e.err, e.client
			return &e, nil
		}
		p.pending = &e
		return &e, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.quit:
		return nil, ErrClosed
	}
}

func (p *Probe) answer(r reply) {
	if p.pending != nil && p.pending.reply != nil {
		p.pending.reply <- r
	}
	p.pending = nil
}

// extend pushes the connection's deadline one step ahead.
func (p *Probe) extend() {
	_ = p.conn.SetDeadline(time.Now().Add(p.cfg.StepTimeout))
}

// KexInit waits for the server's KEXINIT.
func (p *Probe) KexInit(ctx context.Context) (*KexInit, error) {
	p.extend()
	select {
	case <-p.conn.sniff.ready:
		return p.conn.sniff.result()
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.quit:
		return nil, ErrClosed
	}
}

// Received is how many bytes the server sent after its identification so
// far, and the first of them (for evidence when no KEXINIT came).
func (p *Probe) Received() (int, []byte) { return p.conn.sniff.received() }

// HostKey waits for the server's host key (the key exchange is then
// complete up to its verification). The handshake waits for AcceptHostKey
// or Close.
func (p *Probe) HostKey(ctx context.Context) (*Key, error) {
	e, err := p.next(ctx)
	if err != nil {
		return nil, err
	}
	switch e.kind {
	case evHostKey:
		return newKey(e.key, ""), nil
	case evDone:
		if e.err == nil {
			return nil, errors.New("handshake ended before the host key")
		}
		return nil, e.err
	}
	return nil, fmt.Errorf("unexpected step %d while waiting for the host key", e.kind)
}

// AcceptHostKey lets the handshake go on past the host key.
func (p *Probe) AcceptHostKey() {
	if p.pending != nil && p.pending.kind == evHostKey {
		p.answer(reply{ok: true})
	}
}

// AuthState is where authentication stands.
type AuthState struct {
	// Allowed lists the methods the server says can continue.
	Allowed []string
	// Partial lists methods that succeeded partially (AuthenticationMethods).
	Partial []string
	// Authenticated: the server let us in (with "none", or after Sign).
	Authenticated bool
}

// Methods returns the methods the server allows, learnt from the "none"
// request x/crypto always sends first.
func (p *Probe) Methods(ctx context.Context) (AuthState, error) {
	e, err := p.next(ctx)
	if err != nil {
		return AuthState{}, err
	}
	switch e.kind {
	case evAuth:
		return AuthState{Allowed: e.allowed, Partial: e.partial}, nil
	case evDone:
		if e.err == nil {
			return AuthState{Authenticated: true}, nil
		}
		return AuthState{}, e.err
	}
	return AuthState{}, fmt.Errorf("unexpected step %d while waiting for the methods", e.kind)
}

// Identity is one key to offer.
type Identity struct {
	Key *Key
	// Algorithms are the signature algorithms ssh would use with the key,
	// in its order (underlying names: rsa-sha2-512, ssh-ed25519…). x/crypto
	// picks the first the server announces in server-sig-algs, or falls
	// back to the key's own type when that is listed, as OpenSSH does.
	Algorithms []string
	signer     func() (ssh.Signer, error)
}

// CanSign reports whether a login with this identity is possible.
func (id *Identity) CanSign() bool { return id.signer != nil }

// AgentIdentity offers an agent key (signed by the agent).
func AgentIdentity(a *Agent, k *Key) *Identity {
	return &Identity{Key: k, signer: func() (ssh.Signer, error) { return a.signer(k), nil }}
}

// FileIdentity offers key pub of a key file (signed with the file's
// private key when it is usable, else not at all).
func FileIdentity(kf *KeyFile, pub *Key) *Identity {
	id := &Identity{Key: pub}
	if kf.signer != nil {
		s := kf.signer
		id.signer = func() (ssh.Signer, error) { return s, nil }
	}
	return id
}

// CertIdentity offers certificate cert, signed by base's signer.
func CertIdentity(cert *Key, base *Identity) *Identity {
	id := &Identity{Key: cert}
	c, ok := cert.pub.(*ssh.Certificate)
	if ok && base != nil && base.signer != nil {
		bs := base.signer
		id.signer = func() (ssh.Signer, error) {
			s, err := bs()
			if err != nil {
				return nil, err
			}
			return ssh.NewCertSigner(c, s)
		}
	}
	return id
}

// QueryResult is the server's answer to a publickey query.
type QueryResult string

const (
	QueryAccepted QueryResult = "accepted" // SSH_MSG_USERAUTH_PK_OK
	QueryRejected QueryResult = "rejected" // SSH_MSG_USERAUTH_FAILURE
	// QueryNotSent: no signature algorithm in common (ssh would not offer
	// the key either).
	QueryNotSent QueryResult = "not_sent"
	// QueryDisconnected: the server closed the connection instead of
	// answering (MaxAuthTries reached, usually).
	QueryDisconnected QueryResult = "disconnected"
	// QueryAuthenticated: the server let us in without a signature.
	QueryAuthenticated QueryResult = "authenticated"
)

// Query asks the server whether it would accept the identity, without
// signing (RFC 4252 §7 "publickey" with FALSE). After QueryAccepted the
// handshake waits: call Sign to log in with the key, or Decline to go on.
func (p *Probe) Query(ctx context.Context, id *Identity) (QueryResult, AuthState, error) {
	e, err := p.next(ctx)
	if err != nil {
		return "", AuthState{}, err
	}
	if e.kind != evAuth {
		return "", AuthState{}, fmt.Errorf("unexpected step %d before a query", e.kind)
	}
	var marked atomic.Bool
	ps := &probeSigner{p: p, pub: markingKey{PublicKey: id.Key.pub, marked: &marked}, algs: id.Algorithms, real: id.signer}
	p.answer(reply{auth: ssh.PublicKeys(ps)})
	e, err = p.next(ctx)
	if err != nil {
		return "", AuthState{}, err
	}
	switch e.kind {
	case evAccepted:
		return QueryAccepted, AuthState{}, nil
	case evAuth:
		st := AuthState{Allowed: e.allowed, Partial: e.partial}
		// x/crypto hides a connection closed instead of an answer (it
		// only returns SSH_MSG_DISCONNECT); the read error tells.
		if err := p.conn.readErr(); err != nil {
			return QueryDisconnected, st, ErrServerClosed{err}
		}
		if marked.Load() {
			return QueryRejected, st, nil
		}
		return QueryNotSent, st, nil
	case evDone:
		if e.err == nil {
			return QueryAuthenticated, AuthState{Authenticated: true}, nil
		}
		return QueryDisconnected, AuthState{}, e.err
	}
	return "", AuthState{}, fmt.Errorf("unexpected step %d after a query", e.kind)
}

// Decline answers an accepted query without signing; authentication goes
// on with the next query.
func (p *Probe) Decline() {
	if p.pending != nil && p.pending.kind == evAccepted {
		p.answer(reply{ok: false})
	}
}

// Sign logs in with the identity the server just accepted: the signature
// is made (by the agent or the key file) and sent.
func (p *Probe) Sign(ctx context.Context) (AuthState, error) {
	if p.pending == nil || p.pending.kind != evAccepted {
		return AuthState{}, errors.New("no accepted key to sign with")
	}
	p.answer(reply{ok: true})
	e, err := p.next(ctx)
	if err != nil {
		return AuthState{}, err
	}
	switch e.kind {
	case evDone:
		if e.err == nil {
			return AuthState{Authenticated: true}, nil
		}
		return AuthState{}, e.err
	case evAuth:
		if err := p.conn.readErr(); err != nil {
			return AuthState{}, ErrServerClosed{err}
		}
		return AuthState{Allowed: e.allowed, Partial: e.partial}, nil
	}
	return AuthState{}, fmt.Errorf("unexpected step %d after signing", e.kind)
}

type markingKey struct {
	ssh.PublicKey
	marked *atomic.Bool
}

// Marshal is called when x/crypto puts the key in a request: that is how
// the probe knows a query was sent.
func (m markingKey) Marshal() []byte {
	m.marked.Store(true)
	return m.PublicKey.Marshal()
}

// probeSigner is the Signer x/crypto is given for a query. x/crypto calls
// SignWithAlgorithm only after the server answered PK_OK; the probe then
// reports the acceptance and waits to be told whether to sign for real.
type probeSigner struct {
	p    *Probe
	pub  markingKey
	algs []string
	real func() (ssh.Signer, error)
}

func (s *probeSigner) PublicKey() ssh.PublicKey { return s.pub }
func (s *probeSigner) Algorithms() []string     { return s.algs }
func (s *probeSigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	return s.SignWithAlgorithm(rand, data, "")
}

func (s *probeSigner) SignWithAlgorithm(rand io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	r := s.p.emit(event{kind: evAccepted, reply: make(chan reply, 1)})
	if r.err != nil {
		return nil, r.err
	}
	if !r.ok || s.real == nil {
		return nil, errDeclined
	}
	signer, err := s.real()
	if err != nil {
		return nil, err
	}
	if as, ok := signer.(ssh.AlgorithmSigner); ok && algorithm != "" {
		return as.SignWithAlgorithm(rand, data, algorithm)
	}
	return signer.Sign(rand, data)
}

// maxBanners caps what is kept of USERAUTH_BANNER messages (/etc/issue.net,
// PAM's account messages).
const maxBanners = 4096

func (p *Probe) addBanner(msg string) {
	p.bannerMu.Lock()
	defer p.bannerMu.Unlock()
	if p.bannerN >= maxBanners {
		return
	}
	if len(msg) > maxBanners-p.bannerN {
		msg = msg[:maxBanners-p.bannerN]
	}
	p.bannerN += len(msg)
	p.banners = append(p.banners, msg)
}

// Banners returns the USERAUTH_BANNER texts received (raw; quote them).
func (p *Probe) Banners() []string {
	p.bannerMu.Lock()
	defer p.bannerMu.Unlock()
	return append([]string(nil), p.banners...)
}

// ExecResult is what a command run after login produced.
type ExecResult struct {
	// ExitStatus is the command's exit status, -1 when none was sent.
	ExitStatus int
	Signal     string
	Stdout     []byte
	Stderr     []byte
	// OpenFailed is the reason a session channel was refused.
	OpenFailed string
	// Closed: the connection or channel closed without an exit status.
	Closed bool
	// TimedOut: the step's deadline (or ctx's) passed before the session
	// ended; the connection was closed by the probe, not by the server.
	TimedOut bool
	Err      error
}

// Exec opens a session and runs cmd with no input, keeping at most max
// bytes of each output stream; an empty cmd asks for a shell without a
// terminal (ssh -T). It needs a successful login.
func (p *Probe) Exec(ctx context.Context, cmd string, max int) ExecResult {
	res := ExecResult{ExitStatus: -1}
	if p.client == nil {
		res.Err = errors.New("not logged in")
		return res
	}
	deadline := time.Now().Add(p.cfg.StepTimeout)
	p.extend()
	stop := context.AfterFunc(ctx, func() { p.conn.Close() })
	defer stop()
	// Whether an error is the probe's own deadline or the server's close:
	// x/crypto reports both as a closed channel.
	ownDeadline := func() bool {
		return !time.Now().Before(deadline) || errors.Is(ctx.Err(), context.DeadlineExceeded)
	}
	sess, err := p.client.NewSession()
	if err != nil {
		var oe *ssh.OpenChannelError
		switch {
		case errors.As(err, &oe):
			res.OpenFailed = fmt.Sprintf("%s (%d)", oe.Message, oe.Reason)
		case ownDeadline():
			res.TimedOut = true
		default:
			res.Closed = true
		}
		res.Err = err
		return res
	}
	defer sess.Close()
	out, errb := capped.New(max), capped.New(max)
	sess.Stdout, sess.Stderr = out, errb
	sess.Stdin = bytes.NewReader(nil)
	if cmd == "" {
		// No command: a shell without a terminal, as `ssh -T host` asks.
		if err = sess.Shell(); err == nil {
			err = sess.Wait()
		}
	} else {
		err = sess.Run(cmd)
	}
	res.Stdout, res.Stderr = out.Bytes(), errb.Bytes()
	var ee *ssh.ExitError
	var em *ssh.ExitMissingError
	switch {
	case err == nil:
		res.ExitStatus = 0
	case errors.As(err, &ee):
		res.ExitStatus = ee.ExitStatus()
		res.Signal = ee.Signal()
	case ownDeadline():
		res.TimedOut = true
		res.Err = err
	case errors.As(err, &em):
		res.Closed = true
	default:
		res.Closed = true
		res.Err = err
	}
	return res
}

// Close ends the probe and its connection.
func (p *Probe) Close() {
	p.once.Do(func() {
		close(p.quit)
		if p.client != nil {
			p.client.Close()
		}
		p.conn.Close()
	})
}

var disconnectRE = lazyre.New(`disconnect, reason (\d+): (.*)$`)

// Disconnect extracts an SSH_MSG_DISCONNECT's reason code and text from an
// x/crypto error (its type is unexported; the text is matched here only).
func Disconnect(err error) (reason int, msg string, ok bool) {
	if err == nil {
		return 0, "", false
	}
	m := disconnectRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, "", false
	}
	reason, _ = strconv.Atoi(m[1])
	msg = m[2]
	if u, err := strconv.Unquote(msg); err == nil {
		msg = u
	}
	return reason, msg, true
}

// Negotiation returns x/crypto's typed algorithm negotiation failure.
func Negotiation(err error) (what string, ours, theirs []string, ok bool) {
	var ae *ssh.AlgorithmNegotiationError
	if errors.As(err, &ae) {
		return ae.What, ae.SupportedAlgorithms, ae.RequestedAlgorithms, true
	}
	return "", nil, nil, false
}

// IsClosed reports an error that means the peer closed the connection.
func IsClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		isReset(err)
}
