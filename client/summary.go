package client

import (
	"strconv"
	"strings"
)

// Bounds for a list a server sends (KEXINIT name-lists may be up to the
// packet size: tens of kilobytes). Real lists are a dozen names and a few
// hundred bytes: they are shown whole.
const (
	maxListedNames = 40
	maxListedBytes = 600
)

// listSummary joins names with commas; a list longer than the bounds is
// cut and says how many names it left out, so an attacker-sized list
// costs a line, not pages.
func listSummary(names []string) string {
	total := 0
	for _, n := range names {
		total += len(n) + 1
	}
	if len(names) <= maxListedNames && total <= maxListedBytes {
		return strings.Join(names, ",")
	}
	var b strings.Builder
	shown := 0
	for _, n := range names {
		if shown == maxListedNames || b.Len()+len(n)+1 > maxListedBytes {
			break
		}
		if shown > 0 {
			b.WriteByte(',')
		}
		if len(n) > maxListedBytes {
			n = n[:maxListedBytes/4] + "…"
		}
		b.WriteString(n)
		shown++
	}
	b.WriteString(",… (" + strconv.Itoa(len(names)-shown) + " more; " + strconv.Itoa(len(names)) + " names, " +
		strconv.Itoa(total-1) + " bytes in all)")
	return b.String()
}

// rawListSummary is listSummary for a comma-separated list as received.
func rawListSummary(raw string) string {
	if len(raw) <= maxListedBytes {
		return raw
	}
	return listSummary(strings.Split(raw, ","))
}
