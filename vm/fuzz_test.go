package vm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func seedFiles(f *testing.F, glob string) {
	files, _ := filepath.Glob(filepath.Join("testdata", glob))
	if len(files) == 0 {
		f.Fatalf("no seeds for %s", glob)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add([]byte(strings.ReplaceAll(string(b), "\n", "\r\n")))
	}
}

func checkForward(t *testing.T, fw Forward) {
	if fw.HostPort < 0 || fw.HostPort > 65535 || fw.GuestPort < 0 || fw.GuestPort > 65535 {
		t.Fatalf("port out of range: %+v", fw)
	}
	if fw.Proto != "tcp" && fw.Proto != "udp" && fw.Proto != "" {
		// VBoxManage prints "unk" for an unknown protocol: kept as read.
		if fw.Proto != strings.ToLower(fw.Proto) {
			t.Fatalf("protocol not lower-cased: %+v", fw)
		}
	}
}

func checkMachine(t *testing.T, m *Machine) {
	seen := map[int]bool{}
	last := 0
	for _, n := range m.NICs {
		if n.Slot < 1 || n.Slot > 64 || seen[n.Slot] || n.Slot < last {
			t.Fatalf("bad slots: %+v", m.NICs)
		}
		seen[n.Slot], last = true, n.Slot
		if n.Mode == ModeDisabled && len(n.Forwards) > 0 {
			t.Fatalf("a disabled adapter has forwards: %+v", n)
		}
		for _, fw := range n.Forwards {
			checkForward(t, fw)
		}
	}
	// The model must hold on whatever the parser produced.
	for _, from := range []From{FromHost, FromLAN, FromVM} {
		w := &World{From: from, Port: 22, UsedPorts: map[int]bool{}, GOOS: "linux", HostAddrsKnown: true}
		for _, f := range w.NetworkFindings(m) {
			if f.Code == "" {
				t.Fatal("finding without code")
			}
		}
	}
}

func FuzzParseMachineReadable(f *testing.F) {
	seedFiles(f, "showvminfo-*.txt")
	f.Add([]byte("nic1=\"nat\"\nForwarding(0)=\"a,tcp,,1,,22\"\n\"k\\\"ey\"=\"v\\\\\"\ndescription=\"x\ny\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kvs := ParseKV(data)
		for _, kv := range kvs {
			if kv.Key == "" || kv.Line < 1 {
				t.Fatalf("bad pair %+v", kv)
			}
		}
		checkMachine(t, ParseMachineReadable(data))
	})
}

func FuzzParseVBoxXML(f *testing.F) {
	seedFiles(f, "*.vbox")
	seedFiles(f, "*.ovf")
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseVBoxXML(data)
		if err != nil {
			if m != nil {
				t.Fatal("machine with error")
			}
			if !utf8.ValidString(err.Error()) && strings.ContainsRune(err.Error(), '\n') {
				t.Fatalf("error message not one line: %q", err)
			}
			return
		}
		checkMachine(t, m)
	})
}

func FuzzParseLists(f *testing.F) {
	seedFiles(f, "list-*.txt")
	f.Add([]byte("Name: n\nPort-forwarding (ipv4)\n        ssh:tcp:[]:2222:[10.0.2.5]:22\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, n := range ParseNATNets(data) {
			for _, fw := range n.Forwards {
				checkForward(t, fw)
			}
		}
		for _, h := range ParseHostInterfaces(data) {
			if h.Prefix > 32 {
				t.Fatalf("prefix %d", h.Prefix)
			}
		}
		ParseHostOnlyNets(data)
		ParseListVMs(data)
		ParseGuestProperty(data)
		ParseProcNetTCP(data)
		ParseNetworksConf(data)
	})
}

func FuzzParseQEMU(f *testing.F) {
	f.Add("-netdev\x00user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=:[::1]:1-[fd00::1]:2\x00-device\x00e1000,netdev=n0\x00-nic\x00user,,x")
	f.Add("-name\x00guest=a,,b\x00-net\x00user,hostfwd=udp::53-:53\x00--netdev=tap,id=t")
	f.Fuzz(func(t *testing.T, s string) {
		argv := append([]string{"qemu-system-x86_64"}, strings.Split(s, "\x00")...)
		m := ParseQEMUCommandLine(argv)
		checkMachine(t, m)
		for i := range m.NICs {
			n := &m.NICs[i]
			for _, fw := range n.Forwards {
				fixed := fw
				fixed.HostIP = ""
				if cmd := qemuCommandWith(m, n, &fw, fixed); cmd == "" {
					t.Fatal("no command line")
				}
				again, ok := ParseHostFwd(hostFwdSpec(fw))
				if !ok || again.HostPort != fw.HostPort || again.GuestPort != fw.GuestPort || again.HostIP != fw.HostIP {
					t.Fatalf("hostfwd %q does not round-trip: %+v", fw.Raw, again)
				}
			}
		}
	})
}

func BenchmarkParseMachineReadable(b *testing.B) {
	data := fixture(b, fix03)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if m := ParseMachineReadable(data); len(m.NICs) != 8 {
			b.Fatal(len(m.NICs))
		}
	}
}

func BenchmarkParseVBoxXML(b *testing.B) {
	data := fixture(b, "vbox-01-vbox43-settings112-bridged-libvirt.vbox")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseVBoxXML(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseQEMUCommandLine(b *testing.B) {
	argv := []string{"/usr/bin/qemu-system-x86_64", "-name", "guest=web,debug-threads=on", "-machine", "pc-q35-7.2,accel=kvm",
		"-m", "2048", "-smp", "2", "-drive", "file=/var/lib/vm/web.qcow2,if=virtio",
		"-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp::8080-:80", "-device", "virtio-net-pci,netdev=n0"}
	b.ReportAllocs()
	for b.Loop() {
		ParseQEMUCommandLine(argv)
	}
}

func BenchmarkParseProcNetTCP(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
	for i := 0; i < 1000; i++ {
		st := "01"
		if i%10 == 0 {
			st = "0A"
		}
		fmt.Fprintf(&sb, "%4d: 0100007F:%04X 00000000:0000 %s 00000000:00000000 00:00000000 00000000     0        0 %d 1 0000000000000000 100 0 0 10 0\n", i, 1024+i, st, 10000+i)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if ls := ParseProcNetTCP(data); len(ls) != 100 {
			b.Fatal(len(ls))
		}
	}
}
