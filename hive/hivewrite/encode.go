package hivewrite

import (
	"encoding/binary"
	"time"
)

const (
	nkHeaderSize = 76
	vkHeaderSize = 20

	keyHiveEntry = 0x0004
	keyNoDelete  = 0x0008
	keyCompName  = 0x0020

	valueCompName = 0x0001

	dataInline = 0x80000000 // vk data size bit: data lives in the offset field
)

// nkFields is what an nk cell records about its key; offsets are -1 when
// absent.
type nkFields struct {
	name           []byte
	compressed     bool
	root           bool
	lastWrite      time.Time
	parent         int
	nSubkeys       int
	subkeys        int
	nValues        int
	values         int
	security       int
	class          int
	classLen       int
	maxSubkeyName  int
	maxSubkeyClass int
	maxValueName   int
	maxValueData   int
}

func offsetOrNone(off int) uint32 {
	if off < 0 {
		return none
	}
	return uint32(off)
}

// writeNK fills the nk cell at off (cell offset, size field included).
func writeNK(data []byte, off int, f *nkFields) {
	p := off + 4
	copy(data[p:], "nk")
	var flags uint16
	if f.compressed {
		flags |= keyCompName
	}
	if f.root {
		flags |= keyHiveEntry | keyNoDelete
	}
	put16(data, p+0x02, flags)
	put64(data, p+0x04, filetime(f.lastWrite))
	put32(data, p+0x10, offsetOrNone(f.parent))
	put32(data, p+0x14, uint32(f.nSubkeys))
	put32(data, p+0x1C, offsetOrNone(f.subkeys))
	put32(data, p+0x20, none) // volatile subkeys
	put32(data, p+0x24, uint32(f.nValues))
	put32(data, p+0x28, offsetOrNone(f.values))
	put32(data, p+0x2C, offsetOrNone(f.security))
	put32(data, p+0x30, offsetOrNone(f.class))
	put32(data, p+0x34, uint32(f.maxSubkeyName)&0xFFFF)
	put32(data, p+0x38, uint32(f.maxSubkeyClass))
	put32(data, p+0x3C, uint32(f.maxValueName))
	put32(data, p+0x40, uint32(f.maxValueData))
	put16(data, p+0x48, uint16(len(f.name)))
	put16(data, p+0x4A, uint16(f.classLen))
	copy(data[p+nkHeaderSize:], f.name)
}

// value writes a vk cell and its data cells and reports where they went.
func (b *builder) value(v Value) *valueCells {
	name, compressed := encodeName(v.Name)
	vk := b.cell(vkHeaderSize + len(name))
	vc := &valueCells{vk: vk, data: -1, segList: -1}
	p := vk + 4
	copy(b.a.data[p:], "vk")
	put16(b.a.data, p+0x02, uint16(len(name)))
	put32(b.a.data, p+0x0C, v.Type)
	if compressed && len(name) > 0 {
		put16(b.a.data, p+0x10, valueCompName)
	}
	copy(b.a.data[p+vkHeaderSize:], name)

	n := len(v.Data)
	switch {
	case n <= 4:
		put32(b.a.data, p+0x04, uint32(n)|dataInline)
		copy(b.a.data[p+0x08:p+0x0C], v.Data)
		return vc
	case n > bigDataSegment && b.opts.Minor >= 4:
		vc.data = b.bigData(v.Data, vc)
	default:
		vc.data = b.cell(n)
		copy(b.a.data[vc.data+4:], v.Data)
	}
	put32(b.a.data, p+0x04, uint32(n))
	put32(b.a.data, p+0x08, uint32(vc.data))
	return vc
}

// bigData writes d as db record, segment list and segments of at most
// 16344 bytes, and returns the db cell's offset.
func (b *builder) bigData(d []byte, vc *valueCells) int {
	for len(d) > 0 {
		n := min(len(d), bigDataSegment)
		seg := b.cell(n)
		copy(b.a.data[seg+4:], d[:n])
		vc.segments = append(vc.segments, seg)
		d = d[n:]
	}
	vc.segList = b.cell(4 * len(vc.segments))
	for i, s := range vc.segments {
		put32(b.a.data, vc.segList+4+4*i, uint32(s))
	}
	db := b.cell(8)
	copy(b.a.data[db+4:], "db")
	put16(b.a.data, db+6, uint16(len(vc.segments)))
	put32(b.a.data, db+8, uint32(vc.segList))
	return db
}

func put64(data []byte, off int, v uint64) { binary.LittleEndian.PutUint64(data[off:], v) }
