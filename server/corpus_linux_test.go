//go:build linux

package server

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/sshlog"
)

// corpusCompared are the settings compared between sshd -T -C and
// sshdoctor's own reader (used when sshd -T cannot run, as a plain user).
var corpusCompared = append([]string{"ChrootDirectory", "ForceCommand", "AddressFamily"}, decisionKeywords...)

var lineRefRE = regexp.MustCompile(`^(.+?):? line (\d+): `)

// TestCorpusReaderAgreesWithSSHD runs every real sshd_config of the corpus
// (testdata/corpus, sources in SOURCES) through the real `sshd -T -C` and
// through sshdoctor's reader, for the same connection. Where sshd accepts
// the file, the settings that decide logins must agree; where it rejects
// it, the classifier must name the file and line sshd names.
func TestCorpusReaderAgreesWithSSHD(t *testing.T) {
	sshd := "/usr/sbin/sshd"
	if _, err := os.Stat(sshd); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sshd is not installed")
		}
		t.Skip("sshd is not installed")
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/corpus/*.conf")
	if len(files) < 40 {
		t.Fatalf("corpus has %d server configs, want at least 40", len(files))
	}
	dir := t.TempDir()
	hk := filepath.Join(dir, "hostkey")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hk).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	conn := ConnInfo{User: "root", Groups: []string{"root"}, Host: "198.18.0.9", Addr: "198.18.0.9", AddrKnown: true, LPort: 22}
	spec := "user=root,host=198.18.0.9,addr=198.18.0.9,lport=22"
	accepted, rejected, disagree := 0, 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(cfg, b, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, sshd, "-T", "-f", cfg, "-h", hk, "-C", spec)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		runErr := cmd.Run()
		cancel()
		if runErr != nil {
			rejected++
			named := false
			for _, l := range strings.Split(errb.String(), "\n") {
				l = strings.TrimSpace(l)
				m := lineRefRE.FindStringSubmatch(l)
				if m == nil || m[1] != cfg || deprecatedRE.MatchString(l) {
					continue // warnings come before the error
				}
				ev, ok := sshlog.ClassifyServerLine(l)
				if !ok || ev.Code == "" {
					t.Errorf("%s: sshd says %q: not classified", filepath.Base(f), l)
					continue
				}
				named = named || strings.Contains(ev.FileLine, m[2])
			}
			t.Logf("%s: sshd rejects it: %s", filepath.Base(f), strings.TrimSpace(firstLine(errb.String())))
			if lineRefRE.MatchString(errb.String()) && !named {
				t.Errorf("%s: no finding names the line sshd names: %s", filepath.Base(f), errb.String())
			}
			continue
		}
		accepted++
		want := ParseSSHDT(&out)
		file, err := ReadConfigFile(cfg, conn)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		got := withDefaults(file.Settings)
		for _, kw := range corpusCompared {
			k := strings.ToLower(kw)
			w, g := normSSHD(k, want[k]), normSSHD(k, got[k])
			if w != g {
				disagree++
				t.Errorf("%s: %s: sshd -T %q, reader %q", filepath.Base(f), kw, w, g)
			}
		}
	}
	t.Logf("%d files: %d accepted, %d rejected by sshd; %d disagreements", len(files), accepted, rejected, disagree)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// normSSHD puts a value list in one comparable form: lower-case keyword
// values, sorted where order does not matter.
func normSSHD(k string, v []string) string {
	vals := append([]string(nil), v...)
	switch k {
	case "listenaddress", "allowusers", "denyusers", "allowgroups", "denygroups", "port":
		sort.Strings(vals)
	}
	s := strings.Join(vals, " ")
	if k == "permitrootlogin" && s == "prohibit-password" {
		s = "without-password" // one setting, two names (sshd -T prints the first)
	}
	switch k {
	case "allowusers", "denyusers", "allowgroups", "denygroups", "authorizedkeysfile", "forcecommand", "chrootdirectory", "authorizedkeyscommand":
		return s
	}
	return strings.ToLower(s)
}
