package client

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// forge is a git hosting service reached over SSH (catalog.Forge).
type forge = catalog.Forge

// forgeByHost recognises a forge by the name typed or the HostName ssh
// uses (catalog.ForgeByHost).
func forgeByHost(names ...string) *forge { return catalog.ForgeByHost(names...) }

// forgeReplies are what git services say to a login that asks for a shell
// or a command that is not git's: the login worked, only shell access is
// refused. Matched in lower case against the session's output.
var forgeReplies = []string{
	"does not provide shell access",        // GitHub, Gitea, Forgejo, Codeberg
	"you've successfully authenticated",    // GitHub and Gitea wording
	"shell access is disabled",             // Bitbucket
	"shell access is not supported",        // Azure DevOps
	"welcome to gitlab",                    // GitLab
	"interactive git shell is not enabled", // git-shell
	"unrecognized command",                 // git-shell with another command
	"disallowed command",                   // gitlab-shell with another command
	"welcome to hugging face",              // Hugging Face
}

func isForgeReply(text string) bool {
	l := strings.ToLower(text)
	for _, p := range forgeReplies {
		if strings.Contains(l, p) {
			return true
		}
	}
	return false
}

func (r *Run) forgeOf(s *Settings) *forge {
	return forgeByHost(r.opts.Host, s.Hostname)
}

// forgeConfigBlock is the ~/.ssh/config block that uses the forge's SSH
// endpoint on port 443.
func forgeConfigBlock(host string, fg *forge) string { return catalog.ForgeConfigBlock(host, fg) }

// forgeAltTimeout bounds the try of the port-443 endpoint: one TCP connect
// and one identification line.
const forgeAltTimeout = 3 * time.Second

// forgeTCP rewrites a failed TCP connection to a forge: the server is not
// the person's to fix, so the server-side fixes go; when the service has an
// SSH endpoint on port 443, it is tried (TCP and the identification line)
// and the config block that uses it is given.
func (r *Run) forgeTCP(ctx context.Context, f *diag.Finding, fg *forge, s *Settings) {
	f.Fixes = nil
	f.Ev("service", fg.Name)
	fp := catalog.Params{"forge": "yes"}
	if fg.AltHost == "" || s.Port == fg.AltPort {
		f.AddFixes(fp)
		return
	}
	alt := net.JoinHostPort(fg.AltHost, strconv.Itoa(fg.AltPort))
	tctx, cancel := context.WithTimeout(ctx, min(forgeAltTimeout, r.opts.Timeout))
	defer cancel()
	conn, err := r.dial(tctx, alt)
	if err != nil {
		f.Ev("ssh_over_443", alt+": "+err.Error())
		f.AddFixes(fp)
		return
	}
	dl, _ := tctx.Deadline()
	id := sshwire.Exchange(conn, time.Until(dl), 4096)
	conn.Close()
	if id.Outcome != sshwire.OutcomeOK {
		f.Ev("ssh_over_443", alt+": "+string(id.Outcome))
		f.AddFixes(fp)
		return
	}
	f.Ev("ssh_over_443", alt+": "+diag.Quote([]byte(id.Line), 200))
	f.Arg("alt", alt)
	fp["forge_alt"], fp["forge_config"] = alt, forgeConfigBlock(r.opts.Host, fg)
	fp["forge_alt_host"], fp["forge_alt_port"] = fg.AltHost, strconv.Itoa(fg.AltPort)
	f.AddFixes(fp)
}

// forgeAuth turns a refused login on a forge into what it means there:
// the login name must be git, and a refused key is a key not registered on
// the person's account. It returns nil when the finding stays as it is.
func (r *Run) forgeAuth(s *Settings, fg *forge, list []*offer, evKeys func(*diag.Finding) *diag.Finding) *diag.Finding {
	if s.User != "git" {
		return evKeys(diag.NewFinding("auth.forge_user").Arg("service", fg.Name).Arg("user", s.User).Arg("host", s.Hostname)).
			Fix("fix.forge_user", "ssh -T git@"+r.opts.Host).
			Fix("fix.forge_user_config", "Host "+r.opts.Host+"\n  User git")
	}
	f := evKeys(diag.NewFinding("auth.forge_key_unknown").Arg("service", fg.Name).Arg("host", s.Hostname))
	var pubs []string
	for _, o := range list {
		if o.result != sshwire.QueryRejected || o.kf == nil {
			continue
		}
		p := o.kf.Path
		if o.kf.PublicFrom != "file" {
			p += ".pub"
		}
		pubs = append(pubs, p)
	}
	if fg.KeysURL != "" {
		f.Ev("add_keys_at", fg.KeysURL)
	}
	if len(pubs) > 0 {
		f.Fix("fix.forge_add_key", "cat "+shellQuote(pubs[0]))
	} else {
		f.Fix("fix.auth_generate_key", "ssh-keygen -t ed25519").Fix("fix.forge_add_key", "cat ~/.ssh/id_ed25519.pub")
	}
	f.Fix("fix.forge_test", "ssh -T git@"+r.opts.Host)
	return f
}
