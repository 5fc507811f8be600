package reportschema

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

const valid = `{"schema_version": 1, "version": "v1.2.3", "command": "check", "language": "en",
 "target": {"destination": "deploy@web1", "user": "deploy", "host": "web1", "hostname": "198.18.0.2", "port": 22, "addresses": ["198.18.0.2"]},
 "result": "problem",
 "diagnosis": {"code": "tcp.refused", "title": "t", "explanation": "e", "fixes": [{"description": "d", "command": "c"}]},
 "checks": [
  {"name": "dns", "label": "name resolution", "status": "pass", "duration_ms": 1, "findings": []},
  {"name": "tcp", "label": "TCP connection", "status": "fail", "duration_ms": 3, "findings": [
    {"code": "tcp.refused", "severity": "error", "title": "t", "explanation": "e", "evidence": {"address": "198.18.0.2:22"}, "fixes": []}]},
  {"name": "kex", "label": "key exchange", "status": "skip", "duration_ms": 0, "skipped_for": "tcp", "findings": []}],
 "stats": {"connections": 1, "auth_attempts": 0}}`

func TestSchemaAcceptsAReport(t *testing.T) {
	if err := Validate([]byte(valid)); err != nil {
		t.Fatal(err)
	}
}

// Each mutation is a break of the contract a consumer would notice; the
// schema must reject every one.
func TestSchemaRejectsBrokenReports(t *testing.T) {
	for name, mutate := range map[string]func(m map[string]any){
		"renamed field":          func(m map[string]any) { m["checks"].([]any)[0].(map[string]any)["durationMS"] = 1 },
		"missing duration":       func(m map[string]any) { delete(m["checks"].([]any)[0].(map[string]any), "duration_ms") },
		"unknown status":         func(m map[string]any) { m["checks"].([]any)[0].(map[string]any)["status"] = "ok" },
		"unknown severity":       func(m map[string]any) { finding(m)["severity"] = "fatal" },
		"evidence not text":      func(m map[string]any) { finding(m)["evidence"] = map[string]any{"port": 22} },
		"schema version 2":       func(m map[string]any) { m["schema_version"] = 2 },
		"no version":             func(m map[string]any) { delete(m, "version") },
		"unknown command":        func(m map[string]any) { m["command"] = "scan" },
		"unknown language":       func(m map[string]any) { m["language"] = "fr" },
		"port as text":           func(m map[string]any) { m["target"].(map[string]any)["port"] = "22" },
		"check without target":   func(m map[string]any) { delete(m, "target") },
		"problem coded ok":       func(m map[string]any) { m["diagnosis"].(map[string]any)["code"] = "ok" },
		"ok with a finding code": func(m map[string]any) { m["result"] = "ok" },
		"stats renamed":          func(m map[string]any) { m["stats"] = map[string]any{"connections": 1, "attempts": 0} },
		"fix without description": func(m map[string]any) {
			m["diagnosis"].(map[string]any)["fixes"] = []any{map[string]any{"command": "c"}}
		},
		"code with spaces": func(m map[string]any) { finding(m)["code"] = "tcp refused" },
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal([]byte(valid), &m); err != nil {
				t.Fatal(err)
			}
			mutate(m)
			b, _ := json.Marshal(m)
			if err := Validate(b); err == nil {
				t.Errorf("accepted: %s", b)
			}
		})
	}
}

func finding(m map[string]any) map[string]any {
	return m["checks"].([]any)[1].(map[string]any)["findings"].([]any)[0].(map[string]any)
}

func TestValidateWantsOneJSONValue(t *testing.T) {
	for _, in := range []string{"", "not json", valid + "\n" + valid} {
		if err := Validate([]byte(in)); err == nil {
			t.Errorf("accepted %.40q", in)
		}
	}
	if err := Validate([]byte(valid + "\n")); err != nil {
		t.Errorf("a trailing newline: %v", err)
	}
	if !strings.HasSuffix(filepath.ToSlash(Path()), "docs/report.schema.json") {
		t.Errorf("Path() = %s", Path())
	}
}
