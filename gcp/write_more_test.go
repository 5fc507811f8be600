package gcp

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

// A metadata write carries the fingerprint read just before it: when
// someone else changes the metadata in between, the API refuses the write
// (412) and their change is kept, never overwritten.
func TestMetadataWritesAreOptimistic(t *testing.T) {
	ctx := context.Background()
	s := gcptest.New(t)
	s.AllowWrites = true
	c := clientFor(s)
	v := "TRUE"
	_, err := c.SetProjectMetadata(ctx, gcptest.Project, func(m Metadata) Metadata {
		s.SetProjectMetadata("ssh-keys", "bob:"+gcptest.PublicKeyLine(3, "bob")) // a concurrent writer
		s.Lock(func() {
			md := s.ProjectDoc["commonInstanceMetadata"].(gcptest.JSON)
			md["fingerprint"] = "Y29uY3VycmVudA=="
		})
		m.Items = append(m.Items, MetadataItem{Key: "serial-port-enable", Value: &v})
		return m
	})
	var ae *APIError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "412") && !strings.Contains(err.Error(), "fingerprint") {
		t.Fatalf("stale fingerprint: %v", err)
	}
	if got, _ := s.ProjectMetadata("ssh-keys"); !strings.HasPrefix(got, "bob:") {
		t.Fatalf("the concurrent change was lost: %q", got)
	}
	if _, ok := s.ProjectMetadata("serial-port-enable"); ok || len(s.Writes()) != 0 {
		t.Fatalf("a stale write went through: %v", s.Writes())
	}
	// With a fresh read the same write goes through.
	old, err := c.SetProjectMetadata(ctx, gcptest.Project, func(m Metadata) Metadata {
		m.Items = append(m.Items, MetadataItem{Key: "serial-port-enable", Value: &v})
		return m
	})
	if err != nil || old.Fingerprint != "Y29uY3VycmVudA==" {
		t.Fatalf("fresh write: %v (old fingerprint %q)", err, old.Fingerprint)
	}
	if got, _ := s.ProjectMetadata("serial-port-enable"); got != "TRUE" {
		t.Fatalf("serial-port-enable %q", got)
	}
}

// OS Login: a key already in the profile is not imported again (and so
// never deleted by an undo); a new one comes back with the fingerprint the
// answer gives, which deletes exactly it.
func TestOSLoginImportAndDelete(t *testing.T) {
	ctx := context.Background()
	s := gcptest.New(t)
	s.AllowWrites = true
	c := clientFor(s)
	if fp, existed, err := c.ImportSSHPublicKey(ctx, gcptest.Account, gcptest.Project, gcptest.PublicKeyLine(1, "x")); err != nil || !existed || fp != "fp01" {
		t.Fatalf("existing key: %q %v %v", fp, existed, err)
	}
	fp, existed, err := c.ImportSSHPublicKey(ctx, gcptest.Account, gcptest.Project, gcptest.PublicKeyLine(2, "alice@laptop"))
	if err != nil || existed || fp == "" {
		t.Fatalf("new key: %q %v %v", fp, existed, err)
	}
	if err := c.DeleteSSHPublicKey(ctx, gcptest.Account, fp); err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(s.Writes(), "|"); w != "users.importSshPublicKey "+fp+"|users.sshPublicKeys.delete "+fp {
		t.Fatalf("writes %s", w)
	}
	if k := s.OSLoginKeys(); len(k) != 1 {
		t.Fatalf("profile keys %v", k)
	}
}
