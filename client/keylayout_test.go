//go:build !windows

package client_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// An OpenSSH private key with a byte-order mark, a blank line or spaces
// before its BEGIN line, or no line break after its END line, is one that
// the real ssh-keygen (and so ssh) cannot load, though x/crypto's reader
// takes it. sshdoctor says so, and the fix it prints for this system,
// run as it is, gives a file ssh-keygen reads.
func TestKeyLayoutAgreesWithOpenSSH(t *testing.T) {
	for _, tool := range []string{"ssh-keygen", "perl", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig")
	if out, err := exec.Command("ssh-keygen", "-q", "-N", "", "-t", "ed25519", "-f", orig).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	good, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	sshReads := func(path string) bool {
		return exec.Command("ssh-keygen", "-y", "-f", path).Run() == nil
	}
	cases := map[string][]byte{
		"no-final-newline": bytes.TrimRight(good, "\n"),
		"blank-line-first": append([]byte("\n"), good...),
		"byte-order-mark":  append([]byte("\xef\xbb\xbf"), good...),
		"indented":         append([]byte("  "), good...),
		"crlf-and-bom":     append([]byte("\xef\xbb\xbf"), bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n"))...),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+" key")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if sshReads(path) {
				t.Fatalf("the real ssh-keygen reads it: the case proves nothing")
			}
			kf := sshwire.LoadKeyFile(path)
			if kf.Private != sshwire.PrivLayout && kf.Private != sshwire.PrivCRLF {
				t.Fatalf("classified %s (%s), ssh cannot read it", kf.Private, kf.Detail)
			}
			fixes := catalog.FixesFor("key.invalid_format", catalog.Params{catalog.ParamOS: runtime.GOOS, "path": path, "perm_layout": path})
			if len(fixes) == 0 || fixes[0].Command == "" {
				t.Fatalf("no command: %+v", fixes)
			}
			cmd := fixes[0].Command
			if out, err := exec.Command("sh", "-c", cmd).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v %s", cmd, err, out)
			}
			if !sshReads(path) {
				t.Fatalf("after %s ssh-keygen still cannot read it", cmd)
			}
			if kf := sshwire.LoadKeyFile(path); kf.Private != sshwire.PrivOK {
				t.Errorf("after the fix: %s (%s)", kf.Private, kf.Detail)
			}
		})
	}
	// A well-formed key is left as it is by the fix given when the cause
	// is not known (explain's), and stays readable.
	maybe := ""
	for _, f := range catalog.FixesFor("key.invalid_format", catalog.Params{catalog.ParamOS: runtime.GOOS, "path": orig, "perm_key_check": orig}) {
		if f.Key == "fix.key_fix_layout_maybe" {
			maybe = f.Command
		}
	}
	if out, err := exec.Command("sh", "-c", maybe).CombinedOutput(); err != nil || !strings.Contains(string(out), "ssh-ed25519 ") {
		t.Fatalf("%q on a good key: %v %s", maybe, err, out)
	}
	if after, _ := os.ReadFile(orig); !bytes.Equal(after, good) {
		t.Errorf("a good key was changed:\n%q\n%q", good, after)
	}
}
