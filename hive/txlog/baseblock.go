package txlog

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/wintext"
)

// Sizes and field offsets of the regf base block.
const (
	baseBlockSize    = 4096 // in a primary file
	logBaseBlockSize = 512  // the partial copy at the start of a log
	binAlign         = 4096 // hive bins data grows in these units
	logSector        = 512

	offSignature   = 0
	offSeq1        = 4
	offSeq2        = 8
	offWritten     = 12
	offMajor       = 20
	offMinor       = 24
	offFileType    = 28
	offFileFormat  = 32
	offRootCell    = 36
	offHbinsSize   = 40
	offClustering  = 44
	offFileName    = 48
	fileNameLen    = 64
	offFlags       = 144
	offChecksum    = 508
	firstBinTSOff  = baseBlockSize + 20 // timestamp in the first hive bin header
	firstBinHdrEnd = baseBlockSize + 32

	fileTypePrimary    = 0
	fileTypeLogOld     = 1
	fileTypeLogVeryOld = 2 // Windows 2000
	fileTypeLogNew     = 6
)

// baseBlock holds the fields of a base block that replay needs. It is read
// from the first 512 bytes, the part that logs keep.
type baseBlock struct {
	seq1, seq2  uint32
	written     uint64 // FILETIME
	major       uint32
	minor       uint32
	fileType    uint32
	fileFormat  uint32
	rootCell    uint32
	hbinsSize   uint32
	clustering  uint32
	flags       uint32
	name        string
	checksum    uint32
	computedSum uint32
}

// parseBaseBlock reads b, which must hold at least logBaseBlockSize bytes
// starting with "regf".
func parseBaseBlock(b []byte) (*baseBlock, error) {
	if len(b) < logBaseBlockSize {
		return nil, formatError(int64(len(b)), fmt.Sprintf("truncated base block: %d bytes, need %d", len(b), logBaseBlockSize))
	}
	if string(b[offSignature:offSignature+4]) != "regf" {
		return nil, formatError(offSignature, fmt.Sprintf("no regf signature (found %q)", b[:4]))
	}
	le := binary.LittleEndian
	return &baseBlock{
		seq1:        le.Uint32(b[offSeq1:]),
		seq2:        le.Uint32(b[offSeq2:]),
		written:     le.Uint64(b[offWritten:]),
		major:       le.Uint32(b[offMajor:]),
		minor:       le.Uint32(b[offMinor:]),
		fileType:    le.Uint32(b[offFileType:]),
		fileFormat:  le.Uint32(b[offFileFormat:]),
		rootCell:    le.Uint32(b[offRootCell:]),
		hbinsSize:   le.Uint32(b[offHbinsSize:]),
		clustering:  le.Uint32(b[offClustering:]),
		flags:       le.Uint32(b[offFlags:]),
		name:        decodeName(b[offFileName : offFileName+fileNameLen]),
		checksum:    le.Uint32(b[offChecksum:]),
		computedSum: hive.Checksum(b),
	}, nil
}

func (bb *baseBlock) checksumOK() bool { return bb.checksum == bb.computedSum }

// decodeName decodes the UTF-16LE file name field up to its first NUL.
func decodeName(b []byte) string { return wintext.UTF16Z(b) }

// sameHive reports whether two base-block file names may name the same
// hive: equal ignoring case, or one of them empty.
func sameHive(a, b string) bool {
	return a == "" || b == "" || strings.EqualFold(a, b)
}

// seqBefore reports whether sequence number a comes before b, allowing
// for the 32-bit counter to wrap.
func seqBefore(a, b uint32) bool { return int32(a-b) < 0 }
