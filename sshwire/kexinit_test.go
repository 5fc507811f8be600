package sshwire

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

// kexinitPacket builds an unencrypted KEXINIT packet from name-lists.
func kexinitPacket(lists ...string) []byte {
	p := []byte{msgKexInit}
	p = append(p, make([]byte, 16)...)
	for i := 0; i < 10; i++ {
		s := ""
		if i < len(lists) {
			s = lists[i]
		}
		p = binary.BigEndian.AppendUint32(p, uint32(len(s)))
		p = append(p, s...)
	}
	p = append(p, 0, 0, 0, 0, 0)
	pad := 8 - (len(p)+5)%8
	if pad < 4 {
		pad += 8
	}
	pkt := binary.BigEndian.AppendUint32(nil, uint32(1+len(p)+pad))
	pkt = append(pkt, byte(pad))
	pkt = append(pkt, p...)
	return append(pkt, make([]byte, pad)...)
}

func TestKexInitFromRealServer(t *testing.T) {
	b, err := os.ReadFile("testdata/kexinit_openssh92.bin")
	if err != nil {
		t.Fatal(err)
	}
	k, err := KexInitFromStream(b)
	if err != nil || k == nil {
		t.Fatalf("parse: %v %v", k, err)
	}
	if k.Kex[0] != "sntrup761x25519-sha512" || strings.Contains(strings.Join(k.Kex, ","), "kex-strict") {
		t.Fatalf("kex %v", k.Kex)
	}
	if !k.Strict() || !strings.HasSuffix(k.RawKex, "kex-strict-s-v00@openssh.com") {
		t.Fatalf("strict %v raw %q", k.Pseudo, k.RawKex)
	}
	if strings.Join(k.HostKey, ",") != "rsa-sha2-512,rsa-sha2-256,ssh-ed25519" && strings.Join(k.HostKey, ",") != "ssh-ed25519" {
		t.Fatalf("host keys %v", k.HostKey)
	}
	if k.CiphersC2S[0] != "chacha20-poly1305@openssh.com" || k.CompS2C[0] != "none" {
		t.Fatalf("ciphers %v comp %v", k.CiphersC2S, k.CompS2C)
	}
	// A truncated stream is "need more", never an error or a panic.
	for i := 0; i < len(b); i += 7 {
		if k, err := KexInitFromStream(b[:i]); k != nil || err != nil {
			t.Fatalf("prefix %d: %v %v", i, k, err)
		}
	}
}

func TestKexInitLegacyServer(t *testing.T) {
	b, err := os.ReadFile("testdata/kexinit_openssh92_legacy.bin")
	if err != nil {
		t.Fatal(err)
	}
	k, err := KexInitFromStream(b)
	if err != nil {
		t.Fatal(err)
	}
	client := Proposal{
		Kex:     strings.Split("sntrup761x25519-sha512@openssh.com,curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256", ","),
		HostKey: strings.Split("ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256", ","),
		Ciphers: strings.Split("chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com", ","),
		MACs:    strings.Split("umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha1", ","),
	}
	_, miss := Negotiate(client, k)
	var slots []string
	for _, m := range miss {
		slots = append(slots, string(m.Slot))
	}
	// OpenSSH's order: kex, host key, then ciphers; no MAC slot is judged
	// where no cipher was chosen.
	if strings.Join(slots, ",") != "kex,hostkey,cipher" {
		t.Fatalf("mismatches %v", slots)
	}
	if miss[2].Direction != ServerToClient {
		t.Fatalf("first cipher direction %q", miss[2].Direction)
	}
}

