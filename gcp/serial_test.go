package gcp

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

func causes(br *BootReport) []string {
	var out []string
	for _, c := range br.Causes {
		out = append(out, c.Cause)
	}
	return out
}

func TestAnalyzeSerialRecorded(t *testing.T) {
	cases := []struct {
		file   string
		causes string
		sshd   ServiceState
		agent  ServiceState
		marker string
	}{
		// a clean Debian boot
		{"serial-valid-linux-ssh.json", "", StateRunning, StateRunning, "UEFI boot manager"},
		// a startup script stopped sshd; the guest agent started it again:
		// the last state counts
		{"serial-faulty-linux-ssh.json", "", StateRunning, StateRunning, "UEFI boot manager"},
		// the same with a full disk and bad modes on authorized_keys
		{"serial-gce4-faulty-linux-ssh.json", "disk_full,sshd_bad_modes", StateRunning, StateRunning, "UEFI boot manager"},
		// Windows: the agent's own log format
		{"serial-valid-windows-ssh.json", "", StateUnknown, StateRunning, "UEFI boot manager"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			br := AnalyzeSerial(gcptest.SerialContents(c.file))
			if got := strings.Join(causes(br), ","); got != c.causes {
				t.Errorf("causes %q, want %q (%+v)", got, c.causes, br.Causes)
			}
			if br.SSHD != c.sshd || br.Agent != c.agent {
				t.Errorf("sshd %q agent %q, want %q %q (lines %+v %+v)", br.SSHD, br.Agent, c.sshd, c.agent, br.SSHDLine, br.AgentLine)
			}
			if br.BootMarker != c.marker || br.BootLine == 0 {
				t.Errorf("boot marker %q at %d", br.BootMarker, br.BootLine)
			}
		})
	}
	// the Windows log holds a setup reboot: the last boot starts at the
	// second boot-manager line
	br := AnalyzeSerial(gcptest.SerialContents("serial-valid-windows-ssh.json"))
	if br.Boots < 2 || !br.WindowsBoot {
		t.Errorf("windows: %d boots, windows %v", br.Boots, br.WindowsBoot)
	}
}

