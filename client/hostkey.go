package client

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/sshconfig"
	"github.com/sshdoctor/sshdoctor/sshwire"
)

// HostKeyResult is what the hostkey layer hands on: the key the server
// presented (accepted: the session's handshake goes on past it).
type HostKeyResult struct {
	Kex *KexResult
	Key *sshwire.Key
}

// hostStatus is check_host_key's verdict (sshconnect.c).
type hostStatus string

const (
	hostOK      hostStatus = "ok"
	hostNew     hostStatus = "new"
	hostChanged hostStatus = "changed"
	hostRevoked hostStatus = "revoked"
)

// hostVerdict is the outcome of looking the presented key up.
type hostVerdict struct {
	status hostStatus
	found  *sshconfig.KnownHost // the matching line (ok), or the offending one (changed, revoked)
	viaCA  bool
	// certProblem says why a host certificate was not accepted (ssh then
	// falls back to the plain key).
	certProblem string
	otherTypes  []string // key types known for the name when status is new
	plainBlob   []byte   // the key looked up (a certificate's own key after fallback)
	plainType   string
}

// judgeHostKey applies OpenSSH's lookup: a revoked key is refused; a host
// certificate signed by a @cert-authority key that matches the name, valid
// now and for this host, is accepted; otherwise the plain key is compared
// with the lines for the name: the same key is known, another key of the
// same type is a changed key, nothing of that type is a new host.
func judgeHostKey(key *sshwire.Key, entries []sshconfig.KnownHost, certName string, now time.Time) hostVerdict {
	v := hostVerdict{plainBlob: key.Blob, plainType: key.Type}
	revoked := func(blob []byte) *sshconfig.KnownHost {
		for i := range entries {
			if entries[i].Marker == sshconfig.MarkerRevoked && sshconfig.SameKey(entries[i].Key, blob) {
				return &entries[i]
			}
		}
		return nil
	}
	if e := revoked(key.Blob); e != nil {
		return hostVerdict{status: hostRevoked, found: e, plainBlob: key.Blob, plainType: key.Type}
	}
	if c := key.Cert; c != nil {
		if e := revoked(c.CABlob); e != nil {
			return hostVerdict{status: hostRevoked, found: e, plainBlob: key.Blob, plainType: key.Type}
		}
		for i := range entries {
			e := &entries[i]
			if e.Marker != sshconfig.MarkerCertAuthority || !sshconfig.SameKey(e.Key, c.CABlob) {
				continue
			}
			switch {
			case !c.Host:
				v.certProblem = "not a host certificate"
			case !c.ValidAt(now):
				v.certProblem = "certificate not valid now (valid " + c.ValidAfter.UTC().Format(time.RFC3339) + " to " + validBefore(c) + ")"
			case len(c.Principals) > 0 && !containsFold(c.Principals, certName):
				v.certProblem = "certificate is for " + strings.Join(c.Principals, ",") + ", not " + certName
			default:
				return hostVerdict{status: hostOK, found: e, viaCA: true, plainBlob: key.Blob, plainType: key.Type}
			}
		}
		if v.certProblem == "" {
			v.certProblem = "no @cert-authority line for its CA " + c.CAFinger
		}
		// Downgrade to the plain key, as ssh does.
		v.plainBlob = c.KeyBlob
		v.plainType = sshconfig.KeyBlobType(c.KeyBlob)
		if e := revoked(v.plainBlob); e != nil {
			v.status, v.found = hostRevoked, e
			return v
		}
	}
	want := sshwire.PlainKeyType(v.plainType)
	var changed *sshconfig.KnownHost
	seen := map[string]bool{}
	for i := range entries {
		e := &entries[i]
		if e.Marker != sshconfig.MarkerNone {
			continue
		}
		if sshconfig.SameKey(e.Key, v.plainBlob) {
			v.status, v.found = hostOK, e
			return v
		}
		t := sshwire.PlainKeyType(e.KeyType)
		if t == want && changed == nil {
			changed = e
		}
		if t != want && !seen[t] {
			seen[t] = true
			v.otherTypes = append(v.otherTypes, sshwire.KeyTypeLabel(e.KeyType))
		}
	}
	if changed != nil {
		v.status, v.found = hostChanged, changed
		return v
	}
	v.status = hostNew
	return v
}

func validBefore(c *sshwire.CertInfo) string {
	if c.ValidBefore.IsZero() {
		return "forever"
	}
	return c.ValidBefore.UTC().Format(time.RFC3339)
}

