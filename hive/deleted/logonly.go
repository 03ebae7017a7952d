package deleted

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/txlog"
)

// LogStats says what the search of a hive's transaction logs found.
type LogStats struct {
	Entries int // log entries read (valid hashes), applied or older
	Stale   int // of their pages, those whose bytes differ from the hive's
	Keys    int // keys only a log holds
	Values  int // values only a log holds
	// SameAsHive counts records of stale pages that the hive holds too,
	// live or deleted (same place, name and data): not reported again.
	SameAsHive int
	// Unplaced counts log-only values whose key could not be told.
	Unplaced int
	Skipped  []txlog.Skipped // logs not searched, and why
}

// keyFlagRoot is the nk flag of a hive's root key (KEY_HIVE_ENTRY).
const keyFlagRoot = 0x0004

// LogRecords finds the keys and values that only h's transaction logs
// hold: records written by a flush and changed again before the hive file
// itself was, so that neither the hive's live tree nor its unallocated
// cells keep them. It replays every log entry with valid hashes (those
// recovery applies and the older ones earlier flushes left behind) in
// sequence order over a copy of h, and after each entry reads the
// allocated key and value cells of the pages it wrote whose bytes differ
// from h's. Pages of a stage that no entry up to it wrote are h's, so a
// record's key path and data are read as they were at that flush wherever
// the log kept them, and as the hive has them elsewhere.
//
// A record the hive holds too, live or among final (its deleted records),
// is not returned; the same record at several stages is returned once, at
// the first. Values are placed at the key whose value list named them at
// that stage, else at the live key whose value of the same name uses the
// same cell; KeyPath is "" when neither tells. Records are Intact unless
// their data is damaged; Source is SourceLog and Log names the entry.
func LogRecords(ctx context.Context, h *hive.Hive, logs []txlog.Log, final *Records) (*Records, LogStats, error) {
	return logRecords(ctx, h, logs, final, func() (*liveIndex, error) { return indexLive(ctx, h) })
}

func logRecords(ctx context.Context, h *hive.Hive, logs []txlog.Log, final *Records, index func() (*liveIndex, error)) (*Records, LogStats, error) {
	var st LogStats
	hb := h.Bytes()
	if len(logs) == 0 || len(hb) < baseBlockSize+binHeaderSize {
		return nil, st, nil
	}
	limit := int64(len(hb))
	for _, l := range logs {
		limit += int64(len(l.Data))
	}
	entries, skipped := txlog.Entries(h.Header.FileName, logs, limit)
	st.Entries, st.Skipped = len(entries), skipped
	stale := make([][]int, len(entries))
	size := len(hb)
	firstWrite := map[uint32]int{} // 4096-byte page of the hive bins data -> first entry writing it
	for i, e := range entries {
		for j, p := range e.Pages {
			for pg := p.Offset / 4096; pg < (p.Offset+uint32(len(p.Data))+4095)/4096; pg++ {
				if _, ok := firstWrite[pg]; !ok {
					firstWrite[pg] = i
				}
			}
			abs := baseBlockSize + int(p.Offset)
			if abs+len(p.Data) > len(hb) || !bytes.Equal(p.Data, hb[abs:abs+len(p.Data)]) {
				stale[i] = append(stale[i], j)
				size = max(size, abs+len(p.Data))
			}
		}
		st.Stale += len(stale[i])
	}
	if st.Stale == 0 {
		return nil, st, nil
	}
	ix, err := index()
	if err != nil {
		return nil, st, err
	}
	work := &overlay{base: hb, size: size, pages: map[int][]byte{}}
	f := &logFinder{
		s:     &scanner{over: work, minor: le.Uint32(hb[24:]), live: true},
		hb:    hb,
		ix:    ix,
		seenK: map[string]bool{},
		seenV: map[string]bool{},
		out:   &Records{},
		st:    &st,
		first: firstWrite,
	}
	if final != nil {
		for _, k := range final.Keys {
			if k.ParentKnown {
				f.seenK[strings.ToLower(joinPath(k.ParentPath, k.Name))] = true
			}
		}
		for _, v := range final.Values {
			f.seenV[valueID("", v.Name, v.Type, v.Data)] = true
			if v.KeyPath != "" {
				f.seenV[valueID(v.KeyPath, v.Name, v.Type, v.Data)] = true
			}
		}
	}
	for i, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, st, err
		}
		for _, p := range e.Pages {
			work.write(baseBlockSize+int(p.Offset), p.Data)
		}
		if len(stale[i]) > 0 {
			f.at = i
			f.stage(e, stale[i])
		}
	}
	return f.out, st, nil
}

