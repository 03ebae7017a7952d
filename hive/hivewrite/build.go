package hivewrite

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// Limits Windows puts on names, in UTF-16 units.
const (
	maxKeyNameLen   = 255
	maxValueNameLen = 16383
	// bigDataSegment is the largest data segment of a db record, and the
	// size above which a value's data goes to big data (minor >= 4).
	bigDataSegment = 16344
)

const none = 0xFFFFFFFF // an offset that points nowhere

// Build lays out the tree under root as a hive file. It fails on a
// description Windows could not store: an empty or too long name, a `\` in a
// key name, two subkeys or two values of one key whose names differ only in
// case, an unknown SubkeyList, or Minor outside 3..6.
func Build(root *Key, opts Options) (*Hive, error) {
	if root == nil {
		return nil, errors.New("hivewrite: nil root key")
	}
	o := opts.withDefaults()
	if o.Minor < 3 || o.Minor > 6 {
		return nil, fmt.Errorf("hivewrite: minor version %d not in 3..6", o.Minor)
	}
	switch o.SubkeyList {
	case "lh", "lf", "li":
	default:
		return nil, fmt.Errorf("hivewrite: unknown subkey list kind %q", o.SubkeyList)
	}
	if o.RIThreshold > 0xFFFF {
		return nil, fmt.Errorf("hivewrite: RIThreshold %d exceeds a leaf's 65535 elements", o.RIThreshold)
	}
	b := &builder{opts: o, hive: &Hive{
		opts:    o,
		keys:    map[string]*keyCells{},
		deleted: map[string]*keyCells{},
	}}
	r := *root
	if r.Name == "" {
		r.Name = "ROOT"
	}
	rootCell, err := b.key(&r, "", -1, false)
	if err != nil {
		return nil, err
	}
	b.a.closeBin()
	put32(b.a.data, b.hive.security+16, uint32(b.liveKeys)) // reference count

	h := b.hive
	h.root = rootCell
	h.bins = b.a.bins
	h.Bytes = make([]byte, baseBlockSize+len(b.a.data))
	copy(h.Bytes[baseBlockSize:], b.a.data)
	put64(h.Bytes, baseBlockSize+20, filetime(o.LastWritten)) // first bin's timestamp
	writeBaseBlock(h.Bytes[:baseBlockSize], &o, rootCell, len(b.a.data))
	h.Fix()
	return h, nil
}

type builder struct {
	opts     Options
	a        allocator
	hive     *Hive
	liveKeys int
	// freed collects the cells allocated while writing a deleted subtree,
	// to be freed once it is complete; nil outside one.
	freed *[]int
}

func (b *builder) cell(payload int) int {
	off := b.a.alloc(payload)
	if b.freed != nil {
		*b.freed = append(*b.freed, off)
	}
	return off
}

