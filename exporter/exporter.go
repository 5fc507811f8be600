package exporter

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/inventory"
	"github.com/sshdoctor/sshdoctor/report"
	"github.com/sshdoctor/sshdoctor/scan"
)

// Probe diagnoses one target with a module's settings (check's layers).
type Probe func(ctx context.Context, t inventory.Target, m Module) (*report.Report, error)

// Options of the exporter.
type Options struct {
	// MaxConcurrent bounds probes running at once; more wait, up to their
	// own deadline. 0 = DefaultMaxConcurrent().
	MaxConcurrent int
}

// DefaultMaxConcurrent bounds probes running at once; the others wait for a
// turn within their own deadline. Prometheus scrapes every target of a job
// at once, but each probe runs ssh -G and a key exchange: too many at once
// on a small machine and the CPU queue outlasts the network deadlines, so
// healthy hosts would read as timeouts. Eight per core keeps ahead.
func DefaultMaxConcurrent() int {
	n := 8 * runtime.NumCPU()
	if n < 8 {
		n = 8
	}
	return n
}

// scrapeOffset is taken off Prometheus's scrape timeout so the answer
// arrives before Prometheus gives up (blackbox_exporter's default offset).
const scrapeOffset = 500 * time.Millisecond

// maxLabelValue caps server-supplied text in a label (a version string is
// a few dozen bytes; a hostile one may be 255).
const maxLabelValue = 128

// Exporter is the HTTP side.
type Exporter struct {
	cfg   *Config
	probe Probe
	sem   chan struct{}

	reg      *prometheus.Registry
	probes   *prometheus.CounterVec
	inFlight prometheus.Gauge
	duration *prometheus.HistogramVec
}

// New builds an exporter around a probe.
func New(cfg *Config, probe Probe, o Options) *Exporter {
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent()
	}
	e := &Exporter{cfg: cfg, probe: probe, sem: make(chan struct{}, o.MaxConcurrent), reg: prometheus.NewRegistry()}
	e.probes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sshdoctor_exporter_probes_total",
		Help: "Probes answered, by module and result (ok, problem, inconclusive, bad_request)."}, []string{"module", "result"})
	e.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "sshdoctor_exporter_probes_in_flight",
		Help: "Probes running now."})
	e.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sshdoctor_exporter_probe_duration_seconds",
		Help: "How long probes took.", Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"module"})
	e.reg.MustRegister(e.probes, e.inFlight, e.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return e
}

// Handler serves /probe, /metrics and a short index page.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/probe", e.serveProbe)
	mux.Handle("/metrics", promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "sshdoctor exporter\n\n/probe?target=host:port&module=NAME  check's layers on one target\n/metrics                              the exporter's own health\n")
	})
	return mux
}

func (e *Exporter) badRequest(w http.ResponseWriter, module, msg string) {
	e.probes.WithLabelValues(boundedModule(e.cfg, module), "bad_request").Inc()
	http.Error(w, msg, http.StatusBadRequest)
}

// boundedModule keeps the module label to configured names.
func boundedModule(c *Config, m string) string {
	if _, ok := c.Modules[m]; ok {
		return m
	}
	return "unknown"
}

