package gcp

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"time"
)

// The caller's public address, found as gcloud finds it: a TXT query for
// o-o.myaddr.l.google.com sent straight to ns1.google.com, which answers
// with the address the query came from.

const (
	myAddrName = "o-o.myaddr.l.google.com"
	myAddrNS   = "ns1.google.com"
)

// PublicIPTimeout bounds the lookup: two DNS round trips to Google's
// authoritative servers take well under a second anywhere; 5 s allows for
// a retry over UDP.
const PublicIPTimeout = 5 * time.Second

// PublicIPMethod describes the lookup for evidence.
const PublicIPMethod = "DNS TXT " + myAddrName + " @" + myAddrNS

// LookupPublicIP finds the caller's public address. It sends network
// traffic to Google's name servers; tests inject their own lookup.
func LookupPublicIP(ctx context.Context) (netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, PublicIPTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, myAddrNS)
	if err != nil || len(addrs) == 0 {
		return netip.Addr{}, errors.New("cannot resolve " + myAddrNS)
	}
	return lookupPublicIPAt(ctx, net.JoinHostPort(addrs[0], "53"))
}

// lookupPublicIPAt asks the name server at server (host:port).
func lookupPublicIPAt(ctx context.Context, server string) (netip.Addr, error) {
	r := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		},
	}
	txts, err := r.LookupTXT(ctx, myAddrName)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, t := range txts {
		if a, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(t), `"`)); err == nil {
			return a.Unmap(), nil
		}
	}
	return netip.Addr{}, errors.New("the answer held no address")
}
