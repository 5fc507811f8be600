package client

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sshdoctor/sshdoctor/sshconfig"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// localUser is the account ssh runs as: ssh expands ~ and %d from the
// password database, not from $HOME.
func localUser() (name, home, uid string) {
	if u, err := user.Current(); err == nil {
		return u.Username, u.HomeDir, u.Uid
	}
	home, _ = os.UserHomeDir()
	return os.Getenv("USER"), home, strconv.Itoa(os.Getuid())
}

// expandPath expands what ssh expands in IdentityFile, CertificateFile,
// UserKnownHostsFile and IdentityAgent: a leading ~, ${VAR}, and the
// common % tokens (ssh_config(5) "TOKENS").
func expandPath(p string, s *Settings, origHost string) string {
	name, home, uid := localUser()
	if p == "~" || strings.HasPrefix(p, "~/") {
		p = home + p[1:]
	}
	p = os.Expand(p, os.Getenv)
	if !strings.Contains(p, "%") {
		return p
	}
	host, _ := os.Hostname()
	short, _, _ := strings.Cut(host, ".")
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' || i+1 == len(p) {
			b.WriteByte(p[i])
			continue
		}
		i++
		switch p[i] {
		case '%':
			b.WriteByte('%')
		case 'd':
			b.WriteString(home)
		case 'u':
			b.WriteString(name)
		case 'i':
			b.WriteString(uid)
		case 'h':
			b.WriteString(s.Hostname)
		case 'r':
			b.WriteString(s.User)
		case 'p':
			b.WriteString(strconv.Itoa(s.Port))
		case 'l':
			b.WriteString(host)
		case 'L':
			b.WriteString(short)
		case 'n':
			b.WriteString(origHost)
		case 'k':
			b.WriteString(hostKeyAliasOr(s))
		default:
			b.WriteByte('%')
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

func hostKeyAliasOr(s *Settings) string {
	if a := s.Config.Get("hostkeyalias"); a != "" && a != "none" {
		return a
	}
	return s.Hostname
}

// knownHostsFiles lists the files ssh reads, users' first.
func (r *Run) knownHostsFiles(s *Settings) (userFiles, global []string) {
	for _, f := range s.Config.Fields("userknownhostsfile") {
		userFiles = append(userFiles, expandPath(f, s, r.opts.Host))
	}
	for _, f := range s.Config.Fields("globalknownhostsfile") {
		global = append(global, expandPath(f, s, r.opts.Host))
	}
	if !s.Config.Has("userknownhostsfile") {
		_, home, _ := localUser()
		userFiles = []string{filepath.Join(home, ".ssh", "known_hosts"), filepath.Join(home, ".ssh", "known_hosts2")}
	}
	if !s.Config.Has("globalknownhostsfile") {
		global = []string{"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"}
	}
	return userFiles, global
}

// hostKeyName is the name ssh looks the host up under in known_hosts:
// HostKeyAlias, or the host name ssh connects to, as [host]:port for a
// port other than 22.
func hostKeyName(s *Settings) string {
	if a := s.Config.Get("hostkeyalias"); a != "" && a != "none" {
		return sshconfig.KnownHostsName(a, 22)
	}
	return sshconfig.KnownHostsName(s.Hostname, s.Port)
}

// knownTypes reports which plain key types known_hosts holds for the
// name, and whether a @cert-authority line covers it.
func knownTypes(entries []sshconfig.KnownHost) (types map[string]bool, ca bool) {
	types = map[string]bool{}
	for _, e := range entries {
		switch e.Marker {
		case sshconfig.MarkerNone:
			types[sshwire.PlainKeyType(e.KeyType)] = true
		case sshconfig.MarkerCertAuthority:
			ca = true
		}
	}
	return types, ca
}

// orderHostKeyAlgs is OpenSSH's order_hostkeyalgs (sshconnect2.c), applied
// when HostKeyAlgorithms is ssh's default: if a known key has the type of
// the first algorithm, the list stays as it is; otherwise algorithms whose
// key type is known (all certificate types when a @cert-authority line
// matches) move to the front, each group keeping its order.
func orderHostKeyAlgs(algs []string, entries []sshconfig.KnownHost) []string {
	if len(algs) == 0 {
		return algs
	}
	types, ca := knownTypes(entries)
	if types[sshwire.PlainKeyType(algs[0])] {
		return algs
	}
	var first, last []string
	for _, a := range algs {
		if (sshwire.IsCertAlg(a) && ca) || types[sshwire.PlainKeyType(a)] {
			first = append(first, a)
		} else {
			last = append(last, a)
		}
	}
	return append(first, last...)
}

var (
	defaultsOnce sync.Once
	defaultHKA   string
)

// sshDefaultsTimeout bounds the extra `ssh -G -F /dev/null` run that tells
// whether HostKeyAlgorithms is ssh's default (only needed when known_hosts
// would reorder it): it reads no config at all.
const sshDefaultsTimeout = 3 * time.Second

// defaultHostKeyAlgorithms returns the local ssh's built-in
// HostKeyAlgorithms ("" when unknown).
func defaultHostKeyAlgorithms(ctx context.Context) string {
	defaultsOnce.Do(func() {
		ctx, cancel := context.WithTimeout(ctx, sshDefaultsTimeout)
		defer cancel()
		c, err := sshconfig.FromSSH(ctx, sshconfig.Request{Host: "sshdoctor.invalid", ConfigFile: os.DevNull}, nil)
		if err == nil {
			defaultHKA = c.Get("hostkeyalgorithms")
		}
	})
	return defaultHKA
}
