// Package wintext decodes the text and time encodings of Windows on-disk
// structures: UTF-16 strings and FILETIME timestamps. It is the one decoder
// of each for the whole module (hive, its image formats, analyzers and
// report).
//
// The UTF-16 decoders never fail: a trailing odd byte is dropped and an
// unpaired surrogate becomes U+FFFD, so the result is always valid UTF-8.
package wintext

import (
	"encoding/binary"
	"time"
	"unicode/utf16"
)

// UTF16 decodes b as UTF-16LE, all of it: NUL characters inside are kept.
func UTF16(b []byte) string { return decode(b, binary.LittleEndian, false) }

// UTF16Z decodes b as UTF-16LE up to its first NUL character (or all of b
// when there is none).
func UTF16Z(b []byte) string { return decode(b, binary.LittleEndian, true) }

// UTF16BEZ decodes b as UTF-16BE up to its first NUL character (or all of b
// when there is none).
func UTF16BEZ(b []byte) string { return decode(b, binary.BigEndian, true) }

// CutUTF16Z decodes the NUL-terminated UTF-16LE string at the start of b and
// returns it with the number of bytes it takes, terminator included (all of
// b, an odd trailing byte aside, when there is no terminator).
func CutUTF16Z(b []byte) (s string, n int) {
	end := len(b) &^ 1
	n = end
	for i := 0; i < end; i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			end, n = i, i+2
			break
		}
	}
	return UTF16(b[:end]), n
}

// Units returns the UTF-16LE code units of b; a trailing odd byte is
// dropped.
func Units(b []byte) []uint16 {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return u
}

// UnitsString decodes code units; unpaired surrogates become U+FFFD.
func UnitsString(u []uint16) string { return string(utf16.Decode(u)) }

func decode(b []byte, order binary.ByteOrder, stopAtNUL bool) string {
	n := len(b) / 2
	ascii := true
	for i := 0; i < n; i++ {
		c := order.Uint16(b[2*i:])
		if c == 0 && stopAtNUL {
			n = i
			break
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	if ascii {
		out := make([]byte, n)
		for i := range out {
			out[i] = byte(order.Uint16(b[2*i:]))
		}
		return string(out)
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = order.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// filetimeEpoch is 1970-01-01 as a FILETIME: 100 ns intervals since
// 1601-01-01.
const filetimeEpoch = 116444736000000000

// Filetime converts a Windows FILETIME (100 ns intervals since 1601-01-01
// UTC) to a UTC time.Time with its full 100 ns precision, before 1970 as
// after. Zero, which Windows writes for "no time", gives the zero Time.
// Every uint64 is representable (the largest is in the year 60056).
func Filetime(ft uint64) time.Time {
	if ft == 0 {
		return time.Time{}
	}
	if ft < filetimeEpoch {
		d := filetimeEpoch - ft
		return time.Unix(-int64(d/1e7), -int64(d%1e7)*100).UTC()
	}
	d := ft - filetimeEpoch
	return time.Unix(int64(d/1e7), int64(d%1e7)*100).UTC()
}

// ToFiletime converts t to a FILETIME, truncated to 100 ns. The zero Time
// and times before 1601 give 0.
func ToFiletime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	secs := t.Unix() + filetimeEpoch/1e7
	if secs < 0 {
		return 0
	}
	return uint64(secs)*1e7 + uint64(t.Nanosecond()/100)
}

// ASCII reports whether s is all ASCII: the case where hive names (stored
// Latin-1 or UTF-16) need no Unicode case mapping.
func ASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
