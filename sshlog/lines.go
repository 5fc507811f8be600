package sshlog

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"time"
)

// DefaultMaxLineBytes caps one line: sshd's longest messages (an offer
// list, a 900-byte "Remote:" line) are far below it; anything longer is cut
// and the rest of that line skipped, so memory stays constant.
const DefaultMaxLineBytes = 64 << 10

// lineReader reads lines of at most max bytes from r in constant memory.
// Lines are returned without their line ending; a longer line is cut (and
// counted in long).
type lineReader struct {
	br   *bufio.Reader
	max  int
	n    int // line number of the last line returned
	long int
	buf  []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	return &lineReader{br: bufio.NewReaderSize(r, max), max: max}
}

// next returns the next line; the slice is valid until the next call.
func (lr *lineReader) next() ([]byte, error) {
	b, err := lr.br.ReadSlice('\n')
	if err == nil || (err == io.EOF && len(b) > 0) {
		lr.n++
		return trimEOL(b), nil
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		lr.buf = append(lr.buf[:0], b...)
		lr.long++
		for {
			_, err = lr.br.ReadSlice('\n')
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		lr.n++
		return lr.buf, nil
	}
	return nil, err
}

// binaryField reads the value of a journal export binary field (after a
// line holding only its name): a little-endian 64-bit size, the data, and a
// newline. Data beyond the line cap is skipped.
func (lr *lineReader) binaryField() ([]byte, error) {
	var sz [8]byte
	if _, err := io.ReadFull(lr.br, sz[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(sz[:])
	keep := n
	if keep > uint64(lr.max) {
		keep = uint64(lr.max)
	}
	lr.buf = lr.buf[:0]
	for uint64(len(lr.buf)) < keep {
		chunk := int(keep) - len(lr.buf)
		if chunk > 4096 {
			chunk = 4096
		}
		start := len(lr.buf)
		lr.buf = append(lr.buf, make([]byte, chunk)...)
		if _, err := io.ReadFull(lr.br, lr.buf[start:]); err != nil {
			return nil, err
		}
	}
	if _, err := lr.br.Discard(int(n - keep)); err != nil {
		return nil, err
	}
	if c, err := lr.br.ReadByte(); err == nil && c != '\n' {
		_ = lr.br.UnreadByte()
	}
	return lr.buf, nil
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// journalEntry holds the journal fields a classification needs. Values are
// copies (export entries span several lines).
type journalEntry struct {
	message, ident, comm, host []byte
	pid                        int
	usec                       int64
	line                       int // line of the MESSAGE field
	fields                     int
}

func (j *journalEntry) reset() {
	j.message, j.ident, j.comm, j.host = j.message[:0], j.ident[:0], j.comm[:0], j.host[:0]
	j.pid, j.usec, j.line, j.fields = 0, 0, 0, 0
}

// setField records one KEY=value of a journal entry.
func (j *journalEntry) setField(key, val []byte, line int) {
	j.fields++
	switch string(key) {
	case "MESSAGE":
		j.message = append(j.message[:0], val...)
		j.line = line
	case "SYSLOG_IDENTIFIER":
		j.ident = append(j.ident[:0], val...)
	case "_COMM":
		j.comm = append(j.comm[:0], val...)
	case "_HOSTNAME":
		j.host = append(j.host[:0], val...)
	case "_PID", "SYSLOG_PID":
		if n, ok := digits(val); ok && (j.pid == 0 || string(key) == "SYSLOG_PID") {
			j.pid = n
		}
	case "__REALTIME_TIMESTAMP":
		if n, err := strconv.ParseInt(string(val), 10, 64); err == nil {
			j.usec = n
		}
	}
}

func (j *journalEntry) header() header {
	h := header{present: true, host: j.host, pid: j.pid, ident: j.ident}
	if len(h.ident) == 0 {
		h.ident = j.comm
	}
	if j.usec > 0 {
		h.time = time.UnixMicro(j.usec)
	}
	return h
}

// isExportField reports whether line looks like "KEY=value" of the journal
// export format (upper-case field names, possibly with leading "_").
func isExportField(line []byte) (key, val []byte, ok bool) {
	eq := bytes.IndexByte(line, '=')
	if eq <= 0 {
		return nil, nil, false
	}
	if !isFieldName(line[:eq]) {
		return nil, nil, false
	}
	return line[:eq], line[eq+1:], true
}

func isFieldName(b []byte) bool {
	if len(b) == 0 || len(b) > 64 {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// parseJournalJSON reads one `journalctl -o json` line.
func parseJournalJSON(b []byte) (*journalEntry, bool) {
	if !bytes.Contains(b, []byte(`"MESSAGE"`)) {
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, false
	}
	j := &journalEntry{}
	for k, v := range m {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			// Binary values are arrays of byte values.
			var arr []int
			if json.Unmarshal(v, &arr) != nil {
				continue
			}
			bs := make([]byte, 0, len(arr))
			for _, x := range arr {
				bs = append(bs, byte(x))
			}
			s = string(bs)
		}
		j.setField([]byte(k), []byte(s), 0)
	}
	return j, len(j.message) > 0
}

// classifyJournal classifies one journal entry as a server line.
func classifyJournal(j *journalEntry, line []byte, n int) (Event, bool) {
	h := j.header()
	r, preauth, ok := classifyWithHeader(h, j.message)
	if !ok {
		return Event{}, false
	}
	text := line
	if len(j.message) > 0 {
		text = j.message
	}
	return r.event(h, preauth, text, n), true
}
