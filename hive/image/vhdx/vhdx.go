// Package vhdx reads Microsoft VHDX images (MS-VHDX), fixed and dynamic, as
// an io.ReaderAt over the virtual disk. Differencing disks are refused with
// an error naming their parent; a log awaiting replay is reported, not
// replayed. Files are opened read-only.
package vhdx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync/atomic"

	"github.com/hivescan/hivescan/hive/image/internal/readfull"
	"github.com/hivescan/hivescan/hive/internal/formaterr"
	"github.com/hivescan/hivescan/internal/wintext"
)

// Signature starts every VHDX file (the file type identifier).
const Signature = "vhdxfile"

// Payload block states of BAT entries.
const (
	StateNotPresent       = 0
	StateUndefined        = 1
	StateZero             = 2
	StateUnmapped         = 3
	StateFullyPresent     = 6
	StatePartiallyPresent = 7
)

const (
	kib             = 1 << 10
	mib             = 1 << 20
	headerSize      = 4 * kib
	regionTableSize = 64 * kib
	maxRegions      = 2047
	maxMetaEntries  = 2047
	maxVirtualSize  = 64 << 40
	maxMetaItem     = 1 * mib
)

var (
	guidBAT          = mustGUID("2DC27766-F623-4200-9D64-115E9BFD4A08")
	guidMetadata     = mustGUID("8B7CA206-4790-4B9A-B8FE-575F050F886E")
	guidFileParams   = mustGUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")
	guidVirtualSize  = mustGUID("2FA54224-CD1B-4876-B211-5DBED83BF4B8")
	guidLogicalSect  = mustGUID("8141BF1D-A96F-4709-BA47-F233A8FAAB5F")
	guidParentLocate = mustGUID("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C")
	castagnoli       = crc32.MakeTable(crc32.Castagnoli)
)

// mustGUID encodes a GUID in its on-disk (mixed-endian) byte order.
func mustGUID(s string) [16]byte {
	var hex []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			hex = append(hex, s[i])
		}
	}
	var b [16]byte
	for i := range b {
		var v byte
		for _, c := range hex[2*i : 2*i+2] {
			switch {
			case c >= '0' && c <= '9':
				v = v<<4 | (c - '0')
			case c >= 'A' && c <= 'F':
				v = v<<4 | (c - 'A' + 10)
			default:
				panic("vhdx: bad GUID literal " + s)
			}
		}
		b[i] = v
	}
	b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0]
	b[4], b[5] = b[5], b[4]
	b[6], b[7] = b[7], b[6]
	return b
}

// FormatError reports a malformed image at a byte offset of the file: Format
// is "vhdx", Offset the byte offset, Msg what is wrong. It is the FormatError
// of every hive package; errors.Is matches it with hive.ErrDamaged.
type FormatError = formaterr.Error

func formatError(off int64, msg string) *FormatError { return formaterr.New("vhdx", off, msg) }

// ErrDifferencing is wrapped by the error for differencing disks.
var ErrDifferencing = errors.New("vhdx: differencing disk needs its parent")

// Reader reads the virtual disk of a VHDX. It is safe for concurrent use.
type Reader struct {
	// BlockSize is the payload block size in bytes.
	BlockSize int64
	// LogicalSectorSize is 512 or 4096.
	LogicalSectorSize int64
	// Fixed reports a fixed disk (blocks allocated at creation).
	Fixed bool
	// LogPending reports a log that Windows would replay when attaching the
	// disk: writes that may be missing from what this Reader returns.
	LogPending bool

	r        io.ReaderAt
	fileSize int64
	size     int64
	bat      []uint64 // payload block entries only
	closer   io.Closer
	read     atomic.Int64
}

// Open opens the VHDX file name.
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

func (r *Reader) readFull(p []byte, off int64) error {
	return readfull.At(r.r, r.fileSize, p, off, &r.read)
}

// checksumOK checks the CRC-32C at offset 4 of b, computed with that
// field zero.
func checksumOK(b []byte) bool {
	want := binary.LittleEndian.Uint32(b[4:])
	c := bytes.Clone(b)
	binary.LittleEndian.PutUint32(c[4:], 0)
	return crc32.Checksum(c, castagnoli) == want
}

// NewReader reads a VHDX of size bytes from r.
func NewReader(ra io.ReaderAt, size int64) (*Reader, error) {
	r := &Reader{r: ra, fileSize: size}
	sig := make([]byte, 8)
	if err := r.readFull(sig, 0); err != nil || string(sig) != Signature {
		return nil, formatError(0, "no VHDX file type identifier")
	}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	bat, meta, err := r.readRegions()
	if err != nil {
		return nil, err
	}
	if err := r.readMetadata(meta); err != nil {
		return nil, err
	}
	if err := r.readBAT(bat); err != nil {
		return nil, err
	}
	return r, nil
}

