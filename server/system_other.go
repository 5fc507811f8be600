//go:build !linux

package server

import "time"

const isLinux = false

func listSSHDProcs() ([]Proc, bool, error)        { return nil, false, errNotLinux }
func listListeners() ([]Listener, error)          { return nil, errNotLinux }
func fsUsage(path string) (FSUsage, error)        { return FSUsage{}, errNotLinux }
func kmsgOOM(since time.Time) ([]OOMEvent, error) { return nil, errNotLinux }
func selinuxEnforcing() tri                       { return no }
func selinuxLabel(path string) (string, error)    { return "", errNotLinux }
func systemdRunning() bool                        { return false }
func parseSystemctlShow(b []byte) []unitState     { return nil }

type unitState struct {
	Name, Load, Active, Sub, Listen string
}
