package catalog

// Japanese for the flags and usage errors `sshdoctor gcp` gained with the
// IAP tunnel probe and the checks beyond the login path.
func init() {
	RegisterTranslations(map[string]string{
		"the IAP relay to tunnel through, wss://HOST[:PORT] (as gcloud's flag; TLS only, a private CA through CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE)": "トンネルに使う IAP リレー wss://HOST[:PORT] (gcloud のフラグと同じ。TLS のみ。独自の CA は CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE で指定)",
		"--iap-tunnel-url-override needs --iap": "--iap-tunnel-url-override には --iap が必要です",
		"--iap-tunnel-url-override: %v":         "--iap-tunnel-url-override: %v",
	})
}
