package gcp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func failADC(context.Context) (string, string, error) {
	return "", "", errors.New("google: could not find default credentials")
}

func TestCredentialsTokenFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "tok")
	if err := os.WriteFile(good, []byte("  ya29.abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	adcCalled := false
	c := &Credentials{Getenv: envOf(map[string]string{"CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": good}),
		ADC: func(context.Context) (string, string, error) { adcCalled = true; return "adc", "", nil }}
	tok, err := c.Token(context.Background())
	if err != nil || tok != "ya29.abc" || c.Source().Kind != "token_file" || adcCalled {
		t.Fatalf("%q %v %+v adc=%v", tok, err, c.Source(), adcCalled)
	}
	for name, content := range map[string][]byte{"empty": {}, "two": []byte("a b"), "big": make([]byte, maxTokenBytes+1)} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
		c := &Credentials{Getenv: envOf(map[string]string{"CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": p}), ADC: failADC}
		if _, err := c.Token(context.Background()); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCredentialsADCThenGcloud(t *testing.T) {
	c := &Credentials{Getenv: envOf(nil), ADC: func(context.Context) (string, string, error) { return "ya29.adc", "adc file", nil }}
	if tok, err := c.Token(context.Background()); err != nil || tok != "ya29.adc" || c.Source().Kind != "adc" {
		t.Fatalf("%q %v", tok, err)
	}
	// nothing at all: a clear error listing what was tried
	c = &Credentials{Getenv: envOf(nil), ADC: failADC, Gcloud: filepath.Join(t.TempDir(), "absent")}
	if _, err := c.Token(context.Background()); err != ErrNoCredentials || len(c.Tried()) != 2 ||
		!strings.Contains(strings.Join(c.Tried(), "\n"), "gcloud is not installed") {
		t.Fatalf("%v %q", err, c.Tried())
	}
}

// A service-account key file found through GOOGLE_APPLICATION_CREDENTIALS,
// exchanged for a token at its token_uri (a local stand-in): the real
// golang.org/x/oauth2/google path, without leaving the machine.
func TestRealADCWithServiceAccountFile(t *testing.T) {
	var gotGrant string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		gotGrant = r.Form.Get("grant_type")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"ya29.from-adc","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	sa, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "p", "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": "diag@p.iam.gserviceaccount.com", "client_id": "1", "token_uri": srv.URL + "/token",
	})
	path := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(path, sa, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
	tok, detail, err := findADC(context.Background())
	if err != nil || tok != "ya29.from-adc" || !strings.Contains(detail, path) {
		t.Fatalf("%q %q %v", tok, detail, err)
	}
	if gotGrant != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		t.Errorf("grant %q", gotGrant)
	}
}

func TestConfigDefaults(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "configurations"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "active_config"), []byte("default"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "configurations", "config_default"), []byte("[core]\nproject = def-proj\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "configurations", "config_other"), []byte(
		"# comment\n; another\n[core]\naccount: eve@example.com\nproject=other-proj\n[compute]\nzone = us-west1-b\nregion = us-west1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	get := func(m map[string]string) Defaults {
		m["CLOUDSDK_CONFIG"] = dir
		return ResolveDefaults("", "", "", envOf(m), "")
	}
	if d := get(map[string]string{}); d.Project.Value != "def-proj" || d.Zone.Value != "" {
		t.Fatalf("active_config: %+v", d)
	}
	d := get(map[string]string{"CLOUDSDK_ACTIVE_CONFIG_NAME": "other"})
	if d.Project.Value != "other-proj" || d.Zone.Value != "us-west1-b" || d.Account.Value != "eve@example.com" ||
		!strings.HasSuffix(d.Project.Source, "config_other") {
		t.Fatalf("named config: %+v", d)
	}
	if d := get(map[string]string{"CLOUDSDK_ACTIVE_CONFIG_NAME": "../../etc/passwd"}); d.Project.Value != "" {
		t.Fatalf("a path as a configuration name was read: %+v", d)
	}
	// home fallback
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".config", "gcloud", "configurations"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".config", "gcloud", "configurations", "config_default"), []byte("[core]\nproject = home-proj\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if d := ResolveDefaults("", "", "", envOf(nil), home); d.Project.Value != "home-proj" {
		t.Fatalf("home: %+v", d)
	}
}
