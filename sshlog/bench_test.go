package sshlog

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// benchLog builds about size bytes of auth.log from the recorded sshd lines,
// in classic syslog form with sshd/sshd-session identifiers and changing
// pids, clients and users, mixed with other programs' lines.
func benchLog(tb testing.TB, size int) []byte {
	var lines []string
	files, _ := filepath.Glob("testdata/corpus/*/sshd.log")
	for _, p := range files {
		lines = append(lines, strings.Split(strings.TrimSpace(readFile(tb, p)), "\n")...)
	}
	var b bytes.Buffer
	b.Grow(size + 4096)
	for i := 0; b.Len() < size; i++ {
		l := lines[i%len(lines)]
		// Vary user and address so the tables see many keys.
		l = strings.ReplaceAll(l, "127.0.0.1", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		ident := "sshd"
		if i&1 == 1 {
			ident = "sshd-session"
		}
		fmt.Fprintf(&b, "Nov %2d %02d:%02d:%02d web1 %s[%d]: %s\n", 1+i/86400%28, i/3600%24, i/60%60, i%60, ident, 1000+i/4, l)
		if i%5 == 0 {
			fmt.Fprintf(&b, "Nov %2d %02d:%02d:%02d web1 CRON[77]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)\n", 1+i/86400%28, i/3600%24, i/60%60, i%60)
		}
	}
	return b.Bytes()
}

// BenchmarkScanServerLog streams a generated 100 MB auth.log; MB/s comes
// from SetBytes. Memory stays constant: see the heap figure reported.
func BenchmarkScanServerLog(b *testing.B) {
	data := benchLog(b, 100<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	var sum *Summary
	for i := 0; i < b.N; i++ {
		var err error
		sum, err = ScanServerLog(bytes.NewReader(data), ScanOptions{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heapMB")
	if sum.Lines == 0 || sum.Diagnosis == nil {
		b.Fatal("nothing scanned")
	}
}

// BenchmarkExplainAuthLog: the same through explain's routing.
func BenchmarkExplainAuthLog(b *testing.B) {
	benchExplain(b, benchLog(b, 20<<20))
}

var _ = io.Discard
