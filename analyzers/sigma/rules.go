package sigma

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	sigmago "github.com/bradleyjkemp/sigma-go"
	"github.com/bradleyjkemp/sigma-go/evaluator"
	"github.com/bradleyjkemp/sigma-go/evaluator/modifiers"
	"github.com/hivescan/hivescan/analyzers/analysis"
)

// Support says whether a rule can be judged from a hive alone.
type Support int

// The supports, from "runs" to "cannot run".
const (
	// Offline rules read only TargetObject, Details, EventType and EventID.
	Offline Support = iota
	// WriterFilter rules read the writing process (Image, User, ...) only in
	// a filter that excludes a legitimate writer. Offline the filter can
	// never apply, so they run only when asked (Options.WriterUnknown), one
	// level lower.
	WriterFilter
	// NeedsLive rules need the writing process, the user or a rename in
	// what they select: they never match a hive.
	NeedsLive
	// Unsupported rules cannot be evaluated (deletion events, keywords,
	// aggregations, a modifier the library lacks, an evaluation error).
	Unsupported
)

var supportNames = [...]string{"offline", "writer-filter", "needs-live-data", "unsupported"}

func (s Support) String() string {
	if s < 0 || int(s) >= len(supportNames) {
		return fmt.Sprintf("support(%d)", int(s))
	}
	return supportNames[s]
}

// Rule is one loaded Sigma rule with what hivescan decided about it.
type Rule struct {
	sigmago.Rule
	File    string  // path of the rule file inside its source
	URL     string  // link to the rule as published ("" for local rules)
	Support Support // whether it can run on a hive
	Reason  string  // why it is not Offline

	eval     *evaluator.RuleEvaluator
	sees     eventKind  // the events it is evaluated on
	frags    [][]string // lower-case TargetObject fragments: a match holds one of each group; nil: any event
	writerBy []string   // negated searches that read the writer (WriterFilter)
	// exactCase: a matcher (re, base64) needs the event in its original
	// case; the others see it lower-cased.
	exactCase bool
}

// Problem is a rule file that could not be loaded.
type Problem struct {
	File   string
	Reason string
}

func (p Problem) String() string { return p.File + ": " + p.Reason }

// Rules is a loaded rule set.
type Rules struct {
	Source   string // where the rules came from, for reports
	Rules    []*Rule
	Problems []Problem // files that are not usable rules, sorted by file
}

// maxRuleFile bounds the size of one rule file.
const maxRuleFile = 1 << 20

// Load reads every *.yml and *.yaml file under dir of fsys as a Sigma rule.
// Rules whose logsource is not a Windows registry category are skipped
// (a whole SigmaHQ checkout can be given); files that do not parse become
// Problems. baseURL, when not empty, is prefixed to each file's path to make
// Rule.URL. The error is only for a dir that cannot be walked at all.
func Load(fsys fs.FS, dir, source, baseURL string) (*Rules, error) {
	rs := &Rules{Source: source}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			rs.Problems = append(rs.Problems, Problem{File: p, Reason: err.Error()})
			return nil
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			return nil
		}
		info, err := d.Info()
		if err == nil && info.Size() > maxRuleFile {
			rs.Problems = append(rs.Problems, Problem{File: p, Reason: fmt.Sprintf("%d bytes, more than the %d a rule may have", info.Size(), maxRuleFile)})
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			rs.Problems = append(rs.Problems, Problem{File: p, Reason: err.Error()})
			return nil
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		r, skip, err := parseRule(b)
		switch {
		case err != nil:
			rs.Problems = append(rs.Problems, Problem{File: rel, Reason: err.Error()})
		case !skip:
			r.File = rel
			if baseURL != "" {
				r.URL = baseURL + rel
			}
			rs.Rules = append(rs.Rules, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sigma rules %s: %w", source, err)
	}
	sort.Slice(rs.Rules, func(i, j int) bool { return rs.Rules[i].File < rs.Rules[j].File })
	sort.Slice(rs.Problems, func(i, j int) bool { return rs.Problems[i].File < rs.Problems[j].File })
	return rs, nil
}

// parseRule parses one rule file; skip is true for a valid rule that is not
// about the Windows registry.
func parseRule(b []byte) (r *Rule, skip bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, skip, err = nil, false, fmt.Errorf("the Sigma parser panicked: %v", p)
		}
	}()
	switch sigmago.InferFileType(b) {
	case sigmago.InvalidFile, sigmago.RuleFile: // ParseRule says what is wrong with an invalid one
	default:
		return nil, true, nil // a Sigma config, a correlation or some other YAML file
	}
	sr, err := sigmago.ParseRule(b)
	if err != nil {
		return nil, false, fmt.Errorf("not a Sigma rule: %w", err)
	}
	if sr.Title == "" || len(sr.Detection.Conditions) == 0 {
		return nil, false, errors.New("not a Sigma rule: no title or no condition")
	}
	cat := strings.ToLower(sr.Logsource.Category)
	if !strings.HasPrefix(cat, "registry_") || !strings.EqualFold(sr.Logsource.Product, "windows") {
		return nil, true, nil
	}
	r = &Rule{Rule: sr}
	classify(r)
	return r, false, nil
}

