//go:build unix

package inputfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe with no writer, a device, a directory: refused at once
// with a sentence, never a hang.
func TestOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	reg := filepath.Join(dir, "reg")
	if err := os.WriteFile(reg, utf16le("hello\n", true), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(reg, link); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for name, want := range map[string]string{fifo: "is a named pipe", "/dev/zero": "is a device", dir: "is a directory"} {
			_, err := Open(name)
			var nr *NotRegularError
			if !errors.As(err, &nr) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v", name, err)
			}
			if _, _, err := ReadFile(name, 10); err == nil {
				t.Errorf("%s: ReadFile accepted it", name)
			}
			if err := Check(name); err == nil {
				t.Errorf("%s: Check accepted it", name)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("opening a named pipe hung")
	}
	for _, name := range []string{reg, link} {
		b, cut, err := ReadFile(name, 100)
		if err != nil || cut || string(b) != "hello\n" {
			t.Errorf("%s: %q %v %v", name, b, cut, err)
		}
	}
	if b, cut, err := ReadFile(reg, 4); err != nil || !cut || len(b) > 4 {
		t.Errorf("cap: %q %v %v", b, cut, err)
	}
}
