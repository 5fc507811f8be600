package sshlog

import (
	"strconv"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
)

var kexOption = map[string]string{
	"kex.no_kex_alg":     "KexAlgorithms",
	"kex.no_hostkey_alg": "HostKeyAlgorithms",
	"kex.no_cipher":      "Ciphers",
	"kex.no_mac":         "MACs",
}

// kexView says whose offer a negotiation failure shows.
type kexView int

const (
	// kexClient: ssh's words, the offer is the server's.
	kexClient kexView = iota
	// kexServer: sshd's log, the offer is the client's.
	kexServer
	// kexLibrary: another program's SSH library said it.
	kexLibrary
)

// kexCost classifies an algorithm of a negotiation code by what
// re-enabling it in OpenSSH costs, as the check does (sshwire.Weak): ""
// for a current algorithm, "removed" for one no option brings back.
func kexCost(code, alg string) string {
	a := strings.TrimSuffix(alg, "-cert-v01@openssh.com")
	switch code {
	case "kex.no_kex_alg":
		switch a {
		case "diffie-hellman-group1-sha1":
			return "kex_dh1024"
		case "diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1":
			return "kex_sha1"
		}
	case "kex.no_hostkey_alg":
		switch a {
		case "ssh-rsa":
			return "sig_sha1"
		case "ssh-dss":
			return "dsa"
		}
	case "kex.no_cipher":
		switch {
		case a == "3des-cbc":
			return "3des"
		case strings.HasPrefix(a, "arcfour"), a == "blowfish-cbc", a == "cast128-cbc", a == "rijndael-cbc@lysator.liu.se":
			return "removed"
		case strings.HasSuffix(a, "-cbc"):
			return "cbc"
		}
	case "kex.no_mac":
		b := strings.TrimSuffix(strings.TrimSuffix(a, "-etm@openssh.com"), "@openssh.com")
		switch {
		case strings.HasPrefix(b, "hmac-ripemd160"):
			return "removed"
		case b == "hmac-md5", b == "hmac-md5-96":
			return "mac_md5"
		case b == "hmac-sha1-96":
			return "mac_truncated"
		case b == "hmac-sha1":
			return "mac_sha1"
		}
	}
	return ""
}

// kexCostRank orders costs from least to most, as the check chooses.
var kexCostRank = map[string]int{"": 0, "mac_sha1": 1, "kex_sha1": 2, "sig_sha1": 2, "cbc": 3, "mac_truncated": 3,
	"mac_md5": 4, "3des": 5, "kex_dh1024": 5, "dsa": 6, "removed": 9}

// kexOverride picks, among the offered algorithms, the one whose
// re-enabling costs least (ties keep the offer's order), with its cost;
// "" when OpenSSH removed every one.
func kexOverride(code string, algs []string) (alg, cost string) {
	best := 100
	for _, a := range algs {
		c := kexCost(code, a)
		if r := kexCostRank[c]; c != "removed" && r < best {
			alg, cost, best = a, c, r
		}
	}
	return alg, cost
}

// kexFinding completes a negotiation failure from the offer the text
// showed, seen from view; peer and port are where ssh connected (the
// client's address in sshd's log), "" and 0 when not shown.
func kexFinding(f *diag.Finding, code, offer, peer string, port int, view kexView) {
	algs := realAlgs(offer)
	opt := kexOption[code]
	f.Arg("option", opt).Arg("peer", orUnknown(peer)).Arg("their_offer", quoteText(strings.Join(algs, ",")))
	f.Ev("their_offer", quoteText(offer))
	fp := params()
	switch {
	case view == kexLibrary:
		fp["library"] = "yes"
	case view == kexServer:
		fp["kex_server_side"] = "yes"
		if len(algs) > 0 {
			f.Arg("algorithm", quoteText(algs[0]))
			if kexCost(code, algs[0]) != "" {
				fp["kex_server_weak"] = "yes"
			}
		}
	case len(algs) > 0:
		portOpt := ""
		if port > 0 && port != 22 {
			portOpt = "-p " + strconv.Itoa(port) + " "
		}
		fp["ssh_args"] = destArgs(portOpt, "", peer)
		alg, cost := kexOverride(code, algs)
		if alg == "" {
			fp["kex_no_override"] = "yes"
			break
		}
		f.Arg("algorithm", quoteText(alg))
		if cost == "" {
			cost = "modern"
		}
		fp["kex_alg"], fp["kex_cost_"+cost] = alg, "yes"
	}
	f.AddFixes(fp)
}
