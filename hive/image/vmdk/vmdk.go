// Package vmdk reads VMware VMDK disks as an io.ReaderAt over the virtual
// disk: hosted sparse extents (monolithic sparse, stream-optimized with
// compressed grains) and text descriptors whose extents are sparse, flat or
// zero (monolithicFlat, twoGbMaxExtentSparse, twoGbMaxExtentFlat, ...).
// Differencing disks are refused with an error naming their parent. Files
// are opened read-only and read lazily.
package vmdk

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/hivescan/hivescan/hive/image/internal/readfull"
	"github.com/hivescan/hivescan/hive/internal/formaterr"
)

// SparseMagic starts a hosted sparse extent; DescriptorMagic a text
// descriptor file.
const (
	SparseMagic     = "KDMV"
	DescriptorMagic = "# Disk DescriptorFile"
)

const maxExtents = 4096

// FormatError reports a malformed disk: Format is "vmdk", File the file at
// fault, Offset the byte offset in that file, Msg what is wrong. It is the
// FormatError of every hive package; errors.Is matches it with
// hive.ErrDamaged.
type FormatError = formaterr.Error

func formatError(file string, off int64, msg string) *FormatError {
	return &FormatError{Format: "vmdk", File: file, Offset: off, Msg: msg}
}

// ErrDifferencing is wrapped by the error for disks that need a parent.
var ErrDifferencing = errors.New("vmdk: differencing disk needs its parent")

// ErrUnsupportedExtent is wrapped by the error for extent types this package
// cannot read (VMFS sparse, raw device mappings).
var ErrUnsupportedExtent = errors.New("vmdk: unsupported extent type")

// Reader reads a VMDK disk. It is safe for concurrent use.
type Reader struct {
	// CreateType is the descriptor's createType (monolithicSparse,
	// streamOptimized, monolithicFlat, twoGbMaxExtentSparse, ...), empty
	// when the disk has no descriptor.
	CreateType string
	// Descriptor reports a disk opened through a text descriptor file.
	Descriptor bool
	// Compressed reports compressed grains (stream-optimized).
	Compressed bool
	// Segments lists the files opened: the descriptor, then the extents.
	Segments []string

	extents []extent
	files   []*counted
	size    int64
	read    atomic.Int64
}

type extent struct {
	start, size int64 // bytes of the virtual disk
	sparse      *sparseExtent
	flat        *counted
	flatOff     int64 // byte offset of the extent in the flat file
	// neither: a zero extent
}

// counted is an extent file that counts the bytes read from it.
type counted struct {
	r      io.ReaderAt
	size   int64
	name   string
	total  *atomic.Int64
	closer io.Closer
}

func (c *counted) readFull(p []byte, off int64) error {
	return readfull.At(c.r, c.size, p, off, c.total)
}

