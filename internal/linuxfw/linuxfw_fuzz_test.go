package linuxfw

import (
	"fmt"
	"strings"
	"testing"
)

// ufw and firewalld text from a user's system: never a panic, and a
// decision that blocks always names what blocked.
func FuzzLinuxTools(f *testing.F) {
	for _, n := range []string{"ufw_status_verbose_rules.txt", "firewalld_list_all_fedora.txt", "firewalld_list_all_zones_home.txt"} {
		f.Add(capture(f, n))
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, in := range []Input{{UFWStatus: s}, {Firewalld: s}, {IptablesSave: []byte(s)}, {NftJSON: []byte(s)}} {
			d, ok := Decide(in, 2222)
			if ok && d.Blocked && d.Rule == "" {
				t.Fatalf("blocked by nothing: %+v", d)
			}
			if ok {
				_ = FixCommand(d, 2222)
			}
		}
	})
}

// BenchmarkDecideUFW: a ufw table of 2,000 rules (a long blocklist).
func BenchmarkDecideUFW(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Status: active\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n\nTo                         Action      From\n--                         ------      ----\n")
	for i := range 2000 {
		fmt.Fprintf(&sb, "Anywhere                   DENY IN     203.0.%d.%d\n", i/250, i%250)
	}
	text := sb.String()
	b.ReportAllocs()
	for b.Loop() {
		u, _ := ParseUFWStatus(text)
		_ = DecideUFW(u, 2222)
	}
}
