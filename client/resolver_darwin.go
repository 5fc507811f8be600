//go:build darwin

package client

func resolverCommand() string { return "scutil --dns | head -20" }
