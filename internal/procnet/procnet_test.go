package procnet

import (
	"strings"
	"testing"
)

// Lines as the kernel writes them.
const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
   1: 0212A8C6:0016 0112A8C6:D2F0 01 00000000:00000000 02:0009A1D5 00000000     0        0 23456 4 0000000000000000 20 4 30 10 -1
   2: 00000000:08AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 34567 1 0000000000000000 100 0 0 10 0
`
const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 45678 1 0000000000000000 100 0 0 10 0
`

func TestListening(t *testing.T) {
	got := Listening(strings.NewReader(tcp))
	if len(got) != 2 || got[0].Addr.String() != "127.0.0.1" || got[0].Port != 22 || got[0].Inode != 12345 ||
		got[1].Addr.String() != "0.0.0.0" || got[1].Port != 2222 {
		t.Fatalf("%+v", got)
	}
	got = Listening(strings.NewReader(tcp6))
	if len(got) != 1 || got[0].Addr.String() != "::1" || got[0].Port != 22 {
		t.Fatalf("%+v", got)
	}
}

func FuzzListening(f *testing.F) {
	f.Add(tcp)
	f.Add(tcp6)
	f.Fuzz(func(t *testing.T, s string) { _ = Listening(strings.NewReader(s)) })
}
