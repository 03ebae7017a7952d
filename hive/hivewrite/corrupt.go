package hivewrite

import (
	"errors"
	"fmt"
	"slices"

	"github.com/hivescan/hivescan/internal/wintext"
)

// nk and vk field offsets, relative to the cell (size field included).
const (
	cellNKSubkeyCount  = 4 + 0x14
	cellNKSubkeyList   = 4 + 0x1C
	cellNKValueCount   = 4 + 0x24
	cellNKValueList    = 4 + 0x28
	cellNKMaxValueName = 4 + 0x3C
	cellNKMaxValueData = 4 + 0x40
	cellVKDataSize     = 4 + 0x04
)

func (h *Hive) at(cell int) int { return baseBlockSize + cell }

func (h *Hive) inFile(cell, n int) error {
	if cell < 0 || h.at(cell)+n > len(h.Bytes) {
		return fmt.Errorf("hivewrite: cell %#x is beyond the end of the file (%d bytes)", cell, len(h.Bytes))
	}
	return nil
}

// appendCell adds a hive bin at the end of the hive bins data holding one
// new allocated cell with room for payload bytes, and returns its offset.
func (h *Hive) appendCell(payload int) (int, error) {
	end := 0
	for _, b := range h.bins {
		end = b.Offset + b.Size
	}
	if h.at(end) != len(h.Bytes) {
		return 0, fmt.Errorf("hivewrite: file is %d bytes, not the %d its hive bins take", len(h.Bytes), h.at(end))
	}
	// An allocator over the existing bins data, with no open bin, starts a
	// new bin at its end.
	a := allocator{data: slices.Clip(h.Bytes[baseBlockSize:])}
	off := a.alloc(payload)
	a.closeBin()
	h.Bytes = append(slices.Clip(h.Bytes[:baseBlockSize]), a.data...)
	h.bins = append(slices.Clip(h.bins), a.bins...)
	return off, nil
}

// nkName decodes the name stored in the nk cell at off.
func (h *Hive) nkName(off int) string {
	p := h.at(off) + 4
	n := int(h.Bytes[p+0x48]) | int(h.Bytes[p+0x49])<<8
	raw := h.Bytes[p+nkHeaderSize : p+nkHeaderSize+n]
	if h.Bytes[p+2]&keyCompName != 0 {
		r := make([]rune, len(raw))
		for i, c := range raw {
			r[i] = rune(c)
		}
		return string(r)
	}
	return wintext.UTF16(raw)
}

// AddCycle makes the key's subkey list also list the key's parent (the
// root lists itself), so a walker that does not track visited cells loops.
// The list is rewritten into a new cell in a new hive bin at the end of the
// file, the entry sorted in; an ri gets a new one-element leaf at its end.
// The old list cell is freed and the nk subkey count incremented.
func (h *Hive) AddCycle(path string) error {
	k, ok := h.key(path)
	if !ok {
		return fmt.Errorf("hivewrite: AddCycle: no key %q", path)
	}
	target := k.nk
	if k.hasParent {
		target = h.keys[k.parent].nk
	}
	elem := leafElem{nk: target, name: h.nkName(target)}
	kind := h.opts.SubkeyList
	width := 8
	if kind == "li" {
		width = 4
	}
	var list int
	switch {
	case k.subkeys < 0:
		off, err := h.appendCell(4 + width)
		if err != nil {
			return fmt.Errorf("hivewrite: AddCycle: %w", err)
		}
		writeLeaf(h.Bytes[baseBlockSize:], off, kind, []leafElem{elem})
		list = off
	case len(k.leaves) > 0:
		leaf, err := h.appendCell(4 + width)
		if err != nil {
			return fmt.Errorf("hivewrite: AddCycle: %w", err)
		}
		writeLeaf(h.Bytes[baseBlockSize:], leaf, kind, []leafElem{elem})
		leaves := append(slices.Clone(k.leaves), leaf)
		ri, err := h.appendCell(4 + 4*len(leaves))
		if err != nil {
			return fmt.Errorf("hivewrite: AddCycle: %w", err)
		}
		d := h.Bytes[baseBlockSize:]
		copy(d[ri+4:], "ri")
		put16(d, ri+6, uint16(len(leaves)))
		for i, l := range leaves {
			put32(d, ri+8+4*i, uint32(l))
		}
		free(d, k.subkeys)
		k.leaves = leaves
		list = ri
	default:
		d := h.Bytes[baseBlockSize:]
		n := int(d[k.subkeys+6]) | int(d[k.subkeys+7])<<8
		elems := make([]leafElem, 0, n+1)
		for i := range n {
			nk := int(get32(d, k.subkeys+8+width*i))
			elems = append(elems, leafElem{nk: nk, name: h.nkName(nk)})
		}
		at, _ := slices.BinarySearchFunc(elems, elem, func(e, t leafElem) int {
			return compareUnits(upperUnits(e.name), upperUnits(t.name))
		})
		elems = slices.Insert(elems, at, elem)
		off, err := h.appendCell(4 + width*len(elems))
		if err != nil {
			return fmt.Errorf("hivewrite: AddCycle: %w", err)
		}
		d = h.Bytes[baseBlockSize:]
		writeLeaf(d, off, kind, elems)
		free(d, k.subkeys)
		list = off
	}
	d := h.Bytes[baseBlockSize:]
	k.subkeys = list
	put32(d, k.nk+cellNKSubkeyList, uint32(list))
	put32(d, k.nk+cellNKSubkeyCount, get32(d, k.nk+cellNKSubkeyCount)+1)
	h.Fix()
	return nil
}

