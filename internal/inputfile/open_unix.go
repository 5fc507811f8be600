//go:build unix

package inputfile

import (
	"os"
	"syscall"
)

// openNoBlock opens without waiting for a writer (a FIFO) or a carrier (a
// terminal device): Open decides from the descriptor what it is.
func openNoBlock(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
