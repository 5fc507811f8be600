package fix

import (
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines shown around a change, as
// diff -u does.
const diffContext = 3

// Diff returns a unified diff from old to new for path. The plans here
// change one contiguous region of a file per step, so the diff is the
// common prefix and suffix trimmed and one hunk (correct for any input,
// only not minimal when changes are far apart).
func Diff(path string, old, new []byte) string {
	if string(old) == string(new) {
		return ""
	}
	a, b := splitLines(string(old)), splitLines(string(new))
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	start := max(pre-diffContext, 0)
	endA := min(len(a)-suf+diffContext, len(a))
	endB := min(len(b)-suf+diffContext, len(b))
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", path, path)
	fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(start, endA-start), hunkRange(start, endB-start))
	for i := start; i < pre; i++ {
		sb.WriteString(" " + a[i] + "\n")
	}
	for i := pre; i < len(a)-suf; i++ {
		sb.WriteString("-" + a[i] + "\n")
	}
	for i := pre; i < len(b)-suf; i++ {
		sb.WriteString("+" + b[i] + "\n")
	}
	for i := len(a) - suf; i < endA; i++ {
		sb.WriteString(" " + a[i] + "\n")
	}
	return sb.String()
}

// hunkRange is "start,count" with diff's 1-based start (0 for an empty
// range at the top).
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
