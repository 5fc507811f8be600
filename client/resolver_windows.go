//go:build windows

package client

func resolverCommand() string { return "ipconfig /all" }
