// Package inputfile opens the files a person names on the command line
// (a config, a key, a log, a VM's settings) so that no name can hang or
// balloon sshdoctor: only regular files are read (a named pipe with no
// writer would block forever, a device never ends), and text written as
// UTF-16 (PowerShell's `>`) is decoded to UTF-8.
package inputfile

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"os"
	"unicode/utf16"
	"unicode/utf8"
)

// NotRegularError says a name is not a regular file.
type NotRegularError struct {
	Name string
	Kind string // KindDirectory, KindNamedPipe, KindDevice, KindOther
}

// What a name that is not a regular file is.
const (
	KindDirectory = "a directory"
	KindNamedPipe = "a named pipe"
	KindDevice    = "a device"
	KindOther     = "a special file"
)

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Name, e.Kind)
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return KindDirectory
	case m&fs.ModeNamedPipe != 0:
		return KindNamedPipe
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return KindDevice
	}
	return KindOther
}

// isDevNull reports whether st is the null device, which reads as an
// empty file (ssh -F /dev/null is the usual way to say "no config").
func isDevNull(st fs.FileInfo) bool {
	n, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(st, n)
}

// Open opens name for reading only when it is a regular file (symbolic
// links are followed). The open itself cannot block: on Unix it is
// non-blocking, so a named pipe with no writer is refused at once.
func Open(name string) (*os.File, error) {
	f, err := openNoBlock(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() && !isDevNull(st) {
		f.Close()
		return nil, &NotRegularError{Name: name, Kind: kind(st.Mode())}
	}
	return f, nil
}

// Check reports whether name can be opened as a regular file, for names
// that another program (ssh, sshd) reads.
func Check(name string) error {
	f, err := Open(name)
	if err != nil {
		return err
	}
	return f.Close()
}

// ReadFile reads at most max bytes of the regular file name, decoded to
// UTF-8; truncated says there was more.
func ReadFile(name string, max int64) (data []byte, truncated bool, err error) {
	f, err := Open(name)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(b)) > max {
		b, truncated = b[:max], true
	}
	return DecodeBytes(b), truncated, nil
}

// Encoding names what Decode found.
type Encoding string

const (
	UTF8    Encoding = "UTF-8"
	UTF16LE Encoding = "UTF-16LE"
	UTF16BE Encoding = "UTF-16BE"
)

// Sniff tells the encoding of text from its first bytes: a byte order
// mark, or (without one) the NUL bytes every other byte of ASCII written
// as UTF-16 has. It returns the encoding and how many BOM bytes to skip.
func Sniff(head []byte) (Encoding, int) {
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		return UTF8, 3
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return UTF16LE, 2
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return UTF16BE, 2
	}
	// No BOM: ASCII text in UTF-16 has a NUL in every second byte. Ask
	// for most of a few dozen characters so that binary is not mistaken.
	n := len(head) &^ 1
	if n > 256 {
		n = 256
	}
	if n < 8 {
		return UTF8, 0
	}
	var evenNUL, oddNUL int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			evenNUL++
		}
		if head[i+1] == 0 {
			oddNUL++
		}
	}
	pairs := n / 2
	switch {
	case oddNUL*10 >= pairs*7 && evenNUL*10 <= pairs:
		return UTF16LE, 0
	case evenNUL*10 >= pairs*7 && oddNUL*10 <= pairs:
		return UTF16BE, 0
	}
	return UTF8, 0
}

// DecodeBytes returns b as UTF-8: UTF-16 (with or without a byte order
// mark) is decoded and a UTF-8 byte order mark dropped; anything else is
// returned as it is.
func DecodeBytes(b []byte) []byte {
	enc, skip := Sniff(b)
	if enc == UTF8 {
		return b[skip:]
	}
	var out bytes.Buffer
	w := &utf16Writer{out: &out, be: enc == UTF16BE}
	_, _ = w.Write(b[skip:]) // into a bytes.Buffer: cannot fail
	w.flush()
	return out.Bytes()
}

// Decode returns a reader of r's text as UTF-8, decoding UTF-16 as
// DecodeBytes does. It decides on its first Read, reading ahead a little,
// so that making it never blocks (r may be a terminal or a pipe).
func Decode(r io.Reader) io.Reader {
	return &lazyDecoder{src: r}
}

type lazyDecoder struct {
	src io.Reader
	r   io.Reader
}

func (d *lazyDecoder) Read(p []byte) (int, error) {
	if d.r == nil {
		br := bufio.NewReaderSize(d.src, 4096)
		head, _ := br.Peek(256)
		enc, skip := Sniff(head)
		_, _ = br.Discard(skip) // skip ≤ len(head): already buffered
		d.r = br
		if enc != UTF8 {
			d.r = &utf16Reader{src: br, be: enc == UTF16BE}
		}
	}
	return d.r.Read(p)
}

type utf16Reader struct {
	src     io.Reader
	be      bool
	in      [4096]byte
	odd     []byte // a byte of a code unit carried to the next read
	pending []byte // decoded, not yet returned
	high    rune   // a high surrogate waiting for its low half
	err     error
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.pending) == 0 {
		if u.err != nil {
			if u.high != 0 {
				u.pending = utf8.AppendRune(nil, utf8.RuneError)
				u.high = 0
				break
			}
			return 0, u.err
		}
		n := copy(u.in[:], u.odd)
		m, err := u.src.Read(u.in[n:])
		n += m
		u.err = err
		even := n &^ 1
		u.odd = append(u.odd[:0], u.in[even:n]...)
		u.pending = u.decode(u.in[:even], u.pending[:0])
	}
	n := copy(p, u.pending)
	u.pending = u.pending[n:]
	return n, nil
}

func (u *utf16Reader) decode(b []byte, out []byte) []byte {
	for i := 0; i+1 < len(b); i += 2 {
		var c uint16
		if u.be {
			c = binary.BigEndian.Uint16(b[i:])
		} else {
			c = binary.LittleEndian.Uint16(b[i:])
		}
		r := rune(c)
		switch {
		case u.high != 0 && utf16.IsSurrogate(r) && r >= 0xdc00:
			out = utf8.AppendRune(out, utf16.DecodeRune(u.high, r))
			u.high = 0
			continue
		case u.high != 0:
			out = utf8.AppendRune(out, utf8.RuneError)
			u.high = 0
		}
		if r >= 0xd800 && r < 0xdc00 {
			u.high = r
			continue
		}
		if utf16.IsSurrogate(r) {
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// utf16Writer decodes what is written to it into out (for DecodeBytes).
type utf16Writer struct {
	out *bytes.Buffer
	be  bool
	r   utf16Reader
}

func (w *utf16Writer) Write(b []byte) (int, error) {
	w.r.be = w.be
	even := len(b) &^ 1
	w.out.Write(w.r.decode(b[:even], nil))
	if even < len(b) {
		w.out.WriteRune(utf8.RuneError)
	}
	return len(b), nil
}

func (w *utf16Writer) flush() {
	if w.r.high != 0 {
		w.out.WriteRune(utf8.RuneError)
	}
}
