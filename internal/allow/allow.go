// Package allow reads allowlists (scan --allow) and applies them to a
// report: findings that a team has judged known-good are suppressed, never
// silently dropped. Each entry names what it matches (rule, key, value,
// data, host), why (a mandatory reason) and, optionally, until when
// (expires); the report counts what each entry suppressed, lists entries
// that matched nothing, and turns an expired entry into a problem, so that
// an old exception cannot hide a new attack. The file format is in
// docs/allowlist.md.
package allow

import (
	"fmt"
	"strings"
	"time"

	"github.com/hivescan/hivescan/report"
)

// List is the entries of one or more allowlist files, in file order.
type List struct {
	Entries []*Entry
}

// Entry is one allowlist entry. A finding matches it when every matcher the
// entry gives matches (an entry gives at least one):
//
//   - rule: the finding's rule, exactly or as a glob, letter case kept;
//   - key: the key path as in findings (\-separated, relative to the hive's
//     root; a leading \ is ignored on both sides), a glob ignoring letter case;
//   - value: the value name, a glob ignoring letter case; (default) is the
//     unnamed value; a key-level finding has no value and never matches;
//   - data: a glob ignoring letter case, or "re:" and a Go regular
//     expression (letter case kept unless it starts with (?i)); a list
//     (REG_MULTI_SZ) matches only when every string of it matches, so an
//     entry written for a known list cannot hide a string added to it; a
//     finding without data never matches;
//   - host: the host name as in the report, a glob ignoring letter case.
//
// Globs: * is any run of characters (backslashes included), ? one
// character, [abc], [a-z] and [!abc] a set; the rest stands for itself.
type Entry struct {
	File    string
	Line    int       // 1-based line of the entry in File
	Reason  string    // why the findings it matches are known-good; never empty
	Expires time.Time // zero: never; else the entry is live through that day (UTC)

	rule, key, value, data, host *matcher
}

// Where is the entry's place, FILE:LINE, as reports name it.
func (e *Entry) Where() string { return fmt.Sprintf("%s:%d", e.File, e.Line) }

// Expired reports whether the entry's expiry date lies before now's day (UTC).
func (e *Entry) Expired(now time.Time) bool {
	if e.Expires.IsZero() {
		return false
	}
	y, m, d := now.UTC().Date()
	return e.Expires.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Match reports whether every matcher of e matches f. Expiry is not looked at.
func (e *Entry) Match(f report.Finding) bool {
	if !e.rule.match(f.Rule) || !e.host.match(f.Host) {
		return false
	}
	if e.key != nil && !e.key.match(strings.TrimPrefix(f.Key, `\`)) {
		return false
	}
	if e.value != nil {
		if f.Value == nil {
			return false
		}
		name := *f.Value
		if name == "" {
			name = "(default)"
		}
		if !e.value.match(name) {
			return false
		}
	}
	if e.data != nil {
		texts := f.DataStrings()
		if len(texts) == 0 {
			return false
		}
		for _, s := range texts {
			if !e.data.match(s) {
				return false
			}
		}
	}
	return true
}

// Apply suppresses the findings of r that a live entry matches (the first
// such entry, in file order, takes the finding). With show they stay in
// r.Findings marked Suppressed with the entry's reason and place; without it
// they are removed and counted in r.Suppressed. Either way the summary
// counts them as suppressed, not as findings, and r.Allow says what each
// entry did. Expired entries suppress nothing: each is returned as a problem
// naming the findings it would have hidden. Call it on a finalized report
// (control sets merged) and finalize again after.
func (l *List) Apply(r *report.Report, now time.Time, show bool) []report.Problem {
	if l == nil {
		return nil
	}
	hid := make([]int, len(l.Entries))
	wouldHide := make([]int, len(l.Entries))
	kept := r.Findings[:0]
	for _, f := range r.Findings {
		by := -1
		for i, e := range l.Entries {
			if f.Suppressed || !e.Match(f) {
				continue
			}
			if e.Expired(now) {
				wouldHide[i]++
				continue
			}
			if by < 0 {
				by = i
			}
		}
		if by >= 0 {
			hid[by]++
			if !show {
				r.Suppressed++
				continue
			}
			e := l.Entries[by]
			f.Suppressed, f.SuppressedBy, f.SuppressionReason = true, e.Where(), e.Reason
		}
		kept = append(kept, f)
	}
	r.Findings = kept
	var problems []report.Problem
	for i, e := range l.Entries {
		a := report.AllowEntry{Where: e.Where(), Reason: e.Reason, Suppressed: hid[i]}
		if !e.Expires.IsZero() {
			a.Expires = e.Expires.Format(dateLayout)
		}
		if e.Expired(now) {
			a.Expired = true
			problems = append(problems, report.Problem{Path: e.Where(), Message: fmt.Sprintf(
				"allowlist entry expired on %s and suppresses nothing (it would have hidden %d findings): renew its expires date after checking them, or remove it",
				a.Expires, wouldHide[i])})
		}
		r.Allow = append(r.Allow, a)
	}
	return problems
}
