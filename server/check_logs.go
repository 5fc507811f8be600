package server

import (
	"context"
	"fmt"
	"strconv"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshlog"
)

// serverWide are the codes that affect every client: they keep a warning
// even when no --user or --from narrows the logs.
var serverWide = map[string]bool{
	"server.maxstartups": true, "server.penalty": true, "server.bind_failed": true,
	"server.config_error": true, "server.hostkey_load": true, "server.privsep_dir": true,
	"server.tcp_wrappers": true, "server.refuse_connection": true,
}

func (r *run) checkLogs(ctx context.Context, p *diag.Pass) diag.Result {
	now := r.sys.Now()
	so := sshlog.ScanOptions{User: r.opts.User, Since: now.Add(-r.opts.Since), Now: now}
	if r.opts.From.IsValid() {
		so.Source = r.opts.From.String()
	}
	sum, src, notes := r.scanLogs(ctx, so)
	if sum == nil || sum.SSHDLines == 0 {
		if len(notes) > 0 {
			return diag.Inconclusive(notes...)
		}
		f := diag.NewFinding("server.no_logs").Arg("source", src)
		f.Fix("fix.server_name_log", "sudo sshdoctor server --log /var/log/auth.log")
		return diag.Skip(f)
	}
	var findings []*diag.Finding
	summary := diag.NewFinding("server.log_summary").Arg("accepted", strconv.Itoa(sum.Accepted)).
		Arg("failed", strconv.Itoa(sum.Failed)).Arg("source", src)
	summary.Ev("window", fmt.Sprintf("since %s", so.Since.Format("2006-01-02 15:04:05 -0700")))
	summary.EvInt("sshd_lines", sum.SSHDLines)
	if so.User != "" {
		summary.Ev("user", so.User)
	}
	if so.Source != "" {
		summary.Ev("client", so.Source)
	}
	if sum.LongLines > 0 {
		summary.EvInt("long_lines_cut", sum.LongLines)
	}
	for i, k := range sum.Keys {
		if i >= 5 {
			break
		}
		line := fmt.Sprintf("user %s from %s: %d accepted, %d failed", orDash(k.User), orDash(k.Source), k.Accepted, k.Failed)
		if k.LastFailure != nil {
			line += "; last failure: " + k.LastFailure.Cause.Code
		}
		summary.Ev("logins", line)
	}
	findings = append(findings, summary)

	narrowed := so.User != "" || so.Source != ""
	if d := sum.Diagnosis; d != nil {
		if f := d.Finding(nil); f != nil {
			switch {
			case d.Cause.Kind == sshlog.KindStartup:
				// Start-up failures are the service check's business; here they
				// are history.
				f.Sev(diag.SevWarning)
			case !narrowed && !serverWide[f.Code]:
				// Some client's failure, most often a scanner's: context only.
				f.Sev(diag.SevInfo)
			}
			f.Ev("from_log", src)
			findings = append(findings, f)
		}
	}
	for _, sf := range sum.Server {
		if sum.Diagnosis == sf || sf.Cause.Kind == sshlog.KindStartup {
			continue
		}
		if f := sf.Finding(nil); f != nil {
			if f.Severity == diag.SevError {
				f.Sev(diag.SevWarning)
			}
			f.Ev("from_log", src)
			findings = append(findings, f)
		}
	}
	return diag.Conclude(nil, append(findings, notes...)...)
}
