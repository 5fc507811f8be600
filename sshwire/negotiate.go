package sshwire

import "strings"

// Proposal is what a client offers, each list in its order of preference:
// for the user's ssh, the lists `ssh -G` prints (kexalgorithms,
// hostkeyalgorithms, ciphers, macs) and the compression list.
type Proposal struct {
	Kex         []string
	HostKey     []string
	Ciphers     []string
	MACs        []string
	Compression []string
}

// Slot is one negotiated item.
type Slot string

const (
	SlotKex     Slot = "kex"
	SlotHostKey Slot = "hostkey"
	SlotCipher  Slot = "cipher"
	SlotMAC     Slot = "mac"
	SlotComp    Slot = "compression"
)

// Directions, as OpenSSH names them in its debug output.
const (
	ServerToClient = "server->client"
	ClientToServer = "client->server"
)

// Mismatch is a slot with no algorithm in common.
type Mismatch struct {
	Slot      Slot
	Direction string // "" for kex and hostkey
	Ours      []string
	Theirs    []string
}

// Choice is what negotiation picks. MAC is "<implicit>" with an AEAD cipher.
type Choice struct {
	Kex, HostKey         string
	CipherS2C, CipherC2S string
	MACS2C, MACC2S       string
	CompS2C, CompC2S     string
}

// ImplicitMAC is the MAC "chosen" with an authenticated cipher.
const ImplicitMAC = "<implicit>"

// CompressionList is the list OpenSSH's client offers for its Compression
// setting (compat.c compression_alg_list).
func CompressionList(compression bool) []string {
	if compression {
		return []string{"zlib@openssh.com", "zlib", "none"}
	}
	return []string{"none", "zlib@openssh.com"}
}

// Negotiate predicts OpenSSH's choice for each slot (kex.c kex_choose_conf:
// the first of the client's algorithms the server also offers) and returns
// every slot without a match, in the order OpenSSH checks them: key
// exchange, host key, then server->client cipher, MAC, compression, then
// client->server. OpenSSH stops at the first; the others tell the user what
// else the same server would need. A MAC is needed only with a cipher that
// is not authenticated encryption.
func Negotiate(c Proposal, s *KexInit) (Choice, []Mismatch) {
	var ch Choice
	var out []Mismatch
	seen := map[Slot]bool{}
	miss := func(slot Slot, dir string, ours, theirs []string) {
		if seen[slot] {
			return
		}
		seen[slot] = true
		out = append(out, Mismatch{Slot: slot, Direction: dir, Ours: ours, Theirs: theirs})
	}
	kex := stripPseudo(c.Kex)
	if ch.Kex = firstCommon(kex, s.Kex); ch.Kex == "" {
		miss(SlotKex, "", kex, s.Kex)
	}
	if ch.HostKey = firstCommon(c.HostKey, s.HostKey); ch.HostKey == "" {
		miss(SlotHostKey, "", c.HostKey, s.HostKey)
	}
	for _, d := range []struct {
		dir               string
		ciphers, macs, cp []string
		cipher, mac, comp *string
	}{
		{ServerToClient, s.CiphersS2C, s.MACsS2C, s.CompS2C, &ch.CipherS2C, &ch.MACS2C, &ch.CompS2C},
		{ClientToServer, s.CiphersC2S, s.MACsC2S, s.CompC2S, &ch.CipherC2S, &ch.MACC2S, &ch.CompC2S},
	} {
		*d.cipher = firstCommon(c.Ciphers, d.ciphers)
		if *d.cipher == "" {
			miss(SlotCipher, d.dir, c.Ciphers, d.ciphers)
		} else if IsAEAD(*d.cipher) {
			*d.mac = ImplicitMAC
		} else if *d.mac = firstCommon(c.MACs, d.macs); *d.mac == "" {
			miss(SlotMAC, d.dir, c.MACs, d.macs)
		}
		comp := c.Compression
		if len(comp) == 0 {
			comp = CompressionList(false)
		}
		if *d.comp = firstCommon(comp, d.cp); *d.comp == "" {
			miss(SlotComp, d.dir, comp, d.cp)
		}
	}
	return ch, out
}

func firstCommon(ours, theirs []string) string {
	for _, a := range ours {
		for _, b := range theirs {
			if a == b {
				return a
			}
		}
	}
	return ""
}

func stripPseudo(l []string) []string {
	var out []string
	for _, a := range l {
		if !isPseudo(a) {
			out = append(out, a)
		}
	}
	return out
}

// IsAEAD reports a cipher with built-in authentication (no MAC negotiated).
func IsAEAD(cipher string) bool {
	switch cipher {
	case "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com":
		return true
	}
	return false
}

const certSuffix = "-cert-v01@openssh.com"

// IsCertAlg reports a certificate key type or algorithm.
func IsCertAlg(alg string) bool { return strings.HasSuffix(alg, certSuffix) }

