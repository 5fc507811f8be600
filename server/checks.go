package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"github.com/sshdoctor/sshdoctor/sshlog"
)

// Options configure one `sshdoctor server` run.
type Options struct {
	// User is the login name to check ("" checks only the server).
	User string
	// Key is the public key to look for (from --key), nil when not given.
	Key *KeyLine
	// KeyFile names where Key came from.
	KeyFile string
	// From is the client's address (invalid when not given).
	From netip.Addr
	// Port overrides the ports read from the configuration.
	Port int
	// SSHDConfig overrides the configuration file.
	SSHDConfig string
	// Logs names log files to read instead of journald and the usual files.
	Logs []string
	// Since is how far back logs are read.
	Since time.Duration
	// Sys is the machine; nil means this one.
	Sys *System
	// Captured is a directory of saved outputs of Windows' commands
	// (sc, reg, Get-WinEvent…): the OpenSSH Server of Windows is judged
	// from them (windows.go).
	Captured string
}

// Named timeouts, each with the reason for its value.
const (
	// sshdTestTimeout bounds sshd -t / -T: they parse the config and load
	// host keys, well under a second; the margin covers a loaded machine
	// and slow NSS lookups for Match Group.
	sshdTestTimeout = 10 * time.Second
	// toolTimeout bounds iptables-save, nft, systemctl, fail2ban-client and
	// getent: local queries that answer in milliseconds unless something
	// is wedged, which is then worth reporting rather than waiting for.
	toolTimeout = 8 * time.Second
	// akcTimeout bounds running the AuthorizedKeysCommand; sshd itself
	// gives it no limit, but a command slower than this makes every login
	// slow and is worth reporting.
	akcTimeout = 5 * time.Second
	// logTimeout bounds reading logs: the classifier reads >100 MB/s, so
	// this covers the byte cap below with room for a slow journal.
	logTimeout = 25 * time.Second
)

// DefaultSince is how far back logs are read by default.
const DefaultSince = time.Hour

// Check names, in order.
const (
	ckSSHD      = "server-sshd"
	ckConfig    = "server-config"
	ckEffective = "server-effective-config"
	ckService   = "server-service"
	ckListeners = "server-listeners"
	ckAccount   = "server-account"
	ckStatus    = "server-account-status"
	ckKeys      = "server-authorized-keys"
	ckKey       = "server-key"
	ckResources = "server-resources"
	ckFirewall  = "server-firewall"
	ckWrappers  = "server-tcp-wrappers"
	ckBans      = "server-bans"
	ckLogs      = "server-logs"
)

type run struct {
	opts Options
	sys  *System

	// The checks whose results others read (diag.ResultOf).
	sshd      *diag.Def[*discovery]
	effective *diag.Def[*effective]
	account   *diag.Def[*acct]
	keys      *diag.Def[*keysResult]
}