func TestParseKexInitErrors(t *testing.T) {
	good := kexinitPacket("curve25519-sha256,ext-info-s", "ssh-ed25519", "aes128-ctr", "aes128-ctr", "hmac-sha2-256", "hmac-sha2-256", "none", "none")
	if k, err := KexInitFromStream(good); err != nil || k == nil || strings.Join(k.Kex, ",") != "curve25519-sha256" || k.Pseudo[0] != "ext-info-s" {
		t.Fatalf("good packet: %+v %v", k, err)
	}
	cases := map[string][]byte{
		"not kexinit":   append(binary.BigEndian.AppendUint32(nil, 12), append([]byte{4, 21}, make([]byte, 10)...)...),
		"huge length":   {0x7f, 0xff, 0xff, 0xff, 4},
		"bad padding":   {0, 0, 0, 8, 200, 20, 0, 0, 0, 0, 0, 0},
		"control bytes": kexinitPacket("curve25519\x01", "a", "a", "a", "a", "a", "a", "a"),
	}
	for name, b := range cases {
		if _, err := KexInitFromStream(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// IGNORE and DEBUG packets before the KEXINIT are skipped.
	ign := []byte{0, 0, 0, 12, 4, msgIgnore, 0, 0, 0, 2, 'a', 'b', 0, 0, 0, 0}
	if k, err := KexInitFromStream(append(ign, good...)); err != nil || k == nil {
		t.Fatalf("after IGNORE: %v %v", k, err)
	}
}

func TestNegotiate(t *testing.T) {
	server := &KexInit{
		Kex:        []string{"curve25519-sha256", "diffie-hellman-group14-sha1"},
		HostKey:    []string{"rsa-sha2-512", "ssh-ed25519"},
		CiphersC2S: []string{"aes128-ctr", "chacha20-poly1305@openssh.com"}, CiphersS2C: []string{"aes128-ctr", "chacha20-poly1305@openssh.com"},
		MACsC2S: []string{"hmac-sha1"}, MACsS2C: []string{"hmac-sha1"},
		CompC2S: []string{"none"}, CompS2C: []string{"none"},
	}
	// The client's order decides.
	ch, miss := Negotiate(Proposal{Kex: []string{"sntrup761x25519-sha512", "curve25519-sha256"},
		HostKey: []string{"ssh-ed25519", "rsa-sha2-512"}, Ciphers: []string{"chacha20-poly1305@openssh.com", "aes128-ctr"},
		MACs: []string{"hmac-sha2-256"}}, server)
	if len(miss) != 0 || ch.Kex != "curve25519-sha256" || ch.HostKey != "ssh-ed25519" ||
		ch.CipherC2S != "chacha20-poly1305@openssh.com" || ch.MACC2S != ImplicitMAC || ch.CompC2S != "none" {
		t.Fatalf("choice %+v miss %+v", ch, miss)
	}
	// A non-AEAD cipher needs a MAC in common.
	_, miss = Negotiate(Proposal{Kex: []string{"curve25519-sha256"}, HostKey: []string{"ssh-ed25519"},
		Ciphers: []string{"aes128-ctr"}, MACs: []string{"hmac-sha2-256"}}, server)
	if len(miss) != 1 || miss[0].Slot != SlotMAC || miss[0].Direction != ServerToClient {
		t.Fatalf("mac mismatch %+v", miss)
	}
	// Compression yes against a server without zlib still agrees on none.
	_, miss = Negotiate(Proposal{Kex: []string{"curve25519-sha256"}, HostKey: []string{"ssh-ed25519"},
		Ciphers: []string{"aes128-ctr"}, MACs: []string{"hmac-sha1"}, Compression: CompressionList(true)}, server)
	if len(miss) != 0 {
		t.Fatalf("compression: %+v", miss)
	}
}

func TestWeakAndOverride(t *testing.T) {
	cases := []struct {
		slot   Slot
		theirs string
		supp   string
		want   string
	}{
		{SlotKex, "diffie-hellman-group1-sha1,diffie-hellman-group14-sha1", "", "diffie-hellman-group14-sha1"},
		{SlotHostKey, "ssh-dss,ssh-rsa", "", "ssh-rsa"},
		{SlotHostKey, "ssh-dss", "ssh-ed25519,ssh-rsa", ""}, // OpenSSH 10: DSA gone
		{SlotCipher, "3des-cbc,aes256-cbc,aes128-cbc", "", "aes256-cbc"},
		{SlotCipher, "arcfour,blowfish-cbc", "", ""},
		{SlotMAC, "hmac-md5,hmac-sha1-96", "", "hmac-sha1-96"},
		{SlotMAC, "hmac-md5-96,hmac-sha1", "", "hmac-sha1"},
		{SlotCipher, "aes256-gcm@openssh.com", "", "aes256-gcm@openssh.com"},
	}
	for _, c := range cases {
		var supp []string
		if c.supp != "" {
			supp = strings.Split(c.supp, ",")
		}
		if got := BestOverride(c.slot, strings.Split(c.theirs, ","), supp); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.slot, c.theirs, got, c.want)
		}
	}
	if Weak(SlotMAC, "hmac-md5-etm@openssh.com") != WeakMACMD5 || Weak(SlotCipher, "aes128-ctr") != WeakNone {
		t.Fatal("Weak")
	}
	if PlainKeyType("rsa-sha2-512-cert-v01@openssh.com") != "rsa" || KeyTypeLabel("ssh-ed25519-cert-v01@openssh.com") != "ED25519-CERT" ||
		HostKeyFileType("ecdsa-sha2-nistp384") != "ecdsa" {
		t.Fatal("key type names")
	}
}

// FuzzKexInitFromStream: any bytes after an identification line parse or
// fail cleanly, and a parsed KEXINIT never holds pseudo-algorithms in its
// kex list.
func FuzzKexInitFromStream(f *testing.F) {
	for _, p := range []string{"testdata/kexinit_openssh92.bin", "testdata/kexinit_openssh92_legacy.bin"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add(kexinitPacket("a", "b", "c", "c", "d", "d", "none", "none"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := KexInitFromStream(b)
		if err != nil && k != nil {
			t.Fatal("both a result and an error")
		}
		if k != nil {
			for _, n := range k.Kex {
				if isPseudo(n) || n == "" {
					t.Fatalf("kex list holds %q", n)
				}
			}
			Negotiate(Proposal{Kex: k.Kex, HostKey: k.HostKey, Ciphers: k.CiphersC2S, MACs: k.MACsC2S}, k)
		}
	})
}

// FuzzParseKexInit exercises the payload parser directly.
func FuzzParseKexInit(f *testing.F) {
	b, _ := os.ReadFile("testdata/kexinit_openssh92.bin")
	pr := &packetReader{buf: b, max: MaxPacket}
	if p, err := pr.next(); err == nil && p != nil {
		f.Add(p)
	}
	f.Add([]byte{msgKexInit})
	f.Fuzz(func(t *testing.T, p []byte) {
		k, err := ParseKexInit(p)
		if err == nil && k == nil {
			t.Fatal("nil without error")
		}
	})
}
