// Package gcp diagnoses SSH to a Compute Engine VM from Google's APIs,
// read-only: the VM's state, its last boot on the serial console, the
// network path (external address, effective firewall, return route), the
// caller's IAM permissions, OS Login and metadata SSH keys.
//
// It talks to the APIs over net/http (endpoints overridable as gcloud's
// CLOUDSDK_API_ENDPOINT_OVERRIDES_* are), evaluates firewall rules and
// policies itself, and never writes anything: only GET requests and
// testIamPermissions, which only reads.
package gcp

import (
	"context"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
)

// IAPRange is where Identity-Aware Proxy TCP forwarding connects from.
var IAPRange = netip.MustParsePrefix("35.235.240.0/20")

// Options is what the user asked for.
type Options struct {
	Instance string
	Project  Setting
	Zone     Setting // empty Value: find the instance in every zone
	Account  Setting
	// User is the login name on the VM ("" means the local user name for
	// metadata keys, the OS Login POSIX name with OS Login).
	User      string
	LocalUser string
	Port      int
	IAP       bool
	// Browser: the user connects with SSH-in-browser, which reaches the VM
	// from IAP's range with a key it makes and adds itself.
	Browser bool
	// IAPURL is the relay (--iap-tunnel-url-override; "" is Google's).
	IAPURL string
	// CAFile is gcloud's core/custom_ca_certs_file ("" is the system's).
	CAFile string
	// SourceIP is where the user connects from; invalid means "find it"
	// (unless NoIPLookup).
	SourceIP   netip.Addr
	NoIPLookup bool
	// KeyFiles are public key files given with --key; empty means gcloud's
	// key, else the keys ssh offers by default, under Home.
	KeyFiles []string
	Home     string

	Getenv      func(string) string
	Endpoints   Endpoints
	HTTPClient  *http.Client
	CallTimeout time.Duration
	// LookupPublicIP finds the caller's public address (LookupPublicIP in
	// production; tests inject theirs).
	LookupPublicIP func(context.Context) (netip.Addr, error)
	Gcloud         string
	// ADC replaces the Application Default Credentials lookup (tests).
	ADC func(ctx context.Context) (string, string, error)
	Now func() time.Time
}

// Run is one diagnosis of one instance.
type Run struct {
	o     Options
	creds *Credentials
	api   *Client

	mu     sync.Mutex
	zone   string
	extIP  string
	source string
	login  string // the user name the VM expects (the POSIX name with OS Login)
	win    bool   // the instance runs Windows

	// The checks whose results others read (diag.ResultOf).
	defInstance *diag.Def[*Instance]
	defProject  *diag.Def[*projectInfo]
	defVMStatus *diag.Def[*Instance]
	defSource   *diag.Def[*sourceInfo]
	defBoot     *diag.Def[*BootReport]
}

func (r *Run) setWindows(w bool) {
	r.mu.Lock()
	r.win = w
	r.mu.Unlock()
}

func (r *Run) windows() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.win
}

// New prepares a run.
func New(o Options) *Run {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Port == 0 {
		o.Port = 22
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Endpoints.Compute == "" {
		o.Endpoints = DefaultEndpoints()
	}
	if o.HTTPClient == nil && o.CAFile != "" {
		// gcloud trusts its custom CA file for every call; an unreadable
		// file is reported by the tunnel probe, the API calls then fail on
		// the system roots with their own error
		if cfg, err := TLSConfigWithCA(o.CAFile); err == nil && cfg != nil {
			o.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, Proxy: http.ProxyFromEnvironment}}
		}
	}
	r := &Run{o: o, zone: o.Zone.Value}
	r.creds = &Credentials{Getenv: o.Getenv, Gcloud: o.Gcloud, Account: o.Account.Value,
		SkipADC: o.Account.Source == "flag", ADC: o.ADC}
	r.api = &Client{HTTP: o.HTTPClient, Endpoints: o.Endpoints, Tokens: r.creds, CallTimeout: o.CallTimeout}
	return r
}

