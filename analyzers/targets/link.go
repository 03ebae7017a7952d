package targets

import (
	"strings"

	"github.com/hivescan/hivescan/report"
)

// Link makes one story of a registry entry and the file the sweep found
// for it: a sweep finding whose file a registry finding of the same host
// names is dropped, and that finding says the sweep found it too, with the
// higher of the two severities. The registry findings are changed in
// place; the returned slice holds the findings that remain, in order.
func Link(findings []report.Finding) []report.Finding {
	named := map[[2]string]int{} // host, folded Windows path -> first registry finding naming it
	for i, f := range findings {
		if f.HiveKind == KindVolume {
			continue
		}
		for _, t := range f.Targets {
			k := [2]string{f.Host, strings.ToLower(t.Path)}
			if _, ok := named[k]; !ok && t.Exists {
				named[k] = i
			}
		}
	}
	drop := map[int]bool{}
	for j, f := range findings {
		if f.HiveKind != KindVolume || len(f.Targets) != 1 {
			continue
		}
		i, ok := named[[2]string{f.Host, strings.ToLower(f.Targets[0].Path)}]
		if !ok {
			continue
		}
		r := &findings[i]
		r.Detail += "\nThe volume sweep found this file too (" + f.Rule + "): " + f.Title + "."
		if f.Severity > r.Severity {
			r.Severity = f.Severity
		}
		drop[j] = true
	}
	out := make([]report.Finding, 0, len(findings)-len(drop))
	for j, f := range findings {
		if !drop[j] {
			out = append(out, f)
		}
	}
	return out
}