// liveFields are event fields a hive cannot supply: who wrote, when, how.
var offlineFields = map[string]bool{"TargetObject": true, "Details": true, "EventType": true, "EventID": true}

// classify decides Support, the event kinds a rule sees and its index.
func classify(r *Rule) {
	switch strings.ToLower(r.Logsource.Category) {
	case "registry_set":
		r.sees = setValue
	case "registry_add":
		r.sees = createKey
	case "registry_event": // Sysmon events 12, 13 and 14: all of them
		r.sees = createKey | setValue | deleteKey | deleteValue
	case "registry_delete": // offline: the deleted records recovered from a hive
		r.sees = deleteKey | deleteValue
	case "registry_rename":
		r.Support, r.Reason = Unsupported, "needs rename events"
		return
	default:
		r.Support, r.Reason = Unsupported, "unknown registry category "+r.Logsource.Category
		return
	}
	for _, c := range r.Detection.Conditions {
		if c.Aggregation != nil {
			r.Support, r.Reason = Unsupported, "uses an aggregation (count, ...) over many events"
			return
		}
	}
	_, neg := polarity(r.Detection)
	dead := map[string]bool{} // searches that read a field no hive holds in each of their matchers
	var deadFields []string
	for _, name := range sortedKeys(r.Detection.Searches) {
		s := r.Detection.Searches[name]
		if len(s.Keywords) > 0 {
			r.Support, r.Reason = Unsupported, "uses keywords (search "+name+"), which the evaluator does not support"
			return
		}
		if live := liveFields(s); live != nil {
			dead[name] = true
			for _, f := range live {
				deadFields = analysis.AppendUnique(deadFields, name+"."+f)
			}
		}
	}
	canMatch := false
	for _, c := range r.Detection.Conditions {
		if t, _ := outcomes(c.Search, r.Detection, dead); t {
			canMatch = true
		}
	}
	var filters []string
	for _, name := range sortedKeys(dead) {
		if neg[name] {
			filters = append(filters, name)
		}
	}
	r.writerBy = filters
	switch {
	case !canMatch:
		r.Support, r.Reason = NeedsLive, "selects on what a hive does not record: "+strings.Join(deadFields, ", ")
		return
	case len(filters) > 0:
		r.Support, r.Reason = WriterFilter, "excludes legitimate writers by what a hive does not record ("+strings.Join(deadFields, ", ")+"); offline the writer is unknown"
	case len(deadFields) > 0:
		r.Reason = "some branches select on what a hive does not record and never match offline: " + strings.Join(deadFields, ", ")
	}
	fixNulls(r.Detection)
	r.exactCase = lowerValues(r.Detection)
	r.eval = evaluator.ForRule(r.Rule, evaluator.WithPlaceholderExpander(literalPlaceholder))
	r.frags = fragments(r.Detection, dead)
	if err := selfCheck(r); err != nil {
		r.Support, r.Reason = Unsupported, "cannot be evaluated: "+err.Error()
	}
}

