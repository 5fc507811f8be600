package catalog

// Fixes of Google Cloud codes that `sshdoctor gcp` and explain (gcloud's
// and IAP's error texts) both give. The check knows the project, zone,
// instance and account; explain fills what gcloud's text showed, and a
// value it did not show is the documentation's placeholder.
func init() {
	RegisterParams(map[string]Param{
		"gcp_project":  {Placeholder: "PROJECT"},
		"gcp_zone":     {Placeholder: "ZONE"},
		"gcp_instance": {Placeholder: "INSTANCE"},
		// The IAM member of the account gcloud uses (user:… or
		// serviceAccount:…); unknown, the shell asks gcloud for it.
		"gcp_member": {Placeholder: "user:$(gcloud config get-value account)"},
		// The predefined role that grants the permission refused.
		"gcp_role": {},
		// The zone where an instance of that name was found instead.
		"gcp_other_zone": {},
		// What the firewall model said of IAP's range to the VM's port:
		// gcp_firewall_known when it could tell, gcp_firewall_allows when
		// a rule admits it (the guest is then to look at).
		"gcp_firewall_known":  {},
		"gcp_firewall_allows": {},
		// A look inside the guest is the fix: gcp_guest set, and
		// gcp_guest_windows too for a Windows VM (its SAC on port 2).
		"gcp_guest":         {},
		"gcp_guest_windows": {},
	})

	RegisterPhrases(map[string]Text{
		"fix.gcp_iap_list_rules":   {En: "List the firewall rules that admit IAP's range 35.235.240.0/20", Ja: "IAP の範囲 35.235.240.0/20 を許可しているファイアウォール ルールを一覧表示してください"},
		"fix.gcp_iap_check_serial": {En: "If such a rule exists, check in the serial port output that the VM booted and sshd runs", Ja: "そのようなルールがある場合は、VM が起動して sshd が動いているかをシリアル ポートの出力で確認してください"},
		"fix.gcp_which_account":    {En: "Check which account and project gcloud uses: the role is to be granted to that account", Ja: "gcloud が使っているアカウントとプロジェクトを確認してください。ロールはそのアカウントに付与します"},
		"fix.gcp_prune_keys":       {En: "Remove stale keys from the ssh-keys metadata: a metadata value holds at most 256 KB", Ja: "メタデータ ssh-keys から古い鍵を削除してください。メタデータの値は 1 つあたり最大 256 KB です"},
	})

	loc := "--zone={gcp_zone} --project={gcp_project}"
	whichAccount := "gcloud config list --format='value(core.account,core.project)'"
	RegisterFixes(map[string][]FixSpec{
		"gcp.api_permission_denied": {
			{Key: "fix.gcp_grant_role", Command: "gcloud projects add-iam-policy-binding {gcp_project} --member={gcp_member} --role={gcp_role}", If: "gcp_role"},
			{Key: "fix.family_gcp_grant", Command: whichAccount, Unless: "gcp_role"},
		},
		"gcp.iap_backend_unreachable": {
			{Key: "fix.gcp_iap_list_rules", Command: `gcloud compute firewall-rules list --project={gcp_project} --filter="direction=INGRESS AND sourceRanges:35.235.240.0/20"`, Unless: "gcp_firewall_known"},
			{Key: "fix.gcp_iap_firewall", Command: "gcloud compute firewall-rules create allow-ssh-from-iap --project={gcp_project} --direction=INGRESS --action=allow --rules=tcp:{port} --source-ranges=35.235.240.0/20", Unless: "gcp_firewall_allows"},
			{Key: "fix.gcp_probe_serial", Command: "gcloud compute instances add-metadata {gcp_instance} " + loc + " --metadata=serial-port-enable=TRUE\ngcloud compute connect-to-serial-port {gcp_instance} " + loc, If: "gcp_guest", Unless: "gcp_guest_windows"},
			{Key: "fix.gcp_windows_sshd", Command: "gcloud compute instances add-metadata {gcp_instance} " + loc + " --metadata=serial-port-enable=TRUE\ngcloud compute connect-to-serial-port {gcp_instance} " + loc + " --port=2", If: "gcp_guest_windows"},
			{Key: "fix.gcp_iap_check_serial", Command: "gcloud compute instances get-serial-port-output {gcp_instance} " + loc + " --port=1", Unless: "gcp_firewall_known"},
		},
		"gcp.iap_not_authorized": {
			{Key: "fix.gcp_grant_role", Command: "gcloud projects add-iam-policy-binding {gcp_project} --member={gcp_member} --role=roles/iap.tunnelResourceAccessor"},
			{Key: "fix.gcp_which_account", Command: whichAccount, Unless: "gcp_member"},
		},
		"gcp.instance_not_found": {
			{Key: "fix.gcp_other_zone", Command: "sshdoctor gcp {gcp_instance} --project={gcp_project} --zone={gcp_other_zone}", If: "gcp_other_zone"},
			{Key: "fix.gcp_list_instances", Command: `gcloud compute instances list --project={gcp_project} --filter="name~{gcp_instance}"`, If: "gcp_instance", Unless: "gcp_other_zone"},
			{Key: "fix.family_gcp_list_instances", Command: "gcloud compute instances list", Unless: "gcp_instance"},
		},
		"gcp.metadata_too_large": {
			{Key: "fix.gcp_prune_keys"},
			{Key: "fix.gcp_enable_oslogin_project", Command: "gcloud compute project-info add-metadata --project={gcp_project} --metadata=enable-oslogin=TRUE"},
		},
	})
}

// gcpRoles names, for a permission, a predefined role that grants it.
var gcpRoles = map[string]string{
	"compute.instances.get":                      "roles/compute.viewer",
	"compute.instances.list":                     "roles/compute.viewer",
	"compute.projects.get":                       "roles/compute.viewer",
	"compute.instances.getEffectiveFirewalls":    "roles/compute.viewer",
	"compute.networks.get":                       "roles/compute.networkViewer",
	"compute.routes.list":                        "roles/compute.networkViewer",
	"compute.instances.getSerialPortOutput":      "roles/compute.instanceAdmin.v1",
	"compute.instances.osLogin":                  "roles/compute.osLogin",
	"compute.instances.osAdminLogin":             "roles/compute.osAdminLogin",
	"compute.instances.setMetadata":              "roles/compute.instanceAdmin.v1",
	"compute.projects.setCommonInstanceMetadata": "roles/compute.instanceAdmin.v1",
	"iam.serviceAccounts.actAs":                  "roles/iam.serviceAccountUser",
	"iap.tunnelInstances.accessViaIAP":           "roles/iap.tunnelResourceAccessor",
	"resourcemanager.projects.get":               "roles/browser",
}

// GCPRole names a predefined role that grants an IAM permission, "" when
// the catalog knows none: the role a grant fix names, whichever command
// saw the permission refused.
func GCPRole(permission string) string { return gcpRoles[permission] }