func childPath(parent, name string) string { return parent + `\` + name }

// key writes k and its subtree and returns the offset of its nk cell. parent
// is the parent's nk offset, -1 for the root.
func (b *builder) key(k *Key, path string, parent int, deleted bool) (int, error) {
	display := path
	if display == "" {
		display = `\`
	}
	if err := checkName(k.Name, maxKeyNameLen); err != nil {
		return 0, fmt.Errorf("hivewrite: key %q: %w", display, err)
	}
	if strings.Contains(k.Name, `\`) {
		return 0, fmt.Errorf("hivewrite: key %q: name contains a backslash", display)
	}
	name, compressed := encodeName(k.Name)
	if len(name) > 0xFFFF {
		return 0, fmt.Errorf("hivewrite: key %q: name too long", display)
	}
	nk := b.cell(nkHeaderSize + len(name))
	kc := &keyCells{name: k.Name, nk: nk, subkeys: -1, values: -1, class: -1,
		vals: map[string]*valueCells{}, deletedVals: map[string]*valueCells{}}
	if parent >= 0 {
		kc.parent = upperKey(path[:strings.LastIndex(path, `\`)])
		kc.hasParent = true
	}
	if deleted {
		if _, dup := b.hive.deleted[upperKey(path)]; !dup {
			b.hive.deleted[upperKey(path)] = kc
		}
	} else {
		b.hive.keys[upperKey(path)] = kc
		b.liveKeys++
	}
	if parent < 0 {
		sd := defaultSecurityDescriptor()
		sk := b.cell(20 + len(sd))
		copy(b.a.data[sk+4:], "sk")
		put32(b.a.data, sk+8, uint32(sk))  // flink: a one-element circular list
		put32(b.a.data, sk+12, uint32(sk)) // blink
		put32(b.a.data, sk+20, uint32(len(sd)))
		copy(b.a.data[sk+24:], sd)
		b.hive.security = sk
	}

	f := nkFields{name: name, compressed: compressed, parent: parent, root: parent < 0,
		lastWrite: k.LastWrite, security: b.hive.security, subkeys: -1, values: -1, class: -1}
	if f.lastWrite.IsZero() {
		f.lastWrite = DefaultTime()
	}
	if k.Class != "" {
		cls := utf16le(k.Class)
		if len(cls) > 0xFFFF {
			return 0, fmt.Errorf("hivewrite: key %q: class too long", display)
		}
		f.class = b.cell(len(cls))
		copy(b.a.data[f.class+4:], cls)
		f.classLen = len(cls)
		kc.class = f.class
	}

	if err := b.values(k, display, kc, &f); err != nil {
		return 0, err
	}
	if err := b.subkeys(k, path, display, nk, deleted, kc, &f); err != nil {
		return 0, err
	}
	writeNK(b.a.data, nk, &f)
	return nk, nil
}

func checkName(name string, max int) error {
	if n := len(utf16.Encode([]rune(name))); n > max {
		return fmt.Errorf("name %.20q... is %d UTF-16 units, more than %d", name, n, max)
	}
	return nil
}

// values writes k's values, its value list and its deleted values.
func (b *builder) values(k *Key, display string, kc *keyCells, f *nkFields) error {
	seen := map[string]bool{}
	var list []int
	for _, v := range k.Values {
		if err := checkName(v.Name, maxValueNameLen); err != nil {
			return fmt.Errorf("hivewrite: key %q: value: %w", display, err)
		}
		u := upperKey(v.Name)
		if seen[u] {
			return fmt.Errorf("hivewrite: key %q: duplicate value %q", display, v.Name)
		}
		seen[u] = true
		vc := b.value(v)
		kc.vals[u] = vc
		list = append(list, vc.vk)
		f.maxValueName = max(f.maxValueName, utf16Len(v.Name))
		f.maxValueData = max(f.maxValueData, len(v.Data))
	}
	if len(list) > 0 {
		f.values = b.cell(4 * len(list))
		for i, vk := range list {
			put32(b.a.data, f.values+4+4*i, uint32(vk))
		}
		f.nValues = len(list)
		kc.values = f.values
	}
	for _, v := range k.DeletedValues {
		if err := checkName(v.Name, maxValueNameLen); err != nil {
			return fmt.Errorf("hivewrite: key %q: deleted value: %w", display, err)
		}
		vc := b.value(v)
		for _, c := range vc.cells() {
			free(b.a.data, c)
		}
		if _, dup := kc.deletedVals[upperKey(v.Name)]; !dup {
			kc.deletedVals[upperKey(v.Name)] = vc
		}
	}
	return nil
}

// subkeys writes k's subkeys sorted as Windows requires, their subkey list
// and k's deleted subkeys.
func (b *builder) subkeys(k *Key, path, display string, nk int, deleted bool, kc *keyCells, f *nkFields) error {
	type child struct {
		key   *Key
		upper []uint16
	}
	children := make([]child, 0, len(k.Subkeys))
	for _, s := range k.Subkeys {
		if s == nil {
			return fmt.Errorf("hivewrite: key %q: nil subkey", display)
		}
		if s.Name == "" {
			return fmt.Errorf("hivewrite: key %q: subkey with an empty name", display)
		}
		children = append(children, child{s, upperUnits(s.Name)})
	}
	slices.SortStableFunc(children, func(x, y child) int { return compareUnits(x.upper, y.upper) })
	var elems []leafElem
	for i, c := range children {
		if i > 0 && compareUnits(children[i-1].upper, c.upper) == 0 {
			return fmt.Errorf("hivewrite: key %q: duplicate subkey %q", display, c.key.Name)
		}
		off, err := b.key(c.key, childPath(path, c.key.Name), nk, deleted)
		if err != nil {
			return err
		}
		elems = append(elems, leafElem{off, c.key.Name})
		f.maxSubkeyName = max(f.maxSubkeyName, utf16Len(c.key.Name))
		f.maxSubkeyClass = max(f.maxSubkeyClass, utf16Len(c.key.Class))
	}
	if len(elems) > 0 {
		f.subkeys, kc.leaves = b.subkeyList(elems)
		f.nSubkeys = len(elems)
		kc.subkeys = f.subkeys
	}
	for _, d := range k.DeletedSubkeys {
		if d == nil || d.Name == "" {
			return fmt.Errorf("hivewrite: key %q: deleted subkey without a name", display)
		}
		var cells []int
		outer := b.freed
		if outer == nil {
			b.freed = &cells
		}
		_, err := b.key(d, childPath(path, d.Name), nk, true)
		b.freed = outer
		if err != nil {
			return err
		}
		for _, c := range cells {
			free(b.a.data, c)
		}
	}
	return nil
}

type leafElem struct {
	nk   int
	name string
}

// subkeyList writes a leaf of the configured kind, or an ri over several
// leaves when there are more than RIThreshold elements. It returns the
// list's offset and, for an ri, the offsets of its leaves.
func (b *builder) subkeyList(elems []leafElem) (int, []int) {
	n := b.opts.RIThreshold
	if len(elems) <= n {
		return b.leaf(elems), nil
	}
	var leaves []int
	for chunk := range slices.Chunk(elems, n) {
		leaves = append(leaves, b.leaf(chunk))
	}
	ri := b.cell(4 + 4*len(leaves))
	copy(b.a.data[ri+4:], "ri")
	put16(b.a.data, ri+6, uint16(len(leaves)))
	for i, l := range leaves {
		put32(b.a.data, ri+8+4*i, uint32(l))
	}
	return ri, leaves
}

func (b *builder) leaf(elems []leafElem) int {
	kind := b.opts.SubkeyList
	width := 8
	if kind == "li" {
		width = 4
	}
	off := b.cell(4 + width*len(elems))
	writeLeaf(b.a.data, off, kind, elems)
	return off
}

// writeLeaf fills the leaf cell at off, which has room for elems.
func writeLeaf(data []byte, off int, kind string, elems []leafElem) {
	copy(data[off+4:], kind)
	put16(data, off+6, uint16(len(elems)))
	width := 8
	if kind == "li" {
		width = 4
	}
	for i, e := range elems {
		p := off + 8 + width*i
		put32(data, p, uint32(e.nk))
		switch kind {
		case "lh":
			put32(data, p+4, nameHash(e.name))
		case "lf":
			h := nameHint(e.name)
			copy(data[p+4:], h[:])
		}
	}
}
