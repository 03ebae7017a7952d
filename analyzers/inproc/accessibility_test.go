package inproc

import (
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// A user's Accessibility Configuration is judged item by item: Windows'
// own tools are quiet, a third-party one is medium (its StartExe is judged
// by inproc.accessibility-at), and one finding names each item.
func TestAccessibilityConfiguration(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   report.Severity
		items  []string
	}{
		{"osk,Narrator", report.Info, nil},
		{"magnifierpane,livecaptions,stickykeys", report.Info, nil},
		{"osk,evilat", report.Medium, []string{"evilat"}},
		{"nvda", report.Medium, []string{"nvda"}},
	} {
		t.Run(tc.config, func(t *testing.T) {
			nt := samples.NTUser("alice")
			samples.Set(nt.Root, `Software\Microsoft\Windows NT\CurrentVersion\Accessibility`, hivetest.SZ("Configuration", tc.config))
			fs := analysistest.Run(t, InProc, analysistest.HostOf(t, "h", samples.System("PC", [4]uint32{1, 1, 1, 0}, 1), samples.Software(), nt))
			var items []string
			for _, f := range fs {
				if f.Rule == "inproc.accessibility-configuration" {
					items = append(items, f.Title)
				}
			}
			if got := analysistest.MaxSeverity(fs); got != tc.want || len(items) != len(tc.items) {
				t.Fatalf("max severity %v, want %v; findings %v, want one per %v", got, tc.want, items, tc.items)
			}
		})
	}
}
