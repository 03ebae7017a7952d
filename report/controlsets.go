package report

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
)

// mergeControlSets merges findings that are the same entry seen in several
// control sets of one SYSTEM hive: same host, analyzer, rule, severity,
// title, hive, user, key below the control set, value, data and deleted flag.
// The merged finding is the one from the current control set (else the
// lowest-numbered), so it keeps the fingerprint and detail it had alone; its
// ControlSets lists every set with its roles, key, last write and
// fingerprint. Analyzer runs' finding counts drop by the findings merged away.
// Findings outside a control set are returned unchanged, in order.
func (r *Report) mergeControlSets() {
	type group struct {
		first   int // index into out
		members []Finding
	}
	groups := map[string]*group{}
	out := r.Findings[:0:0]
	for _, f := range r.Findings {
		id, ok := controlSetIdentity(f)
		if !ok {
			out = append(out, f)
			continue
		}
		if g, seen := groups[id]; seen {
			g.members = append(g.members, f)
			continue
		}
		groups[id] = &group{first: len(out), members: []Finding{f}}
		out = append(out, f)
	}
	for _, g := range groups {
		if len(g.members) == 1 && g.members[0].ControlSets == nil {
			continue
		}
		out[g.first] = mergeFindings(g.members)
		if merged := len(g.members) - 1; merged > 0 {
			r.dropAnalyzerCount(g.members[0].Host, g.members[0].Analyzer, merged)
		}
	}
	r.Findings = out
}

// controlSetIdentity returns what makes f the same entry in another control
// set; ok is false when f does not lie under a ControlSetNNN key.
func controlSetIdentity(f Finding) (string, bool) {
	if f.ControlSet == "" {
		return "", false
	}
	first, rest, _ := strings.Cut(strings.TrimPrefix(f.Key, `\`), `\`)
	if !strings.EqualFold(first, f.ControlSet) {
		return "", false
	}
	value := "\x00key"
	if f.Value != nil {
		value = strings.ToLower(*f.Value)
	}
	data, err := json.Marshal(normalizeData(f.Data))
	if err != nil {
		data = []byte(strings.Join(dataStrings(f.Data), "\x00"))
	}
	parts := []string{f.Host, f.Analyzer, f.Rule, f.Severity.String(), f.Title, f.Hive, strings.ToLower(f.HiveKind),
		f.User, strings.ToLower(rest), value, string(data), boolText(f.Deleted)}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p)
		b.WriteByte(0)
	}
	return b.String(), true
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// mergeFindings merges one group of controlSetIdentity-equal findings.
func mergeFindings(members []Finding) Finding {
	var entries []ControlSetEntry
	for _, f := range members {
		if f.ControlSets != nil {
			entries = append(entries, f.ControlSets...)
			continue
		}
		entries = append(entries, ControlSetEntry{Name: f.ControlSet, Roles: f.ControlSetRole, Key: f.Key, LastWrite: f.LastWrite, Fingerprint: f.Fingerprint})
	}
	slices.SortStableFunc(entries, func(a, b ControlSetEntry) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	entries = slices.CompactFunc(entries, func(a, b ControlSetEntry) bool { return strings.EqualFold(a.Name, b.Name) })
	rep := slices.MinFunc(members, func(a, b Finding) int {
		return cmp.Or(
			-cmp.Compare(boolRank(slices.Contains(a.ControlSetRole, "current")), boolRank(slices.Contains(b.ControlSetRole, "current"))),
			cmp.Compare(strings.ToLower(a.ControlSet), strings.ToLower(b.ControlSet)),
		)
	})
	rep.ControlSets = entries
	return rep
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r *Report) dropAnalyzerCount(host, analyzer string, n int) {
	for i := range r.Analyzers {
		a := &r.Analyzers[i]
		if a.Host == host && a.Name == analyzer {
			a.Findings = max(0, a.Findings-n)
			return
		}
	}
}
