//go:build !windows

package gcp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A stand-in gcloud (a shell script) exercises the real exec path: the
// arguments, stdout, stderr and the deadline.
func fakeGcloud(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gcloud")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCredentialsGcloud(t *testing.T) {
	argsFile := filepath.Join(t.TempDir(), "args")
	g := fakeGcloud(t, `echo "$@" > `+argsFile+`; echo ya29.from-gcloud`)
	c := &Credentials{Getenv: envOf(nil), Gcloud: g, Account: "bob@example.com", SkipADC: true,
		ADC: func(context.Context) (string, string, error) { t.Error("ADC used with --account"); return "", "", nil }}
	tok, err := c.Token(context.Background())
	if err != nil || tok != "ya29.from-gcloud" || c.Source().Kind != "gcloud" {
		t.Fatalf("%q %v", tok, err)
	}
	args, _ := os.ReadFile(argsFile)
	if strings.TrimSpace(string(args)) != "auth print-access-token --quiet bob@example.com" {
		t.Fatalf("gcloud ran with %q", args)
	}

	g = fakeGcloud(t, `echo "ERROR: (gcloud.auth.print-access-token) You do not currently have an active account selected." >&2; exit 1`)
	c = &Credentials{Getenv: envOf(nil), Gcloud: g, ADC: failADC}
	if _, err := c.Token(context.Background()); err != ErrNoCredentials ||
		!strings.Contains(strings.Join(c.Tried(), "\n"), "You do not currently have an active account") {
		t.Fatalf("%v %q", err, c.Tried())
	}
}

func TestCredentialsGcloudHangs(t *testing.T) {
	g := fakeGcloud(t, `sleep 30; echo late`)
	c := &Credentials{Getenv: envOf(nil), Gcloud: g, ADC: failADC}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := c.Token(ctx); err != ErrNoCredentials || !strings.Contains(strings.Join(c.Tried(), ""), "no answer") {
		t.Fatalf("%v %q", err, c.Tried())
	}
}
