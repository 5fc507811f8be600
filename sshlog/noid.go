package sshlog

import (
	"strconv"

	"github.com/sshdoctor/sshdoctor/diag"
)

// noIDFinding speaks of connections that ended before the client sent
// its SSH identification ("kex_exchange_identification: Connection closed
// by remote host", "Did not receive identification string"): something
// opened the port and closed it, or spoke another protocol. Alone in a
// log they are a monitor, a load balancer's health check or a scanner —
// not a failed login; beside a real failure they are not mentioned.
func noIDFinding(sum *Summary, loc locator) *diag.Finding {
	if sum.NoID == 0 || sum.NoIDFirst == nil || sum.Diagnosis != nil {
		return nil
	}
	f := diag.NewFinding("server.no_identification").Sev(diag.SevWarning).Arg("count", strconv.Itoa(sum.NoID))
	lineEv(f, loc, sum.NoIDFirst.Line, sum.NoIDFirst.Text)
	if sum.NoIDFirst.Source != "" {
		f.Ev("client", sum.NoIDFirst.Source)
	}
	f.Fix("fix.no_identification_sources", "")
	return f
}
