package fix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// BackupRoot is where backups live inside the user's home.
const BackupRoot = ".ssh/sshdoctor-backups"

// stampLayout names a backup directory (UTC, sortable, no colons so it is
// a valid file name on Windows too).
const stampLayout = "20060102T150405Z"

// Change is one recorded change, enough to reverse it.
type Change struct {
	Step int    `json:"step"`
	Kind string `json:"kind"` // "file", "meta" (mode and owner) or "command"
	Path string `json:"path,omitempty"`
	// Existed says the file was there before; Saved is the copy of its
	// previous content (a file in the backup directory for the user's
	// files, beside the file for system files).
	Existed bool   `json:"existed,omitempty"`
	Saved   string `json:"saved,omitempty"`
	Mode    uint32 `json:"mode,omitempty"`
	UID     int    `json:"uid"`
	GID     int    `json:"gid"`
	// Command and Undo are the argv run and the argv that reverses it.
	Command []string `json:"command,omitempty"`
	// Reload is the sshd main config to reload after the file is put
	// back (set once the change was reloaded into sshd).
	Reload string   `json:"reload,omitempty"`
	Undo   []string `json:"undo,omitempty"`
	// Tolerant: a failing undo command is not an error (it removes what
	// a partial apply may not have made).
	Tolerant bool `json:"tolerant,omitempty"`
}

// Manifest is the backup directory's record (manifest.json).
type Manifest struct {
	SchemaVersion int      `json:"schema_version"`
	Created       string   `json:"created"`
	Command       string   `json:"command"`
	Changes       []Change `json:"changes"`
	Undone        string   `json:"undone,omitempty"`
	Steps         []*Step  `json:"steps,omitempty"`
}

// Backup is one apply's backup directory.
type Backup struct {
	Dir      string
	ID       string
	Manifest Manifest
	home     string
	stamp    string
}

// NewBackup creates home/.ssh/sshdoctor-backups/<time>/ (mode 0700).
func NewBackup(home string, now time.Time, command string) (*Backup, error) {
	if home == "" {
		return nil, errors.New("no home directory for backups")
	}
	stamp := now.UTC().Format(stampLayout)
	root := filepath.Join(home, filepath.FromSlash(BackupRoot))
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	id := stamp
	dir := filepath.Join(root, id)
	for i := 2; ; i++ {
		err := os.Mkdir(dir, 0o700)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || i > 100 {
			return nil, err
		}
		id = stamp + "-" + strconv.Itoa(i)
		dir = filepath.Join(root, id)
	}
	b := &Backup{Dir: dir, ID: id, home: home, stamp: id,
		Manifest: Manifest{SchemaVersion: 1, Created: now.UTC().Format(time.RFC3339), Command: command, Changes: []Change{}}}
	return b, b.save()
}

