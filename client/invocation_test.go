package client

import "testing"

// A fix command reproduces the person's invocation: their config file,
// options (HostName given with -o stays), key and port, plus the change.
func TestFixCommandsKeepTheInvocation(t *testing.T) {
	r := New(Options{Destination: "alice@web", User: "alice", Host: "web", Port: 2222,
		ConfigFile: "/home/a b/cfg", Identities: []string{"~/.ssh/work key"},
		Options: []KV{{Key: "HostName", Value: "198.18.0.2"}}})
	cases := map[string]string{
		r.command("ssh", true, "-o", "ConnectTimeout=5"): `ssh -o ConnectTimeout=5 -F '/home/a b/cfg' -o HostName=198.18.0.2 -p 2222 -i ~/'.ssh/work key' alice@web`,
		r.commandPort("sshdoctor", true, 22):             `sshdoctor -F '/home/a b/cfg' -o HostName=198.18.0.2 -p 22 -i ~/'.ssh/work key' alice@web`,
		r.copyIDCommand("/k.pub"):                        `ssh-copy-id -i /k.pub -F '/home/a b/cfg' -o HostName=198.18.0.2 -p 2222 alice@web`,
		r.copyIDCommand("~/.ssh/id_ed25519.pub"):         `ssh-copy-id -i ~/.ssh/id_ed25519.pub -F '/home/a b/cfg' -o HostName=198.18.0.2 -p 2222 alice@web`,
		r.sshGCommand("hostname|port"):                   `ssh -G -F '/home/a b/cfg' -o HostName=198.18.0.2 -p 2222 -i ~/'.ssh/work key' web | grep -E '^(hostname|port) '`,
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}