// overlay is the log search's work copy, the hive as the log entries up to
// a stage left it: the hive's bytes (base, never written), and over them
// each 4096-byte page an entry wrote, copied from base when first written.
// A log writes a few hundred kilobytes of a hive of megabytes; a whole copy
// would be mostly the hive. Slices span returns are valid until the next
// write.
type overlay struct {
	base  []byte
	size  int            // base's length or more, when logs grow the hive
	pages map[int][]byte // file offset / overlayPage -> the page's bytes
}

const overlayPage = 4096

// write puts data at file offset at.
func (o *overlay) write(at int, data []byte) {
	for len(data) > 0 {
		pg := at / overlayPage
		p, ok := o.pages[pg]
		if n := min(len(data), (pg+1)*overlayPage-at); !ok && at+n <= len(o.base) && bytes.Equal(data[:n], o.base[at:at+n]) {
			at, data = at+n, data[n:] // what base holds already
			continue
		}
		if !ok {
			p = make([]byte, overlayPage)
			if start := pg * overlayPage; start < len(o.base) {
				copy(p, o.base[start:])
			}
			o.pages[pg] = p
		}
		n := copy(p[at-pg*overlayPage:], data)
		at, data = at+n, data[n:]
	}
}

// span returns the bytes [a, b) (0 <= a <= b <= size): base's own where no
// written page lies in the range, a written page's where the range is in
// one, else a copy put together.
func (o *overlay) span(a, b int) []byte {
	if a >= b {
		return nil
	}
	first, last := a/overlayPage, (b-1)/overlayPage
	written := false
	for pg := first; pg <= last && !written; pg++ {
		_, written = o.pages[pg]
	}
	switch {
	case !written && b <= len(o.base):
		return o.base[a:b]
	case written && first == last:
		return o.pages[first][a-first*overlayPage : b-first*overlayPage]
	}
	out := make([]byte, b-a) // past base and never written: zeros
	for at := a; at < b; {
		pg := at / overlayPage
		end := min(b, (pg+1)*overlayPage)
		if p, ok := o.pages[pg]; ok {
			copy(out[at-a:], p[at-pg*overlayPage:end-pg*overlayPage])
		} else if at < len(o.base) {
			copy(out[at-a:], o.base[at:min(end, len(o.base))])
		}
		at = end
	}
	return out
}

// logFinder reads the records of one stage after another.
type logFinder struct {
	s            *scanner
	hb           []byte // the hive's own bytes
	ix           *liveIndex
	seenK, seenV map[string]bool // lower-case key paths and valueIDs met (seenK: besides the live keys)
	out          *Records
	st           *LogStats
	// first maps each page a log entry wrote to the first such entry; at
	// is the entry of the stage being read.
	first map[uint32]int
	at    int
}

// reliable reports whether the work copy's bytes [start, end) (file
// offsets) are as they were at the stage: no page of them is one that only
// a later entry wrote (such a page holds the hive's later state, as the
// stage's own bytes are unknown).
func (f *logFinder) reliable(start, end int) bool {
	for pg := uint32(max(start-baseBlockSize, 0) / 4096); int(pg)*4096 < end-baseBlockSize; pg++ {
		if w, ok := f.first[pg]; ok && w > f.at {
			return false
		}
	}
	return true
}

// laterData is the damage of a log value whose data the stage did not keep.
const laterData = "its data cell lies in a page that only a later log entry wrote, so the data read there may be a later record's"