// PlainKeyType maps a key type or signature algorithm to the type of key it
// uses, as OpenSSH compares them (sshkey_type_plain plus the ECDSA curve):
// rsa-sha2-512, ssh-rsa and their certificates are all "rsa".
func PlainKeyType(alg string) string {
	a := strings.TrimSuffix(alg, certSuffix)
	switch a {
	case "ssh-rsa", "rsa-sha2-256", "rsa-sha2-512":
		return "rsa"
	case "ssh-dss":
		return "dsa"
	case "ssh-ed25519":
		return "ed25519"
	case "sk-ssh-ed25519@openssh.com", "sk-ssh-ed25519":
		return "ed25519-sk"
	case "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ecdsa-sha2-nistp256":
		return "ecdsa-sk"
	}
	if strings.HasPrefix(a, "ecdsa-sha2-") {
		return a
	}
	return a
}

// KeyTypeLabel is the upper-case name OpenSSH prints for a key type
// ("ED25519", "RSA", "ECDSA", "ED25519-CERT").
func KeyTypeLabel(alg string) string {
	var l string
	switch t := PlainKeyType(alg); {
	case t == "rsa":
		l = "RSA"
	case t == "dsa":
		l = "DSA"
	case t == "ed25519":
		l = "ED25519"
	case t == "ed25519-sk":
		l = "ED25519-SK"
	case t == "ecdsa-sk":
		l = "ECDSA-SK"
	case strings.HasPrefix(t, "ecdsa-"):
		l = "ECDSA"
	default:
		l = strings.ToUpper(t)
	}
	if IsCertAlg(alg) {
		l += "-CERT"
	}
	return l
}

// HostKeyFileType names the type in sshd's host key file names
// (/etc/ssh/ssh_host_<type>_key).
func HostKeyFileType(alg string) string {
	switch t := PlainKeyType(alg); {
	case t == "rsa", t == "dsa", t == "ed25519":
		return t
	case strings.HasPrefix(t, "ecdsa-"):
		return "ecdsa"
	}
	return "ed25519"
}

// Weakness says why an algorithm is off by default in current OpenSSH, and
// so what re-enabling it costs.
type Weakness string

const (
	WeakNone     Weakness = ""         // a current algorithm
	WeakKexSHA1  Weakness = "kex_sha1" // SHA-1 exchange hash, 2048-bit or negotiated group
	WeakKexDH1   Weakness = "kex_dh1024"
	WeakSigSHA1  Weakness = "sig_sha1" // ssh-rsa: RSA signatures over SHA-1
	WeakDSA      Weakness = "dsa"
	WeakCBC      Weakness = "cbc"
	Weak3DES     Weakness = "3des"
	WeakMACSHA1  Weakness = "mac_sha1"
	WeakMACShort Weakness = "mac_truncated"
	WeakMACMD5   Weakness = "mac_md5"
	// WeakRemoved: gone from OpenSSH entirely (no option brings it back).
	WeakRemoved Weakness = "removed"
)

// Weak classifies an algorithm of a slot.
func Weak(slot Slot, alg string) Weakness {
	a := strings.TrimSuffix(alg, certSuffix)
	switch slot {
	case SlotKex:
		switch a {
		case "diffie-hellman-group1-sha1":
			return WeakKexDH1
		case "diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1":
			return WeakKexSHA1
		}
	case SlotHostKey:
		switch a {
		case "ssh-rsa":
			return WeakSigSHA1
		case "ssh-dss":
			return WeakDSA
		}
	case SlotCipher:
		switch {
		case a == "3des-cbc":
			return Weak3DES
		case strings.HasPrefix(a, "arcfour"), a == "blowfish-cbc", a == "cast128-cbc", a == "rijndael-cbc@lysator.liu.se":
			return WeakRemoved
		case strings.HasSuffix(a, "-cbc"):
			return WeakCBC
		}
	case SlotMAC:
		b := strings.TrimSuffix(strings.TrimSuffix(a, "-etm@openssh.com"), "@openssh.com")
		switch {
		case strings.HasPrefix(b, "hmac-ripemd160"):
			return WeakRemoved
		case b == "hmac-md5", b == "hmac-md5-96":
			return WeakMACMD5
		case b == "hmac-sha1-96":
			return WeakMACShort
		case b == "hmac-sha1":
			return WeakMACSHA1
		}
	}
	return WeakNone
}

// weakRank orders weaknesses from least to most costly, for choosing the
// override to suggest when a server offers several.
var weakRank = map[Weakness]int{
	WeakNone: 0, WeakMACSHA1: 1, WeakKexSHA1: 2, WeakSigSHA1: 2, WeakCBC: 3, WeakMACShort: 3,
	WeakMACMD5: 4, Weak3DES: 5, WeakKexDH1: 5, WeakDSA: 6, WeakRemoved: 9,
}

// BestOverride picks, among the server's algorithms for a slot that the
// local ssh supports (nil supported means "assume all but removed ones"),
// the one whose re-enabling costs least; ties keep the server's order.
// It returns "" when none can be enabled.
func BestOverride(slot Slot, theirs, supported []string) string {
	best, bestRank := "", 100
	for _, a := range theirs {
		w := Weak(slot, a)
		if w == WeakRemoved {
			continue
		}
		if supported != nil && !contains(supported, a) {
			continue
		}
		if r := weakRank[w]; r < bestRank {
			best, bestRank = a, r
		}
	}
	return best
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
