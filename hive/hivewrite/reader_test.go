package hivewrite

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
)

// rawHive is a small, strict reader of built hives, written from the
// specification independently of the builder, used to check layout
// invariants byte by byte.
type rawHive struct {
	b     []byte
	cells map[int]int32 // cell offset -> stored size
	errs  []string
	// staleMax accepts nk "largest" fields above the actual largest, as
	// Windows leaves them after a deletion.
	staleMax bool
}

func (r *rawHive) errorf(format string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(format, a...)) }

func le16(b []byte, off int) int    { return int(binary.LittleEndian.Uint16(b[off:])) }
func le32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

// readRaw checks the base block and the tiling of hive bins and cells.
func readRaw(b []byte) *rawHive {
	r := &rawHive{b: b, cells: map[int]int32{}}
	if len(b) < 4096 || string(b[:4]) != "regf" {
		r.errorf("no regf base block")
		return r
	}
	var c uint32
	for i := 0; i < 508; i += 4 {
		c ^= le32(b, i)
	}
	if c == 0 {
		c = 1
	} else if c == 0xFFFFFFFF {
		c = 0xFFFFFFFE
	}
	if got := le32(b, 508); got != c {
		r.errorf("checksum %#x, computed %#x", got, c)
	}
	size := int(le32(b, 0x28))
	if 4096+size != len(b) {
		r.errorf("hive bins size %d, file has %d after the base block", size, len(b)-4096)
	}
	for off := 0; off < size && 4096+off+32 <= len(b); {
		p := 4096 + off
		if string(b[p:p+4]) != "hbin" || int(le32(b, p+4)) != off {
			r.errorf("bad hbin header at %#x", off)
			return r
		}
		bs := int(le32(b, p+8))
		if bs <= 0 || bs%4096 != 0 || off+bs > size {
			r.errorf("hbin at %#x has size %d", off, bs)
			return r
		}
		for c := off + 32; c < off+bs; {
			s := int32(le32(b, 4096+c))
			n := int(s)
			if n < 0 {
				n = -n
			}
			if n < 8 || n%8 != 0 || c+n > off+bs {
				r.errorf("cell at %#x has size %d", c, s)
				return r
			}
			r.cells[c] = s
			c += n
		}
		off += bs
	}
	return r
}

// cell returns the data of the allocated cell at off.
func (r *rawHive) cell(off int, what string) []byte {
	s, ok := r.cells[int(off)]
	if !ok {
		r.errorf("%s: %#x is not a cell", what, off)
		return nil
	}
	if s >= 0 {
		r.errorf("%s: cell %#x is free", what, off)
		return nil
	}
	return r.b[4096+off+4 : 4096+off+int(-s)]
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func utf16String(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(le16(b, 2*i))
	}
	return string(utf16.Decode(u))
}