func containsFold(l []string, s string) bool {
	for _, x := range l {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// strictMode is StrictHostKeyChecking as ssh -G prints it.
func strictMode(s *Settings) string {
	switch v := strings.ToLower(s.Config.Get("stricthostkeychecking")); v {
	case "true", "yes":
		return "yes"
	case "false", "no", "off":
		return "no"
	case "accept-new":
		return v
	default:
		return "ask"
	}
}

func (r *Run) checkHostKey() *diag.Def[*HostKeyResult] {
	return &diag.Def[*HostKeyResult]{Name: "hostkey", Doc: "the server's host key against known_hosts, as ssh would judge it",
		Requires: []diag.Node{r.defs.kex}, Timeout: r.opts.Timeout + 2*time.Second,
		Run: onPath[*HostKeyResult](r.sess, func(ctx context.Context, p *diag.Pass) diag.Result {
			return r.hostKeyOn(ctx, r.sess, diag.ResultOf(p, r.defs.kex))
		})}
}

func (r *Run) hostKeyOn(ctx context.Context, sess *session, kr *KexResult) diag.Result {
	s := kr.Banner.Settings
	probe := sess.Probe()
	if len(kr.Unimplemented) > 0 || probe == nil {
		return diag.Inconclusive(diag.NewFinding("hostkey.not_checked").
			Arg("reason", "sshdoctor's SSH library implements none of the algorithms ssh would use for "+slotList(kr.Unimplemented)))
	}
	stop := sess.closeOnCancel(ctx)
	defer stop()
	key, err := probe.HostKey(ctx)
	if err != nil {
		f := diag.NewFinding("hostkey.not_checked").Arg("reason", "the key exchange did not complete").Ev("error", err.Error())
		if what, ours, theirs, ok := sshwire.Negotiation(err); ok {
			f.Arg("reason", "sshdoctor's SSH library cannot use the "+what+" the server offers").
				Ev("sshdoctor_offered", strings.Join(ours, ",")).Ev("server_offered", strings.Join(theirs, ","))
		}
		return diag.Inconclusive(f)
	}
	findings := r.hostKeyFindings(s, kr, key)
	for _, f := range findings {
		if f.Severity == diag.SevError {
			return diag.Conclude(nil, findings...)
		}
	}
	probe.AcceptHostKey()
	return diag.Conclude(&HostKeyResult{Kex: kr, Key: key}, findings...)
}

func slotList(s []sshwire.Slot) string {
	var out []string
	for _, x := range s {
		out = append(out, string(x))
	}
	return strings.Join(out, ", ")
}

func (r *Run) hostKeyFindings(s *Settings, kr *KexResult, key *sshwire.Key) []*diag.Finding {
	name := kr.HostName
	certName := hostKeyAliasOr(s)
	label := sshwire.KeyTypeLabel(key.Type)
	v := judgeHostKey(key, kr.KnownFor, certName, time.Now())
	strict := strictMode(s)
	batch := s.Config.Yes("batchmode")
	uf, _ := r.knownHostsFiles(s)
	firstUser := "~/.ssh/known_hosts"
	if len(uf) > 0 {
		firstUser = uf[0]
	}
	hostKeyType := sshwire.HostKeyFileType(key.Type)
	var out []*diag.Finding
	// What ssh would also consult that sshdoctor does not evaluate: say so.
	notChecked := func(f *diag.Finding) *diag.Finding {
		for _, k := range []string{"knownhostscommand", "revokedhostkeys"} {
			if v := s.Config.Get(k); v != "" && v != "none" {
				f.Ev("not_checked", k+" "+v)
			}
		}
		if s.Config.Yes("verifyhostkeydns") {
			f.Ev("not_checked", "verifyhostkeydns (SSHFP records)")
		}
		return f
	}
	addCommon := func(f *diag.Finding) *diag.Finding {
		f.Arg("host", name).Arg("key_type", label).
			Ev("host_key", key.Type+" "+key.Fingerprint).Ev("known_hosts_name", name)
		for _, kf := range kr.Known.Files {
			f.Ev("known_hosts_files", kf.String())
		}
		if v.certProblem != "" {
			f.Ev("host_certificate", v.certProblem)
		}
		return notChecked(f)
	}

	// RequiredRSASize (OpenSSH 9.1+): "Bad server host key: Invalid key length".
	if key.Bits > 0 && sshwire.PlainKeyType(key.Type) == "rsa" {
		if min, err := strconv.Atoi(s.Config.Get("requiredrsasize")); err == nil && key.Bits < min {
			out = append(out, diag.NewFinding("kex.bad_hostkey_len").Arg("bits", strconv.Itoa(key.Bits)).Arg("required", strconv.Itoa(min)).
				Ev("host_key", key.Type+" "+key.Fingerprint).EvInt("bits", key.Bits).EvInt("requiredrsasize", min).
				AddFixes(nil))
		}
	}

	switch v.status {
	case hostOK:
		f := diag.NewFinding("hostkey.known").Arg("host", name).Arg("location", v.found.Location()).
			Ev("host_key", key.Type+" "+key.Fingerprint).Ev("found", v.found.Location())
		if v.viaCA {
			f.Ev("signed_by_ca", key.Cert.CAFinger)
		}
		out = append(out, notChecked(f))
	case hostRevoked:
		f := addCommon(diag.NewFinding("hostkey.revoked")).Ev("revoked_at", v.found.Location()).
			Ev("ssh_would_say", "The "+label+" host key for "+name+" is marked as revoked.").
			AddFixes(nil)
		out = append(out, f)
	case hostChanged:
		f := addCommon(diag.NewFinding("hostkey.changed")).Arg("file", v.found.File).
			Ev("known_hosts", v.found.Location()).
			Ev("old_fingerprint", sshconfig.KeyFingerprint(v.found.Key)).
			Ev("new_fingerprint", sshwire.Fingerprint(v.plainBlob)).
			Ev("strict_host_key_checking", strict)
		if v.found.Hashed {
			f.Ev("entry", "hashed (|1|…)")
		} else {
			f.Ev("entry", v.found.Hosts)
		}
		f.AddFixes(catalog.Params{"hostkey_type": hostKeyType, "host": name, "known_hosts": v.found.File})
		if strict == "no" {
			// ssh goes on, with password and keyboard-interactive
			// authentication and forwarding disabled.
			f.Sev(diag.SevWarning).Ev("ssh_continues", "StrictHostKeyChecking=no: ssh connects, but disables password and keyboard-interactive authentication and agent/X11/port forwarding")
		}
		out = append(out, f)
	case hostNew:
		f := addCommon(diag.NewFinding("hostkey.unknown")).Ev("strict_host_key_checking", strict).
			Ev("batch_mode", strconv.FormatBool(batch))
		if len(v.otherTypes) > 0 {
			f.Ev("other_key_types_known", strings.Join(v.otherTypes, ","))
		}
		switch {
		case strict == "yes":
			f.Ev("ssh_would_say", "No "+label+" host key is known for "+name+" and you have requested strict checking.")
		case strict == "ask" && batch:
			f.Ev("ssh_would_say", "Host key verification failed.")
		case strict == "ask":
			f.Sev(diag.SevWarning).Ev("ssh_would_say", "The authenticity of host '"+name+"' can't be established.")
		default: // accept-new, no: ssh records the key and goes on
			f.Sev(diag.SevInfo).Ev("ssh_would_say", "Warning: Permanently added '"+name+"' ("+label+") to the list of known hosts.")
		}
		f.AddFixes(catalog.Params{"hostkey_type": hostKeyType, "host": name, "known_hosts": firstUser,
			"known_hosts_line": sshconfig.Line(name, sshconfig.KeyBlobType(v.plainBlob), v.plainBlob),
			"ssh_args":         r.sshArgs()})
		out = append(out, f)
	}

	// CheckHostIP: the key recorded for the address must not differ.
	if s.Config.Yes("checkhostip") && !sshconfig.IsAddress(s.Hostname) && s.Config.Get("hostkeyalias") == "" && s.Jump == "" &&
		v.status != hostChanged && v.status != hostRevoked {
		ip, _, _ := net.SplitHostPort(kr.Banner.Addr)
		ipName := sshconfig.KnownHostsName(ip, s.Port)
		iv := judgeHostKey(&sshwire.Key{Type: v.plainType, Blob: v.plainBlob}, kr.Known.For(ipName), ipName, time.Now())
		if iv.status == hostChanged {
			f := diag.NewFinding("hostkey.ip_mismatch").Arg("host", name).Arg("address", ipName).
				Ev("offending_ip_entry", iv.found.Location()).
				Ev("ip_key_fingerprint", sshconfig.KeyFingerprint(iv.found.Key)).
				Ev("host_key", key.Type+" "+key.Fingerprint).
				AddFixes(catalog.Params{"address": ipName, "known_hosts": iv.found.File})
			msg := "Warning: the " + label + " host key for '" + name + "' differs from the key for the IP address '" + ip + "'"
			switch {
			case strict == "no":
				f.Sev(diag.SevWarning).Ev("ssh_would_say", msg)
			case strict == "ask" && !batch:
				f.Sev(diag.SevWarning).Ev("ssh_would_say", msg+" … Are you sure you want to continue connecting (yes/no)?")
			case strict == "ask":
				f.Sev(diag.SevError).Ev("ssh_would_say", "Host key verification failed.") // confirm() cannot ask in BatchMode
			default:
				f.Sev(diag.SevError).Ev("ssh_would_say", msg+" … Exiting, you have requested strict checking.")
			}
			out = append(out, f)
		}
	}
	return out
}
