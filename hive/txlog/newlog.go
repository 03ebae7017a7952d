package txlog

import (
	"encoding/binary"
	"fmt"
)

const (
	entryHeaderSize = 40
	pageRefSize     = 8
)

// entry is a validated HvLE log entry.
type entry struct {
	off       int // in the log
	size      int
	flags     uint32
	seq       uint32
	hbinsSize uint32
	count     int
}

// parseEntry validates the log entry at off in d, expecting sequence number
// want. It returns the reason in words when the entry cannot be applied.
func parseEntry(d []byte, off int, want uint32, limit int64) (*entry, string) {
	le := binary.LittleEndian
	rest := d[off:]
	at := func(format string, a ...any) string {
		return fmt.Sprintf("entry at offset %#x: ", off) + fmt.Sprintf(format, a...)
	}
	if len(rest) < entryHeaderSize {
		if allZero(rest) {
			return nil, "end of log entries"
		}
		return nil, at("truncated header (%d bytes left)", len(rest))
	}
	if string(rest[:4]) != "HvLE" {
		if allZero(rest[:entryHeaderSize]) {
			return nil, "end of log entries"
		}
		return nil, at("no HvLE signature")
	}
	e := &entry{
		off:       off,
		size:      int(le.Uint32(rest[4:])),
		flags:     le.Uint32(rest[8:]),
		seq:       le.Uint32(rest[12:]),
		hbinsSize: le.Uint32(rest[16:]),
		count:     int(le.Uint32(rest[20:])),
	}
	switch {
	case e.size < logSector || e.size%logSector != 0:
		return nil, at("invalid size %d", e.size)
	case e.size > len(rest):
		return nil, at("truncated: size %d, %d bytes left in the log", e.size, len(rest))
	case e.hbinsSize < binAlign || e.hbinsSize%binAlign != 0:
		return nil, at("invalid hive bins data size %d", e.hbinsSize)
	case e.count == 0:
		return nil, at("no dirty pages")
	case e.count > (e.size-entryHeaderSize)/pageRefSize:
		return nil, at("%d dirty page references do not fit in %d bytes", e.count, e.size)
	}
	body := rest[:e.size]
	if h := Marvin32(body[:32], LogEntrySeed); h != le.Uint64(body[32:]) {
		return nil, at("bad Hash-2 %#016x, computed %#016x", le.Uint64(body[32:]), h)
	}
	if h := Marvin32(body[entryHeaderSize:], LogEntrySeed); h != le.Uint64(body[24:]) {
		return nil, at("bad Hash-1 %#016x, computed %#016x", le.Uint64(body[24:]), h)
	}
	if e.seq != want {
		return nil, at("sequence number %d, expected %d", e.seq, want)
	}
	if int64(e.hbinsSize) > limit {
		return nil, at("hive bins data size %d exceeds the %d bytes the primary and logs could hold", e.hbinsSize, limit)
	}
	data := entryHeaderSize + e.count*pageRefSize
	for i := range e.count {
		ref := body[entryHeaderSize+i*pageRefSize:]
		poff, psize := int64(le.Uint32(ref)), int64(le.Uint32(ref[4:]))
		if poff+psize > int64(e.hbinsSize) {
			return nil, at("dirty page %d (offset %#x, size %d) lies past the hive bins data size %d", i, poff, psize, e.hbinsSize)
		}
		if int64(data)+psize > int64(e.size) {
			return nil, at("dirty page %d (size %d) runs past the end of the entry", i, psize)
		}
		data += int(psize)
	}
	return e, ""
}

// applyEntries applies the entries of a new-format log that follow each
// other from sequence number first. It stops at the first entry that is
// invalid or out of sequence and says why.
func (r *replay) applyEntries(lf *logFile, first uint32) (entries, pages int, last uint32, stop string) {
	le := binary.LittleEndian
	want := first
	off := logBaseBlockSize
	for {
		if off >= len(lf.data) {
			return entries, pages, last, "end of file"
		}
		e, why := parseEntry(lf.data, off, want, r.limit)
		if e == nil {
			return entries, pages, last, why
		}
		r.grow(e.hbinsSize)
		body := lf.data[off : off+e.size]
		src := entryHeaderSize + e.count*pageRefSize
		for i := range e.count {
			ref := body[entryHeaderSize+i*pageRefSize:]
			poff, psize := int(le.Uint32(ref)), int(le.Uint32(ref[4:]))
			dst := baseBlockSize + poff
			copy(r.data[dst:dst+psize], body[src:src+psize])
			src += psize
		}
		r.hbinsSize = e.hbinsSize
		r.flags = r.flags&^1 | e.flags&1
		entries++
		pages += e.count
		last = e.seq
		want = e.seq + 1
		off += e.size
	}
}
