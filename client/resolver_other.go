//go:build !windows && !darwin

package client

func resolverCommand() string {
	return "cat /etc/resolv.conf; resolvectl status 2>/dev/null | head -20"
}
