package server

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
)

// Thresholds for filesystems (issue: warning at 95 %, error when full).
const (
	fsWarnPercent = 95
	fsFullPercent = 100
)

// oomWindow is the least history searched for OOM kills: they are rare
// and their effects (a dead sshd, a failed login) outlast an hour.
const oomWindow = 24 * time.Hour

// mountPoint walks up from path while the device stays the same.
func mountPoint(path string, dev uint64) string {
	cur := path
	for cur != "/" {
		parent := filepath.Dir(cur)
		u, err := fsUsage(parent)
		if err != nil || u.Dev != dev {
			return cur
		}
		cur = parent
	}
	return "/"
}

func (r *run) checkResources(ctx context.Context, p *diag.Pass) diag.Result {
	if !isLinux {
		return diag.Inconclusive(diag.NewFinding("server.linux_only").Arg("item", "disk, inodes and memory"))
	}
	paths := []string{"/"}
	if r.opts.User != "" {
		if db, err := r.loadAccounts(); err == nil {
			if u, ok := db.user(r.opts.User); ok && u.Home != "" {
				paths = append(paths, u.Home)
			}
		}
	}
	paths = append(paths, "/var", "/tmp", "/run")
	seen := map[uint64]bool{}
	var findings []*diag.Finding
	for _, path := range paths {
		u, err := fsUsage(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			findings = append(findings, diag.NewFinding("server.not_checked").Arg("item", path).Arg("reason", errText(err)))
			continue
		}
		if seen[u.Dev] {
			continue
		}
		seen[u.Dev] = true
		mount := mountPoint(path, u.Dev)
		if u.Size > 0 && u.BlockPercent >= fsWarnPercent {
			f := diag.NewFinding("server.disk_full").Arg("mount", mount).Arg("percent", strconv.Itoa(u.BlockPercent))
			if u.BlockPercent < fsFullPercent && u.Avail > 0 {
				f.Sev(diag.SevWarning)
			}
			f.Ev("checked_for", path)
			f.Ev("free", humanBytes(u.Avail)+" of "+humanBytes(u.Size))
			f.Fix("fix.server_free_space", fmt.Sprintf("sudo du -xh --max-depth=2 %s | sort -rh | head -20", shq(mount)))
			findings = append(findings, f)
		}
		if u.Inodes > 0 && u.INodePct >= fsWarnPercent {
			f := diag.NewFinding("server.inodes_full").Arg("mount", mount).Arg("percent", strconv.Itoa(u.INodePct))
			if u.INodePct < fsFullPercent && u.InodesFree > 0 {
				f.Sev(diag.SevWarning)
			}
			f.Ev("checked_for", path)
			f.Ev("free_inodes", fmt.Sprintf("%d of %d", u.InodesFree, u.Inodes))
			f.Fix("fix.server_free_inodes", fmt.Sprintf("sudo du -x --inodes --max-depth=2 %s | sort -rn | head -20", shq(mount)))
			findings = append(findings, f)
		}
	}
	since := r.sys.Now().Add(-max(r.opts.Since, oomWindow))
	events, err := kmsgOOM(since)
	if err != nil {
		events, err = r.journalOOM(ctx, since)
	}
	switch {
	case err != nil && !r.sys.Root:
		findings = append(findings, diag.NewFinding("server.needs_root").Arg("item", "/dev/kmsg (OOM kills)").
			Fix("fix.server_run_as_root", "sudo sshdoctor server"))
	case err != nil:
		findings = append(findings, diag.NewFinding("server.not_checked").Arg("item", "OOM kills").Arg("reason", errText(err)))
	case len(events) > 0:
		last := events[len(events)-1]
		proc := last.Process
		for _, ev := range events {
			if strings.HasPrefix(ev.Process, "sshd") {
				proc = ev.Process
			}
		}
		f := diag.NewFinding("server.oom").Arg("process", proc).Arg("count", strconv.Itoa(len(events)))
		for i := len(events) - 1; i >= 0 && i >= len(events)-5; i-- {
			ev := events[i]
			ts := ""
			if !ev.Time.IsZero() {
				ts = ev.Time.Format(time.RFC3339) + " "
			}
			f.Ev("kernel", ts+diag.Quote([]byte(ev.Line), 200))
		}
		f.Fix("fix.server_check_memory", "sudo dmesg -T | grep -i -E 'out of memory|oom-kill' | tail -20")
		findings = append(findings, f)
	}
	return diag.Conclude(nil, findings...)
}

