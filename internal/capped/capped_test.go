package capped

import "testing"

func TestBuffer(t *testing.T) {
	b := New(5)
	n, err := b.Write([]byte("abc"))
	if n != 3 || err != nil || b.Truncated {
		t.Fatal(n, err, b.Truncated)
	}
	n, err = b.Write([]byte("defgh"))
	if n != 5 || err != nil || !b.Truncated || b.String() != "abcde" {
		t.Fatalf("%d %v %v %q", n, err, b.Truncated, b.String())
	}
	if n, err := b.Write([]byte("more")); n != 4 || err != nil {
		t.Fatalf("a write past the cap: %d %v, want 4 nil (dropped, not an error)", n, err)
	}
	if b.String() != "abcde" {
		t.Fatal(b.String())
	}
}
