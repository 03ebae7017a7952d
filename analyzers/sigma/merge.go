package sigma

import (
	"fmt"
	"strings"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/report"
)

// Merge folds each Sigma finding into a native finding about the same
// value (same host, hive, key, value, control set and deleted flag): the
// native finding keeps its rule, takes the higher severity and the union of
// ATT&CK IDs, and its detail names the Sigma rule, so one finding lists
// both sources. Sigma findings with no native counterpart are kept. The
// order of the remaining findings is kept; call Finalize after.
func Merge(fs []report.Finding) []report.Finding {
	type loc struct {
		host, hive, key, value, cs string
		hasValue, deleted          bool
	}
	locOf := func(f *report.Finding) loc {
		l := loc{host: f.Host, hive: f.Hive, key: strings.ToLower(f.Key), cs: f.ControlSet, deleted: f.Deleted}
		if f.Value != nil {
			l.value, l.hasValue = strings.ToLower(*f.Value), true
		}
		return l
	}
	native := map[loc][]int{}
	for i := range fs {
		if fs[i].Analyzer != Name {
			native[locOf(&fs[i])] = append(native[locOf(&fs[i])], i)
		}
	}
	out := fs[:0:0]
	for i := range fs {
		f := &fs[i]
		if f.Analyzer != Name {
			continue
		}
		targets := native[locOf(f)]
		if len(targets) == 0 {
			continue
		}
		for _, t := range targets {
			n := &fs[t]
			if f.Severity > n.Severity {
				n.Severity = f.Severity
			}
			n.Attack = analysis.AppendUnique(n.Attack, f.Attack...)
			n.Detail = strings.TrimSpace(n.Detail + fmt.Sprintf(" Also matched by %s %q: %s", f.Rule, f.Title, f.Detail))
		}
		f.Analyzer = "" // folded: dropped below
	}
	for i := range fs {
		if fs[i].Analyzer != "" {
			out = append(out, fs[i])
		}
	}
	return out
}
