package hive

import (
	"strings"
	"unicode/utf8"

	"github.com/hivescan/hivescan/internal/wintext"
)

// decodeName decodes a key or value name: Latin-1 when compressed is set
// (the KEY_COMP_NAME / VALUE_COMP_NAME flag), UTF-16LE otherwise.
func decodeName(b []byte, compressed bool) string {
	if compressed {
		return latin1(b)
	}
	return utf16le(b)
}

func latin1(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// utf16le decodes UTF-16LE; a trailing odd byte is dropped, unpaired
// surrogates become U+FFFD.
func utf16le(b []byte) string { return wintext.UTF16(b) }

// foldEqual compares names as Windows does: case-insensitively.
func foldEqual(a, b string) bool {
	if len(a) == len(b) {
		i := 0
		for ; i < len(a); i++ {
			ca, cb := a[i], b[i]
			if ca >= utf8.RuneSelf || cb >= utf8.RuneSelf {
				break
			}
			if ca == cb {
				continue
			}
			if 'A' <= ca && ca <= 'Z' {
				ca += 'a' - 'A'
			}
			if 'A' <= cb && cb <= 'Z' {
				cb += 'a' - 'A'
			}
			if ca != cb {
				return false
			}
		}
		if i == len(a) {
			return true
		}
	}
	return strings.EqualFold(a, b)
}

func isASCIIBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