// Check deadlines, from the per-call deadline (DefaultCallTimeout unless
// --timeout): a check's calls run one after another, so it gets room for
// the calls it makes, plus a margin.
func (r *Run) deadlines() (creds, lookup, api, perms, source time.Duration) {
	call := r.o.CallTimeout
	if call <= 0 {
		call = DefaultCallTimeout
	}
	creds = gcloudTimeout + 10*time.Second // gcloud, or reading a file
	lookup = 3 * call                      // instances.get, or a few pages of the aggregated list
	api = 2*call + 5*time.Second           // two calls (e.g. firewalls and the network)
	perms = 4*call + 5*time.Second         // up to four testIamPermissions
	source = PublicIPTimeout + 2*time.Second
	return
}

// Checks returns the checks in root-cause order: the VM, its boot, the
// network path, permissions, keys.
func (r *Run) Checks() []*diag.Check {
	creds, lookup, api, perms, source := r.deadlines()
	credentials := &diag.Def[struct{}]{Name: "gcp-credentials", Doc: "finds credentials for Google's APIs as gcloud would, and names their source",
		Timeout: creds, Run: diag.FindingsOnly(r.checkCredentials)}
	r.defInstance = &diag.Def[*Instance]{Name: "gcp-instance", Doc: "finds the instance in the project (in every zone when none is given)",
		Requires: []diag.Node{credentials}, Timeout: lookup, Run: r.checkInstance}
	r.defProject = &diag.Def[*projectInfo]{Name: "gcp-project", Doc: "reads the project's common instance metadata",
		Requires: []diag.Node{credentials}, Timeout: api, Run: r.checkProject}
	r.defVMStatus = &diag.Def[*Instance]{Name: "gcp-vm-status", Doc: "tells whether the VM is running, and what it runs",
		Requires: []diag.Node{r.defInstance, r.defProject}, Run: r.checkVMStatus}
	r.defSource = &diag.Def[*sourceInfo]{Name: "gcp-source", Doc: "finds the address the VM sees the connection come from (IAP's range with --iap)",
		Timeout: source, Run: r.checkSource}
	r.defBoot = &diag.Def[*BootReport]{Name: "gcp-boot", Doc: "reads the last boot on the serial console for what keeps sshd from starting",
		Requires: []diag.Node{r.defVMStatus, r.defSource}, Timeout: api, Run: r.checkBoot}
	guest := &diag.Def[struct{}]{Name: "gcp-guest-agent", Doc: "tells whether the guest agent that installs keys runs and publishes host keys",
		Requires: []diag.Node{r.defInstance, r.defProject, r.defBoot}, Timeout: api, Run: diag.FindingsOnly(r.checkGuestAgent)}
	monitoring := &diag.Def[struct{}]{Name: "gcp-monitoring", Doc: "reads Cloud Monitoring for a saturated CPU, full memory or disk, or a reboot loop",
		Requires: []diag.Node{r.defVMStatus}, Timeout: perms, Run: diag.FindingsOnly(r.checkMonitoring)}
	externalIP := &diag.Def[struct{}]{Name: "gcp-external-ip", Doc: "tells whether the VM has an external address to connect to",
		Requires: []diag.Node{r.defInstance}, Run: diag.FindingsOnly(r.checkExternalIP)}
	firewall := &diag.Def[struct{}]{Name: "gcp-firewall", Doc: "evaluates the effective firewall rules and policies for the port from the source address",
		Requires: []diag.Node{r.defInstance, r.defSource}, Timeout: api, Run: diag.FindingsOnly(r.checkFirewall)}
	route := &diag.Def[struct{}]{Name: "gcp-route", Doc: "finds the route the VM's replies take back to the source address",
		Requires: []diag.Node{r.defInstance, r.defSource}, Timeout: lookup, Run: diag.FindingsOnly(r.checkRoute)}
	permissions := &diag.Def[struct{}]{Name: "gcp-permissions", Doc: "tests the caller's IAM permissions for the way of logging in the VM expects",
		Requires: []diag.Node{r.defInstance, r.defProject}, Timeout: perms, Run: diag.FindingsOnly(r.checkPermissions)}
	orgPolicy := &diag.Def[struct{}]{Name: "gcp-org-policy", Doc: "reads the organization policies that decide OS Login, serial access and external addresses",
		Requires: []diag.Node{r.defInstance, r.defProject}, Timeout: perms, Run: diag.FindingsOnly(r.checkOrgPolicy)}
	keys := &diag.Def[struct{}]{Name: "gcp-keys", Doc: "reads OS Login and the metadata SSH keys for the key and user the login needs",
		Requires: []diag.Node{r.defInstance, r.defProject}, Timeout: api, Run: diag.FindingsOnly(r.checkKeys)}
	return diag.Untyped(credentials, r.defInstance, r.defProject, r.defVMStatus, r.defSource, r.defBoot, guest,
		monitoring, externalIP, firewall, route, permissions, orgPolicy, keys)
}

