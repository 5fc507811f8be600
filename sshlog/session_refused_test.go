package sshlog

import (
	"strings"
	"testing"
)

// "channel 0: open failed: connect failed: open failed" is what OpenSSH's
// ssh prints both when a jump host cannot reach the target and when sshd
// refuses the session itself (MaxSessions 0; the text below is real ssh
// 9.2 against such a server in the lab). Alone, both stay possible; with
// "stdio forwarding failed" after it, it is the forward.
func TestSessionRefusedStaysPossible(t *testing.T) {
	alone := explainText(t, "channel 0: open failed: connect failed: open failed\r\n")
	f := alone.Findings[0]
	if f.Code != "fwd.connect_failed" || f.EvidenceValue("also_possible") == "" {
		t.Fatalf("alone: %s %q", f.Code, f.EvidenceValue("also_possible"))
	}
	var maxSessions bool
	for _, x := range f.Fixes {
		maxSessions = maxSessions || strings.Contains(x.Command, "maxsessions")
	}
	if !maxSessions {
		t.Fatalf("alone: no MaxSessions fix in %+v", f.Fixes)
	}
	jump := explainText(t, "channel 0: open failed: connect failed: open failed\r\nstdio forwarding failed\r\n")
	if g := jump.Findings[0]; g.Code != "fwd.connect_failed" || g.EvidenceValue("also_possible") != "" {
		t.Fatalf("through a jump host: %s %q", g.Code, g.EvidenceValue("also_possible"))
	}
	refused := explainText(t, "channel 0: open failed: connect failed: Connection refused\r\n")
	if g := refused.Findings[0]; g.EvidenceValue("also_possible") != "" {
		t.Fatalf("a reason from connect(2) is a forward: %q", g.EvidenceValue("also_possible"))
	}
}