func (b *Backup) save() error {
	data, err := json.MarshalIndent(b.Manifest, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(b.Dir, "manifest.json.tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(b.Dir, "manifest.json"))
}

// saveFile records path's current state (content, mode, owner) before it
// changes. The copy goes into the backup directory for a file under the
// user's home, beside the file (path.sshdoctor-<time>) for a system file.
func (b *Backup) saveFile(step int, path string) error {
	c := Change{Step: step, Kind: "file", Path: path, UID: -1, GID: -1}
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	default:
		c.Existed = true
		c.Mode = uint32(st.Mode().Perm())
		c.UID, c.GID = owner(st)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if underHome(b.home, path) {
			c.Saved = filepath.Join(b.Dir, fmt.Sprintf("%02d-%s", len(b.Manifest.Changes)+1, filepath.Base(path)))
		} else {
			c.Saved = path + ".sshdoctor-" + b.stamp
		}
		if err := os.WriteFile(c.Saved, data, 0o600); err != nil {
			return err
		}
	}
	b.Manifest.Changes = append(b.Manifest.Changes, c)
	return b.save()
}

// saveMeta records a file's mode and owner before they change.
func (b *Backup) saveMeta(step int, path string, st fs.FileInfo) error {
	c := Change{Step: step, Kind: "meta", Path: path, Existed: true, Mode: uint32(st.Mode().Perm())}
	c.UID, c.GID = owner(st)
	b.Manifest.Changes = append(b.Manifest.Changes, c)
	return b.save()
}

// markReload records that step's change of path was reloaded into sshd.
func (b *Backup) markReload(step int, path, main string) error {
	for i := len(b.Manifest.Changes) - 1; i >= 0; i-- {
		if c := &b.Manifest.Changes[i]; c.Step == step && c.Kind == "file" && c.Path == path {
			c.Reload = main
			return b.save()
		}
	}
	return nil
}

// saveDir records a directory sshdoctor creates.
func (b *Backup) saveDir(step int, path string) error {
	b.Manifest.Changes = append(b.Manifest.Changes, Change{Step: step, Kind: "dir", Path: path, UID: -1, GID: -1})
	return b.save()
}

func (b *Backup) saveCommand(step int, argv, undo []string) error {
	b.Manifest.Changes = append(b.Manifest.Changes, Change{Step: step, Kind: "command", Command: argv, Undo: undo, UID: -1, GID: -1})
	return b.save()
}

// restore reverses one change.
func restore(ctx context.Context, e *Env, c Change) error {
	switch c.Kind {
	case "file":
		if !c.Existed {
			err := os.Remove(c.Path)
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		data, err := os.ReadFile(c.Saved)
		if err != nil {
			return fmt.Errorf("backup of %s: %w", c.Path, err)
		}
		if err := writeFileKeep(c.Path, data, fs.FileMode(c.Mode)); err != nil {
			return err
		}
		if err := os.Chmod(c.Path, fs.FileMode(c.Mode)); err != nil {
			return err
		}
		if c.UID >= 0 {
			if err := lchown(c.Path, c.UID, c.GID); err != nil {
				return err
			}
		}
		if c.Reload != "" {
			return ReloadSSHD(ctx, e, c.Reload)
		}
		return nil
	case "dir":
		// Only an empty directory sshdoctor created goes away.
		err := os.Remove(c.Path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	case "sshd_started":
		return StopSSHD(ctx, e, c.Path)
	case "gcp":
		return restoreGCP(ctx, e, c)
	case "nft":
		return nftRestore(ctx, e, c)
	case "hmp":
		return hmpRestore(ctx, c.Path, c.Undo)
	case "meta":
		if c.UID >= 0 {
			if err := lchown(c.Path, c.UID, c.GID); err != nil {
				return err
			}
		}
		return os.Chmod(c.Path, fs.FileMode(c.Mode))
	case "command":
		if len(c.Undo) == 0 {
			return nil
		}
		_, err := e.Run(ctx, c.Undo)
		if c.Tolerant {
			return nil
		}
		return err
	}
	return fmt.Errorf("unknown change kind %q", c.Kind)
}

// rollbackFrom reverses the changes recorded from index mark on, newest
// first, and forgets them.
func (b *Backup) rollbackFrom(ctx context.Context, e *Env, mark int) error {
	var errs []string
	for i := len(b.Manifest.Changes) - 1; i >= mark; i-- {
		if err := restore(ctx, e, b.Manifest.Changes[i]); err != nil {
			errs = append(errs, err.Error())
		}
	}
	b.Manifest.Changes = b.Manifest.Changes[:mark]
	if err := b.save(); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// ResolveBackup finds a backup directory from a path or an ID (the
// directory's name under ~/.ssh/sshdoctor-backups).
func ResolveBackup(home, ref string) (string, error) {
	if ref == "" {
		return "", errors.New("empty backup reference")
	}
	if !strings.ContainsAny(ref, `/\`) {
		ref = filepath.Join(home, filepath.FromSlash(BackupRoot), ref)
	}
	if _, err := os.Stat(filepath.Join(ref, "manifest.json")); err != nil {
		return "", fmt.Errorf("%s is not an sshdoctor backup (no manifest.json)", ref)
	}
	return ref, nil
}

// Undo reverses every change recorded in the backup directory, newest
// first, and marks the manifest undone. A backup already undone is refused.
func Undo(ctx context.Context, e *Env, dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if len(data) > 1<<20 {
		return nil, errors.New("manifest.json is larger than 1 MiB")
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if m.Undone != "" {
		return &m, fmt.Errorf("already undone at %s", m.Undone)
	}
	var errs []string
	for i := len(m.Changes) - 1; i >= 0; i-- {
		if err := restore(ctx, e, m.Changes[i]); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return &m, errors.New(strings.Join(errs, "; "))
	}
	m.Undone = time.Now().UTC().Format(time.RFC3339)
	b := &Backup{Dir: dir, Manifest: m}
	return &m, b.save()
}

// writeFileKeep replaces path's content atomically (a temporary file
// beside it, renamed over it) keeping mode perm.
func writeFileKeep(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".sshdoctor-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(name, perm)
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		_ = os.Remove(name) // the half-written file; the write error is what counts
	}
	return werr
}
