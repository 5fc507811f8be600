package gcptest

import (
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Cloud Monitoring's projects.timeSeries.list, in the shape of
// https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/list
// (points newest first, int64 values as strings, gce_instance resources).

var metricTypeRE = regexp.MustCompile(`metric\.type\s*=\s*"([^"]+)"`)

func (s *Server) timeSeries(r *http.Request, args map[string]string, write func(int, any)) {
	q := r.URL.Query()
	if args["project"] != Project {
		write(404, NotFound("projects/"+args["project"]).Body)
		return
	}
	if q.Get("interval.endTime") == "" {
		write(400, errorBody(400, "Field interval.endTime had an invalid value", "badRequest"))
		return
	}
	m := metricTypeRE.FindStringSubmatch(q.Get("filter"))
	if m == nil {
		write(400, errorBody(400, "Field filter had an invalid value: a metric.type is required", "badRequest"))
		return
	}
	series := s.Metrics[m[1]]
	if len(series) == 0 {
		write(200, JSON{"unit": ""}) // the API's answer when nothing matched
		return
	}
	write(200, JSON{"timeSeries": series, "unit": "1"})
}

// Series builds one series of metric for the VM under test: values oldest
// first, one a minute, the newest at now; labels are the metric's labels.
// Int64 metrics (uptime_total) are written as the API writes them.
func (s *Server) Series(metric string, labels map[string]string, now time.Time, int64s bool, values ...float64) JSON {
	vm := s.VMDoc()
	var points []any
	for i := len(values) - 1; i >= 0; i-- {
		t := now.Add(-time.Duration(len(values)-1-i) * time.Minute).UTC()
		v := JSON{"doubleValue": values[i]}
		if int64s {
			v = JSON{"int64Value": strconv.FormatInt(int64(values[i]), 10)}
		}
		points = append(points, JSON{"interval": JSON{"startTime": t.Add(-time.Minute).Format(time.RFC3339Nano),
			"endTime": t.Format(time.RFC3339Nano)}, "value": v})
	}
	ml := JSON{}
	for k, v := range labels {
		ml[k] = v
	}
	if _, ok := labels["instance_name"]; !ok && metric[:len("compute.")] == "compute." {
		ml["instance_name"] = VM
	}
	kind, vt := "GAUGE", "DOUBLE"
	if int64s {
		vt = "INT64"
	}
	return JSON{"metric": JSON{"type": metric, "labels": ml},
		"resource":   JSON{"type": "gce_instance", "labels": JSON{"project_id": Project, "instance_id": vm["id"], "zone": Zone}},
		"metricKind": kind, "valueType": vt, "points": points}
}

// SetMetric replaces the series of a metric.
func (s *Server) SetMetric(metric string, series ...JSON) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Metrics == nil {
		s.Metrics = map[string][]JSON{}
	}
	s.Metrics[metric] = series
}
