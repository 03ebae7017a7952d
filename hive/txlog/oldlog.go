package txlog

import (
	"fmt"
	"math/bits"
)

// oldPageSize is the unit of the dirty vector: one bit per 512 bytes of
// hive bins data.
const oldPageSize = 512

// dirtyVector returns the bitmap of an old-format log and the log offset of
// its first dirty page. The caller has checked the base block.
func dirtyVector(lf *logFile) (bitmap []byte, pagesAt int) {
	n := int(lf.bb.hbinsSize / (oldPageSize * 8))
	start := logBaseBlockSize + 4
	pagesAt = (start + n + logSector - 1) / logSector * logSector
	return lf.data[start : start+n], pagesAt
}

// checkDirtyVector checks that an old-format log holds its DIRT signature,
// its whole bitmap and every dirty page the bitmap announces.
func checkDirtyVector(lf *logFile) string {
	d := lf.data
	if len(d) < logBaseBlockSize+4 || string(d[logBaseBlockSize:logBaseBlockSize+4]) != "DIRT" {
		return fmt.Sprintf("no DIRT signature at offset %#x", logBaseBlockSize)
	}
	n := int(lf.bb.hbinsSize / (oldPageSize * 8))
	if logBaseBlockSize+4+n > len(d) {
		return fmt.Sprintf("truncated dirty vector: %d bytes of bitmap for %d bytes of hive bins data, file has %d bytes", n, lf.bb.hbinsSize, len(d))
	}
	bitmap, at := dirtyVector(lf)
	pages := 0
	for _, b := range bitmap {
		pages += bits.OnesCount8(b)
	}
	if need := int64(at) + int64(pages)*oldPageSize; need > int64(len(d)) {
		return fmt.Sprintf("truncated: %d dirty pages need %d bytes, file has %d", pages, need, len(d))
	}
	return ""
}

// applyOld writes every dirty page of an old-format log into r.data and
// returns the number of pages written. The log has passed checkDirtyVector.
func (r *replay) applyOld(lf *logFile) (pages int, stop string) {
	size := lf.bb.hbinsSize
	if int64(size) > r.limit {
		return 0, fmt.Sprintf("hive bins data size %d exceeds the %d bytes the primary and logs could hold", size, r.limit)
	}
	r.grow(size)
	bitmap, at := dirtyVector(lf)
	for i, b := range bitmap {
		for b != 0 {
			bit := bits.TrailingZeros8(b)
			b &= b - 1
			dst := baseBlockSize + (i*8+bit)*oldPageSize
			src := at + pages*oldPageSize
			copy(r.data[dst:dst+oldPageSize], lf.data[src:src+oldPageSize])
			pages++
		}
	}
	r.hbinsSize = size
	r.flags = lf.bb.flags
	r.rootCell = lf.bb.rootCell
	return pages, ""
}
