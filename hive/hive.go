package hive

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync"
)

// DefaultMaxSize is the largest hive Open, NewReader and Parse accept unless
// Options.MaxSize says otherwise.
const DefaultMaxSize = 4 << 30

// MaxDepth bounds key nesting for Walk (Windows itself allows 512 levels).
const MaxDepth = 512

// Options tune how a hive is opened. The zero value is ready to use.
type Options struct {
	// MaxSize is the largest hive accepted, in bytes (default 4 GiB).
	MaxSize int64
	// Kind, when not KindUnknown, is taken as the hive's kind instead of
	// detecting it (for hives rebuilt from parts of another, such as the
	// view of deleted records, and for --kind overrides).
	Kind Kind
	// Path is where the hive's file sits in the evidence (any separator:
	// "C/Windows/System32/config/SOFTWARE", "disk.E01 > ...\config\SOFTWARE").
	// Its file name and folders are evidence of the hive's kind; "" when
	// unknown.
	Path string
}

func (o Options) maxSize() int64 {
	if o.MaxSize > 0 {
		return o.MaxSize
	}
	return DefaultMaxSize
}

// Hive is a registry hive held in memory.
type Hive struct {
	// Name is how the hive was named when opened: a file path, or a
	// description such as "disk.E01 > partition 2 > \Windows\...\SYSTEM".
	Name string
	// Header is the decoded base block.
	Header BaseBlock
	// Truncated is set when the file is shorter than the base block's
	// hive bins size: keys and values past the end are missing.
	Truncated bool

	data  []byte
	end   int64 // end of the data (absolute file offset)
	class Classification
	// cellHeader is the bytes before a cell's payload: 4 (its size), or 8
	// in format 1.0/1.1 (Windows NT 3.1), whose cells also hold the offset
	// of the previous cell in their bin.
	cellHeader int64
	// subkeyIndexes holds the indexes of the subkey lists looked up most
	// (subkeyIndexOf), by list offset.
	subkeyIndexes sync.Map
}

// Open reads the hive file at path into memory and parses its base block.
func Open(path string, opts ...Options) (*Hive, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("hive %s: is a directory: %w", path, ErrNotHive)
	}
	return NewReader(f, st.Size(), path, o)
}

// NewReader reads size bytes of a hive from r into memory and parses it.
func NewReader(r io.ReaderAt, size int64, name string, opts ...Options) (*Hive, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if size > o.maxSize() {
		return nil, fmt.Errorf("hive %s: %d bytes: %w (%d)", name, size, ErrTooLarge, o.maxSize())
	}
	if size < 0 {
		return nil, fmt.Errorf("hive %s: negative size", name)
	}
	data := make([]byte, size)
	n, err := r.ReadAt(data, 0)
	if err != nil && !(err == io.EOF && int64(n) == size) {
		return nil, fmt.Errorf("hive %s: reading: %w", name, err)
	}
	return Parse(data, name, o)
}

// Parse parses a hive held in data. The Hive keeps data: the caller must not
// modify it afterwards. name labels errors and the Hive.
func Parse(data []byte, name string, opts ...Options) (*Hive, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if int64(len(data)) > o.maxSize() {
		return nil, fmt.Errorf("hive %s: %d bytes: %w (%d)", name, len(data), ErrTooLarge, o.maxSize())
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("hive %s: empty file: %w", name, ErrNotHive)
	}
	switch Identify(data) {
	case Win9xRegistry:
		return nil, fmt.Errorf("hive %s: %w", name, ErrWin9x)
	case NotRegistry:
		if isBareLog(data) {
			return nil, fmt.Errorf("hive %s: %w", name, ErrTransactionLog)
		}
		return nil, fmt.Errorf("hive %s: no regf signature: %w", name, ErrNotHive)
	case LogFile:
		return nil, fmt.Errorf("hive %s: file type %d: %w", name, binary.LittleEndian.Uint32(data[0x1C:]), ErrTransactionLog)
	}
	if len(data) < BaseBlockSize {
		return nil, &FormatError{Format: "hive", File: name, Offset: int64(len(data)), Msg: fmt.Sprintf("file of %d bytes is shorter than the base block", len(data))}
	}
	bb, err := ParseBaseBlock(data)
	if err != nil {
		return nil, fmt.Errorf("hive %s: %w", name, err)
	}
	h := &Hive{
		Name:   name,
		Header: bb,
		data:   data,
		end:    int64(len(data)),
	}
	h.cellHeader = cellHeaderSize(data, bb)
	if BaseBlockSize+int64(bb.HiveBinsSize) > h.end {
		h.Truncated = true
	}
	root, err := h.Root()
	if err != nil {
		return nil, err
	}
	if o.Kind != KindUnknown {
		h.class = Classification{Kind: o.Kind, By: []string{ByOverride}}
	} else {
		h.class = classify(detectKind(root, embeddedKind(bb.FileName)), bb.FileName, o.Path)
	}
	return h, nil
}

