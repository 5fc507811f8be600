package gcp

import (
	"context"
	"errors"
	"fmt"
	"github.com/sshdoctor/sshdoctor/internal/capped"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2/google"
)

// Credentials, in gcloud's spirit: an access token from the file named by
// CLOUDSDK_AUTH_ACCESS_TOKEN_FILE; else Application Default Credentials;
// else `gcloud auth print-access-token`. When the account was named with
// --account, ADC is skipped: only gcloud can act as a chosen account.

// cloudPlatformScope covers Compute, OS Login, IAM, IAP and Resource Manager.
const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

// gcloudTimeout bounds `gcloud auth print-access-token`: gcloud is a Python
// program (one to three seconds to start) that may refresh its token over
// the network; 20 s covers both on a slow machine.
const gcloudTimeout = 20 * time.Second

// maxTokenBytes caps a token file or gcloud's output: access tokens are a
// few hundred bytes.
const maxTokenBytes = 64 << 10

// ErrNoCredentials means every source was tried and none gave a token.
var ErrNoCredentials = errors.New("no Google credentials found")

// CredentialSource says where a token came from.
type CredentialSource struct {
	Kind   string // "token_file", "adc", "gcloud"
	Detail string // the file or command
}

// Credentials is the chain; it resolves once and then serves the token.
type Credentials struct {
	Getenv  func(string) string
	Gcloud  string // the gcloud command ("gcloud" when empty)
	Account string // passed to gcloud when set
	SkipADC bool   // --account given: only gcloud can honour it
	// ADC finds Application Default Credentials; nil means the real
	// golang.org/x/oauth2/google lookup.
	ADC func(ctx context.Context) (token, detail string, err error)

	once   sync.Once
	token  string
	source CredentialSource
	err    error
	tried  []string
}

// Token implements TokenSource.
func (c *Credentials) Token(ctx context.Context) (string, error) {
	c.once.Do(func() { c.resolve(ctx) })
	return c.token, c.err
}

// Source returns where the token came from.
func (c *Credentials) Source() CredentialSource { return c.source }

// Tried lists what was tried and why each failed.
func (c *Credentials) Tried() []string { return c.tried }

func (c *Credentials) resolve(ctx context.Context) {
	getenv := c.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if path := getenv("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"); path != "" {
		tok, err := readTokenFile(path)
		if err != nil {
			// gcloud stops here too: a named file that cannot be read is an error
			c.err = fmt.Errorf("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=%s: %w", path, err)
			c.tried = append(c.tried, c.err.Error())
			return
		}
		c.token, c.source = tok, CredentialSource{Kind: "token_file", Detail: path}
		return
	}
	if !c.SkipADC {
		adc := c.ADC
		if adc == nil {
			adc = findADC
		}
		tok, detail, err := adc(ctx)
		if err == nil && tok != "" {
			c.token, c.source = tok, CredentialSource{Kind: "adc", Detail: detail}
			return
		}
		if err != nil {
			c.tried = append(c.tried, "application default credentials: "+oneLineErr(err))
		}
	}
	tok, cmd, err := gcloudToken(ctx, c.Gcloud, c.Account)
	if err == nil {
		c.token, c.source = tok, CredentialSource{Kind: "gcloud", Detail: cmd}
		return
	}
	c.tried = append(c.tried, cmd+": "+oneLineErr(err))
	c.err = ErrNoCredentials
}

func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxTokenBytes {
		return "", fmt.Errorf("larger than %d bytes: not an access token", maxTokenBytes)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
		return "", errors.New("does not hold one access token")
	}
	return tok, nil
}

// findADC is golang.org/x/oauth2/google's Application Default Credentials.
func findADC(ctx context.Context) (string, string, error) {
	creds, err := google.FindDefaultCredentials(ctx, cloudPlatformScope)
	if err != nil {
		return "", "", err
	}
	type res struct {
		tok string
		err error
	}
	ch := make(chan res, 1)
	go func() {
		t, err := creds.TokenSource.Token()
		if err != nil {
			ch <- res{err: err}
			return
		}
		ch <- res{tok: t.AccessToken}
	}()
	detail := "application default credentials"
	if f := os.Getenv("GOOGLE_APPLICATION_CREDENTIALS"); f != "" {
		detail += " (" + f + ")"
	}
	select {
	case r := <-ch:
		return r.tok, detail, r.err
	case <-ctx.Done():
		return "", detail, ctx.Err()
	}
}

func gcloudToken(ctx context.Context, gcloud, account string) (string, string, error) {
	if gcloud == "" {
		gcloud = "gcloud"
	}
	args := []string{"auth", "print-access-token", "--quiet"}
	if account != "" {
		args = append(args, account)
	}
	display := "gcloud " + strings.Join(args, " ")
	path, err := exec.LookPath(gcloud)
	if err != nil {
		return "", display, errors.New("gcloud is not installed (not found in PATH)")
	}
	ctx, cancel := context.WithTimeout(ctx, gcloudTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	out := capped.New(maxTokenBytes)
	errOut := capped.New(4096)
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", display, fmt.Errorf("no answer within %s", gcloudTimeout)
		}
		msg := strings.TrimSpace(errOut.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", display, errors.New(msg)
	}
	tok := strings.TrimSpace(out.String())
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
		return "", display, errors.New("printed no token")
	}
	return tok, display, nil
}

func oneLineErr(err error) string {
	s := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
