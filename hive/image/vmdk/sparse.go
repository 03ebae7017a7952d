package vmdk

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/hivescan/hivescan/hive/image/internal/lru"
)

// Sparse extent header flags.
const (
	flagCompressed = 1 << 16
	flagMarkers    = 1 << 17
	flagZeroGTE    = 1 << 2
)

const (
	sector       = 512
	gdAtEnd      = ^uint64(0)
	maxGrainSize = 1 << 20 // bytes
	maxGTEs      = 1 << 16 // entries per grain table
	maxCapacity  = 1 << 50 // bytes
	maxGrains    = 16      // decompressed grains cached
	maxTables    = 64      // grain tables cached
	maxDescSize  = 1 << 20
)

// sparseExtent reads one hosted sparse extent (KDMV): monolithic sparse or
// stream-optimized.
type sparseExtent struct {
	f          *counted
	name       string // for errors
	capacity   int64  // bytes
	grainSize  int64  // bytes
	gtes       int64  // entries per grain table
	gd         []uint32
	compressed bool
	zeroGTE    bool
	descOff    int64 // embedded descriptor, 0 when absent
	descLen    int64

	mu     sync.Mutex
	tables *lru.Cache
	grains *lru.Cache
}

// header fields of a sparse extent.
type sparseHeader struct {
	version, flags uint32
	capacity       uint64 // sectors
	grainSize      uint64 // sectors
	descOff        uint64
	descSize       uint64
	gtes           uint32
	gdOff          uint64
	compressAlgo   uint16
}

func parseSparseHeader(b []byte) sparseHeader {
	le := binary.LittleEndian
	return sparseHeader{
		version:      le.Uint32(b[4:]),
		flags:        le.Uint32(b[8:]),
		capacity:     le.Uint64(b[12:]),
		grainSize:    le.Uint64(b[20:]),
		descOff:      le.Uint64(b[28:]),
		descSize:     le.Uint64(b[36:]),
		gtes:         le.Uint32(b[44:]),
		gdOff:        le.Uint64(b[56:]),
		compressAlgo: le.Uint16(b[77:]),
	}
}

func newSparse(f *counted, name string) (*sparseExtent, error) {
	ferr := func(off int64, format string, args ...any) error {
		return formatError(name, off, fmt.Sprintf(format, args...))
	}
	b := make([]byte, sector)
	if err := f.readFull(b, 0); err != nil || string(b[:4]) != SparseMagic {
		return nil, ferr(0, "no sparse extent header (magic KDMV)")
	}
	h := parseSparseHeader(b)
	if h.gdOff == gdAtEnd {
		// Stream-optimized: the real header is the footer, 1024 bytes
		// before the end (footer marker, footer, end-of-stream marker).
		off := f.size - 2*sector
		if off < sector || f.readFull(b, off) != nil || string(b[:4]) != SparseMagic {
			return nil, ferr(off, "grain directory at end but no footer (truncated stream-optimized image?)")
		}
		h = parseSparseHeader(b)
		if h.gdOff == gdAtEnd {
			return nil, ferr(off+56, "footer without grain directory offset")
		}
	}
	s := &sparseExtent{f: f, name: name, compressed: h.flags&flagCompressed != 0, zeroGTE: h.flags&flagZeroGTE != 0}
	if s.compressed && h.compressAlgo != 1 {
		return nil, ferr(77, "unknown grain compression %d", h.compressAlgo)
	}
	if h.grainSize == 0 || h.grainSize > maxGrainSize/sector {
		return nil, ferr(20, "grain size of %d sectors out of range", h.grainSize)
	}
	if h.gtes == 0 || h.gtes > maxGTEs {
		return nil, ferr(44, "%d grain table entries out of range", h.gtes)
	}
	if h.capacity > maxCapacity/sector {
		return nil, ferr(12, "capacity of %d sectors out of range", h.capacity)
	}
	s.capacity = int64(h.capacity) * sector
	s.grainSize = int64(h.grainSize) * sector
	s.gtes = int64(h.gtes)
	span := s.grainSize * s.gtes
	n := (s.capacity + span - 1) / span
	gdOff := int64(h.gdOff) * sector
	if h.gdOff > uint64(f.size) || gdOff < 0 || n*4 > f.size-gdOff {
		return nil, ferr(56, "grain directory of %d entries at sector %d past the end of the file", n, h.gdOff)
	}
	raw := make([]byte, n*4)
	if err := f.readFull(raw, gdOff); err != nil {
		return nil, ferr(gdOff, "grain directory: %v", err)
	}
	s.gd = make([]uint32, n)
	for i := range s.gd {
		s.gd[i] = binary.LittleEndian.Uint32(raw[4*i:])
	}
	if h.descOff > 0 && h.descSize > 0 && h.descSize <= maxDescSize/sector {
		s.descOff, s.descLen = int64(h.descOff)*sector, int64(h.descSize)*sector
	}
	s.tables = lru.New(maxTables)
	s.grains = lru.New(maxGrains)
	return s, nil
}

