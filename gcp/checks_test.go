package gcp

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

// Cases the command line cannot reach, run on the engine directly.

func runChecks(t *testing.T, s *gcptest.Server, o Options) (*diag.Outcome, map[string]*diag.Finding) {
	t.Helper()
	env := s.Env()
	o.Getenv = func(k string) string { return env[k] }
	ep, err := EndpointsFromEnv(o.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	o.Endpoints = ep
	o.Instance = gcptest.VM
	o.Project = Setting{gcptest.Project, "flag"}
	o.Zone = Setting{gcptest.Zone, "flag"}
	o.Account = Setting{gcptest.Account, "test"}
	o.SourceIP = netip.MustParseAddr("203.0.113.7")
	o.LookupPublicIP = func(context.Context) (netip.Addr, error) {
		t.Error("public-IP lookup in a test")
		return netip.Addr{}, context.Canceled
	}
	o.Now = time.Now
	out, err := diag.Execute(context.Background(), New(o).Checks())
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]*diag.Finding{}
	for _, r := range out.Runs {
		for _, f := range r.Result.Findings {
			found[f.Code] = f
		}
	}
	if v := s.Violations(); len(v) > 0 {
		t.Fatalf("writes: %v", v)
	}
	return out, found
}

func TestUserUnknown(t *testing.T) {
	s := gcptest.New(t)
	s.SetInstanceMetadata("enable-oslogin", "FALSE")
	out, found := runChecks(t, s, Options{KeyFiles: []string{s.WriteKey(1)}})
	if found["gcp.user_unknown"] == nil || out.Verdict() != diag.VerdictInconclusive {
		t.Fatalf("verdict %s, findings %v", out.Verdict(), found)
	}
}

func TestNoNetworkInterface(t *testing.T) {
	s := gcptest.New(t)
	s.VMDoc()["networkInterfaces"] = []any{}
	out, found := runChecks(t, s, Options{KeyFiles: []string{s.WriteKey(1)}})
	if found["gcp.no_network_interface"] == nil || out.Verdict() != diag.VerdictInconclusive {
		t.Fatalf("verdict %s, findings %v", out.Verdict(), found)
	}
}

func TestProjectMetadataUnreadable(t *testing.T) {
	s := gcptest.New(t)
	s.SetInstanceMetadata("enable-oslogin", "FALSE")
	s.Fail["projects.get"] = gcptest.Forbidden("compute.projects.get", "projects/"+gcptest.Project)
	out, found := runChecks(t, s, Options{KeyFiles: []string{s.WriteKey(1)}, User: "alice"})
	// the key is only in project metadata, which could not be read: not
	// "missing", but "could not tell"
	f := found["gcp.metadata_key_missing"]
	if f == nil || f.Severity != diag.SevWarning || out.Verdict() != diag.VerdictInconclusive || found["gcp.api_permission_denied"] == nil {
		t.Fatalf("verdict %s, findings %v", out.Verdict(), found)
	}
}

func TestSubject(t *testing.T) {
	s := gcptest.New(t)
	env := s.Env()
	o := Options{Instance: gcptest.VM, Project: Setting{gcptest.Project, "flag"}, IAP: true, Port: 2222,
		Getenv: func(k string) string { return env[k] }}
	o.Endpoints, _ = EndpointsFromEnv(o.Getenv)
	r := New(o)
	if _, err := diag.Execute(context.Background(), r.Checks()); err != nil {
		t.Fatal(err)
	}
	sub := r.Subject()
	if sub["zone"] != gcptest.Zone || sub["path"] != "iap" || sub["port"] != "2222" || sub["source"] != "35.235.240.0/20" ||
		sub["external_ip"] != gcptest.ExtIP {
		t.Fatalf("%v", sub)
	}
}
