package fix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"time"
)

// op is one primitive change; do records the previous state in the
// backup before it changes anything.
type op interface {
	do(ctx context.Context, e *Env) error
}

// writeOp replaces (or creates) a file. old is the content the plan was
// made from: if the file changed since, nothing is written.
type writeOp struct {
	step    int
	path    string
	old     []byte
	oldMiss bool // the plan saw no file
	data    []byte
	perm    fs.FileMode // for a new file
	uid     int         // owner for a new file, -1 to leave
	gid     int
}

func (o *writeOp) do(ctx context.Context, e *Env) error {
	cur, err := os.ReadFile(o.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !o.oldMiss {
			return fmt.Errorf("%s disappeared since the plan was made", o.path)
		}
	case err != nil:
		return err
	case o.oldMiss || !bytes.Equal(cur, o.old):
		return fmt.Errorf("%s changed since the plan was made; run sshdoctor again", o.path)
	}
	if err := e.Backup.saveFile(o.step, o.path); err != nil {
		return err
	}
	perm, uid, gid := o.perm, o.uid, o.gid
	if st, err := os.Stat(o.path); err == nil {
		perm = st.Mode().Perm()
		uid, gid = owner(st)
	}
	if err := writeFileKeep(o.path, o.data, perm); err != nil {
		return err
	}
	if uid >= 0 && os.Getuid() == 0 {
		return lchown(o.path, uid, gid)
	}
	return nil
}

// modeOp sets a file's permission bits and, when uid >= 0, its owner.
type modeOp struct {
	step     int
	path     string
	mode     fs.FileMode
	uid, gid int
}

func (o *modeOp) do(ctx context.Context, e *Env) error {
	st, err := os.Lstat(o.path)
	if err != nil {
		return err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link; not changed", o.path)
	}
	if err := e.Backup.saveMeta(o.step, o.path, st); err != nil {
		return err
	}
	if o.uid >= 0 {
		if err := lchown(o.path, o.uid, o.gid); err != nil {
			return err
		}
	}
	return os.Chmod(o.path, o.mode)
}

// mkdirOp creates a directory (0700, owned by uid:gid) when missing.
type mkdirOp struct {
	step     int
	path     string
	uid, gid int
}

func (o *mkdirOp) do(ctx context.Context, e *Env) error {
	if _, err := os.Stat(o.path); err == nil {
		return nil
	}
	if err := e.Backup.saveDir(o.step, o.path); err != nil {
		return err
	}
	if err := os.Mkdir(o.path, 0o700); err != nil {
		return err
	}
	if o.uid >= 0 && os.Getuid() == 0 {
		return lchown(o.path, o.uid, o.gid)
	}
	return nil
}

// runOp runs a command whose effect undo reverses.
type runOp struct {
	step int
	argv []string
	undo []string
}

func (o *runOp) do(ctx context.Context, e *Env) error {
	if err := e.Backup.saveCommand(o.step, o.argv, o.undo); err != nil {
		return err
	}
	if _, err := e.Run(ctx, o.argv); err != nil {
		// Nothing happened: forget the record so rollback does not undo it.
		e.Backup.Manifest.Changes = e.Backup.Manifest.Changes[:len(e.Backup.Manifest.Changes)-1]
		_ = e.Backup.save()
		return err
	}
	return nil
}

// commandTimeout bounds every program a fix runs (sshd -t, systemctl,
// iptables, ssh-keyscan): each is local and quick when healthy.
const commandTimeout = 20 * time.Second

// outputCap bounds what is kept of a command's output.
const outputCap = 64 << 10

// RunCommand runs argv with commandTimeout and returns its combined
// output (capped); a non-zero exit is an error quoting the output.
func RunCommand(ctx context.Context, argv []string) (string, error) {
	if len(argv) == 0 {
		return "", errors.New("empty command")
	}
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.WaitDelay = time.Second
	var out capBuf
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	s := strings.TrimSpace(out.String())
	if err != nil {
		if s != "" {
			return s, fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, firstLines(s, 3))
		}
		return s, fmt.Errorf("%s: %v", strings.Join(argv, " "), err)
	}
	return s, nil
}

type capBuf struct{ bytes.Buffer }

func (c *capBuf) Write(p []byte) (int, error) {
	if room := outputCap - c.Len(); room > 0 {
		if len(p) > room {
			c.Buffer.Write(p[:room])
		} else {
			c.Buffer.Write(p)
		}
	}
	return len(p), nil
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, " / ")
}
