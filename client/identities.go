package client

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/sshwire"
)

// offer is one identity, in the order ssh would use it.
type offer struct {
	label        string // the file, or the agent key's comment
	source       string // "agent", "file", "agent+file", "certificate"
	key          *sshwire.Key
	kf           *sshwire.KeyFile
	inAgent      bool
	userProvided bool
	id           *sshwire.Identity
	// skip says why ssh would not offer it at all ("" = it offers it).
	skip string
	// trying: ssh has no public key for it and signs directly ("Trying
	// private key"); sshdoctor asks about the public half instead.
	trying bool
	// cannotSign says why ssh, once the server accepts the key, could not
	// sign with it: "perm", "encrypted", "invalid", "missing" ("" = it can).
	cannotSign string
	// extra: a key ssh would not offer, tested only with --all-keys.
	extra  bool
	result sshwire.QueryResult
	n      int // position among the keys ssh offers (1-based)
}

// describe renders the offer for evidence: fingerprint, type, label, source.
func (o *offer) describe() string {
	var b strings.Builder
	if o.key != nil {
		b.WriteString(o.key.Fingerprint + " " + sshwire.KeyTypeLabel(o.key.Type) + " ")
	}
	b.WriteString(o.label)
	b.WriteString(" (" + o.source)
	if o.key != nil && o.key.Comment != "" && o.key.Comment != o.label {
		b.WriteString(", comment " + strconv.Quote(o.key.Comment))
	}
	b.WriteString(")")
	return b.String()
}

// defaultIdentityFiles are the files ssh tries when no IdentityFile is set
// (readconf.c fill_default_options), as ssh -G prints them.
var defaultIdentityFiles = []string{"~/.ssh/id_rsa", "~/.ssh/id_ecdsa", "~/.ssh/id_ecdsa_sk", "~/.ssh/id_ed25519",
	"~/.ssh/id_ed25519_sk", "~/.ssh/id_xmss", "~/.ssh/id_dsa"}

// agentTimeout bounds talking to ssh-agent: a local socket answers in
// microseconds; a hung agent (or a forwarded one over a dead connection)
// must not hang the diagnosis.
const agentTimeout = 2 * time.Second

// agentPath is the socket ssh would use (IdentityAgent, else SSH_AUTH_SOCK).
func (r *Run) agentPath(s *Settings) string {
	v := s.Config.Get("identityagent")
	switch {
	case v == "none":
		return ""
	case v == "" || v == "SSH_AUTH_SOCK":
		if e := os.Getenv("SSH_AUTH_SOCK"); e != "" || defaultAgent == "" {
			return e
		}
		return defaultAgent
	case strings.HasPrefix(v, "$"):
		return os.Getenv(strings.Trim(v[1:], "{}"))
	}
	return expandPath(v, s, r.opts.Host)
}

