package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
)

// BenchmarkServerRun is one full `sshdoctor server --user root` on this
// machine, every check included (commands, /proc scans, log reading).
func BenchmarkServerRun(b *testing.B) {
	opts := Options{User: "root", Since: time.Hour}
	for b.Loop() {
		out, err := diag.Execute(context.Background(), Checks(opts))
		if err != nil || len(out.Runs) != 14 {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAuthorizedKeys(b *testing.B) {
	ed := readKeyFixture(b, "id_ed25519.pub")
	rsa := readKeyFixture(b, "id_rsa.pub")
	var sb strings.Builder
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&sb, "%s\nfrom=\"10.0.0.0/8\",restrict %s\n", ed, rsa)
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		lines, _, err := ParseAuthorizedKeys(strings.NewReader(text), "ak", time.UTC)
		if err != nil || len(lines) != 1000 {
			b.Fatal(err, len(lines))
		}
	}
}

// A fail2ban-sized table: 20,000 banned addresses in a chain on port 22.
func BenchmarkEvalIptablesLarge(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("*filter\n:INPUT ACCEPT [0:0]\n:f2b-sshd - [0:0]\n-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&sb, "-A f2b-sshd -s 10.%d.%d.%d/32 -j REJECT --reject-with icmp-port-unreachable\n", i>>16&255, i>>8&255, i&255)
	}
	sb.WriteString("-A f2b-sshd -j RETURN\nCOMMIT\n")
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		tables, err := ParseIptablesSave(strings.NewReader(text))
		if err != nil {
			b.Fatal(err)
		}
		if v := EvalIptables(tables, pkt("192.0.2.1", 22)); v.Blocked {
			b.Fatal("blocked")
		}
	}
}
