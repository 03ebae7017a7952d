package sigma

import (
	"path"
	"strings"

	sigmago "github.com/bradleyjkemp/sigma-go"
)

// fragments returns lower-case strings of which the TargetObject of every
// event the rule matches contains at least one, or nil when no such set is
// known (the rule then meets every event). Dead searches never match; of
// the others it reads only TargetObject matchers whose modifiers keep the
// value literal. An empty, non-nil result means the rule never matches.
func fragments(d sigmago.Detection, dead map[string]bool) []string {
	var need func(e sigmago.SearchExpr) ([]string, bool)
	byPattern := func(pattern string) []sigmago.SearchExpr {
		var out []sigmago.SearchExpr
		for _, name := range sortedKeys(d.Searches) {
			if ok, _ := path.Match(pattern, name); ok {
				out = append(out, sigmago.SearchIdentifier{Name: name})
			}
		}
		return out
	}
	any := func(list []sigmago.SearchExpr) ([]string, bool) {
		out := []string{}
		for _, x := range list {
			f, ok := need(x)
			if !ok {
				return nil, false
			}
			out = appendUnique(out, f...)
		}
		return out, true
	}
	all := func(list []sigmago.SearchExpr) ([]string, bool) {
		var best []string
		for _, x := range list {
			f, ok := need(x)
			if ok && len(f) == 0 {
				return f, true // a part that never matches: neither does the whole
			}
			if ok && better(f, best) {
				best = f
			}
		}
		return best, best != nil
	}
	need = func(e sigmago.SearchExpr) ([]string, bool) {
		switch s := e.(type) {
		case sigmago.SearchIdentifier:
			search, ok := d.Searches[s.Name]
			if !ok || dead[s.Name] {
				return []string{}, true
			}
			return searchNeed(search)
		case sigmago.And:
			return all([]sigmago.SearchExpr(s))
		case sigmago.Or:
			return any([]sigmago.SearchExpr(s))
		case sigmago.OneOfThem:
			return any(byPattern("*"))
		case sigmago.OneOfPattern:
			return any(byPattern(s.Pattern))
		case sigmago.AllOfThem:
			return all(byPattern("*"))
		case sigmago.AllOfPattern:
			return all(byPattern(s.Pattern))
		}
		return nil, false // Not, or something new
	}
	var conds []sigmago.SearchExpr
	for _, c := range d.Conditions {
		conds = append(conds, c.Search)
	}
	f, ok := any(conds)
	if !ok {
		return nil
	}
	return f
}

// searchNeed is fragments for one search: any of its event matchers, each
// of which needs all of its field matchers.
func searchNeed(s sigmago.Search) ([]string, bool) {
	out := []string{}
	for _, em := range s.EventMatchers {
		if deadMatcher(em) {
			continue // reads a field no hive holds: never matches
		}
		var best []string
		for _, fm := range em {
			if f, ok := matcherNeed(fm); ok && better(f, best) {
				best = f
			}
		}
		if best == nil {
			return nil, false
		}
		out = appendUnique(out, best...)
	}
	return out, true
}

func deadMatcher(em sigmago.EventMatcher) bool {
	for _, fm := range em {
		if !offlineFields[fm.Field] {
			return true
		}
	}
	return false
}

// matcherNeed is fragments for one TargetObject field matcher.
func matcherNeed(fm sigmago.FieldMatcher) ([]string, bool) {
	if fm.Field != "TargetObject" || len(fm.Values) == 0 {
		return nil, false
	}
	every := false
	for _, m := range fm.Modifiers {
		switch m {
		case "contains", "startswith", "endswith":
		case "all":
			every = true
		default:
			return nil, false // re, base64, windash, ...: the text is not literal
		}
	}
	var out []string
	for _, v := range fm.Values {
		s, ok := v.(string)
		if !ok || s == "" || s == "null" {
			return nil, false
		}
		out = append(out, strings.ToLower(s))
	}
	if every { // each value is needed: the longest alone will do
		longest := out[0]
		for _, s := range out[1:] {
			if len(s) > len(longest) {
				longest = s
			}
		}
		return []string{longest}, true
	}
	return out, true
}

// better reports whether fragment set a filters more than b: its shortest
// fragment is longer, or as long with fewer fragments. Any set beats nil.
func better(a, b []string) bool {
	if b == nil {
		return true
	}
	ma, mb := shortest(a), shortest(b)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func shortest(list []string) int {
	n := -1
	for _, s := range list {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}

// index finds the rules an event's TargetObject can match.
type index struct {
	trie    *matcher
	byFrag  [][]int // fragment number -> rule numbers
	always  []int   // rules without fragments
	rules   []*Rule
	stamp   []uint32
	gen     uint32
	lowered []byte
	out     []int
}

func newIndex(rules []*Rule) *index {
	ix := &index{rules: rules, stamp: make([]uint32, len(rules))}
	fragNum := map[string]int{}
	var frags []string
	for i, r := range rules {
		if r.frags == nil {
			ix.always = append(ix.always, i)
			continue
		}
		for _, f := range r.frags {
			n, ok := fragNum[f]
			if !ok {
				n = len(frags)
				fragNum[f] = n
				frags = append(frags, f)
				ix.byFrag = append(ix.byFrag, nil)
			}
			ix.byFrag[n] = append(ix.byFrag[n], i)
		}
	}
	if len(frags) > 0 {
		ix.trie = newMatcher(frags)
	}
	return ix
}

// candidates returns the numbers of the rules that can match an event at
// targetObject, in no particular order. The slice is reused by the next call.
func (ix *index) candidates(targetObject string) []int {
	ix.gen++
	if ix.gen == 0 { // wrapped: forget every stamp
		clear(ix.stamp)
		ix.gen = 1
	}
	ix.out = append(ix.out[:0], ix.always...)
	if ix.trie == nil {
		return ix.out
	}
	ix.lowered = lowerASCII(ix.lowered[:0], targetObject)
	ix.trie.each(ix.lowered, func(pattern int32) {
		for _, r := range ix.byFrag[pattern] {
			if ix.stamp[r] != ix.gen {
				ix.stamp[r] = ix.gen
				ix.out = append(ix.out, r)
			}
		}
	})
	return ix.out
}

// lowerASCII appends s lower-cased to dst. Non-ASCII text is lower-cased as
// strings.ToLower does, which is what the evaluator compares with.
func lowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(dst[:0], strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// scratch returns an index sharing ix's rules and trie with buffers of its
// own, so that several hosts can be evaluated at once.
func (ix *index) scratch() *index {
	return &index{trie: ix.trie, byFrag: ix.byFrag, always: ix.always, rules: ix.rules, stamp: make([]uint32, len(ix.rules))}
}