func (e *Exporter) serveProbe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	modName := q.Get("module")
	if modName == "" {
		modName = "ssh"
	}
	mod, ok := e.cfg.Modules[modName]
	if !ok {
		e.badRequest(w, modName, fmt.Sprintf("unknown module %q", modName))
		return
	}
	mod = mod.Fill()
	raw := q.Get("target")
	if raw == "" {
		e.badRequest(w, modName, "target parameter is missing")
		return
	}
	u, h, p, err := inventory.ParseDest(raw)
	if err != nil {
		e.badRequest(w, modName, "target: "+err.Error())
		return
	}
	t := inventory.Target{Name: h, User: u, Host: h, Port: p}

	timeout := mod.ProbeTimeout
	if v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
			if d := time.Duration(s*float64(time.Second)) - scrapeOffset; d > 0 && d < timeout {
				timeout = d
			}
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		http.Error(w, "too many probes in flight", http.StatusServiceUnavailable)
		return
	}
	e.inFlight.Inc()
	start := time.Now()
	rep, perr := e.probe(ctx, t, mod)
	elapsed := time.Since(start)
	e.inFlight.Dec()
	<-e.sem
	e.duration.WithLabelValues(modName).Observe(elapsed.Seconds())
	if perr != nil {
		e.badRequest(w, modName, "target: "+perr.Error())
		return
	}
	e.probes.WithLabelValues(modName, rep.Result).Inc()

	reg := prometheus.NewRegistry()
	collectReport(reg, rep, elapsed)
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// collectReport turns one report into the probe's metrics. Every label
// value is bounded: layer names and codes come from the catalog, and the
// server's own text is capped and cleaned.
func collectReport(reg *prometheus.Registry, rep *report.Report, elapsed time.Duration) {
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		reg.MustRegister(g)
		return g
	}
	vec := func(name, help string, labels ...string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		reg.MustRegister(g)
		return g
	}
	success := 0.0
	if rep.Result == "ok" {
		success = 1
	}
	gauge("sshdoctor_probe_success", "1 when every layer checked passed (ssh would get this far), else 0.").Set(success)
	gauge("sshdoctor_probe_duration_seconds", "How long the probe took.").Set(elapsed.Seconds())
	layerOK := vec("sshdoctor_layer_success", "1 when the layer passed (or only warned), 0 when it failed or could not decide; layers not reached are absent.", "layer")
	layerDur := vec("sshdoctor_layer_duration_seconds", "How long each layer that ran took.", "layer")
	for _, c := range rep.Checks {
		if c.Status == "skip" {
			continue
		}
		v := 0.0
		if c.Status == "pass" || c.Status == "warn" {
			v = 1
		}
		layerOK.WithLabelValues(c.Name).Set(v)
		layerDur.WithLabelValues(c.Name).Set(float64(c.DurationMS) / 1000)
	}
	code := rep.Diagnosis.Code
	if rep.Result != "ok" {
		if _, ok := catalog.Lookup(code); !ok && code != "inconclusive" && code != "problem" {
			code = "other" // never an unbounded label
		}
		vec("sshdoctor_probe_failure", "The root cause of a failing probe: its catalogued code (sshdoctor explain CODE).", "code").
			WithLabelValues(code).Set(1)
	}
	vec("sshdoctor_probe_result", "The probe's verdict: ok, problem or inconclusive.", "result").WithLabelValues(rep.Result).Set(1)
	f := scan.FactsOf(rep)
	if f.Software != "" {
		vec("sshdoctor_server_info", "The server's software, from its identification line.", "software").
			WithLabelValues(cleanLabel(f.Software)).Set(1)
	}
	if f.HostKey != "" {
		typ, fp, _ := strings.Cut(f.HostKey, " ")
		vec("sshdoctor_host_key_info", "The host key the server presented.", "type", "fingerprint").
			WithLabelValues(cleanLabel(typ), cleanLabel(fp)).Set(1)
	}
	if d := f.DeprecatedOnly(); len(d) > 0 {
		g := vec("sshdoctor_deprecated_only", "1 for each slot in which the server offers only algorithms current OpenSSH disables.", "slot")
		for _, s := range d {
			g.WithLabelValues(s).Set(1)
		}
	}
	if rep.Stats != nil {
		gauge("sshdoctor_probe_connections", "TCP connections the probe opened to the target.").Set(float64(rep.Stats.Connections))
		gauge("sshdoctor_probe_auth_attempts", "Authentication attempts the probe made.").Set(float64(rep.Stats.AuthAttempts))
	}
}

// cleanLabel keeps printable UTF-8 and caps the length.
func cleanLabel(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f {
			r = '?'
		}
		if b.Len()+utf8.RuneLen(r) > maxLabelValue {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