func valueID(key, name string, typ uint32, data []byte) string {
	return fmt.Sprintf("%s\x00%s\x00%d\x00%x", strings.ToLower(strings.Trim(key, `\`)), strings.ToLower(name), typ, data)
}

// stage reads the allocated cells of entry e's stale pages from the work
// copy, which holds the hive as it was after e.
func (f *logFinder) stage(e txlog.Entry, pages []int) {
	where := fmt.Sprintf("%s, entry of sequence number %d at log offset %#x", e.Log, e.Seq, e.Offset)
	type cell struct{ at, end int }
	var nks, vks []cell
	for _, j := range pages {
		p := e.Pages[j]
		start := baseBlockSize + int(p.Offset)
		f.cells(start, start+len(p.Data), func(at, end int) {
			switch string(f.s.span(at+4, at+6)) {
			case "nk":
				nks = append(nks, cell{at, end})
			case "vk":
				vks = append(vks, cell{at, end})
			}
		})
	}
	owner := map[uint32]string{} // value cell -> key path at this stage
	approx := map[uint32]bool{}  // ... read in part from the hive's later state
	for _, c := range nks {
		k, _, ok := f.s.parseKey(f.s.span(c.at+4, c.end))
		if !ok {
			continue
		}
		if le.Uint16(f.s.span(c.at+6, c.at+8))&keyFlagRoot != 0 {
			for _, v := range k.Values {
				owner[v] = `\`
			}
			continue // the root, which the hive has
		}
		parent, known, later := f.path(k.Parent)
		p := joinPath(parent, k.Name)
		if known {
			for _, v := range k.Values {
				owner[v] = p
				if later {
					approx[v] = true
				}
			}
		}
		id := strings.ToLower(p)
		if !known {
			id = "?" + id
		}
		if known && f.ix.hasKey(p) || f.seenK[id] {
			continue
		}
		f.seenK[id] = true
		k.Offset, k.Source, k.Log = uint32(c.at-baseBlockSize), SourceLog, where
		k.ParentPath, k.ParentKnown, k.Values, k.LostValues = parent, known, nil, 0
		f.out.Keys = append(f.out.Keys, k)
		f.st.Keys++
	}
	for _, c := range vks {
		if f.hiveValue(c.at, c.end, owner) {
			f.st.SameAsHive++
			continue
		}
		vk := f.s.span(c.at+4, c.end)
		v, _, ok := f.s.parseValue(vk)
		if !ok || v.Data == nil {
			continue
		}
		if size, off := le.Uint32(vk[4:]), le.Uint32(vk[8:]); size&0x80000000 == 0 && size > 0 {
			if d, ok := f.s.cell(off); ok {
				start := int(off) + baseBlockSize
				if !f.reliable(start, start+4+len(d)) {
					v.Confidence = Fragment
					v.Damage = append(v.Damage, laterData)
				}
			}
		}
		rel := uint32(c.at - baseBlockSize)
		key, placed := owner[rel]
		if !placed {
			if p, ok := f.ix.values[rel]; ok && f.liveNamed(p, v.Name) {
				key, placed = p, true
			}
		}
		if f.ix.duplicate(&v, key, placed) || f.seenV[valueID(key, v.Name, v.Type, v.Data)] || !placed && f.seenV[valueID("", v.Name, v.Type, v.Data)] {
			f.st.SameAsHive++
			continue
		}
		f.seenV[valueID(key, v.Name, v.Type, v.Data)] = true
		v.Offset, v.Source, v.Log = rel, SourceLog, where
		switch {
		case placed && approx[rel]:
			v.KeyPath, v.Placement = key, PlacedLikely
			v.Evidence = append(v.Evidence, "the log entry's key names it, but the path of that key passes through a key cell the log kept only from a later state")
		case placed:
			v.KeyPath, v.Placement = key, PlacedCertain
		default:
			f.st.Unplaced++
		}
		f.out.Values = append(f.out.Values, v)
		f.st.Values++
	}
}

// hiveValue reports whether the value cell at [at, end) of the work copy
// is a live value of the hive as the hive holds it: the same bytes at the
// same offset, and those of its data cell, in a live key's value list, with
// the stage's key, if one of its keys names the cell, that key. Most cells
// of a stale page are, and need no parsing.
func (f *logFinder) hiveValue(at, end int, owner map[uint32]string) bool {
	rel := uint32(at - baseBlockSize)
	p, live := f.ix.values[rel]
	if !live || end > len(f.hb) || !bytes.Equal(f.s.span(at, end), f.hb[at:end]) {
		return false
	}
	if o, named := owner[rel]; named && !sameFold(strings.Trim(o, `\`), strings.Trim(p, `\`)) {
		return false
	}
	size, off := le.Uint32(f.hb[at+8:]), le.Uint32(f.hb[at+12:])
	n := size &^ 0x80000000
	if size&0x80000000 != 0 {
		return n > 0 && n <= 4 // resident data, in the cell compared
	}
	if n == 0 || n > bigDataSeg || off%8 != 0 {
		return false // left to the full reading
	}
	start := baseBlockSize + int64(off)
	if start+4 > int64(len(f.hb)) {
		return false
	}
	cs := int64(int32(le.Uint32(f.hb[start:])))
	if cs >= 0 || 4+int64(n) > -cs || start-cs > int64(len(f.hb)) || start-cs > int64(f.s.size()) {
		return false
	}
	return bytes.Equal(f.s.span(int(start), int(start-cs)), f.hb[start:start-cs])
}

// liveNamed reports whether the live key at path has a value named name.
func (f *logFinder) liveNamed(path, name string) bool {
	_, ok := f.ix.place(path, name)
	return ok
}

// cells calls fn for each allocated cell that starts in [start, end) of the
// work copy, walking the cells of the hive bin that holds start from its
// header.
func (f *logFinder) cells(start, end int, fn func(at, end int)) {
	s, size := f.s, f.s.size()
	u32 := func(at int) int { return int(le.Uint32(s.span(at, at+4))) }
	bin := -1
	for b := start &^ 4095; b >= baseBlockSize && start-b <= 1<<24; b -= 4096 {
		if b+binHeaderSize <= size && string(s.span(b, b+4)) == "hbin" && u32(b+4) == b-baseBlockSize {
			if n := u32(b + 8); n >= 4096 && b+n > start {
				bin = b
			}
			break
		}
	}
	if bin < 0 {
		return
	}
	binEnd := min(bin+u32(bin+8), size)
	for c := bin + binHeaderSize; c+4 <= binEnd && c < end; {
		cs := int32(u32(c))
		n := int(cs)
		if n < 0 {
			n = -n
		}
		if n < 8 || n%8 != 0 || c+n > binEnd {
			return
		}
		if c >= start && cs < 0 && n >= 4+vkFixed {
			fn(c, c+n)
		}
		c += n
	}
}

// path returns the path of the key whose cell is at off in the work copy,
// from the root ("" for the root itself), following parent links; known is
// false when the chain breaks before the root (the path is then partial),
// later is true when a key cell of the chain lies in a page that only a
// later entry wrote.
func (f *logFinder) path(off uint32) (p string, known, later bool) {
	var names []string
	for range 512 {
		c, ok := f.s.cell(off)
		if !ok || len(c) < nkFixed || string(c[:2]) != "nk" {
			break
		}
		if start := int(off) + baseBlockSize; !f.reliable(start, start+4+len(c)) {
			later = true
		}
		if le.Uint16(c[2:])&keyFlagRoot != 0 {
			known = true
			break
		}
		n := int(le.Uint16(c[72:]))
		if nkFixed+n > len(c) {
			break
		}
		name, ok := decodeName(c[nkFixed:nkFixed+n], le.Uint16(c[2:])&0x20 != 0)
		if !ok {
			break
		}
		names = append(names, name)
		off = le.Uint32(c[16:])
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return strings.Join(names, `\`), known, later
}
