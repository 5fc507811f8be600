package gcp

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// SetProjectMetadata sets the project's common instance metadata to
// change(its current metadata), with the fingerprint read just before
// (projects.setCommonInstanceMetadata rejects a stale one, so a
// concurrent change fails instead of being lost), and returns the
// metadata it had.
func (c *Client) SetProjectMetadata(ctx context.Context, project string, change func(old Metadata) Metadata) (Metadata, error) {
	p, err := c.Project(ctx, project)
	if err != nil {
		return Metadata{}, err
	}
	old := p.CommonInstanceMetadata
	old.Items = append([]MetadataItem{}, old.Items...)
	next := change(Metadata{Fingerprint: old.Fingerprint, Items: append([]MetadataItem{}, old.Items...)})
	next.Fingerprint = old.Fingerprint
	if next.Items == nil {
		next.Items = []MetadataItem{}
	}
	var op Operation
	err = c.do(ctx, call{api: apiCompute, method: "projects.setCommonInstanceMetadata", resource: "projects/" + project,
		permission: "compute.projects.setCommonInstanceMetadata", httpMethod: http.MethodPost,
		url: c.compute("projects/" + esc(project) + "/setCommonInstanceMetadata"), body: next}, &op)
	if err != nil {
		return old, err
	}
	return old, c.wait(ctx, apiCompute, "projects.setCommonInstanceMetadata", &op)
}

// importKeyBody is users.importSshPublicKey's body as gcloud sends it:
// the key line only (no expiry: the key stays until deleted).
type importKeyBody struct {
	Key string `json:"key"`
}

// ImportSSHPublicKey adds the public key line to the OS Login profile of
// account (the caller's own) and returns the fingerprint OS Login gave
// it, which users.sshPublicKeys.delete takes. A key already in the
// profile is not imported again: existed is true and nothing changed.
func (c *Client) ImportSSHPublicKey(ctx context.Context, account, project, keyLine string) (fingerprint string, existed bool, err error) {
	want, err := ParsePublicKey(keyLine)
	if err != nil {
		return "", false, err
	}
	find := func(lp *LoginProfile) string {
		for fp, k := range lp.SSHPublicKeys {
			if pk, err := ParsePublicKey(k.Key); err == nil && pk.Same(want) {
				if k.Fingerprint != "" {
					return k.Fingerprint
				}
				return fp
			}
		}
		return ""
	}
	lp, err := c.LoginProfile(ctx, account, project)
	if err != nil {
		return "", false, err
	}
	if fp := find(lp); fp != "" {
		return fp, true, nil
	}
	var out struct {
		LoginProfile LoginProfile `json:"loginProfile"`
	}
	q := url.Values{"projectId": {project}}
	err = c.do(ctx, call{api: apiOSLogin, method: "users.importSshPublicKey", resource: "users/" + account,
		httpMethod: http.MethodPost, body: importKeyBody{Key: keyLine + "\n"},
		url: c.Endpoints.OSLogin + "v1/users/" + esc(account) + ":importSshPublicKey?" + q.Encode()}, &out)
	if err != nil {
		return "", false, err
	}
	if fp := find(&out.LoginProfile); fp != "" {
		return fp, false, nil
	}
	return "", false, errors.New("users.importSshPublicKey: the answer's login profile does not hold the key")
}

// DeleteSSHPublicKey removes one key, by the fingerprint OS Login gave
// it, from account's login profile.
func (c *Client) DeleteSSHPublicKey(ctx context.Context, account, fingerprint string) error {
	return c.do(ctx, call{api: apiOSLogin, method: "users.sshPublicKeys.delete",
		resource: "users/" + account + "/sshPublicKeys/" + fingerprint, httpMethod: http.MethodDelete,
		url: c.Endpoints.OSLogin + "v1/users/" + esc(account) + "/sshPublicKeys/" + esc(fingerprint)}, nil)
}
