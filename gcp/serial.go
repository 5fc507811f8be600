package gcp

import (
	"strings"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// Serial console (port 1) analysis of the last boot. Patterns are the
// messages the Linux kernel, systemd, OpenSSH, the guest agent and GRUB
// print to the console; the boot-start markers and several cause groups
// follow gcloud's vm_boot_troubleshooter and gcpdiag's runbook constants,
// and, beyond both, the last state of sshd and of the guest agent decides
// (a service that failed and was later started again is running).

// maxSerialBytes caps the text analysed: the serial buffer holds 1 MB.
const maxSerialBytes = 2 << 20

// maxEvidenceLines per finding: enough to show the cause, not a log dump.
const maxEvidenceLines = 5

// Boot causes, most specific first: a finding for an earlier cause
// explains later ones (a full disk makes sshd fail; a bad fstab drops the
// VM to emergency mode).
const (
	CauseSecureBoot = "secure_boot_violation"
	CauseBootImage  = "boot_image_missing"
	CauseNoRootFS   = "no_root_device"
	CauseDiskFull   = "disk_full"
	CauseFSError    = "fs_error"
	CauseOOM        = "oom"
	CausePanic      = "kernel_panic"
	CauseEmergency  = "emergency_mode"
	CauseSSHDFailed = "sshd_failed"
	CauseAgentDown  = "guest_agent_down"
	CauseBadModes   = "sshd_bad_modes"
	CauseSSHGuard   = "sshguard"
)

var causeOrder = []string{CauseSecureBoot, CauseBootImage, CauseNoRootFS, CauseDiskFull, CauseFSError, CauseOOM, CausePanic, CauseEmergency,
	CauseSSHDFailed, CauseAgentDown, CauseBadModes, CauseSSHGuard}

// EvidenceLine is one console line (1-based line number in the buffer).
type EvidenceLine struct {
	N    int
	Text string
}

// BootCause is one problem seen in the last boot.
type BootCause struct {
	Cause string
	Lines []EvidenceLine
	// Detail: the panic reason, the OOM-killed processes, the blocked
	// addresses, the directory with bad modes…
	Detail []string
	// Critical: for OOM, sshd or the guest agent was killed (or the kernel
	// panicked); for sshguard, always false here (the caller compares
	// addresses).
	Critical bool
}

// ServiceState is the last known state of a service in the boot.
type ServiceState string

const (
	StateUnknown ServiceState = ""
	StateRunning ServiceState = "running"
	StateFailed  ServiceState = "failed"
	StateStopped ServiceState = "stopped"
)

// BootReport is the analysis of the last boot.
type BootReport struct {
	Lines      int    // lines in the buffer
	BootLine   int    // 1-based line where the last boot starts (0: no marker seen)
	BootMarker string // the marker that started it
	Boots      int    // boot starts seen in the buffer
	Causes     []BootCause
	SSHD       ServiceState
	SSHDLine   EvidenceLine
	Agent      ServiceState
	AgentLine  EvidenceLine
	// AgentVersion is the guest agent's version from its start line.
	AgentVersion string
	// AgentKeys is the agent's last line about creating a user or
	// updating keys (it applied a metadata change).
	AgentKeys EvidenceLine
	// LegacyAgent: the Python guest environment (google_accounts_daemon)
	// of images older than 2020 manages the keys.
	LegacyAgent bool
	WindowsBoot bool // Windows guest messages seen
}

// Cause returns the finding for cause c, or nil.
func (b *BootReport) Cause(c string) *BootCause {
	for i := range b.Causes {
		if b.Causes[i].Cause == c {
			return &b.Causes[i]
		}
	}
	return nil
}

// cleanSerial removes terminal escape sequences, carriage returns and other
// control characters, keeping newlines and tabs. (Hand-written: a regexp
// over a megabyte of console output costs more than the whole analysis.)
func cleanSerial(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0x1b:
			if i+1 >= len(s) {
				continue
			}
			switch n := s[i+1]; {
			case n == '[': // CSI: parameters, intermediates, one final byte
				j := i + 2
				for j < len(s) && (s[j] >= '0' && s[j] <= '?') {
					j++
				}
				for j < len(s) && s[j] >= ' ' && s[j] <= '/' {
					j++
				}
				if j < len(s) && s[j] >= '@' && s[j] <= '~' {
					j++
				}
				i = j - 1
			case n == '(' || n == ')':
				i += 2
			case strings.IndexByte("=>NOMDEHc78", n) >= 0:
				i++
			}
		case c == '\n' || c == '\t':
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Boot-start markers, earliest stage first. The last boot starts at the
// last occurrence of the earliest-stage marker present (gcloud's rule),
// which ignores the kernel's banner replayed later by journald.
var bootMarkers = []struct {
	name    string
	literal string
	re      *lazyre.Regexp // nil: the literal suffices
}{
	{"SeaBIOS", "SeaBIOS (version", nil},
	{"UEFI boot manager", "BdsDxe: loading Boot", nil},
	{"UEFI image", "UEFI: Attempting to start image", nil},
	{"GRUB", "Welcome to GRUB!", nil},
	{"kernel", "Linux version ", lazyre.New(`^(\[\s*\d+\.\d+\]\s*)?Linux version \d`)},
}

func ci(p string) *lazyre.Regexp { return lazyre.New(`(?i)` + p) }

var (
	rePanic = ci(`Kernel panic - not syncing:?\s*(.*)$`)
	// The kernel found no block device for root=: it has no initramfs, or
	// the initramfs lacks the disk's driver (virtio-scsi, nvme) or the file
	// system's module. A more specific cause than a file-system error or a
	// bare panic, and the only finding its line gives.
	reNoRootFS = ci(`VFS: (?:Unable to mount root fs on|Cannot open root device "[^"]*" or) (unknown-block\([0-9]+,[0-9]+\))`)
	// Firmware and boot loader: Secure Boot refused to start an unsigned
	// (or revoked) shim, GRUB or kernel; shim or GRUB could not load the
	// next image. (gcloud's vm_boot_troubleshooter looks for both.)
	reSecureBoot = ci(`Security Violation`)
	reBootImage  = ci(`Failed to load image\s*(.*)$`)
	reEmergency  = []*lazyre.Regexp{
		ci(`You are in (emergency|rescue) mode`),
		ci(`You are now being dropped into an emergency shell`),
		ci(`Reached target .*Emergency Mode`),
		ci(`Started .*Emergency Shell`),
		ci(`Entering emergency mode`),
		ci(`Give root password for maintenance`),
		ci(`Minimal BASH-like line editing is supported`),
		ci(`^grub rescue>`),
		ci(`Dropping to a shell`),
	}
	reDiskFull     = ci(`No space left on device|No usable temporary directory found`)
	reDiskFullSkip = ci(`inotify|directory watch|/sys/fs/cgroup`)
	reFS           = []*lazyre.Regexp{
		ci(`EXT[234]-fs error`),
		ci(`Remounting filesystem read-only`),
		ci(`XFS \([^)]*\): (Corruption|metadata I/O error|Internal error|log mount failed)`),
		ci(`BTRFS (error|critical)`),
		ci(`Bad magic number in super-block`),
		ci(`UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY`),
		ci(`contains a file system with errors`),
		ci(`Failed to mount /`),
		ci(`Dependency failed for (/|.*\.mount|Local File Systems|File System Check)`),
		ci(`Timed out waiting for device`),
		ci(`can't find (UUID|LABEL)=`),
		ci(`special device .* does not exist`),
		ci(`Gave up waiting for (root|suspend/resume) (file system )?device`),
		ci(`VFS: Unable to mount root fs`),
		ci(`Failed to start File System Check`),
	}
	reOOMKill = []*lazyre.Regexp{
		ci(`Out of memory: Kill(?:ed)? process \d+ \(([^)]+)\)`),
		ci(`Memory cgroup out of memory: Kill(?:ed)? process \d+ \(([^)]+)\)`),
		ci(`oom-kill:.*task=([^,\s]+)`),
	}
	reOOMOther = ci(`invoked oom-killer|Out of memory`)

	reSSHDUp   = ci(`Started (OpenBSD Secure Shell server|OpenSSH server daemon|OpenSSH Daemon|OpenSSH per-connection|ssh\.service|sshd\.service)|sshd\[\d+\]: Server listening on`)
	reSSHDFail = ci(`Failed to start (OpenBSD Secure Shell server|OpenSSH server daemon|OpenSSH Daemon|ssh\.service|sshd\.service)|\bsshd?\.service: (Failed with result|Main process exited, code=(exited|killed|dumped), status=[1-9])`)
	reSSHDStop = ci(`Stopped (OpenBSD Secure Shell server|OpenSSH server daemon|OpenSSH Daemon|ssh\.service|sshd\.service)`)
	reSSHDWhy  = ci(`sshd(\[\d+\])?: (fatal|error): |sshd_config(:| line) ?\d*:? .*(Bad configuration|unsupported|Missing argument|Deprecated)|no hostkeys available|Bind to port \d+ on \S+ failed`)

	reAgentUp   = ci(`Started Google Compute Engine Guest Agent|google_guest_agent\[\d+\]: GCE Agent Started|GCEGuestAgent: GCE Agent Started`)
	reAgentFail = ci(`Failed to start Google Compute Engine Guest Agent|google_guest_agent\[\d+\]: CRITICAL |google-guest-agent\.service: (Failed with result|Main process exited, code=(exited|killed|dumped), status=[1-9])`)
	reAgentStop = ci(`Stopped Google Compute Engine Guest Agent`)
	reAgentVer  = ci(`GCE Agent Started \(version ([^)\s]+)\)`)
	reAgentKeys = ci(`(?:google_guest_agent|GCEGuestAgent|google_accounts_daemon)(?:\[\d+\])?: (?:Creating user|Updating keys for user|Adding user|Removing user)`)

	reBadModes = ci(`Authentication refused: bad ownership or modes for (?:directory|file)\s*(\S*)`)
	reSSHGuard = ci(`sshguard\[\d+\]: Blocking "?([0-9A-Fa-f.:]+)`)
)

// AnalyzeSerial reads the console text and judges the last boot.
func AnalyzeSerial(contents string) *BootReport {
	if len(contents) > maxSerialBytes {
		contents = contents[len(contents)-maxSerialBytes:] // keep the newest
	}
	lines := strings.Split(cleanSerial(contents), "\n")
	br := &BootReport{Lines: len(lines)}

	start := 0
	for _, m := range bootMarkers {
		last, count := -1, 0
		for i, l := range lines {
			if strings.Contains(l, m.literal) && (m.re == nil || m.re.MatchString(l)) {
				last = i
				count++
			}
		}
		if last >= 0 {
			start, br.BootLine, br.BootMarker, br.Boots = last, last+1, m.name, count
			break
		}
	}

	causes := map[string]*BootCause{}
	add := func(c string, i int, detail string) *BootCause {
		bc := causes[c]
		if bc == nil {
			bc = &BootCause{Cause: c}
			causes[c] = bc
		}
		if len(bc.Lines) < maxEvidenceLines {
			bc.Lines = append(bc.Lines, EvidenceLine{N: i + 1, Text: strings.TrimSpace(lines[i])})
		}
		if detail != "" && len(bc.Detail) < maxEvidenceLines && !contains(bc.Detail, detail) {
			bc.Detail = append(bc.Detail, detail)
		}
		return bc
	}
	var sshdWhy []int
	for i := start; i < len(lines); i++ {
		l := lines[i]
		// Case-insensitive regexps are slow; each group runs only on lines
		// holding one of its keywords (lower-cased).
		low := strings.ToLower(l)
		if !hasAny(low, allKeywords) {
			continue
		}
		if strings.Contains(low, "vfs:") {
			if m := reNoRootFS.FindStringSubmatch(l); m != nil {
				add(CauseNoRootFS, i, m[1]).Critical = true
				continue
			}
		}
		if strings.Contains(low, "security violation") && reSecureBoot.MatchString(l) {
			add(CauseSecureBoot, i, "").Critical = true
			continue
		}
		if strings.Contains(low, "failed to load image") {
			if m := reBootImage.FindStringSubmatch(l); m != nil {
				add(CauseBootImage, i, strings.TrimSpace(m[1])).Critical = true
				continue
			}
		}
		if strings.Contains(low, "panic") {
			if m := rePanic.FindStringSubmatch(l); m != nil {
				add(CausePanic, i, strings.TrimSpace(m[1])).Critical = true
			}
		}
		if hasAny(low, kwEmergency) {
			for _, re := range reEmergency {
				if re.MatchString(l) {
					add(CauseEmergency, i, "")
					break
				}
			}
		}
		if hasAny(low, kwDisk) && reDiskFull.MatchString(l) && !reDiskFullSkip.MatchString(l) {
			add(CauseDiskFull, i, "")
		}
		if hasAny(low, kwFS) {
			for _, re := range reFS {
				if re.MatchString(l) {
					add(CauseFSError, i, "")
					break
				}
			}
		}
		if hasAny(low, kwOOM) {
			killed := false
			for _, re := range reOOMKill {
				if m := re.FindStringSubmatch(l); m != nil {
					bc := add(CauseOOM, i, m[1])
					if isSSHAccessProcess(m[1]) {
						bc.Critical = true
					}
					killed = true
					break
				}
			}
			if !killed && reOOMOther.MatchString(l) && !strings.Contains(low, "kernel panic") {
				add(CauseOOM, i, "")
			}
		}
		if hasAny(low, kwSSHD) {
			switch {
			case reSSHDFail.MatchString(l):
				br.SSHD, br.SSHDLine = StateFailed, EvidenceLine{i + 1, strings.TrimSpace(l)}
			case reSSHDStop.MatchString(l):
				br.SSHD, br.SSHDLine = StateStopped, EvidenceLine{i + 1, strings.TrimSpace(l)}
			case reSSHDUp.MatchString(l):
				br.SSHD, br.SSHDLine = StateRunning, EvidenceLine{i + 1, strings.TrimSpace(l)}
				sshdWhy = sshdWhy[:0]
			}
			if reSSHDWhy.MatchString(l) && len(sshdWhy) < maxEvidenceLines {
				sshdWhy = append(sshdWhy, i)
			}
			if strings.Contains(low, "sshguard") {
				if m := reSSHGuard.FindStringSubmatch(l); m != nil {
					a := m[1]
					if strings.Contains(a, ".") { // older sshguard: "Blocking 198.51.100.9:4"
						a, _, _ = strings.Cut(a, ":")
					}
					add(CauseSSHGuard, i, a)
				}
			}
		}
		if hasAny(low, kwAgent) {
			if m := reAgentVer.FindStringSubmatch(l); m != nil {
				br.AgentVersion = m[1]
			}
			if reAgentKeys.MatchString(l) {
				br.AgentKeys = EvidenceLine{i + 1, strings.TrimSpace(l)}
			}
			if strings.Contains(low, "google_accounts_daemon") {
				br.LegacyAgent = true
			}
			switch {
			case reAgentFail.MatchString(l):
				br.Agent, br.AgentLine = StateFailed, EvidenceLine{i + 1, strings.TrimSpace(l)}
			case reAgentStop.MatchString(l):
				br.Agent, br.AgentLine = StateStopped, EvidenceLine{i + 1, strings.TrimSpace(l)}
			case reAgentUp.MatchString(l):
				br.Agent, br.AgentLine = StateRunning, EvidenceLine{i + 1, strings.TrimSpace(l)}
			}
		}
		if strings.Contains(low, "authentication refused") {
			if m := reBadModes.FindStringSubmatch(l); m != nil {
				add(CauseBadModes, i, strings.TrimRight(m[1], "."))
			}
		}
		if !br.WindowsBoot && hasAny(low, kwWindows) {
			br.WindowsBoot = true
		}
	}
	if oom := causes[CauseOOM]; oom != nil && causes[CausePanic] != nil {
		for _, d := range causes[CausePanic].Detail {
			if strings.Contains(strings.ToLower(d), "out of memory") {
				oom.Critical = true
			}
		}
	}
	if br.SSHD == StateFailed || br.SSHD == StateStopped {
		bc := &BootCause{Cause: CauseSSHDFailed, Critical: true}
		for _, i := range sshdWhy {
			bc.Lines = append(bc.Lines, EvidenceLine{i + 1, strings.TrimSpace(lines[i])})
		}
		if len(bc.Lines) < maxEvidenceLines {
			bc.Lines = append(bc.Lines, br.SSHDLine)
		}
		bc.Detail = []string{string(br.SSHD)}
		causes[CauseSSHDFailed] = bc
	}
	if br.Agent == StateFailed || br.Agent == StateStopped {
		causes[CauseAgentDown] = &BootCause{Cause: CauseAgentDown, Critical: true,
			Lines: []EvidenceLine{br.AgentLine}, Detail: []string{string(br.Agent)}}
	}
	for _, c := range causeOrder {
		if bc := causes[c]; bc != nil {
			br.Causes = append(br.Causes, *bc)
		}
	}
	return br
}

// Keywords (lower-cased) of each pattern group: every pattern of a group
// contains one of them.
var (
	kwEmergency = []string{"emergency", "rescue", "maintenance", "bash-like", "grub rescue", "dropping to a shell"}
	kwDisk      = []string{"no space", "temporary directory"}
	kwFS        = []string{"-fs", "read-only", "xfs", "btrfs", "magic", "fsck", "mount", "timed out", "uuid=", "label=",
		"special device", "gave up", "vfs", "dependency failed", "file system"}
	kwOOM     = []string{"memory", "oom"}
	kwSSHD    = []string{"ssh", "secure shell"}
	kwAgent   = []string{"guest agent", "google_guest_agent", "google-guest-agent", "gceguestagent", "gce agent", "google_accounts_daemon"}
	kwWindows = []string{"gceguestagent:", "gceinstancesetup:", "windows boot manager"}

	allKeywords = func() []string {
		out := []string{"panic", "authentication refused", "vfs:", "security violation", "failed to load image"}
		for _, g := range [][]string{kwEmergency, kwDisk, kwFS, kwOOM, kwSSHD, kwAgent, kwWindows} {
			out = append(out, g...)
		}
		return out
	}()
)

func hasAny(low string, kws []string) bool {
	for _, k := range kws {
		if strings.Contains(low, k) {
			return true
		}
	}
	return false
}

// isSSHAccessProcess: killing one of these makes SSH fail on a running VM.
// The kernel truncates process names to 15 bytes (google_guest_ag…).
func isSSHAccessProcess(comm string) bool {
	c := strings.ToLower(comm)
	return c == "sshd" || c == "sshd-session" || strings.HasPrefix(c, "google_guest_ag") ||
		strings.HasPrefix(c, "google-guest-ag") || c == "google_oslogin_" || c == "systemd"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
