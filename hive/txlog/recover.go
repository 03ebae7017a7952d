package txlog

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/hivescan/hivescan/hive"
)

// Log is a transaction log file: its name (used only in reports) and bytes.
type Log struct {
	Name string
	Data []byte
}

// Applied describes a log whose changes went into Result.Data.
type Applied struct {
	Name   string
	Format string // FormatNew or FormatOld
	// FirstSeq and LastSeq are the sequence numbers of the first and last
	// log entries applied; for an old-format log both are the sequence
	// number of its base block.
	FirstSeq, LastSeq uint32
	Entries           int    // HvLE entries applied; 0 for old-format logs
	Pages             int    // dirty pages written (512 bytes each in old-format logs)
	Stop              string // why replay of this log ended, e.g. "end of log entries"
}

// Skipped names a log that contributed nothing, and why.
type Skipped struct {
	Name   string
	Reason string
}

// Result is the outcome of Recover.
type Result struct {
	// Data is the recovered hive: a new slice, never the caller's. When
	// nothing was applied it is a copy of the primary.
	Data    []byte
	Applied []Applied // in the order applied
	Skipped []Skipped // in the order given
	// Changed reports whether Data differs in content from the primary:
	// a log was applied or a base block was taken from a log.
	Changed bool
	// BaseFromLog names the log whose base block replaced the primary's
	// invalid one; empty otherwise.
	BaseFromLog string
	// Dirty and Why are NeedsRecovery's verdict on the primary.
	Dirty bool
	Why   string
}

// NeedsRecovery reports whether a primary file is dirty, that is whether
// its base block has a wrong checksum or its two sequence numbers differ,
// and says why in words. Bytes that are not a primary file are not dirty.
func NeedsRecovery(primary []byte) (bool, string) {
	bb, err := openPrimary(primary)
	if err != nil {
		return false, err.(*FormatError).Msg
	}
	return dirty(bb)
}

func dirty(bb *baseBlock) (bool, string) {
	switch {
	case !bb.checksumOK():
		return true, fmt.Sprintf("base block checksum %#08x does not match computed %#08x", bb.checksum, bb.computedSum)
	case bb.seq1 != bb.seq2:
		return true, fmt.Sprintf("primary sequence number %d differs from secondary sequence number %d", bb.seq1, bb.seq2)
	}
	return false, fmt.Sprintf("clean: sequence numbers are both %d and the base block checksum is valid", bb.seq1)
}

func openPrimary(primary []byte) (*baseBlock, error) {
	if len(primary) < baseBlockSize {
		return nil, formatError(int64(len(primary)), fmt.Sprintf("truncated primary file: %d bytes, a base block needs %d", len(primary), baseBlockSize))
	}
	bb, err := parseBaseBlock(primary)
	if err != nil {
		return nil, err
	}
	if bb.fileType != fileTypePrimary && bb.checksumOK() {
		return nil, formatError(offFileType, fmt.Sprintf("file type %d is not a primary file", bb.fileType))
	}
	return bb, nil
}

// replay is the state of the hive being recovered.
type replay struct {
	data      []byte
	limit     int64 // largest hive bins data size the inputs can justify
	hbinsSize uint32
	flags     uint32
	rootCell  uint32
}

// grow extends r.data with zeros to hold size bytes of hive bins data.
func (r *replay) grow(size uint32) {
	if need := baseBlockSize + int(size); need > len(r.data) {
		r.data = append(r.data, make([]byte, need-len(r.data))...)
	}
}

// Recover applies the transaction logs of a dirty primary file in memory,
// following the rules of msuhanov's registry format specification (and of
// yarp): new-format logs are preferred to old-format ones; new-format logs
// are applied in sequence order, each continuing the last entry applied,
// starting no earlier than the primary's secondary sequence number, and
// stopping at the first invalid entry; when the primary's base block is
// invalid, the log with the latest entries supplies the base block. The
// recovered base block has both sequence numbers set to the last one
// applied, the hive bins data size of the last entry, file type 0 and a
// fresh checksum. A clean primary is returned unchanged (as a copy), logs
// and all skipped.
//
// Recover fails only when primary is not a registry primary file (shorter
// than 4096 bytes or without the regf signature); every problem with a log
// is reported in Result.Skipped or Applied.Stop.
func Recover(primary []byte, logs []Log) (*Result, error) {
	if _, err := openPrimary(primary); err != nil {
		return nil, err
	}
	return RecoverInto(slices.Clone(primary), primary, logs)
}

