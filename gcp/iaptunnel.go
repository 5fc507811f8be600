package gcp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/coder/websocket"
)

// Identity-Aware Proxy TCP forwarding is a WebSocket to the relay
// (wss://tunnel.cloudproxy.app/v4/connect?project=…&zone=…&instance=…
// &interface=nic0&port=22), subprotocol relay.tunnel.cloudproxy.app, whose
// binary messages start with a 2-byte big-endian tag:
//
//	0x0001 CONNECT_SUCCESS_SID     uint32 length, the session id
//	0x0002 RECONNECT_SUCCESS_ACK   uint64 bytes the relay has received
//	0x0004 DATA                    uint32 length (≤ 16384), the bytes
//	0x0007 ACK                     uint64 bytes received so far
//
// The relay refuses a tunnel by closing the WebSocket with a 4xxx code and
// a reason (4003 "failed to connect to backend", 4033 "not authorized",
// 4047 "Failed to lookup instance", 4004 "reauthentication required"), or
// with an HTTP status at the handshake. This is gcloud's own framing
// (googlecloudsdk/api_lib/compute/iap_tunnel_websocket*.py).
const (
	IAPSubprotocol      = "relay.tunnel.cloudproxy.app"
	IAPDefaultURL       = "wss://tunnel.cloudproxy.app"
	IAPOrigin           = "bot:iap-tunneler"
	iapPathRoot         = "/v4"
	IAPTagConnectSID    = 0x0001
	IAPTagReconnectAck  = 0x0002
	IAPTagData          = 0x0004
	IAPTagAck           = 0x0007
	IAPMaxDataFrame     = 16384
	iapMaxMessage       = IAPMaxDataFrame + 6 + 64 // a data frame and its header, with slack
	iapMaxSIDLen        = 4096
	iapAckEvery         = 2 * IAPMaxDataFrame // gcloud acks after twice the window
	IAPCloseBackend     = 4003
	IAPCloseReauth      = 4004
	IAPCloseNotAuth     = 4033
	IAPCloseLookupFaild = 4047
)

// IAPTarget is what a tunnel connects to.
type IAPTarget struct {
	Project, Zone, Instance, Interface string
	Port                               int
}

// IAPConnectURL builds the connect URL from a relay base (IAPDefaultURL or
// --iap-tunnel-url-override): a path on the override replaces /v4, as in
// gcloud.
func IAPConnectURL(base string, t IAPTarget) (string, error) {
	if base == "" {
		base = IAPDefaultURL
	}
	u, err := ParseIAPURL(base)
	if err != nil {
		return "", err
	}
	root := iapPathRoot
	if u.Path != "" && u.Path != "/" {
		root = u.Path
	}
	iface := t.Interface
	if iface == "" {
		iface = "nic0"
	}
	q := url.Values{}
	q.Set("project", t.Project)
	q.Set("port", strconv.Itoa(t.Port))
	q.Set("newWebsocket", "True")
	q.Set("zone", t.Zone)
	q.Set("instance", t.Instance)
	q.Set("interface", iface)
	u.Path = strings.TrimSuffix(root, "/") + "/connect"
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ParseIAPURL accepts a relay address: wss://HOST[:PORT][/PATH] only, the
// relay being TLS only.
func ParseIAPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "wss" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q is not a wss://HOST[:PORT] address (the IAP relay is TLS only)", s)
	}
	return u, nil
}

// IAPCloseError is the relay closing the tunnel with a code and a reason.
type IAPCloseError struct {
	Code   int
	Reason string
}

func (e *IAPCloseError) Error() string {
	return fmt.Sprintf("the IAP relay closed the tunnel: %d %q", e.Code, e.Reason)
}

// IAPHandshakeError is an HTTP answer instead of a WebSocket upgrade.
type IAPHandshakeError struct {
	Status int
	Err    error
}

func (e *IAPHandshakeError) Error() string {
	return fmt.Sprintf("the IAP relay refused the WebSocket: HTTP %d", e.Status)
}

func (e *IAPHandshakeError) Unwrap() error { return e.Err }

// IAPProtocolError is a relay that broke the framing.
type IAPProtocolError struct{ Msg string }

func (e *IAPProtocolError) Error() string { return "IAP tunnel protocol: " + e.Msg }

// IAPTunnel is one open tunnel: a byte stream to the VM's port.
type IAPTunnel struct {
	ws  *websocket.Conn
	SID string

	rmu      sync.Mutex
	pending  []byte
	received uint64
	acked    uint64
	wmu      sync.Mutex
}

// DialIAP opens a tunnel and waits for CONNECT_SUCCESS_SID. The context
// bounds the handshake only; use ReadContext/WriteContext after.
func DialIAP(ctx context.Context, connectURL, token string, hc *http.Client) (*IAPTunnel, error) {
	h := http.Header{}
	h.Set("User-Agent", "sshdoctor")
	h.Set("Origin", IAPOrigin)
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	ws, resp, err := websocket.Dial(ctx, connectURL, &websocket.DialOptions{
		HTTPClient:   hc,
		HTTPHeader:   h,
		Subprotocols: []string{IAPSubprotocol},
	})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, &IAPHandshakeError{Status: resp.StatusCode, Err: err}
		}
		return nil, err
	}
	if ws.Subprotocol() != IAPSubprotocol {
		ws.Close(websocket.StatusProtocolError, "subprotocol")
		return nil, &IAPProtocolError{Msg: fmt.Sprintf("the relay chose subprotocol %q", ws.Subprotocol())}
	}
	ws.SetReadLimit(iapMaxMessage)
	t := &IAPTunnel{ws: ws}
	msg, err := t.readMessage(ctx)
	if err != nil {
		ws.CloseNow()
		return nil, err
	}
	tag, rest := binary.BigEndian.Uint16(msg), msg[2:]
	if tag != IAPTagConnectSID {
		ws.Close(websocket.StatusProtocolError, "expected CONNECT_SUCCESS_SID")
		return nil, &IAPProtocolError{Msg: fmt.Sprintf("first message has tag %#04x, not CONNECT_SUCCESS_SID", tag)}
	}
	sid, _, err := lengthPrefixed(rest, iapMaxSIDLen)
	if err != nil {
		ws.Close(websocket.StatusProtocolError, "bad sid")
		return nil, err
	}
	t.SID = string(sid)
	return t, nil
}

