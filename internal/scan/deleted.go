package scan

import (
	"context"
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/deleted"
	"github.com/hivescan/hivescan/report"
)

// deletedNote is appended to the detail of findings made from deleted data.
const deletedNote = "Recovered from deleted registry data (an unallocated cell or cell slack of the hive): the entry no longer exists in the live hive, but it did, and someone removed it. Its key's last-write time may show when."

// logNote is appended to the detail of findings made from records only a
// transaction log holds.
const logNote = "Recovered from a transaction log (%s): a flush wrote this record and a later change replaced or removed it before the hive file itself was written, so neither the live hive nor its deleted cells keep it; only the log does. The entry's time bound is that flush: the hive's last-write times are of later states."

// earlierNote is appended to the detail of findings on the earlier data of
// a live value, which only a transaction log holds.
const earlierNote = "This is the value's earlier data: the live hive has a value of this name at this key with other data now."

// recordKey identifies a placed value by hive, key path and value name.
type recordKey struct{ hive, key, value string }

func recordKeyOf(hivePath, key, value string) recordKey {
	return recordKey{hivePath, strings.ToLower(strings.Trim(key, `\`)), strings.ToLower(value)}
}

// scanDeleted recovers the deleted keys and values of every hive of set,
// runs the analyzers over views of them (intact records, and carved ones
// judged as carved: see analyzers.LabelCarved), and returns the findings the
// live hives did not already give, marked deleted with their confidence,
// with notes per hive path. A finding on a record that is not intact is at
// most high: the checks that could make it critical judge file names and
// folders, which a carved record cannot be trusted to hold.
//
// The records come from r (startRecovery), over r's set.
func scanDeleted(ctx context.Context, r *recovery, list []*analyzers.Analyzer, live []report.Finding) ([]report.Finding, []report.Problem, map[string][]string) {
	set := r.set
	notes := map[string][]string{}
	var problems []report.Problem
	intact := &hive.Set{Host: set.Host, Root: set.Root}
	carved := &hive.Set{Host: set.Host, Root: set.Root}
	earlier := &hive.Set{Host: set.Host, Root: set.Root}
	records := map[recordKey]*deleted.Value{}
	logKeys := map[recordKey]string{} // keys only a log holds -> where
	earlierAt := map[recordKey]bool{}
	for n, e := range set.Entries {
		if ctx.Err() != nil {
			break
		}
		got := r.get(n)
		rec, views, err := got.rec, got.views, got.err
		if err != nil {
			problems = append(problems, report.Problem{Host: set.Host, Path: e.Path, Message: "deleted records: " + err.Error()})
			continue
		}
		st := views.Stats
		if n := len(rec.Keys) + len(rec.Values); n > 0 {
			notes[e.Path] = append(notes[e.Path], fmt.Sprintf("deleted records: %d keys and %d values recovered; %d keys and %d values placed at their key for analysis (%d by evidence), %d values of unknown keys (judged on their own), %d values of deleted keys whose parent is unknown (under the unknown-keys bucket at their partial path), %d equal to a live value (duplicates, not reported), %d not intact (judged as carved), %d without their data",
				len(rec.Keys), len(rec.Values), st.Keys, st.Values, st.Likely, st.Unplaced, st.UnderPartial, st.Duplicates, st.Carved, st.NoData))
		}
		if ls := views.Log; ls.Entries > 0 {
			notes[e.Path] = append(notes[e.Path], fmt.Sprintf("transaction logs searched for records only they hold: %d log entries, %d of their pages differ from the hive; %d keys and %d values found only in the logs (%d values of unknown keys, %d earlier data of live values), %d records equal to the hive's (not reported)",
				ls.Entries, ls.Stale, ls.Keys, ls.Values, ls.Unplaced, views.Stats.Earlier, ls.SameAsHive))
		}
		for _, s := range views.Log.Skipped {
			notes[e.Path] = append(notes[e.Path], fmt.Sprintf("log %s not searched for records only it holds: %s", s.Name, s.Reason))
		}
		for i := range rec.Values {
			v := &rec.Values[i]
			if v.ViewKey == "" {
				continue
			}
			k := recordKeyOf(e.Path, v.ViewKey, v.ViewName)
			if _, taken := records[k]; taken && v.Source == deleted.SourceLog {
				earlierAt[k] = true // the earlier view's, beside a deleted one of the intact view
				continue
			}
			records[k] = v
		}
		for _, k := range rec.Keys {
			if k.Source == deleted.SourceLog && k.ParentKnown {
				logKeys[recordKeyOf(e.Path, `\`+strings.Trim(k.ParentPath, `\`)+`\`+k.Name, "")] = k.Log
			}
		}
		if views.Intact != nil {
			intact.Add(&hive.Entry{Hive: views.Intact, Path: e.Path, User: e.User, Label: e.Label, Logs: e.Logs, Deleted: true, Live: e.Hive})
		}
		if views.Carved != nil {
			carved.Add(&hive.Entry{Hive: views.Carved, Path: e.Path, User: e.User, Label: analyzers.LabelCarved, Logs: e.Logs, Deleted: true, Live: e.Hive})
		}
		if views.Earlier != nil {
			earlier.Add(&hive.Entry{Hive: views.Earlier, Path: e.Path, User: e.User, Label: e.Label, Logs: e.Logs, Deleted: true, Live: e.Hive})
		}
	}
	if list == nil {
		return nil, problems, notes
	}
	// Analyzers read the host's environment and Windows version from the
	// first SYSTEM and SOFTWARE hive of a set; a view copies those keys
	// (deleted.View). A set with no view of that kind gets the live hive,
	// whose own findings are dropped below (not Deleted).
	for _, view := range []*hive.Set{intact, carved, earlier} {
		if !hasDeleted(view) {
			continue
		}
		for _, e := range []*hive.Entry{set.System(), set.Software()} {
			if e != nil && !view.Has(e.Kind()) {
				view.Add(e)
			}
		}
	}
	seen := map[string]bool{}
	for _, f := range live {
		seen[report.Fingerprint(f)] = true
	}
	var out []report.Finding
	for _, view := range []*hive.Set{intact, carved, earlier} {
		if !hasDeleted(view) {
			continue
		}
		res := analyzers.Run(ctx, view, readingDeleted(view, list))
		for _, f := range res.Findings {
			if !f.Deleted || seen[report.Fingerprint(f)] {
				continue // a live hive's finding, or the live hive has it too
			}
			seen[report.Fingerprint(f)] = true
			f.Confidence = string(deleted.Intact)
			var v *deleted.Value
			if f.Value != nil {
				k := recordKeyOf(f.Hive, f.Key, *f.Value)
				if view == earlier && earlierAt[k] {
					v = &deleted.Value{Source: deleted.SourceLog}
				} else {
					v = records[k]
				}
			}
			switch {
			case v != nil && v.Source == deleted.SourceLog:
				f.RecoveredFrom = v.Log
				if f.RecoveredFrom == "" {
					f.RecoveredFrom = "a transaction log"
				}
				f.Detail += " " + fmt.Sprintf(logNote, f.RecoveredFrom)
				if view == earlier {
					f.Detail += " " + earlierNote
				}
				if v.Confidence != "" {
					f.Confidence = string(v.Confidence)
				}
				capCarved(&f)
			case v == nil && logKeys[recordKeyOf(f.Hive, f.Key, "")] != "":
				f.RecoveredFrom = logKeys[recordKeyOf(f.Hive, f.Key, "")]
				f.Detail += " " + fmt.Sprintf(logNote, f.RecoveredFrom)
			default:
				if v != nil {
					judgeCarved(&f, v)
				}
				capCarved(&f)
				f.Detail += " " + deletedNote
			}
			out = append(out, f)
		}
		for _, p := range res.Problems {
			p.Message = "on deleted records: " + p.Message
			problems = append(problems, p)
		}
	}
	return out, problems, notes
}

// capCarved bounds the severity of a finding on a record that is not
// intact. A partial record is judged on its surviving part without the name
// and folder checks (analyzers.LabelCarved), which is what it alone shows:
// at most high. A fragment's data may be another record's (a reused cell)
// or cut: at most medium.
func capCarved(f *report.Finding) {
	limit := report.Critical
	switch deleted.Confidence(f.Confidence) {
	case deleted.Partial:
		limit = report.High
	case deleted.Fragment:
		limit = report.Medium
	}
	if f.Severity > limit {
		f.Detail += fmt.Sprintf(" Rated %s rather than %s because the record is %s.", limit, f.Severity, f.Confidence)
		f.Severity = limit
	}
}

// judgeCarved adds to f what the recovered record v says of itself: its
// confidence and damage, and the evidence that placed it when the
// placement is not certain.
func judgeCarved(f *report.Finding, v *deleted.Value) {
	if v.Confidence != "" {
		f.Confidence = string(v.Confidence)
	}
	if len(v.Damage) > 0 {
		f.Detail += " The record is " + string(v.Confidence) + ": " + strings.Join(v.Damage, "; ") + "; it is judged on what survives, without name and folder checks."
	}
	if v.Placement == deleted.PlacedLikely {
		f.Detail += " No value list names this value any more; it is placed under this key as its likely owner because " + strings.Join(v.Evidence, ", and ") + "."
	} else if len(v.Evidence) > 0 {
		f.Detail += " Placed under this key because " + strings.Join(v.Evidence, ", and ") + "."
	}
}

// readingDeleted returns the analyzers of list that read a kind of hive the
// view holds deleted records of. The others would see only the live hives a
// view borrows for the host's environment and version, and every finding
// they made there would be dropped as not deleted: running them over a
// whole live SYSTEM hive again was a fifth of a scan.
func readingDeleted(view *hive.Set, list []*analyzers.Analyzer) []*analyzers.Analyzer {
	kinds := map[hive.Kind]bool{}
	for _, e := range view.Entries {
		if e.Deleted {
			kinds[e.Kind()] = true
		}
	}
	var out []*analyzers.Analyzer
	for _, a := range list {
		keep := len(a.Needs) == 0
		for _, k := range a.Needs {
			keep = keep || kinds[k]
		}
		if keep {
			out = append(out, a)
		}
	}
	return out
}

func hasDeleted(set *hive.Set) bool {
	for _, e := range set.Entries {
		if e.Deleted {
			return true
		}
	}
	return false
}
