package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFindingJSONTime(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string // the last_write member, "" for absent
	}{
		{time.Date(2019, 6, 1, 10, 20, 30, 123456700, time.UTC), `"last_write":"2019-06-01T10:20:30.1234567Z"`},
		{time.Date(2019, 6, 1, 10, 20, 30, 0, time.UTC), `"last_write":"2019-06-01T10:20:30.0000000Z"`},
		{time.Date(2019, 6, 1, 12, 20, 30, 100, time.FixedZone("CEST", 7200)), `"last_write":"2019-06-01T10:20:30.0000001Z"`},
		{time.Time{}, ""},
	}
	for _, tt := range tests {
		b, err := json.Marshal(Finding{LastWrite: tt.t})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tt.want == "" && strings.Contains(string(b), "last_write"):
			t.Errorf("zero LastWrite written: %s", b)
		case tt.want != "" && !strings.Contains(string(b), tt.want):
			t.Errorf("json of LastWrite %v = %s, want it to contain %s", tt.t, b, tt.want)
		}
	}
}

func TestFindingJSONValue(t *testing.T) {
	key, _ := json.Marshal(Finding{})
	def, _ := json.Marshal(Finding{Value: ValueName("")})
	if strings.Contains(string(key), `"value"`) {
		t.Errorf("key-level finding has a value member: %s", key)
	}
	if !strings.Contains(string(def), `"value":""`) {
		t.Errorf("default-value finding lacks \"value\":\"\": %s", def)
	}
}

func TestFindingJSONRoundTrip(t *testing.T) {
	in := []Finding{
		{Analyzer: "a", Rule: "r", Severity: Critical, Host: "h", Key: "k", Value: ValueName(""), Data: "d",
			LastWrite: time.Date(2019, 6, 1, 10, 20, 30, 123456700, time.UTC), Attack: []string{"T1"}, Fingerprint: "f"},
		{Analyzer: "a", Rule: "r", Severity: Low, Key: "k", Value: nil, Data: "\x1b\u202e", Deleted: true, Risk: 0.5},
	}
	for _, f := range in {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var back Finding
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(f, back); diff != "" {
			t.Errorf("round trip of %s (-want +got):\n%s", b, diff)
		}
	}
}

// The JSON report reads back into a Report equal to the finalized original
// (data other than strings comes back in its JSON types).
func TestReportJSONRoundTrip(t *testing.T) {
	r := fixture()
	for i := range r.Findings {
		if _, ok := r.Findings[i].Data.(string); !ok && r.Findings[i].Data != nil {
			r.Findings[i].Data = "was " + strings.Join(dataStrings(r.Findings[i].Data), ",")
		}
	}
	var b strings.Builder
	if err := (&jsonWriter{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil {
		t.Fatal(err)
	}
	r.Finalize()
	if diff := cmp.Diff(r, &back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// Every jsonl line is one typed record: the findings at or above the
// floor, then every problem (never filtered by severity).
func TestJSONLRecords(t *testing.T) {
	var b strings.Builder
	if err := (&jsonlWriter{opts: Options{MinSeverity: Medium}}).Write(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	var findings []Finding
	var problems []Problem
	for _, line := range lines {
		var typ struct{ Type string }
		if err := json.Unmarshal([]byte(line), &typ); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		switch typ.Type {
		case RecordFinding:
			if len(problems) > 0 {
				t.Errorf("finding after a problem: %s", line)
			}
			var f Finding
			if err := json.Unmarshal([]byte(line), &f); err != nil {
				t.Fatalf("%v: %s", err, line)
			}
			if f.Host == "" || f.Fingerprint != Fingerprint(f) || f.Severity < Medium {
				t.Errorf("line lacks host or fingerprint, or is below medium: %s", line)
			}
			findings = append(findings, f)
		case RecordProblem:
			var p Problem
			if err := json.Unmarshal([]byte(line), &p); err != nil {
				t.Fatalf("%v: %s", err, line)
			}
			problems = append(problems, p)
		default:
			t.Errorf("line of type %q: %s", typ.Type, line)
		}
	}
	if len(findings) != 3 {
		t.Errorf("%d findings at medium or above, want 3", len(findings))
	}
	if diff := cmp.Diff(view(fixture(), Options{MinSeverity: Info}).Problems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// A schema 2 jsonl report works as a baseline: problem lines are skipped.
func TestBaselineFromJSONLWithProblems(t *testing.T) {
	var b strings.Builder
	if err := (&jsonlWriter{}).Write(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	base, err := ReadBaseline(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(base) != len(fixture().Findings) {
		t.Errorf("%d fingerprints, want %d", len(base), len(fixture().Findings))
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Host: "WS01", Path: "a/SYSTEM", Message: "too large"}, "[WS01] a/SYSTEM: too large"},
		{Problem{Path: "x", Analyzer: "runkeys", Message: "m"}, "x: runkeys: m"},
		{Problem{Message: "two\nlines \x1b[31m"}, `two\x0alines \x1b[31m`},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}
