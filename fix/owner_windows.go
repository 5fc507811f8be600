//go:build windows

package fix

import (
	"errors"
	"io/fs"
)

// Windows files have ACLs, not a numeric owner: nothing to record.
func owner(fs.FileInfo) (int, int) { return -1, -1 }

func lchown(string, int, int) error { return nil }

func hup(int) error { return errors.New("no sshd signals on Windows") }

func term(int) error { return errors.New("no sshd signals on Windows") }