// readKey decodes the nk cell at off and its subtree into a Key, checking
// each field against what the builder promises.
func (r *rawHive) readKey(off, parent int, sk int, path string) *Key {
	nk := r.cell(off, path)
	if len(nk) < 76 || string(nk[:2]) != "nk" {
		r.errorf("%s: no nk at %#x", path, off)
		return nil
	}
	flags := le16(nk, 2)
	nameLen := le16(nk, 0x48)
	rawName := nk[76 : 76+nameLen]
	k := &Key{}
	if flags&0x20 != 0 {
		k.Name = latin1(rawName)
	} else {
		k.Name = utf16String(rawName)
	}
	latin := !strings.ContainsFunc(k.Name, func(r rune) bool { return r > 0xFF })
	if (flags&0x20 != 0) != latin {
		r.errorf("%s: KEY_COMP_NAME is %v for %q", path, flags&0x20 != 0, k.Name)
	}
	wantFlags := flags & 0x20
	if parent < 0 {
		wantFlags |= 0x0C
	}
	if flags != wantFlags {
		r.errorf("%s: flags %#x, want %#x", path, flags, wantFlags)
	}
	ft := binary.LittleEndian.Uint64(nk[4:])
	k.LastWrite = time.Unix(int64(ft/1e7)-11644473600, int64(ft%1e7)*100).UTC()
	if parent >= 0 && int(le32(nk, 0x10)) != parent {
		r.errorf("%s: parent %#x, want %#x", path, le32(nk, 0x10), parent)
	}
	if int(le32(nk, 0x2C)) != sk {
		r.errorf("%s: security %#x, want %#x", path, le32(nk, 0x2C), sk)
	}
	if le32(nk, 0x18) != 0 || le32(nk, 0x20) != 0xFFFFFFFF {
		r.errorf("%s: volatile subkeys set", path)
	}
	if cl := le16(nk, 0x4A); cl > 0 {
		k.Class = utf16String(r.cell(int(le32(nk, 0x30)), path+" class")[:cl])
	} else if le32(nk, 0x30) != 0xFFFFFFFF {
		r.errorf("%s: class offset without a class", path)
	}

	maxVName, maxVData := 0, 0
	if n := int(le32(nk, 0x24)); n > 0 {
		list := r.cell(int(le32(nk, 0x28)), path+" value list")
		for i := range n {
			v := r.readValue(int(le32(list, 4*i)), path)
			k.Values = append(k.Values, v)
			maxVName = max(maxVName, 2*len(utf16.Encode([]rune(v.Name))))
			maxVData = max(maxVData, len(v.Data))
		}
	} else if le32(nk, 0x28) != 0xFFFFFFFF {
		r.errorf("%s: value list offset without values", path)
	}

	var elems []int
	if n := int(le32(nk, 0x14)); n > 0 {
		elems = r.readSubkeyList(int(le32(nk, 0x1C)), path)
		if len(elems) != n {
			r.errorf("%s: %d subkeys listed, nk says %d", path, len(elems), n)
		}
	}
	maxName, maxClass := 0, 0
	var prev string
	for i, e := range elems {
		s := r.readKey(e, off, sk, path+`\?`)
		if s == nil {
			continue
		}
		if u := strings.ToUpper(s.Name); i > 0 && u <= prev {
			r.errorf("%s: subkeys not sorted: %q after %q", path, u, prev)
		} else {
			prev = u
		}
		k.Subkeys = append(k.Subkeys, s)
		maxName = max(maxName, 2*len(utf16.Encode([]rune(s.Name))))
		maxClass = max(maxClass, 2*len(utf16.Encode([]rune(s.Class))))
	}
	got := []int{int(le32(nk, 0x34)), int(le32(nk, 0x38)), int(le32(nk, 0x3C)), int(le32(nk, 0x40))}
	want := []int{maxName, maxClass, maxVName, maxVData}
	stale := r.staleMax
	for i := range got {
		stale = stale && got[i] >= want[i]
	}
	if !slices.Equal(got, want) && !stale {
		r.errorf("%s: largest name/class/value name/value data %v, want %v", path, got, want)
	}
	return k
}

// readSubkeyList returns the nk offsets of a leaf or ri, checking hashes and
// hints.
func (r *rawHive) readSubkeyList(off int, path string) []int {
	l := r.cell(off, path+" subkey list")
	if len(l) < 4 {
		return nil
	}
	sig, n := string(l[:2]), le16(l, 2)
	var out []int
	switch sig {
	case "ri":
		for i := range n {
			sub := int(le32(l, 4+4*i))
			if s := r.cell(sub, path+" leaf"); len(s) >= 2 && string(s[:2]) == "ri" {
				r.errorf("%s: ri points at an ri", path)
				continue
			}
			out = append(out, r.readSubkeyList(sub, path)...)
		}
	case "li":
		for i := range n {
			out = append(out, int(le32(l, 4+4*i)))
		}
	case "lf", "lh":
		for i := range n {
			e := int(le32(l, 4+8*i))
			out = append(out, e)
			nk := r.cell(e, path+" subkey")
			if len(nk) < 76 {
				continue
			}
			raw := nk[76 : 76+le16(nk, 0x48)]
			name := utf16String(raw)
			if le16(nk, 2)&0x20 != 0 {
				name = latin1(raw)
			}
			got := le32(l, 8+8*i)
			var want uint32
			if sig == "lh" {
				for _, c := range utf16.Encode([]rune(strings.ToUpper(name))) {
					want = want*37 + uint32(c)
				}
			} else {
				var hint [4]byte // all NUL when a character is beyond Latin-1
				for j, c := range utf16.Encode([]rune(name)) {
					if j == 4 {
						break
					}
					if c >= 0x100 {
						hint = [4]byte{}
						break
					}
					hint[j] = byte(c)
				}
				want = binary.LittleEndian.Uint32(hint[:])
			}
			if got != want {
				r.errorf("%s: %s element %q has %#x, want %#x", path, sig, name, got, want)
			}
		}
	default:
		r.errorf("%s: unknown subkey list %q", path, sig)
	}
	return out
}

