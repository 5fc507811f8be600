package inputfile

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
	"unicode/utf16"
)

func utf16le(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = append(b, 0xff, 0xfe)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16be(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = append(b, 0xfe, 0xff)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

// What PowerShell's `>` writes (UTF-16LE with a BOM), and the other forms,
// read as UTF-8; UTF-8 and binary are left alone.
func TestDecode(t *testing.T) {
	text := "debug1: Connecting to host [198.18.0.2] port 22.\r\nPermission denied (publickey). 日本語 😀\r\n"
	cases := map[string][]byte{
		"utf16le+bom": utf16le(text, true),
		"utf16be+bom": utf16be(text, true),
		"utf16le":     utf16le(text, false),
		"utf16be":     utf16be(text, false),
		"utf8+bom":    append([]byte{0xef, 0xbb, 0xbf}, text...),
		"utf8":        []byte(text),
	}
	for name, in := range cases {
		if got := string(DecodeBytes(in)); got != text {
			t.Errorf("%s: DecodeBytes = %q", name, got)
		}
		got, err := io.ReadAll(Decode(iotest.OneByteReader(bytes.NewReader(in))))
		if err != nil || string(got) != text {
			t.Errorf("%s: Decode = %q, %v", name, got, err)
		}
	}
	bin := []byte{0, 1, 2, 3, 0, 0, 0xff, 0x10, 0, 0x20, 0x30}
	if got := DecodeBytes(bin); !bytes.Equal(got, bin) {
		t.Errorf("binary changed: %q", got)
	}
}
