package fix

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/gcp"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
	"github.com/sshdoctor/sshdoctor/report"
)

// Cloud is the few Compute Engine writes a fix makes (a gcp.Client).
type Cloud interface {
	InsertFirewall(ctx context.Context, project string, fw *gcp.Firewall) error
	DeleteFirewall(ctx context.Context, project, name string) error
	SetTags(ctx context.Context, project, zone, instance string, change func(old []string) []string) ([]string, error)
}

func init() {
	planners["gcp.firewall_blocks_ssh"] = planGCPFirewall
}

var (
	gcpTagsRE = lazyre.New(`^gcloud compute instances add-tags ([a-z][-a-z0-9]{0,62}) --zone=([a-z0-9-]+) --project=([a-z][-a-z0-9]{4,28}[a-z0-9]) --tags=([a-z][-a-z0-9]{0,62})$`)
	gcpRuleRE = lazyre.New(`^gcloud compute firewall-rules create ([a-z][-a-z0-9]{0,62}) --project=([a-z][-a-z0-9]{4,28}[a-z0-9]) --network=([a-z][-a-z0-9]{0,62}) --direction=INGRESS --action=ALLOW --rules=tcp:([0-9]{1,5}) --source-ranges=(\S+) --target-tags=([a-z][-a-z0-9]{0,62})(?: --priority=([0-9]{1,5}))?$`)
)

// planGCPFirewall creates the VPC rule the firewall evaluator proved
// sufficient (the report's first create command: the narrowest source),
// tagging the instance first when the rule targets a tag it lacks. Undo
// deletes exactly that rule and puts the old tags back. A source the
// report could not learn (a shell expression) is never guessed.
func planGCPFirewall(_ context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	for _, fx := range f.Fixes {
		if !strings.Contains(fx.Command, "gcloud compute firewall-rules create ") {
			continue
		}
		var tags []string
		var rule []string
		for _, l := range strings.Split(strings.TrimSpace(fx.Command), "\n") {
			if m := gcpTagsRE.FindStringSubmatch(l); m != nil {
				tags = m
			} else if m := gcpRuleRE.FindStringSubmatch(l); m != nil {
				rule = m
			} else {
				p.note(in, f.Code, "fix.note.unexpected_block", map[string]string{"line": l})
				return
			}
		}
		if rule == nil {
			continue
		}
		src, err := netip.ParsePrefix(rule[5])
		if err != nil {
			p.note(in, f.Code, "fix.note.gcp_source", map[string]string{"source": rule[5]})
			return
		}
		port, _ := strconv.Atoi(rule[4])
		project, network := rule[2], rule[3]
		fw := &gcp.Firewall{Name: rule[1], Network: "https://www.googleapis.com/compute/v1/projects/" + project + "/global/networks/" + network, Direction: "INGRESS",
			SourceRanges: []string{src.String()}, TargetTags: []string{rule[6]},
			Allowed: []gcp.FirewallEntry{{IPProtocol: "tcp", Ports: []string{strconv.Itoa(port)}}}}
		if rule[7] != "" {
			prio, _ := strconv.Atoi(rule[7])
			fw.Priority = &prio
		}
		body, _ := json.Marshal(gcp.FirewallBody(fw))
		cmd := "POST compute/v1/projects/" + project + "/global/firewalls " + string(body)
		undo := "DELETE compute/v1/projects/" + project + "/global/firewalls/" + fw.Name
		gop := &gcpOp{project: project, fw: fw}
		if tags != nil {
			gop.zone, gop.instance, gop.tag = tags[2], tags[1], tags[4]
			cmd = "POST compute/v1/projects/" + project + "/zones/" + gop.zone + "/instances/" + gop.instance +
				"/setTags (+" + gop.tag + ")\n" + cmd
			undo += "\nPOST compute/v1/projects/" + project + "/zones/" + gop.zone + "/instances/" + gop.instance + "/setTags (the tags before)"
		}
		s := &Step{Code: f.Code, Kind: KindCommand, Command: fx.Command + "\n# " + strings.ReplaceAll(cmd, "\n", "\n# "), Undo: undo,
			Why: in.say("fix.why.gcp_firewall", map[string]string{"name": fw.Name, "source": src.String(), "port": strconv.Itoa(port)})}
		s.ops = []op{gop}
		p.add(s)
		gop.step = s.ID
		return
	}
}

