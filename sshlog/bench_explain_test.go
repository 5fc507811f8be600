package sshlog

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time; on a shared machine it
// measures the work better than the wall clock (see cpuMBps).
var cpuTime func() time.Duration

// reportThroughput adds "cpuMB/s" (bytes per CPU second, the figure that
// does not depend on other load) and the heap in use after the run.
func reportThroughput(b *testing.B, bytesPerOp int, cpu0 time.Duration) {
	b.StopTimer()
	if cpuTime != nil {
		if d := cpuTime() - cpu0; d > 0 {
			b.ReportMetric(float64(bytesPerOp)*float64(b.N)/d.Seconds()/1e6, "cpuMB/s")
		}
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heapMB")
}

func benchExplain(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var cpu0 time.Duration
	if cpuTime != nil {
		cpu0 = cpuTime()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Explain([]Input{{Name: "in", R: bytes.NewReader(data)}}, ExplainOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	reportThroughput(b, len(data), cpu0)
}

// BenchmarkExplainRandom: binary junk must cost no more than text.
func BenchmarkExplainRandom(b *testing.B) {
	data := make([]byte, 64<<20)
	rand.New(rand.NewSource(1)).Read(data)
	benchExplain(b, data)
}

// BenchmarkExplainMixed: a large paste of mixed text — the published
// corpus (every wrapper and client) repeated with an auth.log between.
func BenchmarkExplainMixed(b *testing.B) {
	files, _ := filepath.Glob("testdata/corpus/published/*.txt")
	var pasted bytes.Buffer
	for _, f := range files {
		x, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		pasted.Write(x)
	}
	log := benchLog(b, 4<<20)
	var data bytes.Buffer
	for data.Len() < 64<<20 {
		data.Write(pasted.Bytes())
		data.Write(log)
	}
	benchExplain(b, data.Bytes())
}