// journalOOM asks the journal's kernel log for OOM kills (readable by the
// adm and systemd-journal groups, when /dev/kmsg is not).
func (r *run) journalOOM(ctx context.Context, since time.Time) ([]OOMEvent, error) {
	jc, err := r.sys.LookPath("journalctl")
	if err != nil || !journalPresent() {
		return nil, errors.New("/dev/kmsg is not readable and there is no journal")
	}
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	res := r.sys.Exec(ctx, jc, "-k", "-q", "--no-pager", "-o", "short-iso", "--since", since.Local().Format("2006-01-02 15:04:05"), "-g", "Killed process")
	if res.Err != nil {
		return nil, res.Err
	}
	if res.ExitCode != 0 && len(res.Stdout) == 0 {
		if len(bytes.TrimSpace(res.Stderr)) == 0 {
			return nil, nil // no match
		}
		return nil, errors.New(string(bytes.TrimSpace(res.Stderr)))
	}
	var out []OOMEvent
	for _, line := range strings.Split(string(res.Stdout), "\n") {
		if ev, ok := parseOOMLine(line); ok {
			if t, err := time.Parse("2006-01-02T15:04:05-0700", strings.Fields(line)[0]); err == nil {
				ev.Time = t
			}
			out = append(out, ev)
		}
	}
	return out, nil
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatUint(n, 10) + " B"
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// ---- server-firewall ----

func (r *run) checkFirewall(ctx context.Context, p *diag.Pass) diag.Result {
	e := diag.ResultOf(p, r.effective)
	if !isLinux {
		return diag.Inconclusive(diag.NewFinding("server.linux_only").Arg("item", "firewall rules"))
	}
	src := r.opts.From
	var families []bool // v6?
	switch {
	case src.IsValid():
		families = []bool{src.Is6()}
	default:
		families = []bool{false, true}
	}
	fromText := func(v6 bool) string {
		if src.IsValid() {
			return src.String()
		}
		if v6 {
			return "::/0"
		}
		return "0.0.0.0/0"
	}

	type source struct {
		tool string
		eval func(Packet) FirewallVerdict
		fix  func(port int, v FirewallVerdict, v6 bool) string
	}
	var sources []source
	var notes []*diag.Finding
	tools := 0
	needRoot := false
	nftManaged := false

	iptSave := map[bool]string{false: "iptables-save", true: "ip6tables-save"}
	ipt := map[bool]string{false: "iptables", true: "ip6tables"}
	for _, v6 := range families {
		bin, err := r.sys.LookPath(iptSave[v6])
		if err != nil {
			continue
		}
		tools++
		c, cancel := context.WithTimeout(ctx, toolTimeout)
		res := r.sys.Exec(c, bin)
		cancel()
		if res.Err != nil || res.ExitCode != 0 {
			msg := strings.TrimSpace(string(res.Stderr))
			if res.Err != nil {
				msg = res.Err.Error()
			}
			if !r.sys.Root || strings.Contains(msg, "ermission denied") {
				needRoot = true
				continue
			}
			notes = append(notes, diag.NewFinding("server.not_checked").Arg("item", iptSave[v6]).Arg("reason", capText(msg, 200)))
			continue
		}
		if bytes.Contains(res.Stdout, []byte("nf_tables")) {
			nftManaged = true
		}
		tables, err := ParseIptablesSave(bytes.NewReader(res.Stdout))
		if err != nil {
			notes = append(notes, diag.NewFinding("server.not_checked").Arg("item", iptSave[v6]).Arg("reason", err.Error()))
			continue
		}
		name := ipt[v6]
		sources = append(sources, source{tool: name, eval: func(pk Packet) FirewallVerdict {
			if pk.V6 != v6 {
				return FirewallVerdict{Certain: true}
			}
			return EvalIptables(tables, pk)
		}, fix: func(port int, v FirewallVerdict, v6x bool) string {
			s := ""
			if src.IsValid() {
				s = " -s " + src.String()
			}
			return fmt.Sprintf("sudo %s -I INPUT%s -p tcp --dport %d -j ACCEPT", name, s, port)
		}})
	}
	if bin, err := r.sys.LookPath("nft"); err == nil {
		tools++
		c, cancel := context.WithTimeout(ctx, toolTimeout)
		res := r.sys.Exec(c, bin, "-j", "list", "ruleset")
		cancel()
		switch {
		case res.Err != nil || res.ExitCode != 0:
			msg := strings.TrimSpace(string(res.Stderr))
			if res.Err != nil {
				msg = res.Err.Error()
			}
			if !r.sys.Root || strings.Contains(msg, "ermission denied") || strings.Contains(msg, "not permitted") {
				needRoot = true
			} else {
				notes = append(notes, diag.NewFinding("server.not_checked").Arg("item", "nft list ruleset").Arg("reason", capText(msg, 200)))
			}
		default:
			rs, err := ParseNftJSON(bytes.NewReader(res.Stdout))
			if err != nil {
				notes = append(notes, diag.NewFinding("server.not_checked").Arg("item", "nft list ruleset").Arg("reason", err.Error()))
				break
			}
			skip := func(family, table string) bool {
				if !nftManaged || (family != "ip" && family != "ip6") {
					return false
				}
				switch table {
				case "filter", "nat", "mangle", "raw", "security":
					return true
				}
				return false
			}
			sources = append(sources, source{tool: "nftables", eval: func(pk Packet) FirewallVerdict {
				return EvalNft(rs, pk, skip)
			}, fix: func(port int, v FirewallVerdict, v6 bool) string {
				f := strings.Fields(v.Table)
				if len(f) != 3 {
					return ""
				}
				s := ""
				if src.IsValid() {
					fam := "ip"
					if src.Is6() {
						fam = "ip6"
					}
					s = fam + " saddr " + src.String() + " "
				}
				return fmt.Sprintf("sudo nft insert rule %s %s %s %stcp dport %d accept", f[0], f[1], f[2], s, port)
			}})
		}
	}
	if needRoot && len(sources) == 0 {
		return diag.Inconclusive(diag.NewFinding("server.needs_root").Arg("item", "iptables-save / nft list ruleset").
			Fix("fix.server_run_as_root", "sudo sshdoctor server"))
	}
	if tools == 0 {
		return diag.Conclude(nil, diag.NewFinding("server.not_checked").Arg("item", "firewall rules").
			Arg("reason", "neither iptables-save nor nft is installed"))
	}
	var findings []*diag.Finding
	for _, port := range e.Ports {
		for _, v6 := range families {
			pk := Packet{Src: src, DPort: port, V6: v6}
			for _, s := range sources {
				v := s.eval(pk)
				possible := filterPossible(v.Possible, src.IsValid())
				if !v.Blocked && len(possible) == 0 {
					continue
				}
				f := diag.NewFinding("server.firewall_blocks").Arg("port", strconv.Itoa(port)).Arg("from", fromText(v6)).Arg("tool", s.tool)
				if v.Blocked {
					f.Ev("rule", v.Rule)
					f.Ev("action", v.Action)
					if v.Table != "" {
						f.Ev("table", v.Table)
					}
					// Uncertain, or IPv6 only while the client's family is unknown.
					if !v.Certain || (v6 && !src.IsValid()) {
						f.Sev(diag.SevWarning)
					}
					if !v.Certain {
						for _, x := range possible {
							f.Ev("depends_on", x)
						}
					}
				} else {
					f.Sev(diag.SevWarning)
					for _, x := range possible {
						f.Ev("possible_rule", x)
					}
				}
				f.Fix("fix.server_allow_port", s.fix(port, v, v6))
				findings = append(findings, f)
			}
		}
	}
	if needRoot {
		notes = append(notes, diag.NewFinding("server.needs_root").Arg("item", "part of the firewall rules"))
	}
	return diag.Conclude(nil, append(findings, notes...)...)
}

// filterPossible drops maybe-blocks that only depend on the client's
// address when the client is not known (per-address bans and blocklists
// would otherwise flood the report).
func filterPossible(ps []string, srcKnown bool) []string {
	var out []string
	for _, p := range ps {
		if !srcKnown && strings.Contains(p, "(if source ") {
			continue
		}
		out = append(out, p)
		if len(out) >= 5 {
			break
		}
	}
	return out
}

// ---- server-tcp-wrappers ----

// linksLibwrap reports whether the sshd binary is linked with libwrap.
func linksLibwrap(bin string) tri {
	f, err := elf.Open(bin)
	if err != nil {
		return maybe
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		return maybe
	}
	for _, l := range libs {
		if strings.HasPrefix(l, "libwrap.") {
			return yes
		}
	}
	return no
}

func (r *run) checkWrappers(ctx context.Context, p *diag.Pass) diag.Result {
	d := diag.ResultOf(p, r.sshd)
	read := func(path string) []WrapRule {
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		return ParseHostsAccess(f, path)
	}
	allow, deny := read(r.sys.HostsAllow), read(r.sys.HostsDeny)
	linked := linksLibwrap(d.Binary)
	v := EvalHostsAccess(allow, deny, r.opts.From)
	source := "ALL"
	if r.opts.From.IsValid() {
		source = r.opts.From.String()
	}
	if linked == no {
		if v.Denied != no && v.Rule != nil {
			f := diag.NewFinding("server.tcp_wrappers_unused").Arg("file", v.Rule.File)
			f.Ev("rule", fmt.Sprintf("%s:%d: %s", v.Rule.File, v.Rule.Line, v.Rule.Text))
			return diag.Conclude(nil, f)
		}
		return diag.Conclude(nil)
	}
	if v.Denied == no {
		return diag.Conclude(nil)
	}
	f := diag.NewFinding("server.tcp_wrappers").Arg("source", source)
	f.Ev("rule", fmt.Sprintf("%s:%d: %s", v.Rule.File, v.Rule.Line, v.Rule.Text))
	if linked == maybe {
		f.Ev("libwrap", "could not read the sshd binary to see whether it uses TCP wrappers")
	}
	if v.Denied == maybe || linked == maybe {
		f.Sev(diag.SevWarning)
	}
	f.AddFixes(catalog.Params{"source": source, "hosts_allow": r.sys.HostsAllow})
	return diag.Conclude(nil, f)
}

// ---- server-bans: fail2ban and sshguard ----

// maxJails bounds how many fail2ban jails are asked about.
const maxJails = 32

func (r *run) checkBans(ctx context.Context, p *diag.Pass) diag.Result {
	if !isLinux {
		return diag.Inconclusive(diag.NewFinding("server.linux_only").Arg("item", "fail2ban / sshguard"))
	}
	f2b, errF := r.sys.LookPath("fail2ban-client")
	sg, errS := r.sys.LookPath("sshguard")
	if errF != nil && errS != nil {
		return diag.Skip()
	}
	if !r.opts.From.IsValid() {
		// Bans are per address: without --from there is nothing to decide.
		return diag.Skip()
	}
	ip := r.opts.From.String()
	var findings []*diag.Finding
	if errF == nil {
		c, cancel := context.WithTimeout(ctx, toolTimeout)
		res := r.sys.Exec(c, f2b, "status")
		cancel()
		if res.Err != nil || res.ExitCode != 0 {
			msg := strings.TrimSpace(string(res.Stderr) + string(res.Stdout))
			if !r.sys.Root {
				return diag.Inconclusive(diag.NewFinding("server.needs_root").Arg("item", "fail2ban-client status").
					Fix("fix.server_run_as_root", "sudo sshdoctor server --from "+ip))
			}
			if res.Err != nil {
				msg = res.Err.Error()
			}
			findings = append(findings, diag.NewFinding("server.not_checked").Arg("item", "fail2ban").Arg("reason", capText(msg, 200)))
		} else {
			jails := parseJailList(string(res.Stdout))
			for i, j := range jails {
				if i >= maxJails {
					break
				}
				c, cancel := context.WithTimeout(ctx, toolTimeout)
				js := r.sys.Exec(c, f2b, "status", j)
				cancel()
				if js.ExitCode != 0 {
					continue
				}
				for _, b := range parseBanned(string(js.Stdout)) {
					if b == ip {
						f := diag.NewFinding("server.fail2ban_banned").Arg("addr", ip).Arg("tool", "fail2ban").Arg("jail", j)
						f.Fix("fix.server_unban", fmt.Sprintf("sudo fail2ban-client set %s unbanip %s", shq(j), ip))
						findings = append(findings, f)
					}
				}
			}
		}
	}
	if errS == nil {
		_ = sg
		if hit, how := r.sshguardBlocks(ctx, r.opts.From); hit {
			f := diag.NewFinding("server.fail2ban_banned").Arg("addr", ip).Arg("tool", "sshguard").Arg("jail", how)
			f.Fix("fix.server_unban", "")
			findings = append(findings, f)
		}
	}
	return diag.Conclude(nil, findings...)
}

// parseJailList reads "`- Jail list:\tsshd, recidive".
func parseJailList(s string) []string {
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "Jail list:"); i >= 0 {
			var out []string
			for _, j := range strings.Split(line[i+len("Jail list:"):], ",") {
				if j = strings.TrimSpace(j); j != "" {
					out = append(out, j)
				}
			}
			return out
		}
	}
	return nil
}

