package hive

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/hivescan/hivescan/internal/wintext"
)

// Key node flags.
const (
	KeyVolatile   = 0x0001
	KeyHiveExit   = 0x0002 // a mount point of another hive
	KeyHiveEntry  = 0x0004 // the root key
	KeyNoDelete   = 0x0008
	KeySymLink    = 0x0010
	KeyCompName   = 0x0020 // the name is stored as Latin-1
	KeyPredefined = 0x0040
)

// Key is a registry key. Its fields are decoded when the key is reached;
// subkeys, values and the class name are read on demand.
type Key struct {
	h         *Hive
	off       uint32 // cell offset, relative to the first hive bin
	name      string
	path      string
	flags     uint16
	lastWrite uint64
	parent    uint32
	nSub      uint32
	subList   uint32
	nVal      uint32
	valList   uint32
	classOff  uint32
	classLen  uint16
}

// keyAt decodes the key node at cell offset off; parentPath is the path of
// the key it was reached from.
func (h *Hive) keyAt(off uint32, parentPath string) (*Key, error) {
	p, size, err := h.cell(off)
	if err != nil {
		return nil, err
	}
	fixed := int(fields.nkName) // nk header before the name
	if size < fixed {
		return nil, h.errAt(p-4, fmt.Sprintf("key cell of %d bytes too small", size))
	}
	if h.u16(p+fields.nkSig) != 0x6b6e {
		return nil, h.errAt(p, fmt.Sprintf("expected key node (nk), found %q", string(h.data[p:p+2])))
	}
	nameLen := int(h.u16(p + fields.nkNameLen))
	var nameErr error
	if fixed+nameLen > size {
		// Keep the key (and so its subtree) with the part of the name
		// that lies in its cell; the error says the name is cut.
		nameErr = h.errAt(p, fmt.Sprintf("key name of %d bytes runs past its cell (%d bytes): name cut", nameLen, size))
		nameLen = size - fixed
	}
	nameStart := p + fields.nkName
	k := &Key{
		h:         h,
		off:       off,
		flags:     h.u16(p + fields.nkFlags),
		lastWrite: h.u64(p + fields.nkLastWrite),
		parent:    h.u32(p + fields.nkParent),
		nSub:      h.u32(p + fields.nkSubCount),
		subList:   h.u32(p + fields.nkSubList),
		nVal:      h.u32(p + fields.nkValCount),
		valList:   h.u32(p + fields.nkValList),
		classOff:  h.u32(p + fields.nkClass),
		classLen:  h.u16(p + fields.nkClassLen),
	}
	k.name = decodeName(h.data[nameStart:nameStart+int64(nameLen)], k.flags&KeyCompName != 0)
	switch parentPath {
	case "":
		k.path = `\`
	case `\`:
		k.path = `\` + k.name
	default:
		k.path = parentPath + `\` + k.name
	}
	return k, nameErr
}

func (h *Hive) u64(abs int64) uint64 {
	return uint64(h.u32(abs)) | uint64(h.u32(abs+4))<<32
}

// Name returns the key's own name, decoded per its flags.
func (k *Key) Name() string { return k.name }

// Path returns the key's path from the hive root (the root itself is `\`).
func (k *Key) Path() string { return k.path }

// Hive returns the hive the key belongs to.
func (k *Key) Hive() *Hive { return k.h }

// Offset returns the key's cell offset relative to the first hive bin.
func (k *Key) Offset() uint32 { return k.off }

// Flags returns the key node flags (KeyCompName, KeySymLink, ...).
func (k *Key) Flags() uint16 { return k.flags }

// LastWrite returns the key's last-write time, UTC, with 100 ns precision.
func (k *Key) LastWrite() time.Time { return Filetime(k.lastWrite) }

// LastWriteFiletime returns the raw FILETIME of the key's last write.
func (k *Key) LastWriteFiletime() uint64 { return k.lastWrite }

// NumSubkeys returns the number of (non-volatile) subkeys the key declares.
func (k *Key) NumSubkeys() int { return int(k.nSub) }

// NumValues returns the number of values the key declares.
func (k *Key) NumValues() int { return int(k.nVal) }

// Class returns the key's class name ("" when it has none).
func (k *Key) Class() (string, error) {
	if k.classLen == 0 || k.classOff == 0xFFFFFFFF {
		return "", nil
	}
	p, size, err := k.h.cell(k.classOff)
	if err != nil {
		return "", fmt.Errorf("class name of %s: %w", k.path, err)
	}
	n := int(k.classLen)
	if n > size {
		return utf16le(k.h.data[p : p+int64(size)]), k.h.errAt(p, fmt.Sprintf("class name of %d bytes runs past its cell (%d bytes)", n, size))
	}
	return utf16le(k.h.data[p : p+int64(n)]), nil
}

// Subkeys returns the key's subkeys in the order stored (sorted by
// upper-cased name in a well-formed hive). On a damaged subkey list it
// returns the subkeys it could read together with an error.
func (k *Key) Subkeys() ([]*Key, error) {
	if k.nSub == 0 {
		return nil, nil
	}
	offs, err := k.h.subkeyOffsets(k.subList)
	out := make([]*Key, 0, len(offs))
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, off := range offs {
		sk, err := k.h.keyAt(off, k.path)
		if err != nil {
			errs = append(errs, fmt.Errorf("subkey of %s: %w", k.path, err))
		}
		if sk != nil {
			out = append(out, sk)
		}
	}
	return out, errors.Join(errs...)
}

// Subkey returns the direct subkey with the given name (case-insensitive).
// The error wraps fs.ErrNotExist when the subkey list was read whole and
// holds no such name, and matches ErrDamaged when the list is damaged and
// the name is not among the entries that could be read. Only the names of the
// other subkeys are decoded, so a lookup in a key with thousands of
// subkeys stays cheap; a large list looked up again and again is indexed by
// name once (subkeyIndexOf), with the same answers.
func (k *Key) Subkey(name string) (*Key, error) {
	if k.nSub >= indexFrom {
		if ix, use := k.h.subkeyIndexOf(k.subList); use {
			if off, ok := ix.first[foldKey(name)]; ok {
				sk, err := k.h.keyAt(off, k.path)
				if sk != nil {
					return sk, nil
				}
				return nil, err
			}
			return nil, k.notFound(name, ix.err)
		}
	}
	return k.readSubkey(name)
}

// readSubkey is Subkey reading the list entry by entry: the first readable
// entry of that name.
func (k *Key) readSubkey(name string) (*Key, error) {
	var listErr error
	if k.nSub > 0 {
		offs, err := k.h.subkeyOffsets(k.subList)
		listErr = err
		ascii := wintext.ASCII(name)
		for _, off := range offs {
			if k.h.nameIs(off, name, ascii) {
				sk, err := k.h.keyAt(off, k.path)
				if sk != nil {
					return sk, nil
				}
				return nil, err
			}
		}
	}
	return nil, k.notFound(name, listErr)
}

// notFound is Subkey's error for a name k's list does not hold, listErr
// what reading the list reported.
func (k *Key) notFound(name string, listErr error) error {
	if listErr != nil {
		return fmt.Errorf("%s\\%s: not found in a damaged subkey list: %w", strings.TrimSuffix(k.path, `\`), name, damaged(listErr))
	}
	return &keyNotFound{path: k.path, name: name}
}

// keyNotFound is Subkey's error for a name the (intact) list lacks: built
// for each lookup of an absent key (the analyzers ask for many), so it
// formats only when printed.
type keyNotFound struct{ path, name string }

func (e *keyNotFound) Error() string {
	return strings.TrimSuffix(e.path, `\`) + `\` + e.name + ": " + fs.ErrNotExist.Error()
}

func (e *keyNotFound) Unwrap() error { return fs.ErrNotExist }

// nameAt decodes only the name of the key node at off; ok is false when the
// cell is not a readable key node.
func (h *Hive) nameAt(off uint32) (string, bool) {
	p, size, err := h.cell(off)
	start := fields.nkName
	if err != nil || int64(size) < start || h.u16(p+fields.nkSig) != 0x6b6e {
		return "", false
	}
	n := int64(h.u16(p + fields.nkNameLen))
	if start+n > int64(size) {
		return "", false
	}
	flags := h.u16(p + fields.nkFlags)
	return decodeName(h.data[p+start:p+start+n], flags&KeyCompName != 0), true
}

// nameIs reports whether the key node at off is readable and named name,
// letter case ignored: foldEqual(nameAt(off)) without decoding the name
// when it and name (ascii says so) are ASCII, as nearly every name is.
func (h *Hive) nameIs(off uint32, name string, ascii bool) bool {
	p, size, err := h.cell(off)
	start := fields.nkName
	if err != nil || int64(size) < start || h.u16(p+fields.nkSig) != 0x6b6e {
		return false
	}
	n := int64(h.u16(p + fields.nkNameLen))
	if start+n > int64(size) {
		return false
	}
	b := h.data[p+start : p+start+n]
	if !ascii || h.u16(p+fields.nkFlags)&KeyCompName == 0 || !isASCIIBytes(b) {
		return foldEqual(decodeName(b, h.u16(p+fields.nkFlags)&KeyCompName != 0), name)
	}
	if len(b) != len(name) {
		return false
	}
	for i, c := range b {
		if c != name[i] && lower(c) != lower(name[i]) {
			return false
		}
	}
	return true
}

// Key returns the key at path below k (`\`-separated, case-insensitive;
// empty components are ignored). The error wraps fs.ErrNotExist when a
// component is absent and matches ErrDamaged when a component cannot be
// looked up in its parent's damaged subkey list (see Subkey).
func (k *Key) Key(path string) (*Key, error) {
	cur := k
	for _, c := range strings.Split(path, `\`) {
		if c == "" {
			continue
		}
		next, err := cur.Subkey(c)
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

// Key returns the key at path from the root; see (*Key).Key.
func (h *Hive) Key(path string) (*Key, error) {
	root, err := h.Root()
	if err != nil {
		return nil, err
	}
	return root.Key(path)
}

// subkeyOffsets reads a subkey list (lf, lh, li, or ri of those) and returns
// the nk offsets it names. Index roots may nest at most two levels and a
// list cell is never read twice, so a crafted list cannot loop.
func (h *Hive) subkeyOffsets(list uint32) ([]uint32, error) {
	var out []uint32
	var seen map[uint32]bool  // the lists an index root led to (only an ri can lead back)
	limit := len(h.data) / 80 // every nk cell takes at least 80 bytes
	var walk func(off uint32, depth int) error
	walk = func(off uint32, depth int) error {
		if depth > 0 {
			if seen == nil {
				seen = map[uint32]bool{list: true}
			}
			if seen[off] {
				return h.errAt(BaseBlockSize+int64(off), "subkey index refers to itself (cycle)")
			}
			seen[off] = true
		}
		p, size, err := h.cell(off)
		if err != nil {
			return err
		}
		if size < 4 {
			return h.errAt(p, "subkey list cell too small")
		}
		sig := string(h.data[p : p+2])
		n := int(h.u16(p + 2))
		elem := 4
		if sig == "lf" || sig == "lh" {
			elem = 8
		}
		switch sig {
		case "lf", "lh", "li", "ri":
		default:
			return h.errAt(p, fmt.Sprintf("unknown subkey list signature %q", sig))
		}
		var err2 error
		if 4+n*elem > size {
			err2 = h.errAt(p, fmt.Sprintf("subkey list of %d entries runs past its cell (%d bytes)", n, size))
			n = (size - 4) / elem
		}
		for i := 0; i < n; i++ {
			e := h.u32(p + 4 + int64(i*elem))
			if sig == "ri" {
				if depth >= 2 {
					return h.errAt(p, "index root nested too deeply")
				}
				if err := walk(e, depth+1); err != nil {
					err2 = errors.Join(err2, err)
				}
				continue
			}
			if len(out) >= limit {
				return errors.Join(err2, h.errAt(p, "subkey lists name more keys than the hive can hold"))
			}
			out = append(out, e)
		}
		return err2
	}
	err := walk(list, 0)
	return out, err
}
