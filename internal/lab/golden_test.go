package lab

import "testing"

func TestNormalize(t *testing.T) {
	in := "keys: SHA256:HKP65ePR/y5l0JCGs35C8YpIJsxTuumQN43bH9+5/Ta ok (12 ms)\nafter: 1.5s, port 45678, user sdu1"
	got := Normalize(in, map[string]string{"sdu1": "USER"})
	want := "keys: SHA256:FINGERPRINT ok\nafter: T, port EPHEMERAL, user USER"
	if got != want {
		t.Fatalf("got %q", got)
	}
}
