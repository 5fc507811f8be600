package gcptest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The IAP TCP-forwarding relay, as gcloud's client speaks to it
// (googlecloudsdk/api_lib/compute/iap_tunnel_websocket*.py): a TLS
// WebSocket at /v4/connect with subprotocol relay.tunnel.cloudproxy.app,
// binary frames tagged CONNECT_SUCCESS_SID (1), RECONNECT_SUCCESS_ACK (2),
// DATA (4) and ACK (7), and refusals as close codes (4003, 4033, 4047).
const (
	relaySubprotocol = "relay.tunnel.cloudproxy.app"
	tagConnectSID    = 0x0001
	tagReconnectAck  = 0x0002
	tagData          = 0x0004
	tagAck           = 0x0007
	maxDataFrame     = 16384
	// relayIdle ends a relayed connection nobody uses (tests only).
	relayIdle = 30 * time.Second
)

// Relay is the stand-in for tunnel.cloudproxy.app.
type Relay struct {
	// URL is the wss:// base to pass as --iap-tunnel-url-override.
	URL string
	// CAFile is the PEM certificate to trust (CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE).
	CAFile string
	api    *Server
	srv    *httptest.Server

	mu sync.Mutex
	// Backend dials the VM's port (the relay reaches the VM's internal
	// address); nil refuses every connection (4003).
	Backend func(ctx context.Context, port int) (net.Conn, error)
	// Close, when non-zero, closes every tunnel with this code and reason
	// before connecting.
	Close       int
	CloseReason string
	// HTTPStatus, when non-zero, refuses the handshake with it.
	HTTPStatus int
	requests   []string
	sessions   map[string]*relaySession
}

type relaySession struct {
	backend  net.Conn
	received uint64 // bytes the relay received from the client
}

// StartRelay starts the relay on ln (nil: a loopback port), serving the
// API stand-in's world: its token, its instances, its "iap" permissions.
func (s *Server) StartRelay(t testing.TB, ln net.Listener) *Relay {
	t.Helper()
	r := &Relay{api: s, sessions: map[string]*relaySession{}}
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	if ln != nil {
		r.srv.Listener.Close()
		r.srv.Listener = ln
	}
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)
	r.URL = "wss://" + r.srv.Listener.Addr().String()
	r.CAFile = filepath.Join(s.dir, "relay-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.srv.Certificate().Raw})
	if err := os.WriteFile(r.CAFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

// Set changes the relay's behaviour while it serves.
func (r *Relay) Set(f func(r *Relay)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r)
}

// Requests are the paths and queries the relay was asked for.
func (r *Relay) Requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...)
}

func (r *Relay) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests = append(r.requests, req.URL.Path+"?"+req.URL.RawQuery)
	status, closeCode, closeReason, backend := r.HTTPStatus, r.Close, r.CloseReason, r.Backend
	r.mu.Unlock()
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if req.Header.Get("Authorization") != "Bearer "+Token {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	offered := false
	for _, p := range strings.Split(req.Header.Get("Sec-WebSocket-Protocol"), ",") {
		offered = offered || strings.TrimSpace(p) == relaySubprotocol
	}
	if !offered {
		http.Error(w, "subprotocol "+relaySubprotocol+" required", http.StatusBadRequest)
		return
	}
	reconnect := strings.HasSuffix(req.URL.Path, "/reconnect")
	if !reconnect && !strings.HasSuffix(req.URL.Path, "/connect") {
		http.NotFound(w, req)
		return
	}
	ws, err := websocket.Accept(w, req, &websocket.AcceptOptions{
		Subprotocols: []string{relaySubprotocol},
		// the client's Origin is "bot:iap-tunneler", never this host
		InsecureSkipVerify: true,
	})
	if err != nil {
		return
	}
	ws.SetReadLimit(maxDataFrame + 64)
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	q := req.URL.Query()
	if closeCode != 0 {
		ws.Close(websocket.StatusCode(closeCode), closeReason)
		return
	}
	var sess *relaySession
	var sid string
	if reconnect {
		r.mu.Lock()
		sid = q.Get("sid")
		sess = r.sessions[sid]
		r.mu.Unlock()
		if sess == nil {
			ws.Close(4010, "invalid sid") // unknown to gcloud: ends the session
			return
		}
		ack := make([]byte, 10)
		binary.BigEndian.PutUint16(ack, tagReconnectAck)
		binary.BigEndian.PutUint64(ack[2:], sess.received)
		if ws.Write(ctx, websocket.MessageBinary, ack) != nil {
			return
		}
	} else {
		port, err := strconv.Atoi(q.Get("port"))
		if code, reason := r.authorize(q, err == nil && port > 0 && port < 65536); code != 0 {
			ws.Close(websocket.StatusCode(code), reason)
			return
		}
		if backend == nil {
			ws.Close(4003, "failed to connect to backend")
			return
		}
		dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
		conn, err := backend(dctx, port)
		dcancel()
		if err != nil {
			ws.Close(4003, "failed to connect to backend")
			return
		}
		defer conn.Close()
		var b [8]byte
		rand.Read(b[:])
		sid = hex.EncodeToString(b[:])
		sess = &relaySession{backend: conn}
		r.mu.Lock()
		r.sessions[sid] = sess
		r.mu.Unlock()
		msg := make([]byte, 6+len(sid))
		binary.BigEndian.PutUint16(msg, tagConnectSID)
		binary.BigEndian.PutUint32(msg[2:], uint32(len(sid)))
		copy(msg[6:], sid)
		if ws.Write(ctx, websocket.MessageBinary, msg) != nil {
			return
		}
	}
	r.pump(ctx, cancel, ws, sess)
}