// Open opens the VMDK at name: a sparse extent (KDMV) or a descriptor.
func Open(name string) (*Reader, error) {
	r := &Reader{}
	f, err := r.openFile(name)
	if err != nil {
		return nil, err
	}
	head := make([]byte, len(DescriptorMagic))
	if err := f.readFull(head, 0); err != nil && f.size >= int64(len(head)) {
		r.Close()
		return nil, err
	}
	if string(head) == DescriptorMagic {
		r.Descriptor = true
		if f.size > maxDescSize {
			r.Close()
			return nil, formatError(name, 0, fmt.Sprintf("descriptor of %d bytes too large", f.size))
		}
		text := make([]byte, f.size)
		if err := f.readFull(text, 0); err != nil {
			r.Close()
			return nil, err
		}
		if err := r.fromDescriptor(string(text), name, filepath.Dir(name)); err != nil {
			r.Close()
			return nil, err
		}
		return r, nil
	}
	if err := r.fromSparse(f, name); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads a single-file sparse VMDK (monolithic sparse or
// stream-optimized) of size bytes from ra.
func NewReader(ra io.ReaderAt, size int64) (*Reader, error) {
	r := &Reader{}
	f := &counted{r: ra, size: size, name: "vmdk", total: &r.read}
	r.files = append(r.files, f)
	if err := r.fromSparse(f, "vmdk"); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Reader) openFile(name string) (*counted, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	c := &counted{r: f, size: st.Size(), name: name, total: &r.read, closer: f}
	r.files = append(r.files, c)
	r.Segments = append(r.Segments, name)
	return c, nil
}

func (r *Reader) fromSparse(f *counted, name string) error {
	s, err := newSparse(f, name)
	if err != nil {
		return err
	}
	if text := s.descriptor(); text != "" {
		d := parseDescriptor(text)
		if err := d.checkParent(); err != nil {
			return err
		}
		r.CreateType = d.createType
	}
	r.Compressed = s.compressed
	r.extents = []extent{{size: s.capacity, sparse: s}}
	r.size = s.capacity
	return nil
}

type descriptor struct {
	createType, parentCID, parentHint string
	extents                           []extentLine
}

type extentLine struct {
	access  string
	sectors int64
	kind    string
	file    string
	offset  int64 // sectors, FLAT only
	line    int
}

// parseDescriptor reads the fields hivescan needs; unknown lines are
// ignored, malformed extent lines are kept with kind "" for an error.
func parseDescriptor(text string) descriptor {
	var d descriptor
	if i := strings.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		switch strings.Fields(line)[0] {
		case "RW", "RDONLY", "NOACCESS":
			if len(d.extents) < maxExtents {
				d.extents = append(d.extents, parseExtentLine(line, i+1))
			}
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			v = strings.Trim(strings.TrimSpace(v), "\"")
			switch strings.TrimSpace(k) {
			case "createType":
				d.createType = v
			case "parentCID":
				d.parentCID = v
			case "parentFileNameHint":
				d.parentHint = v
			}
		}
	}
	return d
}

func parseExtentLine(line string, num int) extentLine {
	e := extentLine{line: num}
	fields := strings.Fields(line)
	if len(fields) < 3 {
		return e
	}
	switch fields[0] {
	case "RW", "RDONLY", "NOACCESS":
	default:
		return e
	}
	n, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil || n < 0 || n > maxCapacity/sector {
		return e
	}
	e.access, e.sectors = fields[0], n
	if e.kind = fields[2]; e.kind == "ZERO" {
		return e
	}
	// The file name is quoted and may contain spaces.
	q1 := strings.IndexByte(line, '"')
	q2 := strings.LastIndexByte(line, '"')
	if q1 < 0 || q2 <= q1 {
		e.kind = ""
		return e
	}
	e.file = line[q1+1 : q2]
	if rest := strings.Fields(line[q2+1:]); len(rest) > 0 {
		off, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil || off < 0 || off > maxCapacity/sector {
			e.kind = ""
			return e
		}
		e.offset = off
	}
	return e
}

func (d descriptor) checkParent() error {
	if d.parentCID == "" || strings.EqualFold(d.parentCID, "ffffffff") {
		return nil
	}
	return fmt.Errorf("%w %q", ErrDifferencing, d.parentHint)
}

func (r *Reader) fromDescriptor(text, name, dir string) error {
	d := parseDescriptor(text)
	if err := d.checkParent(); err != nil {
		return err
	}
	r.CreateType = d.createType
	if len(d.extents) == 0 {
		return formatError(name, 0, "descriptor lists no extents")
	}
	for _, e := range d.extents {
		size := e.sectors * sector
		if r.size > maxCapacity-size {
			return formatError(name, 0, fmt.Sprintf("line %d: disk larger than %d bytes", e.line, int64(maxCapacity)))
		}
		x := extent{start: r.size, size: size}
		switch e.kind {
		case "ZERO":
		case "FLAT", "VMFS":
			f, err := r.openFile(filepath.Join(dir, filepath.FromSlash(e.file)))
			if err != nil {
				return fmt.Errorf("vmdk: %s line %d: %w", name, e.line, err)
			}
			x.flat, x.flatOff = f, e.offset*sector
		case "SPARSE":
			f, err := r.openFile(filepath.Join(dir, filepath.FromSlash(e.file)))
			if err != nil {
				return fmt.Errorf("vmdk: %s line %d: %w", name, e.line, err)
			}
			s, err := newSparse(f, f.name)
			if err != nil {
				return err
			}
			if s.capacity < size {
				return formatError(f.name, 12, fmt.Sprintf("extent capacity %d smaller than the %d bytes the descriptor lists", s.capacity, size))
			}
			r.Compressed = r.Compressed || s.compressed
			x.sparse = s
		case "":
			return formatError(name, 0, fmt.Sprintf("line %d: malformed extent", e.line))
		default:
			return fmt.Errorf("%w %s (%s line %d)", ErrUnsupportedExtent, e.kind, name, e.line)
		}
		r.extents = append(r.extents, x)
		r.size += size
	}
	return nil
}

// Size returns the virtual disk size in bytes.
func (r *Reader) Size() int64 { return r.size }

// BytesRead returns the number of bytes read from the disk's files.
func (r *Reader) BytesRead() int64 { return r.read.Load() }

// Close closes every file opened.
func (r *Reader) Close() error {
	var errs []error
	for _, f := range r.files {
		if f.closer != nil {
			errs = append(errs, f.closer.Close())
		}
	}
	r.files = nil
	return errors.Join(errs...)
}

// ReadAt implements io.ReaderAt over the virtual disk. Unallocated grains
// and zero extents read as zeros.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("vmdk: negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		x := r.extents[r.find(pos)]
		in := pos - x.start
		want := p[n : int64(n)+min(int64(len(p)-n), x.size-in)]
		switch {
		case x.sparse != nil:
			if err := x.sparse.readAt(want, in); err != nil {
				return n, err
			}
		case x.flat != nil:
			if err := x.flat.readFull(want, x.flatOff+in); err != nil {
				return n, formatError(x.flat.name, x.flatOff+in, err.Error())
			}
		default:
			clear(want)
		}
		n += len(want)
	}
	return n, nil
}

// find returns the index of the extent holding pos, which is below r.size.
func (r *Reader) find(pos int64) int {
	// The last extent starting at or before pos.
	return max(0, sort.Search(len(r.extents), func(i int) bool { return r.extents[i].start > pos })-1)
}
