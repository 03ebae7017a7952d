package autostart

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// autostartHost builds a Windows 10 host (SOFTWARE, DEFAULT, alice's
// NTUSER.DAT and a SYSTEM hive) after plant has changed the hives' roots.
func autostartHost(t *testing.T, plant func(sw, user, def, sys *hivetest.Key)) *hive.Set {
	t.Helper()
	sw, u, d, sys := samples.Software(), samples.NTUser("alice"), samples.Default(), samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
	if plant != nil {
		plant(sw.Root, u.Root, d.Root, sys.Root)
	}
	return analysistest.HostOf(t, "h", sw, u, d, sys)
}

// expect is what a test wants of one finding.
type expect struct {
	rule     string
	severity report.Severity
	risk     float64  // compared to two decimals
	attack   []string // each must be present
	detail   string   // substring of title or detail
}

// check compares f with want.
func (want expect) check(t *testing.T, f report.Finding) {
	t.Helper()
	if f.Rule != want.rule || f.Severity != want.severity {
		t.Errorf("got %s/%v, want %s/%v: %s | %s", f.Rule, f.Severity, want.rule, want.severity, f.Title, f.Detail)
	}
	if math.Abs(f.Risk-want.risk) > 0.005 {
		t.Errorf("risk %.2f, want %.2f (%s)", f.Risk, want.risk, f.Title)
	}
	for _, id := range want.attack {
		if !slices.Contains(f.Attack, id) {
			t.Errorf("attack %v lacks %s", f.Attack, id)
		}
	}
	if !strings.Contains(f.Title+" "+f.Detail, want.detail) {
		t.Errorf("finding does not mention %q: %s | %s", want.detail, f.Title, f.Detail)
	}
	if f.Key == "" || f.LastWrite.IsZero() || f.Hive == "" || f.HiveKind == "" || f.Detail == "" || f.Title == "" {
		t.Errorf("evidence missing: %+v", f)
	}
}

// withValue returns the findings about values named name.
func withValue(fs []report.Finding, name string) []report.Finding {
	var out []report.Finding
	for _, f := range fs {
		if f.Value != nil && strings.EqualFold(*f.Value, name) {
			out = append(out, f)
		}
	}
	return out
}

func TestAsStepDownAndSplit(t *testing.T) {
	for in, want := range map[report.Severity]report.Severity{report.Critical: report.High, report.Low: report.Info, report.Info: report.Info} {
		if got := analysis.StepDown(in); got != want {
			t.Errorf("asStepDown(%v) = %v, want %v", in, got, want)
		}
	}
	if got := analysis.SplitList(` C:\Windows\system32\userinit.exe, ,C:\Windows\smss.exe,`); !slices.Equal(got, []string{`C:\Windows\system32\userinit.exe`, `C:\Windows\smss.exe`}) {
		t.Errorf("asSplitList: %q", got)
	}
	for _, tc := range []struct {
		ver  string
		want bool
	}{{"4.0", true}, {"5.1", true}, {"6.0", true}, {"6.1", false}, {"6.3", false}, {"10.0", false}, {"", false}} {
		if got := analysis.VersionBefore(tc.ver, 6, 1); got != tc.want {
			t.Errorf("asVersionBefore(%q, 6.1) = %v", tc.ver, got)
		}
	}
}
