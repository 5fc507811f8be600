package fix

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/gcp"
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
	gcpTagsRE = regexp.MustCompile(`^gcloud compute instances add-tags ([a-z][-a-z0-9]{0,62}) --zone=([a-z0-9-]+) --project=([a-z][-a-z0-9]{4,28}[a-z0-9]) --tags=([a-z][-a-z0-9]{0,62})$`)
	gcpRuleRE = regexp.MustCompile(`^gcloud compute firewall-rules create ([a-z][-a-z0-9]{0,62}) --project=([a-z][-a-z0-9]{4,28}[a-z0-9]) --network=([a-z][-a-z0-9]{0,62}) --direction=INGRESS --action=ALLOW --rules=tcp:([0-9]{1,5}) --source-ranges=(\S+) --target-tags=([a-z][-a-z0-9]{0,62})(?: --priority=([0-9]{1,5}))?$`)
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
		body, _ := json.Marshal(fw)
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
	case "instances.setTags":
		if len(c.Undo) < 4 {
			return errors.New("bad cloud undo record")
		}
		_, err := e.Cloud.SetTags(ctx, c.Undo[1], c.Undo[2], c.Undo[3], func([]string) []string { return c.Undo[4:] })
		return err
	}
	return errors.New("unknown cloud undo " + c.Undo[0])
}
