package hive

import (
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/hivescan/hivescan/internal/wintext"
)

// Analyzers look up subkeys by name, mostly names a key does not have, and
// often many in the same large list (a SYSTEM's Services, a SOFTWARE's
// CLSID): read one entry after another, each lookup costs the whole list.
// A list looked up indexAfter times is indexed by the folded names of its
// readable entries; Subkey then answers from the index what the reading
// would have answered, whatever the order of the list on disk.

// indexAfter is the number of lookups a list takes before it is indexed,
// and indexFrom the fewest subkeys for which that pays.
const (
	indexAfter = 3
	indexFrom  = 16
)

// subkeyIndex is one subkey list's index.
type subkeyIndex struct {
	uses  atomic.Int32
	once  sync.Once
	first map[string]uint32 // folded name -> the first entry of the list with it
	err   error             // what reading the list reported (a damaged list)
}

// subkeyIndexOf returns the index of the subkey list at off and whether it
// is to be used: built at once when the list has been looked up indexAfter
// times before.
func (h *Hive) subkeyIndexOf(off uint32) (*subkeyIndex, bool) {
	v, ok := h.subkeyIndexes.Load(off)
	if !ok {
		v, _ = h.subkeyIndexes.LoadOrStore(off, new(subkeyIndex))
	}
	ix := v.(*subkeyIndex)
	if ix.uses.Add(1) <= indexAfter {
		return ix, false
	}
	ix.once.Do(func() {
		offs, err := h.subkeyOffsets(off)
		ix.err = err
		ix.first = make(map[string]uint32, len(offs))
		for _, o := range offs {
			name, ok := h.nameAt(o)
			if !ok {
				continue // nameIs never matches it
			}
			f := foldKey(name)
			if _, taken := ix.first[f]; !taken {
				ix.first[f] = o
			}
		}
	})
	return ix, true
}

// foldKey maps a name to a key that two names share exactly when
// foldEqual says they are equal: each rune replaced by the least rune of
// its simple case-folding orbit (the equivalence strings.EqualFold tests),
// which for ASCII is its upper case (k and s included: the Kelvin sign and
// the long s fold with them, and are greater).
func foldKey(s string) string {
	b := make([]byte, 0, len(s))
	if wintext.ASCII(s) {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
		}
		return string(b)
	}
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b = utf8.AppendRune(b, least)
	}
	return string(b)
}
