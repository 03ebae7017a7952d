package sessionmanager

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"

	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// smCase is one table row of a Session Manager analyzer test: edit changes
// the sample SYSTEM hive (root and ControlSet001), want lists the findings
// as rule:severity in the driver's order, and contains must appear in the
// first finding's title or detail.
type smCase struct {
	name     string
	edit     func(root, cs *hivetest.Key)
	want     []string
	contains string
}

const smPath = `Control\Session Manager`

// runSMCases runs a on a clean sample host (SYSTEM, SOFTWARE) changed by each
// case and compares the findings.
func runSMCases(t *testing.T, a *analysis.Analyzer, cases []smCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sys := samples.System("PC", [4]uint32{1, 1, 1, 0}, 1)
			tc.edit(sys.Root, samples.At(sys.Root, "ControlSet001"))
			fs := analysistest.Run(t, a, analysistest.HostOf(t, "h", sys, samples.Software()))
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule+":"+f.Severity.String())
				if f.Severity > report.Low && len(f.Attack) == 0 {
					t.Errorf("%s: no ATT&CK id", f.Rule)
				}
				if f.Title == "" || f.Detail == "" || f.Key == "" || f.LastWrite.IsZero() {
					t.Errorf("%s: incomplete finding %+v", f.Rule, f)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("got %v, want %v\n%+v", got, tc.want, fs)
			}
			if len(fs) > 0 && !strings.Contains(fs[0].Title+" "+fs[0].Detail, tc.contains) {
				t.Errorf("first finding does not mention %q: %s / %s", tc.contains, fs[0].Title, fs[0].Detail)
			}
		})
	}
}

func noEdit(root, cs *hivetest.Key) {}
