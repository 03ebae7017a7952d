// Package ntfsfs serves an NTFS volume as a read-only io/fs.FS.
//
// Names are looked up case-insensitively, as Windows does; an exact match
// wins over a case-folded one when a directory holds both. Names that no
// io/fs path can hold ("..", "a/b", ...) are served under an alias, and
// every name Windows could not open as written is listed in the Record of
// the files below it (see OddName). Directory
// listings come from the directory's $I30 index (no whole-volume walk);
// DOS 8.3 aliases are left out. File contents are the unnamed $DATA
// stream, resident or not, sparse or compressed. FileInfo.Sys returns a
// *Record with the MFT record number and the NTFS timestamps.
//
// The volume is parsed by www.velocidex.com/golang/go-ntfs. Every call
// into it is serialized, and a panic inside it is returned as a
// *PanicError; nothing is printed.
package ntfsfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"www.velocidex.com/golang/go-ntfs/parser"
)

const (
	rootRecord = 5
	// maxRecord bounds MFT record numbers taken from index entries.
	maxRecord = 1 << 40
	// maxReadFile bounds ReadFile; larger files are read with Open.
	maxReadFile = 1 << 31
	// maxCachedDirs bounds the directory listings kept in memory.
	maxCachedDirs = 256
)

// Timestamps are NTFS times in UTC with their full 100 ns precision; a
// zero value means the field was zero on disk.
type Timestamps struct {
	Created    time.Time
	Modified   time.Time
	MFTChanged time.Time
	Accessed   time.Time
}

// Record is what FileInfo.Sys returns: the file's MFT record and times.
type Record struct {
	Number              uint64 // MFT record number
	Sequence            uint16
	StandardInformation Timestamps // $STANDARD_INFORMATION
	FileName            Timestamps // the Win32 (or POSIX) $FILE_NAME in the record
	// Streams are the file's named data streams (alternate data streams),
	// in record order; at most maxStreams.
	Streams []Stream
	// OddNames are the names on the path the file was opened by that
	// Windows cannot open as written, outermost first (see OddName).
	OddNames []OddName
}

// Stream is a named data stream of a file.
type Stream struct {
	Name string
	Size int64 // bytes of its data
}

// maxStreams bounds the named streams listed for one file; maxNames the
// names (hard links) kept for one record.
const (
	maxStreams = 64
	maxNames   = 64
)

// FS is a read-only NTFS file system. It is safe for concurrent use.
type FS struct {
	mu   sync.Mutex
	ntfs *parser.NTFSContext
	size int64
	dirs map[uint64][]dirent
}

var (
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadFileFS = (*FS)(nil)
)

// ErrNotNTFS is returned by New when the boot sector is not NTFS.
var ErrNotNTFS = errors.New("ntfs: no NTFS boot sector")