// readMessage reads one binary message of at least a tag, turning a close
// into an IAPCloseError.
func (t *IAPTunnel) readMessage(ctx context.Context) ([]byte, error) {
	typ, msg, err := t.ws.Read(ctx)
	if err != nil {
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return nil, &IAPCloseError{Code: int(ce.Code), Reason: ce.Reason}
		}
		return nil, err
	}
	if typ != websocket.MessageBinary || len(msg) < 2 {
		return nil, &IAPProtocolError{Msg: "a message that is not a binary frame with a tag"}
	}
	return msg, nil
}

func lengthPrefixed(b []byte, max int) ([]byte, []byte, error) {
	if len(b) < 4 {
		return nil, nil, &IAPProtocolError{Msg: "truncated length"}
	}
	n := binary.BigEndian.Uint32(b)
	if n > uint32(max) || int(n) > len(b)-4 {
		return nil, nil, &IAPProtocolError{Msg: fmt.Sprintf("length %d beyond the frame", n)}
	}
	return b[4 : 4+n], b[4+n:], nil
}

// ReadContext reads bytes from the VM's port, acknowledging what it
// received as gcloud does. io.EOF when the relay closed normally.
func (t *IAPTunnel) ReadContext(ctx context.Context, p []byte) (int, error) {
	t.rmu.Lock()
	defer t.rmu.Unlock()
	for len(t.pending) == 0 {
		msg, err := t.readMessage(ctx)
		if err != nil {
			var ce *IAPCloseError
			if errors.As(err, &ce) && ce.Code == int(websocket.StatusNormalClosure) {
				return 0, io.EOF
			}
			return 0, err
		}
		switch binary.BigEndian.Uint16(msg) {
		case IAPTagData:
			data, _, err := lengthPrefixed(msg[2:], IAPMaxDataFrame)
			if err != nil {
				return 0, err
			}
			t.pending = data
			t.received += uint64(len(data))
			if t.received-t.acked >= iapAckEvery {
				if err := t.sendAck(ctx); err != nil {
					return 0, err
				}
			}
		case IAPTagAck, IAPTagReconnectAck:
			// confirmations of what we sent: nothing to resend in a probe
		case IAPTagConnectSID:
			return 0, &IAPProtocolError{Msg: "a second CONNECT_SUCCESS_SID"}
		default:
			// gcloud discards unknown tags
		}
	}
	n := copy(p, t.pending)
	t.pending = t.pending[n:]
	return n, nil
}

func (t *IAPTunnel) sendAck(ctx context.Context) error {
	var b [10]byte
	binary.BigEndian.PutUint16(b[:], IAPTagAck)
	binary.BigEndian.PutUint64(b[2:], t.received)
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if err := t.ws.Write(ctx, websocket.MessageBinary, b[:]); err != nil {
		return err
	}
	t.acked = t.received
	return nil
}

// WriteContext sends bytes to the VM's port in DATA frames.
func (t *IAPTunnel) WriteContext(ctx context.Context, p []byte) (int, error) {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	sent := 0
	for len(p) > 0 {
		n := min(len(p), IAPMaxDataFrame)
		frame := make([]byte, 6+n)
		binary.BigEndian.PutUint16(frame, IAPTagData)
		binary.BigEndian.PutUint32(frame[2:], uint32(n))
		copy(frame[6:], p[:n])
		if err := t.ws.Write(ctx, websocket.MessageBinary, frame); err != nil {
			return sent, err
		}
		sent += n
		p = p[n:]
	}
	return sent, nil
}

// Close ends the tunnel.
func (t *IAPTunnel) Close() error {
	return t.ws.Close(websocket.StatusNormalClosure, "")
}

// CloseNow drops the connection without the closing handshake.
func (t *IAPTunnel) CloseNow() error { return t.ws.CloseNow() }

// CustomCAFile is gcloud's core/custom_ca_certs_file: the variable
// CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE, else the active configuration.
func CustomCAFile(getenv func(string) string, home string) string {
	if v := strings.TrimSpace(getenv("CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE")); v != "" {
		return v
	}
	return activeConfigProperty(getenv, home, "core/custom_ca_certs_file")
}

// maxCABytes caps a CA bundle (the system bundle is about 200 KB).
const maxCABytes = 4 << 20

// TLSConfigWithCA trusts the PEM certificates in file instead of the
// system roots, as gcloud does with a custom CA file ("" → nil: system).
func TLSConfigWithCA(file string) (*tls.Config, error) {
	if file == "" {
		return nil, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCABytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxCABytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", file, maxCABytes)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s: no PEM certificate in it", file)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
