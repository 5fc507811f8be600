package gcptest

import (
	"net/http"
	"sort"
	"strings"
)

// instances.getGuestAttributes, in the shape of
// https://cloud.google.com/compute/docs/reference/rest/v1/instances/getGuestAttributes
// (a queryPath "NAMESPACE/" lists the namespace in queryValue.items; an
// instance without enable-guest-attributes answers 404).
func (s *Server) guestAttributes(r *http.Request, args map[string]string, write func(int, any)) {
	if s.instance(args["zone"], args["instance"]) == nil || s.GuestAttributes == nil {
		write(404, NotFound("projects/"+Project+"/zones/"+args["zone"]+"/instances/"+args["instance"]+"/guestAttributes").Body)
		return
	}
	qp := r.URL.Query().Get("queryPath")
	var items []any
	var keys []string
	for k := range s.GuestAttributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if qp != "" && !strings.HasPrefix(k, qp) {
			continue
		}
		ns, key, _ := strings.Cut(k, "/")
		items = append(items, JSON{"namespace": ns, "key": key, "value": s.GuestAttributes[k]})
	}
	out := JSON{"kind": "compute#guestAttributes", "queryPath": qp,
		"selfLink": linkBase + "projects/" + Project + "/zones/" + args["zone"] + "/instances/" + args["instance"] + "/guestAttributes/" + qp}
	if len(items) > 0 {
		out["queryValue"] = JSON{"items": items}
	}
	write(200, out)
}

// AgentHostKeys are guest attributes as the guest agent writes them at
// boot (namespace hostkeys, one key per host key type).
func AgentHostKeys() map[string]string {
	return map[string]string{
		"hostkeys/ssh-ed25519":         "AAAAC3NzaC1lZDI1NTE5AAAAILg6UtHDNyMNAh0GjaytsJdrUxjtLy3APXqZfNZhvCeT",
		"hostkeys/ecdsa-sha2-nistp256": "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEm2tk+9cPcC0IJ2aBt2Tu5pVU3GdoSe9C6kq7tfbKuYp7ZqBrV9Bv9ZwTH9VF1d9VU/s7+WuWbp8K2xf3Y/yHY=",
	}
}
