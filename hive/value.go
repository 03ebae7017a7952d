package hive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/hivescan/hivescan/internal/wintext"
)

// ValueType is a registry value's data type (REG_SZ, REG_DWORD, ...).
type ValueType uint32

// The registry value types.
const (
	RegNone                     ValueType = 0
	RegSZ                       ValueType = 1
	RegExpandSZ                 ValueType = 2
	RegBinary                   ValueType = 3
	RegDWORD                    ValueType = 4
	RegDWORDBigEndian           ValueType = 5
	RegLink                     ValueType = 6
	RegMultiSZ                  ValueType = 7
	RegResourceList             ValueType = 8
	RegFullResourceDescriptor   ValueType = 9
	RegResourceRequirementsList ValueType = 10
	RegQWORD                    ValueType = 11
)

var typeNames = [...]string{"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
	"REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST",
	"REG_FULL_RESOURCE_DESCRIPTOR", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD"}

// String returns the Windows name (REG_SZ); unknown types print as
// REG_UNKNOWN_0x<hex>.
func (t ValueType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("REG_UNKNOWN_%#x", uint32(t))
}

const (
	valueCompName   = 0x0001 // VALUE_COMP_NAME: name stored as Latin-1
	bigDataSegment  = 16344  // largest data cell before big-data segments
	dataInlineFlag  = 0x80000000
	maxValueDataLen = 1 << 30
)

// Value is a registry value.
type Value struct {
	h       *Hive
	key     *Key
	off     uint32
	name    string
	typ     ValueType
	flags   uint16
	dataLen uint32 // as stored, with the inline flag
	dataOff uint32
	dataAbs int64 // absolute offset of the inline data field
}

// Name returns the value's name ("" is the key's default value).
func (v *Value) Name() string { return v.name }

// Type returns the value's data type.
func (v *Value) Type() ValueType { return v.typ }

// Key returns the key holding the value.
func (v *Value) Key() *Key { return v.key }

// Offset returns the value's cell offset relative to the first hive bin.
func (v *Value) Offset() uint32 { return v.off }

// Size returns the data size the value declares, in bytes.
func (v *Value) Size() int { return int(v.dataLen &^ dataInlineFlag) }

// Values returns the key's values in stored order. On a damaged value list it
// returns what it could read together with an error.
func (k *Key) Values() ([]*Value, error) {
	if k.nVal == 0 {
		return nil, nil
	}
	h := k.h
	p, size, err := h.cell(k.valList)
	if err != nil {
		return nil, fmt.Errorf("value list of %s: %w", k.path, err)
	}
	n := int(k.nVal)
	var errs []error
	if n*4 > size {
		errs = append(errs, h.errAt(p, fmt.Sprintf("value list of %s: %d values run past its cell (%d bytes)", k.path, n, size)))
		n = size / 4
	}
	out := make([]*Value, 0, n)
	for i := 0; i < n; i++ {
		v, err := h.valueAt(h.u32(p+int64(4*i)), k)
		if err != nil {
			errs = append(errs, fmt.Errorf("value %d of %s: %w", i, k.path, err))
			continue
		}
		out = append(out, v)
	}
	return out, errors.Join(errs...)
}

// ValueListSlack returns the value cell offsets that the key's value-list
// cell still holds past its declared count. Windows removes a value by
// moving the later entries up, so the last slot keeps a stale offset: the
// deleted value's own when it was the last in the list.
func (k *Key) ValueListSlack() ([]uint32, error) {
	if k.nVal == 0 && (k.valList == 0 || k.valList == 0xFFFFFFFF) {
		return nil, nil
	}
	p, size, err := k.h.cell(k.valList)
	if err != nil {
		return nil, err
	}
	var out []uint32
	for i := int(k.nVal); (i+1)*4 <= size; i++ {
		if off := k.h.u32(p + int64(4*i)); off != 0 && off != 0xFFFFFFFF {
			out = append(out, off)
		}
	}
	return out, nil
}

// Value returns the value with the given name (case-insensitive; "" is the
// default value). The error wraps fs.ErrNotExist when the value list was
// read whole and holds no such name, and matches ErrDamaged when the list
// or one of its value cells is damaged and the name is not among the values
// that could be read.
func (k *Key) Value(name string) (*Value, error) {
	if v, ok := k.findValue(name); ok {
		if v == nil {
			return nil, &valueNotFound{path: k.path, name: name}
		}
		return v, nil
	}
	vals, err := k.Values()
	for _, v := range vals {
		if foldEqual(v.name, name) {
			return v, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: value %q: not found in a damaged value list: %w", k.path, name, damaged(err))
	}
	return nil, &valueNotFound{path: k.path, name: name}
}

// valueNotFound is Value's error for a name the (intact) list lacks: built
// for each lookup of an absent value, so it formats only when printed.
type valueNotFound struct{ path, name string }

func (e *valueNotFound) Error() string {
	return e.path + ": value " + strconv.Quote(e.name) + ": " + fs.ErrNotExist.Error()
}

func (e *valueNotFound) Unwrap() error { return fs.ErrNotExist }

// findValue looks name up in an intact value list, comparing the names in
// the value cells and decoding only the match. ok is false when the list or
// one of its cells is damaged (or the list is empty): the caller then takes
// the general path, which reports the damage. A nil value with ok true means
// the list has no such name.
func (k *Key) findValue(name string) (v *Value, ok bool) {
	if k.nVal == 0 {
		return nil, false
	}
	h := k.h
	p, size, err := h.cell(k.valList)
	n := int(k.nVal)
	if err != nil || n*4 > size {
		return nil, false
	}
	for i := range n {
		off := h.u32(p + int64(4*i))
		match, intact := h.vkNameIs(off, name)
		if !intact {
			return nil, false
		}
		if match {
			v, err := h.valueAt(off, k)
			return v, err == nil
		}
	}
	return nil, true
}

// vkNameIs reports whether the value cell at off is named name (ignoring
// case as Windows does); intact is false when the cell is no readable vk.
func (h *Hive) vkNameIs(off uint32, name string) (match, intact bool) {
	p, size, err := h.cell(off)
	fixed := int(fields.vkName)
	if err != nil || size < fixed || h.u16(p+fields.vkSig) != 0x6b76 {
		return false, false
	}
	nameLen := int(h.u16(p + fields.vkNameLen))
	if fixed+nameLen > size {
		return false, false
	}
	b := h.data[p+fields.vkName : p+fields.vkName+int64(nameLen)]
	if h.u16(p+fields.vkFlags)&valueCompName != 0 && wintext.ASCII(name) {
		// Latin-1, one byte per character: an ASCII name matches only
		// bytes of its own length.
		if len(b) != len(name) {
			return false, true
		}
		for i := range len(b) {
			c, d := b[i], name[i]
			if c == d {
				continue
			}
			if c >= 0x80 || lower(c) != lower(d) {
				return false, true
			}
		}
		return true, true
	}
	return foldEqual(decodeName(b, h.u16(p+fields.vkFlags)&valueCompName != 0), name), true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func (h *Hive) valueAt(off uint32, k *Key) (*Value, error) {
	p, size, err := h.cell(off)
	if err != nil {
		return nil, err
	}
	fixed := int(fields.vkName)
	if size < fixed {
		return nil, h.errAt(p-4, fmt.Sprintf("value cell of %d bytes too small", size))
	}
	if h.u16(p+fields.vkSig) != 0x6b76 {
		return nil, h.errAt(p, fmt.Sprintf("expected value node (vk), found %q", string(h.data[p:p+2])))
	}
	v := &Value{
		h:       h,
		key:     k,
		off:     off,
		typ:     ValueType(h.u32(p + fields.vkType)),
		flags:   h.u16(p + fields.vkFlags),
		dataLen: h.u32(p + fields.vkDataLen),
		dataOff: h.u32(p + fields.vkData),
		dataAbs: p + fields.vkData,
	}
	nameLen := int(h.u16(p + fields.vkNameLen))
	nameStart := p + fields.vkName
	if fixed+nameLen > size {
		return nil, h.errAt(p, fmt.Sprintf("value name of %d bytes runs past its cell (%d bytes)", nameLen, size))
	}
	v.name = decodeName(h.data[nameStart:nameStart+int64(nameLen)], v.flags&valueCompName != 0)
	return v, nil
}

// Bytes returns the value's raw data. When the declared size runs past the
// data cell it returns the bytes available and an error saying so.
func (v *Value) Bytes() ([]byte, error) {
	h := v.h
	if v.dataLen&dataInlineFlag != 0 {
		n := int(v.dataLen &^ dataInlineFlag)
		if n > 4 {
			return h.data[v.dataAbs : v.dataAbs+4], h.errAt(v.dataAbs, fmt.Sprintf("inline value data declares %d bytes (at most 4 fit)", n))
		}
		return h.data[v.dataAbs : v.dataAbs+int64(n)], nil
	}
	n := int(v.dataLen)
	if n == 0 {
		return nil, nil
	}
	if n > maxValueDataLen {
		return nil, h.errAt(v.dataAbs, fmt.Sprintf("value data size %d is implausible", n))
	}
	p, size, err := h.cell(v.dataOff)
	if err != nil {
		return nil, fmt.Errorf("data of value %q: %w", v.name, err)
	}
	if n > bigDataSegment && h.Header.Minor >= 4 && size >= 8 && string(h.data[p:p+2]) == "db" {
		return v.bigData(p, n)
	}
	if n > size {
		return h.data[p : p+int64(size)], h.errAt(p, fmt.Sprintf("value %q declares %d bytes of data but its cell holds %d", v.name, n, size))
	}
	return h.data[p : p+int64(n)], nil
}

// bigData concatenates the segments of a big-data (db) record.
func (v *Value) bigData(p int64, n int) ([]byte, error) {
	h := v.h
	count := int(h.u16(p + fields.dbCount))
	lp, lsize, err := h.cell(h.u32(p + fields.dbList))
	if err != nil {
		return nil, fmt.Errorf("big data segment list of value %q: %w", v.name, err)
	}
	if count*4 > lsize {
		return nil, h.errAt(lp, fmt.Sprintf("big data list of %d segments runs past its cell", count))
	}
	// Allocate for what the segments can hold, never more than the hive
	// itself: a declared size is only a claim.
	want := min(n, count*bigDataSegment, len(h.data))
	out := make([]byte, 0, want)
	for i := 0; i < count && len(out) < want; i++ {
		sp, ssize, err := h.cell(h.u32(lp + int64(4*i)))
		if err != nil {
			return out, fmt.Errorf("big data segment %d of value %q: %w", i, v.name, err)
		}
		take := want - len(out)
		if take > bigDataSegment {
			take = bigDataSegment
		}
		if take > ssize {
			take = ssize
		}
		out = append(out, h.data[sp:sp+int64(take)]...)
	}
	if len(out) < n {
		return out, h.errAt(p, fmt.Sprintf("big data of value %q holds %d of %d declared bytes", v.name, len(out), n))
	}
	return out, nil
}

// Text decodes REG_SZ, REG_EXPAND_SZ and REG_LINK data (see DecodeString).
// Other types return an error.
func (v *Value) Text() (string, error) {
	switch v.typ {
	case RegSZ, RegExpandSZ, RegLink:
	default:
		return "", fmt.Errorf("value %q is %v, not a string", v.name, v.typ)
	}
	b, err := v.Bytes()
	return DecodeString(b), err
}

// Strings decodes REG_MULTI_SZ data (see DecodeMultiString). REG_SZ and
// REG_EXPAND_SZ data is returned as a one-element slice.
func (v *Value) Strings() ([]string, error) {
	switch v.typ {
	case RegMultiSZ:
		b, err := v.Bytes()
		return DecodeMultiString(b), err
	case RegSZ, RegExpandSZ:
		s, err := v.Text()
		if s == "" {
			return nil, err
		}
		return []string{s}, err
	}
	return nil, fmt.Errorf("value %q is %v, not a multi-string", v.name, v.typ)
}

// Uint64 decodes REG_DWORD, REG_DWORD_BIG_ENDIAN and REG_QWORD data.
func (v *Value) Uint64() (uint64, error) {
	b, err := v.Bytes()
	if err != nil {
		return 0, err
	}
	return DecodeInteger(v.typ, b)
}

// DecodeInteger decodes REG_DWORD (4 bytes, little-endian),
// REG_DWORD_BIG_ENDIAN (4 bytes) and REG_QWORD (8 bytes, little-endian).
func DecodeInteger(t ValueType, b []byte) (uint64, error) {
	switch t {
	case RegDWORD:
		if len(b) != 4 {
			return 0, fmt.Errorf("REG_DWORD of %d bytes", len(b))
		}
		return uint64(binary.LittleEndian.Uint32(b)), nil
	case RegDWORDBigEndian:
		if len(b) != 4 {
			return 0, fmt.Errorf("REG_DWORD_BIG_ENDIAN of %d bytes", len(b))
		}
		return uint64(binary.BigEndian.Uint32(b)), nil
	case RegQWORD:
		if len(b) != 8 {
			return 0, fmt.Errorf("REG_QWORD of %d bytes", len(b))
		}
		return binary.LittleEndian.Uint64(b), nil
	}
	return 0, fmt.Errorf("%v is not an integer type", t)
}

// Data decodes the value per its type: string for REG_SZ, REG_EXPAND_SZ and
// REG_LINK; []string for REG_MULTI_SZ; uint64 for REG_DWORD,
// REG_DWORD_BIG_ENDIAN and REG_QWORD of the right size; []byte otherwise
// (including integers of the wrong size). With an error it returns what
// could be decoded.
func (v *Value) Data() (any, error) {
	b, err := v.Bytes()
	return DecodeData(v.typ, b), err
}

// DecodeData is Data for raw bytes.
func DecodeData(t ValueType, b []byte) any {
	switch t {
	case RegSZ, RegExpandSZ, RegLink:
		return DecodeString(b)
	case RegMultiSZ:
		s := DecodeMultiString(b)
		if s == nil {
			s = []string{}
		}
		return s
	case RegDWORD, RegDWORDBigEndian, RegQWORD:
		if n, err := DecodeInteger(t, b); err == nil {
			return n
		}
	}
	if b == nil {
		b = []byte{}
	}
	return b
}

// DecodeString decodes registry string data: UTF-16LE up to the first NUL
// character, an odd trailing byte ignored. Data written as 8-bit text (a
// known quirk of some installers) is recognised and decoded as Latin-1: it
// is taken as 8-bit when every byte before its first NUL is printable ASCII
// and that NUL is the last byte of the data (an 8-bit terminator), or when
// there is no NUL and the length is odd.
func DecodeString(b []byte) string {
	if Is8BitText(b) {
		if i := indexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		return latin1(b)
	}
	n := len(b) &^ 1
	for i := 0; i < n; i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			n = i
			break
		}
	}
	return utf16le(b[:n])
}

// Is8BitText reports whether DecodeString takes b as 8-bit text rather
// than UTF-16LE.
func Is8BitText(b []byte) bool {
	z := indexByte(b, 0)
	if z == 1 || z == 0 {
		return false
	}
	end := z
	if z < 0 {
		end = len(b)
		if len(b)%2 == 0 {
			return false
		}
	} else if z != len(b)-1 {
		// More data follows the NUL: it is the high byte of a UTF-16
		// character (U+0041 is 41 00) or a UTF-16 terminator, not the end
		// of 8-bit text.
		return false
	}
	if end < 2 {
		return false
	}
	for _, c := range b[:end] {
		if c < 0x20 && c != '\t' || c > 0x7e {
			return false
		}
	}
	return true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// DecodeMultiString decodes REG_MULTI_SZ data: UTF-16LE strings, each
// ended by a NUL character. Empty strings inside the list are kept, because
// some writers give them meaning (PendingFileRenameOperations pairs a source
// with an empty destination to mean "delete"); the empty strings that end
// the list are not part of it.
func DecodeMultiString(b []byte) []string {
	n := len(b) &^ 1
	var out []string
	start := 0
	for i := 0; i < n; i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			out = append(out, utf16le(b[start:i]))
			start = i + 2
		}
	}
	if start < n {
		out = append(out, utf16le(b[start:n]))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}
