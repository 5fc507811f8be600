package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// testVersion is the version the test publishes to its own module proxy.
const testVersion = "v0.99.0"

// `go install github.com/sshdoctor/sshdoctor/cmd/sshdoctor@VERSION`, the
// documented install, works on a machine that has never seen the module:
// the repository is published as a module zip to a file:// proxy in a
// temporary directory, and go install resolves the module path, fetches it
// (its dependencies from the local module download cache, so no network),
// builds it and installs it. The installed binary reports the version it
// was installed at.
func TestGoInstallFromModuleProxy(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go install needs the go command on PATH: %v", err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	modPath := modfile.ModulePath(gomod)
	if modPath != "github.com/sshdoctor/sshdoctor" {
		t.Fatalf("module path %q: go install github.com/sshdoctor/sshdoctor/cmd/sshdoctor@latest would not find it", modPath)
	}
	depCache := strings.TrimSpace(goEnv(t, goBin, "GOMODCACHE"))

	tmp := t.TempDir()
	proxy := filepath.Join(tmp, "proxy")
	mv := module.Version{Path: modPath, Version: testVersion}
	escaped, err := module.EscapePath(modPath)
	if err != nil {
		t.Fatal(err)
	}
	vdir := filepath.Join(proxy, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	if err := zip.CreateFromDir(&z, mv, root); err != nil {
		t.Fatalf("the repository is not a valid module zip: %v", err)
	}
	info, _ := json.Marshal(map[string]string{"Version": testVersion, "Time": time.Now().UTC().Format(time.RFC3339)})
	for name, data := range map[string][]byte{
		"list":                []byte(testVersion + "\n"),
		testVersion + ".info": info,
		testVersion + ".mod":  gomod,
		testVersion + ".zip":  z.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(vdir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	modCache := filepath.Join(tmp, "modcache")
	gobin := filepath.Join(tmp, "bin")
	t.Cleanup(func() {
		// The module cache is read-only by design; go clean removes it.
		c := exec.Command(goBin, "clean", "-modcache")
		c.Env = append(os.Environ(), "GOMODCACHE="+modCache, "GOFLAGS=")
		if out, err := c.CombinedOutput(); err != nil {
			t.Logf("go clean -modcache: %v %s", err, out)
		}
	})
	env := append(os.Environ(),
		"GOPROXY="+fileURL(proxy)+","+fileURL(filepath.Join(depCache, "cache", "download")),
		"GOMODCACHE="+modCache, "GOPATH="+filepath.Join(tmp, "gopath"), "GOBIN="+gobin,
		"GOSUMDB=off", "GONOSUMDB=*", "GOPRIVATE=", "GOFLAGS=", "GOTOOLCHAIN=local", "GOWORK=off")
	for _, target := range []string{modPath + "/cmd/sshdoctor@" + testVersion, modPath + "/cmd/sshdoctor@latest"} {
		cmd := exec.Command(goBin, "install", target)
		cmd.Dir = tmp // outside any module
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go install %s: %v\n%s", target, err, out)
		}
		exe := filepath.Join(gobin, "sshdoctor")
		if runtime.GOOS == "windows" {
			exe += ".exe"
		}
		out, err := exec.Command(exe, "--version").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "sshdoctor "+testVersion+" (") {
			t.Fatalf("installed %s --version: %v %q", target, err, out)
		}
		if err := os.Remove(exe); err != nil {
			t.Fatal(err)
		}
	}
}

func goEnv(t *testing.T, goBin, key string) string {
	t.Helper()
	out, err := exec.Command(goBin, "env", key).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return string(out)
}

func fileURL(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x → /C:/x
	}
	return "file://" + p
}
