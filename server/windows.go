package server

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/inputfile"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"github.com/sshdoctor/sshdoctor/internal/winacl"
	"github.com/sshdoctor/sshdoctor/internal/winsshd"
	"github.com/sshdoctor/sshdoctor/sshlog"
)

// The OpenSSH Server of Windows: the service (sc query / sc qc), its
// sshd_config with the "Match Group administrators" block, the access
// list of administrators_authorized_keys (judged by internal/winacl as
// OpenSSH for Windows judges it), the DefaultShell registry value and the
// OpenSSH/Operational event log. Plain Go over the commands' text, read
// through winSource: live on Windows (windows_live_windows.go), or from a
// directory of saved outputs (--captured) anywhere.

// Keys of the outputs read, and the file names in a --captured directory
// (key + ".txt").
const (
	winSCQuery     = "sc-query-sshd"  // sc.exe query sshd
	winSCQC        = "sc-qc-sshd"     // sc.exe qc sshd
	winSSHDConfig  = "sshd_config"    // %ProgramData%\ssh\sshd_config
	winAdminKeys   = "admin-keys"     // %ProgramData%\ssh\administrators_authorized_keys
	winAdminSDDL   = "admin-keys-acl" // its security descriptor, SDDL
	winAdmins      = "administrators" // net localgroup Administrators
	winDefaultShel = "defaultshell"   // reg query HKLM\SOFTWARE\OpenSSH /v DefaultShell
	winEvents      = "openssh-events" // Get-WinEvent -LogName OpenSSH/Operational (Message lines)
)

// winToolTimeout bounds one command (sc, reg, net, PowerShell's start).
const winToolTimeout = 10 * time.Second

// maxWinOutput caps one output.
const maxWinOutput = 4 << 20

var errNoWinSource = errors.New("not available")

type winSource interface {
	Output(ctx context.Context, key string) ([]byte, error)
	// ShellExists says whether a program path exists; Unknown when this
	// source cannot tell (captured outputs).
	ShellExists(path string) (exists, known bool)
}

type capturedWin string

func (d capturedWin) Output(_ context.Context, key string) ([]byte, error) {
	b, _, err := inputfile.ReadFile(filepath.Join(string(d), key+".txt"), maxWinOutput)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoWinSource
	}
	return b, err
}

func (capturedWin) ShellExists(string) (bool, bool) { return false, false }

// liveWinServer is set on Windows.
var liveWinServer func() winSource

// windowsServer says whether `server` judges a Windows OpenSSH Server.
func windowsServer(opts Options) bool {
	return opts.Captured != "" || (runtime.GOOS == "windows" && liveWinServer != nil)
}

type winRun struct {
	opts Options
	src  winSource
}

// windowsChecks are the checks of `server` for Windows' OpenSSH Server.
func windowsChecks(opts Options) []*diag.Check {
	w := &winRun{opts: opts}
	if opts.Captured != "" {
		w.src = capturedWin(opts.Captured)
	} else {
		w.src = liveWinServer()
	}
	return diag.Untyped(
		&diag.Def[struct{}]{Name: "server-windows-service", Doc: "reads the sshd service: installed, start type, state and exit code",
			Timeout: 2*winToolTimeout + time.Second, Run: diag.FindingsOnly(w.checkService)},
		&diag.Def[struct{}]{Name: "server-windows-keys", Doc: "finds the authorized_keys file that applies (administrators_authorized_keys for admins) and judges its access list",
			Timeout: 3*winToolTimeout + time.Second, Run: diag.FindingsOnly(w.checkKeys)},
		&diag.Def[struct{}]{Name: "server-windows-shell", Doc: "reads the DefaultShell registry value and whether its program exists",
			Timeout: winToolTimeout + time.Second, Run: diag.FindingsOnly(w.checkShell)},
		&diag.Def[struct{}]{Name: "server-windows-logs", Doc: "classifies the OpenSSH/Operational events and sshd.log lines",
			Timeout: 3 * winToolTimeout, Run: diag.FindingsOnly(w.checkEvents)},
	)
}

// SCService is what sc.exe says of a service.
type SCService struct {
	Missing   bool   // error 1060: no such service
	State     string // RUNNING, STOPPED, START_PENDING…
	ExitCode  string // WIN32_EXIT_CODE, e.g. "1067 (0x42b)"
	StartType string // AUTO_START, DEMAND_START, DISABLED…
	Binary    string
}

