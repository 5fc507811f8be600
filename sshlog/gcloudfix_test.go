package sshlog

import (
	"strings"
	"testing"
)

// gcloud's and IAP's errors give the catalog's fixes of their codes, with
// what the text named (the project of a resource, the role of a refused
// permission) and placeholders for the rest.
func TestGCloudFixes(t *testing.T) {
	cases := []struct {
		text, code string
		want       []string // commands, in order
	}{
		{"ERROR: (gcloud.compute.start-iap-tunnel) Error while connecting [4003: 'failed to connect to backend'].\n",
			"gcp.iap_backend_unreachable", []string{
				`gcloud compute firewall-rules list --project=PROJECT --filter="direction=INGRESS AND sourceRanges:35.235.240.0/20"`,
				"gcloud compute firewall-rules create allow-ssh-from-iap --project=PROJECT --direction=INGRESS --action=allow --rules=tcp:PORT --source-ranges=35.235.240.0/20",
				"gcloud compute instances get-serial-port-output INSTANCE --zone=ZONE --project=PROJECT --port=1"}},
		{"ERROR: (gcloud.compute.start-iap-tunnel) Error while connecting [4033: 'not authorized'].\n",
			"gcp.iap_not_authorized", []string{
				"gcloud projects add-iam-policy-binding PROJECT --member=user:$(gcloud config get-value account) --role=roles/iap.tunnelResourceAccessor",
				"gcloud config list --format='value(core.account,core.project)'"}},
		{"ERROR: (gcloud.compute.instances.list) Some requests did not succeed:\n - Required 'compute.instances.list' permission for 'projects/p-1'\n",
			"gcp.api_permission_denied", []string{
				"gcloud projects add-iam-policy-binding p-1 --member=user:$(gcloud config get-value account) --role=roles/compute.viewer"}},
		{"ERROR: (gcloud.compute.instances.list) Some requests did not succeed:\n - Required 'compute.disks.frob' permission for 'projects/p-1'\n",
			"gcp.api_permission_denied", []string{"gcloud config list --format='value(core.account,core.project)'"}},
		{"ERROR: (gcloud.compute.instances.describe) Could not fetch resource: - Required 'compute.instances.get' permission for 'projects/p-1/zones/z/instances/vm1'\n",
			"gcp.api_permission_denied", []string{
				"gcloud projects add-iam-policy-binding p-1 --member=user:$(gcloud config get-value account) --role=roles/compute.viewer"}},
		{"ERROR: (gcloud.compute.ssh) Could not fetch resource: - The resource 'projects/p-1/zones/z/instances/vm$1' was not found\n",
			"gcp.instance_not_found", []string{`gcloud compute instances list --project=p-1 --filter="name~vm\$1"`}},
		{"ERROR: (gcloud.compute.start-iap-tunnel) Error while connecting [4047: 'Failed to lookup instance'].\n",
			"gcp.instance_not_found", []string{"gcloud compute instances list"}},
		{"ERROR: (gcloud.compute.instances.add-metadata) Value for field 'metadata.items[0].value' is too large: maximum size 262144 character(s); actual size 270000\n",
			"gcp.metadata_too_large", []string{"", "gcloud compute project-info add-metadata --project=PROJECT --metadata=enable-oslogin=TRUE"}},
	}
	for _, c := range cases {
		f := findingOf(t, explainText(t, c.text), c.code)
		_, cmds := fixCommands(f)
		if strings.Join(cmds, "\n--\n") != strings.Join(c.want, "\n--\n") {
			t.Errorf("%s: commands\n%q\nwant\n%q", c.code, cmds, c.want)
		}
	}
}
