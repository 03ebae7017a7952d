// Package vhd reads Microsoft Virtual Hard Disk (VHD) images, fixed and
// dynamic, as an io.ReaderAt over the virtual disk. Differencing disks are
// refused with an error naming their parent. Files are opened read-only.
package vhd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/hivescan/hivescan/hive/image/internal/readfull"
	"github.com/hivescan/hivescan/hive/internal/formaterr"
	"github.com/hivescan/hivescan/internal/wintext"
)

// Cookie identifies a VHD footer; DynamicCookie a dynamic disk header.
const (
	Cookie        = "conectix"
	DynamicCookie = "cxsparse"
)

// Disk types of the footer.
const (
	TypeFixed        = 2
	TypeDynamic      = 3
	TypeDifferencing = 4
)

const (
	footerLen     = 512
	dynHeaderLen  = 1024
	unusedEntry   = 0xffffffff
	maxBlockSize  = 256 << 20
	sectorSize    = 512
	maxDiskSize   = 2040 << 30 << 10 // beyond any VHD (2040 GiB limit), with margin
	maxBATEntries = 1 << 28
)

// FormatError reports a malformed image at a byte offset of the file: Format
// is "vhd", Offset the byte offset, Msg what is wrong. It is the FormatError
// of every hive package; errors.Is matches it with hive.ErrDamaged.
type FormatError = formaterr.Error

func formatError(off int64, msg string) *FormatError { return formaterr.New("vhd", off, msg) }

// ErrDifferencing is wrapped by the error for differencing disks.
var ErrDifferencing = errors.New("vhd: differencing disk needs its parent")

// Reader reads the virtual disk of a VHD. It is safe for concurrent use.
type Reader struct {
	// DiskType is TypeFixed or TypeDynamic.
	DiskType uint32
	// BlockSize is the dynamic disk's block size in bytes (0 when fixed).
	BlockSize int64

	r         io.ReaderAt
	fileSize  int64
	size      int64
	bat       []uint32
	bitmapLen int64
	closer    io.Closer
	read      atomic.Int64

	mu      sync.Mutex
	bitmaps map[int64][]byte // sector bitmaps of recently read blocks
}

const maxCachedBitmaps = 64

