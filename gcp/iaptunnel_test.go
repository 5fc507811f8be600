package gcp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sshdoctor/sshdoctor/gcp"
	"github.com/sshdoctor/sshdoctor/gcp/gcptest"
)

func TestIAPConnectURL(t *testing.T) {
	tgt := gcp.IAPTarget{Project: "p-1", Zone: "europe-west2-a", Instance: "vm", Port: 22}
	cases := map[string]string{
		"":                        "wss://tunnel.cloudproxy.app/v4/connect?",
		"wss://127.0.0.1:8443":    "wss://127.0.0.1:8443/v4/connect?",
		"wss://relay.example/x/y": "wss://relay.example/x/y/connect?",
	}
	for base, want := range cases {
		u, err := gcp.IAPConnectURL(base, tgt)
		if err != nil || !strings.HasPrefix(u, want) || !strings.Contains(u, "interface=nic0") ||
			!strings.Contains(u, "instance=vm") || !strings.Contains(u, "port=22") || !strings.Contains(u, "newWebsocket=True") {
			t.Errorf("%q: %q %v", base, u, err)
		}
	}
	for _, bad := range []string{"https://x", "ws://x", "wss://", "wss://u@x", "wss://x?a=b", "x"} {
		if _, err := gcp.ParseIAPURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func relayClient(t testing.TB, r *gcptest.Relay) *http.Client {
	b, err := os.ReadFile(r.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// backend answers each connection with payload and echoes what it reads
// after it.
func backend(t testing.TB, payload []byte) func(context.Context, int) (net.Conn, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.Write(payload)
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return func(ctx context.Context, _ int) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", ln.Addr().String())
	}
}

func dial(t testing.TB, s *gcptest.Server, r *gcptest.Relay) (*gcp.IAPTunnel, error) {
	u, _ := gcp.IAPConnectURL(r.URL, gcp.IAPTarget{Project: gcptest.Project, Zone: gcptest.Zone, Instance: gcptest.VM, Port: 22})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return gcp.DialIAP(ctx, u, gcptest.Token, relayClient(t, r))
}

// TestIAPTunnelBothWays: bytes larger than a frame cross in both
// directions, split and acknowledged.
func TestIAPTunnelBothWays(t *testing.T) {
	s := gcptest.New(t)
	r := s.StartRelay(t, nil)
	r.Set(func(r *gcptest.Relay) { r.Backend = backend(t, []byte("SSH-2.0-OpenSSH_9.6\r\n")) })
	tun, err := dial(t, s, r)
	if err != nil {
		t.Fatal(err)
	}
	defer tun.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msg := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80 000 bytes: five frames
	if _, err := tun.WriteContext(ctx, msg); err != nil {
		t.Fatal(err)
	}
	want := append([]byte("SSH-2.0-OpenSSH_9.6\r\n"), msg...)
	got := make([]byte, 0, len(want))
	buf := make([]byte, 4096)
	for len(got) < len(want) {
		n, err := tun.ReadContext(ctx, buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("after %d bytes: %v", len(got), err)
		}
	}
	if !bytes.Equal(got, want) || tun.SID == "" {
		t.Fatalf("got %d bytes, sid %q", len(got), tun.SID)
	}
}

func TestIAPCloseCodes(t *testing.T) {
	s := gcptest.New(t)
	r := s.StartRelay(t, nil)
	_, err := dial(t, s, r) // no backend
	var ce *gcp.IAPCloseError
	if !errors.As(err, &ce) || ce.Code != 4003 || ce.Reason != "failed to connect to backend" {
		t.Fatalf("%v", err)
	}
	r.Set(func(r *gcptest.Relay) { r.HTTPStatus = 403 })
	_, err = dial(t, s, r)
	var he *gcp.IAPHandshakeError
	if !errors.As(err, &he) || he.Status != 403 {
		t.Fatalf("%v", err)
	}
}

// BenchmarkIAPTunnelBanner is one probe: TLS, WebSocket, the relay's
// connect, and the banner read.
func BenchmarkIAPTunnelBanner(b *testing.B) {
	s := gcptest.New(b)
	r := s.StartRelay(b, nil)
	r.Set(func(r *gcptest.Relay) { r.Backend = backend(b, []byte("SSH-2.0-OpenSSH_9.6\r\n")) })
	buf := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		tun, err := dial(b, s, r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tun.ReadContext(context.Background(), buf); err != nil {
			b.Fatal(err)
		}
		_ = tun.CloseNow()
	}
}

// BenchmarkIAPTunnelThroughput moves 1 MiB from the backend through the
// relay and the client's frame decoding.
func BenchmarkIAPTunnelThroughput(b *testing.B) {
	payload := bytes.Repeat([]byte("x"), 1<<20)
	s := gcptest.New(b)
	r := s.StartRelay(b, nil)
	r.Set(func(r *gcptest.Relay) { r.Backend = backend(b, payload) })
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		tun, err := dial(b, s, r)
		if err != nil {
			b.Fatal(err)
		}
		for n := 0; n < len(payload); {
			k, err := tun.ReadContext(context.Background(), buf)
			if err != nil {
				b.Fatal(err)
			}
			n += k
		}
		_ = tun.CloseNow()
	}
}