// parseBanned reads "`- Banned IP list:\t1.2.3.4 5.6.7.8".
func parseBanned(s string) []string {
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "Banned IP list:"); i >= 0 {
			return strings.Fields(line[i+len("Banned IP list:"):])
		}
	}
	return nil
}

// sshguardBlocks looks for the address in sshguard's iptables chain or
// nftables sets.
func (r *run) sshguardBlocks(ctx context.Context, src netip.Addr) (bool, string) {
	save := "iptables-save"
	if src.Is6() {
		save = "ip6tables-save"
	}
	if bin, err := r.sys.LookPath(save); err == nil {
		c, cancel := context.WithTimeout(ctx, toolTimeout)
		res := r.sys.Exec(c, bin, "-t", "filter")
		cancel()
		if tables, err := ParseIptablesSave(bytes.NewReader(res.Stdout)); err == nil && tables["filter"] != nil {
			for _, rl := range tables["filter"].Rules["sshguard"] {
				if m, _ := matchIpt(&rl, Packet{Src: src, DPort: 22, V6: src.Is6()}); m == yes && isBlockTarget(rl.Target) {
					return true, "iptables chain sshguard"
				}
			}
		}
	}
	if bin, err := r.sys.LookPath("nft"); err == nil {
		c, cancel := context.WithTimeout(ctx, toolTimeout)
		res := r.sys.Exec(c, bin, "-j", "list", "ruleset")
		cancel()
		if rs, err := ParseNftJSON(bytes.NewReader(res.Stdout)); err == nil {
			for k, s := range rs.sets {
				if !strings.Contains(k, "sshguard") {
					continue
				}
				ev := nftEval{rs: rs}
				for _, el := range s.Elems {
					if ev.valueHas(el, func(x any) tri { return addrValTri(x, src) }) == yes {
						return true, "nftables set " + k
					}
				}
			}
		}
	}
	return false, ""
}
