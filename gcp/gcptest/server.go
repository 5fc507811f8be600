// Package gcptest is a stand-in for the Google APIs `sshdoctor gcp` reads,
// for tests: an httptest server that answers in the real APIs' shapes,
// starting from responses recorded from live projects (testdata/, see
// SOURCES.md), reached the way users reach private endpoints — through
// CLOUDSDK_API_ENDPOINT_OVERRIDES_* — with the token in
// CLOUDSDK_AUTH_ACCESS_TOKEN_FILE.
//
// A test starts from a healthy world (a running Linux VM with an external
// address, the default network's firewall, a default route, a clean boot,
// the test key in project metadata, every permission granted) and breaks
// one thing. The server records every request and refuses anything that
// could change a resource, so tests also prove that sshdoctor only reads.
package gcptest

import (
	"crypto/ed25519"
	"embed"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

//go:embed testdata/*.json
var fixtures embed.FS

// Fixture returns a recorded response by file name.
func Fixture(name string) []byte {
	b, err := fixtures.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	return b
}

// SerialContents returns the "contents" of a recorded serial-port answer.
func SerialContents(name string) string {
	var v struct {
		Contents string `json:"contents"`
	}
	if err := json.Unmarshal(Fixture(name), &v); err != nil {
		panic(err)
	}
	return v.Contents
}

// JSON is a decoded JSON object.
type JSON = map[string]any

func decode(b []byte) JSON {
	var v JSON
	if err := json.Unmarshal(b, &v); err != nil {
		panic(err)
	}
	return v
}

// Names of the world.
const (
	Project   = "gcpdiag-gce-faultyssh-runbook"
	Zone      = "europe-west2-a"
	VM        = "valid-linux-ssh"
	Token     = "ya29.sshdoctor-test-token"
	Account   = "alice@example.com"
	ExtIP     = "34.78.171.82"
	TestUser  = "alice"
	linkBase  = "https://www.googleapis.com/compute/v1/"
	NetworkID = "projects/" + Project + "/global/networks/default"
)

// Failure is a forced error answer for one API method.
type Failure struct {
	Status int
	Body   string
}

// Forbidden is Compute's answer to a missing permission.
func Forbidden(perm, resource string) Failure {
	msg := fmt.Sprintf("Required '%s' permission for '%s'", perm, resource)
	return Failure{403, errorBody(403, msg, "forbidden")}
}

// NotFound is Compute's answer for a missing resource.
func NotFound(resource string) Failure {
	msg := fmt.Sprintf("The resource '%s' was not found", resource)
	return Failure{404, errorBody(404, msg, "notFound")}
}

// Disabled is the answer of an API not enabled in the project.
func Disabled(service string) Failure {
	msg := service + " API has not been used in project 12345601 before or it is disabled."
	b, _ := json.Marshal(JSON{"error": JSON{"code": 403, "message": msg, "status": "PERMISSION_DENIED",
		"details": []any{JSON{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
			"domain": "googleapis.com", "metadata": JSON{"service": service}}}}})
	return Failure{403, string(b)}
}

func errorBody(code int, msg, reason string) string {
	b, _ := json.Marshal(JSON{"error": JSON{"code": code, "message": msg,
		"errors": []any{JSON{"message": msg, "domain": "global", "reason": reason}}}})
	return string(b)
}

// Server is the stand-in.
type Server struct {
	URL string
	srv *httptest.Server

	mu sync.Mutex
	// Instances in every zone; Instances[0] is the VM under test.
	Instances []JSON
	// ProjectDoc is projects.get.
	ProjectDoc JSON
	// Firewalls is instances.getEffectiveFirewalls.
	Firewalls JSON
	// Network is networks.get.
	Network JSON
	// Routes are routes.list items, served RoutesPageSize a page (0: all).
	Routes         []any
	RoutesPageSize int
	// AggregatedPageSize: instances per aggregated-list page (0: all).
	AggregatedPageSize int
	// Serial is the serial console text per instance name.
	Serial map[string]string
	// Granted permissions per resource kind: "instance", "project",
	// "serviceAccount", "iap".
	Granted map[string]map[string]bool
	// LoginProfile is OS Login's answer (nil: 404).
	LoginProfile JSON
	// Fail forces an answer for a method ("instances.get", "projects.get",
	// "instances.getEffectiveFirewalls", "networks.get", "routes.list",
	// "instances.getSerialPortOutput", "instances.aggregatedList",
	// "users.getLoginProfile", "instances.testIamPermissions",
	// "projects.testIamPermissions", "serviceAccounts.testIamPermissions",
	// "iap.testIamPermissions").
	Fail map[string]Failure
	// AllowWrites lets firewalls.insert, firewalls.delete and
	// instances.setTags through (for --fix); otherwise every write is a
	// violation.
	AllowWrites bool

	// GuestAttributes are the VM's guest attributes, "namespace/key" →
	// value; nil answers as an instance without enable-guest-attributes.
	GuestAttributes map[string]string
	// OrgPolicies are effective policy specs by constraint (Org Policy v2
	// shape: {"rules": [{"enforce": true}]}); absent: no rule.
	OrgPolicies map[string]JSON
	// Metrics are Cloud Monitoring series by metric type (see Series).
	Metrics map[string][]JSON

	requests   []string
	violations []string
	writes     []string
	dir        string
}

// New starts a healthy world. It is closed at the end of the test.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{dir: t.TempDir(), Fail: map[string]Failure{}, Serial: map[string]string{}}
	list := decode(Fixture("compute-instances-europe-west2-a.json"))
	var vm JSON
	for _, it := range list["items"].([]any) {
		in := it.(JSON)
		if in["name"] == VM {
			vm = in
		} else {
			s.Instances = append(s.Instances, in)
		}
	}
	// The recorded VM has no external address; give it the access config
	// shape the API uses (recorded on another VM of the same dumps).
	nic := vm["networkInterfaces"].([]any)[0].(JSON)
	nic["accessConfigs"] = []any{JSON{"kind": "compute#accessConfig", "name": "external-nat",
		"natIP": ExtIP, "networkTier": "PREMIUM", "type": "ONE_TO_ONE_NAT"}}
	s.Instances = append([]JSON{vm}, s.Instances...)
	s.ProjectDoc = decode(Fixture("compute-project.json"))
	s.Firewalls = decode(Fixture("compute-effective-firewalls-default.json"))
	s.Network = decode(Fixture("compute-network-default.json"))
	// the routes were recorded in a sibling project of the same dumps
	routes := strings.ReplaceAll(string(Fixture("compute-network-routes.json")), "gcpdiag-gce1-aaaa", Project)
	s.Routes = decode([]byte(routes))["items"].([]any)
	s.Serial[VM] = SerialContents("serial-valid-linux-ssh.json")
	s.Granted = map[string]map[string]bool{"instance": {}, "project": {}, "serviceAccount": {}, "iap": {}}
	for _, p := range []string{"compute.instances.get", "compute.instances.use", "compute.instances.osLogin",
		"compute.instances.osAdminLogin", "compute.instances.setMetadata"} {
		s.Granted["instance"][p] = true
	}
	s.Granted["project"]["compute.projects.setCommonInstanceMetadata"] = true
	s.Granted["project"]["resourcemanager.projects.get"] = true
	s.Granted["serviceAccount"]["iam.serviceAccounts.actAs"] = true
	s.Granted["iap"]["iap.tunnelInstances.accessViaIAP"] = true
	s.LoginProfile = JSON{"name": "users/" + Account,
		"posixAccounts": []any{JSON{"primary": true, "username": "alice_example_com", "uid": "1001", "gid": "1001",
			"homeDirectory": "/home/alice_example_com", "operatingSystemType": "LINUX", "accountId": Project,
			"systemId": "linux", "name": "users/" + Account + "/projects/" + Project}},
		"sshPublicKeys": JSON{}}
	s.AddOSLoginKey(1, 0)
	s.SetProjectMetadata("ssh-keys", TestUser+":"+PublicKeyLine(1, "alice@laptop")+"\n"+
		"foo:ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILg6UtHDNyMNAh0GjaytsJdrUxjtLy3APXqZfNZhvCeT foo\n")

	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// NewListening is New serving on ln (for example a listener inside a test
// network namespace).
func NewListening(t testing.TB, ln net.Listener) *Server {
	t.Helper()
	s := New(t)
	s.srv.Close()
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// SetExternalIP gives the VM this external address.
func (s *Server) SetExternalIP(ip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nic := s.VMDoc()["networkInterfaces"].([]any)[0].(JSON)
	nic["accessConfigs"] = []any{JSON{"kind": "compute#accessConfig", "name": "external-nat",
		"natIP": ip, "networkTier": "PREMIUM", "type": "ONE_TO_ONE_NAT"}}
}

// Env is the environment that points sshdoctor at the server, with a token
// file, and an empty gcloud configuration directory and home.
func (s *Server) Env() map[string]string {
	tok := filepath.Join(s.dir, "token")
	if err := os.WriteFile(tok, []byte(Token+"\n"), 0o600); err != nil {
		panic(err)
	}
	return map[string]string{
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE":              s.URL + "/compute/v1/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_OSLOGIN":              s.URL + "/oslogin/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER": s.URL + "/crm/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM":                  s.URL + "/iam/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_IAP":                  s.URL + "/iap/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING":           s.URL + "/monitoring/",
		"CLOUDSDK_API_ENDPOINT_OVERRIDES_ORGPOLICY":            s.URL + "/orgpolicy/",
		"CLOUDSDK_AUTH_ACCESS_TOKEN_FILE":                      tok,
		"CLOUDSDK_CONFIG":                                      filepath.Join(s.dir, "gcloud"),
		"HOME":                                                 s.dir,
		"CLOUDSDK_CORE_ACCOUNT":                                Account,
	}
}

// Dir is a scratch directory of the server's test.
func (s *Server) Dir() string { return s.dir }

// Lock runs f with the world locked (for changes while serving).
func (s *Server) Lock(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// VMDoc is the instance under test.
func (s *Server) VMDoc() JSON { return s.Instances[0] }

// PublicKeyLine is a real ed25519 public key derived from seed, as an
// authorized_keys line.
func PublicKeyLine(seed byte, comment string) string {
	var sd [32]byte
	for i := range sd {
		sd[i] = seed
	}
	pub := ed25519.NewKeyFromSeed(sd[:]).Public().(ed25519.PublicKey)
	var blob []byte
	blob = binary.BigEndian.AppendUint32(blob, uint32(len("ssh-ed25519")))
	blob = append(blob, "ssh-ed25519"...)
	blob = binary.BigEndian.AppendUint32(blob, uint32(len(pub)))
	blob = append(blob, pub...)
	line := "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob)
	if comment != "" {
		line += " " + comment
	}
	return line
}

// WriteKey writes PublicKeyLine(seed) to a .pub file and returns its path.
func (s *Server) WriteKey(seed byte) string {
	p := filepath.Join(s.dir, fmt.Sprintf("key%d.pub", seed))
	if err := os.WriteFile(p, []byte(PublicKeyLine(seed, "alice@laptop")+"\n"), 0o600); err != nil {
		panic(err)
	}
	return p
}

func setMetadata(md JSON, key, value string) {
	items, _ := md["items"].([]any)
	for _, it := range items {
		m := it.(JSON)
		if m["key"] == key {
			m["value"] = value
			return
		}
	}
	md["items"] = append(items, JSON{"key": key, "value": value})
}

func deleteMetadata(md JSON, key string) {
	items, _ := md["items"].([]any)
	var out []any
	for _, it := range items {
		if it.(JSON)["key"] != key {
			out = append(out, it)
		}
	}
	md["items"] = out
}

// SetInstanceMetadata sets a metadata item of the VM.
func (s *Server) SetInstanceMetadata(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	setMetadata(s.VMDoc()["metadata"].(JSON), key, value)
}

// DeleteInstanceMetadata removes a metadata item of the VM.
func (s *Server) DeleteInstanceMetadata(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	deleteMetadata(s.VMDoc()["metadata"].(JSON), key)
}

// SetProjectMetadata sets a project-wide metadata item.
func (s *Server) SetProjectMetadata(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	setMetadata(s.ProjectDoc["commonInstanceMetadata"].(JSON), key, value)
}

// DeleteProjectMetadata removes a project-wide metadata item.
func (s *Server) DeleteProjectMetadata(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	deleteMetadata(s.ProjectDoc["commonInstanceMetadata"].(JSON), key)
}

// SetTags replaces the VM's network tags.
func (s *Server) SetTags(tags ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := make([]any, len(tags))
	for i, t := range tags {
		items[i] = t
	}
	s.VMDoc()["tags"] = JSON{"fingerprint": "REDACTED", "items": items}
}

// RemoveExternalIP drops the VM's access configs.
func (s *Server) RemoveExternalIP() {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.VMDoc()["networkInterfaces"].([]any)[0].(JSON), "accessConfigs")
}

// AddFirewall adds a VPC rule in the API's shape.
func (s *Server) AddFirewall(rule JSON) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := rule["kind"]; !ok {
		rule["kind"] = "compute#firewall"
	}
	if _, ok := rule["network"]; !ok {
		rule["network"] = linkBase + NetworkID
	}
	if _, ok := rule["direction"]; !ok {
		rule["direction"] = "INGRESS"
	}
	fws, _ := s.Firewalls["firewalls"].([]any)
	s.Firewalls["firewalls"] = append(fws, rule)
}

// RemoveFirewall drops VPC rules by name.
func (s *Server) RemoveFirewall(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fws, _ := s.Firewalls["firewalls"].([]any)
	var out []any
	for _, f := range fws {
		if !contains(names, f.(JSON)["name"].(string)) {
			out = append(out, f)
		}
	}
	s.Firewalls["firewalls"] = out
}

// Firewall returns a VPC rule by name (nil if absent).
func (s *Server) Firewall(name string) JSON {
	fws, _ := s.Firewalls["firewalls"].([]any)
	for _, f := range fws {
		if f.(JSON)["name"] == name {
			return f.(JSON)
		}
	}
	return nil
}

// AddPolicy adds an effective firewall policy in the API's shape.
func (s *Server) AddPolicy(p JSON) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps, _ := s.Firewalls["firewallPolicys"].([]any)
	s.Firewalls["firewallPolicys"] = append(ps, p)
}

