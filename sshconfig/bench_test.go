package sshconfig

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkFallbackCorpus reads every real config of the corpus with the
// fallback parser, once per iteration.
func BenchmarkFallbackCorpus(b *testing.B) {
	files, _ := filepath.Glob("testdata/corpus/*.conf")
	if len(files) == 0 {
		b.Fatal("no corpus")
	}
	home := b.TempDir()
	var size int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			if _, _, err := Fallback(Request{Host: "sshdoctor-corpus.example", ConfigFile: f}, home); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkSplitArgs(b *testing.B) {
	line := `"/Users/a b/known_hosts" ~/.ssh/known_hosts2 /etc/ssh/ssh_known_hosts\ x # comment`
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SplitArgs(line, true); err != nil {
			b.Fatal(err)
		}
	}
}