func TestAnalyzeSerialCauses(t *testing.T) {
	cases := []struct {
		name   string
		log    string
		causes string
		crit   bool // first cause critical
		detail string
	}{
		{"vfs panic", gcptest.BootLog("Run /init as init process",
			"[    0.972001] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"),
			"no_root_device", true, "unknown-block(0,0)"},
		{"no root device, the kernel's own lines", gcptest.BootLog("Run /init as init process",
			"[    0.971234] VFS: Cannot open root device \"sda1\" or unknown-block(0,0): error -6",
			"[    0.972001] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)",
			"[    0.973001] ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0) ]---"),
			"no_root_device", true, "unknown-block(0,0)"},
		{"secure boot", "BdsDxe: loading Boot0001 \"UEFI Google PersistentDisk \" from PciRoot(0x0)/Pci(0x3,0x0)/Scsi(0x1,0x0)\r\n" +
			"BdsDxe: failed to load Boot0001 \"UEFI Google PersistentDisk \" from PciRoot(0x0)/Pci(0x3,0x0)/Scsi(0x1,0x0): Security Violation\r\n",
			"secure_boot_violation", true, ""},
		{"shim cannot load grub", "BdsDxe: loading Boot0001 \"UEFI Google PersistentDisk \" from PciRoot(0x0)/Pci(0x3,0x0)/Scsi(0x1,0x0)\r\n" +
			"BdsDxe: starting Boot0001 \"UEFI Google PersistentDisk \" from PciRoot(0x0)/Pci(0x3,0x0)/Scsi(0x1,0x0)\r\n" +
			"Failed to load image \\EFI\\debian\\grubx64.efi: Not Found\r\n" +
			"start_image() returned Not Found\r\n",
			"boot_image_missing", true, `\EFI\debian\grubx64.efi: Not Found`},
		{"panic from OOM", gcptest.BootLog("",
			"[  99.1] Out of memory: Killed process 4242 (java) total-vm:4015040kB",
			"[  99.2] Kernel panic - not syncing: System is deadlocked on memory"),
			"oom,kernel_panic", false, "java"},
		{"panic_on_oom", gcptest.BootLog("",
			"[  99.1] Out of memory: Killed process 4242 (java) total-vm:4015040kB",
			"[  99.2] Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled"),
			"oom,kernel_panic", true, "java"},
		{"older kernel OOM wording", gcptest.BootLog("",
			"[  99.1] Out of memory: Kill process 612 (sshd) score 0 or sacrifice child"),
			"oom", true, "sshd"},
		{"cgroup OOM of the agent", gcptest.BootLog("",
			"[  99.1] Memory cgroup out of memory: Killed process 473 (google_guest_ag) total-vm:1237916kB"),
			"oom", true, "google_guest_ag"},
		{"disk full but inotify noise ignored", gcptest.BootLog("",
			"Nov 17 05:00:00 debian systemd[1]: Failed to add directory watch: No space left on device"),
			"", false, ""},
		{"disk full", gcptest.BootLog("",
			"Nov 17 05:00:00 debian google_guest_agent[473]: ERROR non_windows_accounts.go:158 Error updating SSH keys for alice: write /home/alice/.ssh/authorized_keys: no space left on device"),
			"disk_full", false, ""},
		{"read-only root", gcptest.BootLog("",
			"[ 1234.5] EXT4-fs error (device sda1): ext4_lookup:1700: inode #2: comm systemd: deleted inode referenced: 12",
			"[ 1234.6] EXT4-fs (sda1): Remounting filesystem read-only"),
			"fs_error", false, ""},
		{"fsck", gcptest.BootLog("Begin: Will now check root file system",
			"/dev/sda1: UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.",
			"\t(i.e., without -a or -p options)",
			"fsck exited with status code 4",
			"The root filesystem on /dev/sda1 requires a manual fsck",
			"BusyBox v1.30.1 (Debian 1:1.30.1-6+b3) built-in shell (ash)",
			"(initramfs) "),
			"fs_error", false, ""},
		{"sshd bind failure", gcptest.BootLog("",
			"Nov 17 05:00:01 debian sshd[901]: error: Bind to port 22 on 0.0.0.0 failed: Address already in use.",
			"Nov 17 05:00:01 debian sshd[901]: fatal: Cannot bind any address.",
			"Nov 17 05:00:01 debian systemd[1]: ssh.service: Main process exited, code=exited, status=255/EXCEPTION"),
			"sshd_failed", true, "failed"},
		{"sshd stopped", gcptest.BootLog("",
			"Nov 17 05:00:01 debian systemd[1]: Stopping OpenBSD Secure Shell server...",
			"Nov 17 05:00:01 debian systemd[1]: Stopped OpenBSD Secure Shell server."),
			"sshd_failed", true, "stopped"},
		{"sshd failed then started", gcptest.BootLog("",
			"[FAILED] Failed to start OpenBSD Secure Shell server.",
			"Nov 17 05:00:09 debian systemd[1]: Started OpenBSD Secure Shell server."),
			"", false, ""},
		{"sshd exited 0 is not a failure", gcptest.BootLog("",
			"Nov 17 05:00:01 debian systemd[1]: ssh.service: Main process exited, code=exited, status=0/SUCCESS"),
			"", false, ""},
		{"sshguard", gcptest.BootLog("",
			`Nov 17 05:20:00 debian sshguard[777]: Blocking "203.0.113.7/32" for 120 secs (3 attacks in 4 secs, after 1 abuses over 4 secs.)`,
			`Nov 17 05:21:00 debian sshguard[777]: Blocking 198.51.100.9:4 for >630secs: 40 danger in 4 attacks over 5 seconds`),
			"sshguard", false, "203.0.113.7"},
		{"older sshguard", gcptest.BootLog("",
			`Nov 17 05:21:00 debian sshguard[777]: Blocking 198.51.100.9:4 for >630secs: 40 danger in 4 attacks over 5 seconds`),
			"sshguard", false, "198.51.100.9"},
		{"rescue mode", gcptest.BootLog("",
			"You are in rescue mode. After logging in, type \"journalctl -xb\" to view"),
			"emergency_mode", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			br := AnalyzeSerial(c.log)
			if got := strings.Join(causes(br), ","); got != c.causes {
				t.Fatalf("causes %q, want %q (%+v)", got, c.causes, br.Causes)
			}
			if c.causes == "" {
				return
			}
			first := br.Causes[0]
			if first.Critical != c.crit {
				t.Errorf("critical %v, want %v", first.Critical, c.crit)
			}
			if c.detail != "" && (len(first.Detail) == 0 || first.Detail[0] != c.detail) {
				t.Errorf("detail %v, want %q first", first.Detail, c.detail)
			}
			if len(first.Lines) == 0 || first.Lines[0].N <= br.BootLine {
				t.Errorf("evidence lines %+v (boot at %d)", first.Lines, br.BootLine)
			}
		})
	}
}

