package analysis

import "testing"

// Every baseline row parses, names a known family and has a source.
func TestWindowsBaselineRows(t *testing.T) {
	known := map[Family]bool{"*": true, FamNT4: true, Fam2000: true, FamXP: true, FamVista: true, Fam8: true, Fam10: true}
	if len(windowsBaseline) == 0 {
		t.Fatal("empty baseline")
	}
	for _, r := range windowsBaseline {
		if !known[r.Family] || len(r.Source) < 20 || r.Name == "" {
			t.Errorf("row %+v: unknown family or no source", r)
		}
	}
}
