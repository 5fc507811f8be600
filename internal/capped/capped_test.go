package capped

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

func TestBuffer(t *testing.T) {
	b := New(5)
	n, err := b.Write([]byte("abc"))
	if n != 3 || err != nil || b.Truncated {
		t.Fatal(n, err, b.Truncated)
	}
	n, err = b.Write([]byte("defgh"))
	if n != 5 || err != nil || !b.Truncated || b.String() != "abcde" {
		t.Fatalf("%d %v %v %q", n, err, b.Truncated, b.String())
	}
	if n, err := b.Write([]byte("more")); n != 4 || err != nil {
		t.Fatalf("a write past the cap: %d %v, want 4 nil (dropped, not an error)", n, err)
	}
	if b.String() != "abcde" {
		t.Fatal(b.String())
	}
}

// onlyReader hides a reader's WriterTo, so io.Copy must use the
// destination's ReadFrom (as os/exec does with a pipe).
type onlyReader struct{ io.Reader }

// Every way of writing into the buffer keeps the cap: io.Copy (ReadFrom),
// WriteString, WriteByte, fmt.Fprint.
func TestCapHoldsForEveryWriter(t *testing.T) {
	const max = 4096
	const size = 1 << 20
	ways := map[string]func(b *Buffer){
		"io.Copy":        func(b *Buffer) { _, _ = io.Copy(b, onlyReader{bytes.NewReader(make([]byte, size))}) },
		"io.Copy-direct": func(b *Buffer) { _, _ = io.Copy(b, bytes.NewReader(make([]byte, size))) },
		"ReadFrom":       func(b *Buffer) { _, _ = b.ReadFrom(strings.NewReader(strings.Repeat("x", size))) },
		"WriteString":    func(b *Buffer) { io.WriteString(b, strings.Repeat("x", size)) },
		"WriteByte": func(b *Buffer) {
			for i := 0; i < 2*max; i++ {
				_ = b.WriteByte('x')
			}
		},
		"Fprint": func(b *Buffer) { fmt.Fprint(b, strings.Repeat("y", size)) },
	}
	for name, write := range ways {
		b := New(max)
		write(b)
		if b.Len() != max || !b.Truncated || cap(b.buf) > 2*max+copyChunk {
			t.Errorf("%s: kept %d (cap %d), truncated %v; want %d kept", name, b.Len(), cap(b.buf), b.Truncated, max)
		}
	}
}

// ReadFrom that stays under the cap keeps everything and says nothing was
// cut.
func TestReadFromUnderCap(t *testing.T) {
	b := New(100)
	n, err := b.ReadFrom(onlyReader{strings.NewReader("hello")})
	if n != 5 || err != nil || b.String() != "hello" || b.Truncated {
		t.Fatalf("%d %v %q %v", n, err, b.String(), b.Truncated)
	}
}

// The reproduction: a child writing 50 MB into a 4096-byte cap through
// os/exec (which copies with io.Copy).
func TestExecOutputCapped(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses head and /dev/zero")
	}
	b := New(4096)
	cmd := exec.Command("head", "-c", "50000000", "/dev/zero")
	cmd.Stdout = b
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 4096 || !b.Truncated {
		t.Fatalf("kept %d, truncated %v", b.Len(), b.Truncated)
	}
}

// BenchmarkCopy100MB measures the memory a 100 MB stream costs a 1 MB cap
// (B/op): it must stay near the cap, not the stream.
func BenchmarkCopy100MB(b *testing.B) {
	src := make([]byte, 1<<20)
	b.ReportAllocs()
	b.SetBytes(100 << 20)
	for i := 0; i < b.N; i++ {
		buf := New(1 << 20)
		r := io.MultiReader(repeat(src, 100)...)
		_, _ = io.Copy(buf, onlyReader{r})
		if buf.Len() != 1<<20 {
			b.Fatal(buf.Len())
		}
	}
}

func repeat(p []byte, n int) []io.Reader {
	rs := make([]io.Reader, n)
	for i := range rs {
		rs[i] = bytes.NewReader(p)
	}
	return rs
}
