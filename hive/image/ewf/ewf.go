// Package ewf reads EnCase Expert Witness (EWF-E01) images, single or split
// into segments (.E01, .E02, ...), as an io.ReaderAt over the acquired
// media. Chunks are read and decompressed on demand; a small cache keeps the
// most recently used ones. Files are opened read-only.
package ewf

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"os"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zlib"

	"github.com/hivescan/hivescan/hive/image/internal/lru"
	"github.com/hivescan/hivescan/hive/internal/formaterr"

	"github.com/hivescan/hivescan/hive/image/internal/readfull"
)

// Signature starts every EWF-E01 segment file.
const Signature = "EVF\x09\x0d\x0a\xff\x00"

// Limits on values read from the file.
const (
	maxChunkSize   = 64 << 20 // bytes per chunk
	maxCacheBytes  = 64 << 20 // decompressed chunks kept
	maxCacheChunks = 16
	maxHeaderText  = 1 << 20 // decompressed header section
	sectionDescLen = 76
	fileHeaderLen  = 13
)

// ErrNoStoredHash is returned by Verify when the image stores no MD5.
var ErrNoStoredHash = errors.New("ewf: image stores no MD5 hash")

// FormatError reports a malformed image: Format is "ewf", File "segment N"
// (1-based), Offset the byte offset in that segment file, Msg what is wrong.
// It is the FormatError of every hive package; errors.Is matches it with
// hive.ErrDamaged.
type FormatError = formaterr.Error

func formatError(segment int, off int64, msg string) *FormatError {
	return &FormatError{Format: "ewf", File: fmt.Sprintf("segment %d", segment), Offset: off, Msg: msg}
}

// Header holds the case metadata of the header sections, as recorded.
type Header struct {
	CaseNumber      string
	EvidenceNumber  string
	Description     string
	Examiner        string
	Notes           string
	Software        string // acquisition software version
	OS              string // operating system used for the acquisition
	AcquisitionDate string // as stored: "2006 5 31 14 27 30" or a Unix time
	SystemDate      string
	// Fields holds every field by its EWF key (c, n, a, e, t, av, ov, m, u, ...).
	Fields map[string]string
}

// SectorRange is a run of Count sectors starting at sector First.
type SectorRange struct {
	First, Count uint64
}

// Reader reads the media of an EWF image. It is safe for concurrent use.
type Reader struct {
	// Segments lists the segment files read, in order (empty for NewReader).
	Segments []string
	// Header is the case metadata, zero when the image has no header section.
	Header Header
	// BytesPerSector and SectorsPerChunk describe the media layout.
	BytesPerSector  uint32
	SectorsPerChunk uint32
	// MD5 and SHA1 are the hashes stored at acquisition (hash and digest
	// sections), nil when absent.
	MD5  []byte
	SHA1 []byte
	// AcquisitionErrors lists the sector ranges the acquisition could not
	// read (error2 section); the image holds zeros there.
	AcquisitionErrors []SectorRange

	size      int64
	chunkSize int64
	segs      []*segment
	tables    []tableRef
	read      atomic.Int64

	mu     sync.Mutex
	cache  *lru.Cache
	tcache *lru.Cache // decoded table entries, keyed by table index
	// Reused for every compressed chunk (r.mu held): the stored bytes and
	// the zlib reader with its 32 KiB window.
	stored []byte
	zsrc   bytes.Reader
	zr     io.ReadCloser
}

type segment struct {
	r        io.ReaderAt
	size     int64
	closer   io.Closer
	sections []int64 // section start offsets, ascending
}

// tableRef locates one table section: the chunks it maps and where its
// entries are; alt is the matching table2 copy, or -1.
type tableRef struct {
	first   int64 // first chunk number
	count   int64
	seg     int
	entries int64 // offset of the entry array
	base    int64
	alt     int64
	footer  bool // entry array followed by its Adler-32
}