// literalPlaceholder keeps %name% as the literal text: registry rules write
// %temp% or %SystemRoot% to mean the unexpanded text in a value's data, not
// a Sigma placeholder.
func literalPlaceholder(_ context.Context, name string) ([]string, error) {
	return []string{name}, nil
}

// fixNulls replaces YAML null values by the text "null", which the
// evaluator's plain comparison takes as "the field is absent".
func fixNulls(d sigmago.Detection) {
	for _, s := range d.Searches {
		for _, em := range s.EventMatchers {
			for i := range em {
				for j, v := range em[i].Values {
					if v == nil {
						em[i].Values[j] = "null"
					}
				}
			}
		}
	}
}

// lowerValues lower-cases the values of matchers that compare without
// regard to case (every one but re and base64), so that with lower-cased
// events the evaluator's own lower-casing finds nothing to do. It reports
// whether some matcher needs the event's text in its original case.
func lowerValues(d sigmago.Detection) (exactCase bool) {
	for _, s := range d.Searches {
		for _, em := range s.EventMatchers {
			for i := range em {
				literal := true
				for _, m := range em[i].Modifiers {
					if m == "re" || strings.HasPrefix(m, "base64") {
						literal = false
					}
				}
				if !literal {
					exactCase = true
					continue
				}
				for j, v := range em[i].Values {
					if s, ok := v.(string); ok {
						em[i].Values[j] = strings.ToLower(s)
					}
				}
			}
		}
	}
	return exactCase
}

// selfCheck checks every field matcher's modifiers and regular expressions
// and evaluates the rule on a probe key event and value event, so a rule
// that would error on events (an unknown modifier such as windash, a bad
// regular expression, a value type the evaluator refuses) is known at load
// time.
func selfCheck(r *Rule) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("evaluator panicked: %v", p)
		}
	}()
	for _, name := range sortedKeys(r.Detection.Searches) {
		for _, em := range r.Detection.Searches[name].EventMatchers {
			for _, fm := range em {
				mods := fm.Modifiers
				if n := len(mods); n > 0 && mods[n-1] == "all" {
					mods = mods[:n-1]
				}
				if _, err := modifiers.GetComparator(fm.Field, modifiers.Comparators, mods...); err != nil {
					return fmt.Errorf("search %s, field %s: %w", name, fm.Field, err)
				}
				for _, m := range mods {
					if m != "re" {
						continue
					}
					for _, v := range fm.Values {
						if _, err := regexp.Compile(fmt.Sprint(v)); err != nil {
							return fmt.Errorf("search %s, field %s: %w", name, fm.Field, err)
						}
					}
				}
			}
		}
	}
	for _, ev := range []map[string]any{
		{"EventType": "SetValue", "EventID": 13, "TargetObject": `HKLM\SOFTWARE\hivescan\probe`, "Details": "probe"},
		{"EventType": "CreateKey", "EventID": 12, "TargetObject": `HKLM\SOFTWARE\hivescan\probe`},
		{"EventType": "DeleteValue", "EventID": 12, "TargetObject": `HKLM\SOFTWARE\hivescan\probe`},
	} {
		if _, err := r.eval.Matches(context.Background(), ev); err != nil {
			return err
		}
	}
	return nil
}

