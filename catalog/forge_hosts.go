package catalog

import (
	"strconv"
	"strings"
)

// Forge is a git hosting service reached over SSH: the key is registered
// on the person's web account, and the server runs git commands only. The live checks and explain both recognise one
// by its host name.
type Forge struct {
	Name string
	// KeysURL is where a person adds a public key ("" when it differs per
	// installation).
	KeysURL string
	// AltHost/AltPort: the service's documented SSH endpoint on the HTTPS
	// port, for networks that block port 22 ("" when there is none).
	AltHost string
	AltPort int
	// Login is the one login name the service accepts ("git"); "" when
	// it is not fixed: an installation chooses it (Gitea's RUN_USER), or
	// it is the organization's name (Azure DevOps's vs-ssh host).
	Login string
}

// forges are recognised by the host name ssh connects to (or the name the
// person typed). Sources: each service's "SSH over the HTTPS port" and SSH
// key documentation.
var forges = []struct {
	hosts []string
	f     Forge
}{
	{[]string{"github.com", "ssh.github.com"}, Forge{Name: "GitHub", KeysURL: "https://github.com/settings/keys", AltHost: "ssh.github.com", AltPort: 443, Login: "git"}},
	{[]string{"gitlab.com", "altssh.gitlab.com"}, Forge{Name: "GitLab", KeysURL: "https://gitlab.com/-/user_settings/ssh_keys", AltHost: "altssh.gitlab.com", AltPort: 443, Login: "git"}},
	{[]string{"bitbucket.org", "altssh.bitbucket.org"}, Forge{Name: "Bitbucket", KeysURL: "https://bitbucket.org/account/settings/ssh-keys/", AltHost: "altssh.bitbucket.org", AltPort: 443, Login: "git"}},
	{[]string{"codeberg.org"}, Forge{Name: "Codeberg", KeysURL: "https://codeberg.org/user/settings/keys", Login: "git"}},
	{[]string{"ssh.dev.azure.com"}, Forge{Name: "Azure DevOps", KeysURL: "https://dev.azure.com/ (User settings → SSH public keys)", Login: "git"}},
	// The older host takes the organization's name as the login:
	// ssh://ORG@vs-ssh.visualstudio.com/v3/ORG/PROJECT/REPO.
	{[]string{"vs-ssh.visualstudio.com"}, Forge{Name: "Azure DevOps", KeysURL: "https://dev.azure.com/ (User settings → SSH public keys)"}},
	{[]string{"hf.co", "huggingface.co"}, Forge{Name: "Hugging Face", KeysURL: "https://huggingface.co/settings/keys", Login: "git"}},
}

// ForgeByHost recognises a forge by the name typed or the HostName ssh
// uses; self-hosted Gitea/Forgejo/GitLab installations are recognised by a
// conventional host name label. Nil when none is.
func ForgeByHost(names ...string) *Forge {
	for _, n := range names {
		n = strings.TrimSuffix(strings.ToLower(n), ".")
		for _, e := range forges {
			for _, h := range e.hosts {
				if n == h {
					f := e.f
					return &f
				}
			}
		}
	}
	for _, n := range names {
		label := strings.ToLower(strings.SplitN(n, ".", 2)[0])
		switch label {
		case "gitea", "forgejo", "gitlab", "gogs":
			if strings.Contains(n, ".") {
				return &Forge{Name: strings.ToUpper(label[:1]) + label[1:]}
			}
		}
	}
	return nil
}

// ForgeConfigBlock is the ~/.ssh/config block that uses the forge's SSH
// endpoint on port 443 for host (the name the person uses).
func ForgeConfigBlock(host string, fg *Forge) string {
	return "Host " + host + "\n  HostName " + fg.AltHost + "\n  Port " + strconv.Itoa(fg.AltPort) + "\n  User git"
}
