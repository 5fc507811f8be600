package sshconfig

import "testing"

// What ssh -G -v writes on stderr (OpenSSH 9.2p1, a bad line in the -F
// file): the version line, debug lines, then what ssh -G says without -v.
func TestSplitVerbose(t *testing.T) {
	in := "OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19 27 Jan 2026\n" +
		"debug1: Reading configuration data /tmp/cfg\n" +
		"/tmp/cfg: line 2: Bad configuration option: frobnicate\n" +
		"debug1: /tmp/cfg line 3: Applying options for *\n" +
		"/tmp/cfg: terminating, 1 bad configuration options\n"
	rest, v := splitVerbose(in)
	if v != "OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19 27 Jan 2026" {
		t.Errorf("version %q", v)
	}
	want := "/tmp/cfg: line 2: Bad configuration option: frobnicate\n/tmp/cfg: terminating, 1 bad configuration options\n"
	if rest != want {
		t.Errorf("rest %q", rest)
	}
	if ce := classifyStderr(rest); ce.File != "/tmp/cfg" || ce.Line != 2 {
		t.Errorf("classified %+v", ce)
	}
	// An error before -v took effect: no version line, nothing dropped.
	rest, v = splitVerbose("command-line line 0: Bad configuration option: x\n")
	if v != "" || rest != "command-line line 0: Bad configuration option: x\n" {
		t.Errorf("%q %q", rest, v)
	}
}
