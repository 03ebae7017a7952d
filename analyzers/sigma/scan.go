package sigma

import (
	"context"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/hive"
)

// scanner walks a host's hives and hands each event that some rule can
// match, with those rules, to a callback (Events is the scanner with a rule
// that matches every event). It builds no text for the events no rule can
// match: a key's TargetObject is searched from where its parent's
// search ended, a value's from where its key's ended, and a value's data is
// decoded only when a rule reached by its TargetObject also reads its
// Details (its lower-cased Details is written straight from the raw data
// when the data is ASCII).
type scanner struct {
	ix *index

	stamp, hit []uint32 // per rule, per fragment: the generation it was last seen in
	gen        uint32
	reached    []int
	out        []int // the rules the last settle found, of every event kind
	picked     []int
	del        []int

	frames []frame
	hits   []int32 // fragments found in the texts of the keys on frames
	text   []byte
	det    []byte
}

// frame is a key on the path from the root to the key being read.
type frame struct {
	path  string           // hive path
	state int32            // target matcher state after its TargetObject
	hits  int              // len(scanner.hits) after its TargetObject
	cs    *hive.ControlSet // the control set it is under
}

func (ix *index) scanner() *scanner {
	return &scanner{ix: ix, stamp: make([]uint32, len(ix.rules)), hit: make([]uint32, len(ix.byFrag))}
}

// scan calls fn for each event of set that a rule can match, with the
// numbers of those rules (sorted; the slice is reused). The events and
// their order are those of Events; an error is as Events returns it.
func (s *scanner) scan(ctx context.Context, set *hive.Set, fn func(ev *Event, rules []int) error) error {
	return eachEntry(set, func(e *hive.Entry, prefix string) error { return s.entry(ctx, e, prefix, fn) })
}