// identities builds the list ssh would offer, in its order
// (sshconnect2.c pubkey_prepare): certificates named by CertificateFile;
// agent keys that match an identity file (in the agent's order); the other
// agent keys unless IdentitiesOnly; then the remaining files, each followed
// by its -cert.pub. Keys whose type PubkeyAcceptedAlgorithms excludes, and
// RSA keys under RequiredRSASize, are kept with the reason ssh skips them.
func (r *Run) identities(ctx context.Context, s *Settings) (list []*offer, agent *sshwire.Agent, agentErr error) {
	c := s.Config
	raw := c.All("identityfile")
	defaults := len(raw) == len(defaultIdentityFiles)
	for i := range raw {
		if defaults && raw[i] != defaultIdentityFiles[i] {
			defaults = false
		}
	}
	if p := r.agentPath(s); p != "" {
		agent, agentErr = sshwire.OpenAgent(ctx, p, agentTimeout)
	}
	var files []*offer
	for _, rp := range raw {
		p := expandPath(rp, s, r.opts.Host)
		kf := sshwire.LoadKeyFile(p)
		o := &offer{label: p, source: "file", kf: kf, key: kf.Public, userProvided: !defaults}
		files = append(files, o)
		if len(c.All("certificatefile")) == 0 && kf.Cert != nil {
			files = append(files, &offer{label: p, source: "certificate", kf: kf, key: kf.Cert, userProvided: !defaults})
		}
	}
	var preferred []*offer
	for _, cp := range c.All("certificatefile") {
		p := expandPath(cp, s, r.opts.Host)
		ck := sshwire.LoadKeyFile(p)
		k := ck.Public
		if k == nil || k.Cert == nil || k.Cert.Host {
			continue
		}
		preferred = append(preferred, &offer{label: p, source: "certificate", key: k, userProvided: true})
	}
	minRSA, _ := strconv.Atoi(c.Get("requiredrsasize"))
	identitiesOnly := c.Yes("identitiesonly")
	var agentOnly []*offer
	if agent != nil {
		for _, k := range agent.Keys {
			if minRSA > 0 && sshwire.PlainKeyType(k.Type) == "rsa" && k.Bits > 0 && k.Bits < minRSA {
				continue // "ignoring ssh-rsa agent key: Invalid key length"
			}
			matched := false
			for i, f := range files {
				if f.key != nil && bytes.Equal(f.key.Blob, k.Blob) {
					f.inAgent, f.source = true, "agent+"+f.source
					preferred = append(preferred, f)
					files = append(files[:i], files[i+1:]...)
					matched = true
					break
				}
			}
			if matched {
				continue
			}
			label := k.Comment
			if label == "" {
				label = "agent key"
			}
			o := &offer{label: label, source: "agent", key: k, inAgent: true}
			if identitiesOnly {
				o.extra, o.skip = true, "IdentitiesOnly: ssh does not offer agent keys that no IdentityFile names"
			}
			agentOnly = append(agentOnly, o)
		}
	}
	var extras []*offer
	for _, o := range agentOnly {
		if o.extra {
			extras = append(extras, o)
		} else {
			preferred = append(preferred, o)
		}
	}
	list = slices.Concat(preferred, files)
	accepted := c.List("pubkeyacceptedalgorithms")
	batch := c.Yes("batchmode")
	for _, o := range list {
		r.prepareOffer(s, o, agent, accepted, minRSA, batch, list)
	}
	// --all-keys: also the default key files when ssh would not look at
	// them, and the agent keys IdentitiesOnly hides.
	if r.opts.AllKeys {
		if !defaults {
			for _, rp := range defaultIdentityFiles {
				p := expandPath(rp, s, r.opts.Host)
				if hasLabel(list, p) {
					continue
				}
				kf := sshwire.LoadKeyFile(p)
				if kf.Private == sshwire.PrivMissing && kf.Public == nil {
					continue
				}
				extras = append(extras, &offer{label: p, source: "file", kf: kf, key: kf.Public, extra: true,
					skip: "not an IdentityFile of this host"})
			}
		}
		for _, o := range extras {
			r.prepareOffer(s, o, agent, accepted, minRSA, batch, list)
		}
		list = append(list, extras...)
	}
	n := 0
	for _, o := range list {
		if o.skip == "" && !o.extra {
			n++
			o.n = n
		}
	}
	return list, agent, agentErr
}

func hasLabel(l []*offer, p string) bool {
	for _, o := range l {
		if filepath.Clean(o.label) == filepath.Clean(p) {
			return true
		}
	}
	return false
}

