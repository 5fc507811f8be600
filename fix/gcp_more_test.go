package fix

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/gcp"
	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
	"github.com/sshdoctor/sshdoctor/report"
)

// fakeProject is project metadata behind the ProjectMetadataCloud
// interface, with a fingerprint that changes on every write.
type fakeProject struct {
	md     gcp.Metadata
	writes int
}

func (f *fakeProject) SetProjectMetadata(_ context.Context, _ string, change func(gcp.Metadata) gcp.Metadata) (gcp.Metadata, error) {
	old := f.md
	old.Items = append([]gcp.MetadataItem{}, f.md.Items...)
	f.md = change(gcp.Metadata{Fingerprint: old.Fingerprint, Items: append([]gcp.MetadataItem{}, old.Items...)})
	f.writes++
	return old, nil
}

func (f *fakeProject) InsertFirewall(context.Context, string, *gcp.Firewall) error { return nil }
func (f *fakeProject) DeleteFirewall(context.Context, string, string) error        { return nil }
func (f *fakeProject) SetTags(context.Context, string, string, string, func([]string) []string) ([]string, error) {
	return nil, nil
}

// A project whose ssh-keys item the fix created: undo removes the item
// again, while other project keys stay as they are.
func TestProjectKeyUndoRemovesCreatedItem(t *testing.T) {
	in := testInputs(t)
	in.KeyFile = t.TempDir() + "/k.pub"
	if err := os.WriteFile(in.KeyFile, []byte(gcptest.PublicKeyLine(2, "alice@laptop")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &report.Report{Subject: map[string]string{"login_user": "alice", "instance": "vm", "zone": "z", "project": "proj-12345"},
		Checks: []report.Check{{Findings: []report.Finding{{Code: "gcp.metadata_key_missing", Severity: "error",
			Evidence: map[string]string{"instance_keys": "0", "project_keys": "2"}}}}}}
	p := Build(context.Background(), r, in)
	if len(p.Steps) != 1 {
		t.Fatalf("plan %s", planText(p))
	}
	v := "x"
	cloud := &fakeProject{md: gcp.Metadata{Fingerprint: "f0", Items: []gcp.MetadataItem{{Key: "enable-oslogin", Value: &v}}}}
	b, _ := NewBackup(in.Home, time.Now(), "gcp")
	if _, err := Apply(context.Background(), &Env{Backup: b, Cloud: cloud}, p, p.Applicable()); err != nil {
		t.Fatal(err)
	}
	if got, _ := cloud.md.Get("ssh-keys"); got == "" || len(cloud.md.Items) != 2 {
		t.Fatalf("after the fix %+v", cloud.md.Items)
	}
	if _, err := Undo(context.Background(), &Env{Cloud: cloud}, b.Dir); err != nil {
		t.Fatal(err)
	}
	if _, ok := cloud.md.Get("ssh-keys"); ok || len(cloud.md.Items) != 1 || cloud.writes != 2 {
		t.Fatalf("after undo %+v (%d writes)", cloud.md.Items, cloud.writes)
	}
}