// readHeader picks the valid header with the higher sequence number.
func (r *Reader) readHeader() error {
	var best []byte
	var bestSeq uint64
	for _, off := range []int64{64 * kib, 128 * kib} {
		h := make([]byte, headerSize)
		if r.readFull(h, off) != nil || string(h[:4]) != "head" || !checksumOK(h) {
			continue
		}
		if seq := binary.LittleEndian.Uint64(h[8:]); best == nil || seq > bestSeq {
			best, bestSeq = h, seq
		}
	}
	if best == nil {
		return formatError(64*kib, "no valid header (signature head, CRC-32C)")
	}
	if v := binary.LittleEndian.Uint16(best[66:]); v != 1 {
		return formatError(64*kib+66, fmt.Sprintf("unsupported version %d", v))
	}
	r.LogPending = bytes.Count(best[48:64], []byte{0}) != 16
	return nil
}

type region struct{ off, length int64 }

func (r *Reader) readRegions() (bat, meta region, err error) {
	for _, off := range []int64{192 * kib, 256 * kib} {
		t := make([]byte, regionTableSize)
		if r.readFull(t, off) != nil || string(t[:4]) != "regi" || !checksumOK(t) {
			err = formatError(off, "no valid region table (signature regi, CRC-32C)")
			continue
		}
		n := binary.LittleEndian.Uint32(t[8:])
		if n > maxRegions {
			err = formatError(off+8, fmt.Sprintf("%d region entries", n))
			continue
		}
		bat, meta, err = region{}, region{}, nil
		for i := 0; i < int(n); i++ {
			e := t[16+32*i : 48+32*i]
			rg := region{int64(binary.LittleEndian.Uint64(e[16:])), int64(binary.LittleEndian.Uint32(e[24:]))}
			required := binary.LittleEndian.Uint32(e[28:])&1 != 0
			switch [16]byte(e[:16]) {
			case guidBAT:
				bat = rg
			case guidMetadata:
				meta = rg
			default:
				if required {
					err = formatError(off+16+32*int64(i), fmt.Sprintf("unknown required region %x", e[:16]))
				}
			}
			if rg.off < 0 || rg.length < 0 || rg.off > r.fileSize || rg.length > r.fileSize-rg.off {
				err = formatError(off+16+32*int64(i), fmt.Sprintf("region at %d (%d bytes) past the end of the file", rg.off, rg.length))
			}
		}
		if err == nil && (bat.length == 0 || meta.length == 0) {
			err = formatError(off, "region table lacks the BAT or metadata region")
		}
		if err == nil {
			return bat, meta, nil
		}
	}
	return bat, meta, err
}

func (r *Reader) readMetadata(meta region) error {
	if meta.length < 32 {
		return formatError(meta.off, "metadata region too small")
	}
	hdr := make([]byte, 32)
	if err := r.readFull(hdr, meta.off); err != nil || string(hdr[:8]) != "metadata" {
		return formatError(meta.off, "no metadata table (signature metadata)")
	}
	n := int64(binary.LittleEndian.Uint16(hdr[10:]))
	if n > maxMetaEntries || 32+32*n > meta.length {
		return formatError(meta.off+10, fmt.Sprintf("%d metadata entries", n))
	}
	entries := make([]byte, 32*n)
	if err := r.readFull(entries, meta.off+32); err != nil {
		return formatError(meta.off+32, "metadata entries: "+err.Error())
	}
	item := func(g [16]byte, min int64) ([]byte, int64, error) {
		for i := int64(0); i < n; i++ {
			e := entries[32*i : 32*i+32]
			if [16]byte(e[:16]) != g {
				continue
			}
			off := int64(binary.LittleEndian.Uint32(e[16:]))
			length := int64(binary.LittleEndian.Uint32(e[20:]))
			at := meta.off + 32 + 32*i
			if length < min || length > maxMetaItem || off > meta.length || length > meta.length-off {
				return nil, at, formatError(at, fmt.Sprintf("metadata item %x: %d bytes at %d out of range", g, length, off))
			}
			b := make([]byte, length)
			if err := r.readFull(b, meta.off+off); err != nil {
				return nil, at, formatError(meta.off+off, "metadata item: "+err.Error())
			}
			return b, meta.off + off, nil
		}
		return nil, 0, nil
	}
	fp, fpOff, err := item(guidFileParams, 8)
	if err != nil {
		return err
	}
	vs, vsOff, err := item(guidVirtualSize, 8)
	if err != nil {
		return err
	}
	ls, lsOff, err := item(guidLogicalSect, 4)
	if err != nil {
		return err
	}
	if fp == nil || vs == nil || ls == nil {
		return formatError(meta.off, "metadata lacks file parameters, virtual disk size or logical sector size")
	}
	r.BlockSize = int64(binary.LittleEndian.Uint32(fp))
	flags := binary.LittleEndian.Uint32(fp[4:])
	r.Fixed = flags&1 != 0
	if flags&2 != 0 {
		pl, _, err := item(guidParentLocate, 20)
		if err != nil {
			return err
		}
		return fmt.Errorf("%w %s", ErrDifferencing, parentPath(pl))
	}
	if r.BlockSize < mib || r.BlockSize > 256*mib || r.BlockSize&(r.BlockSize-1) != 0 {
		return formatError(fpOff, fmt.Sprintf("block size %d out of range", r.BlockSize))
	}
	r.LogicalSectorSize = int64(binary.LittleEndian.Uint32(ls))
	if r.LogicalSectorSize != 512 && r.LogicalSectorSize != 4096 {
		return formatError(lsOff, fmt.Sprintf("logical sector size %d", r.LogicalSectorSize))
	}
	r.size = int64(binary.LittleEndian.Uint64(vs))
	if r.size < 0 || r.size > maxVirtualSize {
		return formatError(vsOff, fmt.Sprintf("virtual disk size %d out of range", r.size))
	}
	return nil
}

