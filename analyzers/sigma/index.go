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
	tag := fieldTarget
	if fm.Field == "Details" {
		tag = fieldDetails
	}
	var out []string
	for _, v := range fm.Values {
		s, ok := v.(string)
		if !ok || s == "" || s == "null" {
			return nil
		}
		lit := longestLiteral(strings.ToLower(s))
		if lit == "" {
			return nil // only wildcards: the text can be anything
		}
		out = append(out, tag+lit)
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

// longestLiteral is the longest run of s without a Sigma wildcard (* or
// ?): text a value matches holds it whatever the wildcards stand for. An
// escaped wildcard (\*) is cut at too, which only shortens the run.
func longestLiteral(s string) string {
	best := ""
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '*' || r == '?' }) {
		if len(part) > len(best) {
			best = part
		}
	}
	return best
}

// A fragment starts with the field it must be found in.
const (
	fieldTarget  = "T"
	fieldDetails = "D"
)

// index finds the rules an event can match. Every rule's fragments are
// searched at once, TargetObject fragments in the TargetObject and Details
// fragments in the Details; a rule is reached through the fragments of its
// entry group and kept when each of its other groups had a fragment found
// too. The entry group is the best group of TargetObject fragments when the
// rule has one, so that most events are settled by their TargetObject alone
// and their data is never decoded.
type index struct {
	target, details *matcher // over the TargetObject and Details fragments, tag removed
	tFrag, dFrag    []int32  // trie pattern -> fragment number
	byFrag          [][]int  // fragment number -> rules reached through it
	groups          [][][]int32
	needsDetails    []bool // per rule: some group holds a Details fragment
	detailsEntry    bool   // some rule is reached through a Details fragment
	always          []int  // rules without fragments
	rules           []*Rule
}

func newIndex(rules []*Rule) *index {
	ix := &index{rules: rules, groups: make([][][]int32, len(rules)), needsDetails: make([]bool, len(rules))}
	fragNum := map[string]int{}
	var tText, dText []string
	num := func(f string) int {
		n, ok := fragNum[f]
		if !ok {
			n = len(ix.byFrag)
			fragNum[f] = n
			ix.byFrag = append(ix.byFrag, nil)
			if strings.HasPrefix(f, fieldDetails) {
				dText, ix.dFrag = append(dText, f[1:]), append(ix.dFrag, int32(n))
			} else {
				tText, ix.tFrag = append(tText, f[1:]), append(ix.tFrag, int32(n))
			}
		}
		return n
	}
	for i, r := range rules {
		if r.frags == nil {
			ix.always = append(ix.always, i)
			continue
		}
		entry := entryGroup(r.frags)
		for _, f := range entry {
			n := num(f)
			ix.byFrag[n] = append(ix.byFrag[n], i)
			if strings.HasPrefix(f, fieldDetails) {
				ix.detailsEntry = true
			}
		}
		for _, g := range r.frags {
			nums := make([]int32, len(g))
			for j, f := range g {
				nums[j] = int32(num(f))
				if strings.HasPrefix(f, fieldDetails) {
					ix.needsDetails[i] = true
				}
			}
			ix.groups[i] = append(ix.groups[i], nums)
		}
	}
	ix.target, ix.details = newMatcher(tText), newMatcher(dText)
	return ix
}

// entryGroup is the best group made of TargetObject fragments only, or the
// best group of all when there is none.
func entryGroup(cnf [][]string) []string {
	var target [][]string
	for _, g := range cnf {
		pure := true
		for _, f := range g {
			if !strings.HasPrefix(f, fieldTarget) {
				pure = false
			}
		}
		if pure {
			target = append(target, g)
		}
	}
	if len(target) > 0 {
		return bestGroup(target)
	}
	return bestGroup(cnf)
}
