//go:build !linux

package vm

// HostListeners is only implemented on Linux; elsewhere the host-port
// check reports "not checked".
func HostListeners(owners map[int]bool) ([]Listener, bool, error) { return nil, false, nil }
