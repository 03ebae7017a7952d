package deleted

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivewrite"
	"github.com/hivescan/hivescan/hive/txlog"
)

// LivePaths maps the cell offset of every live key of h to its path (with a
// leading `\`), and
// the value cells that live value lists still name in their slack (see
// hive.Key.ValueListSlack) to the path of that key.
func LivePaths(ctx context.Context, h *hive.Hive) (keys, slackValues map[uint32]string, err error) {
	keys = map[uint32]string{}
	slackValues = map[uint32]string{}
	err = h.Walk(ctx, `\`, func(k *hive.Key, err error) error {
		if err != nil {
			return nil // damaged lists are reported by the live scan
		}
		keys[k.Offset()] = k.Path()
		if offs, err := k.ValueListSlack(); err == nil {
			for _, o := range offs {
				if _, seen := slackValues[o]; !seen {
					slackValues[o] = k.Path()
				}
			}
		}
		return nil
	})
	return keys, slackValues, err
}

// ViewStats says what View placed and what it could not.
type ViewStats struct {
	Keys     int // deleted keys placed at their path
	Values   int // deleted values placed in a key
	Likely   int // of those, placed by evidence rather than a value list (Value.Evidence)
	Unplaced int // deleted values whose key is unknown (still in Records)
	Orphans  int // of those, placed under hive.DeletedUnknownKey in the view
	// UnderPartial counts values of deleted keys whose parent is unknown,
	// placed in the view under hive.DeletedUnknownKey at the partial path
	// their deleted parents give.
	UnderPartial int
	Duplicates   int // deleted values equal to a live one (same name and data in the same key): not placed
	Shadowed     int // deleted values or keys named like a live one at the same place, with other data
	NoData       int // deleted values whose data did not survive
	Unreadable   int // deleted keys whose path is unknown
	Carved       int // placed values that are not intact (in the carved view)
	// Earlier counts values only a transaction log holds that a live value
	// of the same name replaced: they are in the earlier view.
	Earlier int

	shadowedKeys int
}

// Placements of a deleted value.
const (
	PlacedCertain = "certain" // a value list (the deleted key's, a live key's slack, a freed list beside live values) names it
	PlacedLikely  = "likely"  // the hive bin neighbourhood and the key's value list tie it to the key; see Value.Evidence
)

// Views are the hives analyzers read recovered records through: intact
// records in one, partial records and fragments (Value.Confidence) in
// another, so that carved data can be judged as carved, and the earlier
// data of live values that only transaction logs hold in a third. Each is
// nil when it would hold nothing.
type Views struct {
	Intact, Carved *hive.Hive
	// Earlier holds the values only a transaction log holds whose live
	// value of the same name has other data now: each in the place of the
	// live one (see LogRecords); nil when there are none.
	Earlier *hive.Hive
	Stats   ViewStats
	// Log is what the search of the transaction logs found (AnalyzeViews
	// with logs).
	Log LogStats
}

// View builds a hive holding what rec adds to h, so that analyzers can run
// over deleted data as over any hive: each deleted key at its path with its
// deleted values, and each deleted value whose key is known (its deleted
// key, or the live key whose value-list slack still names it) beside that
// key's live values. Ancestors of what was placed are copied with their
// live values, so an analyzer sees a key's present state next to its
// deleted parts; findings the live hive gives too are therefore repeated
// and must be dropped by the caller. View returns a nil hive when nothing
// could be placed. The view is built with the project's hive builder and
// parsed with the kind of h. Every record goes in it, whatever its
// confidence; Split separates them.
func View(ctx context.Context, h *hive.Hive, rec *Records, slackValues map[uint32]string, livePaths map[uint32]string) (*hive.Hive, ViewStats, error) {
	ix := &liveIndex{keys: livePaths, slack: slackValues}
	v, st, err := view(ctx, h, rec, ix, allView)
	return v, st, err
}

// Split builds the intact and carved views of rec (see View), placing
// values through every trace the hive keeps (see Place).
func Split(ctx context.Context, h *hive.Hive, rec *Records) (Views, error) {
	var ix *liveIndex
	return split(ctx, h, rec, nil, lazyIndex(ctx, h, &ix))
}

// lazyIndex returns a function that indexes h's live tree (indexLive) the
// first time it is called, keeping the index in *ix.
func lazyIndex(ctx context.Context, h *hive.Hive, ix **liveIndex) func() (*liveIndex, error) {
	return func() (*liveIndex, error) {
		if *ix != nil {
			return *ix, nil
		}
		var err error
		*ix, err = indexLive(ctx, h)
		return *ix, err
	}
}

// split places rec (Place), adds to it the records only logs hold
// (LogRecords) and builds the views.
func split(ctx context.Context, h *hive.Hive, rec *Records, logs []txlog.Log, index func() (*liveIndex, error)) (Views, error) {
	var out Views
	if rec == nil {
		rec = &Records{}
	}
	if len(rec.Keys)+len(rec.Values) > 0 {
		ix, err := index()
		if err != nil {
			return out, err
		}
		Place(rec, ix)
	}
	if len(logs) > 0 {
		logRec, lst, err := logRecords(ctx, h, logs, rec, index)
		out.Log = lst
		if err != nil {
			return out, err
		}
		if logRec != nil {
			rec.Keys = append(rec.Keys, logRec.Keys...)
			rec.Values = append(rec.Values, logRec.Values...)
		}
	}
	if len(rec.Keys)+len(rec.Values) == 0 {
		return out, nil
	}
	ix, err := index()
	if err != nil {
		return out, err
	}
	intact, st, err := view(ctx, h, rec, ix, intactView)
	if err != nil {
		return out, err
	}
	carved, cst, err := view(ctx, h, rec, ix, carvedView)
	if err != nil {
		return out, err
	}
	earlier, est, err := view(ctx, h, rec, ix, earlierView)
	if err != nil {
		return out, err
	}
	st.Carved = cst.Values + cst.Orphans
	st.Values += cst.Values
	st.Orphans += cst.Orphans
	st.UnderPartial += cst.UnderPartial
	st.Duplicates += cst.Duplicates
	st.Shadowed += cst.Shadowed - cst.shadowedKeys // keys are counted once, in the intact view
	st.Earlier = est.Values
	out.Intact, out.Carved, out.Earlier, out.Stats = intact, carved, earlier, st
	return out, nil
}

// The views split builds.
type viewKind int

const (
	intactView  viewKind = iota // intact records, keys and values
	carvedView                  // values that are not intact
	earlierView                 // log-only values that a live value of the same name replaced: in its place
	allView                     // every record (View)
)

// wants reports whether a view of kind holds value v.
func (kind viewKind) wants(v *Value) bool {
	intact := v.Confidence == Intact || v.Confidence == ""
	switch kind {
	case intactView:
		return intact
	case carvedView:
		return !intact
	case earlierView:
		return intact && v.Source == SourceLog
	}
	return true
}

func view(ctx context.Context, h *hive.Hive, rec *Records, ix *liveIndex, kind viewKind) (*hive.Hive, ViewStats, error) {
	var st ViewStats
	if rec == nil || len(rec.Keys)+len(rec.Values) == 0 {
		return nil, st, nil
	}
	liveRoot, err := h.Root()
	if err != nil {
		return nil, st, err
	}
	b := &viewBuilder{nodes: map[string]*hivewrite.Key{}, liveRoot: liveRoot, liveOf: map[*hivewrite.Key]*hive.Key{}}
	b.root = &hivewrite.Key{Name: liveRoot.Name(), LastWrite: liveRoot.LastWrite()}
	b.nodes[""] = b.root
	keyPath := map[uint32]string{}
	// Deleted keys whose chain of parents ends at an unknown cell go under
	// the unknown bucket at the partial path their deleted parents give,
	// with their values: the names are real, only the top is lost.
	// A root list too damaged to tell counts as no such live key, as the
	// bucket's name is not one Windows uses.
	_, err = h.Key(hive.DeletedUnknownKey)
	bucketOK := errors.Is(err, fs.ErrNotExist) || errors.Is(err, hive.ErrDamaged)
	partialPath := map[uint32]string{}
	placed := map[string]bool{} // earlier view: key and value names given their earlier data
	keysToo := kind == intactView || kind == allView
	var orphans []*Value
	for _, k := range rec.Keys {
		if strings.ContainsRune(k.Name, '\\') || k.Name == "" {
			st.Unreadable++
			continue
		}
		if !k.ParentKnown {
			st.Unreadable++
			if bucketOK {
				p := joinPath(`\`+hive.DeletedUnknownKey+`\`+strings.Trim(k.ParentPath, `\`), k.Name)
				if k.Source != SourceLog {
					partialPath[k.Offset] = p // log keys' offsets are a stage's, not the hive's
				}
				if keysToo {
					if _, err := b.ensure(p); err != nil {
						return nil, st, err
					}
				}
			}
			continue
		}
		p := joinPath(k.ParentPath, k.Name)
		if k.Source != SourceLog {
			keyPath[k.Offset] = p
		}
		if ix.hasKey(p) {
			st.Shadowed++ // a live key of the same name took its place
			st.shadowedKeys++
			continue
		}
		if !keysToo {
			continue // keys are intact records: the intact view holds them
		}
		node, err := b.ensure(p)
		if err != nil {
			return nil, st, err
		}
		if node.LastWrite.IsZero() || k.LastWrite.After(node.LastWrite) {
			node.LastWrite = k.LastWrite
		}
		st.Keys++
	}
	for i := range rec.Values {
		if err := ctx.Err(); err != nil {
			return nil, st, err
		}
		v := &rec.Values[i]
		owner, ok := keyPath[v.Key]
		if v.Key == 0 || !ok {
			owner, ok = ix.slack[v.Offset]
		}
		if !ok && v.KeyPath != "" || v.Source == SourceLog {
			owner, ok = v.KeyPath, v.KeyPath != "" // placed by Place or LogRecords
		}
		if ok && v.Placement == "" {
			v.Placement = PlacedCertain
		}
		if ok {
			v.KeyPath = owner
		}
		if !kind.wants(v) || kind == earlierView && !ok {
			continue
		}
		if ix.duplicate(v, owner, ok) {
			st.Duplicates++
			continue
		}
		if pp, partial := partialPath[v.Key]; !ok && partial && v.Key != 0 && v.Data != nil {
			node, err := b.ensure(pp)
			if err != nil {
				return nil, st, err
			}
			if !hasValue(node, v.Name) {
				node.Values = append(node.Values, hivewrite.Value{Name: v.Name, Type: v.Type, Data: v.Data})
				v.ViewKey, v.ViewName = pp, v.Name
				st.UnderPartial++
			}
			continue
		}
		if !ok {
			st.Unplaced++
			if v.Data != nil {
				orphans = append(orphans, v)
			}
			continue
		}
		if v.Data == nil && v.DataProblem != "" {
			st.NoData++
			continue
		}
		node, err := b.ensure(owner)
		if err != nil {
			return nil, st, err
		}
		if i := valueIndex(node, v.Name); i >= 0 {
			switch {
			case kind == earlierView && ix.hasKey(owner) && !placed[strings.ToLower(owner)+"\x00"+strings.ToLower(v.Name)]:
				// The value's earlier data, in the place of its live
				// data, once per value name.
				node.Values[i] = hivewrite.Value{Name: node.Values[i].Name, Type: v.Type, Data: v.Data}
				placed[strings.ToLower(owner)+"\x00"+strings.ToLower(v.Name)] = true
				v.ViewKey, v.ViewName = owner, node.Values[i].Name
				st.Values++
			case kind == intactView && v.Source == SourceLog && ix.hasKey(owner):
				// In the earlier view.
			default:
				st.Shadowed++
			}
			continue
		}
		if kind == earlierView {
			continue // in the intact view
		}
		node.Values = append(node.Values, hivewrite.Value{Name: v.Name, Type: v.Type, Data: v.Data})
		v.ViewKey, v.ViewName = owner, v.Name
		st.Values++
		if v.Placement == PlacedLikely {
			st.Likely++
		}
	}
	if len(orphans) > 0 && bucketOK {
		// Values whose key is unknown go under one key of their own, so
		// that analyzers can still judge what they hold; names are made
		// unique, as a key cannot hold two values of one name.
		node, err := b.ensure(`\` + hive.DeletedUnknownKey)
		if err != nil {
			return nil, st, err
		}
		seen := map[string]int{}
		for _, v := range orphans {
			name := v.Name
			if n := seen[strings.ToLower(name)]; n > 0 {
				name = fmt.Sprintf("%s #%d", v.Name, n+1)
			}
			seen[strings.ToLower(v.Name)]++
			node.Values = append(node.Values, hivewrite.Value{Name: name, Type: v.Type, Data: v.Data})
			v.ViewKey, v.ViewName = `\`+hive.DeletedUnknownKey, name
		}
		st.Orphans = len(orphans)
	}
	if st.Values+st.Orphans+st.UnderPartial == 0 && (st.Keys+len(partialPath) == 0 || !keysToo) {
		return nil, st, nil
	}
	if err := b.context(h); err != nil {
		return nil, st, err
	}
	minor := h.Header.Minor
	if minor < 3 || minor > 6 {
		minor = 5
	}
	built, err := hivewrite.Build(b.root, hivewrite.Options{Minor: minor, FileName: h.Header.FileName, LastWritten: h.Header.LastWritten})
	if err != nil {
		return nil, st, fmt.Errorf("building the view of deleted records: %w", err)
	}
	view, err := hive.Parse(built.Bytes, h.Name+" (deleted records)", hive.Options{Kind: h.Kind()})
	if err != nil {
		return nil, st, fmt.Errorf("parsing the view of deleted records: %w", err)
	}
	return view, st, nil
}

// contextKeys are the live keys a view copies whatever it holds, so that
// analyzers reading it know the host: control-set roles (Select), the
// system environment and the NT 4.0 spooler image (SYSTEM), and the Windows
// version (SOFTWARE). ControlSet%d stands for each control set.
var contextKeys = map[hive.Kind][]string{
	hive.KindSystem:   {`\Select`, `\ControlSet%03d\Control\Session Manager\Environment`, `\ControlSet%03d\Services\Spooler`},
	hive.KindSoftware: {`\Microsoft\Windows NT\CurrentVersion`},
}

// context copies h's context keys that exist into the view.
func (b *viewBuilder) context(h *hive.Hive) error {
	for _, p := range contextKeys[h.Kind()] {
		paths := []string{p}
		if strings.Contains(p, "%03d") {
			paths = nil
			for n := 1; n <= 8; n++ {
				paths = append(paths, fmt.Sprintf(p, n))
			}
		}
		for _, path := range paths {
			// A context key behind a damaged list is left out, as an
			// absent one is: the view is built from what can be read.
			if _, err := h.Key(path); errors.Is(err, fs.ErrNotExist) || errors.Is(err, hive.ErrDamaged) {
				continue
			} else if err != nil {
				return err
			}
			if _, err := b.ensure(path); err != nil {
				return err
			}
		}
	}
	return nil
}

type viewBuilder struct {
	root  *hivewrite.Key
	nodes map[string]*hivewrite.Key // lower-case path -> node
	// liveRoot is the live hive's root; liveOf maps a node to the live key
	// at its path (none when the live hive has no such key or it is
	// unreachable), so that a subkey's live key is looked up in its
	// parent, not from the root again.
	liveRoot *hive.Key
	liveOf   map[*hivewrite.Key]*hive.Key
}

// ensure returns the node at path, creating it and its ancestors; nodes
// that exist in the live hive get its last-write time and live values.
func (b *viewBuilder) ensure(path string) (*hivewrite.Key, error) {
	if n, ok := b.nodes[strings.ToLower(joinPath("", strings.Trim(path, `\`)))]; ok {
		return n, nil // the node of a path met before (another of its values, say)
	}
	parts := strings.Split(strings.Trim(path, `\`), `\`)
	cur, curPath, curLive := b.root, "", b.liveRoot
	for _, name := range parts {
		if name == "" {
			continue
		}
		curPath = joinPath(curPath, name)
		lower := strings.ToLower(curPath)
		if n, ok := b.nodes[lower]; ok {
			cur, curLive = n, b.liveOf[n]
			continue
		}
		n := &hivewrite.Key{Name: name}
		// The live key at curPath is its parent's subkey: with no live
		// parent (absent, or behind a damaged list) there is none.
		lk, err := (*hive.Key)(nil), error(fs.ErrNotExist)
		if curLive != nil {
			lk, err = curLive.Subkey(name)
		}
		if err == nil {
			b.liveOf[n] = lk
			n.Name = lk.Name()
			n.LastWrite = lk.LastWrite()
			vals, _ := lk.Values()
			for _, v := range vals {
				data, err := v.Bytes()
				if err != nil && data == nil {
					continue
				}
				if !hasValue(n, v.Name()) {
					n.Values = append(n.Values, hivewrite.Value{Name: v.Name(), Type: uint32(v.Type()), Data: data})
				}
			}
		} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, hive.ErrDamaged) {
			// A live key behind a damaged list is unreachable: the
			// node gets no live time or values, as for an absent one.
			return nil, err
		}
		cur.Subkeys = append(cur.Subkeys, n)
		b.nodes[lower] = n
		cur, curLive = n, b.liveOf[n]
	}
	return cur, nil
}

func hasValue(k *hivewrite.Key, name string) bool { return valueIndex(k, name) >= 0 }

// valueIndex returns the index of k's value named name, or -1.
func valueIndex(k *hivewrite.Key, name string) int {
	for i, v := range k.Values {
		if strings.EqualFold(v.Name, name) {
			return i
		}
	}
	return -1
}

// joinPath joins a parent path (with or without a leading `\`; "" or `\`
// for the root) and a name into a hive path with a leading `\`.
func joinPath(parent, name string) string {
	parent = strings.Trim(parent, `\`)
	if parent == "" {
		return `\` + name
	}
	return `\` + parent + `\` + name
}

// Analyze scans h for deleted records and returns them with the view of
// every record (see View), placed as AnalyzeViews places them.
func Analyze(ctx context.Context, h *hive.Hive) (*Records, *hive.Hive, ViewStats, error) {
	var ix *liveIndex
	index := lazyIndex(ctx, h, &ix)
	rec, views, err := analyzeViews(ctx, h, index, nil)
	if err != nil || rec == nil || len(rec.Keys)+len(rec.Values) == 0 {
		return rec, nil, views.Stats, err
	}
	live, err := index() // the live tree AnalyzeViews walked, not walked again
	if err != nil {
		return rec, nil, views.Stats, err
	}
	v, st, err := view(ctx, h, rec, live, allView)
	return rec, v, st, err
}

// AnalyzeViews scans h for deleted records, places them (Place), adds the
// records only its transaction logs hold (LogRecords, appended to the
// returned records with Source SourceLog; none when logs is empty) and
// builds their views (Split). The live key paths given to Scan
// have no leading `\` (the root is ""), as Scan joins them with deleted
// names.
func AnalyzeViews(ctx context.Context, h *hive.Hive, logs ...txlog.Log) (*Records, Views, error) {
	// The live tree is walked once, and only when there is something to
	// place: the index that places values also names the parents of
	// deleted keys.
	var ix *liveIndex
	return analyzeViews(ctx, h, lazyIndex(ctx, h, &ix), logs)
}

func analyzeViews(ctx context.Context, h *hive.Hive, index func() (*liveIndex, error), logs []txlog.Log) (*Records, Views, error) {
	var walkErr error
	rec, err := Scan(h.Bytes(), func(off uint32) (string, bool) {
		live, err := index()
		if err != nil {
			walkErr = err
			return "", false
		}
		p, ok := live.keys[off]
		return strings.TrimPrefix(p, `\`), ok
	})
	if err != nil {
		return nil, Views{}, err
	}
	if walkErr != nil {
		return rec, Views{}, walkErr
	}
	views, err := split(ctx, h, rec, logs, index)
	return rec, views, err
}
