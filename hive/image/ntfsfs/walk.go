package ntfsfs

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Entry is one name of one MFT record met by Walk.
type Entry struct {
	// Path is the slash path from the volume root as far as the parent
	// chain resolves; a name whose parent chain is broken (a deleted
	// folder's record reused) is "$Orphan/<record>/<name>".
	Path    string
	Name    string
	Record  Record // number, sequence, $SI times, this name's $FILE_NAME times, streams
	Size    int64  // bytes of the unnamed data stream
	Dir     bool
	Deleted bool // the MFT record is free: a deleted file whose record is not reused yet
}

// WalkStats counts what Walk read.
type WalkStats struct {
	Records int // MFT records read (metadata files excluded)
	Live    int // in use
	Deleted int // free but holding a name (deleted files and folders)
	Damaged int // unreadable (bad fixups, overrunning attributes): skipped
}

// Bounds of a walk: the MFT records read and the folder depth followed.
const (
	maxWalkRecords = 1 << 26
	maxDepth       = 256
	firstUser      = 16 // records below are NTFS metadata files ($MFT ... $Extend)
	extendRecord   = 11
)

// dirName is what path building keeps of a folder record.
type dirName struct {
	parent uint64 // record number
	name   string
	seq    uint16
}

// Walk calls fn for every file and folder name of every MFT record, live
// and deleted, in record order, leaving out NTFS's metadata files and the
// contents of $Extend. A record that cannot be decoded is counted as
// damaged and skipped. It reads the MFT twice, in large chunks (folders,
// then everything), keeping one name per folder in memory; it checks ctx
// between chunks and stops at the first error fn returns.
func (f *FS) Walk(ctx context.Context, fn func(Entry) error) (WalkStats, error) {
	var st WalkStats
	n, err := f.mftRecords()
	if err != nil {
		return st, err
	}
	dirs := map[uint64]dirName{}
	err = f.scanMFT(ctx, n, func(num uint64, r *rawRecord, err error) error {
		if err == nil && r.base && r.isDir && len(r.names) > 0 {
			dirs[num] = dirName{parent: r.names[0].parent & (1<<48 - 1), name: r.names[0].name, seq: r.seq}
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	paths := map[uint64]string{rootRecord: ""}
	var pathOf func(num uint64, depth int) (string, bool)
	pathOf = func(num uint64, depth int) (string, bool) {
		if p, ok := paths[num]; ok {
			return p, true
		}
		d, ok := dirs[num]
		if !ok || depth > maxDepth || d.parent == num {
			return "", false
		}
		parent, ok := pathOf(d.parent, depth+1)
		if !ok {
			return "", false
		}
		p := path.Join(parent, d.name)
		paths[num] = p
		return p, true
	}
	err = f.scanMFT(ctx, n, func(num uint64, r *rawRecord, err error) error {
		if err != nil {
			if !errors.Is(err, errNoSignature) {
				st.Damaged++ // a never-used record has no signature: not damage
			}
			return nil
		}
		if !r.base || len(r.names) == 0 {
			return nil
		}
		st.Records++
		if r.inUse {
			st.Live++
		} else {
			st.Deleted++
		}
		seen := map[string]bool{}
		for _, fn0 := range r.names {
			parent := fn0.parent & (1<<48 - 1)
			if parent == extendRecord {
				break
			}
			dir, ok := pathOf(parent, 0)
			p := path.Join(dir, fn0.name)
			if !ok {
				p = "$Orphan/" + strconv.FormatUint(num, 10) + "/" + fn0.name
			}
			if seen[p] || strings.HasPrefix(p, "$Extend/") {
				continue
			}
			seen[p] = true
			e := Entry{Path: p, Name: fn0.name, Size: r.dataSize, Dir: r.isDir, Deleted: !r.inUse,
				Record: Record{Number: num, Sequence: r.seq, StandardInformation: r.si, FileName: fn0.times, Streams: r.streams}}
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
	return st, err
}

// walkChunk is how many bytes of the MFT one read takes.
const walkChunk = 1 << 20

// scanMFT decodes records firstUser..n-1 of the MFT in order, reading it
// in chunks, and calls fn for each (err set when it cannot be decoded).
func (f *FS) scanMFT(ctx context.Context, n uint64, fn func(num uint64, r *rawRecord, err error) error) error {
	size := f.ntfs.GetRecordSize()
	per := uint64(walkChunk / size)
	if per == 0 {
		per = 1
	}
	buf := make([]byte, per*uint64(size))
	for start := uint64(firstUser); start < n; start += per {
		if err := ctx.Err(); err != nil {
			return err
		}
		count := min(per, n-start)
		chunk := buf[:count*uint64(size)]
		var got int
		err := guard("read MFT", func() error {
			f.mu.Lock()
			defer f.mu.Unlock()
			var err error
			got, err = f.ntfs.MFTReader.ReadAt(chunk, int64(start)*size)
			if got == len(chunk) {
				err = nil
			}
			return err
		})
		for i := uint64(0); i < count; i++ {
			rec := chunk[i*uint64(size) : (i+1)*uint64(size)]
			var r rawRecord
			var perr error
			if int((i+1)*uint64(size)) > got {
				perr = fmt.Errorf("MFT record %d not readable: %v", start+i, err)
			} else {
				r, perr = parseRawRecord(rec)
			}
			if ferr := fn(start+i, &r, perr); ferr != nil {
				return ferr
			}
		}
	}
	return nil
}

// mftRecords returns how many records the MFT holds, from the size of
// $MFT's data.
func (f *FS) mftRecords() (uint64, error) {
	r, err := f.lockedRecord(0)
	if err != nil {
		return 0, fmt.Errorf("ntfs: $MFT: %w", err)
	}
	size := f.ntfs.GetRecordSize()
	if size <= 0 {
		return 0, fmt.Errorf("ntfs: MFT record size %d", size)
	}
	n := uint64(r.dataSize / size)
	if limit := uint64(f.size / size); n > limit {
		n = limit // an MFT larger than the volume is damage
	}
	if n > maxWalkRecords {
		n = maxWalkRecords
	}
	return n, nil
}

func (f *FS) lockedRecord(num uint64) (*mftRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.record(num)
}
