package gendocs

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestManPages(t *testing.T) {
	dir := t.TempDir()
	date := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	if err := ManPages(dir, date); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sshdoctor.1", "sshdoctor-check.1", "sshdoctor-server.1", "sshdoctor-vm.1",
		"sshdoctor-gcp.1", "sshdoctor-explain.1", "sshdoctor-version.1", "sshdoctor-completion.1"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		page := string(b)
		if !strings.Contains(page, `.TH "SSHDOCTOR" "1" "Dec 2026"`) || !strings.Contains(page, ".SH NAME") ||
			!strings.Contains(page, ".SH SYNOPSIS") {
			t.Errorf("%s is not a section-1 man page:\n%.300s", name, page)
		}
	}
	// Hidden commands (__complete) get no page.
	if m, _ := filepath.Glob(filepath.Join(dir, "*__complete*")); len(m) > 0 {
		t.Errorf("pages for hidden commands: %v", m)
	}
	// The page renders without warnings where man is installed.
	if _, err := exec.LookPath("man"); err == nil {
		cmd := exec.Command("man", "--warnings", "-E", "UTF-8", "-l", filepath.Join(dir, "sshdoctor-check.1"))
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MAN_KEEP_FORMATTING=0")
		out, err := cmd.CombinedOutput()
		// man may embolden with overstrikes (c BACKSPACE c): keep the last of each.
		text := regexp.MustCompile(".\x08").ReplaceAllString(string(out), "")
		if err != nil || !strings.Contains(text, "--config") || strings.Contains(text, "warning") {
			t.Errorf("man: %v\n%.500s", err, out)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	dir := t.TempDir()
	if err := CompletionScripts(dir); err != nil {
		t.Fatal(err)
	}
	for shell, name := range Completions {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.Contains(string(b), "sshdoctor") || len(b) < 1000 {
			t.Errorf("%s: %v (%d bytes)", shell, err, len(b))
		}
	}
	// bash accepts the script as written.
	if bash, err := exec.LookPath("bash"); err == nil {
		if out, err := exec.Command(bash, "-n", filepath.Join(dir, Completions["bash"])).CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v\n%s", err, out)
		}
	}
}
