package hivewrite

import (
	"encoding/binary"
	"unicode/utf16"
)

// Registry value types (the REG_* constants of winnt.h). Any other uint32 may
// be used as a Value's Type too: the builder stores it verbatim.
const (
	TypeNone                     uint32 = 0  // REG_NONE
	TypeSZ                       uint32 = 1  // REG_SZ
	TypeExpandSZ                 uint32 = 2  // REG_EXPAND_SZ
	TypeBinary                   uint32 = 3  // REG_BINARY
	TypeDWORD                    uint32 = 4  // REG_DWORD (little-endian)
	TypeDWORDBigEndian           uint32 = 5  // REG_DWORD_BIG_ENDIAN
	TypeLink                     uint32 = 6  // REG_LINK
	TypeMultiSZ                  uint32 = 7  // REG_MULTI_SZ
	TypeResourceList             uint32 = 8  // REG_RESOURCE_LIST
	TypeFullResourceDescriptor   uint32 = 9  // REG_FULL_RESOURCE_DESCRIPTOR
	TypeResourceRequirementsList uint32 = 10 // REG_RESOURCE_REQUIREMENTS_LIST
	TypeQWORD                    uint32 = 11 // REG_QWORD (little-endian)
)

// Value is one registry value. Data is stored byte for byte; the constructors
// below encode it the way Windows does. An empty Name is the key's default
// value.
type Value struct {
	Name string
	Type uint32
	Data []byte
}

// SZ returns a REG_SZ value holding s as UTF-16LE with its NUL terminator.
func SZ(name, s string) Value { return Value{Name: name, Type: TypeSZ, Data: utf16z(s)} }

// ExpandSZ returns a REG_EXPAND_SZ value holding s as UTF-16LE with its NUL
// terminator.
func ExpandSZ(name, s string) Value { return Value{Name: name, Type: TypeExpandSZ, Data: utf16z(s)} }

// MultiSZ returns a REG_MULTI_SZ value: each string NUL-terminated, then one
// more NUL. With no strings the data is a single UTF-16 NUL (2 bytes).
func MultiSZ(name string, s ...string) Value {
	var b []byte
	for _, e := range s {
		b = append(b, utf16z(e)...)
	}
	b = append(b, 0, 0)
	return Value{Name: name, Type: TypeMultiSZ, Data: b}
}

// DWORD returns a REG_DWORD value (4 bytes, little-endian).
func DWORD(name string, v uint32) Value {
	return Value{Name: name, Type: TypeDWORD, Data: binary.LittleEndian.AppendUint32(nil, v)}
}

// QWORD returns a REG_QWORD value (8 bytes, little-endian).
func QWORD(name string, v uint64) Value {
	return Value{Name: name, Type: TypeQWORD, Data: binary.LittleEndian.AppendUint64(nil, v)}
}

// Binary returns a REG_BINARY value holding a copy of b.
func Binary(name string, b []byte) Value {
	return Value{Name: name, Type: TypeBinary, Data: append([]byte{}, b...)}
}

// utf16z encodes s as UTF-16LE followed by a NUL character.
func utf16z(s string) []byte {
	return append(utf16le(s), 0, 0)
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}