// New opens the NTFS volume of size bytes that r reads from offset 0.
func New(r io.ReaderAt, size int64) (*FS, error) {
	quiet()
	boot := make([]byte, 512)
	if n, _ := r.ReadAt(boot, 0); n < len(boot) {
		return nil, fmt.Errorf("%w: volume shorter than a boot sector", ErrNotNTFS)
	}
	if string(boot[3:11]) != "NTFS    " || boot[510] != 0x55 || boot[511] != 0xAA {
		return nil, ErrNotNTFS
	}
	paged, err := parser.NewPagedReader(io.NewSectionReader(r, 0, size), 4096, 1024)
	if err != nil {
		return nil, fmt.Errorf("ntfs: %w", err)
	}
	f := &FS{size: size, dirs: make(map[uint64][]dirent)}
	err = guard("open volume", func() error {
		ctx, err := parser.GetNTFSContext(paged, 0)
		if err != nil {
			return err
		}
		f.ntfs = ctx
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ntfs: %w", err)
	}
	// The root must be a readable directory, else nothing else will be.
	if _, err := f.ReadDir("."); err != nil {
		return nil, err
	}
	return f, nil
}

// mftRecord is what the FS needs from one MFT record.
type mftRecord struct {
	Record
	inUse    bool
	isDir    bool
	dataSize int64
	hasData  bool
	entry    *parser.MFT_ENTRY
}

// record loads MFT record num. Call with f.mu held.
func (f *FS) record(num uint64) (*mftRecord, error) {
	if num >= maxRecord {
		return nil, fmt.Errorf("ntfs: MFT record %d out of range", num)
	}
	r := &mftRecord{}
	err := guard(fmt.Sprintf("MFT record %d", num), func() error {
		e, err := f.ntfs.GetMFT(int64(num))
		if err != nil {
			return err
		}
		if !e.Magic().IsValid() {
			return fmt.Errorf("MFT record %d: bad signature", num)
		}
		r.entry = e
		r.Number = num
		r.Sequence = e.Sequence_value()
		flags := e.Flags().Value
		r.inUse = flags&1 != 0
		r.isDir = flags&2 != 0
		bestNS := -1
		for _, a := range e.EnumerateAttributes(f.ntfs) {
			switch a.Type().Value {
			case attrStandardInformation:
				b := readResident(f.ntfs, a, 72)
				if len(b) >= 32 {
					r.StandardInformation = Timestamps{
						Created:    fileTime(le64(b[0:])),
						Modified:   fileTime(le64(b[8:])),
						MFTChanged: fileTime(le64(b[16:])),
						Accessed:   fileTime(le64(b[24:])),
					}
				}
			case attrFileName:
				fn, ok := parseFileName(readResident(f.ntfs, a, 66+2*255))
				if !ok {
					continue
				}
				rank := map[byte]int{nsWin32: 3, nsBoth: 3, nsPOSIX: 2, nsDOS: 1}[fn.ns]
				if rank > bestNS {
					bestNS = rank
					r.FileName = fn.times
				}
			case attrData:
				if a.IsResident() || a.Runlist_vcn_start() == 0 {
					if name := a.Name(); name == "" && !r.hasData {
						r.hasData = true
						r.dataSize = a.DataSize()
					} else if name != "" && len(r.Streams) < maxStreams {
						r.Streams = append(r.Streams, Stream{Name: name, Size: a.DataSize()})
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if r.dataSize < 0 {
		return nil, fmt.Errorf("ntfs: MFT record %d: data size %d", num, r.dataSize)
	}
	return r, nil
}

func le64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// readResident returns up to max bytes of an attribute's content.
func readResident(ntfs *parser.NTFSContext, a *parser.NTFS_ATTRIBUTE, max int) []byte {
	size := a.DataSize()
	if size <= 0 {
		return nil
	}
	if size < int64(max) {
		max = int(size)
	}
	b := make([]byte, max)
	n, _ := a.Data(ntfs).ReadAt(b, 0)
	return b[:n]
}

// listDir returns the entries of the directory in MFT record num, sorted
// by name. Call with f.mu held.
func (f *FS) listDir(num uint64) ([]dirent, error) {
	if d, ok := f.dirs[num]; ok {
		return d, nil
	}
	r, err := f.record(num)
	if err != nil {
		return nil, err
	}
	var out []dirent
	err = guard(fmt.Sprintf("directory index of record %d", num), func() error {
		var root *parser.NTFS_ATTRIBUTE
		var allocSize int64 = -1
		for _, a := range r.entry.EnumerateAttributes(f.ntfs) {
			switch {
			case a.Type().Value == attrIndexRoot && a.Name() == "$I30":
				root = a
			case a.Type().Value == attrIndexAllocation && a.Name() == "$I30" && a.Runlist_vcn_start() == 0:
				allocSize = a.DataSize()
			}
		}
		if root == nil {
			return fmt.Errorf("MFT record %d is not a directory", num)
		}
		rb := readResident(f.ntfs, root, 64<<10)
		if len(rb) < 32 {
			return fmt.Errorf("MFT record %d: index root of %d bytes", num, len(rb))
		}
		blockSize := int(le64(append(rb[8:12:12], 0, 0, 0, 0)))
		var err error
		out, err = parseNode(rb[16:], out)
		if err != nil {
			return fmt.Errorf("index root: %w", err)
		}
		if allocSize <= 0 {
			return nil
		}
		if blockSize < 512 || blockSize > 64<<10 || blockSize&(blockSize-1) != 0 {
			return fmt.Errorf("index block size %d", blockSize)
		}
		alloc, err := parser.OpenStream(f.ntfs, r.entry, attrIndexAllocation, parser.WILDCARD_STREAM_ID, "$I30")
		if err != nil {
			return fmt.Errorf("index allocation: %w", err)
		}
		var bitmap []byte
		if bm, err := parser.OpenStream(f.ntfs, r.entry, attrBitmap, parser.WILDCARD_STREAM_ID, "$I30"); err == nil {
			blocks := allocSize / int64(blockSize)
			if blocks > maxIndexBytes/512 {
				blocks = maxIndexBytes / 512
			}
			bitmap = make([]byte, (blocks+7)/8)
			n, _ := bm.ReadAt(bitmap, 0)
			bitmap = bitmap[:n]
		}
		out, err = readIndexBlocks(alloc, allocSize, blockSize, bitmap, out)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ntfs: %w", err)
	}
	out = aliasNames(num, out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	// Hard links to the same record under one name and duplicate keys are
	// listed once.
	uniq := out[:0]
	for i, d := range out {
		if i > 0 && d.name == out[i-1].name {
			continue
		}
		uniq = append(uniq, d)
	}
	if len(f.dirs) >= maxCachedDirs {
		clear(f.dirs)
	}
	f.dirs[num] = uniq
	return uniq, nil
}

// aliasNames drops the folder's link to itself (the root's "." entry) and
// gives names that no io/fs path can hold their alias (see OddName).
func aliasNames(num uint64, list []dirent) []dirent {
	taken := make(map[string]bool, len(list))
	for _, d := range list {
		if !needsAlias(d.name) {
			taken[d.name] = true
		}
	}
	out := list[:0]
	for _, d := range list {
		if d.name == "." && d.record() == num {
			continue
		}
		if needsAlias(d.name) {
			d.raw = d.name
			d.name = alias(d.name)
			if taken[d.name] {
				d.name += "~" + strconv.FormatUint(d.record(), 10)
			}
			taken[d.name] = true
		}
		out = append(out, d)
	}
	return out
}

// find returns the entry named name in a sorted listing: the exact name
// if present, else the first case-insensitive match.
func find(list []dirent, name string) (dirent, bool) {
	i := sort.Search(len(list), func(i int) bool { return list[i].name >= name })
	if i < len(list) && list[i].name == name {
		return list[i], true
	}
	for _, d := range list {
		if strings.EqualFold(d.name, name) {
			return d, true
		}
	}
	return dirent{}, false
}

// resolve walks name from the root. It returns the entry of the last
// component (a synthetic one for the root). Call with f.mu held.
// The odd names met on the way are returned too (see OddName).
func (f *FS) resolve(op, name string) (dirent, []OddName, error) {
	if !fs.ValidPath(name) {
		return dirent{}, nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	cur := dirent{name: ".", ref: rootRecord, isDir: true}
	if name == "." {
		return cur, nil, nil
	}
	var odd []OddName
	at := "."
	for _, c := range strings.Split(name, "/") {
		if !cur.isDir {
			return dirent{}, nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		list, err := f.listDir(cur.record())
		if err != nil {
			return dirent{}, nil, &fs.PathError{Op: op, Path: name, Err: err}
		}
		d, ok := find(list, c)
		if !ok {
			return dirent{}, nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		next := path.Join(at, d.name)
		raw := d.name
		if d.raw != "" {
			raw = d.raw
		}
		if why := oddReason(raw); why != "" {
			odd = append(odd, OddName{Path: next, Parent: at, Raw: raw, Record: d.record(), Dir: d.isDir, Reason: why})
		}
		cur, at = d, next
	}
	return cur, odd, nil
}

// stat loads the record behind d and checks it still belongs to d. Call
// with f.mu held.
func (f *FS) stat(op, name string, d dirent) (*mftRecord, *fileInfo, error) {
	r, err := f.record(d.record())
	if err != nil {
		return nil, nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	if !r.inUse || (d.ref != rootRecord && d.sequence() != 0 && d.sequence() != r.Sequence) {
		return nil, nil, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("%w: stale index entry (MFT record %d reused or free)", fs.ErrNotExist, d.record())}
	}
	base := d.name // the name as stored, whatever case was asked for
	fi := &fileInfo{name: base, rec: r.Record, isDir: d.isDir || r.isDir, size: r.dataSize}
	if fi.isDir {
		fi.size = 0
	}
	return r, fi, nil
}

// Stat returns the FileInfo of name; Sys() is a *Record.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, odd, err := f.resolve("stat", name)
	if err != nil {
		return nil, err
	}
	_, fi, err := f.stat("stat", name, d)
	if err != nil {
		return nil, err
	}
	fi.rec.OddNames = odd
	return fi, nil
}

// ReadDir lists the directory name, sorted by file name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, _, err := f.resolve("readdir", name)
	if err != nil {
		return nil, err
	}
	if !d.isDir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	list, err := f.listDir(d.record())
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, len(list))
	for i, e := range list {
		out[i] = &dirEntry{fs: f, dir: name, d: e}
	}
	return out, nil
}

// ReadFile returns the contents of name; files over 2 GiB are refused
// (read them through Open).
func (f *FS) ReadFile(name string) ([]byte, error) {
	file, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	fl, ok := file.(*File)
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	if fl.size > maxReadFile {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("file of %d bytes exceeds %d", fl.size, maxReadFile)}
	}
	buf := make([]byte, fl.size)
	n, err := fl.ReadAt(buf, 0)
	if err != nil && !(err == io.EOF && n == len(buf)) {
		return nil, err
	}
	return buf, nil
}

// Open opens name for reading: a *File for files, an fs.ReadDirFile for
// directories.
func (f *FS) Open(name string) (fs.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, odd, err := f.resolve("open", name)
	if err != nil {
		return nil, err
	}
	r, fi, err := f.stat("open", name, d)
	if err != nil {
		return nil, err
	}
	fi.rec.OddNames = odd
	if fi.isDir {
		return &dir{fs: f, name: name, info: fi, rec: d.record()}, nil
	}
	var stream parser.RangeReaderAt
	if r.hasData {
		err = guard("open data stream", func() error {
			var err error
			stream, err = parser.OpenStream(f.ntfs, r.entry, attrData, parser.WILDCARD_STREAM_ID, "")
			return err
		})
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
	}
	file := &File{fs: f, name: name, info: fi, stream: stream, size: fi.size}
	return file, nil
}
