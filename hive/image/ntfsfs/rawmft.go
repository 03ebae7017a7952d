package ntfsfs

import (
	"encoding/binary"
	"errors"

	"github.com/hivescan/hivescan/internal/wintext"
)

// Attribute type codes read from raw records.
const (
	rawAttrEnd = 0xFFFFFFFF
)

// rawRecord is what Walk needs of one MFT record, decoded straight from
// its bytes (go-ntfs's general record parser costs about 5 µs a record,
// too much for a volume of a million files).
type rawRecord struct {
	inUse, isDir bool
	base         bool // a base record (not an extension of another)
	seq          uint16
	si           Timestamps
	names        []fileName
	dataSize     int64
	hasData      bool
	streams      []Stream
}

var errNoSignature = errors.New("no FILE signature")

// parseRawRecord decodes rec (one whole MFT record, fixups not yet
// applied; it is changed in place). Every offset is checked against the
// record: a damaged record gives an error, never a panic.
func parseRawRecord(rec []byte) (rawRecord, error) {
	var r rawRecord
	if len(rec) < 48 || string(rec[:4]) != "FILE" {
		return r, errNoSignature
	}
	if err := applyFixup(rec); err != nil {
		return r, err
	}
	le := binary.LittleEndian
	r.seq = le.Uint16(rec[0x10:])
	flags := le.Uint16(rec[0x16:])
	r.inUse, r.isDir = flags&1 != 0, flags&2 != 0
	r.base = le.Uint64(rec[0x20:]) == 0
	off := int(le.Uint16(rec[0x14:]))
	for n := 0; n < 512; n++ {
		if off+16 > len(rec) {
			return r, errors.New("attribute past the record")
		}
		typ := le.Uint32(rec[off:])
		if typ == rawAttrEnd {
			return r, nil
		}
		length := int(le.Uint32(rec[off+4:]))
		if length < 16 || off+length > len(rec) {
			return r, errors.New("attribute length out of the record")
		}
		a := rec[off : off+length]
		nonResident := a[8] != 0
		nameLen, nameOff := int(a[9]), int(le.Uint16(a[10:]))
		name := ""
		if nameLen > 0 {
			if nameOff+2*nameLen > len(a) {
				return r, errors.New("attribute name out of the attribute")
			}
			name = wintext.UTF16(a[nameOff : nameOff+2*nameLen])
		}
		var content []byte
		if !nonResident && len(a) >= 24 {
			size, coff := int(le.Uint32(a[16:])), int(le.Uint16(a[20:]))
			if coff+size <= len(a) {
				content = a[coff : coff+size]
			}
		}
		switch typ {
		case attrStandardInformation:
			if len(content) >= 32 {
				r.si = Timestamps{Created: fileTime(le.Uint64(content[0:])), Modified: fileTime(le.Uint64(content[8:])),
					MFTChanged: fileTime(le.Uint64(content[16:])), Accessed: fileTime(le.Uint64(content[24:]))}
			}
		case attrFileName:
			if fn, ok := parseFileName(content); ok && fn.ns != nsDOS && len(r.names) < maxNames {
				r.names = append(r.names, fn)
			}
		case attrData:
			var size int64
			first := true
			switch {
			case !nonResident:
				size = int64(len(content))
			case len(a) >= 0x38:
				first = le.Uint64(a[0x10:]) == 0 // lowest VCN: the part that holds the sizes
				size = int64(le.Uint64(a[0x30:]) & (1<<63 - 1))
			default:
				first = false
			}
			if !first {
				break
			}
			if name == "" && !r.hasData {
				r.hasData, r.dataSize = true, size
			} else if name != "" && len(r.streams) < maxStreams {
				r.streams = append(r.streams, Stream{Name: name, Size: size})
			}
		}
		off += length
	}
	return r, errors.New("too many attributes")
}
