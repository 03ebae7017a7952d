package report

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFinalizeSortsFindings(t *testing.T) {
	f := func(host string, sev Severity, analyzer, rule, kind, hive, key string, value *string, cs string) Finding {
		return Finding{Host: host, Severity: sev, Analyzer: analyzer, Rule: rule, HiveKind: kind, Hive: hive, Key: key, Value: value, ControlSet: cs}
	}
	want := []Finding{
		f("A", Critical, "z", "z", "Z", "z", "z", nil, ""),
		f("A", High, "a", "a", "A", "a", "a", nil, ""),
		f("A", High, "a", "b", "A", "a", "a", nil, ""),
		f("A", High, "b", "a", "A", "a", "a", nil, ""),
		f("A", Low, "a", "a", "NTUSER", "a", "a", nil, ""),
		f("A", Low, "a", "a", "SYSTEM", "a", "a", nil, ""),
		f("A", Low, "a", "a", "SYSTEM", "b", "a", nil, ""),
		f("A", Low, "a", "a", "SYSTEM", "b", "b", nil, ""),
		f("A", Low, "a", "a", "SYSTEM", "b", "b", ValueName(""), ""),
		f("A", Low, "a", "a", "SYSTEM", "b", "b", ValueName("v"), ""),
		f("A", Low, "a", "a", "SYSTEM", "b", "b", ValueName("v"), "ControlSet001"),
		f("A", Low, "a", "a", "SYSTEM", "b", "b", ValueName("v"), "ControlSet002"),
		f("A", Info, "a", "a", "A", "a", "a", nil, ""),
		f("B", Critical, "a", "a", "A", "a", "a", nil, ""),
	}
	r := &Report{Findings: make([]Finding, len(want))}
	copy(r.Findings, want)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(r.Findings), func(i, j int) {
		r.Findings[i], r.Findings[j] = r.Findings[j], r.Findings[i]
	})
	r.Finalize()
	for i := range want {
		want[i].Fingerprint = Fingerprint(want[i])
	}
	if diff := cmp.Diff(want, r.Findings); diff != "" {
		t.Errorf("Finalize order (-want +got):\n%s", diff)
	}
}

func TestFinalizeTiesBrokenByFingerprint(t *testing.T) {
	a := Finding{Host: "A", Analyzer: "a", Rule: "r", Key: "k", Data: "one"}
	b := Finding{Host: "A", Analyzer: "a", Rule: "r", Key: "k", Data: "two"}
	r1 := &Report{Findings: []Finding{a, b}}
	r2 := &Report{Findings: []Finding{b, a}}
	r1.Finalize()
	r2.Finalize()
	if diff := cmp.Diff(r1.Findings, r2.Findings); diff != "" {
		t.Errorf("order depends on input order (-first +second):\n%s", diff)
	}
}

func TestFinalizeSummaryAndDefaults(t *testing.T) {
	r := fixture()
	r.Finalize()
	want := Summary{
		Hosts: 2, Hives: 7, Findings: 6, Problems: 4,
		AnalyzersRan: 2, AnalyzersSkipped: 1, AnalyzersFailed: 1,
		BySeverity: Counts{Critical: 1, High: 1, Medium: 1, Low: 1, Info: 2},
	}
	if diff := cmp.Diff(want, r.Summary); diff != "" {
		t.Errorf("Summary (-want +got):\n%s", diff)
	}
	if r.SchemaVersion != SchemaVersion || r.Tool != "hivescan" {
		t.Errorf("SchemaVersion, Tool = %q, %q", r.SchemaVersion, r.Tool)
	}
	if r.Inputs[0].Path != "WS01/Users/alice/NTUSER.DAT" || r.Analyzers[0].Name != "run-keys" || r.Problems[0].Host != "" || r.Problems[1].Host != "WS01" || r.Hosts[0].Name != "WS01" {
		t.Errorf("lists not sorted: first input %q, analyzer %q, problem host %q, host %q",
			r.Inputs[0].Path, r.Analyzers[0].Name, r.Problems[0].Host, r.Hosts[0].Name)
	}
	again := *r
	again.Findings = append([]Finding(nil), r.Findings...)
	again.Finalize()
	if diff := cmp.Diff(r.Findings, again.Findings); diff != "" {
		t.Errorf("Finalize is not idempotent:\n%s", diff)
	}
}

func TestHighestAndCountAtLeast(t *testing.T) {
	empty := &Report{}
	if s, ok := empty.Highest(); ok {
		t.Errorf("Highest of an empty report = %v, true", s)
	}
	r := &Report{Findings: []Finding{{Severity: Low}, {Severity: High}, {Severity: Info}, {Severity: High}}}
	if s, ok := r.Highest(); !ok || s != High {
		t.Errorf("Highest = %v, %v; want high, true", s, ok)
	}
	info := &Report{Findings: []Finding{{Severity: Info}}}
	if s, ok := info.Highest(); !ok || s != Info {
		t.Errorf("Highest of an info-only report = %v, %v; want info, true", s, ok)
	}
	for sev, want := range map[Severity]int{Info: 4, Low: 3, Medium: 2, High: 2, Critical: 0} {
		if got := r.CountAtLeast(sev); got != want {
			t.Errorf("CountAtLeast(%v) = %d, want %d", sev, got, want)
		}
	}
}

func TestWritersDoNotModifyReport(t *testing.T) {
	for _, name := range Formats() {
		r := fixture()
		before := fixture()
		w, err := FormatFor(name, "", Options{MinSeverity: High})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(new(discard), r); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, r); diff != "" {
			t.Errorf("%s writer modified the report (-before +after):\n%s", name, diff)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
