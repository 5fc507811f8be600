package sshwire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// KexInit is a peer's SSH_MSG_KEXINIT (RFC 4253 §7.1): what it offers for
// each negotiation slot, in its order of preference. Pseudo-algorithms that
// only signal capabilities (ext-info-*, kex-strict-*) are kept apart in
// Pseudo: they never take part in a choice.
type KexInit struct {
	Kex         []string
	HostKey     []string
	CiphersC2S  []string
	CiphersS2C  []string
	MACsC2S     []string
	MACsS2C     []string
	CompC2S     []string
	CompS2C     []string
	LangC2S     []string
	LangS2C     []string
	Pseudo      []string
	FirstFollow bool
	// RawKex is the kex name-list exactly as sent (pseudo-algorithms
	// included), which is what OpenSSH prints as "Their offer".
	RawKex string
}

// Limits for parsing a peer's packet. OpenSSH accepts packets up to 256 KiB
// (PACKET_MAX_SIZE); a KEXINIT is a few kilobytes, so anything larger is
// refused rather than buffered.
const (
	MaxPacket       = 256 * 1024
	maxNameListLen  = 64 * 1024
	msgKexInit      = 20
	msgIgnore       = 2
	msgDebug        = 4
	kexInitMinBytes = 1 + 16 + 10*4 + 1 + 4
)

// ErrNotKexInit means the payload is not an SSH_MSG_KEXINIT.
var ErrNotKexInit = errors.New("not a KEXINIT message")

// isPseudo reports a name-list entry that only signals a capability.
func isPseudo(name string) bool {
	return strings.HasPrefix(name, "ext-info-") || strings.HasPrefix(name, "kex-strict-")
}

// ParseKexInit parses the payload of an SSH_MSG_KEXINIT (message number
// first). It is strict about structure and lenient about names.
func ParseKexInit(payload []byte) (*KexInit, error) {
	if len(payload) < kexInitMinBytes {
		return nil, fmt.Errorf("KEXINIT too short (%d bytes)", len(payload))
	}
	if payload[0] != msgKexInit {
		return nil, fmt.Errorf("%w (message %d)", ErrNotKexInit, payload[0])
	}
	b := payload[17:] // message number and 16-byte cookie
	var lists [10][]string
	for i := range lists {
		if len(b) < 4 {
			return nil, errors.New("KEXINIT truncated in a name-list length")
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		if n > maxNameListLen || int(n) > len(b) {
			return nil, fmt.Errorf("KEXINIT name-list %d has a bad length %d", i, n)
		}
		s := string(b[:n])
		b = b[n:]
		for _, c := range []byte(s) {
			if c < 0x21 || c > 0x7e {
				return nil, fmt.Errorf("KEXINIT name-list %d holds a non-printable byte 0x%02x", i, c)
			}
		}
		lists[i] = splitNames(s)
	}
	if len(b) < 5 {
		return nil, errors.New("KEXINIT truncated after the name-lists")
	}
	k := &KexInit{FirstFollow: b[0] != 0}
	for _, n := range lists[0] {
		if isPseudo(n) {
			k.Pseudo = append(k.Pseudo, n)
		} else {
			k.Kex = append(k.Kex, n)
		}
	}
	k.RawKex = strings.Join(lists[0], ",")
	k.HostKey, k.CiphersC2S, k.CiphersS2C = lists[1], lists[2], lists[3]
	k.MACsC2S, k.MACsS2C, k.CompC2S, k.CompS2C = lists[4], lists[5], lists[6], lists[7]
	k.LangC2S, k.LangS2C = lists[8], lists[9]
	return k, nil
}

func splitNames(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Strict reports whether the peer signalled strict key exchange (the
// Terrapin countermeasure).
func (k *KexInit) Strict() bool {
	for _, p := range k.Pseudo {
		if strings.HasPrefix(p, "kex-strict-") {
			return true
		}
	}
	return false
}

// packetReader extracts unencrypted binary packets (RFC 4253 §6) from a
// byte stream fed to it piece by piece: what a server sends before the
// first NEWKEYS.
type packetReader struct {
	buf []byte
	max int
}

// next returns the payload of the next complete packet, or nil when more
// bytes are needed.
func (p *packetReader) next() ([]byte, error) {
	if len(p.buf) < 5 {
		return nil, nil
	}
	n := binary.BigEndian.Uint32(p.buf)
	if n < 5 || int(n) > p.max {
		return nil, fmt.Errorf("bad packet length %d", n)
	}
	if len(p.buf) < 4+int(n) {
		return nil, nil
	}
	pad := int(p.buf[4])
	if pad+1 > int(n) {
		return nil, fmt.Errorf("bad padding length %d in a packet of %d bytes", pad, n)
	}
	payload := p.buf[5 : 4+int(n)-pad]
	p.buf = p.buf[4+int(n):]
	return payload, nil
}

// KexInitFromStream parses the first KEXINIT in the bytes a server sends
// after its identification line (IGNORE and DEBUG packets before it are
// skipped). It returns nil, nil when the bytes end before a whole KEXINIT.
func KexInitFromStream(b []byte) (*KexInit, error) {
	pr := &packetReader{buf: b, max: MaxPacket}
	for {
		payload, err := pr.next()
		if err != nil || payload == nil {
			return nil, err
		}
		if len(payload) == 0 {
			return nil, errors.New("empty packet")
		}
		switch payload[0] {
		case msgIgnore, msgDebug:
			continue
		case msgKexInit:
			return ParseKexInit(payload)
		default:
			return nil, fmt.Errorf("%w (message %d came first)", ErrNotKexInit, payload[0])
		}
	}
}
