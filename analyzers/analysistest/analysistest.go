package analysistest

import (
	"context"
	"path"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// hostOf builds a hive.Set from sample hive descriptions, as discovery would
// (the user comes from a Users/<name>/ path).
func HostOf(t testing.TB, name string, hives ...samples.Hive) *hive.Set {
	t.Helper()
	set := &hive.Set{Host: name, Root: name}
	for _, hv := range hives {
		b, err := hivetest.Build(hv.Root, hv.Opts)
		if err != nil {
			t.Fatalf("building %s: %v", hv.Path, err)
		}
		if hv.After != nil {
			if err := hv.After(b); err != nil {
				t.Fatalf("changing %s: %v", hv.Path, err)
			}
			b.Fix()
		}
		h, err := hive.Parse(b.Bytes, path.Join(name, hv.Path))
		if err != nil {
			t.Fatalf("parsing %s: %v", hv.Path, err)
		}
		user := ""
		if parts := strings.Split(hv.Path, "/"); len(parts) > 2 && strings.EqualFold(parts[0], "Users") {
			user = parts[1]
		}
		set.Add(&hive.Entry{Hive: h, Path: path.Join(name, hv.Path), User: user})
	}
	return set
}

// runOn runs one analyzer through the driver and fails the test when it
// does not run cleanly.
func Run(t testing.TB, a *analysis.Analyzer, set *hive.Set) []report.Finding {
	t.Helper()
	res := analysis.Run(context.Background(), set, []*analysis.Analyzer{a})
	for _, r := range res.Runs {
		if r.Status != report.Ran {
			t.Fatalf("%s %s: %s", a.Name, r.Status, r.Reason)
		}
	}
	return res.Findings
}

// RunResult runs one analyzer through the driver and returns the whole
// result, for tests of runs that fail.
func RunResult(t testing.TB, a *analysis.Analyzer, set *hive.Set) analysis.Result {
	t.Helper()
	return analysis.Run(context.Background(), set, []*analysis.Analyzer{a})
}

// bySeverity counts findings per severity.
func bySeverity(fs []report.Finding) map[report.Severity]int {
	m := map[report.Severity]int{}
	for _, f := range fs {
		m[f.Severity]++
	}
	return m
}

// maxSeverity returns the highest severity among findings (Info when none).
func MaxSeverity(fs []report.Finding) report.Severity {
	s := report.Info
	for _, f := range fs {
		s = report.Max(s, f.Severity)
	}
	return s
}
