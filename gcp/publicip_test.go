package gcp

import (
	"context"
	"encoding/binary"
	"net"
	"strings"
	"testing"
)

// dnsTXTServer answers every query on a loopback UDP port with one TXT
// record holding txt, as ns1.google.com answers o-o.myaddr.l.google.com.
func dnsTXTServer(t *testing.T, txt string) (string, chan string) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	asked := make(chan string, 16)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := buf[:n]
			if len(q) < 12 {
				continue
			}
			// the question: labels, then type and class
			i := 12
			var labels []string
			for i < len(q) && q[i] != 0 {
				l := int(q[i])
				labels = append(labels, string(q[i+1:i+1+l]))
				i += 1 + l
			}
			qend := i + 5
			qtype := binary.BigEndian.Uint16(q[i+1:])
			select {
			case asked <- strings.Join(labels, "."):
			default:
			}
			resp := make([]byte, 0, 512)
			resp = append(resp, q[0], q[1], 0x84, 0x00) // id; QR, AA; no error
			resp = binary.BigEndian.AppendUint16(resp, 1)
			an := uint16(0)
			if qtype == 16 {
				an = 1
			}
			resp = binary.BigEndian.AppendUint16(resp, an)
			resp = append(resp, 0, 0, 0, 0)
			resp = append(resp, q[12:qend]...)
			if an == 1 {
				resp = append(resp, 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60)
				resp = binary.BigEndian.AppendUint16(resp, uint16(len(txt)+1))
				resp = append(resp, byte(len(txt)))
				resp = append(resp, txt...)
			}
			pc.WriteTo(resp, addr)
		}
	}()
	return pc.LocalAddr().String(), asked
}

func TestLookupPublicIPAt(t *testing.T) {
	addr, asked := dnsTXTServer(t, "203.0.113.7")
	ip, err := lookupPublicIPAt(context.Background(), addr)
	if err != nil || ip.String() != "203.0.113.7" {
		t.Fatalf("%v %v", ip, err)
	}
	if q := <-asked; q != myAddrName {
		t.Fatalf("asked %q", q)
	}
	addr, _ = dnsTXTServer(t, "edns0-client-subnet 198.51.100.0/24")
	if _, err := lookupPublicIPAt(context.Background(), addr); err == nil {
		t.Fatal("an answer without an address was taken")
	}
}