// Truncate cuts the file to n bytes, e.g. inside the last hive bin. The base
// block keeps declaring the full hive bins size.
func (h *Hive) Truncate(n int) {
	if n >= 0 && n < len(h.Bytes) {
		h.Bytes = h.Bytes[:n]
	}
}

// SetValueSize overwrites the vk data size field, bit 31 included, e.g. to
// declare more data than the data cell holds.
func (h *Hive) SetValueSize(path, name string, size uint32) error {
	v, ok := h.value(path, name)
	if !ok {
		return fmt.Errorf("hivewrite: SetValueSize: no value %q in key %q", name, path)
	}
	if err := h.inFile(v.vk, cellVKDataSize+4); err != nil {
		return fmt.Errorf("hivewrite: SetValueSize: %w", err)
	}
	put32(h.Bytes, h.at(v.vk)+cellVKDataSize, size)
	return nil
}

// FreeValue deletes a value the way Windows does: its vk and data cells are
// freed (size made positive, bytes left), it is removed from the value list
// (later entries move up) and the nk value count decremented. When no value
// is left the value list is freed too and the nk largest value name and data
// sizes are reset to 0. Timestamps are not touched.
func (h *Hive) FreeValue(path, name string) error {
	k, ok := h.key(path)
	if !ok {
		return fmt.Errorf("hivewrite: FreeValue: no key %q", path)
	}
	v, ok := k.vals[upperKey(name)]
	if !ok {
		return fmt.Errorf("hivewrite: FreeValue: no value %q in key %q", name, path)
	}
	if err := h.inFile(k.nk, nkHeaderSize+4); err != nil {
		return fmt.Errorf("hivewrite: FreeValue: %w", err)
	}
	d := h.Bytes[baseBlockSize:]
	n := int(get32(d, k.nk+cellNKValueCount))
	if err := h.inFile(k.values, 4+4*n); err != nil {
		return fmt.Errorf("hivewrite: FreeValue: %w", err)
	}
	i := 0
	for i < n && int(get32(d, k.values+4+4*i)) != v.vk {
		i++
	}
	if i == n {
		return errors.New("hivewrite: FreeValue: value not in the value list")
	}
	copy(d[k.values+4+4*i:], d[k.values+4+4*(i+1):k.values+4+4*n])
	put32(d, k.nk+cellNKValueCount, uint32(n-1))
	for _, c := range v.cells() {
		if err := h.inFile(c, 4); err == nil {
			free(d, c)
		}
	}
	if n == 1 {
		free(d, k.values)
		k.values = -1
		put32(d, k.nk+cellNKValueList, none)
		put32(d, k.nk+cellNKMaxValueName, 0)
		put32(d, k.nk+cellNKMaxValueData, 0)
	}
	delete(k.vals, upperKey(name))
	k.deletedVals[upperKey(name)] = v
	return nil
}

// CorruptHbinHeader zeroes the signature of the n-th hive bin (from 0).
func (h *Hive) CorruptHbinHeader(n int) error {
	if n < 0 || n >= len(h.bins) {
		return fmt.Errorf("hivewrite: CorruptHbinHeader: no hive bin %d (the hive has %d)", n, len(h.bins))
	}
	if err := h.inFile(h.bins[n].Offset, 4); err != nil {
		return fmt.Errorf("hivewrite: CorruptHbinHeader: %w", err)
	}
	copy(h.Bytes[h.at(h.bins[n].Offset):], "\x00\x00\x00\x00")
	return nil
}