func TestAnalyzeSerialLastBootOnly(t *testing.T) {
	old := "SeaBIOS (version 1.8.2-google)\r\n[    0.9] Kernel panic - not syncing: Attempted to kill init!\r\n" +
		"Nov 17 01:00:00 debian systemd[1]: Failed to start OpenBSD Secure Shell server.\r\n"
	clean := "SeaBIOS (version 1.8.2-google)\r\n[    0.0] Linux version 5.10.0\r\nStarted OpenBSD Secure Shell server.\r\n"
	br := AnalyzeSerial(old + clean)
	if len(br.Causes) != 0 || br.Boots != 2 || br.SSHD != StateRunning {
		t.Fatalf("old boot leaked: %+v boots %d sshd %s", br.Causes, br.Boots, br.SSHD)
	}
	// the earliest-stage marker decides, so the kernel banner that
	// journald replays later does not cut the boot in two
	log := "SeaBIOS (version 1.8.2-google)\r\n[ 0.5] Kernel panic - not syncing: VFS: Unable to mount root fs\r\n" +
		"Nov 17 01:00:00 debian kernel: [ 0.0] Linux version 5.10.0\r\n"
	if br := AnalyzeSerial(log); br.Cause(CausePanic) == nil {
		t.Fatalf("the replayed banner cut the boot: %+v", br)
	}
	// no marker at all (older output overwritten): all of it is judged
	if br := AnalyzeSerial("[ 5.0] Kernel panic - not syncing: Fatal exception\n"); br.BootLine != 0 || br.Cause(CausePanic) == nil {
		t.Fatalf("no marker: %+v", br)
	}
}

func TestCleanSerial(t *testing.T) {
	in := "\x1b[2J\x1b[01;01H\x1b[=3h[\x1b[0;32m  OK  \x1b[0m] Started \x1b[0;1;39mOpenBSD Secure Shell server\x1b[0m.\r\n\x07bell"
	want := "[  OK  ] Started OpenBSD Secure Shell server.\nbell"
	if got := cleanSerial(in); got != want {
		t.Fatalf("cleanSerial = %q", got)
	}
}

func FuzzAnalyzeSerial(f *testing.F) {
	for _, name := range []string{"serial-faulty-linux-ssh.json", "serial-gce4-faulty-linux-ssh.json", "serial-valid-windows-ssh.json"} {
		c := gcptest.SerialContents(name)
		f.Add(c[max(0, len(c)-6000):])
		f.Add(c[:min(len(c), 4000)])
	}
	f.Add("SeaBIOS (version 1)\nKernel panic - not syncing: x\nOut of memory: Killed process 1 (sshd)\n")
	f.Add("\x1b[0;1;39m\x1b[\x1b[=3hsshguard[1]: Blocking \"::1\nAuthentication refused: bad ownership or modes for directory")
	f.Fuzz(func(t *testing.T, s string) {
		br := AnalyzeSerial(s)
		if br.Lines < 1 || br.BootLine > br.Lines {
			t.Fatalf("lines %d boot %d", br.Lines, br.BootLine)
		}
		prev := -1
		for _, c := range br.Causes {
			i := indexOf(causeOrder, c.Cause)
			if i <= prev {
				t.Fatalf("causes out of order: %v", causes(br))
			}
			prev = i
			if len(c.Lines) > maxEvidenceLines+1 || len(c.Detail) > maxEvidenceLines {
				t.Fatalf("unbounded evidence: %+v", c)
			}
			for _, l := range c.Lines {
				if l.N < 1 || l.N > br.Lines || strings.ContainsAny(l.Text, "\x1b\r") {
					t.Fatalf("bad evidence line %+v", l)
				}
				if utf8.ValidString(s) && !utf8.ValidString(l.Text) {
					t.Fatalf("evidence broke UTF-8: %q", l.Text)
				}
			}
		}
	})
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func BenchmarkAnalyzeSerial(b *testing.B) {
	c := gcptest.SerialContents("serial-valid-linux-ssh.json") // 312 KB
	b.SetBytes(int64(len(c)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = AnalyzeSerial(c)
	}
}
