package sshlog

import (
	"os"
	"strings"
	"testing"
)

// `ssh -v` pasted up to the password prompt after the key was offered
// (a Japanese post, qiita.com/toki_mwc/items/36fa23af866b2998b9ba): the
// server refused the key; that is the answer, not "no failure".
func TestKeyRefusedThenPasswordPrompt(t *testing.T) {
	data, err := os.ReadFile("testdata/corpus/published/236-heldout2-ja-key-refused-password-prompt.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	a := explainText(t, text)
	f := a.Findings[0]
	if f.Code != "auth.publickey_denied" || f.Args["host"] != "100.x.y.z" || f.Args["user"] != "user" {
		t.Fatalf("got %s %v", f.Code, f.Args)
	}
	if !strings.Contains(f.EvidenceValue("offered"), "id_ed25519") {
		t.Fatalf("offered key not shown: %q", f.EvidenceValue("offered"))
	}
	// Logged in with the password after all: no failure to explain.
	ok := explainText(t, text+"Authenticated to 100.x.y.z ([100.x.y.z]:22) using \"password\".\n")
	for _, g := range ok.Findings {
		if g.Code == "auth.publickey_denied" {
			t.Fatalf("reported after a login")
		}
	}
	// No key offered: the prompt is what was asked for.
	var kept []string
	for _, l := range strings.Split(text, "\n") {
		if !strings.Contains(l, "Offering public key") {
			kept = append(kept, l)
		}
	}
	for _, g := range explainText(t, strings.Join(kept, "\n")).Findings {
		if g.Code == "auth.publickey_denied" {
			t.Fatalf("reported without an offered key")
		}
	}
}

// The nologin text pasted without systemd's first sentence
// (lanlin/notes issue 91), or at shutdown, is still pam_nologin.
func TestNologinWithoutFirstSentence(t *testing.T) {
	for _, text := range []string{
		"```shell\nUnprivileged users are not permitted to log in yet. Please come back later. For technical details, see pam_nologin\n```\n",
		"System is going down. Unprivileged users are not permitted to log in anymore. For technical details, see pam_nologin(8).\nConnection closed by 192.0.2.4 port 22\n",
	} {
		if f := explainText(t, text).Findings[0]; f.Code != "session.pam_nologin" {
			t.Errorf("%q: %s", text, f.Code)
		}
	}
}
