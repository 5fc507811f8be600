package catalog

// Fixes of the client's own configuration, key files and ProxyCommand.
func init() {
	RegisterParams(map[string]Param{
		// A file of the client's configuration and a line in it.
		"file": {Placeholder: "FILE"},
		"line": {Placeholder: "LINE"},
		// The arguments of the ssh -G run that showed the error, quoted.
		"ssh_g_request": {Placeholder: "HOST", Fragment: true},
		// The directory a key file was expected in.
		"key_dir": {Placeholder: "DIR"},
		// The ProxyCommand program.
		"program": {Placeholder: "PROGRAM"},
		// A key file whose permissions ssh refuses, and, when that file
		// is a .pub, the private key to give ssh instead.
		"path":        {Placeholder: "FILE"},
		"private_key": {Placeholder: "FILE"},
	})
	RegisterFixes(map[string][]FixSpec{
		"config.client_error": {
			{Key: "fix.check_ssh_config_line", Command: "sed -n '{line}p' {file}", If: "file"},
			{Key: "fix.reproduce_config", Command: "ssh -G {ssh_g_request} >/dev/null"},
		},
		"perm.private_key_too_open": {
			{Key: "fix.key_use_private", Command: "ssh -i {private_key}", If: "private_key"},
			{Key: "fix.key_windows_acl", Command: `icacls {path} /inheritance:r /grant:r "${env:USERDOMAIN}\${env:USERNAME}:R"`, OS: OSWindows, Unless: "private_key"},
			{Key: "fix.key_chmod", Command: "chmod 600 {path}", OS: OSUnix, Unless: "private_key"},
		},
		"key.missing": {
			{Key: "fix.key_missing_path", Command: "ls -l {key_dir}", OS: OSUnix},
			{Key: "fix.key_missing_path", Command: "Get-ChildItem -Force -LiteralPath {key_dir}", OS: OSWindows},
		},
		"proxy.command_failed": {
			{Key: "fix.proxy_program", Command: "command -v {program}", OS: OSUnix},
			{Key: "fix.family_proxy_absolute", Command: "Get-Command cloudflared, ssh, nc -ErrorAction SilentlyContinue | Format-List Source", OS: OSWindows},
		},
	})
	RegisterPhrases(map[string]Text{
		"fix.proxy_program": {En: "Check that the ProxyCommand program exists on this machine", Ja: "ProxyCommand のプログラムがこのマシンにあるか確認します"},
	})
}
