package hivewrite

import (
	"encoding/binary"
	"time"
	"unicode/utf16"

	"github.com/hivescan/hivescan/internal/wintext"
)

// Base block field offsets.
const (
	offSeq1        = 0x04
	offSeq2        = 0x08
	offLastWritten = 0x0C
	offMajor       = 0x14
	offMinor       = 0x18
	offFileType    = 0x1C
	offFormat      = 0x20
	offRootCell    = 0x24
	offBinsSize    = 0x28
	offClustering  = 0x2C
	offFileName    = 0x30
	offChecksum    = 0x1FC

	fileNameUnits = 31 // UTF-16 units kept from Options.FileName, before the NUL
)

// filetime converts t to a Windows FILETIME (100 ns ticks since 1601-01-01
// UTC); times before 1601 become 0.
func filetime(t time.Time) uint64 { return wintext.ToFiletime(t) }

// writeBaseBlock fills b (4096 bytes) with a primary-file base block. The
// checksum is left to checksum.
func writeBaseBlock(b []byte, o *Options, rootCell, binsSize int) {
	copy(b, "regf")
	put32(b, offSeq1, o.Sequence1)
	put32(b, offSeq2, o.Sequence2)
	binary.LittleEndian.PutUint64(b[offLastWritten:], filetime(o.LastWritten))
	put32(b, offMajor, 1)
	put32(b, offMinor, o.Minor)
	put32(b, offFileType, o.FileType)
	put32(b, offFormat, 1)
	put32(b, offRootCell, uint32(rootCell))
	put32(b, offBinsSize, uint32(binsSize))
	put32(b, offClustering, 1)
	name := utf16.Encode([]rune(o.FileName))
	if len(name) > fileNameUnits {
		name = name[len(name)-fileNameUnits:] // Windows keeps the tail of the path
	}
	for i, c := range name {
		put16(b, offFileName+2*i, c)
	}
}

// Checksum returns the XOR-32 checksum of the first 508 bytes of a base
// block, with 0 stored as 1 and 0xFFFFFFFF as 0xFFFFFFFE.
func Checksum(base []byte) uint32 {
	var c uint32
	for i := 0; i < offChecksum; i += 4 {
		c ^= binary.LittleEndian.Uint32(base[i:])
	}
	switch c {
	case 0:
		return 1
	case 0xFFFFFFFF:
		return 0xFFFFFFFE
	}
	return c
}
