package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshlog"
)

// maxLogBytes caps how much log is read per run: the end of a file larger
// than this is read (that is where --since points anyway).
const maxLogBytes = 256 << 20

// startupWindow is how far back the reason sshd stopped is looked for:
// a daemon dead since yesterday is still dead today.
const startupWindow = 7 * 24 * time.Hour

// scanLogs reads the first log source with sshd lines: --log files when
// given, else journald, else the classic syslog files. notes say what
// could not be read.
func (r *run) scanLogs(ctx context.Context, so sshlog.ScanOptions) (*sshlog.Summary, string, []*diag.Finding) {
	var notes []*diag.Finding
	ctx, cancel := context.WithTimeout(ctx, logTimeout)
	defer cancel()
	if len(r.opts.Logs) > 0 {
		var readers []io.Reader
		var closers []io.Closer
		for _, name := range r.opts.Logs {
			f, err := openTail(name, maxLogBytes)
			if err != nil {
				notes = append(notes, diag.NewFinding("server.not_checked").Arg("item", name).Arg("reason", errText(err)))
				continue
			}
			readers = append(readers, f, strings.NewReader("\n"))
			closers = append(closers, f)
		}
		defer func() {
			for _, c := range closers {
				c.Close()
			}
		}()
		sum, _ := sshlog.ScanServerLog(ctxReader{ctx, io.MultiReader(readers...)}, so)
		return sum, strings.Join(r.opts.Logs, ", "), notes
	}
	if jc, err := r.sys.LookPath("journalctl"); err == nil && journalPresent() {
		args := []string{"-t", "sshd", "-t", "sshd-session", "-u", "ssh", "-u", "sshd", "--no-pager", "-q", "-o", "short-iso"}
		if !so.Since.IsZero() {
			args = append(args, "--since", so.Since.Local().Format("2006-01-02 15:04:05"))
		}
		out, wait, err := streamCommand(ctx, jc, args...)
		if err == nil {
			sum, _ := sshlog.ScanServerLog(ctxReader{ctx, io.LimitReader(out, maxLogBytes)}, so)
			out.Close()
			_ = wait()
			if sum != nil && sum.Lines > 0 {
				return sum, "journald", notes
			}
		}
	}
	for _, name := range []string{"/var/log/auth.log", "/var/log/secure"} {
		f, err := openTail(name, maxLogBytes)
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				notes = append(notes, diag.NewFinding("server.needs_root").Arg("item", name).
					Fix("fix.server_run_as_root", "sudo sshdoctor server"))
			}
			continue
		}
		sum, _ := sshlog.ScanServerLog(ctxReader{ctx, f}, so)
		f.Close()
		return sum, name, notes
	}
	return nil, "journald, /var/log/auth.log, /var/log/secure", notes
}

func journalPresent() bool {
	for _, d := range []string{"/run/log/journal", "/var/log/journal"} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return true
		}
	}
	return false
}