// liveFields lists the fields no hive holds that a search reads, or nil
// when one of its event matchers reads only offline fields (the search can
// then match a hive).
func liveFields(s sigmago.Search) []string {
	var out []string
	for _, em := range s.EventMatchers {
		var live []string
		for _, fm := range em {
			if !offlineFields[fm.Field] {
				live = analysis.AppendUnique(live, fm.Field)
			}
		}
		if live == nil {
			return nil
		}
		out = analysis.AppendUnique(out, live...)
	}
	return out
}

// outcomes says whether expression e can be true and whether it can be
// false when the dead searches are always false and the others are free.
func outcomes(e sigmago.SearchExpr, d sigmago.Detection, dead map[string]bool) (canTrue, canFalse bool) {
	leaf := func(name string) (bool, bool) {
		if _, ok := d.Searches[name]; !ok || dead[name] {
			return false, true
		}
		return true, true
	}
	and := func(list []sigmago.SearchExpr) (bool, bool) {
		t, f := true, false
		for _, x := range list {
			xt, xf := outcomes(x, d, dead)
			t, f = t && xt, f || xf
		}
		return t, f
	}
	or := func(list []sigmago.SearchExpr) (bool, bool) {
		t, f := false, true
		for _, x := range list {
			xt, xf := outcomes(x, d, dead)
			t, f = t || xt, f && xf
		}
		return t, f
	}
	byPattern := func(pattern string) []sigmago.SearchExpr {
		var out []sigmago.SearchExpr
		for _, name := range sortedKeys(d.Searches) {
			if ok, _ := path.Match(pattern, name); ok {
				out = append(out, sigmago.SearchIdentifier{Name: name})
			}
		}
		return out
	}
	switch s := e.(type) {
	case sigmago.And:
		return and(s)
	case sigmago.Or:
		return or(s)
	case sigmago.Not:
		t, f := outcomes(s.Expr, d, dead)
		return f, t
	case sigmago.SearchIdentifier:
		return leaf(s.Name)
	case sigmago.OneOfThem:
		return or(byPattern("*"))
	case sigmago.OneOfPattern:
		return or(byPattern(s.Pattern))
	case sigmago.AllOfThem:
		return and(byPattern("*"))
	case sigmago.AllOfPattern:
		return and(byPattern(s.Pattern))
	}
	return true, true
}

// polarity sorts a detection's searches into those that can make it match
// (pos: reached under an even number of "not") and those that can only
// prevent a match (neg).
func polarity(d sigmago.Detection) (pos, neg map[string]bool) {
	pos, neg = map[string]bool{}, map[string]bool{}
	var walk func(e sigmago.SearchExpr, negated bool)
	mark := func(name string, negated bool) {
		if negated {
			neg[name] = true
		} else {
			pos[name] = true
		}
	}
	walk = func(e sigmago.SearchExpr, negated bool) {
		switch s := e.(type) {
		case sigmago.And:
			for _, x := range s {
				walk(x, negated)
			}
		case sigmago.Or:
			for _, x := range s {
				walk(x, negated)
			}
		case sigmago.Not:
			walk(s.Expr, !negated)
		case sigmago.SearchIdentifier:
			mark(s.Name, negated)
		case sigmago.OneOfThem, sigmago.AllOfThem:
			for name := range d.Searches {
				mark(name, negated)
			}
		case sigmago.OneOfPattern:
			for name := range d.Searches {
				if ok, _ := path.Match(s.Pattern, name); ok {
					mark(name, negated)
				}
			}
		case sigmago.AllOfPattern:
			for name := range d.Searches {
				if ok, _ := path.Match(s.Pattern, name); ok {
					mark(name, negated)
				}
			}
		}
	}
	for _, c := range d.Conditions {
		walk(c.Search, false)
	}
	for name := range neg {
		if pos[name] {
			delete(neg, name)
		}
	}
	return pos, neg
}

// fields lists the event fields a search reads.
func fields(s sigmago.Search) []string {
	var out []string
	for _, em := range s.EventMatchers {
		for _, fm := range em {
			out = analysis.AppendUnique(out, fm.Field)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
