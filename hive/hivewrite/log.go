package hivewrite

import (
	"bytes"
	"encoding/binary"

	"github.com/hivescan/hivescan/hive/txlog"
)

// LogEntry is one flush recorded in a new-format transaction log: the hive
// bins data size after it and the pages it wrote.
type LogEntry struct {
	Seq       uint32
	HbinsSize uint32
	Pages     []LogPage
}

// LogPage is a dirty page: Offset is relative to the start of the hive bins
// data and, like the length of Data, a multiple of 4096.
type LogPage struct {
	Offset uint32
	Data   []byte
}

// fileTypeLogNew is the base block file type of a new-format log.
const fileTypeLogNew = 6

// NewLog returns a new-format transaction log (Windows 8.1 and later) of the
// hive whose file is primary: primary's base block as a log's (file type
// 6, both sequence numbers seq, its first 512 bytes), followed by entries
// with valid Marvin32 hashes, each padded to 512 bytes.
func NewLog(primary []byte, seq uint32, entries ...LogEntry) []byte {
	le := binary.LittleEndian
	out := make([]byte, 512)
	copy(out, primary[:512])
	le.PutUint32(out[offSeq1:], seq)
	le.PutUint32(out[offSeq2:], seq)
	le.PutUint32(out[offFileType:], fileTypeLogNew)
	le.PutUint32(out[offChecksum:], Checksum(out))
	for _, e := range entries {
		n := 40 + 8*len(e.Pages)
		for _, p := range e.Pages {
			n += len(p.Data)
		}
		n = (n + 511) &^ 511
		b := make([]byte, n)
		copy(b, "HvLE")
		le.PutUint32(b[4:], uint32(n))
		le.PutUint32(b[12:], e.Seq)
		le.PutUint32(b[16:], e.HbinsSize)
		le.PutUint32(b[20:], uint32(len(e.Pages)))
		at := 40 + 8*len(e.Pages)
		for i, p := range e.Pages {
			le.PutUint32(b[40+8*i:], p.Offset)
			le.PutUint32(b[44+8*i:], uint32(len(p.Data)))
			at += copy(b[at:], p.Data)
		}
		le.PutUint64(b[24:], txlog.Marvin32(b[40:], txlog.LogEntrySeed))
		le.PutUint64(b[32:], txlog.Marvin32(b[:32], txlog.LogEntrySeed))
		out = append(out, b...)
	}
	return out
}

// ChangedPages returns the 4096-byte pages of after's hive bins data (after
// and before are whole hive files) that differ from before's, and every
// page past before's end: what a flush from before to after writes.
func ChangedPages(before, after []byte) []LogPage {
	var out []LogPage
	for off := baseBlockSize; off+4096 <= len(after); off += 4096 {
		page := after[off : off+4096]
		if off+4096 <= len(before) && bytes.Equal(page, before[off:off+4096]) {
			continue
		}
		out = append(out, LogPage{Offset: uint32(off - baseBlockSize), Data: page})
	}
	return out
}

// HbinsSize returns the hive bins data size a hive file's base block
// records.
func HbinsSize(file []byte) uint32 { return binary.LittleEndian.Uint32(file[offBinsSize:]) }

// MarkDirty sets a hive file's sequence numbers to seq+1 and seq (a flush
// that did not complete) and fixes its checksum.
func MarkDirty(file []byte, seq uint32) {
	le := binary.LittleEndian
	le.PutUint32(file[offSeq1:], seq+1)
	le.PutUint32(file[offSeq2:], seq)
	le.PutUint32(file[offChecksum:], Checksum(file))
}
