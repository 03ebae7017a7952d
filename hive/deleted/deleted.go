// Package deleted finds registry keys and values that were deleted but whose
// records survive in a hive: in unallocated cells and in the slack of
// allocated cells (past the used part of subkey lists and past a value
// record's name). Bytes in, records out; nothing is printed or written.
package deleted

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/hivescan/hivescan/hive/internal/formaterr"
	"github.com/hivescan/hivescan/internal/wintext"
)

const (
	baseBlockSize = 4096
	binHeaderSize = 32
	nkFixed       = 76 // key node up to its name
	vkFixed       = 20 // value record up to its name
	bigDataSeg    = 16344
	maxNameLen    = 1024 // longer names are implausible
	maxSubkeys    = 10000
	maxValues     = 1000
)

// Key is a deleted key node.
type Key struct {
	Offset    uint32    // 4 bytes before the record, relative to the start of hive bins data
	Source    string    // where it was found: SourceFree, SourceSlack or SourcePastBins
	Name      string    // Latin-1 when the compressed-name flag is set, else UTF-16LE
	LastWrite time.Time // UTC, full 100 ns precision
	Parent    uint32    // parent key's cell offset
	// ParentPath is the parent's path when known: from the caller for live
	// keys, built through other deleted keys otherwise. ParentKnown is false
	// when no path could be found.
	ParentPath  string
	ParentKnown bool
	Values      []uint32 // offsets of value records its value list still names
	// LostValues counts the entries of its value list (by its value count)
	// that no longer point at a value record: overwritten, or cut off.
	LostValues int
	// Log, for a key only a transaction log holds (Source SourceLog), names
	// the log and the entry it was read from.
	Log string
}

// Value is a deleted value record.
type Value struct {
	Offset uint32 // as Key.Offset
	Source string // as Key.Source
	Name   string // "" is the default value
	Type   uint32
	// Data is the value's data when the data cell is intact and consistent
	// with the recorded size; DataProblem says why not otherwise.
	Data        []byte
	DataProblem string
	// Key is the offset of the deleted key whose value list names this
	// value, or 0 when none does.
	Key uint32
	// KeyPath is the path of the key the value belonged to when View could
	// tell (its deleted key, or a live key whose value-list slack still
	// names it); "" when unknown.
	KeyPath string
	// Placement says how View tied the value to KeyPath: PlacedCertain
	// (a value list names it) or PlacedLikely (see Evidence); "" when it
	// was not placed.
	Placement string
	// Evidence lists, for a likely placement, what ties the value to
	// KeyPath.
	Evidence []string
	// Confidence says how much of the record survived; Damage says what
	// was lost, one sentence per finding, when it is not Intact.
	Confidence Confidence
	Damage     []string
	// ViewKey and ViewName are where the view (View, Split) put the value:
	// its key path there, under hive.DeletedUnknownKey when the key is
	// unknown, and its name there (made unique within that bucket); "" when
	// it is in no view (a duplicate, no data).
	ViewKey, ViewName string
	// Log, for a value only a transaction log holds (Source SourceLog),
	// names the log and the entry it was read from.
	Log string
}

// Slack is unused space at the end of an allocated cell: every subkey
// list's, and a value record's when it could hold a record (a value
// record's fixed part, 20 bytes); the few padding bytes after most value
// names are not listed.
type Slack struct {
	Cell  uint32 // offset of the allocated cell
	Kind  string // "subkey list" or "value name"
	Bytes []byte
}

// ValueList is a freed cell that still reads as a value list: every entry
// up to the first that is not names a value record ("vk" cell, allocated or
// not).
type ValueList struct {
	Cell   uint32   // offset of the freed cell
	Values []uint32 // the value cells it names, in list order
}

// Records is everything Scan found, in ascending offset order.
type Records struct {
	Keys       []Key
	Values     []Value
	Slack      []Slack
	ValueLists []ValueList
	// Bins are the offsets of the hive bins, relative like Key.Offset, in
	// ascending order.
	Bins []uint32
}

// FormatError reports hive bytes that cannot be scanned: Format is "deleted",
// Offset the byte offset, Msg what is wrong. It is the FormatError of every
// hive package; errors.Is matches it with hive.ErrDamaged.
type FormatError = formaterr.Error

func formatError(off int64, msg string) *FormatError { return formaterr.New("deleted", off, msg) }

// Where records are found.
const (
	SourceFree     = "unallocated cell"
	SourceSlack    = "cell slack"
	SourcePastBins = "past the hive bins data"
	// SourceLog: an allocated cell of a page a transaction log entry
	// wrote, which the hive no longer holds (see LogRecords).
	SourceLog = "transaction log"
)

