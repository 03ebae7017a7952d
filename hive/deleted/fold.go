package deleted

import (
	"strings"
	"unicode/utf8"

	"github.com/hivescan/hivescan/internal/wintext"
)

// Live paths and names are looked up letter case ignored, as
// strings.ToLower(a) == strings.ToLower(b) says. Indexing every live key
// and value by its lower-case form would build a string for nearly each of
// them; these helpers hash and compare the lower-case form in place, and
// build it only for a string that is not ASCII.

const (
	foldSeed  = 14695981039346656037 // FNV-1a 64's offset basis
	foldPrime = 1099511628211        // FNV-1a 64's prime (placeSeed's separator step)
	foldMul   = 0x9e3779b97f4a7c15   // odd, 2^64 over the golden ratio
	ones      = 0x0101010101010101
	highs     = 0x8080808080808080
)

// collideForTest makes every foldHash equal, so that tests can run the
// collision paths of the indexes on real hives.
var collideForTest bool

// foldHash continues h over the bytes of strings.ToLower(s), eight at a
// time: it is foldHashBytes(h, strings.ToLower(s)), lowering ASCII in
// place and building the lower-case string only when s is not ASCII.
func foldHash(h uint64, s string) uint64 {
	if collideForTest {
		return 0
	}
	h0, i := h, 0
	for ; i+8 <= len(s); i += 8 {
		x := load8(s[i:])
		if x&highs != 0 {
			return foldHashBytes(h0, strings.ToLower(s))
		}
		h = foldMix(h, lowerASCII(x))
	}
	x := loadTail(s[i:])
	if x&(highs>>8) != 0 { // the top byte holds the tail's length, below 'A'
		return foldHashBytes(h0, strings.ToLower(s))
	}
	return foldMix(h, lowerASCII(x))
}

// foldHashBytes continues h over the bytes of s as they are, eight at a
// time, the last chunk (of 0 to 7 bytes) with its length.
func foldHashBytes(h uint64, s string) uint64 {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		h = foldMix(h, load8(s[i:]))
	}
	return foldMix(h, loadTail(s[i:]))
}

func foldMix(h, x uint64) uint64 {
	h = (h ^ x) * foldMul
	return h ^ h>>29
}

// lowerASCII lowers the bytes 'A' to 'Z' of x, eight ASCII bytes (no high
// bit set): adding to a byte of at most 0x7f carries into no other.
func lowerASCII(x uint64) uint64 {
	ge := x + (0x80-'A')*ones   // high bit set in bytes >= 'A'
	gt := x + (0x80-'Z'-1)*ones // ... > 'Z'
	return x | (ge&^gt&highs)>>2
}

// load8 reads s[:8] little-endian.
func load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// loadTail reads s (at most 7 bytes) little-endian, its length in the top
// byte.
func loadTail(s string) uint64 {
	x := uint64(len(s)) << 56
	for i := 0; i < len(s); i++ {
		x |= uint64(s[i]) << (8 * i)
	}
	return x
}

// sameFold reports whether strings.ToLower(a) == strings.ToLower(b).
func sameFold(a, b string) bool {
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
	} else if wintext.ASCII(a) && wintext.ASCII(b) {
		return false
	}
	return strings.ToLower(a) == strings.ToLower(b)
}

// placeHash hashes a value's place: its key's path without the outer `\`
// and its name, letter case ignored (placeID).
func placeHash(path, name string) uint64 {
	return foldHash(placeSeed(path), name)
}

// placeSeed is the hash that placeHash continues over the names of the
// values at path.
func placeSeed(path string) uint64 {
	return (foldHash(foldSeed, strings.Trim(path, `\`)) ^ 0x100) * foldPrime
}

// foldIndex finds the entries of a list by a key of theirs, letter case
// ignored, without lower-casing ASCII strings: first holds per hash of the
// lower-case key the entry taken last, other the entries whose hash an
// entry of another key holds, by their lower-case key K (a 64-bit
// collision: in practice empty). Its users compare keys (sameFold) and
// choose between the two.
type foldIndex[K comparable] struct {
	first map[uint64]int32
	other map[K]int32
}

// placeKey is a value's place: its key's path without the outer `\` and its
// name, both lower-case.
type placeKey struct{ path, name string }

func placeID(path, name string) placeKey {
	return placeKey{strings.ToLower(strings.Trim(path, `\`)), strings.ToLower(name)}
}
