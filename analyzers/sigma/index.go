package sigma

import (
	"path"
	"strings"

	sigmago "github.com/bradleyjkemp/sigma-go"
	"github.com/hivescan/hivescan/analyzers/analysis"
)

// fragments returns groups of lower-case strings such that the
// TargetObject or Details of every event the rule matches contains at least
// one string of each group, or nil when nothing is known (the rule then meets every
// event). Dead searches never match; of the others only TargetObject and
// Details matchers whose modifiers keep the value literal are read. A group with
// no strings means the rule never matches.
func fragments(d sigmago.Detection, dead map[string]bool) [][]string {
	var need func(e sigmago.SearchExpr) ([][]string, bool)
	byPattern := func(pattern string) []sigmago.SearchExpr {
		var out []sigmago.SearchExpr
		for _, name := range sortedKeys(d.Searches) {
			if ok, _ := path.Match(pattern, name); ok {
				out = append(out, sigmago.SearchIdentifier{Name: name})
			}
		}
		return out
	}
	any := func(list []sigmago.SearchExpr) ([][]string, bool) {
		var cnfs [][][]string
		for _, x := range list {
			c, ok := need(x)
			if !ok {
				return nil, false
			}
			cnfs = append(cnfs, c)
		}
		return orCNF(cnfs), true
	}
	all := func(list []sigmago.SearchExpr) ([][]string, bool) {
		var out [][]string
		for _, x := range list {
			if c, ok := need(x); ok {
				out = append(out, c...)
			}
		}
		return out, out != nil
	}
	need = func(e sigmago.SearchExpr) ([][]string, bool) {
		switch s := e.(type) {
		case sigmago.SearchIdentifier:
			search, ok := d.Searches[s.Name]
			if !ok || dead[s.Name] {
				return never(), true
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

func never() [][]string { return [][]string{{}} }

// orCNF approximates the disjunction of conjunctions: one alternative
// keeps all its groups, several keep the union of each one's best group.
func orCNF(cnfs [][][]string) [][]string {
	live := cnfs[:0:0]
	for _, c := range cnfs {
		if g := bestGroup(c); g == nil || len(g) > 0 {
			live = append(live, c) // alternatives that never match add nothing
		}
	}
	if len(live) == 0 {
		return never()
	}
	cnfs = live
	if len(cnfs) == 1 {
		return cnfs[0]
	}
	group := []string{}
	for _, c := range cnfs {
		group = analysis.AppendUnique(group, bestGroup(c)...)
	}
	return [][]string{group}
}

// bestGroup is the group of cnf that filters most.
func bestGroup(cnf [][]string) []string {
	var best []string
	for _, g := range cnf {
		if len(g) == 0 {
			return g
		}
		if better(g, best) {
			best = g
		}
	}
	return best
}

// searchNeed is fragments for one search: any of its event matchers, each
// of which needs all of its field matchers.
func searchNeed(s sigmago.Search) ([][]string, bool) {
	var cnfs [][][]string
	for _, em := range s.EventMatchers {
		if deadMatcher(em) {
			cnfs = append(cnfs, never()) // reads a field no hive holds: never matches
			continue
		}
		var cnf [][]string
		for _, fm := range em {
			cnf = append(cnf, matcherNeed(fm)...)
		}
		if cnf == nil {
			return nil, false
		}
		cnfs = append(cnfs, cnf)
	}
	if len(cnfs) == 0 {
		return nil, false
	}
	return orCNF(cnfs), true
}

func deadMatcher(em sigmago.EventMatcher) bool {
	for _, fm := range em {
		if !offlineFields[fm.Field] {
			return true
		}
	}
	return false
}

// matcherNeed is the groups for one TargetObject or Details field matcher: its values
// as one group, or with |all each value as a group of its own.
func matcherNeed(fm sigmago.FieldMatcher) [][]string {
	if fm.Field != "TargetObject" && fm.Field != "Details" || len(fm.Values) == 0 {
		return nil
	}
	every := false
	for _, m := range fm.Modifiers {
		switch m {
		case "contains", "startswith", "endswith":
		case "all":
			every = true
		default:
			return nil // re, base64, windash, ...: the text is not literal
		}
	}
	var out []string
	for _, v := range fm.Values {
		s, ok := v.(string)
		if !ok || s == "" || s == "null" {
			return nil
		}
		out = append(out, strings.ToLower(s))
	}
	if every {
		groups := make([][]string, len(out))
		for i, s := range out {
			groups[i] = []string{s}
		}
		return groups
	}
	return [][]string{out}
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

// index finds the rules an event's TargetObject can match: every
// fragment of every rule's groups is searched at once, a rule is reached
// through the fragments of its best group, and kept when each of its other
// groups had a fragment in the text too.
type index struct {
	trie   *matcher
	byFrag [][]int     // fragment number -> rules reached through it
	groups [][][]int32 // per rule: its groups as fragment numbers
	always []int       // rules without fragments
	rules  []*Rule

	stamp, hit []uint32 // per rule, per fragment: the generation it was last seen in
	gen        uint32
	lowered    []byte
	reached    []int
	out        []int

	// The last key text searched, so that its values' texts (the key's
	// text, `\`, the value name) go on from where it ended.
	keyText  string
	keyState int32
	keyHits  []int32
	spare    []int32
}

func newIndex(rules []*Rule) *index {
	ix := &index{rules: rules, groups: make([][][]int32, len(rules))}
	fragNum := map[string]int{}
	var frags []string
	num := func(f string) int {
		n, ok := fragNum[f]
		if !ok {
			n = len(frags)
			fragNum[f] = n
			frags = append(frags, f)
			ix.byFrag = append(ix.byFrag, nil)
		}
		return n
	}
	for i, r := range rules {
		if r.frags == nil {
			ix.always = append(ix.always, i)
			continue
		}
		best := bestGroup(r.frags)
		for _, f := range best {
			n := num(f)
			ix.byFrag[n] = append(ix.byFrag[n], i)
		}
		for _, g := range r.frags {
			nums := make([]int32, len(g))
			for j, f := range g {
				nums[j] = int32(num(f))
			}
			ix.groups[i] = append(ix.groups[i], nums)
		}
	}
	if len(frags) > 0 {
		ix.trie = newMatcher(frags)
	}
	return ix.scratch()
}

// scratch returns an index sharing ix's rules and trie with buffers of its
// own, so that several hosts can be evaluated at once.
func (ix *index) scratch() *index {
	return &index{trie: ix.trie, byFrag: ix.byFrag, groups: ix.groups, always: ix.always, rules: ix.rules,
		stamp: make([]uint32, len(ix.rules)), hit: make([]uint32, len(ix.byFrag))}
}

// candidates returns the numbers of the rules that can match an event with
// targetObject and details, in no particular order. Both texts are searched
// as one (a fragment found in the other field only widens the choice, which
// the evaluator then settles). The slice is reused by the next call.
func (ix *index) candidates(targetObject, details string) []int {
	ix.gen++
	if ix.gen == 0 { // wrapped: forget every stamp
		clear(ix.stamp)
		clear(ix.hit)
		ix.gen = 1
	}
	ix.out = append(ix.out[:0], ix.always...)
	if ix.trie == nil {
		return ix.out
	}
	ix.reached = ix.reached[:0]
	mark := func(pattern int32) {
		ix.hit[pattern] = ix.gen
		for _, r := range ix.byFrag[pattern] {
			if ix.stamp[r] != ix.gen {
				ix.stamp[r] = ix.gen
				ix.reached = append(ix.reached, r)
			}
		}
	}
	state, text := int32(0), targetObject
	var inherited []int32
	if k := ix.keyText; k != "" && len(targetObject) > len(k) && targetObject[len(k)] == '\\' && targetObject[:len(k)] == k {
		state, text, inherited = ix.keyState, targetObject[len(k):], ix.keyHits // below the last key
		for _, p := range inherited {
			mark(p)
		}
	}
	ix.lowered = lowerASCII(ix.lowered[:0], text)
	if details == "" { // a key: remember where its text ends for its values and subkeys
		hits := append(ix.spare[:0], inherited...)
		ix.keyState = ix.trie.each(state, ix.lowered, func(p int32) { hits = append(hits, p); mark(p) })
		ix.spare, ix.keyHits = ix.keyHits, hits
		ix.keyText = targetObject
	} else {
		ix.lowered = append(ix.lowered, 0)
		ix.lowered = lowerASCII(ix.lowered, details)
		ix.trie.each(state, ix.lowered, mark)
	}
next:
	for _, r := range ix.reached {
		for _, g := range ix.groups[r] {
			found := false
			for _, f := range g {
				if ix.hit[f] == ix.gen {
					found = true
					break
				}
			}
			if !found {
				continue next
			}
		}
		ix.out = append(ix.out, r)
	}
	return ix.out
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
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
