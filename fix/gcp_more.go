package fix

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/sshdoctor/sshdoctor/gcp"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"github.com/sshdoctor/sshdoctor/report"
)

// ProjectMetadataCloud is the project metadata write of a gcp.Client.
type ProjectMetadataCloud interface {
	SetProjectMetadata(ctx context.Context, project string, change func(old gcp.Metadata) gcp.Metadata) (gcp.Metadata, error)
}

// OSLoginCloud is the OS Login key import and delete of a gcp.Client.
type OSLoginCloud interface {
	ImportSSHPublicKey(ctx context.Context, account, project, keyLine string) (fingerprint string, existed bool, err error)
	DeleteSSHPublicKey(ctx context.Context, account, fingerprint string) error
}

func init() {
	planners["gcp.oslogin_key_missing"] = planGCPOSLoginKey
	planners["gcp.oslogin_ignores_metadata_keys"] = planGCPOSLoginKey
}

// projectKeysPath says the instance takes its keys from project metadata:
// project keys are not blocked, the project holds keys and the instance
// none of its own (gcloud compute ssh adds keys there too). Otherwise the
// instance's own ssh-keys is the narrower place.
func projectKeysPath(f *report.Finding) bool {
	pk, ik := f.Evidence["project_keys"], f.Evidence["instance_keys"]
	return ik == "0" && pk != "" && pk != "0" && !strings.HasPrefix(pk, "blocked")
}

// planGCPProjectKey adds LOGIN:KEY to the project's ssh-keys metadata;
// undo removes exactly that line (and the item, when the fix created it),
// leaving every other project key as it is then.
func planGCPProjectKey(p *Plan, f *report.Finding, in Inputs, project, login, line string) {
	s := &Step{Code: f.Code, Kind: KindCommand,
		Command: "POST compute/v1/projects/" + project + "/setCommonInstanceMetadata (ssh-keys += " + line + ", with the metadata fingerprint)",
		Undo:    "POST compute/v1/projects/" + project + "/setCommonInstanceMetadata (ssh-keys -= that line)",
		Why:     in.say("fix.why.gcp_project_key", map[string]string{"user": login, "project": project})}
	o := &gcpProjectKeyOp{project: project, line: line}
	s.ops = []op{o}
	p.add(s)
	o.step = s.ID
}

type gcpProjectKeyOp struct {
	step          int
	project, line string
}

func (o *gcpProjectKeyOp) do(ctx context.Context, e *Env) error {
	pc, ok := e.Cloud.(ProjectMetadataCloud)
	if !ok {
		return errors.New("no Google Cloud client")
	}
	created := "existing"
	_, err := pc.SetProjectMetadata(ctx, o.project, func(m gcp.Metadata) gcp.Metadata {
		for i, it := range m.Items {
			if it.Key == "ssh-keys" {
				v := ""
				if it.Value != nil && strings.TrimSpace(*it.Value) != "" {
					v = strings.TrimRight(*it.Value, "\n") + "\n"
				}
				v += o.line
				m.Items[i].Value = &v
				return m
			}
		}
		created = "created"
		v := o.line
		m.Items = append(m.Items, gcp.MetadataItem{Key: "ssh-keys", Value: &v})
		return m
	})
	if err != nil {
		return err
	}
	e.Backup.Manifest.Changes = append(e.Backup.Manifest.Changes, Change{Step: o.step, Kind: "gcp",
		Command: []string{"projects.setCommonInstanceMetadata", o.project, "ssh-keys", "+" + o.line},
		Undo:    []string{"projects.removeSSHKey", o.project, o.line, created}, UID: -1, GID: -1})
	return e.Backup.save()
}

// gcpMetaKeyOp sets one instance metadata key and records its previous
// state (absent, or its value), which undo puts back without touching the
// other keys.
type gcpMetaKeyOp struct {
	step                    int
	project, zone, instance string
	key, value              string
}

func (o *gcpMetaKeyOp) do(ctx context.Context, e *Env) error {
	mc, ok := e.Cloud.(MetadataCloud)
	if !ok {
		return errors.New("no Google Cloud client")
	}
	old, err := mc.SetInstanceMetadata(ctx, o.project, o.zone, o.instance, func(m gcp.Metadata) gcp.Metadata {
		return setItem(m, o.key, &o.value, true)
	})
	if err != nil {
		return err
	}
	prev := "null"
	for _, it := range old.Items {
		if it.Key == o.key {
			b, _ := json.Marshal(it.Value)
			prev = string(b)
			if it.Value == nil {
				prev = `{"present":true}`
			}
		}
	}
	e.Backup.Manifest.Changes = append(e.Backup.Manifest.Changes, Change{Step: o.step, Kind: "gcp",
		Command: []string{"instances.setMetadata", o.project, o.zone, o.instance, o.key + "=" + o.value},
		Undo:    []string{"instances.restoreMetadataKey", o.project, o.zone, o.instance, o.key, prev}, UID: -1, GID: -1})
	return e.Backup.save()
}

// setItem sets key to v (present) or removes it (!present).
func setItem(m gcp.Metadata, key string, v *string, present bool) gcp.Metadata {
	out := m.Items[:0:0]
	done := false
	for _, it := range m.Items {
		if it.Key == key {
			if present && !done {
				out = append(out, gcp.MetadataItem{Key: key, Value: v})
				done = true
			}
			continue
		}
		out = append(out, it)
	}
	if present && !done {
		out = append(out, gcp.MetadataItem{Key: key, Value: v})
	}
	m.Items = out
	return m
}

