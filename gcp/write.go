package gcp

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// The few writes sshdoctor makes, only for `--fix` after the person's
// consent: create or delete one firewall rule, set an instance's network
// tags. Each waits for its operation to finish.

// Operation is a Compute Engine long-running operation (the fields used).
type Operation struct {
	Name     string `json:"name"`
	Status   string `json:"status"`
	SelfLink string `json:"selfLink"`
	Error    *struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"error"`
}

// operationWait bounds the wait for a firewall or tags operation: they
// finish within seconds; a minute is room for a busy project.
const operationWait = time.Minute

// Writer returns the run's API client (for --fix).
func (r *Run) Writer() *Client { return r.api }

// NewWriter is a client for undoing a fix later: the same credentials and
// endpoints a run would use.
func NewWriter(o Options) *Client { return New(o).api }

func (c *Client) wait(ctx context.Context, api, method string, op *Operation) error {
	ctx, cancel := context.WithTimeout(ctx, operationWait)
	defer cancel()
	for op.Status != "DONE" {
		if op.SelfLink == "" {
			return errors.New(method + ": operation without a link")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
		var next Operation
		if err := c.do(ctx, call{api: api, method: "operations.get", resource: op.Name, httpMethod: http.MethodGet, url: op.SelfLink}, &next); err != nil {
			return err
		}
		*op = next
	}
	if op.Error != nil && len(op.Error.Errors) > 0 {
		return errors.New(method + ": " + op.Error.Errors[0].Code + ": " + op.Error.Errors[0].Message)
	}
	return nil
}

// InsertFirewall creates a VPC firewall rule.
func (c *Client) InsertFirewall(ctx context.Context, project string, fw *Firewall) error {
	var op Operation
	err := c.do(ctx, call{api: "compute.googleapis.com", method: "firewalls.insert", resource: fw.Name,
		permission: "compute.firewalls.create", httpMethod: http.MethodPost,
		url: c.compute("projects/" + url.PathEscape(project) + "/global/firewalls"), body: FirewallBody(fw)}, &op)
	if err != nil {
		return err
	}
	return c.wait(ctx, "compute.googleapis.com", "firewalls.insert", &op)
}

// DeleteFirewall deletes a VPC firewall rule by name.
func (c *Client) DeleteFirewall(ctx context.Context, project, name string) error {
	var op Operation
	err := c.do(ctx, call{api: "compute.googleapis.com", method: "firewalls.delete", resource: name,
		permission: "compute.firewalls.delete", httpMethod: http.MethodDelete,
		url: c.compute("projects/" + url.PathEscape(project) + "/global/firewalls/" + url.PathEscape(name))}, &op)
	if err != nil {
		return err
	}
	return c.wait(ctx, "compute.googleapis.com", "firewalls.delete", &op)
}

// SetTags sets an instance's network tags to change(its current tags),
// with the fingerprint read just before (so a concurrent change fails
// instead of being lost), and returns the tags it had.
func (c *Client) SetTags(ctx context.Context, project, zone, instance string, change func(old []string) []string) ([]string, error) {
	in, err := c.Instance(ctx, project, zone, instance)
	if err != nil {
		return nil, err
	}
	old := append([]string{}, in.Tags.Items...)
	items := change(append([]string{}, old...))
	if items == nil {
		items = []string{}
	}
	body := map[string]any{"items": items, "fingerprint": in.Tags.Fingerprint}
	var op Operation
	err = c.do(ctx, call{api: "compute.googleapis.com", method: "instances.setTags", resource: instance,
		permission: "compute.instances.setTags", httpMethod: http.MethodPost,
		url: c.compute("projects/" + url.PathEscape(project) + "/zones/" + url.PathEscape(zone) + "/instances/" +
			url.PathEscape(instance) + "/setTags"), body: body}, &op)
	if err != nil {
		return old, err
	}
	return old, c.wait(ctx, "compute.googleapis.com", "instances.setTags", &op)
}

// SetInstanceMetadata sets an instance's metadata to change(its current
// metadata), with the fingerprint read just before, and returns the
// metadata it had.
func (c *Client) SetInstanceMetadata(ctx context.Context, project, zone, instance string, change func(old Metadata) Metadata) (Metadata, error) {
	in, err := c.Instance(ctx, project, zone, instance)
	if err != nil {
		return Metadata{}, err
	}
	old := in.Metadata
	old.Items = append([]MetadataItem{}, in.Metadata.Items...)
	next := change(Metadata{Fingerprint: old.Fingerprint, Items: append([]MetadataItem{}, old.Items...)})
	next.Fingerprint = old.Fingerprint
	if next.Items == nil {
		next.Items = []MetadataItem{}
	}
	var op Operation
	err = c.do(ctx, call{api: "compute.googleapis.com", method: "instances.setMetadata", resource: instance,
		permission: "compute.instances.setMetadata", httpMethod: http.MethodPost,
		url: c.compute("projects/" + url.PathEscape(project) + "/zones/" + url.PathEscape(zone) + "/instances/" +
			url.PathEscape(instance) + "/setMetadata"), body: next}, &op)
	if err != nil {
		return old, err
	}
	return old, c.wait(ctx, "compute.googleapis.com", "instances.setMetadata", &op)
}

// FirewallBody is fw as firewalls.insert takes it: only the fields set.
func FirewallBody(fw *Firewall) map[string]any {
	b := map[string]any{"name": fw.Name, "network": fw.Network, "direction": fw.Direction}
	if fw.Priority != nil {
		b["priority"] = *fw.Priority
	}
	for k, v := range map[string][]string{"sourceRanges": fw.SourceRanges, "destinationRanges": fw.DestinationRanges,
		"sourceTags": fw.SourceTags, "sourceServiceAccounts": fw.SourceServiceAccounts, "targetTags": fw.TargetTags,
		"targetServiceAccounts": fw.TargetServiceAccounts} {
		if len(v) > 0 {
			b[k] = v
		}
	}
	if len(fw.Allowed) > 0 {
		b["allowed"] = fw.Allowed
	}
	if len(fw.Denied) > 0 {
		b["denied"] = fw.Denied
	}
	if fw.Disabled {
		b["disabled"] = true
	}
	return b
}