// authorize answers as IAP does before it connects: the instance must
// exist in the project and zone, and the caller must hold
// iap.tunnelInstances.accessViaIAP.
func (r *Relay) authorize(q map[string][]string, portOK bool) (int, string) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	s := r.api
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	if get("project") == Project && portOK && get("interface") != "" {
		for _, in := range s.Instances {
			if in["name"] == get("instance") && strings.HasSuffix(in["zone"].(string), "/zones/"+get("zone")) {
				found = true
			}
		}
	}
	if !found {
		return 4047, "Failed to lookup instance"
	}
	if !s.Granted["iap"]["iap.tunnelInstances.accessViaIAP"] {
		return 4033, "not authorized"
	}
	return 0, ""
}

// pump copies between the WebSocket and the backend until either ends.
func (r *Relay) pump(ctx context.Context, cancel context.CancelFunc, ws *websocket.Conn, sess *relaySession) {
	conn := sess.backend
	done := make(chan struct{})
	go func() { // backend → client
		defer close(done)
		defer cancel()
		buf := make([]byte, maxDataFrame)
		for {
			_ = conn.SetReadDeadline(time.Now().Add(relayIdle)) // a failure shows as the Read's error
			n, err := conn.Read(buf)
			if n > 0 {
				frame := make([]byte, 6+n)
				binary.BigEndian.PutUint16(frame, tagData)
				binary.BigEndian.PutUint32(frame[2:], uint32(n))
				copy(frame[6:], buf[:n])
				if ws.Write(ctx, websocket.MessageBinary, frame) != nil {
					return
				}
			}
			if err != nil {
				ws.Close(websocket.StatusNormalClosure, "")
				return
			}
		}
	}()
	for { // client → backend
		typ, msg, err := ws.Read(ctx)
		if err != nil || typ != websocket.MessageBinary || len(msg) < 2 {
			break
		}
		switch binary.BigEndian.Uint16(msg) {
		case tagData:
			if len(msg) < 6 {
				ws.Close(websocket.StatusProtocolError, "short frame")
				return
			}
			n := binary.BigEndian.Uint32(msg[2:])
			if int(n) != len(msg)-6 || n > maxDataFrame {
				ws.Close(websocket.StatusProtocolError, "bad length")
				return
			}
			if _, err := conn.Write(msg[6:]); err != nil {
				ws.Close(websocket.StatusNormalClosure, "")
				return
			}
			r.mu.Lock()
			sess.received += uint64(n)
			ack := make([]byte, 10)
			binary.BigEndian.PutUint16(ack, tagAck)
			binary.BigEndian.PutUint64(ack[2:], sess.received)
			r.mu.Unlock()
			if ws.Write(ctx, websocket.MessageBinary, ack) != nil {
				return
			}
		case tagAck:
			// the client confirms what it received
		}
	}
	conn.Close()
	<-done
}
