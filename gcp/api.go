package gcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// Endpoints are the base URLs of the APIs sshdoctor reads. Compute is the
// full base ending in "/compute/v1/"; the others are root URLs to which the
// API's version path is appended — exactly how gcloud's
// CLOUDSDK_API_ENDPOINT_OVERRIDES_* properties are written.
type Endpoints struct {
	Compute string
	OSLogin string
	CRM     string
	IAM     string
	IAP     string
	// Monitoring is Cloud Monitoring's root (CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING).
	Monitoring string
	// OrgPolicy is Org Policy v2's root (CLOUDSDK_API_ENDPOINT_OVERRIDES_ORGPOLICY).
	OrgPolicy string
}

// origin is a URL's scheme://host:port, with the default port made
// explicit, so that two spellings of one origin compare equal.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// allows reports whether u is on the origin of one of the endpoints.
func (e Endpoints) allows(u *url.URL) bool {
	want := origin(u)
	for _, base := range []string{e.Compute, e.OSLogin, e.CRM, e.IAM, e.IAP, e.Monitoring, e.OrgPolicy} {
		if b, err := url.Parse(base); err == nil && b.Host != "" && origin(b) == want {
			return true
		}
	}
	return false
}

// noRedirects returns a copy of hc (or of the default client) that never
// follows a redirect: Go's client would carry the Authorization header to
// another port of the same host. A redirect answers as itself (a 3xx), and
// is reported as the API's failure.
func noRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// DefaultEndpoints are Google's public endpoints.
func DefaultEndpoints() Endpoints {
	return Endpoints{
		Compute: "https://compute.googleapis.com/compute/v1/",
		OSLogin: "https://oslogin.googleapis.com/",
		CRM:     "https://cloudresourcemanager.googleapis.com/",
		IAM:     "https://iam.googleapis.com/",
		IAP:     "https://iap.googleapis.com/",

		Monitoring: "https://monitoring.googleapis.com/",
		OrgPolicy:  "https://orgpolicy.googleapis.com/",
	}
}

// EndpointsFromEnv applies CLOUDSDK_API_ENDPOINT_OVERRIDES_{COMPUTE,
// OSLOGIN,CLOUDRESOURCEMANAGER,IAM,IAP} to the defaults. A value must be an
// http or https URL; a missing trailing slash is added.
func EndpointsFromEnv(getenv func(string) string) (Endpoints, error) {
	ep := DefaultEndpoints()
	for _, o := range []struct {
		name string
		dst  *string
	}{
		{"COMPUTE", &ep.Compute}, {"OSLOGIN", &ep.OSLogin}, {"CLOUDRESOURCEMANAGER", &ep.CRM},
		{"IAM", &ep.IAM}, {"IAP", &ep.IAP}, {"MONITORING", &ep.Monitoring}, {"ORGPOLICY", &ep.OrgPolicy},
	} {
		key := "CLOUDSDK_API_ENDPOINT_OVERRIDES_" + o.name
		v := strings.TrimSpace(getenv(key))
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return ep, fmt.Errorf("%s=%q is not an http(s) URL", key, v)
		}
		if !strings.HasSuffix(v, "/") {
			v += "/"
		}
		*o.dst = v
	}
	return ep, nil
}

// API names as a person recognises them, with the service to enable.
const (
	apiCompute   = "compute.googleapis.com"
	apiOSLogin   = "oslogin.googleapis.com"
	apiCRM       = "cloudresourcemanager.googleapis.com"
	apiIAM       = "iam.googleapis.com"
	apiIAP       = "iap.googleapis.com"
	apiMon       = "monitoring.googleapis.com"
	apiOrgPolicy = "orgpolicy.googleapis.com"
)

// DefaultCallTimeout bounds one API request. The Compute API answers in well
// under a second; 20 s rides out a slow or lossy link and a cold TLS
// handshake without leaving a person staring at a silent terminal.
const DefaultCallTimeout = 20 * time.Second

// maxResponseBytes caps one API response. The largest answer read is the
// serial console (a 1 MB buffer, JSON-escaped: ANSI escapes grow to six
// bytes each), so 8 MiB is ample; anything bigger is not an API answer.
const maxResponseBytes = 8 << 20

// maxPages bounds pagination (500 items a page): a project with more than
// 10 000 routes or instances matching one name is not one we can judge.
const maxPages = 20

