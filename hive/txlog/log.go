package txlog

import (
	"bytes"
	"fmt"
)

// Log formats as reported in Applied.Format.
const (
	FormatNew = "new" // Windows 8.1 and later: HvLE log entries
	FormatOld = "old" // Windows XP to 8: a DIRT dirty vector and 512-byte pages
)

// logFile is a log whose base block passed every check.
type logFile struct {
	name   string
	data   []byte
	bb     *baseBlock
	format string
	order  int // position in the caller's slice, to break ties
}

// openLog checks a log's base block. It returns a reason in words when the
// log cannot be used.
func openLog(l Log, order int) (*logFile, string) {
	d := l.Data
	switch {
	case len(d) == 0:
		return nil, "empty file"
	case allZero(d):
		return nil, fmt.Sprintf("zero-filled (%d bytes)", len(d))
	case len(d) < logBaseBlockSize:
		return nil, fmt.Sprintf("truncated: %d bytes, a log base block needs %d", len(d), logBaseBlockSize)
	}
	bb, err := parseBaseBlock(d)
	if err != nil {
		return nil, err.(*FormatError).Msg
	}
	if !bb.checksumOK() {
		return nil, fmt.Sprintf("base block checksum %#08x does not match computed %#08x", bb.checksum, bb.computedSum)
	}
	if bb.seq1 != bb.seq2 {
		return nil, fmt.Sprintf("log base block is itself dirty (sequence numbers %d and %d differ)", bb.seq1, bb.seq2)
	}
	var format string
	switch bb.fileType {
	case fileTypeLogOld, fileTypeLogVeryOld:
		format = FormatOld
	case fileTypeLogNew:
		format = FormatNew
	case fileTypePrimary:
		return nil, "file type 0: a primary file, not a transaction log"
	default:
		return nil, fmt.Sprintf("unknown file type %d", bb.fileType)
	}
	switch {
	case bb.major != 1:
		return nil, fmt.Sprintf("unsupported major version %d", bb.major)
	case bb.minor < 1 || bb.minor > 6:
		return nil, fmt.Sprintf("unsupported minor version %d", bb.minor)
	case bb.fileFormat != 1:
		return nil, fmt.Sprintf("unsupported file format %d", bb.fileFormat)
	case bb.clustering != 1:
		return nil, fmt.Sprintf("unsupported clustering factor %d", bb.clustering)
	case bb.hbinsSize < binAlign || bb.hbinsSize%binAlign != 0:
		return nil, fmt.Sprintf("invalid hive bins data size %d", bb.hbinsSize)
	}
	lf := &logFile{name: l.Name, data: d, bb: bb, format: format, order: order}
	switch format {
	case FormatNew:
		if len(d) <= logBaseBlockSize+entryHeaderSize {
			return nil, fmt.Sprintf("truncated: %d bytes leave no room for a log entry", len(d))
		}
	case FormatOld:
		if reason := checkDirtyVector(lf); reason != "" {
			return nil, reason
		}
	}
	return lf, ""
}

func allZero(b []byte) bool {
	const chunk = 4096
	var zero [chunk]byte
	for len(b) > 0 {
		n := min(len(b), chunk)
		if !bytes.Equal(b[:n], zero[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}
