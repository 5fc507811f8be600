package gcp

import (
	"encoding/binary"
	"testing"
)

// FuzzLengthPrefixed: the relay's length-prefixed fields (CONNECT_SUCCESS_SID
// and DATA) never index past the frame, whatever the length says.
func FuzzLengthPrefixed(f *testing.F) {
	frame := binary.BigEndian.AppendUint32(nil, 5)
	f.Add(append(frame, "hello"...))
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		data, rest, err := lengthPrefixed(b, IAPMaxDataFrame)
		if err != nil {
			return
		}
		if len(data) > IAPMaxDataFrame || 4+len(data)+len(rest) != len(b) {
			t.Fatalf("data %d rest %d of %d", len(data), len(rest), len(b))
		}
	})
}