// Checks returns the server checks for opts, in dependency order.
func Checks(opts Options) []*diag.Check {
	if windowsServer(opts) {
		return windowsChecks(opts)
	}
	if opts.Sys == nil {
		opts.Sys = Real()
	}
	if opts.Since <= 0 {
		opts.Since = DefaultSince
	}
	r := &run{opts: opts, sys: opts.Sys}
	r.sshd = &diag.Def[*discovery]{Name: ckSSHD,
		Doc: "finds the sshd program, its version, the running daemons and the configuration they use",
		Run: r.checkSSHD}
	config := &diag.Def[struct{}]{Name: ckConfig, Doc: "runs sshd -t on that configuration and names each line it rejects",
		Requires: []diag.Node{r.sshd}, Timeout: sshdTestTimeout + 2*time.Second, Run: diag.FindingsOnly(r.checkConfig)}
	r.effective = &diag.Def[*effective]{Name: ckEffective,
		Doc:      "reads the settings in force for this connection (sshd -T -C) and the file line each comes from",
		Requires: []diag.Node{r.sshd, config}, Timeout: sshdTestTimeout + 5*time.Second, Run: r.checkEffective}
	service := &diag.Def[struct{}]{Name: ckService, Doc: "tells whether the sshd service runs, and why it stopped when it does not",
		Requires: []diag.Node{r.sshd, r.effective}, Timeout: logTimeout + 5*time.Second, Run: diag.FindingsOnly(r.checkService)}
	listeners := &diag.Def[struct{}]{Name: ckListeners, Doc: "compares the sockets sshd listens on with the addresses and ports configured",
		Requires: []diag.Node{r.sshd, r.effective, service}, Run: diag.FindingsOnly(r.checkListeners)}
	r.account = &diag.Def[*acct]{Name: ckAccount,
		Doc:      "checks the login account: that it exists, its shell and home, and the Allow/Deny rules",
		Requires: []diag.Node{r.sshd, r.effective}, Run: r.checkAccount}
	status := &diag.Def[struct{}]{Name: ckStatus, Doc: "reads /etc/shadow for a locked or expired account or an aged password",
		Requires: []diag.Node{r.effective, r.account}, Run: diag.FindingsOnly(r.checkAccountStatus)}
	r.keys = &diag.Def[*keysResult]{Name: ckKeys,
		Doc:      "reads every authorized keys file and command as sshd would, with its StrictModes walk",
		Requires: []diag.Node{r.sshd, r.effective, r.account}, Timeout: akcTimeout + 10*time.Second, Run: r.checkAuthorizedKeys}
	key := &diag.Def[struct{}]{Name: ckKey, Doc: "finds the --key public key among the usable authorized keys and whether sshd would accept it",
		Requires: []diag.Node{r.effective, r.account, r.keys}, Run: diag.FindingsOnly(r.checkKey)}
	resources := &diag.Def[struct{}]{Name: ckResources, Doc: "looks for full disks or inodes and out-of-memory kills",
		Run: diag.FindingsOnly(r.checkResources)}
	firewall := &diag.Def[struct{}]{Name: ckFirewall, Doc: "evaluates the iptables and nftables rules for the port and --from, naming the rule that decides",
		Requires: []diag.Node{r.effective}, Timeout: 3*toolTimeout + 2*time.Second, Run: diag.FindingsOnly(r.checkFirewall)}
	wrappers := &diag.Def[struct{}]{Name: ckWrappers, Doc: "reads hosts.allow and hosts.deny when sshd is linked with libwrap",
		Requires: []diag.Node{r.sshd}, Run: diag.FindingsOnly(r.checkWrappers)}
	bans := &diag.Def[struct{}]{Name: ckBans, Doc: "looks for fail2ban and sshguard bans of --from",
		Timeout: 3*toolTimeout + 2*time.Second, Run: diag.FindingsOnly(r.checkBans)}
	logs := &diag.Def[struct{}]{Name: ckLogs, Doc: "reads sshd's logs with the shared classifier",
		Timeout: logTimeout + 5*time.Second, Run: diag.FindingsOnly(r.checkLogs)}
	return diag.Untyped(r.sshd, config, r.effective, service, listeners, r.account, status, r.keys, key,
		resources, firewall, wrappers, bans, logs)
}

// discovery is what server-sshd learns: the program, its version, the
// running daemons and which configuration is in force.
type discovery struct {
	Binary     string
	Version    string
	Debian     bool
	OS         osRelease
	Config     string
	ConfigFrom string
	Procs      []Proc
	ProcsErr   error
	Matched    []Proc // listeners using Config in this network namespace
	Units      []unitState
	Unit       string // the loaded systemd service unit, if any
}

// defaultConfig is sshd's compiled-in configuration path.
const defaultConfig = "/etc/ssh/sshd_config"

var versionRE = lazyre.New(`OpenSSH_[0-9][0-9.]*(p[0-9]+)?( [A-Za-z]+-[A-Za-z0-9.+~_-]+)?`)

// sshdProgramNames lists where sshd lives when not on PATH.
var sshdProgramNames = []string{"sshd"}

