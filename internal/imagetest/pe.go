package imagetest

import (
	"encoding/binary"
	"sort"
	"time"
	"unicode/utf16"
)

// PE describes a tiny PE32+ file for tests: headers, one .rsrc section with
// a version resource holding Strings, and an embedded (dummy) Authenticode
// blob when Signed is set. The file runs nothing: it has no code.
type PE struct {
	Machine   uint16 // 0x8664 when zero
	Subsystem uint16 // 2 (windows-gui) when zero
	LinkTime  time.Time
	Strings   map[string]string // StringFileInfo entries ("OriginalFilename": "smss.exe"); none: no version resource
	Signed    bool
}

// Bytes returns the file.
func (p PE) Bytes() []byte {
	le := binary.LittleEndian
	machine, subsys := p.Machine, p.Subsystem
	if machine == 0 {
		machine = 0x8664
	}
	if subsys == 0 {
		subsys = 2
	}
	rsrc := resourceSection(p.Strings, 0x1000)
	raw := (len(rsrc) + 0x1ff) &^ 0x1ff
	out := make([]byte, 0x200+raw)
	copy(out, "MZ")
	le.PutUint32(out[0x3c:], 0x40)
	copy(out[0x40:], "PE\x00\x00")
	fh := out[0x44:]
	le.PutUint16(fh[0:], machine)
	le.PutUint16(fh[2:], 1)
	if !p.LinkTime.IsZero() {
		le.PutUint32(fh[4:], uint32(p.LinkTime.Unix()))
	}
	le.PutUint16(fh[16:], 240)
	le.PutUint16(fh[18:], 0x22)
	oh := out[0x58:]
	le.PutUint16(oh[0:], 0x20b)
	le.PutUint32(oh[16:], 0x1000) // AddressOfEntryPoint
	le.PutUint64(oh[24:], 0x140000000)
	le.PutUint32(oh[32:], 0x1000) // SectionAlignment
	le.PutUint32(oh[36:], 0x200)  // FileAlignment
	le.PutUint16(oh[48:], 6)      // MajorSubsystemVersion
	le.PutUint32(oh[56:], 0x2000) // SizeOfImage
	le.PutUint32(oh[60:], 0x200)  // SizeOfHeaders
	le.PutUint16(oh[68:], subsys)
	le.PutUint32(oh[108:], 16) // NumberOfRvaAndSizes
	dd := oh[112:]
	if len(p.Strings) > 0 {
		le.PutUint32(dd[2*8:], 0x1000)
		le.PutUint32(dd[2*8+4:], uint32(len(rsrc)))
	}
	sh := out[0x58+240:]
	copy(sh, ".rsrc")
	le.PutUint32(sh[8:], uint32(max(len(rsrc), 1)))
	le.PutUint32(sh[12:], 0x1000)
	le.PutUint32(sh[16:], uint32(raw))
	le.PutUint32(sh[20:], 0x200)
	le.PutUint32(sh[36:], 0x40000040)
	copy(out[0x200:], rsrc)
	if p.Signed {
		cert := make([]byte, 16)
		le.PutUint32(cert[0:], 16)
		le.PutUint16(cert[4:], 0x200)
		le.PutUint16(cert[6:], 2)
		le.PutUint32(dd[4*8:], uint32(len(out)))
		le.PutUint32(dd[4*8+4:], uint32(len(cert)))
		out = append(out, cert...)
	}
	return out
}

// resourceSection lays out type 16 → name 1 → language 0x409 → data.
func resourceSection(strs map[string]string, rva uint32) []byte {
	if len(strs) == 0 {
		return nil
	}
	le := binary.LittleEndian
	b := make([]byte, 0x58)
	dir := func(off int, id, target uint32) {
		le.PutUint16(b[off+14:], 1)
		le.PutUint32(b[off+16:], id)
		le.PutUint32(b[off+20:], target)
	}
	dir(0, 16, 1<<31|0x18)
	dir(0x18, 1, 1<<31|0x30)
	dir(0x30, 0x409, 0x48)
	blob := versionInfo(strs)
	le.PutUint32(b[0x48:], rva+0x58)
	le.PutUint32(b[0x4c:], uint32(len(blob)))
	return append(b, blob...)
}

func versionInfo(strs map[string]string) []byte {
	keys := make([]string, 0, len(strs))
	for k := range strs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var children [][]byte
	for _, k := range keys {
		v := utf16z(strs[k])
		children = append(children, vnode(k, 1, v, len(v)/2))
	}
	table := vnode("040904b0", 1, nil, 0, children...)
	sfi := vnode("StringFileInfo", 1, nil, 0, table)
	fixed := make([]byte, 52)
	binary.LittleEndian.PutUint32(fixed, 0xfeef04bd)
	return vnode("VS_VERSION_INFO", 0, fixed, 52, sfi)
}

func vnode(key string, typ uint16, value []byte, valueLen int, children ...[]byte) []byte {
	b := make([]byte, 6)
	b = append(b, utf16z(key)...)
	b = pad4(b)
	b = append(b, value...)
	for _, c := range children {
		b = pad4(b)
		b = append(b, c...)
	}
	binary.LittleEndian.PutUint16(b[0:], uint16(len(b)))
	binary.LittleEndian.PutUint16(b[2:], uint16(valueLen))
	binary.LittleEndian.PutUint16(b[4:], typ)
	return b
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func utf16z(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return append(b, 0, 0)
}