// APIError is a failed API call: which API and method, the permission the
// call needs, and what the server said.
type APIError struct {
	API        string // e.g. compute.googleapis.com
	Method     string // e.g. instances.get
	Resource   string // what was asked for
	Permission string // the permission the call needs (from the reply when given)
	Status     int    // HTTP status; 0 for a transport error
	Reason     string // e.g. SERVICE_DISABLED, notFound
	Message    string // the server's message (untrusted)
	Err        error  // transport or decoding error
}

func (e *APIError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s %s: %v", e.API, e.Method, e.Err)
	}
	return fmt.Sprintf("%s %s: HTTP %d %s", e.API, e.Method, e.Status, e.Message)
}

func (e *APIError) Unwrap() error { return e.Err }

// Disabled says the API is not enabled in the project.
func (e *APIError) Disabled() bool {
	if e.Status != http.StatusForbidden {
		return false
	}
	r := strings.ToLower(e.Reason)
	m := strings.ToLower(e.Message)
	return r == "service_disabled" || r == "accessnotconfigured" ||
		strings.Contains(m, "has not been used in project") || strings.Contains(m, "is disabled")
}

// TokenSource yields an OAuth access token.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Client calls Google APIs over net/http, read-only: GETs, and POSTs to
// testIamPermissions (which only reads).
type Client struct {
	HTTP      *http.Client
	Endpoints Endpoints
	Tokens    TokenSource
	// CallTimeout bounds each request; zero means DefaultCallTimeout.
	CallTimeout time.Duration

	calls atomic.Int64
}

// Calls is how many requests the client sent.
func (c *Client) Calls() int64 { return c.calls.Load() }

type call struct {
	api, method, resource, permission string
	httpMethod                        string
	url                               string
	body                              any
}

var permissionRE = lazyre.New(`'([a-z]+\.[A-Za-z]+\.[A-Za-z]+)'`)

