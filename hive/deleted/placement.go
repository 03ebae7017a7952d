package deleted

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// liveIndex is what placement needs to know about the live hive.
type liveIndex struct {
	keys   map[uint32]string // key cell -> path
	slack  map[uint32]string // value cell named in a live list's slack -> key path
	values map[uint32]string // live value cell -> key path
	// room is, per key path, how many slots of its value list name no
	// value that survives: the key once held more values than it names.
	room map[string]int
	// paths is every live key's path in walk order, vals every live value;
	// the indexes over them are built when first asked (a hive with
	// nothing to place never needs them), letter case ignored.
	paths   []string
	vals    []liveValue
	byPath  *foldIndex[string]   // paths by lower-case path (hasKey)
	byPlace *foldIndex[placeKey] // vals by key path and name (place)
	// byName holds per foldHash of a name the first of vals with that
	// name, nextName the next (-1 ends the chain); namedOther by lower-case
	// name the values whose name's hash another name's chain holds (a
	// collision). Built by named.
	byName     map[uint64]int32
	nextName   []int32
	namedOther map[string][]int32
}

// place finds the live value at path named name, letter case ignored: the
// last such value of the walk.
func (ix *liveIndex) place(path, name string) (*hive.Value, bool) {
	if ix.byPlace == nil {
		ix.byPlace = &foldIndex[placeKey]{first: make(map[uint64]int32, len(ix.vals))}
		var path, trimmed string // vals come key by key
		var ph uint64
		for i, lv := range ix.vals {
			if i == 0 || lv.path != path {
				path, trimmed = lv.path, strings.Trim(lv.path, `\`)
				ph = placeSeed(path)
			}
			n := lv.v.Name()
			h := foldHash(ph, n)
			if j, taken := ix.byPlace.first[h]; taken && !ix.atPlace(j, trimmed, n) {
				if ix.byPlace.other == nil {
					ix.byPlace.other = map[placeKey]int32{}
				}
				ix.byPlace.other[placeID(trimmed, n)] = int32(i)
				continue
			}
			ix.byPlace.first[h] = int32(i) // a later value of the place replaces an earlier one
		}
	}
	trimmed := strings.Trim(path, `\`)
	if j, ok := ix.byPlace.first[placeHash(path, name)]; ok && ix.atPlace(j, trimmed, name) {
		return ix.vals[j].v, true
	}
	if len(ix.byPlace.other) == 0 {
		return nil, false
	}
	j, ok := ix.byPlace.other[placeID(trimmed, name)]
	if !ok {
		return nil, false
	}
	return ix.vals[j].v, true
}

// atPlace reports whether vals[j] is at trimmed (a key path without its
// outer `\`) and named name, letter case ignored.
func (ix *liveIndex) atPlace(j int32, trimmed, name string) bool {
	o := ix.vals[j]
	return sameFold(o.v.Name(), name) && sameFold(strings.Trim(o.path, `\`), trimmed)
}

// named calls fn with each live value named name (letter case ignored), in
// walk order, until fn returns false.
func (ix *liveIndex) named(name string, fn func(liveValue) bool) {
	if ix.byName == nil && ix.vals != nil {
		// A chain holds the values of one name, linked through nextName
		// in walk order (built from the last value back); a value whose
		// name's hash the chain of another name holds goes to namedOther.
		ix.byName = make(map[uint64]int32, len(ix.vals))
		ix.nextName = make([]int32, len(ix.vals))
		var other []int32 // reversed
		for i := len(ix.vals) - 1; i >= 0; i-- {
			n := ix.vals[i].v.Name()
			h := foldHash(foldSeed, n)
			next, taken := ix.byName[h]
			if taken && !sameFold(ix.vals[next].v.Name(), n) {
				other = append(other, int32(i))
				continue
			}
			if !taken {
				next = -1
			}
			ix.nextName[i], ix.byName[h] = next, int32(i)
		}
		for i := len(other) - 1; i >= 0; i-- {
			if ix.namedOther == nil {
				ix.namedOther = map[string][]int32{}
			}
			l := strings.ToLower(ix.vals[other[i]].v.Name())
			ix.namedOther[l] = append(ix.namedOther[l], other[i])
		}
	}
	if i, ok := ix.byName[foldHash(foldSeed, name)]; ok && sameFold(ix.vals[i].v.Name(), name) {
		for ; i >= 0; i = ix.nextName[i] {
			if !fn(ix.vals[i]) {
				return
			}
		}
		return
	}
	for _, i := range ix.namedOther[strings.ToLower(name)] {
		if !fn(ix.vals[i]) {
			return
		}
	}
}

// hasKey reports whether a live key has path p (with its leading `\`),
// letter case ignored. Each view of a hive and its log search ask.
func (ix *liveIndex) hasKey(p string) bool {
	if ix.byPath == nil {
		ix.byPath = &foldIndex[string]{first: make(map[uint64]int32, len(ix.paths))}
		for i, q := range ix.paths {
			h := foldHash(foldSeed, q)
			if j, taken := ix.byPath.first[h]; taken && !sameFold(ix.paths[j], q) {
				if ix.byPath.other == nil {
					ix.byPath.other = map[string]int32{}
				}
				ix.byPath.other[strings.ToLower(q)] = int32(i)
				continue
			}
			ix.byPath.first[h] = int32(i)
		}
	}
	if j, ok := ix.byPath.first[foldHash(foldSeed, p)]; ok && sameFold(ix.paths[j], p) {
		return true
	}
	if len(ix.byPath.other) == 0 {
		return false
	}
	_, ok := ix.byPath.other[strings.ToLower(p)]
	return ok
}

type liveValue struct {
	path string
	v    *hive.Value
}

// indexLive walks h once.
func indexLive(ctx context.Context, h *hive.Hive) (*liveIndex, error) {
	// Sized for the density of real hives (2-3 thousand keys and 4-6
	// thousand values per MB of cells), so that the maps rarely grow.
	nk, nv := len(h.Bytes())/512, len(h.Bytes())/256
	ix := &liveIndex{keys: make(map[uint32]string, nk), slack: map[uint32]string{}, values: make(map[uint32]string, nv),
		room: map[string]int{}, paths: make([]string, 0, nk), vals: make([]liveValue, 0, nv)}
	var live, all []uint32 // per key, reused: its values' cells, sorted; those and its slack's
	err := h.Walk(ctx, `\`, func(k *hive.Key, err error) error {
		if err != nil {
			return nil // damaged lists are reported by the live scan
		}
		p := k.Path()
		ix.keys[k.Offset()] = p
		ix.paths = append(ix.paths, p)
		vals, _ := k.Values() // a damaged value is left out; the live scan reports it
		live = live[:0]
		for _, v := range vals {
			live = append(live, v.Offset())
			ix.values[v.Offset()] = p
			ix.vals = append(ix.vals, liveValue{p, v})
		}
		offs, err := k.ValueListSlack()
		if err != nil {
			return nil // no readable list: nothing to learn from it
		}
		slices.Sort(live)
		for _, o := range offs {
			if _, named := slices.BinarySearch(live, o); named {
				continue
			}
			if _, seen := ix.slack[o]; !seen {
				ix.slack[o] = p
			}
		}
		// Windows moves later entries up when it removes one, so the last
		// used slot repeats an offset: the used slots are the most values
		// the key held at once, and each distinct offset one that can be
		// named. The difference is values no slot names any more.
		all = append(append(all[:0], live...), offs...)
		slices.Sort(all)
		if used, distinct := k.NumValues()+len(offs), len(slices.Compact(all)); used > distinct {
			ix.room[p] = used - distinct
		}
		return nil
	})
	return ix, err
}

// duplicate reports whether v equals a live value: the same name, type and
// data in its key (owner, when known), or, when its key is unknown, in any
// live key (an older copy Windows freed when it rewrote the value). For a
// partial string the surviving part must end the live data.
func (ix *liveIndex) duplicate(v *Value, owner string, known bool) bool {
	if v.Data == nil {
		return false
	}
	if known && ix.vals != nil {
		lv, ok := ix.place(owner, v.Name)
		if !ok || uint32(lv.Type()) != v.Type {
			return false
		}
		d, err := lv.Bytes()
		return err == nil && (bytes.Equal(d, v.Data) || v.Confidence == Partial && len(v.Data) > 0 && bytes.HasSuffix(d, v.Data))
	}
	dup := false
	ix.named(v.Name, func(lv liveValue) bool {
		if known && !strings.EqualFold(lv.path, owner) || uint32(lv.v.Type()) != v.Type {
			return true
		}
		d, err := lv.v.Bytes()
		if err != nil {
			return true
		}
		dup = bytes.Equal(d, v.Data) || v.Confidence == Partial && len(v.Data) > 0 && bytes.HasSuffix(d, v.Data)
		return !dup
	})
	return dup
}

// anchor is a cell whose key is known.
type anchor struct {
	off   uint32
	owner string // key path the cell belongs to
	what  string // "value \"x\"", "value list", "key cell"
	key   string // for key cells: the key's own path
}

// Place ties values that no value list names to their key, from the traces
// the hive keeps, and records the placement and its evidence on the value:
//   - a freed value list (Records.ValueLists) that names the value beside
//     values of one known key: certain;
//   - the hive bin neighbourhood: the cells next to the value's belong to
//     one key (its values or key cell, or a subkey's key cell),
//     or one side does and that key's value list has slots naming no
//     surviving value (the key's old value count): likely.
//
// Values already tied to a key (through a deleted key's list or a live
// list's slack) are left as they are.
func Place(rec *Records, ix *liveIndex) {
	keyPath := map[uint32]string{}
	for _, k := range rec.Keys {
		if k.ParentKnown && k.Name != "" && !strings.ContainsRune(k.Name, '\\') {
			keyPath[k.Offset] = joinPath(k.ParentPath, k.Name)
		}
	}
	owner := func(v *Value) (string, bool) {
		if p, ok := keyPath[v.Key]; ok && v.Key != 0 {
			return p, true
		}
		if p, ok := ix.slack[v.Offset]; ok {
			return p, true
		}
		return v.KeyPath, v.KeyPath != ""
	}
	at := map[uint32]int{}
	for i := range rec.Values {
		at[rec.Values[i].Offset] = i
	}
	// Freed value lists.
	for _, l := range rec.ValueLists {
		owners := map[string]int{}
		var first string
		for _, off := range l.Values {
			p, ok := ix.values[off]
			if !ok {
				if i, d := at[off]; d {
					p, ok = owner(&rec.Values[i])
				}
			}
			if ok {
				if len(owners) == 0 {
					first = p
				}
				owners[strings.ToLower(p)]++
			}
		}
		if len(owners) != 1 {
			continue
		}
		for _, off := range l.Values {
			i, ok := at[off]
			if !ok {
				continue
			}
			v := &rec.Values[i]
			if _, known := owner(v); known {
				continue
			}
			v.KeyPath, v.Placement = first, PlacedCertain
			v.Evidence = append(v.Evidence, fmt.Sprintf("a freed value list at %#x names it beside %d value(s) of this key", l.Cell, owners[strings.ToLower(first)]))
		}
	}
	// Hive bin neighbourhood, when some value still has no key.
	pending := 0
	for i := range rec.Values {
		if _, known := owner(&rec.Values[i]); !known {
			pending++
		}
	}
	if pending == 0 {
		return
	}
	// The cells nearest each pending value, before and after it: every
	// anchor is offered to the pending value it precedes or equals and to
	// the one before that, then the nearest carry over to pending values
	// with no anchor between them (no sort of the anchors).
	var offs []uint32
	for i := range rec.Values {
		if _, known := owner(&rec.Values[i]); !known {
			offs = append(offs, rec.Values[i].Offset)
		}
	}
	slices.Sort(offs)
	offs = slices.Compact(offs)
	prevs := make([]anchor, len(offs)) // last anchor at or before offs[j] (what "" for none)
	nexts := make([]anchor, len(offs)) // first anchor after offs[j]
	offer := func(a anchor) {
		j, _ := slices.BinarySearch(offs, a.off) // first pending at or after a
		if j < len(offs) && (prevs[j].what == "" || a.off > prevs[j].off) {
			prevs[j] = a
		}
		if j > 0 && (nexts[j-1].what == "" || a.off < nexts[j-1].off) {
			nexts[j-1] = a
		}
	}
	for off, p := range ix.values {
		offer(anchor{off: off, owner: p, what: "a value"})
	}
	for off, p := range ix.keys {
		offer(anchor{off: off, owner: p, what: "the key cell", key: p})
	}
	for off, p := range keyPath {
		offer(anchor{off: off, owner: p, what: "the deleted key cell", key: p})
	}
	for i := range rec.Values {
		if p, ok := owner(&rec.Values[i]); ok {
			offer(anchor{off: rec.Values[i].Offset, owner: p, what: "a deleted value"})
		}
	}
	for j := 1; j < len(offs); j++ {
		if prevs[j].what == "" {
			prevs[j] = prevs[j-1]
		}
	}
	for j := len(offs) - 2; j >= 0; j-- {
		if nexts[j].what == "" {
			nexts[j] = nexts[j+1]
		}
	}
	room := map[string]int{}
	for p, n := range ix.room {
		room[strings.ToLower(p)] = n
	}
	for i := range rec.Values {
		v := &rec.Values[i]
		if _, known := owner(v); known {
			continue
		}
		bin := binOf(rec.Bins, v.Offset)
		j, _ := slices.BinarySearch(offs, v.Offset)
		var prev, next *anchor
		if prevs[j].what != "" && binOf(rec.Bins, prevs[j].off) == bin {
			prev = &prevs[j]
		}
		if nexts[j].what != "" && binOf(rec.Bins, nexts[j].off) == bin {
			next = &nexts[j]
		}
		cand, ev := neighbourhood(prev, next)
		if cand == "" {
			continue
		}
		if r := room[strings.ToLower(cand)]; r > 0 {
			room[strings.ToLower(cand)] = r - 1
			ev = append(ev, fmt.Sprintf("the key's value list has %d slot(s) naming no surviving value: it once held more values than it names", r))
		}
		if len(ev) < 2 {
			continue // one side alone is not enough
		}
		v.KeyPath, v.Placement = cand, PlacedLikely
		v.Evidence = append(v.Evidence, ev...)
	}
}

// neighbourhood names the key the cells around a value belong to: the
// key of the cell before it (its value or key cell), agreed
// on by the cell after it (the same key, or a subkey's key cell), or the
// key of either side alone.
func neighbourhood(prev, next *anchor) (string, []string) {
	if prev == nil && next == nil {
		return "", nil
	}
	if prev == nil {
		return next.owner, []string{fmt.Sprintf("the cell after it (at %#x) is %s of this key", next.off, next.what)}
	}
	ev := []string{fmt.Sprintf("the cell before it (at %#x) is %s of this key", prev.off, prev.what)}
	if next == nil {
		return prev.owner, ev
	}
	switch {
	case strings.EqualFold(next.owner, prev.owner) && next.key == "":
		ev = append(ev, fmt.Sprintf("the cell after it (at %#x) is %s of the same key", next.off, next.what))
	case next.key != "" && strings.EqualFold(parentOf(next.key), prev.owner):
		ev = append(ev, fmt.Sprintf("the cell after it (at %#x) is the key cell of its subkey %s", next.off, path.Base(strings.ReplaceAll(next.key, `\`, "/"))))
	case !strings.EqualFold(next.owner, prev.owner):
		return "", nil // between two keys' cells: no telling
	}
	return prev.owner, ev
}

func parentOf(p string) string {
	i := strings.LastIndex(p, `\`)
	if i <= 0 {
		return `\`
	}
	return p[:i]
}

// binOf returns the index of the hive bin holding off.
func binOf(bins []uint32, off uint32) int {
	return sort.Search(len(bins), func(i int) bool { return bins[i] > off }) - 1
}