// parentPath renders the paths of a parent locator item for an error.
func parentPath(b []byte) string {
	if len(b) < 20 {
		return "(no parent locator)"
	}
	n := int(binary.LittleEndian.Uint16(b[18:]))
	kv := map[string]string{}
	for i := 0; i < n && 20+12*i+12 <= len(b); i++ {
		e := b[20+12*i:]
		ko, vo := int(binary.LittleEndian.Uint32(e)), int(binary.LittleEndian.Uint32(e[4:]))
		kl, vl := int(binary.LittleEndian.Uint16(e[8:])), int(binary.LittleEndian.Uint16(e[10:]))
		if ko < 0 || vo < 0 || ko+kl > len(b) || vo+vl > len(b) {
			continue
		}
		kv[utf16LE(b[ko:ko+kl])] = utf16LE(b[vo : vo+vl])
	}
	for _, k := range []string{"relative_path", "absolute_win32_path", "volume_path"} {
		if v := kv[k]; v != "" {
			return fmt.Sprintf("%q (%s)", v, k)
		}
	}
	return "(parent locator without a path)"
}

func utf16LE(b []byte) string { return wintext.UTF16(b) }

func (r *Reader) readBAT(bat region) error {
	chunkRatio := (int64(1) << 23) * r.LogicalSectorSize / r.BlockSize
	blocks := (r.size + r.BlockSize - 1) / r.BlockSize
	total := blocks
	if blocks > 0 {
		total += (blocks - 1) / chunkRatio
	}
	if total*8 > bat.length {
		return formatError(bat.off, fmt.Sprintf("BAT region of %d bytes holds fewer than %d entries", bat.length, total))
	}
	raw := make([]byte, total*8)
	if err := r.readFull(raw, bat.off); err != nil {
		return formatError(bat.off, "BAT: "+err.Error())
	}
	r.bat = make([]uint64, blocks)
	for i := range r.bat {
		r.bat[i] = binary.LittleEndian.Uint64(raw[8*(int64(i)+int64(i)/chunkRatio):])
	}
	return nil
}

// Size returns the virtual disk size in bytes.
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

// ReadAt implements io.ReaderAt over the virtual disk. Blocks that are not
// present, zero, unmapped or undefined read as zeros.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("vhdx: negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		blk := pos / r.BlockSize
		in := pos % r.BlockSize
		want := p[n : int64(n)+min(int64(len(p)-n), r.BlockSize-in, r.size-pos)]
		e := r.bat[blk]
		switch state := e & 7; state {
		case StateNotPresent, StateUndefined, StateZero, StateUnmapped:
			clear(want)
		case StateFullyPresent:
			at := int64(e>>20)*mib + in
			if err := r.readFull(want, at); err != nil {
				return n, formatError(at, fmt.Sprintf("payload block %d: %v", blk, err))
			}
		default:
			return n, formatError(0, fmt.Sprintf("payload block %d: state %d invalid in a disk without parent", blk, state))
		}
		n += len(want)
	}
	return n, nil
}