func (r *run) checkSSHD(ctx context.Context, p *diag.Pass) (*discovery, bool, diag.Result) {
	d := &discovery{OS: readOSRelease(r.sys.OSReleaseFile)}
	bin := ""
	for _, n := range sshdProgramNames {
		if b, err := r.sys.LookPath(n); err == nil {
			bin = b
			break
		}
	}
	if bin == "" {
		f := diag.NewFinding("server.sshd_missing")
		if d.OS.Pretty != "" {
			f.Ev("system", d.OS.Pretty)
		}
		f.Ev("searched", "PATH, "+strings.Join(sbinDirs, ", "))
		f.Fix("fix.server_install_sshd", d.OS.installCommand())
		return nil, false, diag.Conclude(nil, f)
	}
	d.Binary = bin
	vctx, cancel := context.WithTimeout(ctx, sshdTestTimeout)
	res := r.sys.Exec(vctx, bin, "-V")
	cancel()
	d.Version = versionRE.FindString(string(res.Stderr) + string(res.Stdout))
	d.Debian, d.Version = debianPatched(bin, d.Version)

	d.Procs, _, d.ProcsErr = listSSHDProcs()
	switch {
	case r.opts.SSHDConfig != "":
		d.Config, d.ConfigFrom = absPath(r.opts.SSHDConfig), "--sshd-config"
	default:
		d.Config, d.ConfigFrom = defaultConfig, "default"
		for _, pr := range d.Procs {
			if pr.Listener && pr.SameNetNS != no && pr.Config != "" {
				d.Config, d.ConfigFrom = absPath(pr.Config), fmt.Sprintf("command line of sshd pid %d", pr.PID)
				break
			}
		}
	}
	for _, pr := range d.Procs {
		cfg := defaultConfig
		if pr.Config != "" {
			cfg = absPath(pr.Config)
		}
		if pr.Listener && pr.SameNetNS != no && cfg == d.Config {
			d.Matched = append(d.Matched, pr)
		}
	}
	if systemdRunning() {
		c, cancel := context.WithTimeout(ctx, toolTimeout)
		if sc, err := r.sys.LookPath("systemctl"); err == nil {
			out := r.sys.Exec(c, sc, "show", "-p", "Id,LoadState,ActiveState,SubState,Listen",
				"ssh.service", "sshd.service", "ssh.socket", "sshd.socket")
			for _, u := range parseSystemctlShow(out.Stdout) {
				if u.Load == "loaded" {
					d.Units = append(d.Units, u)
					if d.Unit == "" && strings.HasSuffix(u.Name, ".service") {
						d.Unit = strings.TrimSuffix(u.Name, ".service")
					}
				}
			}
		}
		cancel()
	}
	f := diag.NewFinding("server.sshd_found").Arg("path", bin).Arg("version", orDash(d.Version))
	f.Ev("config", d.Config+" ("+d.ConfigFrom+")")
	if d.Debian {
		f.Ev("permissions_rule", "Debian/Ubuntu StrictModes (group-writable allowed for a private group)")
	}
	return d, true, diag.Conclude(nil, f)
}