// cellHeaderSize tells the cell layout: 4 bytes of size before a cell's
// payload, or 8 in the Windows NT 3.1 layout (format 1.0 and 1.1), whose
// cells also hold the offset of the previous cell in their bin. The root
// cell decides, since a damaged base block may carry any version; the
// version decides only when the root cell shows neither layout.
func cellHeaderSize(data []byte, bb BaseBlock) int64 {
	abs := BaseBlockSize + int64(bb.RootCell)
	nkAt := func(n int64) bool {
		return bb.RootCell != 0xFFFFFFFF && abs+n+2 <= int64(len(data)) && string(data[abs+n:abs+n+2]) == "nk"
	}
	switch {
	case nkAt(4):
		return 4
	case nkAt(8):
		return 8
	case bb.Major == 1 && bb.Minor <= 1:
		return 8
	}
	return 4
}

// isBareLog reports data that starts like a log without a regf base block.
func isBareLog(data []byte) bool {
	return len(data) >= 4 && (string(data[:4]) == "HvLE" || string(data[:4]) == "DIRT")
}

// Bytes returns the hive's bytes. They must not be modified.
func (h *Hive) Bytes() []byte { return h.data }

// Size returns the size of the hive in bytes.
func (h *Hive) Size() int64 { return int64(len(h.data)) }

// Kind returns what the hive is (SYSTEM, NTUSER, ...), decided when it was
// parsed (see Classification).
func (h *Hive) Kind() Kind { return h.class.Kind }

// Classification returns how the hive's kind was decided.
func (h *Hive) Classification() Classification {
	c := h.class
	c.By = append([]string(nil), c.By...)
	c.Against = append([]string(nil), c.Against...)
	return c
}

// Root returns the root key.
func (h *Hive) Root() (*Key, error) {
	k, err := h.keyAt(h.Header.RootCell, "")
	if k == nil {
		return nil, fmt.Errorf("root key: %w", err)
	}
	k.path = `\`
	return k, nil
}

// cell returns the absolute offset of a cell's payload and its payload size.
// off is relative to the first hive bin, as stored in the file.
func (h *Hive) cell(off uint32) (payload int64, size int, err error) {
	abs := BaseBlockSize + int64(off)
	if off == 0xFFFFFFFF || abs+h.cellHeader > h.end {
		return 0, 0, h.errAt(abs, fmt.Sprintf("cell offset %#x outside the hive bins", off))
	}
	raw := int32(binary.LittleEndian.Uint32(h.data[abs:]))
	sz := int64(raw)
	if sz < 0 {
		sz = -sz
	}
	if sz < h.cellHeader+4 {
		return 0, 0, h.errAt(abs, fmt.Sprintf("cell size %d too small", raw))
	}
	if abs+sz > h.end {
		return 0, 0, h.errAt(abs, fmt.Sprintf("cell of %d bytes runs past the end of the file", sz))
	}
	return abs + h.cellHeader, int(sz - h.cellHeader), nil
}

func (h *Hive) errAt(off int64, msg string) error {
	return &FormatError{Format: "hive", File: h.Name, Offset: off, Msg: msg}
}

func (h *Hive) u16(abs int64) uint16 { return binary.LittleEndian.Uint16(h.data[abs:]) }
func (h *Hive) u32(abs int64) uint32 { return binary.LittleEndian.Uint32(h.data[abs:]) }
