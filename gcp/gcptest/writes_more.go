package gcptest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The further writes a --fix makes, in the shapes gcloud sends them
// (captured from gcloud 528 pointed at a recording server through
// CLOUDSDK_API_ENDPOINT_OVERRIDES_*; see SOURCES.md):
//
//	POST compute/v1/projects/P/setCommonInstanceMetadata {"fingerprint": "…", "items": [{"key": …, "value": …}]}
//	POST oslogin/v1/users/ACCOUNT:importSshPublicKey?projectId=P {"key": "ssh-ed25519 AAAA… comment\n"}
//	DELETE oslogin/v1/users/ACCOUNT/sshPublicKeys/FINGERPRINT
//
// Bodies are decoded strictly: a field the API does not define, a missing
// fingerprint or a key that does not parse is a 400, as from the API.

// metadataBody is the Metadata resource a metadata write sends.
type metadataBody struct {
	Kind        string `json:"kind,omitempty"`
	Fingerprint string `json:"fingerprint"`
	Items       []struct {
		Key   string  `json:"key"`
		Value *string `json:"value"`
	} `json:"items"`
}

// sshPublicKeyBody is the SshPublicKey resource importSshPublicKey takes.
type sshPublicKeyBody struct {
	Key                string `json:"key"`
	ExpirationTimeUsec string `json:"expirationTimeUsec,omitempty"`
}

func strictDecode(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// writeMore applies a project metadata write or an OS Login key import or
// delete; it reports whether the request was one of them.
func (s *Server) writeMore(r *http.Request, write func(int, any)) bool {
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodPost && len(seg) == 5 && seg[0] == "compute" && seg[1] == "v1" && seg[2] == "projects" &&
		seg[4] == "setCommonInstanceMetadata":
		if seg[3] != Project {
			write(404, NotFound("projects/"+seg[3]).Body)
			return true
		}
		var body metadataBody
		if err := strictDecode(r, &body); err != nil {
			write(400, errorBody(400, "Invalid JSON payload received. "+err.Error(), "badRequest"))
			return true
		}
		old, _ := s.ProjectDoc["commonInstanceMetadata"].(JSON)
		if fp, _ := old["fingerprint"].(string); fp != body.Fingerprint {
			write(412, errorBody(412, "Supplied fingerprint does not match current metadata fingerprint.", "conditionNotMet"))
			return true
		}
		items := []any{}
		for _, it := range body.Items {
			m := JSON{"key": it.Key}
			if it.Value != nil {
				m["value"] = *it.Value
			}
			items = append(items, m)
		}
		s.ProjectDoc["commonInstanceMetadata"] = JSON{"kind": "compute#metadata", "items": items,
			"fingerprint": base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("pfp-%d", len(s.writes)+1)))}
		s.writes = append(s.writes, "projects.setCommonInstanceMetadata "+seg[3])
		write(200, JSON{"kind": "compute#operation", "name": "operation-project-metadata", "status": "DONE"})
		return true
	case len(seg) >= 4 && seg[0] == "oslogin" && seg[1] == "v1" && seg[2] == "users":
	default:
		return false
	}
	keys, _ := s.LoginProfile["sshPublicKeys"].(JSON)
	switch {
	case r.Method == http.MethodPost && len(seg) == 4 && strings.HasSuffix(seg[3], ":importSshPublicKey"):
		if s.LoginProfile == nil || strings.TrimSuffix(seg[3], ":importSshPublicKey") != Account {
			write(403, errorBody(403, "The caller does not have permission", "forbidden"))
			return true
		}
		if r.URL.Query().Get("projectId") == "" {
			write(400, errorBody(400, "projectId is required", "badRequest"))
			return true
		}
		var body sshPublicKeyBody
		if err := strictDecode(r, &body); err != nil {
			write(400, errorBody(400, "Invalid JSON payload received. "+err.Error(), "badRequest"))
			return true
		}
		f := strings.Fields(body.Key)
		blob, err := base64.StdEncoding.DecodeString(fieldAt(f, 1))
		if len(f) < 2 || err != nil || len(blob) < 8 {
			write(400, errorBody(400, "Invalid key format.", "badRequest"))
			return true
		}
		// The stand-in names a key by the hex SHA-256 of its blob; sshdoctor
		// never computes it, it reads it from the answer.
		sum := sha256.Sum256(blob)
		fp := hex.EncodeToString(sum[:])
		if keys == nil {
			keys = JSON{}
			s.LoginProfile["sshPublicKeys"] = keys
		}
		k := JSON{"key": body.Key, "fingerprint": fp, "name": "users/" + Account + "/sshPublicKeys/" + fp}
		if body.ExpirationTimeUsec != "" {
			k["expirationTimeUsec"] = body.ExpirationTimeUsec
		}
		keys[fp] = k
		s.writes = append(s.writes, "users.importSshPublicKey "+fp)
		write(200, JSON{"loginProfile": s.LoginProfile})
	case r.Method == http.MethodDelete && len(seg) == 6 && seg[3] == Account && seg[4] == "sshPublicKeys":
		if _, ok := keys[seg[5]]; !ok {
			write(404, errorBody(404, "Requested entity was not found.", "notFound"))
			return true
		}
		delete(keys, seg[5])
		s.writes = append(s.writes, "users.sshPublicKeys.delete "+seg[5])
		write(200, JSON{})
	default:
		return false
	}
	return true
}

func fieldAt(f []string, i int) string {
	if i < len(f) {
		return f[i]
	}
	return ""
}

// OSLoginKeys lists the key lines of the OS Login profile.
func (s *Server) OSLoginKeys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys, _ := s.LoginProfile["sshPublicKeys"].(JSON)
	var out []string
	for _, k := range keys {
		out = append(out, k.(JSON)["key"].(string))
	}
	return out
}

// ProjectMetadata returns a project metadata value ("", false if unset).
func (s *Server) ProjectMetadata(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	md, _ := s.ProjectDoc["commonInstanceMetadata"].(JSON)
	items, _ := md["items"].([]any)
	for _, it := range items {
		if m := it.(JSON); m["key"] == key {
			v, _ := m["value"].(string)
			return v, true
		}
	}
	return "", false
}