// debianPatched reports whether sshd carries Debian's patches (which
// include the relaxed StrictModes rule). The version string Debian builds
// print ("OpenSSH_9.2p1 Debian-2+deb12u3", "… Ubuntu-…") says so; when sshd
// -V says less, the binary is searched for that string, which also gives
// the fuller version.
func debianPatched(bin, version string) (bool, string) {
	if strings.Contains(version, " Debian-") || strings.Contains(version, " Ubuntu-") {
		return true, version
	}
	b, err := readCapped(bin, 32<<20)
	if err != nil {
		return false, version
	}
	for _, m := range versionRE.FindAll(b, 16) {
		v := string(m)
		if version == "" || strings.HasPrefix(v, version) && len(v) > len(version) {
			version = v
		}
		if strings.Contains(v, " Debian-") || strings.Contains(v, " Ubuntu-") {
			return true, version
		}
	}
	return false, version
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// sshdArgs returns the -f and -o arguments the running daemon uses, so
// tests of the configuration see what it sees.
func (d *discovery) sshdArgs() []string {
	args := []string{"-f", d.Config}
	if len(d.Matched) > 0 {
		for _, o := range d.Matched[0].Options {
			args = append(args, "-o", o)
		}
	}
	return args
}

// reloadCommand makes the running sshd re-read its configuration.
func (d *discovery) reloadCommand() string {
	if d.Unit != "" {
		return "sudo systemctl reload " + d.Unit
	}
	if len(d.Matched) > 0 {
		return fmt.Sprintf("sudo kill -HUP %d", d.Matched[0].PID)
	}
	if systemdRunning() {
		return "sudo systemctl reload " + d.OS.serviceName()
	}
	return "sudo kill -HUP $(pgrep -o -x sshd)"
}

// startCommand starts sshd the way this system starts it.
func (d *discovery) startCommand() string {
	if d.Unit != "" && d.ConfigFrom != "--sshd-config" {
		return "sudo systemctl enable --now " + d.Unit
	}
	if d.Config != defaultConfig {
		return "sudo " + shq(d.Binary) + " -f " + shq(d.Config)
	}
	if systemdRunning() {
		return "sudo systemctl enable --now " + d.OS.serviceName()
	}
	if _, err := os.Stat("/etc/init.d/" + d.OS.serviceName()); err == nil {
		return "sudo service " + d.OS.serviceName() + " start"
	}
	return "sudo " + shq(d.Binary)
}

// testCommand re-runs sshd's own configuration test.
func (d *discovery) testCommand() string {
	c := "sudo " + shq(d.Binary) + " -t"
	if d.Config != defaultConfig {
		c += " -f " + shq(d.Config)
	}
	return c
}

// sshdCommand runs this machine's sshd binary on its configuration file,
// with sudo: the start of a test (-t) or of a print of its settings (-T).
func (d *discovery) sshdCommand() string {
	c := "sudo " + shq(d.Binary)
	if d.Config != defaultConfig {
		c += " -f " + shq(d.Config)
	}
	return c
}

// shq quotes s for a POSIX shell when it needs quoting.
func shq(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+=,-~") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ---- server-config: sshd -t ----

func (r *run) checkConfig(ctx context.Context, p *diag.Pass) diag.Result {
	d := diag.ResultOf(p, r.sshd)
	if _, err := os.Stat(d.Config); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			f := diag.NewFinding("server.config_error").Arg("path", d.Config).Arg("detail", "No such file or directory").
				Arg("file", d.Config).Arg("line", "-")
			f.Ev("config", d.Config+" ("+d.ConfigFrom+")")
			f.AddFixes(catalog.Params{"test_command": d.testCommand()})
			return diag.Conclude(nil, f)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, sshdTestTimeout)
	defer cancel()
	res := r.sys.Exec(ctx, d.Binary, append([]string{"-t"}, d.sshdArgs()...)...)
	if res.Err != nil {
		return diag.Inconclusive(diag.NewFinding("server.not_checked").Arg("item", "sshd -t").Arg("reason", res.Err.Error()))
	}
	out := strings.TrimSpace(string(res.Stderr) + string(res.Stdout))
	if res.ExitCode == 0 {
		return diag.Conclude(nil, sshdTestWarnings(out, d, r.sys.Root)...)
	}
	findings := r.interpretSSHDErrors(d, out)
	running := len(d.Matched) > 0
	for _, f := range findings {
		if running && f.Severity == diag.SevError {
			f.Sev(diag.SevWarning)
			f.Ev("running", fmt.Sprintf("sshd pid %d still runs with the configuration it read when it started; it will fail at its next restart", d.Matched[0].PID))
		}
	}
	return diag.Conclude(nil, findings...)
}

// interpretSSHDErrors turns sshd -t / -T error output into findings; the
// lines are classified by the same classifier that reads sshd logs.
func (r *run) interpretSSHDErrors(d *discovery, out string) []*diag.Finding {
	lines := strings.Split(out, "\n")
	quoted := quoteLines(capText(out, 2000))
	var findings []*diag.Finding
	seen := map[string]bool{}
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !r.sys.Root && strings.HasSuffix(line, ": Permission denied") && !seen["needs_root"] {
			// A file only root may read (the config, an Include): sshd's
			// verdict is unknown, not negative.
			seen["needs_root"] = true
			item := strings.TrimSuffix(line, ": Permission denied")
			findings = append(findings, diag.NewFinding("server.needs_root").Arg("item", item).Ev("sshd_output", quoted).
				Fix("fix.server_run_as_root", "sudo sshdoctor server"))
			continue
		}
		if strings.HasSuffix(line, "does not exist or is not executable") {
			path := strings.TrimSuffix(line, " does not exist or is not executable")
			f := diag.NewFinding("server.sshd_session_missing").Arg("path", path).Ev("sshd_output", quoted)
			f.AddFixes(catalog.Params{"reinstall_command": reinstallCommand(d.OS)})
			return append(findings, f)
		}
		ev, ok := sshlog.ClassifyServerLine(line)
		key := ev.Code
		if ev.Code == "server.config_error" && ev.FileLine != "" {
			key += " " + ev.FileLine // sshd names every bad line: so does the report
		}
		if !ok || ev.Code == "" || seen[key] {
			continue
		}
		seen[key] = true
		switch ev.Code {
		case "server.config_error":
			if ev.FileLine == "" && len(findings) > 0 {
				continue // the "terminating, N bad options" summary
			}
			file, lineNo := splitFileLine(ev.FileLine, ev.Path)
			f := diag.NewFinding("server.config_error").Arg("detail", diag.Quote([]byte(ev.Detail), 200)).
				Arg("file", file).Arg("line", lineNo).Arg("path", file+" line "+lineNo).Ev("sshd_output", quoted)
			fp := catalog.Params{"file": file, "test_command": d.testCommand()}
			if lineNo != "-" {
				fp["line"] = lineNo
			}
			f.AddFixes(fp)
			findings = append(findings, f)
		case "server.hostkey_load":
			if !r.sys.Root {
				// As a plain user sshd cannot read the host keys at all.
				if seen["needs_root"] {
					continue
				}
				seen["needs_root"] = true
				findings = append(findings, diag.NewFinding("server.needs_root").Arg("item", "sshd -t (host keys)").Ev("sshd_output", quoted).
					Fix("fix.server_run_as_root", "sudo sshdoctor server"))
				continue
			}
			path := ev.Path
			f := diag.NewFinding("server.hostkey_load").Arg("path", orDash(path)).Ev("sshd_output", quoted)
			fp := catalog.Params{}
			switch {
			case strings.Contains(ev.Detail, "bad permissions") && path != "":
				fp["hostkey_bad_perms"] = path
			case path != "" && filepath.Dir(path) != "/etc/ssh":
				fp["hostkey_new"], fp["hostkey_type"] = path, keyTypeFromName(path)
			}
			f.AddFixes(fp)
			findings = append(findings, f)
		case "server.privsep_dir":
			if strings.Contains(ev.Detail, "Privilege separation user") {
				user := "sshd"
				if fs := strings.Fields(ev.Detail); len(fs) >= 4 {
					user = fs[3]
				}
				f := diag.NewFinding("server.privsep_user").Arg("user", user).Ev("sshd_output", quoted)
				f.AddFixes(catalog.Params{"user": user})
				findings = append(findings, f)
				continue
			}
			dir := orDash(ev.Path)
			f := diag.NewFinding("server.privsep_dir").Arg("path", dir).Ev("directory", dir).Ev("sshd_output", quoted)
			f.AddFixes(catalog.Params{"privsep_dir": ev.Path})
			findings = append(findings, f)
		case "server.akc_error":
			f := diag.NewFinding("server.akc_error").Arg("path", "AuthorizedKeysCommand").Ev("sshd_output", quoted)
			f.AddFixes(catalog.Params{"test_command": d.testCommand(), "access_sshd": d.sshdCommand()})
			findings = append(findings, f)
		}
	}
	if len(findings) == 0 {
		f := diag.NewFinding("server.sshd_test_failed").Ev("sshd_output", quoted)
		f.Fix("fix.server_test_config", d.testCommand())
		findings = append(findings, f)
	}
	return findings
}

