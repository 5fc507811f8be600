package gcp

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/sshdoctor/sshdoctor/diag"
)

// Cloud Monitoring, read-only (projects.timeSeries.list): the VM's CPU,
// the Ops Agent's memory and disk, and uptime for reboot loops. A RUNNING
// VM at 100 % CPU, out of memory or with a full disk does not answer ssh,
// and the VM's status never says so.

// TimeSeries is one series of timeSeries.list (the fields read).
type TimeSeries struct {
	Metric struct {
		Type   string            `json:"type"`
		Labels map[string]string `json:"labels"`
	} `json:"metric"`
	Resource struct {
		Type   string            `json:"type"`
		Labels map[string]string `json:"labels"`
	} `json:"resource"`
	Points []struct {
		Interval struct {
			StartTime string `json:"startTime"`
			EndTime   string `json:"endTime"`
		} `json:"interval"`
		Value struct {
			DoubleValue *float64 `json:"doubleValue"`
			Int64Value  *string  `json:"int64Value"` // int64 travels as a string in JSON
		} `json:"value"`
	} `json:"points"`
}

// Point is a time and a value.
type Point struct {
	T time.Time
	V float64
}

// Sorted returns the series' points oldest first (the API answers newest
// first), skipping points it cannot read.
func (ts *TimeSeries) Sorted() []Point {
	var out []Point
	for _, p := range ts.Points {
		t, err := time.Parse(time.RFC3339Nano, p.Interval.EndTime)
		if err != nil {
			continue
		}
		switch {
		case p.Value.DoubleValue != nil:
			out = append(out, Point{t, *p.Value.DoubleValue})
		case p.Value.Int64Value != nil:
			v, err := strconv.ParseInt(*p.Value.Int64Value, 10, 64)
			if err == nil {
				out = append(out, Point{t, float64(v)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].T.Before(out[j].T) })
	return out
}

// maxSeries bounds how many series one query may return for one VM (a VM
// has a handful of disks and states); maxPoints bounds the points read.
const (
	maxSeries = 64
	maxPoints = 10000
)

// TimeSeriesList reads the series matching filter in [start, end].
func (c *Client) TimeSeriesList(ctx context.Context, project, filter string, start, end time.Time) ([]TimeSeries, error) {
	q := url.Values{}
	q.Set("filter", filter)
	q.Set("interval.startTime", start.UTC().Format(time.RFC3339))
	q.Set("interval.endTime", end.UTC().Format(time.RFC3339))
	q.Set("view", "FULL")
	q.Set("pageSize", strconv.Itoa(maxSeries))
	var out struct {
		TimeSeries []TimeSeries `json:"timeSeries"`
	}
	err := c.do(ctx, call{api: apiMon, method: "timeSeries.list", resource: "projects/" + project,
		permission: "monitoring.timeSeries.list", httpMethod: http.MethodGet,
		url: c.Endpoints.Monitoring + "v3/projects/" + esc(project) + "/timeSeries?" + q.Encode()}, &out)
	if err != nil {
		return nil, err
	}
	n := 0
	for i := range out.TimeSeries {
		if n+len(out.TimeSeries[i].Points) > maxPoints {
			out.TimeSeries = out.TimeSeries[:i]
			break
		}
		n += len(out.TimeSeries[i].Points)
	}
	return out.TimeSeries, nil
}

// Metric types and thresholds. The CPU rule is gcloud's (its VM status
// troubleshooter flags a mean above 0.99 over the last 10 minutes); memory
// and disk are the Ops Agent's percentages, judged on the newest point;
// uptime_total falling between two points is a reboot.
const (
	MetricCPU    = "compute.googleapis.com/instance/cpu/utilization"
	MetricUptime = "compute.googleapis.com/instance/uptime_total"
	MetricMemory = "agent.googleapis.com/memory/percent_used"
	MetricDisk   = "agent.googleapis.com/disk/percent_used"

	cpuThreshold    = 0.99
	cpuWindow       = 10 * time.Minute
	monitorWindow   = 30 * time.Minute
	memoryThreshold = 95.0
	diskThreshold   = 98.0
	rebootLoopCount = 2 // reboots in the window
)

func (r *Run) checkMonitoring(ctx context.Context, p *diag.Pass) diag.Result {
	inst := diag.ResultOf(p, r.defVMStatus)
	end := r.o.Now()
	start := end.Add(-monitorWindow)
	filter := func(metric, extra string) string {
		f := `metric.type = "` + metric + `" AND resource.labels.instance_id = "` + inst.ID + `"`
		if extra != "" {
			f += " AND " + extra
		}
		return f
	}
	project := r.o.Project.Value
	cpu, err := r.api.TimeSeriesList(ctx, project, filter(MetricCPU, ""), start, end)
	if err != nil {
		return r.monitoringUnavailable(err)
	}
	var findings []*diag.Finding
	info := diag.NewFinding("gcp.monitoring_read").Ev("window", "last 30 minutes")

	if pts := firstSeries(cpu); len(pts) == 0 {
		info.Ev("cpu", "no data")
	} else {
		mean, n := meanSince(pts, end.Add(-cpuWindow))
		info.Ev("cpu", fmt.Sprintf("%.0f%% mean over the last 10 minutes (%d points), %.0f%% newest", mean*100, n, pts[len(pts)-1].V*100))
		if n > 0 && mean > cpuThreshold {
			bigger := biggerMachineType(inst.MachineType)
			findings = append(findings, diag.NewFinding("gcp.cpu_saturated").Arg("instance", inst.Name).
				Arg("percent", fmt.Sprintf("%.1f", mean*100)).
				Ev("cpu", fmt.Sprintf("%.1f%% mean over %d points since %s", mean*100, n, end.Add(-cpuWindow).UTC().Format(time.RFC3339))).
				Arg("machine_type", bigger).
				Fix("fix.gcp_machine_type", r.startCmd("stop")+"\ngcloud compute instances set-machine-type "+inst.Name+" "+r.loc()+
					" --machine-type="+bigger+"\n"+r.startCmd("start")))
		}
	}
	if up, err := r.api.TimeSeriesList(ctx, project, filter(MetricUptime, ""), start, end); err == nil {
		pts := firstSeries(up)
		boots := rebootsIn(pts)
		switch {
		case len(pts) == 0:
			info.Ev("uptime", "no data")
		case len(boots) >= rebootLoopCount:
			f := diag.NewFinding("gcp.reboot_loop").Arg("instance", inst.Name).Arg("count", strconv.Itoa(len(boots))).
				Fix("fix.gcp_read_serial", r.serialReadCmd())
			for _, b := range boots {
				f.Ev("reboot", b.UTC().Format(time.RFC3339))
			}
			findings = append(findings, f)
		default:
			info.Ev("uptime", fmt.Sprintf("%.0f s at the newest point, %d reboot(s) in the window", pts[len(pts)-1].V, len(boots)))
		}
	}
	if mem, err := r.api.TimeSeriesList(ctx, project, filter(MetricMemory, `metric.labels.state = "used"`), start, end); err == nil {
		pts := firstSeries(mem)
		if len(pts) == 0 {
			info.Ev("memory", "no Ops Agent data")
		} else if v := pts[len(pts)-1].V; v >= memoryThreshold {
			findings = append(findings, diag.NewFinding("gcp.memory_exhausted").Arg("instance", inst.Name).
				Arg("percent", fmt.Sprintf("%.1f", v)).Ev("memory", fmt.Sprintf("%.1f%% used at %s", v, pts[len(pts)-1].T.UTC().Format(time.RFC3339))).
				Fix("fix.gcp_machine_type", r.startCmd("stop")+"\ngcloud compute instances set-machine-type "+inst.Name+" "+r.loc()+
					" --machine-type="+biggerMachineType(inst.MachineType)+"\n"+r.startCmd("start")).
				Arg("machine_type", biggerMachineType(inst.MachineType)))
		} else {
			info.Ev("memory", fmt.Sprintf("%.0f%% used", v))
		}
	}
	if disk, err := r.api.TimeSeriesList(ctx, project, filter(MetricDisk, `metric.labels.state = "used"`), start, end); err == nil {
		if len(disk) == 0 {
			info.Ev("disk", "no Ops Agent data")
		}
		for _, ts := range disk {
			pts := ts.Sorted()
			if len(pts) == 0 {
				continue
			}
			dev := ts.Metric.Labels["device"]
			v := pts[len(pts)-1].V
			if v >= diskThreshold {
				f := diag.NewFinding("gcp.disk_full_metric").Arg("instance", inst.Name).Arg("device", dev).
					Arg("percent", fmt.Sprintf("%.1f", v)).Ev("disk", fmt.Sprintf("%s %.1f%% used", dev, v))
				if cmd, size := r.resizeDiskCmd(inst); cmd != "" {
					f.Arg("size_gb", size).Fix("fix.gcp_resize_disk", cmd)
				} else {
					f.Fix("fix.gcp_serial_console_emergency", r.serialConsoleCmd())
				}
				findings = append(findings, f)
			} else {
				info.Ev("disk", fmt.Sprintf("%s %.0f%% used", dev, v))
			}
		}
	}
	return diag.Conclude(nil, append(findings, info)...)
}

// monitoringUnavailable: the API disabled or not permitted is a blind
// spot, said as such, not a failure of the VM.
func (r *Run) monitoringUnavailable(err error) diag.Result {
	f := diag.NewFinding("gcp.monitoring_unavailable").Ev("error", oneLineErr(err))
	if e, ok := asAPIError(err); ok {
		if e.Disabled() {
			f.Fix("fix.gcp_enable_api", "gcloud services enable "+apiMon+" --project="+r.o.Project.Value).
				Arg("api", apiMon).Arg("project", r.o.Project.Value)
		} else if e.Status == http.StatusForbidden {
			f.Fix("fix.gcp_grant_role", "gcloud projects add-iam-policy-binding "+r.o.Project.Value+" --member="+r.member()+
				" --role=roles/monitoring.viewer").Arg("role", "roles/monitoring.viewer")
		}
	}
	return diag.Conclude(nil, f)
}

// firstSeries is the points of the first series (one per VM for the
// compute metrics and the memory "used" state).
func firstSeries(ts []TimeSeries) []Point {
	if len(ts) == 0 {
		return nil
	}
	return ts[0].Sorted()
}

func meanSince(pts []Point, since time.Time) (float64, int) {
	sum, n := 0.0, 0
	for _, p := range pts {
		if !p.T.Before(since) {
			sum += p.V
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return sum / float64(n), n
}

// rebootsIn: uptime_total (seconds since the VM started) falling from one
// point to the next is a restart.
func rebootsIn(pts []Point) []time.Time {
	var out []time.Time
	for i := 1; i < len(pts); i++ {
		if pts[i].V < pts[i-1].V {
			out = append(out, pts[i].T.Add(-time.Duration(pts[i].V*float64(time.Second))))
		}
	}
	return out
}
