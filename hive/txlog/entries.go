package txlog

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// Entry is a new-format (HvLE) log entry whose hashes are valid: the pages
// a flush wrote, as they were at that moment.
type Entry struct {
	Log       string // the log's name
	Offset    int    // of the entry in the log
	Seq       uint32 // its sequence number
	HbinsSize uint32 // the hive bins data size after it
	Pages     []Page // in the entry's order
}

// Page is one dirty page of an entry. Data aliases the log's bytes.
type Page struct {
	Offset uint32 // relative to the start of the hive bins data
	Data   []byte
}

// Entries returns every log entry of a hive's new-format logs whose hashes
// are valid, whatever the state of the primary: the entries recovery
// applies and the older ones earlier flushes left in the log (remnants past
// the last entry written, found at 512-byte steps). Entries are sorted by
// sequence number, then by log and offset; an entry repeated byte for byte
// in two logs is listed once. A log that is not new-format, is damaged, or
// names another hive than hiveName (when both names are known) is listed
// in skipped with the reason. limit bounds the hive bins data size an
// entry may claim (see Recover: the sizes of the primary and the logs).
func Entries(hiveName string, logs []Log, limit int64) (entries []Entry, skipped []Skipped) {
	le := binary.LittleEndian
	limit = min(limit, MaxHiveBinsSize)
	for i, l := range logs {
		lf, why := openLog(l, i)
		switch {
		case why != "":
			skipped = append(skipped, Skipped{l.Name, why})
			continue
		case lf.format != FormatNew:
			skipped = append(skipped, Skipped{l.Name, "old-format log: it holds one dirty vector, not a history of entries"})
			continue
		case !sameHive(hiveName, lf.bb.name):
			skipped = append(skipped, Skipped{l.Name, "foreign: log names hive " + lf.bb.name})
			continue
		}
		for off := logBaseBlockSize; off+entryHeaderSize <= len(lf.data); {
			if string(lf.data[off:off+4]) != "HvLE" {
				off += logSector
				continue
			}
			e, _ := parseEntry(lf.data, off, le.Uint32(lf.data[off+12:]), limit)
			if e == nil {
				off += logSector
				continue
			}
			body := lf.data[off : off+e.size]
			out := Entry{Log: l.Name, Offset: off, Seq: e.seq, HbinsSize: e.hbinsSize, Pages: make([]Page, 0, e.count)}
			src := entryHeaderSize + e.count*pageRefSize
			for j := range e.count {
				ref := body[entryHeaderSize+j*pageRefSize:]
				poff, psize := le.Uint32(ref), int(le.Uint32(ref[4:]))
				out.Pages = append(out.Pages, Page{Offset: poff, Data: body[src : src+psize]})
				src += psize
			}
			entries = append(entries, out)
			off += e.size
		}
	}
	slices.SortStableFunc(entries, func(a, b Entry) int {
		if a.Seq != b.Seq {
			if seqBefore(a.Seq, b.Seq) {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Log, b.Log)
	})
	return slices.CompactFunc(entries, sameEntry), skipped
}

func sameEntry(a, b Entry) bool {
	if a.Seq != b.Seq || a.HbinsSize != b.HbinsSize || len(a.Pages) != len(b.Pages) {
		return false
	}
	for i := range a.Pages {
		if a.Pages[i].Offset != b.Pages[i].Offset || string(a.Pages[i].Data) != string(b.Pages[i].Data) {
			return false
		}
	}
	return true
}
