package analysis_test

import (
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
)

func TestHostVersion(t *testing.T) {
	soft := func(vals ...hivetest.Value) samples.Hive {
		h := samples.Software()
		k := samples.At(h.Root, `Microsoft\Windows NT\CurrentVersion`)
		k.Values = nil
		samples.Set(h.Root, `Microsoft\Windows NT\CurrentVersion`, vals...)
		return h
	}
	nt4System := samples.System("NT4", [4]uint32{1, 1, 1, 0}, 1)
	samples.Set(nt4System.Root, `ControlSet001\Services\Spooler`, hivetest.ExpandSZ("ImagePath", `%SystemRoot%\system32\spoolss.exe`))
	tests := []struct {
		name    string
		hives   []samples.Hive
		family  analysis.Family
		guessed bool
	}{
		{"NT 4.0", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "4.0"), hivetest.SZ("CurrentBuildNumber", "1381"))}, analysis.FamNT4, false},
		{"NT 3.51, nearest NT 4.0", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "3.51"), hivetest.SZ("CurrentBuildNumber", "1057"))}, analysis.FamNT4, true},
		{"2000", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "5.0"), hivetest.SZ("CurrentBuildNumber", "2195"))}, analysis.Fam2000, false},
		{"XP", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "5.1"), hivetest.SZ("CurrentBuildNumber", "2600"))}, analysis.FamXP, false},
		{"2003", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "5.2"), hivetest.SZ("CurrentBuildNumber", "3790"))}, analysis.FamXP, false},
		{"7", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "6.1"), hivetest.SZ("CurrentBuildNumber", "7601"))}, analysis.FamVista, false},
		{"8.1", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "6.3"), hivetest.SZ("CurrentBuildNumber", "9600"))}, analysis.Fam8, false},
		{"10 reports 6.3", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "6.3"), hivetest.SZ("CurrentBuildNumber", "19045"), hivetest.DWORD("CurrentMajorVersionNumber", 10))}, analysis.Fam10, false},
		{"11", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "6.3"), hivetest.SZ("CurrentBuild", "22631"))}, analysis.Fam10, false},
		{"version only", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "5.1"))}, analysis.FamXP, false},
		{"SYSTEM alone, NT 4.0 spooler", []samples.Hive{nt4System}, analysis.FamNT4, true},
		{"SYSTEM alone, modern", []samples.Hive{samples.System("X", [4]uint32{1, 1, 1, 0}, 1)}, "", false},
	}
	for _, tc := range tests {
		v := analysis.NewHost(analysistest.HostOf(t, "h", tc.hives...)).Version()
		if v.Family != tc.family || v.Guessed != tc.guessed {
			t.Errorf("%s: %+v, want family %q guessed %v", tc.name, v, tc.family, tc.guessed)
		}
		if tc.guessed && !strings.Contains(v.About(), "nearest") {
			t.Errorf("%s: a guessed version must say so: %s", tc.name, v.About())
		}
	}
}
