//go:build unix

package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The same walk on a real directory tree (modes only: no root needed).
func TestSafePathRealTree(t *testing.T) {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	sshDir := filepath.Join(home, ".ssh")
	ak := filepath.Join(sshDir, "authorized_keys")
	if err := os.MkdirAll(sshDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ak, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{root, home} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	uid := uint32(os.Getuid())
	db := &accountDB{}
	if v := safePath(osStatter{}, ak, home, upstreamRule(uid, db)); v != nil {
		t.Fatalf("healthy tree refused: %s", v.LogMessage())
	}
	if err := os.Chmod(sshDir, 0o777); err != nil {
		t.Fatal(err)
	}
	v := safePath(osStatter{}, ak, home, upstreamRule(uid, db))
	if v == nil || v.Path != sshDir || !strings.Contains(v.Problem.Why, "mode 0777") {
		t.Fatalf("0777 .ssh: %+v", v)
	}
	if err := os.Chmod(sshDir, 0o700); err != nil {
		t.Fatal(err)
	}
	// A symlinked file is judged at its real path.
	real := filepath.Join(root, "real_keys")
	if err := os.WriteFile(real, []byte("x\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(real, 0o666); err != nil { // past the umask
		t.Fatal(err)
	}
	os.Remove(ak)
	if err := os.Symlink(real, ak); err != nil {
		t.Fatal(err)
	}
	v = safePath(osStatter{}, ak, home, upstreamRule(uid, db))
	if v == nil || v.Path != real || v.IsDir {
		t.Fatalf("symlink: %+v", v)
	}
}
