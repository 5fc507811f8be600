package report

import (
	"testing"

	"github.com/sshdoctor/sshdoctor/catalog"
)

func TestTranslateEvidenceTail(t *testing.T) {
	for in, want := range map[string]string{
		"/home/a/.ssh/known_hosts: 3 keys":      "/home/a/.ssh/known_hosts: 鍵 3 個",
		"/etc/ssh/ssh_known_hosts: not present": "/etc/ssh/ssh_known_hosts: ありません",
		"C:\\x: 12 keys":                        "C:\\x: 鍵 12 個",
		"a: 1 2 keys":                           "a: 1 2 keys", // two numbers: not the sentence
		"observed: something nobody registered": "observed: something nobody registered",
	} {
		if got := translateEvidence(catalog.JA, in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
		if got := translateEvidence(catalog.EN, in); got != in {
			t.Errorf("en %q: %q", in, got)
		}
	}
}
