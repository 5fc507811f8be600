package gcp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }

func clientFor(s *gcptest.Server) *Client {
	env := s.Env()
	ep, err := EndpointsFromEnv(func(k string) string { return env[k] })
	if err != nil {
		panic(err)
	}
	return &Client{Endpoints: ep, Tokens: staticToken(gcptest.Token)}
}

func TestEndpointsFromEnv(t *testing.T) {
	env := map[string]string{
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": "https://private.example/compute/v1",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_IAP":     "http://127.0.0.1:9/",
	}
	ep, err := EndpointsFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if ep.Compute != "https://private.example/compute/v1/" || ep.IAP != "http://127.0.0.1:9/" ||
		ep.OSLogin != "https://oslogin.googleapis.com/" || ep.CRM != "https://cloudresourcemanager.googleapis.com/" {
		t.Fatalf("%+v", ep)
	}
	for _, bad := range []string{"compute.googleapis.com", "ftp://x/", "https://"} {
		env := map[string]string{"CLOUDSDK_API_ENDPOINT_OVERRIDES_OSLOGIN": bad}
		if _, err := EndpointsFromEnv(func(k string) string { return env[k] }); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestClientPagination(t *testing.T) {
	s := gcptest.New(t)
	s.AggregatedPageSize = 1
	s.RoutesPageSize = 1
	s.Instances = append(s.Instances[1:], s.Instances[0]) // the VM on the last page
	c := clientFor(s)
	ctx := context.Background()
	found, err := c.FindInstances(ctx, gcptest.Project, gcptest.VM)
	if err != nil || len(found) != 1 || found[0].Name != gcptest.VM {
		t.Fatalf("FindInstances: %v %+v", err, found)
	}
	routes, err := c.Routes(ctx, "https://www.googleapis.com/compute/v1/"+gcptest.NetworkID)
	if err != nil || len(routes) != 3 {
		t.Fatalf("Routes: %v %d", err, len(routes))
	}
	pages, aggPages := 0, 0
	for _, r := range s.Requests() {
		if strings.Contains(r, "/global/routes") {
			pages++
		}
		if strings.Contains(r, "/aggregated/instances") {
			aggPages++
		}
	}
	if pages != 3 || aggPages != len(s.Instances) {
		t.Errorf("%d route pages, %d instance pages fetched; want 3 and %d", pages, aggPages, len(s.Instances))
	}
}

func TestClientPaginationIsBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"items":[],"nextPageToken":"again"}`))
	}))
	defer srv.Close()
	c := &Client{Endpoints: Endpoints{Compute: srv.URL + "/compute/v1/"}, Tokens: staticToken("t")}
	if _, err := c.Routes(context.Background(), "projects/p/global/networks/n"); err == nil || !strings.Contains(err.Error(), "pages") {
		t.Fatalf("endless pages: %v", err)
	}
}

func TestClientErrors(t *testing.T) {
	s := gcptest.New(t)
	c := clientFor(s)
	ctx := context.Background()
	s.Fail["instances.get"] = gcptest.Forbidden("compute.instances.get", "projects/p/zones/z/instances/i")
	_, err := c.Instance(ctx, gcptest.Project, gcptest.Zone, gcptest.VM)
	e, ok := asAPIError(err)
	if !ok || e.Status != 403 || e.Permission != "compute.instances.get" || e.API != "compute.googleapis.com" || e.Disabled() {
		t.Fatalf("403: %+v", err)
	}
	s.Fail["instances.get"] = gcptest.Disabled("compute.googleapis.com")
	_, err = c.Instance(ctx, gcptest.Project, gcptest.Zone, gcptest.VM)
	if e, _ := asAPIError(err); e == nil || !e.Disabled() {
		t.Fatalf("disabled: %+v", err)
	}
	delete(s.Fail, "instances.get")
	_, err = c.Instance(ctx, gcptest.Project, gcptest.Zone, "gone")
	if !isNotFound(err) {
		t.Fatalf("404: %+v", err)
	}
	c.Tokens = staticToken("wrong")
	_, err = c.Project(ctx, gcptest.Project)
	if e, _ := asAPIError(err); e == nil || e.Status != 401 {
		t.Fatalf("401: %+v", err)
	}
}

func TestParseErrorBody(t *testing.T) {
	e := &APIError{Status: 403}
	parseErrorBody([]byte(`{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"IAM_PERMISSION_DENIED","metadata":{"permission":"oslogin.users.get"}}]}}`), e)
	if e.Permission != "oslogin.users.get" || e.Reason != "IAM_PERMISSION_DENIED" || e.Message != "denied" {
		t.Fatalf("%+v", e)
	}
	e = &APIError{Status: 502}
	parseErrorBody([]byte("<html>Bad Gateway</html>"), e)
	if e.Message != "<html>Bad Gateway</html>" {
		t.Fatalf("%+v", e)
	}
}

func TestClientResponseCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"name":"`))
		chunk := []byte(strings.Repeat("x", 1<<20))
		for i := 0; i < 9; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := &Client{Endpoints: Endpoints{Compute: srv.URL + "/compute/v1/"}, Tokens: staticToken("t")}
	_, err := c.Project(context.Background(), "p")
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("an oversized answer was accepted: %v", err)
	}
}

func TestClientCallTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // a server that never answers
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := &Client{Endpoints: Endpoints{Compute: srv.URL + "/compute/v1/"}, Tokens: staticToken("t"), CallTimeout: 200 * time.Millisecond}
	_, err := c.Project(context.Background(), "p")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a silent server: %v", err)
	}
}

func TestResourcePaths(t *testing.T) {
	u := "https://www.googleapis.com/compute/v1/projects/host-proj/global/networks/shared"
	if resourcePath(u) != "projects/host-proj/global/networks/shared" || projectOf(u) != "host-proj" || lastSegment(u) != "shared" {
		t.Fatal(resourcePath(u), projectOf(u), lastSegment(u))
	}
	if projectOf("nothing") != "" {
		t.Fatal("projectOf of a bare name")
	}
}
