package hivewrite

import (
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/hivescan/hivescan/internal/wintext"
)

// encodeName returns a key or value name as stored in a cell: Latin-1 bytes
// (compressed is true) when every character is below U+0100, else UTF-16LE.
func encodeName(s string) (b []byte, compressed bool) {
	if wintext.ASCII(s) {
		return []byte(s), true
	}
	rs := []rune(s)
	for _, r := range rs {
		if r > 0xFF {
			return utf16le(s), false
		}
	}
	b = make([]byte, len(rs))
	for i, r := range rs {
		b[i] = byte(r)
	}
	return b, true
}

// upperUnits returns s as upper-cased UTF-16 code units, the form Windows
// compares and hashes key names in.
func upperUnits(s string) []uint16 {
	u := utf16.Encode([]rune(s))
	for i, c := range u {
		u[i] = upcase(c)
	}
	return u
}

func upcase(c uint16) uint16 {
	if c < 'a' || utf16.IsSurrogate(rune(c)) {
		return c
	}
	if r := unicode.ToUpper(rune(c)); r <= 0xFFFF {
		return uint16(r)
	}
	return c
}

// compareUnits orders upper-cased names by character codes, as subkey lists
// must be sorted.
func compareUnits(a, b []uint16) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// nameHash is the lh element hash: h = 37*h + c over the upper-cased UTF-16
// code units.
func nameHash(s string) uint32 {
	var h uint32
	for _, c := range upperUnits(s) {
		h = 37*h + uint32(c)
	}
	return h
}

// nameHint is the lf element hint: the first four characters as Latin-1
// bytes, NUL-padded; all NUL when one of them is beyond U+00FF.
func nameHint(s string) [4]byte {
	var h [4]byte
	for i, c := range utf16.Encode([]rune(s)) {
		if i == 4 {
			break
		}
		if c > 0xFF {
			return [4]byte{}
		}
		h[i] = byte(c)
	}
	return h
}

// utf16Len is the length in bytes of s as UTF-16LE: the unit of the nk
// "largest name" fields.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // -1 never: range yields U+FFFD for bad bytes
	}
	return 2 * n
}

// upperKey is upperUnits(s) as a string, the key the builder's maps use
// for a name or path. Most names are ASCII and take the short way.
func upperKey(s string) string {
	if wintext.ASCII(s) {
		return strings.ToUpper(s) // upcase maps a-z alone, as ToUpper does
	}
	return wintext.UnitsString(upperUnits(s))
}