type region struct {
	start, end int // absolute offsets in the hive bytes
	source     string
}

// Scan scans hive (a whole primary file, base block first) for deleted keys
// and values. parentPath resolves the path of a live key from its cell
// offset; it may be nil.
func Scan(hive []byte, parentPath func(off uint32) (path string, ok bool)) (*Records, error) {
	if len(hive) < baseBlockSize+binHeaderSize || string(hive[:4]) != "regf" {
		return nil, formatError(0, "not a registry hive")
	}
	s := &scanner{hive: hive, minor: le.Uint32(hive[24:])}
	var regions []region
	for off := baseBlockSize; off+binHeaderSize <= len(hive) && string(hive[off:off+4]) == "hbin"; {
		size := int(le.Uint32(hive[off+8:]))
		if size < 4096 || size%4096 != 0 || off+size > len(hive) {
			break
		}
		s.rec.Bins = append(s.rec.Bins, uint32(off-baseBlockSize))
		for c := off + binHeaderSize; c+4 <= off+size; {
			cs := int32(le.Uint32(hive[c:]))
			n := int(cs)
			if n < 0 {
				n = -n
			}
			if n < 8 || n%8 != 0 || c+n > off+size {
				break
			}
			rel := uint32(c - baseBlockSize)
			if cs > 0 {
				s.freedList(rel, c+4, c+n)
				regions = append(regions, region{c + 4, c + n, SourceFree})
			} else if r, ok := s.slackOf(rel, c+4, c+n); ok {
				regions = append(regions, r)
			}
			c += n
		}
		off += size
	}
	if end := int64(baseBlockSize) + int64(le.Uint32(hive[40:])); end < int64(len(hive)) {
		regions = append(regions, region{int(end), len(hive), SourcePastBins})
	}
	for _, r := range regions {
		s.scanRegion(r)
	}
	s.associate()
	s.paths(parentPath)
	return &s.rec, nil
}

var le = binary.LittleEndian

type scanner struct {
	hive []byte
	// over, set for a log stage instead of hive, holds the hive with the
	// pages of the log entries up to the stage over it: cell, span and
	// size read either.
	over  *overlay
	minor uint32
	rec   Records
	// live is set when the records read are allocated ones (a log stage),
	// whose data cells are allocated too.
	live bool
}

// slackOf returns the unused tail of an allocated subkey list or value
// record.
func (s *scanner) slackOf(rel uint32, start, end int) (region, bool) {
	d := s.hive[start:end]
	if len(d) < 4 {
		return region{}, false
	}
	var used int
	kind := ""
	switch string(d[:2]) {
	case "li":
		used, kind = 4+4*int(le.Uint16(d[2:])), "subkey list"
	case "lf", "lh":
		used, kind = 4+8*int(le.Uint16(d[2:])), "subkey list"
	case "ri":
		used, kind = 4+4*int(le.Uint16(d[2:])), "subkey list"
	case "vk":
		if len(d) < vkFixed {
			return region{}, false
		}
		used, kind = vkFixed+int(le.Uint16(d[2:])), "value name"
	default:
		return region{}, false
	}
	if used < 0 || used >= len(d) || (kind == "value name" && len(d)-used < vkFixed) {
		return region{}, false
	}
	s.rec.Slack = append(s.rec.Slack, Slack{Cell: rel, Kind: kind, Bytes: d[used:]})
	if len(d)-used < vkFixed {
		return region{}, false // listed, but no room for a record
	}
	return region{start + used, end, SourceSlack}, true
}

// freedList records the free cell at rel when it reads as a value list.
func (s *scanner) freedList(rel uint32, start, end int) {
	var vals []uint32
	for p := start; p+4 <= end && len(vals) < maxValues; p += 4 {
		off := le.Uint32(s.hive[p:])
		c, ok := s.cell(off)
		if !ok || len(c) < vkFixed || string(c[:2]) != "vk" || off == rel {
			break
		}
		vals = append(vals, off)
	}
	if len(vals) > 0 {
		s.rec.ValueLists = append(s.rec.ValueLists, ValueList{Cell: rel, Values: vals})
	}
}