// Open opens the EWF image whose first segment is name; the other segments
// are found beside it by name.
func Open(name string) (*Reader, error) {
	r := &Reader{}
	for n := 1; ; n++ {
		segName := name
		if n > 1 {
			var ok bool
			if segName, ok = SegmentName(name, n); !ok {
				r.Close()
				return nil, fmt.Errorf("ewf: %s: no name for segment %d", name, n)
			}
		}
		f, err := os.Open(segName)
		if err != nil {
			r.Close()
			if n > 1 && errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("ewf: segment %d missing: %w", n, err)
			}
			return nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			r.Close()
			return nil, err
		}
		r.Segments = append(r.Segments, segName)
		done, err := r.addSegment(f, st.Size(), f)
		if err != nil {
			r.Close()
			return nil, err
		}
		if done {
			break
		}
	}
	if err := r.finish(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads an image from its segments, in order, with their sizes.
func NewReader(segments []io.ReaderAt, sizes []int64) (*Reader, error) {
	if len(segments) != len(sizes) || len(segments) == 0 {
		return nil, errors.New("ewf: NewReader needs one size per segment")
	}
	r := &Reader{}
	for i, s := range segments {
		done, err := r.addSegment(s, sizes[i], nil)
		if err != nil {
			return nil, err
		}
		if done != (i == len(segments)-1) {
			if done {
				return nil, formatError(i+1, 0, "done section before the last segment")
			}
			return nil, formatError(i+1, sizes[i], "last segment ends with next, not done: segments missing")
		}
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return r, nil
}

// readFull reads len(p) bytes at off of segment s, counting them.
func (r *Reader) readFull(s *segment, p []byte, off int64) error {
	return readfull.At(s.r, s.size, p, off, &r.read)
}

// addSegment walks the sections of the next segment; done reports a done
// section (last segment).
func (r *Reader) addSegment(ra io.ReaderAt, size int64, c io.Closer) (done bool, err error) {
	s := &segment{r: ra, size: size, closer: c}
	r.segs = append(r.segs, s)
	num := len(r.segs)
	ferr := func(off int64, format string, args ...any) error {
		return formatError(num, off, fmt.Sprintf(format, args...))
	}
	var fh [fileHeaderLen]byte
	if err := r.readFull(s, fh[:], 0); err != nil {
		return false, ferr(0, "file header: %v", err)
	}
	if string(fh[:8]) != Signature {
		return false, ferr(0, "not an EWF-E01 segment (signature %q)", fh[:8])
	}
	if got := binary.LittleEndian.Uint16(fh[9:]); int(got) != num {
		return false, ferr(9, "segment number %d, want %d", got, num)
	}
	off := int64(fileHeaderLen)
	var desc [sectionDescLen]byte
	for {
		if err := r.readFull(s, desc[:], off); err != nil {
			return false, ferr(off, "section descriptor: %v (truncated segment?)", err)
		}
		if sum := binary.LittleEndian.Uint32(desc[72:]); sum != adler32.Checksum(desc[:72]) {
			return false, ferr(off, "section descriptor checksum mismatch")
		}
		typ := string(bytes.TrimRight(desc[:16], "\x00"))
		next := int64(binary.LittleEndian.Uint64(desc[16:]))
		secSize := int64(binary.LittleEndian.Uint64(desc[24:]))
		s.sections = append(s.sections, off)
		data := off + sectionDescLen
		dataLen := secSize - sectionDescLen
		if secSize < sectionDescLen || secSize > size-off {
			dataLen = 0
			if typ != "done" && typ != "next" {
				return false, ferr(off, "%s section size %d out of range", typ, secSize)
			}
		}
		switch typ {
		case "header", "header2":
			if r.Header.Fields == nil {
				r.parseHeader(s, data, dataLen, typ == "header2")
			}
		case "volume", "disk", "data":
			if r.chunkSize == 0 {
				if err := r.parseVolume(s, data, dataLen, num); err != nil {
					return false, err
				}
			}
		case "table":
			if err := r.addTable(s, num, data, dataLen); err != nil {
				return false, err
			}
		case "table2":
			if len(r.tables) > 0 {
				if t := &r.tables[len(r.tables)-1]; t.seg == num-1 && t.alt < 0 && dataLen >= 24 {
					t.alt = data + 24
				}
			}
		case "hash":
			if dataLen >= 16 {
				r.MD5 = r.readHash(s, data, 16)
			}
		case "digest":
			if dataLen >= 36 {
				if h := r.readHash(s, data, 16); h != nil {
					r.MD5 = h
				}
				r.SHA1 = r.readHash(s, data+16, 20)
			}
		case "error2":
			if err := r.parseErrors(s, num, data, dataLen); err != nil {
				return false, err
			}
		case "done", "next":
			return typ == "done", nil
		}
		if next <= off || next > size-sectionDescLen {
			return false, ferr(off, "%s section: next section offset %d out of range (truncated segment?)", typ, next)
		}
		off = next
	}
}

func (r *Reader) readHash(s *segment, off int64, n int) []byte {
	h := make([]byte, n)
	if r.readFull(s, h, off) != nil || bytes.Count(h, []byte{0}) == n {
		return nil
	}
	return h
}

func (r *Reader) parseVolume(s *segment, off, n int64, num int) error {
	if n < 24 {
		return formatError(num, off, fmt.Sprintf("volume section too short (%d bytes)", n))
	}
	var v [24]byte
	if err := r.readFull(s, v[:], off); err != nil {
		return formatError(num, off, "volume section: "+err.Error())
	}
	spc := binary.LittleEndian.Uint32(v[8:])
	bps := binary.LittleEndian.Uint32(v[12:])
	sectors := binary.LittleEndian.Uint64(v[16:])
	if n < 1052 { // EWF-S01 layout: 32-bit sector count
		sectors &= 0xffffffff
	}
	if bps == 0 || spc == 0 || uint64(bps)*uint64(spc) > maxChunkSize {
		return formatError(num, off, fmt.Sprintf("bad chunk layout: %d sectors of %d bytes", spc, bps))
	}
	if sectors > (1<<62)/uint64(bps) {
		return formatError(num, off+16, fmt.Sprintf("sector count %d out of range", sectors))
	}
	r.BytesPerSector, r.SectorsPerChunk = bps, spc
	r.chunkSize = int64(bps) * int64(spc)
	r.size = int64(sectors) * int64(bps)
	return nil
}

// parseErrors reads an error2 section: a count, 512 bytes, a checksum,
// then (first sector, sector count) pairs of 32-bit values.
func (r *Reader) parseErrors(s *segment, num int, off, n int64) error {
	var h [520]byte
	if n < int64(len(h)) {
		return formatError(num, off, "error2 section too short")
	}
	if err := r.readFull(s, h[:], off); err != nil {
		return formatError(num, off, "error2 section: "+err.Error())
	}
	if binary.LittleEndian.Uint32(h[516:]) != adler32.Checksum(h[:516]) {
		return formatError(num, off, "error2 header checksum mismatch")
	}
	count := int64(binary.LittleEndian.Uint32(h[:]))
	if count > (n-520)/8 {
		return formatError(num, off, fmt.Sprintf("%d error entries do not fit the %d-byte section", count, n))
	}
	b := make([]byte, count*8)
	if err := r.readFull(s, b, off+520); err != nil {
		return formatError(num, off+520, "error2 entries: "+err.Error())
	}
	for i := int64(0); i < count; i++ {
		r.AcquisitionErrors = append(r.AcquisitionErrors, SectorRange{
			First: uint64(binary.LittleEndian.Uint32(b[8*i:])),
			Count: uint64(binary.LittleEndian.Uint32(b[8*i+4:])),
		})
	}
	return nil
}

func (r *Reader) addTable(s *segment, num int, off, n int64) error {
	var h [24]byte
	if n < 24 {
		return formatError(num, off, "table section too short")
	}
	if err := r.readFull(s, h[:], off); err != nil {
		return formatError(num, off, "table header: "+err.Error())
	}
	if binary.LittleEndian.Uint32(h[20:]) != adler32.Checksum(h[:20]) {
		return formatError(num, off, "table header checksum mismatch")
	}
	count := int64(binary.LittleEndian.Uint32(h[:]))
	if count > (n-24)/4 {
		return formatError(num, off, fmt.Sprintf("table of %d entries does not fit its %d-byte section", count, n))
	}
	var first int64
	if len(r.tables) > 0 {
		last := r.tables[len(r.tables)-1]
		first = last.first + last.count
	}
	r.tables = append(r.tables, tableRef{
		first:   first,
		count:   count,
		seg:     num - 1,
		entries: off + 24,
		base:    int64(binary.LittleEndian.Uint64(h[8:])),
		alt:     -1,
		footer:  n-24 >= count*4+4,
	})
	return nil
}

func (r *Reader) finish() error {
	if r.chunkSize == 0 {
		return formatError(1, 0, "no volume section")
	}
	var mapped int64
	if len(r.tables) > 0 {
		last := r.tables[len(r.tables)-1]
		mapped = last.first + last.count
	}
	if need := (r.size + r.chunkSize - 1) / r.chunkSize; mapped < need {
		return formatError(len(r.segs), 0, fmt.Sprintf("tables map %d chunks, media needs %d (segments missing or truncated)", mapped, need))
	}
	per := max(1, min(maxCacheChunks, int(maxCacheBytes/r.chunkSize)))
	r.cache = lru.New(per)
	r.tcache = lru.New(4)
	return nil
}

// Size returns the media size in bytes.
func (r *Reader) Size() int64 { return r.size }

// ChunkSize returns the number of media bytes per chunk.
func (r *Reader) ChunkSize() int64 { return r.chunkSize }

// BytesRead returns the number of bytes read from the segment files.
func (r *Reader) BytesRead() int64 { return r.read.Load() }

// Close closes the segment files.
func (r *Reader) Close() error {
	var errs []error
	for _, s := range r.segs {
		if s.closer != nil {
			errs = append(errs, s.closer.Close())
		}
	}
	r.segs = nil
	return errors.Join(errs...)
}

// ReadAt implements io.ReaderAt over the media.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("ewf: negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		idx := pos / r.chunkSize
		r.mu.Lock()
		chunk, err := r.chunk(idx)
		if err != nil {
			r.mu.Unlock()
			return n, err
		}
		in := pos - idx*r.chunkSize
		m := copy(p[n:], chunk[in:min(int64(len(chunk)), r.size-idx*r.chunkSize)])
		r.mu.Unlock()
		n += m
	}
	return n, nil
}