// prepareOffer decides whether and how ssh offers an identity, and whether
// it could sign with it once accepted.
func (r *Run) prepareOffer(s *Settings, o *offer, agent *sshwire.Agent, accepted []string, minRSA int, batch bool, list []*offer) {
	kf := o.kf
	// A key with no public half: ssh reads the private key and signs
	// directly ("Trying private key").
	if o.key == nil && kf != nil {
		switch kf.Private {
		case sshwire.PrivMissing:
			o.skip = "no such file"
			return
		case sshwire.PrivEncrypted:
			if batch {
				o.skip = "encrypted, and BatchMode cannot ask for the passphrase"
			} else {
				o.skip = "encrypted (ssh would ask for the passphrase; sshdoctor does not)"
			}
			o.cannotSign = "encrypted"
			return
		case sshwire.PrivOK:
			if tooOpen, _ := privateKeyTooOpen(kf.Path); tooOpen {
				o.skip, o.cannotSign = "bad permissions: ssh ignores this private key", "perm"
				return
			}
			o.key, o.trying = kf.PrivatePublic(), true
		default:
			o.skip, o.cannotSign = "ssh cannot read it ("+string(kf.Private)+")", "invalid"
			return
		}
	}
	if o.key == nil {
		o.skip = "no key"
		return
	}
	algs := sigAlgs(o.key.Type, accepted)
	if len(accepted) == 0 {
		algs = sigAlgs(o.key.Type, []string{o.key.Type, "rsa-sha2-512", "rsa-sha2-256"})
	}
	if len(algs) == 0 {
		if o.skip == "" {
			o.skip = "its type " + o.key.Type + " is not in PubkeyAcceptedAlgorithms"
		}
		return
	}
	if minRSA > 0 && sshwire.PlainKeyType(o.key.Type) == "rsa" && o.key.Bits > 0 && o.key.Bits < minRSA {
		if o.skip == "" {
			o.skip = "RSA key shorter than RequiredRSASize (" + strconv.Itoa(minRSA) + ")"
		}
		return
	}
	// Who signs, if the server accepts it: the agent when it holds the key
	// (or the certificate's key), else the private key file, read only
	// then (and so checked for permissions only then).
	switch {
	case o.inAgent:
		o.id = sshwire.AgentIdentity(agent, o.key)
	case o.source == "certificate":
		base := certSigner(o, agent, list)
		o.id = sshwire.CertIdentity(o.key, base)
		if base == nil || !base.CanSign() {
			o.cannotSign = "missing"
			if kf != nil {
				o.cannotSign = r.fileCannotSign(kf, batch)
			}
		}
	case kf != nil:
		o.id = sshwire.FileIdentity(kf, o.key)
		o.cannotSign = r.fileCannotSign(kf, batch)
	default:
		o.id = &sshwire.Identity{Key: o.key}
		o.cannotSign = "missing"
	}
	o.id.Algorithms = algs
}

// fileCannotSign applies what ssh does when it must read a private key:
// the permission check (OpenSSH's sshkey_perm_ok), then the format and the
// passphrase.
func (r *Run) fileCannotSign(kf *sshwire.KeyFile, batch bool) string {
	if kf.Private == sshwire.PrivMissing {
		return "missing"
	}
	if tooOpen, _ := privateKeyTooOpen(kf.Path); tooOpen {
		return "perm"
	}
	switch kf.Private {
	case sshwire.PrivOK:
		return ""
	case sshwire.PrivEncrypted:
		return "encrypted"
	case sshwire.PrivUnreadable:
		return "unreadable"
	}
	return "invalid"
}

// certSigner finds the identity whose private key signs for a certificate:
// one with the certificate's own public key (agent first), else the file
// the certificate came with.
func certSigner(o *offer, agent *sshwire.Agent, list []*offer) *sshwire.Identity {
	kb := o.key.Cert.KeyBlob
	if agent != nil {
		for _, k := range agent.Keys {
			if bytes.Equal(k.Blob, kb) {
				return sshwire.AgentIdentity(agent, k)
			}
		}
	}
	for _, x := range list {
		if x.kf != nil && x.source != "certificate" && x.key != nil && bytes.Equal(x.key.Blob, kb) && x.kf.CanSign() {
			return sshwire.FileIdentity(x.kf, x.key)
		}
	}
	if o.kf != nil && o.kf.CanSign() {
		return sshwire.FileIdentity(o.kf, o.kf.PrivatePublic())
	}
	return nil
}

// sigAlgs lists the signature algorithms ssh could use with a key, in
// PubkeyAcceptedAlgorithms order, as the underlying names x/crypto expects
// ("rsa-sha2-512" for both an RSA key and an RSA certificate).
func sigAlgs(keyType string, accepted []string) []string {
	plain, cert := sshwire.PlainKeyType(keyType), sshwire.IsCertAlg(keyType)
	var out []string
	for _, a := range accepted {
		if sshwire.IsCertAlg(a) != cert || sshwire.PlainKeyType(a) != plain {
			continue
		}
		u := strings.TrimSuffix(a, "-cert-v01@openssh.com")
		if strings.HasPrefix(u, "sk-") && !strings.HasSuffix(u, "@openssh.com") {
			u += "@openssh.com"
		}
		if !containsStr(out, u) {
			out = append(out, u)
		}
	}
	return out
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