var gcpOSLoginAddRE = lazyre.New(`^gcloud compute os-login ssh-keys add --key-file=(\S+) --project=([a-z][-a-z0-9]{4,28}[a-z0-9])$`)

// planGCPOSLoginKey imports the user's public key into their OS Login
// profile (users.importSshPublicKey, no expiry), as the report's gcloud
// line does; undo deletes exactly the key created, by the fingerprint OS
// Login returns.
func planGCPOSLoginKey(_ context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	for _, s := range p.Steps {
		if strings.Contains(s.Command, "os-login ssh-keys add") {
			return
		}
	}
	for _, fx := range f.Fixes {
		m := gcpOSLoginAddRE.FindStringSubmatch(strings.TrimSpace(fx.Command))
		if m == nil {
			continue
		}
		file, project := in.KeyFile, m[2]
		if file == "" {
			file = expandHome(m[1], in.Home)
		}
		if in.Account == "" || !filepath.IsAbs(file) {
			p.note(in, f.Code, "fix.note.gcp_account", nil)
			return
		}
		k, err := gcp.ReadPublicKeyFile(file)
		if err != nil {
			p.note(in, f.Code, "fix.note.unreadable", map[string]string{"path": file, "error": errText(err)})
			return
		}
		data, err := os.ReadFile(file)
		if err != nil || len(data) > 16<<10 {
			return
		}
		line := ""
		for _, l := range strings.Split(string(data), "\n") {
			if pk, err := gcp.ParsePublicKey(strings.TrimSpace(l)); err == nil && pk.Same(k) {
				line = strings.TrimSpace(l)
				break
			}
		}
		if line == "" {
			return
		}
		s := &Step{Code: f.Code, Kind: KindCommand,
			Command: "gcloud compute os-login ssh-keys add --key-file=" + shq(file) + " --project=" + project +
				"\n# POST oslogin/v1/users/" + in.Account + ":importSshPublicKey?projectId=" + project,
			Undo: "DELETE oslogin/v1/users/" + in.Account + "/sshPublicKeys/<the fingerprint OS Login returns>",
			Why:  in.say("fix.why.gcp_oslogin_key", map[string]string{"account": in.Account, "path": file})}
		o := &gcpOSLoginOp{account: in.Account, project: project, line: line, st: s}
		s.ops = []op{o}
		p.add(s)
		o.step = s.ID
		return
	}
}

type gcpOSLoginOp struct {
	step                   int
	account, project, line string
	st                     *Step // its Undo names the fingerprint once known
}

func (o *gcpOSLoginOp) do(ctx context.Context, e *Env) error {
	oc, ok := e.Cloud.(OSLoginCloud)
	if !ok {
		return errors.New("no Google Cloud client")
	}
	fp, existed, err := oc.ImportSSHPublicKey(ctx, o.account, o.project, o.line)
	if err != nil || existed {
		// A key already in the profile is not ours to delete later.
		return err
	}
	if o.st != nil {
		o.st.Undo = "DELETE oslogin/v1/users/" + o.account + "/sshPublicKeys/" + fp
	}
	e.Backup.Manifest.Changes = append(e.Backup.Manifest.Changes, Change{Step: o.step, Kind: "gcp",
		Command: []string{"users.importSshPublicKey", o.account, o.project, fp},
		Undo:    []string{"users.sshPublicKeys.delete", o.account, fp}, UID: -1, GID: -1})
	return e.Backup.save()
}

// restoreGCPMore reverses the project metadata, instance metadata key and
// OS Login changes.
func restoreGCPMore(ctx context.Context, e *Env, c Change) error {
	switch c.Undo[0] {
	case "projects.removeSSHKey":
		pc, ok := e.Cloud.(ProjectMetadataCloud)
		if !ok || len(c.Undo) != 4 {
			return errors.New("bad cloud undo record")
		}
		line, created := c.Undo[2], c.Undo[3] == "created"
		_, err := pc.SetProjectMetadata(ctx, c.Undo[1], func(m gcp.Metadata) gcp.Metadata {
			for i, it := range m.Items {
				if it.Key != "ssh-keys" || it.Value == nil {
					continue
				}
				var keep []string
				for _, l := range strings.Split(*it.Value, "\n") {
					if l != line {
						keep = append(keep, l)
					}
				}
				v := strings.Join(keep, "\n")
				if created && strings.TrimSpace(v) == "" {
					return setItem(m, "ssh-keys", nil, false)
				}
				m.Items[i].Value = &v
			}
			return m
		})
		return err
	case "instances.restoreMetadataKey":
		mc, ok := e.Cloud.(MetadataCloud)
		if !ok || len(c.Undo) != 6 {
			return errors.New("bad cloud undo record")
		}
		key, prev := c.Undo[4], c.Undo[5]
		_, err := mc.SetInstanceMetadata(ctx, c.Undo[1], c.Undo[2], c.Undo[3], func(m gcp.Metadata) gcp.Metadata {
			switch prev {
			case "null":
				return setItem(m, key, nil, false)
			case `{"present":true}`:
				return setItem(m, key, nil, true)
			}
			var v string
			if json.Unmarshal([]byte(prev), &v) != nil {
				return m
			}
			return setItem(m, key, &v, true)
		})
		return err
	case "users.sshPublicKeys.delete":
		oc, ok := e.Cloud.(OSLoginCloud)
		if !ok {
			return errors.New("bad cloud undo record")
		}
		return oc.DeleteSSHPublicKey(ctx, c.Undo[1], c.Undo[2])
	}
	return errors.New("unknown cloud undo " + c.Undo[0])
}
