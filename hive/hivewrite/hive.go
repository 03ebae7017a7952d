package hivewrite

import (
	"os"
	"strings"
)

// HiveBinsOffset is the file offset of the hive bins data. Cell offsets, as
// stored in the file and returned by Hive's methods, are relative to it.
const HiveBinsOffset = baseBlockSize

// Hive is a built hive file and the map of where its cells are.
type Hive struct {
	// Bytes is the whole file. Tests may patch it; Fix then restores the
	// base block's checksum.
	Bytes []byte

	opts     Options
	root     int
	security int
	bins     []Bin
	keys     map[string]*keyCells // by upper-cased path, root ""
	deleted  map[string]*keyCells // deleted subtrees, by upper-cased path
}

// keyCells records the cells of one key; -1 when absent.
type keyCells struct {
	name                       string
	nk, subkeys, values, class int
	leaves                     []int // leaves under an ri subkey list
	parent                     string
	hasParent                  bool
	vals                       map[string]*valueCells // by upper-cased name
	deletedVals                map[string]*valueCells
}

// valueCells records the cells of one value; -1 when absent.
type valueCells struct {
	vk       int
	data     int // data cell, db cell, or -1 for inline data
	segList  int
	segments []int
}

// cells lists every cell of the value, vk first.
func (v *valueCells) cells() []int {
	c := []int{v.vk}
	if v.data >= 0 {
		c = append(c, v.data)
	}
	if v.segList >= 0 {
		c = append(c, v.segList)
	}
	return append(c, v.segments...)
}

// cleanPath maps a `\`-separated key path, with or without leading `\`, to
// its map key; the root is `\` or "".
func cleanPath(path string) string {
	return upperKey(strings.Trim(path, `\`))
}

func (h *Hive) key(path string) (*keyCells, bool) {
	p := cleanPath(path)
	if p != "" {
		p = `\` + p
	}
	k, ok := h.keys[p]
	return k, ok
}

func (h *Hive) deletedKey(path string) (*keyCells, bool) {
	p := cleanPath(path)
	if p == "" {
		return nil, false
	}
	k, ok := h.deleted[`\`+p]
	return k, ok
}

func (h *Hive) value(path, name string) (*valueCells, bool) {
	k, ok := h.key(path)
	if !ok {
		return nil, false
	}
	v, ok := k.vals[upperKey(name)]
	return v, ok
}

// RootCell returns the offset of the root key's nk cell.
func (h *Hive) RootCell() int { return h.root }

// SecurityCell returns the offset of the sk cell every key shares.
func (h *Hive) SecurityCell() int { return h.security }

// Bins returns the hive bins in file order, as built (later patches such as
// Truncate do not change it).
func (h *Hive) Bins() []Bin { return append([]Bin(nil), h.bins...) }

// KeyCell returns the offset of the nk cell of the key at path (`\`-separated,
// root `\`, case-insensitive).
func (h *Hive) KeyCell(path string) (int, bool) {
	k, ok := h.key(path)
	if !ok {
		return 0, false
	}
	return k.nk, true
}

// SubkeyListCell returns the offset of the key's subkey list (a leaf or an
// ri); false when the key does not exist or has no subkeys.
func (h *Hive) SubkeyListCell(path string) (int, bool) {
	k, ok := h.key(path)
	if !ok || k.subkeys < 0 {
		return 0, false
	}
	return k.subkeys, true
}

// LeafCells returns the offsets of the leaves under the key's ri subkey
// list; false when the key has no ri.
func (h *Hive) LeafCells(path string) ([]int, bool) {
	k, ok := h.key(path)
	if !ok || len(k.leaves) == 0 {
		return nil, false
	}
	return append([]int(nil), k.leaves...), true
}

// ValueListCell returns the offset of the key's value list; false when the
// key does not exist or has no values.
func (h *Hive) ValueListCell(path string) (int, bool) {
	k, ok := h.key(path)
	if !ok || k.values < 0 {
		return 0, false
	}
	return k.values, true
}

// ClassCell returns the offset of the cell holding the key's class name.
func (h *Hive) ClassCell(path string) (int, bool) {
	k, ok := h.key(path)
	if !ok || k.class < 0 {
		return 0, false
	}
	return k.class, true
}

// ValueCell returns the offset of the vk cell of the named value (case-
// insensitive; "" is the default value).
func (h *Hive) ValueCell(path, name string) (int, bool) {
	v, ok := h.value(path, name)
	if !ok {
		return 0, false
	}
	return v.vk, true
}

// DataCell returns the offset of the value's data cell, or of its db cell
// for big data; false when the data is inline in the vk cell (4 bytes or
// less).
func (h *Hive) DataCell(path, name string) (int, bool) {
	v, ok := h.value(path, name)
	if !ok || v.data < 0 {
		return 0, false
	}
	return v.data, true
}

// SegmentCells returns the offsets of the value's big-data segments, in
// order; false when the value is not stored as big data.
func (h *Hive) SegmentCells(path, name string) ([]int, bool) {
	v, ok := h.value(path, name)
	if !ok || len(v.segments) == 0 {
		return nil, false
	}
	return append([]int(nil), v.segments...), true
}

// DeletedKeyCell returns the offset of the freed nk cell of a key given in
// DeletedSubkeys (or below one), by its path.
func (h *Hive) DeletedKeyCell(path string) (int, bool) {
	k, ok := h.deletedKey(path)
	if !ok {
		return 0, false
	}
	return k.nk, true
}

// DeletedValueCell returns the offset of the freed vk cell of a value given
// in the key's DeletedValues, or of a value of a deleted key.
func (h *Hive) DeletedValueCell(path, name string) (int, bool) {
	if k, ok := h.key(path); ok {
		if v, ok := k.deletedVals[upperKey(name)]; ok {
			return v.vk, true
		}
	}
	if k, ok := h.deletedKey(path); ok {
		if v, ok := k.vals[upperKey(name)]; ok {
			return v.vk, true
		}
	}
	return 0, false
}

// Fix rewrites the base block's hive bins data size (from Bins) and its
// checksum after patches; with Options.BadChecksum the checksum is kept
// wrong. It does nothing to a file shorter than a base block.
func (h *Hive) Fix() {
	if len(h.Bytes) < baseBlockSize {
		return
	}
	size := 0
	for _, b := range h.bins {
		size += b.Size
	}
	put32(h.Bytes, offBinsSize, uint32(size))
	c := Checksum(h.Bytes)
	if h.opts.BadChecksum {
		c ^= 1
	}
	put32(h.Bytes, offChecksum, c)
}

// WriteFile writes Bytes to the named file.
func (h *Hive) WriteFile(name string) error {
	return os.WriteFile(name, h.Bytes, 0o644)
}
