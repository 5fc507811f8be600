package hostfw

import (
	"net/netip"

	"github.com/sshdoctor/sshdoctor/diag"
)

// LocalNetworkNote adds, on macOS 15 and later, the likely cause of "No
// route to host" for an address on the local network: the app that runs
// ssh (an editor, an IDE, a launcher — not Terminal, which usually has the
// permission) was not granted Local Network access, and macOS answers its
// connections to LAN addresses with EHOSTUNREACH while the same command in
// Terminal works. It is a likely cause, not a certain one: the test that
// tells is running the same ssh from Terminal. It reports whether the note
// applies; the fix (the Local Network setting) is the code's, given with
// the catalog parameter macos_lan.
func LocalNetworkNote(f *diag.Finding, goos string, addr netip.Addr) bool {
	if goos != "darwin" || !lan(addr) {
		return false
	}
	f.Ev("macos_local_network", "macOS 15 and later refuse LAN connections from an app without the Local Network permission with exactly this error").
		Ev("confirm", "run the same ssh from Terminal: if it connects, the app lacks the permission")
	return true
}

func lan(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsPrivate() || a.IsLinkLocalUnicast()
}