func (r *rawHive) readValue(off int, path string) Value {
	vk := r.cell(off, path+" value")
	if len(vk) < 20 || string(vk[:2]) != "vk" {
		r.errorf("%s: no vk at %#x", path, off)
		return Value{}
	}
	raw := vk[20 : 20+le16(vk, 2)]
	var v Value
	if le16(vk, 0x10)&1 != 0 {
		v.Name = latin1(raw)
	} else {
		v.Name = utf16String(raw)
	}
	v.Type = le32(vk, 0x0C)
	size := le32(vk, 4)
	switch {
	case size&0x80000000 != 0:
		n := int(size &^ 0x80000000)
		if n > 4 {
			r.errorf("%s: inline data of %d bytes", path, n)
			return v
		}
		v.Data = slices.Clone(vk[8 : 8+n])
	case size > 16344 && le32(r.b, 0x18) >= 4:
		db := r.cell(int(le32(vk, 8)), path+" db")
		if len(db) < 8 || string(db[:2]) != "db" {
			r.errorf("%s: no db", path)
			return v
		}
		segs := r.cell(int(le32(db, 4)), path+" segment list")
		for i := range le16(db, 2) {
			s := r.cell(int(le32(segs, 4*i)), path+" segment")
			want := min(16344, int(size)-len(v.Data))
			if len(s) < want {
				r.errorf("%s: short segment", path)
				return v
			}
			v.Data = append(v.Data, s[:want]...)
		}
		if len(v.Data) != int(size) {
			r.errorf("%s: big data has %d bytes, vk says %d", path, len(v.Data), size)
		}
	default:
		d := r.cell(int(le32(vk, 8)), path+" data")
		if len(d) < int(size) {
			r.errorf("%s: data cell shorter than %d", path, size)
			return v
		}
		v.Data = slices.Clone(d[:size])
	}
	if len(v.Data) == 0 {
		v.Data = nil
	}
	return v
}

// readTree reads the whole hive from the root cell, checking the shared
// security cell.
func readTree(b []byte, staleMax bool) (*Key, []string) {
	r := readRaw(b)
	r.staleMax = staleMax
	if len(r.errs) > 0 {
		return nil, r.errs
	}
	root := int(le32(b, 0x24))
	nk := r.cell(root, "root")
	if len(nk) < 76 {
		return nil, r.errs
	}
	sk := int(le32(nk, 0x2C))
	k := r.readKey(root, -1, sk, `\`)
	s := r.cell(sk, "sk")
	if len(s) < 20 || string(s[:2]) != "sk" || int(le32(s, 4)) != sk || int(le32(s, 8)) != sk {
		r.errorf("sk at %#x is not a one-element circular list", sk)
	} else {
		count := 0
		walk(k, nil, func([]string, *Key) { count++ })
		if int(le32(s, 12)) != count {
			r.errorf("sk reference count %d, want %d keys", le32(s, 12), count)
		}
		sd := s[20 : 20+le32(s, 16)]
		if sd[0] != 1 || le16(sd, 2)&0x8000 == 0 || int(le32(sd, 4)) >= len(sd) || int(le32(sd, 16)) >= len(sd) {
			r.errorf("security descriptor is not self-relative: % x", sd)
		}
	}
	return k, r.errs
}
