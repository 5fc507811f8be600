//go:build !linux

// Package lab runs real OpenSSH in Linux network namespaces for tests. On
// other systems every lab test skips (and fails under CI=true).
package lab

import (
	"os"
	"testing"
)

// Require skips the test: the lab needs Linux network namespaces.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("lab: needs Linux network namespaces, and CI=true forbids skipping")
	}
	t.Skip("lab: needs Linux network namespaces")
}