func splitFileLine(fl, path string) (string, string) {
	if i := strings.LastIndexByte(fl, ':'); i > 0 {
		if _, err := strconv.Atoi(fl[i+1:]); err == nil {
			return fl[:i], fl[i+1:]
		}
	}
	if path == "" {
		path = "-"
	}
	return path, "-"
}

func keyTypeFromName(p string) string {
	b := filepath.Base(p)
	for _, t := range []string{"ed25519", "ecdsa", "rsa"} {
		if strings.Contains(b, t) {
			return t
		}
	}
	return "ed25519"
}

func reinstallCommand(o osRelease) string {
	switch {
	case o.like("debian", "ubuntu"):
		return "sudo apt-get install --reinstall -y openssh-server"
	case o.like("fedora", "rhel", "centos", "rocky", "almalinux", "amzn"):
		return "sudo dnf reinstall -y openssh-server"
	}
	return o.installCommand()
}

// ---- server-effective-config: sshd -T -C plus the files ----

// effective is the configuration in force for the connection evaluated.
type effective struct {
	S       Settings
	Origins map[string]Origin
	Source  string // "sshd -T" or "files"
	File    *ConfigFile
	Conn    ConnInfo
	Ports   []int
}

func (e *effective) get(k string) string { return e.S.Get(k) }