func (c *Client) do(ctx context.Context, cl call, out any) error {
	timeout := c.CallTimeout
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	apiErr := func(err error) *APIError {
		return &APIError{API: cl.api, Method: cl.method, Resource: cl.resource, Permission: cl.permission, Err: err}
	}
	token, err := c.Tokens.Token(ctx)
	if err != nil {
		return apiErr(err)
	}
	var body io.Reader
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return apiErr(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, cl.httpMethod, cl.url, body)
	if err != nil {
		return apiErr(err)
	}
	// The access token goes only to the API origins configured, exactly
	// (scheme, host and port).
	if !c.Endpoints.allows(req.URL) {
		return apiErr(fmt.Errorf("refusing to send credentials to %s: not a configured API endpoint", origin(req.URL)))
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "sshdoctor")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.calls.Add(1)
	resp, err := noRedirects(c.HTTP).Do(req)
	if err != nil {
		return apiErr(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return apiErr(fmt.Errorf("reading the response: %w", err))
	}
	if len(data) > maxResponseBytes {
		return apiErr(fmt.Errorf("response larger than %d bytes", maxResponseBytes))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := apiErr(nil)
		e.Status = resp.StatusCode
		parseErrorBody(data, e)
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return apiErr(fmt.Errorf("decoding the response: %w", err))
	}
	return nil
}

// parseErrorBody reads Google's error envelope:
// {"error":{"code":403,"message":"…","status":"PERMISSION_DENIED",
// "errors":[{"reason":"forbidden"}],"details":[{"reason":"SERVICE_DISABLED","metadata":{"permission":"…"}}]}}
func parseErrorBody(data []byte, e *APIError) {
	var env struct {
		Error struct {
			Message string `json:"message"`
			Status  string `json:"status"`
			Errors  []struct {
				Reason  string `json:"reason"`
				Message string `json:"message"`
			} `json:"errors"`
			Details []struct {
				Reason   string            `json:"reason"`
				Metadata map[string]string `json:"metadata"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &env) != nil {
		e.Message = strings.TrimSpace(string(data))
		if len(e.Message) > 300 {
			e.Message = e.Message[:300]
		}
		return
	}
	e.Message = env.Error.Message
	e.Reason = env.Error.Status
	for _, x := range env.Error.Errors {
		if x.Reason != "" {
			e.Reason = x.Reason
		}
	}
	for _, d := range env.Error.Details {
		if d.Reason != "" {
			e.Reason = d.Reason
		}
		if p := d.Metadata["permission"]; p != "" {
			e.Permission = p
		}
	}
	if e.Status == http.StatusForbidden {
		if m := permissionRE.FindStringSubmatch(e.Message); m != nil {
			e.Permission = m[1]
		}
	}
}

func (c *Client) compute(path string) string { return c.Endpoints.Compute + path }

func esc(s string) string { return url.PathEscape(s) }

// Instance reads one instance.
func (c *Client) Instance(ctx context.Context, project, zone, name string) (*Instance, error) {
	var out Instance
	res := "projects/" + project + "/zones/" + zone + "/instances/" + name
	err := c.do(ctx, call{api: apiCompute, method: "instances.get", resource: res,
		permission: "compute.instances.get", httpMethod: http.MethodGet,
		url: c.compute("projects/" + esc(project) + "/zones/" + esc(zone) + "/instances/" + esc(name))}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// FindInstances looks for instances named name in every zone (the
// aggregated list, all pages).
func (c *Client) FindInstances(ctx context.Context, project, name string) ([]Instance, error) {
	var found []Instance
	token := ""
	for page := 0; page < maxPages; page++ {
		q := url.Values{}
		q.Set("filter", `name = "`+name+`"`)
		q.Set("maxResults", "500")
		q.Set("returnPartialSuccess", "true")
		if token != "" {
			q.Set("pageToken", token)
		}
		var out InstanceAggregatedList
		err := c.do(ctx, call{api: apiCompute, method: "instances.aggregatedList", resource: "projects/" + project,
			permission: "compute.instances.list", httpMethod: http.MethodGet,
			url: c.compute("projects/" + esc(project) + "/aggregated/instances?" + q.Encode())}, &out)
		if err != nil {
			return nil, err
		}
		for _, scoped := range out.Items {
			for _, in := range scoped.Instances {
				if in.Name == name { // the filter is a hint; decide ourselves
					found = append(found, in)
				}
			}
		}
		if out.NextPageToken == "" {
			sort.Slice(found, func(i, j int) bool { return found[i].Zone < found[j].Zone })
			return found, nil
		}
		token = out.NextPageToken
	}
	return found, &APIError{API: apiCompute, Method: "instances.aggregatedList", Resource: "projects/" + project,
		Err: fmt.Errorf("more than %d pages of instances", maxPages)}
}

// Project reads project-wide metadata.
func (c *Client) Project(ctx context.Context, project string) (*Project, error) {
	var out Project
	err := c.do(ctx, call{api: apiCompute, method: "projects.get", resource: "projects/" + project,
		permission: "compute.projects.get", httpMethod: http.MethodGet,
		url: c.compute("projects/" + esc(project))}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// EffectiveFirewalls reads the firewall rules and policies that apply to
// one NIC.
func (c *Client) EffectiveFirewalls(ctx context.Context, project, zone, name, nic string) (*EffectiveFirewalls, error) {
	var out EffectiveFirewalls
	err := c.do(ctx, call{api: apiCompute, method: "instances.getEffectiveFirewalls",
		resource:   "projects/" + project + "/zones/" + zone + "/instances/" + name,
		permission: "compute.instances.getEffectiveFirewalls", httpMethod: http.MethodGet,
		url: c.compute("projects/" + esc(project) + "/zones/" + esc(zone) + "/instances/" + esc(name) +
			"/getEffectiveFirewalls?networkInterface=" + url.QueryEscape(nic))}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Network reads a VPC network given its URL.
func (c *Client) Network(ctx context.Context, networkURL string) (*Network, error) {
	project, name := projectOf(networkURL), lastSegment(networkURL)
	var out Network
	err := c.do(ctx, call{api: apiCompute, method: "networks.get", resource: resourcePath(networkURL),
		permission: "compute.networks.get", httpMethod: http.MethodGet,
		url: c.compute("projects/" + esc(project) + "/global/networks/" + esc(name))}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Routes lists the routes of a network (all pages).
func (c *Client) Routes(ctx context.Context, networkURL string) ([]Route, error) {
	project := projectOf(networkURL)
	want := resourcePath(networkURL)
	var routes []Route
	token := ""
	for page := 0; page < maxPages; page++ {
		q := url.Values{}
		q.Set("filter", `network = "`+networkURL+`"`)
		q.Set("maxResults", "500")
		if token != "" {
			q.Set("pageToken", token)
		}
		var out RouteList
		err := c.do(ctx, call{api: apiCompute, method: "routes.list", resource: "projects/" + project,
			permission: "compute.routes.list", httpMethod: http.MethodGet,
			url: c.compute("projects/" + esc(project) + "/global/routes?" + q.Encode())}, &out)
		if err != nil {
			return nil, err
		}
		for _, r := range out.Items {
			if resourcePath(r.Network) == want {
				routes = append(routes, r)
			}
		}
		if out.NextPageToken == "" {
			return routes, nil
		}
		token = out.NextPageToken
	}
	return routes, &APIError{API: apiCompute, Method: "routes.list", Resource: "projects/" + project,
		Err: fmt.Errorf("more than %d pages of routes", maxPages)}
}

// SerialOutput reads serial port 1 from the oldest byte still buffered.
func (c *Client) SerialOutput(ctx context.Context, project, zone, name string) (*SerialPortOutput, error) {
	var out SerialPortOutput
	err := c.do(ctx, call{api: apiCompute, method: "instances.getSerialPortOutput",
		resource:   "projects/" + project + "/zones/" + zone + "/instances/" + name,
		permission: "compute.instances.getSerialPortOutput", httpMethod: http.MethodGet,
		url: c.compute("projects/" + esc(project) + "/zones/" + esc(zone) + "/instances/" + esc(name) +
			"/serialPort?port=1&start=0")}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// LoginProfile reads the OS Login profile of account for project.
func (c *Client) LoginProfile(ctx context.Context, account, project string) (*LoginProfile, error) {
	var out LoginProfile
	q := url.Values{"projectId": {project}, "systemId": {"linux"}}
	err := c.do(ctx, call{api: apiOSLogin, method: "users.getLoginProfile", resource: "users/" + account,
		httpMethod: http.MethodGet,
		url:        c.Endpoints.OSLogin + "v1/users/" + esc(account) + "/loginProfile?" + q.Encode()}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Which testIamPermissions to call.
type iamTarget int

const (
	iamInstance iamTarget = iota
	iamProject
	iamServiceAccount
	iamIAPTunnel
)

// TestPermissions returns the subset of perms the caller holds on the
// resource (testIamPermissions never fails for want of a permission).
func (c *Client) TestPermissions(ctx context.Context, t iamTarget, project, zone, name string, perms []string) (map[string]bool, error) {
	var cl call
	cl.httpMethod = http.MethodPost
	cl.body = permissionSet{Permissions: perms}
	switch t {
	case iamInstance:
		cl.api, cl.method = apiCompute, "instances.testIamPermissions"
		cl.resource = "projects/" + project + "/zones/" + zone + "/instances/" + name
		cl.url = c.compute("projects/" + esc(project) + "/zones/" + esc(zone) + "/instances/" + esc(name) + "/testIamPermissions")
	case iamProject:
		cl.api, cl.method = apiCRM, "projects.testIamPermissions"
		cl.resource = "projects/" + project
		cl.url = c.Endpoints.CRM + "v3/projects/" + esc(project) + ":testIamPermissions"
	case iamServiceAccount:
		cl.api, cl.method = apiIAM, "serviceAccounts.testIamPermissions"
		cl.resource = "projects/-/serviceAccounts/" + name
		cl.url = c.Endpoints.IAM + "v1/projects/-/serviceAccounts/" + esc(name) + ":testIamPermissions"
	case iamIAPTunnel:
		cl.api, cl.method = apiIAP, "v1.testIamPermissions"
		cl.resource = "projects/" + project + "/iap_tunnel/zones/" + zone + "/instances/" + name
		cl.url = c.Endpoints.IAP + "v1/projects/" + esc(project) + "/iap_tunnel/zones/" + esc(zone) + "/instances/" + esc(name) + ":testIamPermissions"
	}
	var out permissionSet
	if err := c.do(ctx, cl, &out); err != nil {
		return nil, err
	}
	held := map[string]bool{}
	for _, p := range out.Permissions {
		held[p] = true
	}
	return held, nil
}

// asAPIError unwraps err.
func asAPIError(err error) (*APIError, bool) {
	var e *APIError
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// parseInt64 reads the APIs' string-encoded int64 values.
func parseInt64(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}