// chunk returns the media bytes of chunk idx; r.mu is held.
func (r *Reader) chunk(idx int64) ([]byte, error) {
	if b, ok := r.cache.Get(idx); ok {
		return b, nil
	}
	ti := r.findTable(idx)
	t := r.tables[ti]
	s := r.segs[t.seg]
	entries, err := r.tableEntries(ti)
	if err != nil {
		return nil, err
	}
	i := idx - t.first
	e := entries[i]
	start := t.base + int64(e&0x7fffffff)
	var end int64
	if i+1 < int64(len(entries)) {
		end = t.base + int64(entries[i+1]&0x7fffffff)
	} else {
		end = s.size
		for _, sec := range s.sections {
			if sec > start {
				end = sec
				break
			}
		}
	}
	ferr := func(msg string) error {
		return formatError(t.seg+1, start, fmt.Sprintf("chunk %d: %s", idx, msg))
	}
	want := min(r.chunkSize, r.size-idx*r.chunkSize)
	stored := end - start
	compressed := e&0x80000000 != 0
	limit := r.chunkSize + 4
	if compressed {
		limit = 2*r.chunkSize + 1024
	}
	if stored <= 0 || stored > limit || start < 0 || end > s.size {
		return nil, ferr(fmt.Sprintf("stored size %d out of range", stored))
	}
	var buf []byte
	if compressed {
		if int64(cap(r.stored)) < stored {
			r.stored = make([]byte, limit)
		}
		buf = r.stored[:stored]
	} else {
		buf = make([]byte, stored) // kept in the cache
	}
	if err := r.readFull(s, buf, start); err != nil {
		return nil, ferr(err.Error())
	}
	var data []byte
	if compressed {
		r.zsrc.Reset(buf)
		var err error
		if r.zr == nil {
			r.zr, err = zlib.NewReader(&r.zsrc)
		} else {
			err = r.zr.(zlib.Resetter).Reset(&r.zsrc, nil)
		}
		if err != nil {
			return nil, ferr("zlib: " + err.Error())
		}
		data = make([]byte, r.chunkSize)
		m, err := io.ReadFull(r.zr, data)
		if err != nil && err != io.ErrUnexpectedEOF {
			return nil, ferr("zlib: " + err.Error())
		}
		if int64(m) < want {
			return nil, ferr(fmt.Sprintf("decompressed to %d bytes, want %d", m, want))
		}
		var one [1]byte
		if _, err := r.zr.Read(one[:]); err != io.EOF {
			return nil, ferr("zlib: stream longer than a chunk or bad checksum")
		}
		data = data[:m]
	} else {
		if stored < want+4 {
			return nil, ferr(fmt.Sprintf("uncompressed chunk of %d bytes, want %d", stored-4, want))
		}
		data = buf[:stored-4]
		if binary.LittleEndian.Uint32(buf[stored-4:]) != adler32.Checksum(data) {
			return nil, ferr("checksum mismatch")
		}
	}
	r.cache.Put(idx, data)
	return data, nil
}