// gcpOp tags the instance (when asked) and creates the rule, recording
// each so undo reverses exactly what was done.
type gcpOp struct {
	step                int
	project             string
	zone, instance, tag string
	fw                  *gcp.Firewall
}

func (o *gcpOp) do(ctx context.Context, e *Env) error {
	if e.Cloud == nil {
		return errors.New("no Google Cloud client")
	}
	if o.tag != "" {
		old, err := e.Cloud.SetTags(ctx, o.project, o.zone, o.instance, func(old []string) []string {
			for _, t := range old {
				if t == o.tag {
					return old
				}
			}
			return append(old, o.tag)
		})
		if err != nil {
			return err
		}
		e.Backup.Manifest.Changes = append(e.Backup.Manifest.Changes, Change{Step: o.step, Kind: "gcp",
			Command: []string{"instances.setTags", o.project, o.zone, o.instance, "+" + o.tag},
			Undo:    append([]string{"instances.setTags", o.project, o.zone, o.instance}, old...), UID: -1, GID: -1})
		if err := e.Backup.save(); err != nil {
			return err
		}
	}
	return o.insert(ctx, e)
}

func (o *gcpOp) insert(ctx context.Context, e *Env) error {
	if err := e.Cloud.InsertFirewall(ctx, o.project, o.fw); err != nil {
		return err
	}
	e.Backup.Manifest.Changes = append(e.Backup.Manifest.Changes, Change{Step: o.step, Kind: "gcp",
		Command: []string{"firewalls.insert", o.project, o.fw.Name}, Undo: []string{"firewalls.delete", o.project, o.fw.Name}, UID: -1, GID: -1})
	return e.Backup.save()
}

// restoreGCP reverses one recorded cloud change.
func restoreGCP(ctx context.Context, e *Env, c Change) error {
	if e.Cloud == nil {
		return errors.New("no Google Cloud client to undo " + strings.Join(c.Command, " "))
	}
	if len(c.Undo) < 3 {
		return errors.New("bad cloud undo record")
	}
	switch c.Undo[0] {
	case "firewalls.delete":
		return e.Cloud.DeleteFirewall(ctx, c.Undo[1], c.Undo[2])
	case "instances.setMetadata":
		mc, ok := e.Cloud.(MetadataCloud)
		if !ok || len(c.Undo) != 5 {
			return errors.New("bad cloud undo record")
		}
		var items []gcp.MetadataItem
		if err := json.Unmarshal([]byte(c.Undo[4]), &items); err != nil {
			return err
		}
		_, err := mc.SetInstanceMetadata(ctx, c.Undo[1], c.Undo[2], c.Undo[3], func(gcp.Metadata) gcp.Metadata {
			return gcp.Metadata{Items: items}
		})
		return err
	case "instances.setTags":
		if len(c.Undo) < 4 {
			return errors.New("bad cloud undo record")
		}
		_, err := e.Cloud.SetTags(ctx, c.Undo[1], c.Undo[2], c.Undo[3], func([]string) []string { return c.Undo[4:] })
		return err
	}
	return restoreGCPMore(ctx, e, c)
}

func init() {
	planners["gcp.metadata_key_missing"] = planGCPMetadataKey
	commandPlanners = append(commandPlanners, planGCPSerial)
}

// MetadataCloud is the metadata write of a gcp.Client.
type MetadataCloud interface {
	SetInstanceMetadata(ctx context.Context, project, zone, instance string, change func(old gcp.Metadata) gcp.Metadata) (gcp.Metadata, error)
}

