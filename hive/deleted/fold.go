package deleted

import (
	"strings"
	"unicode/utf8"
)

// Live paths and names are looked up letter case ignored, as
// strings.ToLower(a) == strings.ToLower(b) says. Indexing every live key
// and value by its lower-case form would build a string for nearly each of
// them; these helpers hash and compare the lower-case form in place, and
// build it only for a string that is not ASCII.

const (
	foldSeed  = 14695981039346656037 // FNV-1a 64
	foldPrime = 1099511628211
)

// collideForTest makes every foldHash equal, so that tests can run the
// collision paths of the indexes on real hives.
var collideForTest bool

// foldHash continues h over the bytes of strings.ToLower(s).
func foldHash(h uint64, s string) uint64 {
	if collideForTest {
		return 0
	}
	h0 := h
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return foldHashBytes(h0, strings.ToLower(s))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * foldPrime
	}
	return h
}

func foldHashBytes(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * foldPrime
	}
	return h
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
	} else if isASCII(a) && isASCII(b) {
		return false
	}
	return strings.ToLower(a) == strings.ToLower(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// placeHash hashes a value's place: its key's path without the outer `\`
// and its name, letter case ignored (placeID).
func placeHash(path, name string) uint64 {
	return foldHash((foldHash(foldSeed, strings.Trim(path, `\`))^0x100)*foldPrime, name)
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
