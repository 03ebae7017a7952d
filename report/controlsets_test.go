package report

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMergeControlSets(t *testing.T) {
	t1 := time.Date(2024, 3, 15, 21, 26, 53, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	in := func(cs string, roles []string, when time.Time, data any) Finding {
		return Finding{Analyzer: "bootexecute", Rule: "bootexecute.nondefault", Severity: Critical, Title: "BootExecute runs smss.exe",
			Host: "H", Hive: "H/SYSTEM", HiveKind: "SYSTEM", Key: `\` + cs + `\Control\Session Manager`, Value: ValueName("BootExecute"),
			Data: data, LastWrite: when, ControlSet: cs, ControlSetRole: roles, Detail: "detail of " + cs}
	}
	lkg := in("ControlSet002", []string{"last_known_good"}, t2, []string{"smss.exe"})
	cur := in("ControlSet001", []string{"current", "default"}, t1, []string{"smss.exe"})
	other := in("ControlSet002", []string{"last_known_good"}, t2, []string{"bcdfix.exe"}) // other data: not the same entry
	outside := Finding{Analyzer: "runkeys", Rule: "x", Host: "H", HiveKind: "SOFTWARE", Key: `\Microsoft\Run`}
	r := &Report{
		Analyzers: []AnalyzerRun{{Host: "H", Name: "bootexecute", Status: Ran, Findings: 3}, {Host: "H", Name: "runkeys", Status: Ran, Findings: 1}},
		Findings:  []Finding{lkg, outside, other, cur},
	}
	r.Finalize()
	if len(r.Findings) != 3 {
		t.Fatalf("got %d findings, want 3: %+v", len(r.Findings), r.Findings)
	}
	got := r.Findings[0]
	if got.ControlSet != "ControlSet001" || got.Detail != "detail of ControlSet001" || got.Fingerprint != Fingerprint(cur) {
		t.Errorf("merged finding is not the current set's one: %s, %q, %s", got.ControlSet, got.Detail, got.Fingerprint)
	}
	want := []ControlSetEntry{
		{Name: "ControlSet001", Roles: []string{"current", "default"}, Key: cur.Key, LastWrite: t1, Fingerprint: Fingerprint(cur)},
		{Name: "ControlSet002", Roles: []string{"last_known_good"}, Key: lkg.Key, LastWrite: t2, Fingerprint: Fingerprint(lkg)},
	}
	if diff := cmp.Diff(want, got.ControlSets); diff != "" {
		t.Errorf("ControlSets (-want +got):\n%s", diff)
	}
	if r.Findings[1].ControlSets != nil || r.Findings[1].Data.([]string)[0] != "bcdfix.exe" {
		t.Errorf("a different entry was merged: %+v", r.Findings[1])
	}
	if r.Analyzers[0].Findings != 2 || r.Analyzers[1].Findings != 1 {
		t.Errorf("analyzer counts %d, %d; want 2, 1", r.Analyzers[0].Findings, r.Analyzers[1].Findings)
	}
	if r.Summary.Findings != 3 {
		t.Errorf("summary counts %d findings, want 3", r.Summary.Findings)
	}
	again := *r
	again.Findings = append([]Finding(nil), r.Findings...)
	again.Analyzers = append([]AnalyzerRun(nil), r.Analyzers...)
	again.Finalize()
	if diff := cmp.Diff(r, &again); diff != "" {
		t.Errorf("Finalize after merging is not idempotent:\n%s", diff)
	}
}

func TestMergeControlSetsNoCurrent(t *testing.T) {
	f := func(cs string) Finding {
		return Finding{Analyzer: "a", Rule: "r", Host: "H", HiveKind: "SYSTEM", Key: cs + `\Services\x`, ControlSet: cs}
	}
	r := &Report{Findings: []Finding{f("ControlSet003"), f("ControlSet002"), f("controlset004")}}
	r.Finalize()
	if len(r.Findings) != 1 || r.Findings[0].ControlSet != "ControlSet002" || len(r.Findings[0].ControlSets) != 3 {
		t.Errorf("got %+v, want one finding from ControlSet002 listing 3 sets", r.Findings)
	}
}