var (
	scFieldRE   = lazyre.New(`^\s*([A-Z_0-9]+)\s*:\s*(.*?)\s*$`)
	scMissingRE = lazyre.New(`\b1060\b`)
)

// ParseSC reads `sc query NAME` and `sc qc NAME` (either or both): the
// field names are not translated, the words after the numbers are
// constants too.
func ParseSC(query, qc []byte) SCService {
	var s SCService
	for _, b := range [][]byte{query, qc} {
		text := string(inputfile.DecodeBytes(b))
		if scMissingRE.MatchString(text) && strings.Contains(strings.ToUpper(text), "FAILED") {
			s.Missing = true
		}
		for _, l := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
			m := scFieldRE.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			f := strings.Fields(m[2])
			switch m[1] {
			case "STATE":
				if len(f) >= 2 {
					s.State = f[1]
				}
			case "WIN32_EXIT_CODE":
				s.ExitCode = m[2]
			case "START_TYPE":
				if len(f) >= 2 {
					s.StartType = f[1]
				}
			case "BINARY_PATH_NAME":
				s.Binary = strings.ReplaceAll(m[2], `\\`, `\`)
			}
		}
	}
	return s
}

func (w *winRun) checkService(ctx context.Context, _ *diag.Pass) diag.Result {
	q, qerr := w.src.Output(ctx, winSCQuery)
	c, cerr := w.src.Output(ctx, winSCQC)
	if qerr != nil && cerr != nil {
		return diag.Skip()
	}
	s := ParseSC(q, c)
	start := "Start-Service sshd\nSet-Service -Name sshd -StartupType Automatic\nGet-Service sshd"
	switch {
	case s.Missing:
		return diag.Conclude(nil, diag.NewFinding("server.windows_sshd_missing").Ev("command", "sc.exe query sshd").
			Fix("fix.windows_install_sshd", "Add-WindowsCapability -Online -Name OpenSSH.Server~~~~0.0.1.0\n"+start))
	case s.StartType == "DISABLED":
		f := diag.NewFinding("server.windows_sshd_disabled").Ev("start_type", s.StartType)
		if s.State != "" {
			f.Ev("state", s.State)
		}
		return diag.Conclude(nil, f.Fix("fix.windows_start_sshd", start))
	case s.State != "" && s.State != "RUNNING" && s.State != "START_PENDING":
		f := diag.NewFinding("server.windows_sshd_stopped").Arg("state", s.State).Ev("state", s.State)
		if s.StartType != "" {
			f.Ev("start_type", s.StartType)
		}
		if s.ExitCode != "" && !strings.HasPrefix(s.ExitCode, "0 ") && s.ExitCode != "0" {
			f.Ev("exit_code", s.ExitCode)
		}
		f.Fix("fix.windows_start_sshd", start)
		bin := s.Binary
		if bin == "" {
			bin = `C:\Windows\System32\OpenSSH\sshd.exe`
		}
		f.Fix("fix.windows_sshd_debug", "& "+winacl.PSQuote(strings.Trim(bin, `"`))+" -d")
		return diag.Conclude(nil, f)
	}
	f := diag.NewFinding("server.windows_sshd_running").Sev(diag.SevInfo)
	if s.State != "" {
		f.Ev("state", s.State)
	}
	if s.StartType != "" {
		f.Ev("start_type", s.StartType)
	}
	if s.Binary != "" {
		f.Ev("binary", s.Binary)
	}
	fs := []*diag.Finding{f}
	if s.State == "RUNNING" && s.StartType == "DEMAND_START" {
		fs = append(fs, diag.NewFinding("server.windows_sshd_manual").Sev(diag.SevWarning).Ev("start_type", s.StartType).
			Fix("fix.windows_start_sshd", "Set-Service -Name sshd -StartupType Automatic"))
	}
	return diag.Conclude(nil, fs...)
}

// ParseLocalGroup reads `net localgroup Administrators`: the members are
// the lines between the dashes and the closing sentence (both
// translated); a member line has no spaces in a name… except that a
// domain name may hold none either, so any single-token line counts.
func ParseLocalGroup(b []byte) []string {
	var out []string
	in := false
	for _, l := range strings.Split(strings.ReplaceAll(string(inputfile.DecodeBytes(b)), "\r", ""), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "---") {
			in = true
			continue
		}
		if !in || t == "" {
			continue
		}
		if strings.Contains(t, " ") && !strings.Contains(t, `\`) {
			break // "The command completed successfully." in any language
		}
		out = append(out, t)
	}
	return out
}

func memberIs(members []string, user string) bool {
	u := strings.ToLower(user)
	for _, m := range members {
		m = strings.ToLower(m)
		if m == u || strings.HasSuffix(m, `\`+u) {
			return true
		}
	}
	return false
}

func (w *winRun) checkKeys(ctx context.Context, _ *diag.Pass) diag.Result {
	var fs []*diag.Finding
	cfg, cerr := w.src.Output(ctx, winSSHDConfig)
	if w.opts.SSHDConfig != "" {
		cfg, _, cerr = inputfile.ReadFile(w.opts.SSHDConfig, maxWinOutput)
	}
	matchOn := cerr == nil && winsshd.AdminMatchActive(string(cfg))
	admin := false
	if w.opts.User != "" {
		if b, err := w.src.Output(ctx, winAdmins); err == nil {
			admin = memberIs(ParseLocalGroup(b), w.opts.User)
		}
	}
	keys, kerr := w.src.Output(ctx, winAdminKeys)
	if matchOn && admin {
		f := diag.NewFinding("server.windows_admin_keys").Arg("file", winsshd.AdminKeys).
			Ev("sshd_config", "Match Group administrators / AuthorizedKeysFile __PROGRAMDATA__/ssh/administrators_authorized_keys").
			Ev("user", w.opts.User+" is a member of Administrators")
		switch {
		case errors.Is(kerr, errNoWinSource) || (kerr == nil && len(strings.TrimSpace(string(keys))) == 0):
			f.Ev("file", winsshd.AdminKeys+": missing or empty")
		case kerr == nil:
			f.Sev(diag.SevInfo).Ev("file", winsshd.AdminKeys+": present")
		default:
			f.Sev(diag.SevWarning)
		}
		if f.Severity != diag.SevInfo {
			cmds := append([]string{`Get-Content "$HOME\.ssh\authorized_keys" | Add-Content "` + winsshd.AdminKeys + `"`}, winacl.AdminKeysFix(winsshd.AdminKeys)...)
			f.Fix("fix.windows_admin_keys", strings.Join(cmds, "\n"))
			f.Fix("fix.windows_admin_keys_match", `Select-String -Path "`+winsshd.SSHDConfig+`" -Pattern 'Match Group administrators' -Context 0,1`)
		}
		fs = append(fs, f)
	}
	if b, err := w.src.Output(ctx, winAdminSDDL); err == nil {
		d, perr := winacl.ParseSDDL(strings.TrimSpace(string(b)))
		if perr != nil {
			fs = append(fs, diag.NewFinding("server.windows_acl_unread").Sev(diag.SevWarning).Arg("file", winsshd.AdminKeys).Ev("error", perr.Error()))
		} else if f := winacl.Finding(winsshd.AdminKeys, d, winacl.User{}, winacl.ReadableByOthers); f != nil {
			fs = append(fs, f)
		} else {
			fs = append(fs, diag.NewFinding("perm.acl_ok").Arg("path", winsshd.AdminKeys).AddFixes(nil))
		}
	}
	if len(fs) == 0 {
		return diag.Skip()
	}
	return diag.Conclude(nil, fs...)
}

var regSZRE = lazyre.New(`(?i)^\s*DefaultShell\s+REG_(?:EXPAND_)?SZ\s+(.+?)\s*$`)

// ParseDefaultShell reads `reg query HKLM\SOFTWARE\OpenSSH /v DefaultShell`.
func ParseDefaultShell(b []byte) string {
	for _, l := range strings.Split(strings.ReplaceAll(string(inputfile.DecodeBytes(b)), "\r", ""), "\n") {
		if m := regSZRE.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	return ""
}

func (w *winRun) checkShell(ctx context.Context, _ *diag.Pass) diag.Result {
	b, err := w.src.Output(ctx, winDefaultShel)
	if err != nil {
		return diag.Skip()
	}
	shell := ParseDefaultShell(b)
	if shell == "" {
		return diag.Conclude(nil, diag.NewFinding("server.windows_default_shell").Arg("shell", `C:\Windows\System32\cmd.exe`).
			Ev("registry", `HKLM\SOFTWARE\OpenSSH DefaultShell: not set (cmd.exe)`))
	}
	f := diag.NewFinding("server.windows_default_shell").Arg("shell", shell).Ev("registry", `HKLM\SOFTWARE\OpenSSH DefaultShell = `+shell)
	fs := []*diag.Finding{f}
	if exists, known := w.src.ShellExists(shell); known && !exists {
		fs = append(fs, diag.NewFinding("server.windows_default_shell_missing").Arg("shell", shell).Ev("registry", `HKLM\SOFTWARE\OpenSSH DefaultShell = `+shell).
			Fix("fix.windows_default_shell", `New-ItemProperty -Path "HKLM:\SOFTWARE\OpenSSH" -Name DefaultShell -Value "C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -PropertyType String -Force`))
	}
	if l := strings.ToLower(filepath.Base(strings.ReplaceAll(shell, `\`, "/"))); l == "bash.exe" || l == "wsl.exe" {
		fs = append(fs, diag.NewFinding("server.windows_default_shell_wsl").Sev(diag.SevWarning).Arg("shell", shell).
			Fix("fix.windows_default_shell", `New-ItemProperty -Path "HKLM:\SOFTWARE\OpenSSH" -Name DefaultShell -Value "C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -PropertyType String -Force`))
	}
	return diag.Conclude(nil, fs...)
}

// eventMessages keeps the sshd message of each event line: Get-WinEvent's
// table or list output carries it after "sshd: ".
func eventMessages(b []byte) string {
	var sb strings.Builder
	for _, l := range strings.Split(strings.ReplaceAll(string(inputfile.DecodeBytes(b)), "\r", ""), "\n") {
		i := strings.Index(l, "sshd: ")
		if i < 0 {
			continue
		}
		sb.WriteString(strings.TrimSpace(l[i+len("sshd: "):]))
		sb.WriteByte('\n')
	}
	return sb.String()
}

func (w *winRun) checkEvents(ctx context.Context, _ *diag.Pass) diag.Result {
	var text, source string
	if len(w.opts.Logs) > 0 {
		// --log: sshd.log (SyslogFacility LOCAL0) or saved event text,
		// read as they are.
		var sb strings.Builder
		for _, l := range w.opts.Logs {
			b, _, err := inputfile.ReadFile(l, maxWinOutput)
			if err != nil {
				return diag.Inconclusive(diag.NewFinding("server.no_logs").Arg("source", l).Ev("error", err.Error()))
			}
			sb.Write(b)
			sb.WriteByte('\n')
		}
		text, source = sb.String()+eventMessages([]byte(sb.String())), strings.Join(w.opts.Logs, ", ")
	} else {
		b, err := w.src.Output(ctx, winEvents)
		if err != nil {
			return diag.Skip()
		}
		text, source = eventMessages(b), "OpenSSH/Operational"
	}
	if strings.TrimSpace(text) == "" {
		return diag.Skip(diag.NewFinding("server.no_logs").Arg("source", source))
	}
	var fs []*diag.Finding
	fs = append(fs, winsshd.FromText(text)...)
	for _, c := range winacl.Complaints(text) {
		fs = append(fs, winacl.ComplaintFinding(c))
	}
	sum, err := sshlog.ScanServerLog(strings.NewReader(text), sshlog.ScanOptions{User: w.opts.User})
	if err == nil && sum.Diagnosis != nil {
		if f := sum.Diagnosis.Finding(nil); f != nil {
			if f.Code == "server.strictmodes" {
				// On Windows "Authentication refused." is the access-list
				// rule, not mode bits: say so with Windows' fixes.
				if len(fs) == 0 {
					g := diag.NewFinding("server.windows_keys_refused").Ev("event", strings.TrimSpace(sum.Diagnosis.Cause.Text))
					g.Fix("fix.icacls_show", "icacls "+winacl.PSQuote(winsshd.AdminKeys)+"\nicacls \"$HOME\\.ssh\\authorized_keys\"")
					g.Fix("fix.icacls_admin_keys", strings.Join(winacl.AdminKeysFix(winsshd.AdminKeys), "\n"))
					fs = append(fs, g)
				}
			} else {
				f.Ev("from_log", source)
				fs = append(fs, f)
			}
		}
	}
	return diag.Conclude(nil, fs...)
}
