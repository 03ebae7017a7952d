package analyzers

import (
	"strings"
	"testing"

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
		family  winFamily
		guessed bool
	}{
		{"NT 4.0", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "4.0"), hivetest.SZ("CurrentBuildNumber", "1381"))}, famNT4, false},
		{"NT 3.51, nearest NT 4.0", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "3.51"), hivetest.SZ("CurrentBuildNumber", "1057"))}, famNT4, true},
		{"2000", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "5.0"), hivetest.SZ("CurrentBuildNumber", "2195"))}, fam2000, false},
		{"XP", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "5.1"), hivetest.SZ("CurrentBuildNumber", "2600"))}, famXP, false},
		{"2003", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "5.2"), hivetest.SZ("CurrentBuildNumber", "3790"))}, famXP, false},
		{"7", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "6.1"), hivetest.SZ("CurrentBuildNumber", "7601"))}, famVista, false},
		{"8.1", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "6.3"), hivetest.SZ("CurrentBuildNumber", "9600"))}, fam8, false},
		{"10 reports 6.3", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "6.3"), hivetest.SZ("CurrentBuildNumber", "19045"), hivetest.DWORD("CurrentMajorVersionNumber", 10))}, fam10, false},
		{"11", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "6.3"), hivetest.SZ("CurrentBuild", "22631"))}, fam10, false},
		{"version only", []samples.Hive{soft(hivetest.SZ("CurrentVersion", "5.1"))}, famXP, false},
		{"SYSTEM alone, NT 4.0 spooler", []samples.Hive{nt4System}, famNT4, true},
		{"SYSTEM alone, modern", []samples.Hive{samples.System("X", [4]uint32{1, 1, 1, 0}, 1)}, "", false},
	}
	for _, tc := range tests {
		v := hostVersion(hostOf(t, "h", tc.hives...))
		if v.Family != tc.family || v.Guessed != tc.guessed {
			t.Errorf("%s: %+v, want family %q guessed %v", tc.name, v, tc.family, tc.guessed)
		}
		if tc.guessed && !strings.Contains(v.about(), "nearest") {
			t.Errorf("%s: a guessed version must say so: %s", tc.name, v.about())
		}
	}
}

// Every baseline row parses, names a known family and has a source; the
// knowndlls fallback for a build no list covers names the nearest list.
func TestWindowsBaselineRows(t *testing.T) {
	known := map[winFamily]bool{"*": true, famNT4: true, fam2000: true, famXP: true, famVista: true, fam8: true, fam10: true}
	if len(windowsBaseline) == 0 {
		t.Fatal("empty baseline")
	}
	for _, r := range windowsBaseline {
		if !known[r.family] || len(r.source) < 20 || r.name == "" {
			t.Errorf("row %+v: unknown family or no source", r)
		}
	}
	if ex := expectationFor(6002); !strings.Contains(ex.about, "nearest") || !strings.Contains(ex.about, "Windows 7") {
		t.Errorf("Vista build 6002: %s", ex.about)
	}
	if ex := expectationFor(22631); !strings.Contains(ex.about, "Windows 10") {
		t.Errorf("Windows 11: %s", ex.about)
	}
	if ex := expectationFor(1381); !ex.exact || !ex.required["crtdll.dll"] || ex.required["ole32.dll"] {
		t.Errorf("NT 4.0: %+v", ex)
	}
}