// AddOSLoginKey puts PublicKeyLine(seed) in the OS Login profile, expiring
// at expiryUsec (0: never).
func (s *Server) AddOSLoginKey(seed byte, expiryUsec int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := s.LoginProfile["sshPublicKeys"].(JSON)
	fp := fmt.Sprintf("fp%02x", seed)
	k := JSON{"key": PublicKeyLine(seed, ""), "fingerprint": fp, "name": "users/" + Account + "/sshPublicKeys/" + fp}
	if expiryUsec != 0 {
		k["expirationTimeUsec"] = strconv.FormatInt(expiryUsec, 10)
	}
	keys[fp] = k
}

// Revoke removes a granted permission.
func (s *Server) Revoke(kind, perm string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.Granted[kind], perm)
}

// Requests lists "METHOD path?query" in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Violations lists requests that could have changed something.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	write := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(status)
		switch b := v.(type) {
		case string:
			_, _ = w.Write([]byte(b))
		default:
			_ = json.NewEncoder(w).Encode(v)
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+Token {
		write(401, errorBody(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "authError"))
		return
	}
	path := r.URL.Path
	if s.AllowWrites && r.Method != http.MethodGet && s.write(r, write) {
		return
	}
	isTest := strings.HasSuffix(path, ":testIamPermissions") || strings.HasSuffix(path, "/testIamPermissions")
	if r.Method != http.MethodGet && !(r.Method == http.MethodPost && isTest) {
		s.violations = append(s.violations, r.Method+" "+path)
		write(405, errorBody(405, "method not allowed in the stand-in", "badRequest"))
		return
	}
	method, args := route(path)
	if method == "" {
		write(404, errorBody(404, "The requested URL "+path+" was not found on this server.", "notFound"))
		return
	}
	if f, ok := s.Fail[method]; ok {
		write(f.Status, f.Body)
		return
	}
	switch method {
	case "instances.get":
		if args["project"] != Project {
			write(404, NotFound("projects/"+args["project"]).Body)
			return
		}
		in := s.instance(args["zone"], args["instance"])
		if in == nil {
			write(404, NotFound("projects/"+Project+"/zones/"+args["zone"]+"/instances/"+args["instance"]).Body)
			return
		}
		write(200, in)
	case "instances.list":
		if args["project"] != Project {
			write(404, NotFound("projects/"+args["project"]).Body)
			return
		}
		items := []any{}
		for _, in := range s.Instances {
			if strings.HasSuffix(in["zone"].(string), "/zones/"+args["zone"]) {
				items = append(items, in)
			}
		}
		write(200, JSON{"kind": "compute#instanceList", "id": "projects/" + Project + "/zones/" + args["zone"] + "/instances", "items": items})
	case "instances.aggregatedList":
		if args["project"] != Project {
			write(404, NotFound("projects/"+args["project"]).Body)
			return
		}
		s.aggregated(w, r, write)
	case "projects.get":
		if args["project"] != Project {
			write(404, NotFound("projects/"+args["project"]).Body)
			return
		}
		write(200, s.ProjectDoc)
	case "instances.getEffectiveFirewalls":
		if r.URL.Query().Get("networkInterface") == "" {
			write(400, errorBody(400, "Required field 'networkInterface' not specified", "required"))
			return
		}
		if s.instance(args["zone"], args["instance"]) == nil {
			write(404, NotFound("projects/"+Project+"/zones/"+args["zone"]+"/instances/"+args["instance"]).Body)
			return
		}
		write(200, s.Firewalls)
	case "networks.get":
		write(200, s.Network)
	case "routes.list":
		s.pagedRoutes(r, write)
	case "instances.getSerialPortOutput":
		c, ok := s.Serial[args["instance"]]
		if !ok {
			c = ""
		}
		write(200, JSON{"kind": "compute#serialPortOutput", "contents": c, "start": "0",
			"next": strconv.Itoa(len(c)), "selfLink": linkBase + "projects/" + Project + "/zones/" + args["zone"] +
				"/instances/" + args["instance"] + "/serialPortOutput"})
	case "instances.getGuestAttributes":
		s.guestAttributes(r, args, write)
	case "policies.getEffectivePolicy":
		if args["project"] != Project {
			write(403, errorBody(403, "Permission 'orgpolicy.policies.list' denied on resource 'projects/"+args["project"]+"'", "forbidden"))
			return
		}
		spec := s.OrgPolicies[args["constraint"]]
		if spec == nil {
			spec = JSON{}
		}
		write(200, JSON{"name": "projects/12345601/policies/" + args["constraint"], "spec": spec})
	case "timeSeries.list":
		s.timeSeries(r, args, write)
	case "users.getLoginProfile":
		if s.LoginProfile == nil || args["user"] != Account {
			write(404, errorBody(404, "Requested entity was not found.", "notFound"))
			return
		}
		if r.URL.Query().Get("projectId") == "" {
			write(400, errorBody(400, "projectId is required", "badRequest"))
			return
		}
		write(200, s.LoginProfile)
	default: // the four testIamPermissions
		kind := map[string]string{"instances.testIamPermissions": "instance", "projects.testIamPermissions": "project",
			"serviceAccounts.testIamPermissions": "serviceAccount", "iap.testIamPermissions": "iap"}[method]
		var req struct {
			Permissions []string `json:"permissions"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
			write(400, errorBody(400, "Invalid JSON payload received.", "badRequest"))
			return
		}
		var held []string
		for _, p := range req.Permissions {
			if s.Granted[kind][p] {
				held = append(held, p)
			}
		}
		if len(held) == 0 {
			write(200, JSON{}) // the API omits an empty list
			return
		}
		write(200, JSON{"permissions": held})
	}
}

func (s *Server) instance(zone, name string) JSON {
	for _, in := range s.Instances {
		if in["name"] == name && strings.HasSuffix(in["zone"].(string), "/zones/"+zone) {
			return in
		}
	}
	return nil
}

func (s *Server) aggregated(w http.ResponseWriter, r *http.Request, write func(int, any)) {
	// Like the API, a page covers a window of all instances and holds
	// those that pass the filter (name = "X", the only filter sshdoctor
	// sends), so a page may be empty and still have a next one.
	filter := r.URL.Query().Get("filter")
	start, _ := strconv.Atoi(r.URL.Query().Get("pageToken"))
	size := s.AggregatedPageSize
	if size <= 0 {
		size = len(s.Instances) + 1
	}
	end := min(start+size, len(s.Instances))
	items := JSON{
		"zones/us-central1-a": JSON{"warning": JSON{"code": "NO_RESULTS_ON_PAGE",
			"message": "There are no results for scope 'zones/us-central1-a' on this page.",
			"data":    []any{JSON{"key": "scope", "value": "zones/us-central1-a"}}}},
	}
	for _, in := range s.Instances[min(start, len(s.Instances)):end] {
		if filter != "" && !strings.Contains(filter, `"`+in["name"].(string)+`"`) {
			continue
		}
		z := "zones/" + lastSegment(in["zone"].(string))
		scoped, _ := items[z].(JSON)
		if scoped == nil {
			scoped = JSON{"instances": []any{}}
			items[z] = scoped
		}
		scoped["instances"] = append(scoped["instances"].([]any), in)
	}
	out := JSON{"kind": "compute#instanceAggregatedList", "id": "projects/" + Project + "/aggregated/instances", "items": items}
	if end < len(s.Instances) {
		out["nextPageToken"] = strconv.Itoa(end)
	}
	write(200, out)
}

func (s *Server) pagedRoutes(r *http.Request, write func(int, any)) {
	start, _ := strconv.Atoi(r.URL.Query().Get("pageToken"))
	size := s.RoutesPageSize
	if size <= 0 {
		size = len(s.Routes) + 1
	}
	end := min(start+size, len(s.Routes))
	out := JSON{"kind": "compute#routeList", "id": "projects/" + Project + "/global/routes",
		"items": s.Routes[min(start, len(s.Routes)):end]}
	if end < len(s.Routes) {
		out["nextPageToken"] = strconv.Itoa(end)
	}
	write(200, out)
}

func lastSegment(u string) string {
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		return u[i+1:]
	}
	return u
}

// route maps a path to the API method and its parameters.
func route(path string) (string, map[string]string) {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	args := map[string]string{}
	at := func(i int) string {
		if i < len(seg) {
			return seg[i]
		}
		return ""
	}
	switch {
	case at(0) == "compute" && at(1) == "v1" && at(2) == "projects" && len(seg) >= 4:
		args["project"] = at(3)
		rest := seg[4:]
		switch {
		case len(rest) == 0:
			return "projects.get", args
		case len(rest) == 2 && rest[0] == "aggregated" && rest[1] == "instances":
			return "instances.aggregatedList", args
		case len(rest) == 3 && rest[0] == "global" && rest[1] == "networks":
			args["network"] = rest[2]
			return "networks.get", args
		case len(rest) == 2 && rest[0] == "global" && rest[1] == "routes":
			return "routes.list", args
		case len(rest) == 3 && rest[0] == "zones" && rest[2] == "instances":
			args["zone"] = rest[1]
			return "instances.list", args
		case len(rest) >= 4 && rest[0] == "zones" && rest[2] == "instances":
			args["zone"], args["instance"] = rest[1], rest[3]
			switch {
			case len(rest) == 4:
				return "instances.get", args
			case len(rest) == 5 && rest[4] == "getEffectiveFirewalls":
				return "instances.getEffectiveFirewalls", args
			case len(rest) == 5 && rest[4] == "serialPort":
				return "instances.getSerialPortOutput", args
			case len(rest) == 5 && rest[4] == "testIamPermissions":
				return "instances.testIamPermissions", args
			case len(rest) == 5 && rest[4] == "getGuestAttributes":
				return "instances.getGuestAttributes", args
			}
		}
	case at(0) == "crm" && at(1) == "v3" && at(2) == "projects" && strings.HasSuffix(at(3), ":testIamPermissions"):
		args["project"] = strings.TrimSuffix(at(3), ":testIamPermissions")
		return "projects.testIamPermissions", args
	case at(0) == "iam" && at(1) == "v1" && at(2) == "projects" && at(4) == "serviceAccounts" &&
		strings.HasSuffix(at(5), ":testIamPermissions"):
		args["account"] = strings.TrimSuffix(at(5), ":testIamPermissions")
		return "serviceAccounts.testIamPermissions", args
	case at(0) == "iap" && at(1) == "v1" && at(2) == "projects" && at(4) == "iap_tunnel" && at(5) == "zones" &&
		at(7) == "instances" && strings.HasSuffix(at(8), ":testIamPermissions"):
		args["project"], args["zone"] = at(3), at(6)
		args["instance"] = strings.TrimSuffix(at(8), ":testIamPermissions")
		return "iap.testIamPermissions", args
	case at(0) == "monitoring" && at(1) == "v3" && at(2) == "projects" && at(4) == "timeSeries" && len(seg) == 5:
		args["project"] = at(3)
		return "timeSeries.list", args
	case at(0) == "orgpolicy" && at(1) == "v2" && at(2) == "projects" && at(4) == "policies" && len(seg) == 6 &&
		strings.HasSuffix(at(5), ":getEffectivePolicy"):
		args["project"], args["constraint"] = at(3), strings.TrimSuffix(at(5), ":getEffectivePolicy")
		return "policies.getEffectivePolicy", args
	case at(0) == "oslogin" && at(1) == "v1" && at(2) == "users" && at(4) == "loginProfile":
		args["user"] = at(3)
		return "users.getLoginProfile", args
	}
	return "", nil
}

// SortedRequests returns the distinct API methods called, sorted.
func (s *Server) SortedRequests() []string {
	set := map[string]bool{}
	for _, r := range s.Requests() {
		set[r] = true
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// BootLog is the recorded clean boot (valid-linux-ssh), cut just before
// the first line that contains cut ("": the whole log), followed by lines
// written as the console writes them ("\r\n" line ends).
func BootLog(cut string, lines ...string) string {
	c := SerialContents("serial-valid-linux-ssh.json")
	if cut != "" {
		i := strings.Index(c, cut)
		if i < 0 {
			panic("BootLog: no " + strconv.Quote(cut) + " in the recorded boot")
		}
		c = c[:strings.LastIndexByte(c[:i], '\n')+1]
	}
	for _, l := range lines {
		c += l + "\r\n"
	}
	return c
}

// InstanceDoc returns an instance of the world by name (nil if absent).
func (s *Server) InstanceDoc(name string) JSON {
	for _, in := range s.Instances {
		if in["name"] == name {
			return in
		}
	}
	return nil
}

// Writes lists the writes the stand-in applied, as "method name" (e.g.
// "firewalls.insert allow-ssh-from-203-0-113-7").
func (s *Server) Writes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.writes...)
}

// write applies a firewall insert or delete, or an instance's new tags,
// answering with a finished operation as Compute Engine does for these
// quick changes; it reports whether the request was one of them.
func (s *Server) write(r *http.Request, write func(int, any)) bool {
	if s.writeMore(r, write) {
		return true
	}
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(seg) < 6 || seg[0] != "compute" || seg[1] != "v1" || seg[2] != "projects" || seg[3] != Project {
		return false
	}
	rest := seg[4:]
	done := func(name string) {
		write(200, JSON{"kind": "compute#operation", "name": "operation-" + name, "status": "DONE"})
	}
	isInsert := r.Method == http.MethodPost && len(rest) == 2 && rest[0] == "global" && rest[1] == "firewalls"
	isDelete := r.Method == http.MethodDelete && len(rest) == 3 && rest[0] == "global" && rest[1] == "firewalls"
	isTags := r.Method == http.MethodPost && len(rest) == 5 && rest[0] == "zones" && rest[2] == "instances" && rest[4] == "setTags"
	isMeta := r.Method == http.MethodPost && len(rest) == 5 && rest[0] == "zones" && rest[2] == "instances" && rest[4] == "setMetadata"
	if !isInsert && !isDelete && !isTags && !isMeta {
		return false
	}
	var body JSON
	if r.Body != nil {
		_ = json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&body)
	}
	switch {
	case isInsert:
		name, _ := body["name"].(string)
		if name == "" || s.Firewall(name) != nil {
			write(409, errorBody(409, "The resource 'projects/"+Project+"/global/firewalls/"+name+"' already exists", "alreadyExists"))
			return true
		}
		body["kind"] = "compute#firewall"
		fws, _ := s.Firewalls["firewalls"].([]any)
		s.Firewalls["firewalls"] = append(fws, body)
		s.writes = append(s.writes, "firewalls.insert "+name)
		done(name)
	case isDelete:
		if s.Firewall(rest[2]) == nil {
			write(404, NotFound("projects/"+Project+"/global/firewalls/"+rest[2]).Body)
			return true
		}
		fws, _ := s.Firewalls["firewalls"].([]any)
		var out []any
		for _, f := range fws {
			if f.(JSON)["name"] != rest[2] {
				out = append(out, f)
			}
		}
		s.Firewalls["firewalls"] = out
		s.writes = append(s.writes, "firewalls.delete "+rest[2])
		done(rest[2])
	case isTags:
		in := s.instance(rest[1], rest[3])
		if in == nil {
			write(404, NotFound("projects/"+Project+"/zones/"+rest[1]+"/instances/"+rest[3]).Body)
			return true
		}
		old, _ := in["tags"].(JSON)
		if fp, _ := old["fingerprint"].(string); fp != "" && fp != body["fingerprint"] {
			write(412, errorBody(412, "Supplied fingerprint does not match current metadata fingerprint.", "conditionNotMet"))
			return true
		}
		items, _ := body["items"].([]any)
		in["tags"] = JSON{"items": items, "fingerprint": fmt.Sprintf("fp-%d", len(s.writes)+1)}
		s.writes = append(s.writes, "instances.setTags "+rest[3])
		done(rest[3])
	case isMeta:
		in := s.instance(rest[1], rest[3])
		if in == nil {
			write(404, NotFound("projects/"+Project+"/zones/"+rest[1]+"/instances/"+rest[3]).Body)
			return true
		}
		old, _ := in["metadata"].(JSON)
		if fp, _ := old["fingerprint"].(string); fp != "" && fp != body["fingerprint"] {
			write(412, errorBody(412, "Supplied fingerprint does not match current metadata fingerprint.", "conditionNotMet"))
			return true
		}
		items, _ := body["items"].([]any)
		in["metadata"] = JSON{"kind": "compute#metadata", "items": items, "fingerprint": fmt.Sprintf("mfp-%d", len(s.writes)+1)}
		s.writes = append(s.writes, "instances.setMetadata "+rest[3])
		done(rest[3])
	}
	return true
}
