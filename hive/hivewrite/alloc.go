package hivewrite

import "encoding/binary"

const (
	baseBlockSize = 4096
	binAlign      = 4096
	binHeaderSize = 32
)

// Bin locates one hive bin: Offset relative to the start of the hive bins
// data (file offset minus 4096) and Size in bytes, a multiple of 4096.
type Bin struct {
	Offset int
	Size   int
}

// allocator lays cells out one after the other in hive bins. A cell that does
// not fit in the rest of the current bin closes it (the rest becomes one free
// cell) and opens a new bin as large as the cell needs.
type allocator struct {
	data []byte // hive bins data
	bins []Bin
	next int // offset of the first unused byte of the last bin
}

func cellSize(payload int) int { return (payload + 4 + 7) &^ 7 }

// alloc returns the offset of a new allocated cell with room for payload
// bytes, zero-filled.
func (a *allocator) alloc(payload int) int {
	size := cellSize(payload)
	if len(a.bins) == 0 || a.next+size > len(a.data) {
		a.closeBin()
		binSize := (binHeaderSize + size + binAlign - 1) / binAlign * binAlign
		off := len(a.data)
		a.data = append(a.data, make([]byte, binSize)...)
		copy(a.data[off:], "hbin")
		binary.LittleEndian.PutUint32(a.data[off+4:], uint32(off))
		binary.LittleEndian.PutUint32(a.data[off+8:], uint32(binSize))
		a.bins = append(a.bins, Bin{Offset: off, Size: binSize})
		a.next = off + binHeaderSize
	}
	off := a.next
	binary.LittleEndian.PutUint32(a.data[off:], uint32(int32(-size)))
	a.next += size
	return off
}

// closeBin turns the unused end of the last bin into a free cell.
func (a *allocator) closeBin() {
	if rest := len(a.data) - a.next; len(a.bins) > 0 && rest > 0 {
		binary.LittleEndian.PutUint32(a.data[a.next:], uint32(rest))
		a.next = len(a.data)
	}
}

// free marks the cell at off unallocated the way Windows does: its size turns
// positive and its bytes stay.
func free(data []byte, off int) {
	s := int32(binary.LittleEndian.Uint32(data[off:]))
	if s < 0 {
		binary.LittleEndian.PutUint32(data[off:], uint32(-s))
	}
}

func put16(data []byte, off int, v uint16) { binary.LittleEndian.PutUint16(data[off:], v) }
func put32(data []byte, off int, v uint32) { binary.LittleEndian.PutUint32(data[off:], v) }
func get32(data []byte, off int) uint32    { return binary.LittleEndian.Uint32(data[off:]) }
