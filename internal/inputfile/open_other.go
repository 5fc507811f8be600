//go:build !unix

package inputfile

import "os"

// openNoBlock refuses what is not a regular file before opening it (named
// pipes on Windows are not in the file system's namespace of paths a
// person types, so Stat is enough).
func openNoBlock(name string) (*os.File, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() && !isDevNull(st) {
		return nil, &NotRegularError{Name: name, Kind: kind(st.Mode())}
	}
	return os.Open(name)
}
