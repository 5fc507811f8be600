//go:build linux

package exporter_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sshdoctor/sshdoctor/internal/lab"
)

func TestMain(m *testing.M) {
	code := m.Run()
	lab.Cleanup()
	os.Exit(code)
}

const exporterAddr = lab.ClientAddr + ":9807"

type env struct {
	lab    *lab.Lab
	http   *http.Client
	hostFP string // the sshd's host key fingerprint, from ssh-keygen
}

// start runs a real sshd, a real account with a key, and the real
// sshdoctor exporter in the client namespace; the test's HTTP client dials
// into that namespace.
func start(t testing.TB) *env {
	t.Helper()
	lab.Require(t)
	l := lab.New(t)
	sshd := l.StartSSHD(t, lab.SSHDOptions{Config: "MaxStartups 400\n"})
	dir := t.TempDir()
	u := lab.AddUser(t, lab.UserOptions{})
	priv, pub := lab.NewKey(t, dir, "ed25519")
	u.AuthorizeKey(t, pub)
	hk := strings.Fields(sshd.HostKeyPub(t))
	kh := filepath.Join(dir, "known_hosts")
	write(t, kh, fmt.Sprintf("%s %s %s\n", lab.ServerAddr, hk[0], hk[1]))
	cfg := filepath.Join(dir, "ssh_config")
	write(t, cfg, "Host *\n  IdentitiesOnly yes\n  IdentityAgent none\n  BatchMode yes\n  UserKnownHostsFile "+kh+"\n  GlobalKnownHostsFile /dev/null\n")
	mods := filepath.Join(dir, "modules.yml")
	write(t, mods, fmt.Sprintf("modules:\n  lab:\n    user: %s\n    identity_files: [%s]\n    ssh_config: %s\n    timeout: 3s\n    probe_timeout: 20s\n  stranger:\n    user: nobody\n    ssh_config: %s\n    timeout: 3s\n",
		u.Name, priv, cfg, cfg))
	fp, err := run("ssh-keygen", "-lf", sshd.HostKeys[0]+".pub")
	if err != nil {
		t.Fatal(err)
	}
	l.Client.Start(t, lab.Binary(t), "exporter", "--listen", exporterAddr, "--config", mods)
	e := &env{lab: l, hostFP: strings.Fields(fp)[1],
		http: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: l.Client.DialContext, MaxIdleConnsPerHost: 64}}}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := e.http.Get("http://" + exporterAddr + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("exporter not answering: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return e
}

func write(t testing.TB, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func run(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return string(out), err
}

// get fetches a path and parses the exposition with Prometheus's own parser.
func (e *env) get(t testing.TB, path string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	resp, err := e.http.Get("http://" + exporterAddr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("%s: exposition does not parse: %v\n%s", path, err, body)
	}
	return resp.StatusCode, mfs
}

// value returns the gauge or counter value of the sample whose labels
// include want, and whether there is one.
func value(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
		ok := true
		for k, v := range want {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == k && lp.GetValue() == v {
					found = true
				}
			}
			ok = ok && found
		}
		if !ok {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

func must(t testing.TB, mfs map[string]*dto.MetricFamily, name string, labels map[string]string, want float64) {
	t.Helper()
	v, ok := value(mfs, name, labels)
	if !ok || v != want {
		t.Errorf("%s%v = %v (present %v), want %v", name, labels, v, ok, want)
	}
}

func TestLabExporterProbes(t *testing.T) {
	e := start(t)
	code, mfs := e.get(t, "/probe?module=lab&target="+lab.ServerAddr+":22")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	must(t, mfs, "sshdoctor_probe_success", nil, 1)
	for _, layer := range []string{"config", "tcp", "banner", "kex", "hostkey", "auth"} {
		must(t, mfs, "sshdoctor_layer_success", map[string]string{"layer": layer}, 1)
		if _, ok := value(mfs, "sshdoctor_layer_duration_seconds", map[string]string{"layer": layer}); !ok {
			t.Errorf("no duration for layer %s", layer)
		}
	}
	if _, ok := value(mfs, "sshdoctor_layer_success", map[string]string{"layer": "login"}); ok {
		t.Error("login reported although the module does not log in")
	}
	must(t, mfs, "sshdoctor_host_key_info", map[string]string{"type": "ssh-ed25519", "fingerprint": e.hostFP}, 1)
	if v, ok := value(mfs, "sshdoctor_server_info", nil); !ok || v != 1 ||
		!strings.HasPrefix(mfs["sshdoctor_server_info"].GetMetric()[0].GetLabel()[0].GetValue(), "OpenSSH_") {
		t.Errorf("server info %v", mfs["sshdoctor_server_info"])
	}
	if _, ok := mfs["sshdoctor_probe_failure"]; ok {
		t.Error("failure code on a passing probe")
	}

	// Nothing on port 9: the TCP layer fails with a bounded code.
	_, mfs = e.get(t, "/probe?module=lab&target="+lab.ServerAddr+":9")
	must(t, mfs, "sshdoctor_probe_success", nil, 0)
	must(t, mfs, "sshdoctor_layer_success", map[string]string{"layer": "tcp"}, 0)
	must(t, mfs, "sshdoctor_probe_failure", map[string]string{"code": "tcp.refused"}, 1)
	if _, ok := value(mfs, "sshdoctor_layer_success", map[string]string{"layer": "banner"}); ok {
		t.Error("a layer after the failing one is reported instead of absent")
	}

	// A user the server does not know: authentication fails.
	_, mfs = e.get(t, "/probe?module=stranger&target="+lab.ServerAddr)
	must(t, mfs, "sshdoctor_probe_success", nil, 0)
	must(t, mfs, "sshdoctor_layer_success", map[string]string{"layer": "hostkey"}, 1)
	must(t, mfs, "sshdoctor_layer_success", map[string]string{"layer": "auth"}, 0)

	for _, bad := range []string{"/probe?module=lab", "/probe?module=nope&target=" + lab.ServerAddr, "/probe?module=lab&target=-oProxyCommand=x",
		"/probe?module=lab&target=" + lab.ServerAddr + ":99999"} {
		if code, _ := e.get(t, bad); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, code)
		}
	}
	_, mfs = e.get(t, "/metrics")
	must(t, mfs, "sshdoctor_exporter_probes_total", map[string]string{"module": "lab", "result": "ok"}, 1)
	must(t, mfs, "sshdoctor_exporter_probes_total", map[string]string{"module": "unknown", "result": "bad_request"}, 1)
	must(t, mfs, "sshdoctor_exporter_probes_in_flight", nil, 0)
}

// probeMany sends n probes, c at a time, and fails on any error or any
// probe that does not succeed.
func (e *env) probeMany(t testing.TB, n, c int, path string, wantSuccess float64) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	sem := make(chan struct{}, c)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			resp, err := e.http.Get("http://" + exporterAddr + path)
			if err != nil {
				mu.Lock()
				errs = append(errs, err.Error())
				mu.Unlock()
				return
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			p := expfmt.NewTextParser(model.UTF8Validation)
			mfs, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
			v, ok := value(mfs, "sshdoctor_probe_success", nil)
			if resp.StatusCode != 200 || err != nil || !ok || v != wantSuccess {
				code := ""
				if f := mfs["sshdoctor_probe_failure"]; f != nil {
					code = f.GetMetric()[0].GetLabel()[0].GetValue()
				}
				mu.Lock()
				errs = append(errs, fmt.Sprintf("status %d, parse %v, success %v, failure %q", resp.StatusCode, err, v, code))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d probes failed; first: %s", len(errs), n, errs[0])
	}
}

// sample is the exporter's own health, from its /metrics.
type sample struct {
	rss, heap, goroutines, fds float64
	series                     int // samples exposed: grows if a label's values do
}

func (e *env) health(t testing.TB) sample {
	t.Helper()
	_, mfs := e.get(t, "/metrics")
	var s sample
	s.rss, _ = value(mfs, "process_resident_memory_bytes", nil)
	s.heap, _ = value(mfs, "go_memstats_heap_inuse_bytes", nil)
	s.goroutines, _ = value(mfs, "go_goroutines", nil)
	s.fds, _ = value(mfs, "process_open_fds", nil)
	for name, mf := range mfs {
		if strings.HasPrefix(name, "sshdoctor_") {
			s.series += len(mf.GetMetric())
		}
	}
	return s
}

// TestLabExporterConcurrentAndSteady: 50 probes at once all succeed against
// the real sshd, and a few hundred more leave neither goroutines nor
// memory behind. BenchmarkLabExporter10000 is the 10,000-probe run.
func TestLabExporterConcurrentAndSteady(t *testing.T) {
	e := start(t)
	e.probeMany(t, 50, 50, "/probe?module=lab&target="+lab.ServerAddr, 1)
	refused := "/probe?module=lab&target=" + lab.ServerAddr + ":9"
	e.probeMany(t, 60, 20, refused, 0)
	s0 := e.health(t)
	e.probeMany(t, 300, 20, refused, 0)
	s1 := e.health(t)
	t.Logf("after 110 probes: RSS %.1f MB, %v goroutines; after 410: RSS %.1f MB, %v goroutines", s0.rss/1e6, s0.goroutines, s1.rss/1e6, s1.goroutines)
	if s1.goroutines > s0.goroutines+10 {
		t.Errorf("goroutines grew from %v to %v", s0.goroutines, s1.goroutines)
	}
	if s1.rss > s0.rss*1.5+8e6 {
		t.Errorf("RSS grew from %.1f MB to %.1f MB", s0.rss/1e6, s1.rss/1e6)
	}
}

// BenchmarkLabExporter10000: 10,000 probes (SSHDOCTOR_EXPORTER_PROBES
// changes the count), 50 at a time: 45 % to the healthy sshd, 45 % to a
// closed port and 10 % as a user the server refuses, so every path through
// the layers runs. The exporter's RSS, heap in use, goroutines, open file
// descriptors and exposed series are sampled after the first 1,000, at the
// half and at the end; none may grow after the first 1,000.
func BenchmarkLabExporter10000(b *testing.B) {
	total := 10000
	if v, err := strconv.Atoi(os.Getenv("SSHDOCTOR_EXPORTER_PROBES")); err == nil && v >= 1000 {
		total = v
	}
	e := start(b)
	ok := "/probe?module=lab&target=" + lab.ServerAddr
	refused := "/probe?module=lab&target=" + lab.ServerAddr + ":9"
	stranger := "/probe?module=stranger&target=" + lab.ServerAddr
	// batch sends n probes in that mix.
	batch := func(n int) {
		e.probeMany(b, n*45/100, 50, ok, 1)
		e.probeMany(b, n*45/100, 50, refused, 0)
		e.probeMany(b, n-2*(n*45/100), 50, stranger, 0)
	}
	const step = 500
	done := 0
	var marks []int
	var samples []sample
	b.ResetTimer()
	start := time.Now()
	for _, at := range []int{1000, total / 2, total} {
		for ; done < at; done += step {
			batch(min(step, at-done))
		}
		marks, samples = append(marks, done), append(samples, e.health(b))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	for i, s := range samples {
		b.Logf("after %5d probes: RSS %.1f MB, heap in use %.1f MB, %v goroutines, %v open fds, %d series",
			marks[i], s.rss/1e6, s.heap/1e6, s.goroutines, s.fds, s.series)
	}
	first, last := samples[0], samples[len(samples)-1]
	b.ReportMetric(float64(total)/elapsed.Seconds(), "probes/s")
	b.ReportMetric(first.rss/1e6, "RSS-MB-at-1k")
	b.ReportMetric(last.rss/1e6, "RSS-MB-at-end")
	b.ReportMetric(first.heap/1e6, "heap-MB-at-1k")
	b.ReportMetric(last.heap/1e6, "heap-MB-at-end")
	b.ReportMetric(last.goroutines, "goroutines-at-end")
	if last.goroutines > first.goroutines+10 || last.fds > first.fds+10 || last.series != first.series ||
		last.rss > first.rss*1.25+8e6 || last.heap > first.heap*1.5+4e6 {
		b.Errorf("grew from 1,000 to %d probes: RSS %.1f → %.1f MB, heap %.1f → %.1f MB, goroutines %v → %v, fds %v → %v, series %d → %d",
			total, first.rss/1e6, last.rss/1e6, first.heap/1e6, last.heap/1e6, first.goroutines, last.goroutines,
			first.fds, last.fds, first.series, last.series)
	}
}
