package txlog

import (
	"encoding/binary"
	"unicode/utf16"

	"github.com/hivescan/hivescan/hive"
)

// Builders of small primaries and logs for tests and fuzz seeds.

var le = binary.LittleEndian

// testBase returns a base block of n bytes (4096 for a primary, 512 for a
// log) with a valid checksum.
func testBase(n int, fileType, seq1, seq2, hbins uint32, name string) []byte {
	b := make([]byte, n)
	copy(b, "regf")
	le.PutUint32(b[offSeq1:], seq1)
	le.PutUint32(b[offSeq2:], seq2)
	le.PutUint64(b[offWritten:], 131331190512216222)
	le.PutUint32(b[offMajor:], 1)
	le.PutUint32(b[offMinor:], 3)
	le.PutUint32(b[offFileType:], fileType)
	le.PutUint32(b[offFileFormat:], 1)
	le.PutUint32(b[offRootCell:], 32)
	le.PutUint32(b[offHbinsSize:], hbins)
	le.PutUint32(b[offClustering:], 1)
	for i, u := range utf16.Encode([]rune(name)) {
		if 2*i+2 > fileNameLen {
			break
		}
		le.PutUint16(b[offFileName+2*i:], u)
	}
	le.PutUint32(b[offChecksum:], hive.Checksum(b))
	return b
}

// testPrimary returns a dirty primary (sequence numbers seq and seq-1) with
// bins hive bins of 4096 bytes each, every bin filled with fill.
func testPrimary(seq uint32, bins int, fill byte) []byte {
	p := testBase(baseBlockSize, fileTypePrimary, seq, seq-1, uint32(bins*binAlign), `\TEST\hive`)
	for i := range bins {
		bin := make([]byte, binAlign)
		copy(bin, "hbin")
		le.PutUint32(bin[4:], uint32(i*binAlign))
		le.PutUint32(bin[8:], binAlign)
		for j := 32; j < binAlign; j++ {
			bin[j] = fill
		}
		p = append(p, bin...)
	}
	return p
}

type testPage struct {
	off  uint32
	data []byte
}

type testEntry struct {
	seq   uint32
	hbins uint32
	flags uint32
	pages []testPage
}

// testEntryBytes encodes one HvLE entry with correct hashes, padded to 512.
func testEntryBytes(e testEntry) []byte {
	n := entryHeaderSize + len(e.pages)*pageRefSize
	for _, p := range e.pages {
		n += len(p.data)
	}
	n = (n + logSector - 1) / logSector * logSector
	b := make([]byte, n)
	copy(b, "HvLE")
	le.PutUint32(b[4:], uint32(n))
	le.PutUint32(b[8:], e.flags)
	le.PutUint32(b[12:], e.seq)
	le.PutUint32(b[16:], e.hbins)
	le.PutUint32(b[20:], uint32(len(e.pages)))
	at := entryHeaderSize + len(e.pages)*pageRefSize
	for i, p := range e.pages {
		le.PutUint32(b[entryHeaderSize+i*8:], p.off)
		le.PutUint32(b[entryHeaderSize+i*8+4:], uint32(len(p.data)))
		copy(b[at:], p.data)
		at += len(p.data)
	}
	le.PutUint64(b[24:], Marvin32(b[entryHeaderSize:], LogEntrySeed))
	le.PutUint64(b[32:], Marvin32(b[:32], LogEntrySeed))
	return b
}

// testNewLog returns a new-format log whose base block has sequence
// number seq, followed by entries.
func testNewLog(seq, hbins uint32, name string, entries ...testEntry) []byte {
	b := testBase(logBaseBlockSize, fileTypeLogNew, seq, seq, hbins, name)
	for _, e := range entries {
		b = append(b, testEntryBytes(e)...)
	}
	return b
}

// testOldLog returns an old-format log writing 512-byte pages at the given
// hive bins offsets (multiples of 512, ascending).
func testOldLog(seq, hbins uint32, name string, pages ...testPage) []byte {
	b := testBase(logBaseBlockSize, fileTypeLogOld, seq, seq, hbins, name)
	vec := make([]byte, 4+hbins/4096)
	copy(vec, "DIRT")
	for _, p := range pages {
		bit := p.off / oldPageSize
		vec[4+bit/8] |= 1 << (bit % 8)
	}
	b = append(b, vec...)
	for len(b)%logSector != 0 {
		b = append(b, 0)
	}
	for _, p := range pages {
		b = append(b, p.data...)
	}
	return b
}

func page(n int, fill byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = fill
	}
	return b
}
