package ntfsfs

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/hivescan/hivescan/internal/wintext"
)

const (
	attrStandardInformation = 0x10
	attrFileName            = 0x30
	attrData                = 0x80
	attrIndexRoot           = 0x90
	attrIndexAllocation     = 0xA0
	attrBitmap              = 0xB0

	// maxDirEntries bounds the entries of one directory (WinSxS, the
	// largest on Windows systems, holds some tens of thousands).
	maxDirEntries = 1 << 18
	// maxIndexBytes bounds the index allocation read for one directory.
	maxIndexBytes = 256 << 20

	fnFlagDirectory = 0x10000000

	nsPOSIX = 0
	nsWin32 = 1
	nsDOS   = 2
	nsBoth  = 3
)

// dirent is one name in a directory index.
type dirent struct {
	name  string // as served: the name in the index, or its alias
	raw   string // the name in the index when name is an alias
	ref   uint64 // MFT reference: record number (48 bits) and sequence (16 bits)
	isDir bool
	size  int64 // real size as recorded in the index (may lag the file)
	ns    byte
}

func (d dirent) record() uint64   { return d.ref & (1<<48 - 1) }
func (d dirent) sequence() uint16 { return uint16(d.ref >> 48) }

// fileTime converts a FILETIME (100 ns since 1601) to UTC, keeping its
// full precision. Zero stays the zero time.
func fileTime(ft uint64) time.Time { return wintext.Filetime(ft) }

// fileName is a decoded $FILE_NAME attribute body.
type fileName struct {
	parent uint64
	times  Timestamps
	size   int64
	flags  uint32
	ns     byte
	name   string
}

func parseFileName(b []byte) (fileName, bool) {
	if len(b) < 66 {
		return fileName{}, false
	}
	n := int(b[64])
	if 66+2*n > len(b) {
		return fileName{}, false
	}
	return fileName{
		parent: binary.LittleEndian.Uint64(b[0:]),
		times: Timestamps{
			Created:    fileTime(binary.LittleEndian.Uint64(b[8:])),
			Modified:   fileTime(binary.LittleEndian.Uint64(b[16:])),
			MFTChanged: fileTime(binary.LittleEndian.Uint64(b[24:])),
			Accessed:   fileTime(binary.LittleEndian.Uint64(b[32:])),
		},
		size:  int64(binary.LittleEndian.Uint64(b[48:]) & (1<<63 - 1)),
		flags: binary.LittleEndian.Uint32(b[56:]),
		ns:    b[65],
		name:  wintext.UTF16(b[66 : 66+2*n]),
	}, true
}

// parseNode appends the entries of one index node; node starts at the
// index node header. It returns an error for entries that overrun the node.
func parseNode(node []byte, out []dirent) ([]dirent, error) {
	if len(node) < 16 {
		return out, fmt.Errorf("index node of %d bytes", len(node))
	}
	first := int(binary.LittleEndian.Uint32(node[0:]))
	end := int(binary.LittleEndian.Uint32(node[4:]))
	if end > len(node) || end < 0 {
		end = len(node)
	}
	for off := first; off >= 16 && off+16 <= end; {
		e := node[off:end]
		length := int(binary.LittleEndian.Uint16(e[8:]))
		keyLen := int(binary.LittleEndian.Uint16(e[10:]))
		flags := binary.LittleEndian.Uint32(e[12:])
		if flags&2 != 0 { // last entry: no key
			break
		}
		if length < 16 || length > len(e) || 16+keyLen > length {
			return out, fmt.Errorf("index entry at %d: length %d, key %d", off, length, keyLen)
		}
		if fn, ok := parseFileName(e[16 : 16+keyLen]); ok && fn.ns != nsDOS {
			if len(out) >= maxDirEntries {
				return out, fmt.Errorf("directory has more than %d entries", maxDirEntries)
			}
			out = append(out, dirent{
				name:  fn.name,
				ref:   binary.LittleEndian.Uint64(e[0:]),
				isDir: fn.flags&fnFlagDirectory != 0,
				size:  fn.size,
				ns:    fn.ns,
			})
		}
		off += length
	}
	return out, nil
}

// applyFixup checks and undoes the update sequence of a multi-sector
// record (FILE or INDX) in place.
func applyFixup(rec []byte) error {
	if len(rec) < 8 {
		return fmt.Errorf("record of %d bytes", len(rec))
	}
	usaOff := int(binary.LittleEndian.Uint16(rec[4:]))
	usaCount := int(binary.LittleEndian.Uint16(rec[6:]))
	if usaCount == 0 || usaOff+2*usaCount > len(rec) || (usaCount-1)*512 > len(rec) {
		return fmt.Errorf("update sequence at %d×%d in a %d-byte record", usaOff, usaCount, len(rec))
	}
	usn := rec[usaOff : usaOff+2]
	for i := 1; i < usaCount; i++ {
		end := i*512 - 2
		if rec[end] != usn[0] || rec[end+1] != usn[1] {
			return fmt.Errorf("update sequence mismatch in sector %d", i-1)
		}
		copy(rec[end:end+2], rec[usaOff+2*i:usaOff+2*i+2])
	}
	return nil
}

// readIndexBlocks appends the entries of the index allocation blocks that
// the bitmap marks in use (all blocks when the bitmap is absent).
func readIndexBlocks(alloc io.ReaderAt, allocSize int64, blockSize int, bitmap []byte, out []dirent) ([]dirent, error) {
	if allocSize > maxIndexBytes {
		return out, fmt.Errorf("directory index of %d bytes exceeds %d", allocSize, maxIndexBytes)
	}
	buf := make([]byte, blockSize)
	for i := int64(0); (i+1)*int64(blockSize) <= allocSize; i++ {
		if bitmap != nil && (i/8 >= int64(len(bitmap)) || bitmap[i/8]&(1<<(i%8)) == 0) {
			continue
		}
		n, err := alloc.ReadAt(buf, i*int64(blockSize))
		if n < len(buf) {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return out, fmt.Errorf("index block %d: %w", i, err)
		}
		if string(buf[:4]) != "INDX" {
			return out, fmt.Errorf("index block %d: bad signature %q", i, buf[:4])
		}
		if err := applyFixup(buf); err != nil {
			return out, fmt.Errorf("index block %d: %w", i, err)
		}
		out, err = parseNode(buf[0x18:], out)
		if err != nil {
			return out, fmt.Errorf("index block %d: %w", i, err)
		}
	}
	return out, nil
}
