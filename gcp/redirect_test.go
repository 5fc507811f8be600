package gcp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/report"
)

// The reproduction: the API answers with a redirect to the same host on
// another port. Go's client would follow it with the Authorization header;
// the token must reach the configured origin only.
func TestTokenNeverFollowsRedirect(t *testing.T) {
	var leaked atomic.Value
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("Authorization"))
		w.Write([]byte(`{}`))
	}))
	defer target.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer api.Close()
	c := &Client{Endpoints: Endpoints{Compute: api.URL + "/compute/v1/"}, Tokens: staticToken("secret-token")}
	_, err := c.Instance(context.Background(), "p", "z", "vm")
	if v, _ := leaked.Load().(string); v != "" {
		t.Fatalf("the token followed the redirect: %q", v)
	}
	if e, ok := asAPIError(err); !ok || e.Status != http.StatusTemporaryRedirect {
		t.Fatalf("a redirect should fail the call as itself: %v", err)
	}
}

// A URL outside the configured origins never gets the token, whatever
// builds it.
func TestTokenOnlyToConfiguredOrigins(t *testing.T) {
	var got atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
	}))
	defer other.Close()
	c := &Client{Endpoints: Endpoints{Compute: "http://127.0.0.1:1/compute/v1/"}, Tokens: staticToken("secret-token")}
	err := c.do(context.Background(), call{api: "compute.googleapis.com", httpMethod: "GET", url: other.URL + "/x"}, nil)
	if v, _ := got.Load().(string); v != "" || err == nil {
		t.Fatalf("token sent to %s: %q (%v)", other.URL, v, err)
	}
	ep := DefaultEndpoints()
	for u, want := range map[string]bool{
		"https://compute.googleapis.com/compute/v1/projects/p":     true,
		"https://COMPUTE.googleapis.com:443/compute/v1/projects/p": true,
		"https://compute.googleapis.com:8443/compute/v1/":          false,
		"http://compute.googleapis.com/compute/v1/":                false,
		"https://compute.googleapis.com.evil.example/":             false,
	} {
		pu, _ := http.NewRequest("GET", u, nil)
		if ep.allows(pu.URL) != want {
			t.Errorf("%s: allowed %v", u, !want)
		}
	}
}

// Endless pagination names the call that never ended, and no finding
// about a failed call has a hole where a value was missing.
func TestFailedCallSentenceHasNoHoles(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"items":[],"nextPageToken":"again"}`))
	}))
	defer srv.Close()
	r := New(Options{})
	r.api = &Client{Endpoints: Endpoints{Compute: srv.URL + "/compute/v1/"}, Tokens: staticToken("t")}
	_, err := r.api.Routes(context.Background(), "projects/p/global/networks/n")
	for _, e := range []error{err, errors.New("something else")} {
		f := r.apiFinding(e, diag.SevWarning)
		rf := report.RenderFinding(catalog.EN, f)
		if strings.Contains(rf.Title, "?") || strings.Contains(rf.Title, "{") {
			t.Errorf("title with a hole: %q", rf.Title)
		}
	}
	if f := r.apiFinding(err, diag.SevWarning); f.Args["method"] != "routes.list" {
		t.Errorf("the endless call is not named: %+v", f.Args)
	}
}
