package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// suppressedReport holds two findings, one of them suppressed and shown
// (--show-suppressed), and one more suppressed and left out.
func suppressedReport() *Report {
	r := &Report{
		Findings: []Finding{
			{Analyzer: "runkeys", Rule: "runkey.entry", Severity: Low, Host: "PC", Hive: "NTUSER.DAT", HiveKind: "NTUSER", Key: `\Run`, Value: ValueName("OneDrive"), Data: "x", Title: "OneDrive",
				Suppressed: true, SuppressedBy: "allow.yaml:2", SuppressionReason: "golden image"},
			{Analyzer: "runkeys", Rule: "runkey.entry", Severity: High, Host: "PC", Hive: "NTUSER.DAT", HiveKind: "NTUSER", Key: `\Run`, Value: ValueName("Evil"), Data: "y", Title: "Evil"},
		},
		Suppressed: 1,
		Allow:      []AllowEntry{{Where: "allow.yaml:2", Reason: "golden image", Suppressed: 2}},
	}
	r.Finalize()
	return r
}

func TestSuppressedSummary(t *testing.T) {
	r := suppressedReport()
	s := r.Summary
	if s.Findings != 1 || s.Suppressed != 2 || s.BySeverity.Low != 0 || s.BySeverity.High != 1 {
		t.Errorf("summary %+v: want 1 finding (high), 2 suppressed", s)
	}
	if got := r.CountAtLeast(Info); got != 1 {
		t.Errorf("CountAtLeast(info) = %d, want 1", got)
	}
	if h, ok := r.Highest(); !ok || h != High {
		t.Errorf("Highest = %v %v", h, ok)
	}
}

// A JSON report with suppressed findings reads back with the same counts,
// and as a baseline it holds only the findings not suppressed.
func TestSuppressedJSON(t *testing.T) {
	r := suppressedReport()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"suppressed":2`, `"allow":[{"where":"allow.yaml:2","reason":"golden image","suppressed":2}]`,
		`"suppressed":true,"suppressed_by":"allow.yaml:2","suppression_reason":"golden image"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	back.Finalize()
	if back.Suppressed != 1 || back.Summary.Suppressed != 2 || back.Summary.Findings != 1 || len(back.Summary.Allow) != 1 {
		t.Errorf("read back: suppressed %d, summary %+v", back.Suppressed, back.Summary)
	}
	base, err := ReadBaseline(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(base) != 1 {
		t.Errorf("baseline %v, want the one finding not suppressed", base)
	}
	for _, f := range r.Findings {
		if f.Suppressed && base[f.Fingerprint] {
			t.Error("baseline holds a suppressed finding")
		}
	}
}

// Without an allowlist nothing new is written: no summary member, no
// finding member.
func TestNoAllowNoMembers(t *testing.T) {
	r := &Report{Findings: []Finding{{Analyzer: "a", Rule: "r", Host: "h", Key: "k"}}}
	r.Finalize()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "suppress") || strings.Contains(string(b), `"allow"`) {
		t.Errorf("JSON without an allowlist mentions it:\n%s", b)
	}
}

// Every format that writes findings marks a suppressed one.
func TestSuppressedFormats(t *testing.T) {
	r := suppressedReport()
	r.Findings[0].LastWrite = time.Date(2019, 6, 1, 10, 20, 30, 0, time.UTC)
	r.Findings[1].LastWrite = time.Date(2019, 6, 1, 10, 20, 30, 0, time.UTC)
	for format, want := range map[string]string{
		"table":      "[suppressed] OneDrive",
		"json":       `"suppressed": true`,
		"jsonl":      `"suppressed":true`,
		"csv":        "\nsuppressed,low,PC,",
		"sarif":      `"suppression_reason": "golden image"`,
		"html":       "[suppressed] ",
		"tln":        "|[suppressed] low ",
		"timesketch": `"suppressed_by":"allow.yaml:2"`,
	} {
		w, err := FormatFor(format, "", Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := w.Write(&b, r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s output lacks %q:\n%s", format, want, b.String())
		}
	}
}