// RecoverInto is Recover applying the logs to work, a copy of primary of
// the same length that it may modify (a private writable mapping of the
// primary's file, say, whose pages are copied only when a log writes them),
// or primary itself when the caller needs the primary only if nothing is
// applied: work is written only when Result.Changed, and primary is read
// before any write except for its base block, which log entries never
// write. Result.Data is work, or a longer copy of it when the logs grow the
// hive.
func RecoverInto(work, primary []byte, logs []Log) (*Result, error) {
	pb, err := openPrimary(primary)
	if err != nil {
		return nil, err
	}
	if len(work) != len(primary) {
		return nil, fmt.Errorf("recovery copy of %d bytes for a primary of %d", len(work), len(primary))
	}
	res := &Result{Data: work}
	res.Dirty, res.Why = dirty(pb)
	if !res.Dirty {
		for _, l := range logs {
			res.Skipped = append(res.Skipped, Skipped{l.Name, "primary is clean: " + res.Why})
		}
		return res, nil
	}
	valid := pb.checksumOK()

	limit := int64(len(primary))
	var news, olds []*logFile
	for i, l := range logs {
		limit += int64(len(l.Data))
		lf, why := openLog(l, i)
		if why == "" && valid && !sameHive(pb.name, lf.bb.name) {
			why = fmt.Sprintf("foreign: log names hive %q, primary names %q", lf.bb.name, pb.name)
		}
		if why != "" {
			res.Skipped = append(res.Skipped, Skipped{l.Name, why})
			continue
		}
		if lf.format == FormatNew {
			news = append(news, lf)
		} else {
			olds = append(olds, lf)
		}
	}
	r := &replay{
		data:      res.Data,
		limit:     min((limit+binAlign-1)/binAlign*binAlign-baseBlockSize, MaxHiveBinsSize),
		hbinsSize: pb.hbinsSize,
		flags:     pb.flags,
		rootCell:  pb.rootCell,
	}
	var base *logFile // the log whose base block replaces the primary's
	seq := pb.seq1    // the sequence number the recovered hive gets

	used := false
	if len(news) > 0 {
		used, base, seq = r.replayNew(res, pb, news)
	}
	if !used && len(olds) > 0 {
		used, base, seq = r.replayOld(res, pb, olds)
	} else {
		for _, lf := range olds {
			res.Skipped = append(res.Skipped, Skipped{lf.name, "old-format log ignored: new-format logs take precedence"})
		}
	}
	sortSkipped(res.Skipped, logs)
	if !used {
		return res, nil
	}
	res.Changed = true
	res.Data = r.data
	r.writeBaseBlock(primary, base, seq)
	if base != nil {
		res.BaseFromLog = base.name
	}
	return res, nil
}

// MaxHiveBinsSize bounds the hive bins data size Recover will build.
const MaxHiveBinsSize = 1<<32 - binAlign

// replayNew applies new-format logs. It reports whether anything was used,
// the log whose base block must replace the primary's (nil when the
// primary's is valid) and the final sequence number.
func (r *replay) replayNew(res *Result, pb *baseBlock, news []*logFile) (used bool, base *logFile, seq uint32) {
	seq = pb.seq1
	slices.SortStableFunc(news, func(a, b *logFile) int {
		switch {
		case seqBefore(a.bb.seq1, b.bb.seq1):
			return -1
		case seqBefore(b.bb.seq1, a.bb.seq1):
			return 1
		}
		return 0
	})
	if !pb.checksumOK() {
		// Only the log with the latest entries is used, and its base
		// block replaces the primary's.
		lf := news[len(news)-1]
		for _, o := range news[:len(news)-1] {
			res.Skipped = append(res.Skipped, Skipped{o.name, fmt.Sprintf("primary base block is invalid: only the log with the latest entries (%s) is used", lf.name)})
		}
		r.flags, r.rootCell, r.hbinsSize = lf.bb.flags, lf.bb.rootCell, lf.bb.hbinsSize
		if lf.bb.hbinsSize > uint32(len(r.data)-baseBlockSize) {
			r.hbinsSize = uint32(len(r.data)-baseBlockSize) / binAlign * binAlign
		}
		seq = lf.bb.seq1
		n, pages, last, stop := r.applyEntries(lf, lf.bb.seq1)
		if n > 0 {
			seq = last
			res.Applied = append(res.Applied, Applied{lf.name, FormatNew, lf.bb.seq1, last, n, pages, stop})
		} else {
			res.Skipped = append(res.Skipped, Skipped{lf.name, "base block used, no log entry applied: " + stop})
		}
		return true, lf, seq
	}

	var expect uint32 // sequence number the next log must start with
	tried := false
	for _, lf := range news {
		s := lf.bb.seq1
		switch {
		case tried && s != expect:
			res.Skipped = append(res.Skipped, Skipped{lf.name, fmt.Sprintf("sequence does not follow: log starts at %d, expected %d", s, expect)})
			continue
		case !tried && seqBefore(s, pb.seq2):
			res.Skipped = append(res.Skipped, Skipped{lf.name, fmt.Sprintf("already applied: log starts at sequence %d, before the primary's secondary sequence number %d", s, pb.seq2)})
			continue
		}
		if !tried {
			r.flags, r.rootCell = lf.bb.flags, lf.bb.rootCell
		}
		tried = true
		n, pages, last, stop := r.applyEntries(lf, s)
		expect = s + uint32(n)
		if n == 0 {
			res.Skipped = append(res.Skipped, Skipped{lf.name, "no log entry applied: " + stop})
			continue
		}
		used = true
		seq = last
		res.Applied = append(res.Applied, Applied{lf.name, FormatNew, s, last, n, pages, stop})
	}
	return used, nil, seq
}

