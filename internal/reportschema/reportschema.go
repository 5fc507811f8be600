// Package reportschema validates sshdoctor's --json output against the
// published contract, docs/report.schema.json (JSON Schema draft 2020-12).
// Only tests import it: the schema and its validator are not part of the
// sshdoctor binary.
package reportschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Path is the schema file, found from this source file so that tests in any
// package (and lab binaries run from any directory) use the same one.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "docs", "report.schema.json")
}

var (
	once     sync.Once
	compiled *jsonschema.Schema
	loadErr  error
)

// Schema compiles the schema once. Compiling also validates the schema
// itself against the draft 2020-12 meta-schema.
func Schema() (*jsonschema.Schema, error) {
	once.Do(func() {
		raw, err := os.ReadFile(Path())
		if err != nil {
			loadErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			loadErr = fmt.Errorf("%s: %w", Path(), err)
			return
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id == "" {
			loadErr = fmt.Errorf("%s: no $id", Path())
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		if err := c.AddResource(id, doc); err != nil {
			loadErr = err
			return
		}
		compiled, loadErr = c.Compile(id)
	})
	return compiled, loadErr
}

// Validate checks that data is exactly one JSON value (nothing after it)
// and that it is a report the schema accepts.
func Validate(data []byte) error {
	sch, err := Schema()
	if err != nil {
		return fmt.Errorf("report schema: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("more than one JSON value")
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// Check fails the test when data is not a report the schema accepts.
func Check(t testing.TB, data []byte) {
	t.Helper()
	if err := Validate(data); err != nil {
		t.Errorf("--json output does not match docs/report.schema.json: %v\n%s", err, data)
	}
}