// Subject describes what was diagnosed, for the report.
func (r *Run) Subject() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := map[string]string{
		"instance": r.o.Instance,
		"project":  r.o.Project.Value,
		"zone":     r.zone,
		"port":     strconv.Itoa(r.o.Port),
		"path":     "direct",
	}
	if r.o.IAP {
		s["path"] = "iap"
	}
	if r.extIP != "" {
		s["external_ip"] = r.extIP
	}
	if r.source != "" {
		s["source"] = r.source
	}
	if r.login != "" {
		s["login_user"] = r.login
	}
	s["api_calls"] = strconv.FormatInt(r.api.Calls(), 10)
	return s
}

func (r *Run) setZone(z string) {
	r.mu.Lock()
	r.zone = z
	r.mu.Unlock()
}

func (r *Run) getZone() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.zone
}

// loc is the --zone/--project pair of gcloud commands.
func (r *Run) loc() string {
	return "--zone=" + r.getZone() + " --project=" + r.o.Project.Value
}

// fixParams are the values the catalog's fixes of a gcp code are filled
// with: the project, zone, instance and port checked, and the member of
// the account when it is known (else the command asks gcloud for it).
func (r *Run) fixParams() catalog.Params {
	p := catalog.Params{"gcp_project": r.o.Project.Value, "gcp_zone": r.getZone(), "gcp_instance": r.o.Instance,
		"port": strconv.Itoa(r.o.Port)}
	if r.o.Account.Value != "" {
		p["gcp_member"] = r.member()
	}
	return p
}

// member is the IAM member for the caller, for grant commands.
func (r *Run) member() string {
	a := r.o.Account.Value
	switch {
	case a == "":
		return "user:$(gcloud config get-value account)"
	case strings.HasSuffix(a, ".gserviceaccount.com"):
		return "serviceAccount:" + a
	}
	return "user:" + a
}

func (r *Run) setLogin(u string) {
	r.mu.Lock()
	r.login = u
	r.mu.Unlock()
}

// sshUser is the login name ssh would use for metadata keys.
func (r *Run) sshUser() string {
	if r.o.User != "" {
		return r.o.User
	}
	return r.o.LocalUser
}

// localKey is a public key of the user's and where it came from.
type localKey struct {
	Path string
	Key  PublicKey
}

// defaultKeyNames: gcloud's key first, then the identities ssh offers by
// default, in ssh's order.
var defaultKeyNames = []string{"google_compute_engine.pub", "id_rsa.pub", "id_ecdsa.pub",
	"id_ecdsa_sk.pub", "id_ed25519.pub", "id_ed25519_sk.pub", "id_xmss.pub", "id_dsa.pub"}

// localKeys reads --key files, else gcloud's key, else ssh's defaults.
func (r *Run) localKeys() ([]localKey, []string) {
	var keys []localKey
	var problems []string
	if len(r.o.KeyFiles) > 0 {
		for _, f := range r.o.KeyFiles {
			k, err := ReadPublicKeyFile(f)
			if err != nil {
				problems = append(problems, f+": "+oneLineErr(err))
				continue
			}
			keys = append(keys, localKey{f, k})
		}
		return keys, problems
	}
	if r.o.Home == "" {
		return nil, nil
	}
	for i, name := range defaultKeyNames {
		path := filepath.Join(r.o.Home, ".ssh", name)
		k, err := ReadPublicKeyFile(path)
		if err != nil {
			if !os.IsNotExist(err) {
				problems = append(problems, path+": "+oneLineErr(err))
			}
			continue
		}
		keys = append(keys, localKey{path, k})
		if i == 0 {
			break // gcloud uses its own key and nothing else
		}
	}
	return keys, problems
}