// replayOld applies the old-format log with the latest timestamp, if its
// timestamp is not older than the primary's.
func (r *replay) replayOld(res *Result, pb *baseBlock, olds []*logFile) (used bool, base *logFile, seq uint32) {
	seq = pb.seq1
	lf := slices.MaxFunc(olds, func(a, b *logFile) int {
		// Latest timestamp wins; on a tie the earlier in the caller's order.
		return cmp.Or(cmp.Compare(a.bb.written, b.bb.written), cmp.Compare(b.order, a.order))
	})
	for _, o := range olds {
		if o != lf {
			res.Skipped = append(res.Skipped, Skipped{o.name, fmt.Sprintf("an old-format log with a later or equal timestamp (%s) is used", lf.name)})
		}
	}
	primaryTS := pb.written
	if !pb.checksumOK() {
		primaryTS = 0
		if len(r.data) >= firstBinHdrEnd && string(r.data[baseBlockSize:baseBlockSize+4]) == "hbin" {
			primaryTS = binary.LittleEndian.Uint64(r.data[firstBinTSOff:])
		}
	}
	if lf.bb.written < primaryTS {
		res.Skipped = append(res.Skipped, Skipped{lf.name, fmt.Sprintf("log timestamp %#x is older than the primary's %#x", lf.bb.written, primaryTS)})
		return false, nil, seq
	}
	pages, stop := r.applyOld(lf)
	if stop != "" {
		res.Skipped = append(res.Skipped, Skipped{lf.name, stop})
		return false, nil, seq
	}
	res.Applied = append(res.Applied, Applied{lf.name, FormatOld, lf.bb.seq1, lf.bb.seq1, 0, pages, "end of dirty pages"})
	if !pb.checksumOK() {
		return true, lf, lf.bb.seq1
	}
	return true, nil, seq
}

// writeBaseBlock writes the recovered base block into r.data: the primary's
// (or, when base is not nil, the first 512 bytes of base's, the rest
// zero), with synchronised sequence numbers, the final hive bins data size,
// flags and root cell, file type 0 and a fresh checksum.
func (r *replay) writeBaseBlock(primary []byte, base *logFile, seq uint32) {
	bb := r.data[:baseBlockSize]
	if base != nil {
		clear(bb)
		copy(bb, base.data[:logBaseBlockSize])
	} else {
		copy(bb, primary[:baseBlockSize])
	}
	le := binary.LittleEndian
	le.PutUint32(bb[offSeq1:], seq)
	le.PutUint32(bb[offSeq2:], seq)
	le.PutUint32(bb[offFileType:], fileTypePrimary)
	le.PutUint32(bb[offRootCell:], r.rootCell)
	le.PutUint32(bb[offHbinsSize:], r.hbinsSize)
	le.PutUint32(bb[offFlags:], r.flags)
	le.PutUint32(bb[offChecksum:], hive.Checksum(bb))
}

// sortSkipped orders skipped logs as the caller gave them.
func sortSkipped(s []Skipped, logs []Log) {
	pos := make(map[string]int, len(logs))
	for i := len(logs) - 1; i >= 0; i-- {
		pos[logs[i].Name] = i
	}
	slices.SortStableFunc(s, func(a, b Skipped) int { return cmp.Compare(pos[a.Name], pos[b.Name]) })
}
