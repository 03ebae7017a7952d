package report

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNeutralizeFormula(t *testing.T) {
	tests := []struct{ in, want string }{
		{`=cmd|' /C calc'!A0`, `'=cmd|' /C calc'!A0`},
		{"+1", "'+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=1", "a=1"},
		{"", ""},
		{`C:\x.exe`, `C:\x.exe`},
	}
	for _, tt := range tests {
		if got := neutralizeFormula(tt.in); got != tt.want {
			t.Errorf("neutralizeFormula(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The CSV output parses back to one row per finding with the header's width,
// and keeps nil and empty Value apart through the scope column.
func TestCSVRows(t *testing.T) {
	var b strings.Builder
	if err := (&csvWriter{}).Write(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(csvHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if len(rows) != 1+len(fixture().Findings) {
		t.Fatalf("%d rows, want header + %d", len(rows), len(fixture().Findings))
	}
	col := map[string]int{}
	for i, name := range csvHeader {
		col[name] = i
	}
	byRule := map[string][]string{}
	for _, row := range rows[1:] {
		byRule[row[col["rule"]]] = row
	}
	checks := []struct{ rule, column, want string }{
		{"formula-in-data", "data", `'=cmd|' /C calc'!A0`},
		{"formula-in-data", "attack", "T1547.001;T1036.002"},
		{"odd-key-name", "scope", "key"},
		{"odd-key-name", "value", ""},
		{"odd-key-name", "last_write", ""},
		{"default-value", "scope", "value"},
		{"default-value", "value", ""},
		{"default-value", "last_write", "2019-06-01T10:20:30.1234568Z"},
		{"fake-smss", "data", "autocheck autochk *\nC:\\Temp\\smss.exe"},
		{"fake-smss", "control_set_role", "current;default"},
		{"binary", "data", "001bff10"},
		{"inventory", "data", "2"},
	}
	for _, c := range checks {
		if got := byRule[c.rule][col[c.column]]; got != c.want {
			t.Errorf("%s %s = %q, want %q", c.rule, c.column, got, c.want)
		}
	}
}
