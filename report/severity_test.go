package report

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestParseSeverity(t *testing.T) {
	tests := []struct {
		in      string
		want    Severity
		wantErr bool
	}{
		{"info", Info, false},
		{"LOW", Low, false},
		{" Medium ", Medium, false},
		{"high", High, false},
		{"Critical", Critical, false},
		{"", Info, true},
		{"severe", Info, true},
		{"4", Info, true},
	}
	for _, tt := range tests {
		got, err := ParseSeverity(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseSeverity(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestSeverityOrder(t *testing.T) {
	all := Severities()
	if !slices.IsSorted(all) || len(all) != 5 || all[0] != Info || all[4] != Critical {
		t.Fatalf("Severities() = %v, want info..critical in increasing order", all)
	}
	for i := 1; i < len(all); i++ {
		if !(all[i-1] < all[i]) || Max(all[i-1], all[i]) != all[i] || Max(all[i], all[i-1]) != all[i] {
			t.Errorf("%v should be below %v", all[i-1], all[i])
		}
	}
}

func TestSeverityJSON(t *testing.T) {
	for _, s := range Severities() {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if want := `"` + s.String() + `"`; string(b) != want {
			t.Errorf("json.Marshal(%v) = %s, want %s", s, b, want)
		}
		var back Severity
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("round trip of %s = %v, %v", b, back, err)
		}
	}
	if _, err := json.Marshal(Severity(9)); err == nil {
		t.Error("json.Marshal(Severity(9)) succeeded, want an error")
	}
	var s Severity
	if err := json.Unmarshal([]byte(`"bogus"`), &s); err == nil {
		t.Error(`json.Unmarshal("bogus") succeeded, want an error`)
	}
}