func (r *Reader) findTable(idx int64) int {
	// The last table starting at or before idx.
	lo := max(0, sort.Search(len(r.tables), func(i int) bool { return r.tables[i].first > idx })-1)
	for r.tables[lo].count == 0 || idx >= r.tables[lo].first+r.tables[lo].count {
		lo++
	}
	return lo
}

// tableEntries loads the entries of table ti, falling back to its table2
// copy when the entries checksum does not match; r.mu is held.
func (r *Reader) tableEntries(ti int) ([]uint32, error) {
	if b, ok := r.tcache.Get(int64(ti)); ok {
		return decodeEntries(b), nil
	}
	t := r.tables[ti]
	s := r.segs[t.seg]
	n := t.count * 4
	if t.footer {
		n += 4
	}
	buf := make([]byte, n)
	var err error
	for _, off := range []int64{t.entries, t.alt} {
		if off < 0 { // no table2
			continue
		}
		if err = r.readFull(s, buf, off); err != nil {
			err = formatError(t.seg+1, off, "table entries: "+err.Error())
			continue
		}
		// Early formats (EWF, SMART, EnCase 1) store the chunks right after
		// the entries, without the entries checksum.
		footer := t.footer && t.count > 0 &&
			t.base+int64(binary.LittleEndian.Uint32(buf)&0x7fffffff) != off+t.count*4
		if footer && binary.LittleEndian.Uint32(buf[t.count*4:]) != adler32.Checksum(buf[:t.count*4]) {
			err = formatError(t.seg+1, off, "table entries checksum mismatch")
			continue
		}
		r.tcache.Put(int64(ti), buf[:t.count*4])
		return decodeEntries(buf[:t.count*4]), nil
	}
	return nil, err
}

func decodeEntries(b []byte) []uint32 {
	e := make([]uint32, len(b)/4)
	for i := range e {
		e[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return e
}

// Verify reads the whole media and compares its MD5 (and SHA-1 when
// stored) with the hashes recorded at acquisition. It returns
// ErrNoStoredHash when the image has no MD5.
func (r *Reader) Verify() (ok bool, err error) {
	if r.MD5 == nil {
		return false, ErrNoStoredHash
	}
	m, s := md5.New(), sha1.New()
	w := io.Writer(m)
	if r.SHA1 != nil {
		w = io.MultiWriter(m, s)
	}
	if _, err := io.Copy(w, io.NewSectionReader(r, 0, r.size)); err != nil {
		return false, err
	}
	ok = bytes.Equal(m.Sum(nil), r.MD5)
	if r.SHA1 != nil {
		ok = ok && bytes.Equal(s.Sum(nil), r.SHA1)
	}
	return ok, nil
}
