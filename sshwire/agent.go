package sshwire

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Agent is a connection to ssh-agent. Listing keys never signs anything;
// signing happens only for a login the user asked for (check without
// --no-login), with a key the server already accepted.
type Agent struct {
	Path string
	Keys []*Key

	mu      sync.Mutex
	conn    net.Conn
	client  agent.ExtendedAgent
	timeout time.Duration
}

// maxAgentKeys caps how many agent keys are considered (ssh itself has no
// limit, but hundreds of keys are a misconfiguration in their own right).
const maxAgentKeys = 256

// OpenAgent connects to the agent socket and lists its keys, within
// timeout.
func OpenAgent(ctx context.Context, path string, timeout time.Duration) (*Agent, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := dialAgent(ctx, path)
	if err != nil {
		return nil, err
	}
	a := &Agent{Path: path, conn: c, client: agent.NewClient(c), timeout: timeout}
	_ = c.SetDeadline(time.Now().Add(timeout))
	keys, err := a.client.List()
	_ = c.SetDeadline(time.Time{})
	if err != nil {
		c.Close()
		return nil, err
	}
	for i, k := range keys {
		if i >= maxAgentKeys {
			break
		}
		pub, err := ssh.ParsePublicKey(k.Blob)
		if err != nil {
			continue
		}
		a.Keys = append(a.Keys, newKey(pub, k.Comment))
	}
	return a, nil
}

// Has reports whether the agent holds the key.
func (a *Agent) Has(k *Key) bool {
	if a == nil || k == nil {
		return false
	}
	for _, x := range a.Keys {
		if bytes.Equal(x.Blob, k.Blob) {
			return true
		}
	}
	return false
}

// Close ends the connection to the agent.
func (a *Agent) Close() {
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.conn != nil {
		a.conn.Close()
		a.conn = nil
	}
}

// signer returns a signer that asks the agent to sign with key k, each
// request bounded by the agent timeout.
func (a *Agent) signer(k *Key) ssh.Signer {
	return &agentSigner{a: a, pub: k.pub}
}

type agentSigner struct {
	a   *Agent
	pub ssh.PublicKey
}

func (s *agentSigner) PublicKey() ssh.PublicKey { return s.pub }

func (s *agentSigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	return s.SignWithAlgorithm(nil, data, "")
}

func (s *agentSigner) SignWithAlgorithm(_ io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	if s.a.conn == nil {
		return nil, net.ErrClosed
	}
	_ = s.a.conn.SetDeadline(time.Now().Add(s.a.timeout))
	defer func() { _ = s.a.conn.SetDeadline(time.Time{}) }()
	var flags agent.SignatureFlags
	switch algorithm {
	case ssh.KeyAlgoRSASHA256:
		flags = agent.SignatureFlagRsaSha256
	case ssh.KeyAlgoRSASHA512:
		flags = agent.SignatureFlagRsaSha512
	}
	return s.a.client.SignWithFlags(s.pub, data, flags)
}
