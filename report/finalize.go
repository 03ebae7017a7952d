package report

import (
	"cmp"
	"slices"
	"strings"
)

// Finalize prepares r for writing: it fills in the schema version, the tool
// name, missing fingerprints and input states (InputRead), sorts every list so that output does not
// depend on the order analyzers ran in, and computes the Summary.
// It is idempotent.
//
// The same entry found in several control sets becomes one finding listing
// them in ControlSets (see mergeControlSets); its fingerprint is the one it
// has in the current control set.
//
// Findings are sorted by host, severity (highest first), analyzer, rule, hive
// kind, hive, key, value (key-level first), control set and fingerprint.
func (r *Report) Finalize() {
	if r.SchemaVersion == "" {
		r.SchemaVersion = SchemaVersion
	}
	if r.Tool == "" {
		r.Tool = Tool
	}
	for i := range r.Findings {
		if r.Findings[i].Fingerprint == "" {
			r.Findings[i].Fingerprint = Fingerprint(r.Findings[i])
		}
	}
	r.mergeControlSets()
	slices.SortStableFunc(r.Findings, compareFindings)
	for i := range r.Inputs {
		if r.Inputs[i].State == "" {
			r.Inputs[i].State = InputRead
		}
	}
	slices.SortStableFunc(r.Inputs, func(a, b Input) int {
		return cmp.Or(
			cmp.Compare(a.Host, b.Host),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Source, b.Source),
		)
	})
	for i := range r.Hosts {
		h := &r.Hosts[i]
		h.HiveKinds = nonNil(h.HiveKinds)
		h.Users = nonNil(h.Users)
		slices.Sort(h.HiveKinds)
		slices.SortStableFunc(h.Users, func(a, b User) int { return cmp.Compare(a.Name, b.Name) })
		slices.SortStableFunc(h.ControlSets, func(a, b ControlSet) int { return cmp.Compare(a.Name, b.Name) })
		for j := range h.ControlSets {
			h.ControlSets[j].Roles = nonNil(h.ControlSets[j].Roles)
		}
	}
	slices.SortStableFunc(r.Hosts, func(a, b Host) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Root, b.Root))
	})
	slices.SortStableFunc(r.Analyzers, func(a, b AnalyzerRun) int {
		return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.Name, b.Name))
	})
	slices.SortStableFunc(r.Problems, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(a.Host, b.Host),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Analyzer, b.Analyzer),
			cmp.Compare(a.Message, b.Message),
		)
	})
	r.Summary = r.summarize()
}

func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Host, b.Host),
		cmp.Compare(b.Severity, a.Severity),
		cmp.Compare(a.Analyzer, b.Analyzer),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.HiveKind, b.HiveKind),
		cmp.Compare(a.Hive, b.Hive),
		strings.Compare(a.Key, b.Key),
		compareValues(a.Value, b.Value),
		cmp.Compare(a.ControlSet, b.ControlSet),
		cmp.Compare(a.Fingerprint, b.Fingerprint),
	)
}

// compareValues orders key-level findings (nil) before value names.
func compareValues(a, b *string) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}

func (r *Report) summarize() Summary {
	s := Summary{
		Hosts:      len(r.Hosts),
		Hives:      len(r.Inputs),
		Findings:   len(r.Findings),
		Problems:   len(r.Problems),
		Baselined:  r.Baselined,
		Suppressed: r.Suppressed,
		Allow:      r.Allow,
	}
	for _, f := range r.Findings {
		if f.Suppressed {
			s.Findings--
			s.Suppressed++
			continue
		}
		s.BySeverity.add(f.Severity)
	}
	for _, a := range r.Analyzers {
		switch a.Status {
		case Ran:
			s.AnalyzersRan++
		case Skipped:
			s.AnalyzersSkipped++
		case Failed:
			s.AnalyzersFailed++
		}
	}
	return s
}

// Highest returns the highest severity among all findings not suppressed;
// ok is false when there are none. It ignores Options.MinSeverity: exit
// codes reflect the whole run, not what a writer showed.
func (r *Report) Highest() (s Severity, ok bool) {
	for _, f := range r.Findings {
		if f.Suppressed {
			continue
		}
		if !ok || f.Severity > s {
			s, ok = f.Severity, true
		}
	}
	return s, ok
}

// CountAtLeast returns how many findings not suppressed have severity floor
// or higher.
func (r *Report) CountAtLeast(floor Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= floor && !f.Suppressed {
			n++
		}
	}
	return n
}