// planGCPMetadataKey adds the user's public key (--key) to the instance's
// ssh-keys metadata as LOGIN:KEY, for the login name the report used.
func planGCPMetadataKey(_ context.Context, p *Plan, r *report.Report, f *report.Finding, in Inputs) {
	sub := r.Subject
	if sub == nil || in.KeyFile == "" || sub["login_user"] == "" || sub["instance"] == "" || sub["zone"] == "" || sub["project"] == "" {
		return
	}
	k, err := gcp.ReadPublicKeyFile(in.KeyFile)
	if err != nil {
		return
	}
	line := sub["login_user"] + ":" + k.Type + " " + base64.StdEncoding.EncodeToString(k.Blob)
	if k.Comment != "" && !strings.ContainsAny(k.Comment, "\n\r") {
		line += " " + k.Comment
	}
	if projectKeysPath(f) {
		planGCPProjectKey(p, f, in, sub["project"], sub["login_user"], line)
		return
	}
	s := &Step{Code: f.Code, Kind: KindCommand,
		Command: "POST compute/v1/projects/" + sub["project"] + "/zones/" + sub["zone"] + "/instances/" + sub["instance"] +
			"/setMetadata (ssh-keys += " + line + ")",
		Undo: "POST …/setMetadata (the metadata before)",
		Why:  in.say("fix.why.gcp_metadata_key", map[string]string{"user": sub["login_user"], "instance": sub["instance"]})}
	o := &gcpMetaOp{project: sub["project"], zone: sub["zone"], instance: sub["instance"], change: func(m gcp.Metadata) gcp.Metadata {
		for i, it := range m.Items {
			if it.Key == "ssh-keys" {
				v := ""
				if it.Value != nil {
					v = strings.TrimRight(*it.Value, "\n") + "\n"
				}
				v += line
				m.Items[i].Value = &v
				return m
			}
		}
		v := line
		m.Items = append(m.Items, gcp.MetadataItem{Key: "ssh-keys", Value: &v})
		return m
	}}
	s.ops = []op{o}
	p.add(s)
	o.step = s.ID
}

var gcpSerialRE = lazyre.New(`^gcloud compute instances add-metadata ([a-z][-a-z0-9]{0,62}) --zone=([a-z0-9-]+) --project=([a-z][-a-z0-9]{4,28}[a-z0-9]) --metadata=serial-port-enable=TRUE$`)

// planGCPSerial enables the interactive serial console (instance metadata
// serial-port-enable=TRUE) when the report's fix goes through it, once.
func planGCPSerial(_ context.Context, p *Plan, _ *report.Report, f *report.Finding, in Inputs) {
	for _, s := range p.Steps {
		if strings.Contains(s.Command, "serial-port-enable") {
			return
		}
	}
	for _, fx := range f.Fixes {
		m := gcpSerialRE.FindStringSubmatch(strings.SplitN(fx.Command, "\n", 2)[0])
		if m == nil {
			continue
		}
		s := &Step{Code: f.Code, Kind: KindCommand,
			Command: m[0] + "\n# POST compute/v1/projects/" + m[3] + "/zones/" + m[2] + "/instances/" + m[1] +
				"/setMetadata (serial-port-enable=TRUE, with the metadata fingerprint)",
			Undo: "POST compute/v1/projects/" + m[3] + "/zones/" + m[2] + "/instances/" + m[1] +
				"/setMetadata (serial-port-enable as it was; other keys as they are then)",
			Why: in.say("fix.why.gcp_serial", map[string]string{"instance": m[1]})}
		o := &gcpMetaKeyOp{project: m[3], zone: m[2], instance: m[1], key: "serial-port-enable", value: "TRUE"}
		s.ops = []op{o}
		p.add(s)
		o.step = s.ID
		return
	}
}

// gcpMetaOp changes instance metadata and records the exact previous
// items, which undo writes back.
type gcpMetaOp struct {
	step                    int
	project, zone, instance string
	change                  func(gcp.Metadata) gcp.Metadata
}

func (o *gcpMetaOp) do(ctx context.Context, e *Env) error {
	mc, ok := e.Cloud.(MetadataCloud)
	if !ok {
		return errors.New("no Google Cloud client")
	}
	old, err := mc.SetInstanceMetadata(ctx, o.project, o.zone, o.instance, o.change)
	if err != nil {
		return err
	}
	prev, _ := json.Marshal(old.Items)
	e.Backup.Manifest.Changes = append(e.Backup.Manifest.Changes, Change{Step: o.step, Kind: "gcp",
		Command: []string{"instances.setMetadata", o.project, o.zone, o.instance},
		Undo:    []string{"instances.setMetadata", o.project, o.zone, o.instance, string(prev)}, UID: -1, GID: -1})
	return e.Backup.save()
}