// origin returns where keyword's value came from ("" when unknown).
func (e *effective) origin(k string) (Origin, bool) {
	if e.File == nil {
		return Origin{}, false
	}
	o, ok := e.File.Origins[k]
	return o, ok
}

// decisionKeywords are the settings that decide logins, as sshd spells
// them, in the order they are reported.
var decisionKeywords = []string{"Port", "ListenAddress", "PermitRootLogin", "PubkeyAuthentication",
	"PasswordAuthentication", "KbdInteractiveAuthentication", "AuthenticationMethods", "UsePAM",
	"AuthorizedKeysFile", "AuthorizedKeysCommand", "AllowUsers", "DenyUsers", "AllowGroups", "DenyGroups",
	"PubkeyAcceptedAlgorithms", "MaxAuthTries", "MaxStartups", "StrictModes"}

// standInAddr is the client address sshd -C is given when --from is not:
// a documentation address (RFC 5737) that no Match Address list names.
const standInAddr = "192.0.2.1"

func (r *run) conn(d *discovery) ConnInfo {
	c := ConnInfo{User: r.opts.User, Addr: standInAddr}
	if r.opts.From.IsValid() {
		c.Addr, c.AddrKnown = r.opts.From.String(), true
	}
	c.Host = c.Addr
	if r.opts.User != "" {
		if db, err := r.loadAccounts(); err == nil {
			if u, ok := db.user(r.opts.User); ok {
				c.Groups, _ = db.groupsOf(u)
			}
		}
	}
	return c
}