// Open opens the VHD file name.
func Open(name string) (*Reader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	r, err := NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// readFull reads len(p) bytes at off, counting them.
func (r *Reader) readFull(p []byte, off int64) error {
	return readfull.At(r.r, r.fileSize, p, off, &r.read)
}

// HasFooter reports whether b, 512 bytes, is a VHD footer.
func HasFooter(b []byte) bool { return len(b) >= 8 && string(b[:8]) == Cookie }

// NewReader reads a VHD of size bytes from r.
func NewReader(ra io.ReaderAt, size int64) (*Reader, error) {
	r := &Reader{r: ra, fileSize: size}
	if size < footerLen {
		return nil, formatError(0, "file shorter than a footer")
	}
	footer := make([]byte, footerLen)
	footerOff := size - footerLen
	if err := r.readFull(footer, footerOff); err != nil {
		return nil, formatError(footerOff, "footer: "+err.Error())
	}
	if !HasFooter(footer) || !checksumOK(footer, 64) {
		// A dynamic disk keeps a copy of the footer at offset 0; use it
		// when the one at the end is damaged or missing (truncation).
		footerOff = 0
		if err := r.readFull(footer, 0); err != nil || !HasFooter(footer) {
			return nil, formatError(size-footerLen, "no VHD footer (cookie conectix)")
		}
		if !checksumOK(footer, 64) {
			return nil, formatError(0, "footer checksum mismatch")
		}
	}
	r.DiskType = binary.BigEndian.Uint32(footer[60:])
	r.size = int64(binary.BigEndian.Uint64(footer[48:]))
	if r.size < 0 || r.size > maxDiskSize {
		return nil, formatError(footerOff+48, fmt.Sprintf("disk size %d out of range", r.size))
	}
	switch r.DiskType {
	case TypeFixed:
		if footerOff != size-footerLen || r.size > footerOff {
			return nil, formatError(footerOff+48, fmt.Sprintf("fixed disk of %d bytes does not fit the %d-byte file", r.size, size))
		}
		return r, nil
	case TypeDynamic, TypeDifferencing:
		return r, r.readDynamic(footer)
	}
	return nil, formatError(footerOff+60, fmt.Sprintf("unknown disk type %d", r.DiskType))
}

// checksumOK verifies the one's complement sum of b with the 4-byte
// checksum at off taken as zero.
func checksumOK(b []byte, off int) bool {
	var sum uint32
	for i, c := range b {
		if i < off || i >= off+4 {
			sum += uint32(c)
		}
	}
	return ^sum == binary.BigEndian.Uint32(b[off:])
}

func (r *Reader) readDynamic(footer []byte) error {
	hoff := int64(binary.BigEndian.Uint64(footer[16:]))
	h := make([]byte, dynHeaderLen)
	if err := r.readFull(h, hoff); err != nil {
		return formatError(16, fmt.Sprintf("dynamic header at %d: %v", hoff, err))
	}
	if string(h[:8]) != DynamicCookie {
		return formatError(hoff, "no dynamic disk header (cookie cxsparse)")
	}
	if !checksumOK(h, 36) {
		return formatError(hoff+36, "dynamic header checksum mismatch")
	}
	if r.DiskType == TypeDifferencing {
		name := utf16BE(h[64:576])
		return fmt.Errorf("%w %q", ErrDifferencing, name)
	}
	batOff := int64(binary.BigEndian.Uint64(h[16:]))
	entries := int64(binary.BigEndian.Uint32(h[28:]))
	r.BlockSize = int64(binary.BigEndian.Uint32(h[32:]))
	if r.BlockSize < sectorSize || r.BlockSize > maxBlockSize || r.BlockSize%sectorSize != 0 {
		return formatError(hoff+32, fmt.Sprintf("block size %d out of range", r.BlockSize))
	}
	if need := (r.size + r.BlockSize - 1) / r.BlockSize; entries < need || entries > maxBATEntries {
		return formatError(hoff+28, fmt.Sprintf("%d BAT entries for %d blocks", entries, need))
	}
	if batOff < 0 || batOff > r.fileSize || entries*4 > r.fileSize-batOff {
		return formatError(hoff+16, fmt.Sprintf("BAT at %d (%d entries) past the end of the %d-byte file", batOff, entries, r.fileSize))
	}
	raw := make([]byte, entries*4)
	if err := r.readFull(raw, batOff); err != nil {
		return formatError(batOff, "BAT: "+err.Error())
	}
	r.bat = make([]uint32, entries)
	for i := range r.bat {
		r.bat[i] = binary.BigEndian.Uint32(raw[4*i:])
	}
	r.bitmapLen = ((r.BlockSize/sectorSize+7)/8 + sectorSize - 1) / sectorSize * sectorSize
	return nil
}

func utf16BE(b []byte) string { return wintext.UTF16BEZ(b) }

// bitmap returns the sector bitmap of block blk stored at base.
func (r *Reader) bitmap(blk, base int64) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.bitmaps[blk]; ok {
		return b, nil
	}
	b := make([]byte, r.bitmapLen)
	if err := r.readFull(b, base); err != nil {
		return nil, formatError(base, fmt.Sprintf("block %d bitmap: %v", blk, err))
	}
	if r.bitmaps == nil || len(r.bitmaps) >= maxCachedBitmaps {
		r.bitmaps = make(map[int64][]byte)
	}
	r.bitmaps[blk] = b
	return b, nil
}

// Size returns the virtual disk size in bytes (the footer's current size).
func (r *Reader) Size() int64 { return r.size }

// BytesRead returns the number of bytes read from the file.
func (r *Reader) BytesRead() int64 { return r.read.Load() }

// Close closes the file opened by Open.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// ReadAt implements io.ReaderAt over the virtual disk. Unallocated blocks
// read as zeros.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("vhd: negative offset")
	}
	if r.DiskType == TypeFixed {
		want := p
		if off >= r.size {
			return 0, io.EOF
		}
		if rest := r.size - off; int64(len(p)) > rest {
			want = p[:rest]
		}
		if err := r.readFull(want, off); err != nil {
			return 0, formatError(off, err.Error())
		}
		if len(want) < len(p) {
			return len(want), io.EOF
		}
		return len(p), nil
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		blk := pos / r.BlockSize
		in := pos % r.BlockSize
		want := p[n:min(len(p), n+int(r.BlockSize-in), n+int(r.size-pos))]
		sector := r.bat[blk]
		if sector == unusedEntry {
			clear(want)
			n += len(want)
			continue
		}
		base := int64(sector) * sectorSize
		bitmap, err := r.bitmap(blk, base)
		if err != nil {
			return n, err
		}
		// Read runs of sectors with the same bitmap bit: set bits are
		// stored data, clear bits read as zeros.
		for len(want) > 0 {
			s := in / sectorSize
			set := bitmap[s/8]&(0x80>>(s%8)) != 0
			run := sectorSize - in%sectorSize
			for e := s + 1; e < r.BlockSize/sectorSize && run < int64(len(want)); e++ {
				if (bitmap[e/8]&(0x80>>(e%8)) != 0) != set {
					break
				}
				run += sectorSize
			}
			run = min(run, int64(len(want)))
			if set {
				at := base + r.bitmapLen + in
				if err := r.readFull(want[:run], at); err != nil {
					return n, formatError(at, fmt.Sprintf("block %d: %v", blk, err))
				}
			} else {
				clear(want[:run])
			}
			want, in, n = want[run:], in+run, n+int(run)
		}
	}
	return n, nil
}
