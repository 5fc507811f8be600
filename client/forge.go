package client

import (
	"context"
	"net"
	"runtime"
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
// the login name must be the service's (git), and a refused key is a key
// not registered on the person's account. It returns nil when the finding
// stays as it is.
func (r *Run) forgeAuth(s *Settings, fg *forge, list []*offer, evKeys func(*diag.Finding) *diag.Finding) *diag.Finding {
	fp := catalog.Params{catalog.ParamOS: runtime.GOOS, "forge_host": r.opts.Host, "forge_dest": s.User + "@" + r.opts.Host}
	if fg.Login != "" && s.User != fg.Login {
		return evKeys(diag.NewFinding("auth.forge_user").Arg("service", fg.Name).Arg("user", s.User).Arg("host", s.Hostname)).AddFixes(fp)
	}
	f := evKeys(diag.NewFinding("auth.forge_key_unknown").Arg("service", fg.Name).Arg("host", s.Hostname))
	fp["forge_offered"] = "yes"
	for _, o := range list {
		if o.result != sshwire.QueryRejected || o.kf == nil {
			continue
		}
		p := o.kf.Path
		if o.kf.PublicFrom != "file" {
			p += ".pub"
		}
		fp["forge_pub"] = p
		break
	}
	if fp["forge_pub"] == "" {
		fp["forge_no_key"] = "yes"
	}
	if fg.KeysURL != "" {
		f.Ev("add_keys_at", fg.KeysURL)
	}
	return f.AddFixes(fp)
}
