// Package client holds the client-side checks of `sshdoctor check`, one
// file per layer: config, dns, tcp, banner (and, after them, kex, hostkey,
// auth, login). Each layer is a typed diag.Def: it hands what it learnt to
// the next as a result the next reads with diag.ResultOf; the one SSH
// connection they walk belongs to the run's session.
package client

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/report"
	"github.com/sshdoctor/sshdoctor/sshconfig"
)

// KV is one -o option.
type KV struct{ Key, Value string }

// Options is what the user asked for, as ssh would take it.
type Options struct {
	Destination   string // as typed
	User          string // from user@ or -l; "" = ssh's default
	Host          string // host or alias
	Port          int    // 0 = from config / 22
	Identities    []string
	ConfigFile    string
	Options       []KV
	AddressFamily string // "", "inet", "inet6"
	Timeout       time.Duration
	NoLogin       bool
	AllKeys       bool
	// Configs, when set, answers the config layer's `ssh -G` for many
	// destinations at once (a scan, an exporter), sharing one answer among
	// names ssh's configuration cannot tell apart; nil runs ssh -G each time.
	Configs *sshconfig.Shared
	// Dial replaces the system dialer (tests dial from inside a network
	// namespace with it); nil means net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Run is one diagnosis of one destination.
type Run struct {
	opts Options

	connections  atomic.Int64
	authAttempts atomic.Int64

	mu     sync.Mutex
	target report.Target
	// localAddr is this machine's address on the connection to the
	// server (what the server sees as the client, unless NAT is between).
	localAddr string
	// serverAddr is the host:port that answered.
	serverAddr string

	// hkaNamed tells whether a configuration file ssh reads may set
	// HostKeyAlgorithms (see configMayName), read once.
	hkaNamed func() bool

	// sess is the connection the layers walk (to the first hop).
	sess *session
	defs defs
}

func (r *Run) setConnAddrs(local, server string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.localAddr, r.serverAddr = local, server
}

// sshdSpec is the connection spec for `sshd -T -C` that matches this
// connection as the server saw it: the client address is the local
// address of the connection (behind NAT the server sees another one),
// and laddr/lport the address that answered. CLIENT_IP stays a
// placeholder only when no connection was made.
func (r *Run) sshdSpec(user string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	addr := r.localAddr
	if addr == "" {
		addr = "CLIENT_IP"
	}
	spec := "user=" + user + ",host=" + addr + ",addr=" + addr
	if h, p, err := net.SplitHostPort(r.serverAddr); err == nil {
		spec += ",laddr=" + h + ",lport=" + p
	}
	return spec
}

// New prepares a run.
func New(o Options) *Run {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	r := &Run{opts: o, sess: &session{}}
	r.hkaNamed = sync.OnceValue(func() bool {
		_, home, _ := localUser()
		return configMayName(o.ConfigFile, home, "hostkeyalgorithms")
	})
	r.buildDefs()
	r.target = report.Target{Destination: o.Destination, User: o.User, Host: o.Host,
		Hostname: o.Host, Port: o.Port, Addresses: []string{}}
	if r.target.Port == 0 {
		r.target.Port = 22
	}
	return r
}

// Target returns what is known of the target so far.
func (r *Run) Target() *report.Target {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.target
	t.Addresses = append([]string{}, r.target.Addresses...)
	return &t
}

func (r *Run) setTarget(f func(t *report.Target)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.target)
}

// Stats counts connections and authentication attempts made.
func (r *Run) Stats() *report.Stats {
	return &report.Stats{Connections: int(r.connections.Load()), AuthAttempts: int(r.authAttempts.Load())}
}

// Checks returns the layers in dependency order.
func (r *Run) Checks() []*diag.Check {
	return r.layers()
}