// openTail opens a file positioned so that at most max bytes remain.
func openTail(name string, max int64) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.Size() > max {
		if _, err := f.Seek(st.Size()-max, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

// ctxReader stops reading when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ---- server-service ----

func (r *run) checkService(ctx context.Context, p *diag.Pass) diag.Result {
	d := diag.ResultOf(p, r.sshd)
	e := diag.ResultOf(p, r.effective)
	if !isLinux {
		return diag.Inconclusive(diag.NewFinding("server.linux_only").Arg("item", "sshd service"))
	}
	if d.ProcsErr != nil {
		return diag.Inconclusive(diag.NewFinding("server.not_checked").Arg("item", "/proc").Arg("reason", d.ProcsErr.Error()))
	}
	if len(d.Matched) > 0 {
		var fs []*diag.Finding
		if f := r.configNotApplied(d, e); f != nil {
			fs = append(fs, f)
		}
		return diag.Conclude(d, fs...)
	}
	for _, u := range d.Units {
		if strings.HasSuffix(u.Name, ".socket") && u.Active == "active" {
			f := diag.NewFinding("server.socket_activated").Arg("unit", u.Name)
			if u.Listen != "" {
				f.Ev("listen", u.Listen)
			}
			return diag.Conclude(d, f)
		}
	}
	// Not running. Who holds the port, and why did sshd stop?
	var findings []*diag.Finding
	if ls, err := listListeners(); err == nil {
		for _, port := range e.Ports {
			for _, l := range ls {
				if l.Port == port && l.Comm != "" && l.Comm != "sshd" && l.PID != 1 {
					f := diag.NewFinding("server.port_in_use").Arg("port", strconv.Itoa(port)).
						Arg("process", l.Comm).Arg("pid", strconv.Itoa(l.PID))
					f.Ev("socket", l.String())
					if l.Cmd != "" {
						f.Ev("command", diag.Quote([]byte(l.Cmd), 200))
					}
					f.Fix("fix.server_free_port", fmt.Sprintf("sudo kill %d && %s", l.PID, d.startCommand()))
					findings = append(findings, f)
					break
				}
			}
			if len(findings) > 0 {
				break
			}
		}
	}
	f := diag.NewFinding("server.sshd_not_running")
	f.Ev("config", d.Config)
	for _, u := range d.Units {
		f.Ev("systemd", fmt.Sprintf("%s: %s (%s)", u.Name, u.Active, u.Sub))
	}
	for _, pr := range d.Procs {
		if pr.Listener {
			cfg := pr.Config
			if cfg == "" {
				cfg = defaultConfig
			}
			ns := ""
			if pr.SameNetNS == no {
				ns = ", in another network namespace"
			}
			f.Ev("other_sshd", fmt.Sprintf("pid %d with %s%s", pr.PID, cfg, ns))
		}
	}
	since := r.sys.Now().Add(-max(r.opts.Since, startupWindow))
	sum, src, _ := r.scanLogs(ctx, sshlog.ScanOptions{Since: since, Now: r.sys.Now()})
	if sum != nil {
		for _, sf := range sum.Server {
			if sf.Cause.Kind != sshlog.KindStartup {
				continue
			}
			f.Ev("last_log", diag.Quote([]byte(sf.Cause.Text), 300))
			for _, c := range sf.Context {
				f.Ev("last_log", diag.Quote([]byte(c.Text), 300))
			}
		}
		f.Ev("log_source", src)
	}
	f.AddFixes(catalog.Params{"start_command": d.startCommand(), "unit": d.Unit})
	findings = append(findings, f)
	return diag.Conclude(d, findings...)
}

// configNotApplied warns when a configuration file changed after the
// running daemon started.
func (r *run) configNotApplied(d *discovery, e *effective) *diag.Finding {
	files := []string{d.Config}
	if e.File != nil {
		files = e.File.Files
	}
	pr := d.Matched[0]
	if pr.Started.IsZero() {
		return nil
	}
	for _, name := range files {
		st, err := os.Stat(name)
		// One second of slack: start times come in clock ticks.
		if err == nil && st.ModTime().After(pr.Started.Add(time.Second)) {
			f := diag.NewFinding("server.config_not_applied").Arg("file", name)
			f.Ev("file_changed", st.ModTime().Format(time.RFC3339))
			f.Ev("sshd_started", fmt.Sprintf("%s (pid %d)", pr.Started.Format(time.RFC3339), pr.PID))
			f.Fix("fix.server_reload_sshd", d.testCommand()+" && "+d.reloadCommand())
			return f
		}
	}
	return nil
}

// ---- server-listeners ----

func isLoopback(l Listener) bool { return l.Addr.IsLoopback() }

func (r *run) checkListeners(ctx context.Context, p *diag.Pass) diag.Result {
	d := diag.ResultOf(p, r.sshd)
	e := diag.ResultOf(p, r.effective)
	if !isLinux {
		return diag.Inconclusive(diag.NewFinding("server.linux_only").Arg("item", "listening sockets"))
	}
	ls, err := listListeners()
	if err != nil {
		return diag.Inconclusive(diag.NewFinding("server.not_checked").Arg("item", "/proc/net/tcp").Arg("reason", errText(err)))
	}
	sshdPID := map[int]bool{1: true} // systemd holds socket-activated ports
	for _, pr := range d.Matched {
		sshdPID[pr.PID] = true
	}
	var findings []*diag.Finding
	var all, hidden []string
	for _, port := range e.Ports {
		var mine, others, unknown []Listener
		for _, l := range ls {
			if l.Port != port {
				continue
			}
			switch {
			case sshdPID[l.PID]:
				mine = append(mine, l)
			case l.PID == 0:
				unknown = append(unknown, l)
			default:
				others = append(others, l)
			}
		}
		ownerHidden := false
		if len(mine) == 0 && len(others) == 0 && len(unknown) > 0 && !r.sys.Root {
			// Without root the owner of root's sockets is not visible; a
			// running sshd with this config is the likely owner.
			mine, ownerHidden = unknown, true
		}
		switch {
		case len(mine) == 0 && len(others) > 0:
			o := others[0]
			f := diag.NewFinding("server.port_in_use").Arg("port", strconv.Itoa(port)).Arg("process", o.Comm).Arg("pid", strconv.Itoa(o.PID))
			f.Ev("socket", o.String())
			f.Fix("fix.server_free_port", fmt.Sprintf("sudo kill %d && %s", o.PID, d.startCommand()))
			findings = append(findings, f)
		case len(mine) == 0:
			f := diag.NewFinding("server.not_listening").Arg("port", strconv.Itoa(port))
			var elsewhere []string
			for _, l := range ls {
				if sshdPID[l.PID] && l.PID != 1 {
					elsewhere = append(elsewhere, l.String())
				}
			}
			if len(elsewhere) > 0 {
				f.Ev("sshd_listens_on", strings.Join(elsewhere, ", "))
			}
			f.Fix("fix.server_show_listeners", "sudo ss -ltnp")
			findings = append(findings, f)
		default:
			var addrs []string
			loop := true
			for _, l := range mine {
				addrs = append(addrs, l.String())
				if !isLoopback(l) {
					loop = false
				}
			}
			sort.Strings(addrs)
			all = append(all, addrs...)
			if ownerHidden {
				hidden = append(hidden, addrs...)
			}
			if loop {
				f := diag.NewFinding("server.listen_loopback_only").Arg("addrs", strings.Join(addrs, ", "))
				cmd := ""
				if o, ok := e.origin("listenaddress"); ok {
					f.Ev("set_in", o.String())
					cmd = fmt.Sprintf("sudo sed -i '%ds/^/#/' %s && %s && %s", o.Line, shq(o.File), d.testCommand(), d.reloadCommand())
				}
				f.Fix("fix.server_listen_all", cmd)
				findings = append(findings, f)
			}
		}
	}
	// Every specific ListenAddress needs its socket: one that could not be
	// bound (address not on any interface, taken) leaves clients of that
	// address refused while the others work.
	have := map[string]bool{}
	for _, a := range all {
		have[a] = true
	}
	if len(all) > 0 {
		for _, la := range e.S["listenaddress"] {
			host, port := splitHostPortLoose(la)
			a, err := netip.ParseAddr(host)
			pn, perr := strconv.Atoi(port)
			if err != nil || perr != nil || a.IsUnspecified() {
				continue
			}
			want := netip.AddrPortFrom(a.Unmap(), uint16(pn)).String()
			if have[want] {
				continue
			}
			f := diag.NewFinding("server.bind_failed").Sev(diag.SevWarning).Arg("port", port)
			f.Ev("ListenAddress", la)
			f.Ev("sshd_listens_on", strings.Join(all, ", "))
			f.AddFixes(catalog.Params{"port": port})
			findings = append(findings, f)
		}
	}
	if len(all) > 0 {
		f := diag.NewFinding("server.listening").Arg("addrs", strings.Join(all, ", "))
		for _, pr := range d.Matched {
			f.Ev("process", fmt.Sprintf("pid %d: %s", pr.PID, capText(strings.Join(pr.Args, " "), 200)))
		}
		if len(hidden) > 0 {
			f.Ev("owner_not_visible", strings.Join(hidden, ", ")+": the owning process is visible only to root")
		}
		findings = append([]*diag.Finding{f}, findings...)
	}
	return diag.Conclude(nil, findings...)
}