func (s *scanner) entry(ctx context.Context, e *hive.Entry, prefix string, fn func(*Event, []int) error) error {
	sets := controlSets(e)
	s.frames, s.hits = s.frames[:0], s.hits[:0]
	var errs []error
	err := e.Walk(ctx, `\`, func(k *hive.Key, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		f := s.enter(k, prefix, sets)
		cands := s.settle(nil, nil)
		if len(cands) > 0 {
			ev := Event{EventType: "CreateKey", Entry: e, Key: k, ControlSet: f.cs}
			ev.TargetObject, _ = targetObject(prefix, k.Path(), sets)
			if c := s.pick(createKey); len(c) > 0 {
				if err := fn(&ev, c); err != nil {
					return stopErr{err}
				}
			}
			if c := s.pick(deleteKey); len(c) > 0 && deletedKey(e, k) {
				dev := ev // a fresh event: fn may keep the first
				dev.EventType = "DeleteKey"
				if err := fn(&dev, c); err != nil {
					return stopErr{err}
				}
			}
		}
		if k.NumValues() == 0 {
			return nil
		}
		vals, err := k.Values()
		if err != nil {
			errs = append(errs, fmt.Errorf("values of %s: %w", k.Path(), err))
		}
		keyTarget := ""
		for _, v := range vals {
			name := v.Name()
			if name == "" {
				name = "(Default)"
			}
			s.text = lowerASCII(append(s.text[:0], '\\'), name)
			if len(s.settle(s.text, v)) == 0 {
				continue
			}
			var del []int
			if c := s.pick(deleteValue); len(c) > 0 && deletedValue(e, k, v) {
				s.del = append(s.del[:0], c...)
				del = s.del
			}
			set := s.pick(setValue)
			if len(set) == 0 && len(del) == 0 {
				continue
			}
			if keyTarget == "" {
				keyTarget, _ = targetObject(prefix, k.Path(), sets)
			}
			vev := Event{EventType: "SetValue", TargetObject: keyTarget + `\` + name, Entry: e, Key: k, Value: v, ControlSet: f.cs}
			if len(set) > 0 {
				d, err := v.Data()
				if err != nil {
					errs = append(errs, fmt.Errorf("value %s of %s: %w", v.Name(), k.Path(), err))
				}
				vev.Details = Details(v.Type(), d)
				if err := fn(&vev, set); err != nil {
					return stopErr{err}
				}
			}
			if len(del) > 0 {
				dev := vev // a fresh event: fn may keep the first
				dev.EventType, dev.Details = "DeleteValue", ""
				if err := fn(&dev, del); err != nil {
					return stopErr{err}
				}
			}
		}
		return nil
	})
	return walkResult(err, errs)
}

// enter searches k's TargetObject, from its parent's state when the parent
// is on the frames, and pushes k.
func (s *scanner) enter(k *hive.Key, prefix string, sets map[string]*hive.ControlSet) frame {
	p := k.Path()
	for len(s.frames) > 0 {
		top := s.frames[len(s.frames)-1]
		if isChild(top.path, p, k.Name()) {
			break
		}
		s.frames = s.frames[:len(s.frames)-1]
	}
	var f frame
	if n := len(s.frames); n > 0 && !(len(sets) > 0 && s.frames[n-1].path == `\`) {
		// Below a key whose text is known: TargetObject goes on with `\name`.
		top := s.frames[n-1]
		s.hits = s.hits[:top.hits]
		s.text = lowerASCII(append(s.text[:0], '\\'), k.Name())
		f = frame{path: p, state: top.state, cs: top.cs}
	} else {
		// The root, or a key right below a SYSTEM root (a control set
		// becomes CurrentControlSet), or a key whose parent is unknown.
		s.frames, s.hits = s.frames[:0], s.hits[:0]
		var target string
		target, f.cs = targetObject(prefix, p, sets)
		if p != `\` && len(sets) > 0 {
			// Keep the root so that the next key below it comes here too.
			s.frames = append(s.frames, frame{path: `\`})
		}
		s.text = lowerASCII(s.text[:0], target)
		f.path = p
	}
	f.state = s.ix.target.each(f.state, s.text, func(pt int32) { s.hits = append(s.hits, s.ix.tFrag[pt]) })
	f.hits = len(s.hits)
	s.frames = append(s.frames, f)
	return f
}

// isChild reports whether p, the path of a key named name, is directly
// below parent.
func isChild(parent, p, name string) bool {
	if parent == `\` {
		return p == `\`+name
	}
	return len(p) == len(parent)+1+len(name) && p[len(parent)] == '\\' && strings.HasPrefix(p, parent) && strings.HasSuffix(p, name)
}

// settle returns the rules that can match an event of the key on top of
// the frames (v nil) or of its value v, whose lower-cased `\name` is text,
// whatever the event's kind (see pick).
func (s *scanner) settle(text []byte, v *hive.Value) []int {
	ix := s.ix
	s.gen++
	if s.gen == 0 { // wrapped: forget every stamp
		clear(s.stamp)
		clear(s.hit)
		s.gen = 1
	}
	s.out = append(s.out[:0], ix.always...)
	s.reached = s.reached[:0]
	for _, f := range s.hits {
		s.mark(f)
	}
	top := s.frames[len(s.frames)-1]
	if v != nil {
		ix.target.each(top.state, text, func(pt int32) { s.mark(ix.tFrag[pt]) })
		need := ix.detailsEntry
		for _, r := range s.reached {
			if ix.needsDetails[r] {
				need = true
				break
			}
		}
		if need {
			s.det = lowerDetails(s.det[:0], v)
			ix.details.each(0, s.det, func(pt int32) { s.mark(ix.dFrag[pt]) })
		}
	}
next:
	for _, r := range s.reached {
		for _, g := range ix.groups[r] {
			found := false
			for _, f := range g {
				if s.hit[f] == s.gen {
					found = true
					break
				}
			}
			if !found {
				continue next
			}
		}
		s.out = append(s.out, r)
	}
	sortInts(s.out)
	return s.out
}

// pick returns the rules of the last settle that see events of kind (the
// slice is reused by the next pick).
func (s *scanner) pick(kind eventKind) []int {
	s.picked = s.picked[:0]
	for _, r := range s.out {
		if s.ix.rules[r].sees&kind != 0 {
			s.picked = append(s.picked, r)
		}
	}
	return s.picked
}

func (s *scanner) mark(f int32) {
	if s.hit[f] == s.gen {
		return
	}
	s.hit[f] = s.gen
	for _, r := range s.ix.byFrag[f] {
		if s.stamp[r] != s.gen {
			s.stamp[r] = s.gen
			s.reached = append(s.reached, r)
		}
	}
}

// sortInts sorts a short slice in place (insertion sort: the candidates of
// an event are a handful).
func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// lowerDetails appends the lower-cased Details of v, as
// strings.ToLower(Details(v.Type(), data)) would give it, written straight
// from the raw data when that is ASCII text or an integer.
func lowerDetails(dst []byte, v *hive.Value) []byte {
	b, _ := v.Bytes() // Data decodes the same bytes, error or not
	if out, ok := fastLowerDetails(dst, v.Type(), b); ok {
		return out
	}
	return lowerASCII(dst, Details(v.Type(), hive.DecodeData(v.Type(), b)))
}

const hexDigits = "0123456789abcdef"

// fastLowerDetails is lowerDetails for the data that needs no decoding to
// text: ok is false for strings with non-ASCII characters.
func fastLowerDetails(dst []byte, t hive.ValueType, b []byte) ([]byte, bool) {
	start := len(dst)
	switch t {
	case hive.RegSZ, hive.RegExpandSZ, hive.RegLink:
		if hive.Is8BitText(b) {
			for _, c := range b {
				if c == 0 {
					break
				}
				dst = append(dst, lowerByte(c))
			}
		} else {
			for i := 0; i+1 < len(b); i += 2 {
				lo, hi := b[i], b[i+1]
				if lo == 0 && hi == 0 {
					break
				}
				if hi != 0 || lo >= 0x80 {
					return dst[:start], false
				}
				dst = append(dst, lowerByte(lo))
			}
		}
	case hive.RegMultiSZ:
		end, piece := start, start // end: after the last non-empty string; piece: where the current one began
		for i := 0; i+1 < len(b); i += 2 {
			lo, hi := b[i], b[i+1]
			if lo == 0 && hi == 0 {
				if len(dst) > piece {
					end = len(dst)
				}
				dst = append(dst, ' ')
				piece = len(dst)
				continue
			}
			if hi != 0 || lo >= 0x80 {
				return dst[:start], false
			}
			dst = append(dst, lowerByte(lo))
		}
		if len(dst) > piece {
			end = len(dst)
		}
		dst = dst[:end]
	case hive.RegDWORD, hive.RegDWORDBigEndian, hive.RegQWORD:
		n, err := hive.DecodeInteger(t, b)
		if err != nil {
			return append(dst, "binary data"...), true
		}
		if t == hive.RegQWORD {
			dst = append(dst, "qword (0x"...)
			dst = appendHex8(dst, uint32(n>>32))
			dst = append(dst, "-0x"...)
			dst = appendHex8(dst, uint32(n))
		} else {
			dst = append(dst, "dword (0x"...)
			dst = appendHex8(dst, uint32(n))
		}
		return append(dst, ')'), true
	default:
		return append(dst, "binary data"...), true
	}
	if len(dst) == start {
		dst = append(dst, "(empty)"...)
	}
	return dst, true
}

func appendHex8(dst []byte, n uint32) []byte {
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[n>>uint(shift)&0xf])
	}
	return dst
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lowerASCII appends s lower-cased to dst. Non-ASCII text is lower-cased as
// strings.ToLower does, which is what the evaluator compares with.
func lowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(dst, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		dst = append(dst, lowerByte(s[i]))
	}
	return dst
}