// scanRegion looks for key nodes and value records at even offsets.
func (s *scanner) scanRegion(r region) {
	for p := r.start; p+vkFixed <= r.end; {
		d := s.hive[p:r.end]
		rel := uint32(p - baseBlockSize - 4)
		switch string(d[:2]) {
		case "nk":
			if k, n, ok := s.parseKey(d); ok {
				k.Offset, k.Source = rel, r.source
				s.rec.Keys = append(s.rec.Keys, k)
				p += (n + 1) &^ 1
				continue
			}
		case "vk":
			if v, n, ok := s.parseValue(d); ok {
				v.Offset, v.Source = rel, r.source
				s.rec.Values = append(s.rec.Values, v)
				p += (n + 1) &^ 1
				continue
			}
		}
		p += 2
	}
}

func (s *scanner) parseKey(d []byte) (Key, int, bool) {
	if len(d) < nkFixed+1 {
		return Key{}, 0, false
	}
	flags := le.Uint16(d[2:])
	nameLen := int(le.Uint16(d[72:]))
	if nameLen == 0 || nameLen > maxNameLen || nkFixed+nameLen > len(d) ||
		le.Uint32(d[20:]) > maxSubkeys || le.Uint32(d[24:]) > maxSubkeys || le.Uint32(d[36:]) > maxValues {
		return Key{}, 0, false
	}
	name, ok := decodeName(d[nkFixed:nkFixed+nameLen], flags&0x20 != 0)
	if !ok {
		return Key{}, 0, false
	}
	ft := le.Uint64(d[4:])
	t := wintext.Filetime(ft)
	if y := t.Year(); y < 1970 || y > 2100 {
		return Key{}, 0, false
	}
	k := Key{Name: name, LastWrite: t, Parent: le.Uint32(d[16:])}
	if n := le.Uint32(d[36:]); n > 0 {
		k.Values, k.LostValues = s.valueList(le.Uint32(d[40:]), int(n))
	}
	return k, nkFixed + nameLen, true
}

// valueList returns the offsets in a key's value list that point at "vk"
// cells. A list whose cell was partly reused keeps the entries that still
// do, as long as they are the majority; lost counts the others.
func (s *scanner) valueList(off uint32, n int) (vals []uint32, lost int) {
	cell, ok := s.cell(off)
	if !ok {
		return nil, n
	}
	n = min(n, len(cell)/4)
	out := make([]uint32, 0, n)
	for i := range n {
		v := le.Uint32(cell[4*i:])
		c, ok := s.cell(v)
		if !ok || len(c) < vkFixed || string(c[:2]) != "vk" {
			continue
		}
		out = append(out, v)
	}
	if 2*len(out) <= n {
		return nil, n
	}
	return out, n - len(out)
}

// cell returns the data of the cell at a relative offset, allocated or not.
func (s *scanner) cell(off uint32) ([]byte, bool) {
	abs := int64(off) + baseBlockSize
	if off == 0xFFFFFFFF || off%8 != 0 || abs+4 > int64(s.size()) {
		return nil, false
	}
	n := int64(int32(le.Uint32(s.span(int(abs), int(abs)+4))))
	if n < 0 {
		n = -n
	}
	if n < 8 || abs+n > int64(s.size()) {
		return nil, false
	}
	return s.span(int(abs)+4, int(abs+n)), true
}

// size is the length of the bytes the scanner reads.
func (s *scanner) size() int {
	if s.over != nil {
		return s.over.size
	}
	return len(s.hive)
}

// span returns the bytes [a, b) the scanner reads, b at most size().
func (s *scanner) span(a, b int) []byte {
	if s.over != nil {
		return s.over.span(a, b)
	}
	return s.hive[a:b]
}

func (s *scanner) parseValue(d []byte) (Value, int, bool) {
	nameLen := int(le.Uint16(d[2:]))
	if nameLen > maxNameLen || vkFixed+nameLen > len(d) {
		return Value{}, 0, false
	}
	name, ok := decodeName(d[vkFixed:vkFixed+nameLen], le.Uint16(d[16:])&1 != 0)
	if !ok {
		return Value{}, 0, false
	}
	size, off := le.Uint32(d[4:]), le.Uint32(d[8:])
	v := Value{Name: name, Type: le.Uint32(d[12:]), Confidence: Intact}
	switch real := size &^ 0x80000000; {
	case size&0x80000000 != 0:
		if real > 4 {
			return Value{}, 0, false
		}
		v.Data = append([]byte(nil), d[8:8+real]...)
	case real == 0:
		v.Data = []byte{}
	case off < 8 || off%8 != 0:
		return Value{}, 0, false
	default:
		v.Data, v.DataProblem = s.valueData(off, real)
		s.judgeData(&v, off, real)
	}
	return v, vkFixed + nameLen, true
}

