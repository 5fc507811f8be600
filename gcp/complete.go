package gcp

import (
	"context"
	"net/url"
	"sort"
	"strings"
)

// completionPages bounds the instances read for shell completion: two
// pages of 500 cover most projects, and a shell user waits for them.
const completionPages = 2

// InstanceNames lists the names of the project's instances that start with
// prefix, in zone when it is given (else in every zone), for shell
// completion: at most completionPages pages, sorted, without duplicates.
// Errors are returned for the caller to drop.
func (c *Client) InstanceNames(ctx context.Context, project, zone, prefix string) ([]string, error) {
	seen := map[string]bool{}
	token := ""
	for page := 0; page < completionPages; page++ {
		q := url.Values{}
		q.Set("maxResults", "500")
		q.Set("returnPartialSuccess", "true")
		if token != "" {
			q.Set("pageToken", token)
		}
		var names []string
		var next string
		if zone != "" {
			var out struct {
				Items         []Instance `json:"items"`
				NextPageToken string     `json:"nextPageToken"`
			}
			err := c.do(ctx, call{api: apiCompute, method: "instances.list", resource: "projects/" + project + "/zones/" + zone,
				permission: "compute.instances.list", httpMethod: "GET",
				url: c.compute("projects/" + esc(project) + "/zones/" + esc(zone) + "/instances?" + q.Encode())}, &out)
			if err != nil {
				return nil, err
			}
			for _, in := range out.Items {
				names = append(names, in.Name)
			}
			next = out.NextPageToken
		} else {
			var out InstanceAggregatedList
			err := c.do(ctx, call{api: apiCompute, method: "instances.aggregatedList", resource: "projects/" + project,
				permission: "compute.instances.list", httpMethod: "GET",
				url: c.compute("projects/" + esc(project) + "/aggregated/instances?" + q.Encode())}, &out)
			if err != nil {
				return nil, err
			}
			for _, scoped := range out.Items {
				for _, in := range scoped.Instances {
					names = append(names, in.Name)
				}
			}
			next = out.NextPageToken
		}
		for _, n := range names {
			if n != "" && strings.HasPrefix(n, prefix) {
				seen[n] = true
			}
		}
		if next == "" {
			break
		}
		token = next
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// API is the run's read-only API client, with its credential chain.
func (r *Run) API() *Client { return r.api }