// descriptor returns the embedded descriptor text, if any.
func (s *sparseExtent) descriptor() string {
	if s.descLen == 0 || s.descOff > s.f.size || s.descLen > s.f.size-s.descOff {
		return ""
	}
	b := make([]byte, s.descLen)
	if s.f.readFull(b, s.descOff) != nil {
		return ""
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// readAt fills p from offset off of the extent, which lies inside it.
func (s *sparseExtent) readAt(p []byte, off int64) error {
	for len(p) > 0 {
		g := off / s.grainSize
		in := off % s.grainSize
		m := min(int64(len(p)), s.grainSize-in)
		gte, err := s.gte(g)
		if err != nil {
			return err
		}
		switch {
		case gte == 0 || gte == 1 && (s.zeroGTE || s.compressed):
			clear(p[:m])
		case s.compressed:
			grain, err := s.compressedGrain(g, int64(gte)*sector)
			if err != nil {
				return err
			}
			copy(p[:m], grain[in:])
		default:
			at := int64(gte)*sector + in
			if err := s.f.readFull(p[:m], at); err != nil {
				return formatError(s.name, at, fmt.Sprintf("grain %d: %v", g, err))
			}
		}
		p, off = p[m:], off+m
	}
	return nil
}

// gte returns the grain table entry of grain g.
func (s *sparseExtent) gte(g int64) (uint32, error) {
	t := g / s.gtes
	if t >= int64(len(s.gd)) {
		return 0, nil
	}
	sec := s.gd[t]
	if sec == 0 {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.tables.Get(t)
	if !ok {
		b = make([]byte, s.gtes*4)
		at := int64(sec) * sector
		if err := s.f.readFull(b, at); err != nil {
			return 0, formatError(s.name, at, fmt.Sprintf("grain table %d: %v", t, err))
		}
		s.tables.Put(t, b)
	}
	return binary.LittleEndian.Uint32(b[4*(g%s.gtes):]), nil
}

// compressedGrain returns grain g, stored with its marker at off.
func (s *sparseExtent) compressedGrain(g, off int64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.grains.Get(g); ok {
		return b, nil
	}
	ferr := func(format string, args ...any) error {
		return formatError(s.name, off, fmt.Sprintf("grain %d: ", g)+fmt.Sprintf(format, args...))
	}
	var m [12]byte
	if err := s.f.readFull(m[:], off); err != nil {
		return nil, ferr("marker: %v", err)
	}
	lba := binary.LittleEndian.Uint64(m[:])
	size := int64(binary.LittleEndian.Uint32(m[8:]))
	if lba != uint64(g*s.grainSize/sector) {
		return nil, ferr("marker for sector %d, want %d", lba, g*s.grainSize/sector)
	}
	if size == 0 || size > 2*s.grainSize+1024 {
		return nil, ferr("compressed size %d out of range", size)
	}
	z := make([]byte, size)
	if err := s.f.readFull(z, off+12); err != nil {
		return nil, ferr("%v", err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, ferr("zlib: %v", err)
	}
	grain := make([]byte, s.grainSize)
	n, err := io.ReadFull(zr, grain)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, ferr("zlib: %v", err)
	}
	// The last grain of a disk whose size is not a multiple of the grain
	// size may hold less; the rest reads as zeros.
	if int64(n) < min(s.grainSize, s.capacity-g*s.grainSize) {
		return nil, ferr("decompressed to %d bytes", n)
	}
	s.grains.Put(g, grain)
	return grain, nil
}