// judgeData sets v's confidence from the state of its data cell and the
// data itself. A data cell that is allocated again belongs to another
// record now; one shorter than the recorded size was cut (its surviving
// bytes are kept as a fragment).
func (s *scanner) judgeData(v *Value, off, size uint32) {
	abs := int64(off) + baseBlockSize
	if !s.live && abs+4 <= int64(s.size()) && int32(le.Uint32(s.span(int(abs), int(abs)+4))) < 0 && size <= bigDataSeg {
		v.Confidence = Fragment
		v.Damage = append(v.Damage, fmt.Sprintf("its data cell %#x is allocated again (reused by another record), so the data may not be this value's", off))
	}
	if v.Data == nil {
		if c, ok := s.cell(off); ok && size <= bigDataSeg && len(c) > 0 && uint32(len(c)) < size {
			v.Data = append([]byte(nil), c...)
			v.Confidence = Fragment
			v.Damage = append(v.Damage, fmt.Sprintf("its data is cut: the data cell holds %d of its %d bytes", len(c), size))
		}
		return
	}
	kept, c, damage := judgeString(v.Type, v.Data)
	v.Data = kept
	v.Confidence = v.Confidence.Worse(c)
	v.Damage = append(v.Damage, damage...)
}

func (s *scanner) valueData(off, size uint32) ([]byte, string) {
	c, ok := s.cell(off)
	if !ok {
		return nil, fmt.Sprintf("data cell %#x is outside the hive", off)
	}
	if int64(size) > int64(s.size()) {
		return nil, fmt.Sprintf("data size %d exceeds the hive", size)
	}
	if size > bigDataSeg && s.minor >= 4 && len(c) >= 8 && string(c[:2]) == "db" {
		count, list := int(le.Uint16(c[2:])), le.Uint32(c[4:])
		lc, ok := s.cell(list)
		if !ok || len(lc) < 4*count || int64(count)*bigDataSeg < int64(size) {
			return nil, "big data segment list damaged"
		}
		out := make([]byte, 0, size)
		for i := range count {
			seg, ok := s.cell(le.Uint32(lc[4*i:]))
			if !ok {
				return nil, fmt.Sprintf("big data segment %d damaged", i)
			}
			n := min(len(seg), bigDataSeg, int(size)-len(out))
			out = append(out, seg[:n]...)
		}
		if len(out) != int(size) {
			return nil, "big data segments too short"
		}
		return out, ""
	}
	if uint32(len(c)) < size {
		return nil, fmt.Sprintf("data cell %#x holds %d bytes, value needs %d", off, len(c), size)
	}
	return append([]byte(nil), c[:size]...), ""
}

// associate marks values named by a deleted key's value list.
func (s *scanner) associate() {
	at := map[uint32]int{}
	for i, v := range s.rec.Values {
		at[v.Offset] = i
	}
	for _, k := range s.rec.Keys {
		for _, off := range k.Values {
			if i, ok := at[off]; ok && s.rec.Values[i].Key == 0 {
				s.rec.Values[i].Key = k.Offset
			}
		}
	}
}

// paths resolves parent paths through deleted keys and the caller. When the
// chain ends at an unknown key, the path is partial (the names of the
// deleted keys found) and ParentKnown is false.
func (s *scanner) paths(live func(uint32) (string, bool)) {
	at := map[uint32]int{}
	for i, k := range s.rec.Keys {
		at[k.Offset] = i
	}
	var resolve func(off uint32, depth int) (string, bool)
	resolve = func(off uint32, depth int) (string, bool) {
		i, ok := at[off]
		if !ok || depth > 512 {
			if live == nil || ok {
				return "", false
			}
			return live(off)
		}
		pp, known := resolve(s.rec.Keys[i].Parent, depth+1)
		if pp == "" {
			return s.rec.Keys[i].Name, known
		}
		return pp + `\` + s.rec.Keys[i].Name, known
	}
	for i := range s.rec.Keys {
		s.rec.Keys[i].ParentPath, s.rec.Keys[i].ParentKnown = resolve(s.rec.Keys[i].Parent, 0)
	}
}

func decodeName(b []byte, latin1 bool) (string, bool) {
	var r []rune
	if latin1 {
		r = make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
	} else {
		if len(b)%2 != 0 {
			return "", false
		}
		r = []rune(wintext.UTF16(b))
	}
	nuls := 0
	for _, c := range r {
		switch {
		case c == 0:
			nuls++
		case c == 0xFFFD:
			return "", false
		}
	}
	return string(r), nuls <= 5
}