func (r *run) checkEffective(ctx context.Context, p *diag.Pass) (*effective, bool, diag.Result) {
	d := diag.ResultOf(p, r.sshd)
	conn := r.conn(d)
	e := &effective{Conn: conn}
	var findings []*diag.Finding

	file, ferr := ReadConfigFile(d.Config, conn)
	if ferr == nil {
		e.File = file
	}
	args := append([]string{"-T"}, d.sshdArgs()...)
	if r.opts.User != "" {
		spec := "user=" + r.opts.User + ",host=" + conn.Host + ",addr=" + conn.Addr
		if r.opts.Port > 0 {
			spec += ",lport=" + strconv.Itoa(r.opts.Port)
		}
		args = append(args, "-C", spec)
	}
	tctx, cancel := context.WithTimeout(ctx, sshdTestTimeout)
	res := r.sys.Exec(tctx, d.Binary, args...)
	cancel()
	if res.Err == nil && res.ExitCode == 0 {
		e.S = ParseSSHDT(bytes.NewReader(res.Stdout))
		e.Source = "sshd -T"
	}
	if len(e.S) == 0 {
		if e.File == nil {
			why := "sshd -T failed"
			if ferr != nil {
				why = errText(ferr)
			}
			if !r.sys.Root {
				return nil, false, diag.Inconclusive(diag.NewFinding("server.needs_root").Arg("item", d.Config).Ev("error", why).
					Fix("fix.server_run_as_root", "sudo sshdoctor server"))
			}
			return nil, false, diag.Inconclusive(diag.NewFinding("server.not_checked").Arg("item", "sshd -T").Arg("reason", why))
		}
		e.S = withDefaults(e.File.Settings)
		e.Source = "files"
		if !r.sys.Root {
			findings = append(findings, diag.NewFinding("server.needs_root").Arg("item", "sshd -T").
				Ev("instead", "read "+d.Config+" and its Include files with upstream defaults").
				Fix("fix.server_run_as_root", "sudo sshdoctor server"))
		} else {
			msg := res.Err
			reason := ""
			if msg != nil {
				reason = msg.Error()
			} else {
				reason = diag.Quote(bytes.TrimSpace(res.Stderr), 300)
			}
			findings = append(findings, diag.NewFinding("server.not_checked").Arg("item", "sshd -T").Arg("reason", reason))
		}
	}
	e.Ports = portsOf(e.S)
	if r.opts.Port > 0 {
		e.Ports = []int{r.opts.Port}
	}

	user := r.opts.User
	if user == "" {
		user = "*"
	}
	info := diag.NewFinding("server.effective_config").Arg("user", user).Arg("source", e.Source)
	for _, kw := range decisionKeywords {
		k := strings.ToLower(kw)
		vals := e.S[k]
		if len(vals) == 0 {
			continue
		}
		v := strings.Join(vals, " ")
		if o, ok := e.origin(k); ok {
			v += "   (" + o.String() + ")"
		}
		info.Ev(kw, capText(v, 400))
	}
	info.Ev("evaluated_for", fmt.Sprintf("user=%s addr=%s", user, conn.Addr))
	if e.File != nil {
		for _, u := range e.File.Uncertain {
			info.Ev("match_depends_on_client", u)
		}
		if len(e.File.Files) > 1 {
			info.Ev("files", capText(strings.Join(e.File.Files, ", "), 600))
		}
	}
	findings = append([]*diag.Finding{info}, findings...)

	if e.File != nil {
		important := map[string]bool{}
		for _, kw := range decisionKeywords {
			important[strings.ToLower(kw)] = true
		}
		for _, ig := range e.File.Ignored {
			if !important[ig.Keyword] {
				continue
			}
			name := canonicalKeyword(ig.Keyword)
			f := diag.NewFinding("server.config_override").Arg("keyword", name).Arg("file", ig.At.File).
				Arg("line", strconv.Itoa(ig.At.Line)).Arg("value", capText(ig.WinVal, 100)).Arg("winner", ig.Winner.String())
			f.Ev("ignored", fmt.Sprintf("%s %s   (%s)", name, capText(ig.Value, 200), ig.At))
			f.Ev("in_force", fmt.Sprintf("%s %s   (%s)", name, capText(ig.WinVal, 200), ig.Winner))
			f.Fix("fix.server_move_setting", "")
			findings = append(findings, f)
		}
	}
	return e, true, diag.Conclude(nil, findings...)
}

func canonicalKeyword(k string) string {
	for _, kw := range decisionKeywords {
		if strings.ToLower(kw) == k {
			return kw
		}
	}
	return k
}

// portsOf lists the ports sshd listens on: ListenAddress ports, else Port.
func portsOf(s Settings) []int {
	seen := map[int]bool{}
	var out []int
	add := func(p string) {
		if n, err := strconv.Atoi(p); err == nil && n > 0 && n < 65536 && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, la := range s["listenaddress"] {
		_, p := splitHostPortLoose(la)
		add(p)
	}
	if len(out) == 0 {
		for _, p := range s["port"] {
			add(p)
		}
	}
	if len(out) == 0 {
		out = []int{22}
	}
	sort.Ints(out)
	return out
}

// quoteLines quotes a program's multi-line output line by line: each line
// is made safe for a terminal, and the lines stay lines (sshd ends its
// stderr lines with \r\n, which quoted whole read as a literal "\r\n").
func quoteLines(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimRight(l, "\r"); strings.TrimSpace(l) != "" {
			lines = append(lines, diag.Quote([]byte(l), 0))
		}
	}
	return strings.Join(lines, "\n")
}
